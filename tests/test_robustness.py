"""Bad input, limits and load: nothing a caller sends breaks pycognito-opa or its OPA.

Every generated request gets, within the per-query bound, either a decision or
`decision: "invalid"` with errors that name the field; OPA stays up, and a valid request sent
afterwards is still answered as AWS documents (the seed's first example policy).
Run more cases with `PYCOGNITO_OPA_FUZZ=nightly make test` (see conftest.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pycognito_opa import Engine, Limits, OpaProcess, OpaQueryError, RequestError
from pycognito_opa._client import MIN_PART
from pycognito_opa._decision import DECISIONS

# Amazon Cognito Developer Guide, "Identity and Access Management in Amazon Cognito User Pools",
# "Example Policies": the first statement allows ListIdentityPools on "*".
VALID = {
    "action": "cognito-identity:ListIdentityPools",
    "resource": "*",
    "policies": [
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "cognito-identity:ListIdentityPools", "Resource": "*"}
            ],
        }
    ],
}

# The documented per-query bound for a request within the limits (README, "Limits").
BOUND_SECONDS = 1.0
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def bounded(engine: Engine, engine_token: str) -> Iterator[Engine]:
    """A second client of the shared OPA whose queries fail if slower than the bound."""
    with Engine(url=engine.url, token=engine_token, timeout=BOUND_SECONDS) as client:
        yield client
    # The shared OPA survived everything above and still answers correctly.
    assert engine.process is not None and engine.process.alive()
    assert engine.decide(VALID).decision == "allow"


def _check(decision) -> None:
    assert decision.decision in DECISIONS
    if decision.decision == "invalid":
        assert decision.errors, decision
        assert all(e.field for e in decision.errors), decision
        assert decision.allowed is False


# --- generated junk ---

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["*", "", "arn:", "arn:aws", "${aws:username", "${", "arn:aws:s3:::b/${x}"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
actions = st.one_of(
    json_values,
    st.sampled_from(["cognito-idp:AdminCreateUser", "cognito-idp:InitiateAuth", "x", "a:b:c", ":"]),
)
arns = st.one_of(
    json_values,
    st.builds(
        lambda *parts: ":".join(parts),
        st.sampled_from(["arn", "ARN", "", "arn "]),
        st.text(max_size=6),
        st.sampled_from(["cognito-idp", "cognito-sync", "", "*"]),
        st.text(max_size=10),
        st.text(max_size=13),
        st.text(max_size=30),
    ),
)
OPERATORS = [
    f"{prefix}{base}{suffix}"
    for base in [
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
        "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
        "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
        "ArnLike", "ArnNotEquals", "ArnNotLike", "Null", "Unknown",
    ]
    for prefix in ["", "ForAnyValue:", "ForAllValues:", "Sometimes:"]
    for suffix in ["", "IfExists"]
]  # fmt: skip
conditions = st.one_of(
    json_values,
    st.dictionaries(
        st.sampled_from(OPERATORS),
        st.one_of(json_values, st.dictionaries(st.text(max_size=20), json_values, max_size=3)),
        max_size=3,
    ),
)
statements = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "Sid": json_values,
            "Effect": st.sampled_from(["Allow", "Deny", "allow", "Permit", ""]) | json_values,
            "Action": st.one_of(actions, st.lists(actions, max_size=3)),
            "NotAction": st.one_of(actions, st.lists(actions, max_size=3)),
            "Resource": st.one_of(arns, st.lists(arns, max_size=3)),
            "NotResource": st.one_of(arns, st.lists(arns, max_size=3)),
            "Condition": conditions,
            "Principal": json_values,
            "Extra": json_values,
        },
    ),
)
policies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020-01-01"]) | json_values,
            "Statement": st.one_of(statements, st.lists(statements, max_size=4)),
            "Id": json_values,
        },
    ),
)
bad_requests = st.fixed_dictionaries(
    {},
    optional={
        "action": actions,
        "resource": arns,
        "policies": st.one_of(json_values, st.lists(policies, max_size=3)),
        "managed_policies": st.one_of(
            json_values, st.lists(st.sampled_from(["AmazonCognitoReadOnly", "Nope"]) | json_values)
        ),
        "principal": arns,
        "resource_account": json_values,
        "permissions_boundary": policies,
        "scps": st.one_of(
            json_values, st.lists(st.one_of(policies, st.lists(policies, max_size=2)))
        ),
        "session_policies": st.one_of(json_values, st.lists(policies, max_size=2)),
        "resource_policy": policies,
        "context": st.one_of(json_values, st.dictionaries(st.text(max_size=30), json_values)),
        "unexpected": json_values,
    },
)


def _examples(default: int) -> int:
    # make test keeps its time budget; the nightly run covers forty times as many cases.
    return default * (40 if os.environ.get("PYCOGNITO_OPA_FUZZ") == "nightly" else 1)


@settings(FUZZ, max_examples=_examples(750))
@given(request=bad_requests)
def test_generated_requests_get_a_decision_or_invalid_with_the_field(bounded: Engine, request):
    _check(bounded.decide(request))


@settings(FUZZ, max_examples=_examples(150))
@given(batch=st.lists(bad_requests, min_size=1, max_size=8))
def test_one_bad_request_never_breaks_the_others_in_a_batch(bounded: Engine, batch):
    decisions = bounded.decide_many([*batch, VALID])
    assert len(decisions) == len(batch) + 1
    for decision in decisions:
        _check(decision)
    assert decisions[-1].decision == "allow"


@pytest.mark.parametrize("operator", OPERATORS)
def test_every_condition_operator_with_wrong_value_types(bounded: Engine, operator: str):
    wrong_values: list[Any] = [{"nested": "object"}, [[1, 2]], None, [], 1.5, True, "", "x" * 5000]
    batch = []
    for value in wrong_values:
        statement = {
            "Effect": "Allow",
            "Action": "cognito-idp:ListUserPools",
            "Resource": "*",
            "Condition": {operator: {"aws:SourceIp": value}},
        }
        batch.append(
            {
                "action": "cognito-idp:ListUserPools",
                "resource": "*",
                "policies": [{"Version": "2012-10-17", "Statement": [statement]}],
                "context": {"aws:SourceIp": value},
            }
        )
    for decision in bounded.decide_many(batch):
        _check(decision)


@pytest.mark.parametrize(
    "text",
    ["${aws:username", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/${aws:username",
     "${aws:username, 'x", "${}", "${ aws:username }", "${*", "$${aws:username}}"],
)  # fmt: skip
def test_variables_that_never_close(bounded: Engine, text: str):
    statement = {"Effect": "Allow", "Action": "cognito-idp:*", "Resource": text}
    decision = bounded.decide(
        {
            "action": "cognito-idp:DescribeUserPool",
            "resource": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
            "policies": [{"Version": "2012-10-17", "Statement": [statement]}],
            "context": {"aws:username": "alice"},
        }
    )
    _check(decision)
    assert decision.allowed is False


def test_huge_strings_and_empty_lists(bounded: Engine):
    huge = "a" * 200_000
    batch = [
        {**VALID, "action": "cognito-idp:" + huge},
        {**VALID, "resource": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + huge},
        {**VALID, "policies": []},
        {**VALID, "policies": [{"Version": "2012-10-17", "Statement": []}]},
        {**VALID, "context": {"aws:username": huge}},
        {**VALID, "scps": []},
    ]
    for decision in bounded.decide_many(batch):
        _check(decision)


# --- raw bytes straight to OPA ---


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe\x00", b'{"input": ', b"[]", b'{"input": "text"}', b"",
     b'{"input": {"requests": "no"}}', b'{"input": {"requests": [1, null, "x"]}}',
     b"[" * 100_000],
)  # fmt: skip
def test_opa_survives_raw_garbage(engine: Engine, engine_token: str, body: bytes):
    headers = {"Authorization": f"Bearer {engine_token}"}
    for path in ("cognito/authz/decision", "cognito/authz/decisions"):
        url = f"{engine.url}/v1/data/{path}"
        resp = requests.post(url, data=body, headers=headers, timeout=BOUND_SECONDS * 5)
        assert resp.status_code in (200, 400), resp.text
        if resp.status_code == 200:
            result = resp.json().get("result")
            assert result is None or isinstance(result, dict | list)
    assert engine.decide(VALID).decision == "allow"


# --- limits, enforced before OPA sees the request ---


def test_a_request_over_the_size_limit_is_refused_before_opa(engine: Engine, engine_token: str):
    limits = Limits(max_request_bytes=10_000)
    with (
        Engine(url=engine.url, token=engine_token, limits=limits) as client,
        pytest.raises(RequestError, match="bytes"),
    ):
        client.decide({**VALID, "context": {"k": "v" * 20_000}})


def test_a_batch_over_the_limit_is_refused(engine: Engine, engine_token: str):
    with Engine(url=engine.url, token=engine_token, limits=Limits(max_batch=5)) as client:
        with pytest.raises(RequestError, match="over the limit of 5"):
            client.decide_many([VALID] * 6)
        assert len(client.decide_many([VALID] * 5)) == 5


def test_deep_nesting_is_refused(engine: Engine):
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(RequestError, match="nested deeper"):
        engine.decide({**VALID, "context": {"k": deep}})


def _slow_request(i: int) -> dict[str, Any]:
    """One of the costliest requests within the Rego limits (cognito.limits): two wildcard
    patterns that use up the matching-work budget against an ARN of the maximum length, about
    0.1 CPU seconds each; `i` makes each one distinct (OPA reuses the result of an identical
    request within a query)."""
    pool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"
    k = (7_900_000 // (2048 + 256) // 2 - len(pool)) // 2
    statement = {
        "Effect": "Allow",
        "Action": "cognito-idp:DescribeUserPool",
        "Resource": [pool + "*a" * k + f"b{i}", pool + "*a" * k + f"c{i}"],
    }
    return {
        "action": "cognito-idp:DescribeUserPool",
        "resource": pool + "a" * (2048 - len(pool)),
        "policies": [{"Version": "2012-10-17", "Statement": [statement]}],
    }


def test_a_slow_query_is_cancelled_at_the_timeout_and_opa_keeps_serving(
    engine: Engine, engine_token: str
):
    with (
        Engine(url=engine.url, token=engine_token, timeout=0.5, parallelism=1) as client,
        pytest.raises(OpaQueryError, match="within"),
    ):
        client.decide_many([_slow_request(i) for i in range(20)])
    assert engine.decide(VALID).decision == "allow"


def test_one_slow_part_of_a_split_batch_fails_the_whole_batch(engine: Engine, engine_token: str):
    # Split over two queries: the first part is answered at once, the second runs past the
    # timeout. The call raises; it never returns the first part's decisions alone.
    batch = [VALID] * MIN_PART + [_slow_request(i) for i in range(MIN_PART)]
    with (
        Engine(url=engine.url, token=engine_token, timeout=0.5, parallelism=2) as client,
        pytest.raises(OpaQueryError, match="within"),
    ):
        client.decide_many(batch)
    assert [d.decision for d in engine.decide_many([VALID] * 2 * MIN_PART)] == ["allow"] * (
        2 * MIN_PART
    )


def test_cli_reports_limits_as_bad_input(tmp_path, running_opa: OpaProcess):
    deep: Any = 1
    for _ in range(100):
        deep = {"k": deep}
    req = tmp_path / "deep.json"
    req.write_text(json.dumps({**VALID, "context": deep}))
    args = ["decide", "-r", str(req), "--opa-url", running_opa.url]
    proc = subprocess.run(
        [sys.executable, "-m", "pycognito_opa", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "nested deeper" in json.loads(proc.stderr)["error"]["message"]


@settings(FUZZ, max_examples=_examples(25))
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_cli_never_prints_a_traceback(running_opa: OpaProcess, data: bytes):
    proc = subprocess.run(
        [sys.executable, "-m", "pycognito_opa", "decide", "-r", "-", "--opa-url", running_opa.url],
        input=data,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode in (0, 2), proc.stderr
    assert b"Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1
        assert "error" in json.loads(proc.stderr)


# --- load: many clients at once, every answer checked ---

MIXED = [
    VALID,
    {**VALID, "action": "cognito-idp:AdminDeleteUser"},
    {**VALID, "action": "cognito-idp:InitiateAuth"},
    {**VALID, "resource": "not-an-arn"},
    {**VALID, "policies": [{"Statement": [{"Effect": "Maybe"}]}]},
    {"action": 42},
    {
        **VALID,
        "policies": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "cognito-identity:*", "Resource": "*"}],
            },
            VALID["policies"][0],
        ],
    },
]
LOAD_SECONDS = 3.0


def _answers(
    url: str, token: str, seconds: float, offset: int
) -> tuple[int, list[tuple[int, str]]]:
    """Send MIXED round-robin for `seconds`; return how many were sent and what came back."""
    got: list[tuple[int, str]] = []
    sent = 0
    with Engine(url=url, token=token) as client:
        deadline = time.monotonic() + seconds
        i = offset
        while time.monotonic() < deadline:
            k = i % len(MIXED)
            sent += 1
            if i % 5 == 0:
                decisions = client.decide_many([MIXED[k], MIXED[(k + 1) % len(MIXED)]])
                got.append((k, decisions[0].decision))
                got.append(((k + 1) % len(MIXED), decisions[1].decision))
                sent += 1
            else:
                got.append((k, client.decide(MIXED[k]).decision))
            i += 1
    return sent, got


def _process_worker(url: str, token: str, seconds: float, offset: int, queue) -> None:
    queue.put(_answers(url, token, seconds, offset))


def test_concurrent_threads_and_processes_get_the_single_threaded_answers(
    engine: Engine, engine_token: str
):
    expected = [engine.decide(r).decision for r in MIXED]
    results: list[tuple[int, list[tuple[int, str]]]] = []
    lock = threading.Lock()

    def run_thread(offset: int) -> None:
        out = _answers(engine.url, engine_token, LOAD_SECONDS, offset)
        with lock:
            results.append(out)

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_process_worker, args=(engine.url, engine_token, LOAD_SECONDS, n, queue))
        for n in range(2)
    ]
    for p in procs:
        p.start()
    threads = [threading.Thread(target=run_thread, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=LOAD_SECONDS + 60)
    results.extend(queue.get(timeout=LOAD_SECONDS + 60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert len(results) == 8
    total = 0
    for sent, got in results:
        assert len(got) == sent  # nothing dropped
        wrong = [(k, d) for k, d in got if d != expected[k]]
        assert wrong == []
        total += sent
    assert total > 0
