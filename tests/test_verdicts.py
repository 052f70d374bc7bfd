"""The short entry points answer what the explained ones decide.

`data.cognito.authz.verdict`/`verdicts` (`Engine.verdict`/`verdicts`) return `{"allowed",
"decision"}` computed by the same Rego rules as `decision`/`decisions`, without the
explanation. The contract is the equality: for every request, the verdict is the explained
decision's `allowed` and `decision`. It is checked on every documented example, on a
stored-principal estate built with `bundle build`, and on generated requests (valid estates
that reach every case of IAM's evaluation logic, and the junk of test_robustness).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_robustness import bad_requests

from pycognito_opa import Decision, Engine, Verdict
from pycognito_opa._estate import load_estate
from pycognito_opa.bundle import build_bundle
from pycognito_opa.examples import load_examples

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ACCOUNT = "111122223333"
OTHER = "444455556666"
POOL = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_EXAMPLE"
OTHER_POOL = f"arn:aws:cognito-idp:us-east-1:{OTHER}:userpool/us-east-1_OTHER"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/Admins"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/Alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/Bob"
ACTIONS = [
    "cognito-idp:ListUsers",
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:SignUp",
    "cognito-identity:ListIdentityPools",
    "sts:GetCallerIdentity",
    "sts:AssumeRole",
]
RESOURCES = [POOL, OTHER_POOL, "*", f"arn:aws:iam::{ACCOUNT}:role/Admins"]


def _expected(decisions: Sequence[Decision]) -> list[Verdict]:
    return [Verdict(d.allowed, d.decision) for d in decisions]


def _check(engine: Engine, requests: Sequence[Mapping[str, Any]]) -> None:
    """Batch and single: the verdicts equal the explained decisions' allowed and decision."""
    expected = _expected(engine.decide_many(requests))
    assert engine.verdicts(requests) == expected
    for request, verdict in zip(requests, expected, strict=True):
        assert engine.verdict(request) == verdict, request


def test_every_documented_example(engine: Engine) -> None:
    examples = load_examples()
    assert examples
    _check(engine, [e.request for e in examples])


def test_every_decision_kind_is_covered(engine: Engine) -> None:
    examples = load_examples()
    kinds = {v.decision for v in engine.verdicts([e.request for e in examples])}
    assert {"allow", "explicit_deny", "implicit_deny", "not_governed_by_iam"} <= kinds


def test_an_empty_batch(engine: Engine) -> None:
    assert engine.verdicts([]) == []


# --- generated requests: policies that apply and do not, through every kind of policy ---

statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": st.sampled_from([*ACTIONS, "cognito-idp:*", "cognito-idp:List*", "*"]),
        "Resource": st.sampled_from([*RESOURCES, "arn:aws:cognito-idp:*:*:userpool/*"]),
    },
    optional={
        "Condition": st.sampled_from(
            [
                {"StringEquals": {"aws:PrincipalTag/team": "admins"}},
                {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                {"StringLike": {"aws:username": "${aws:username}"}},
            ]
        )
    },
)
policy = st.builds(
    lambda statements: {"Version": "2012-10-17", "Statement": statements},
    st.lists(statement, min_size=1, max_size=3),
)
resource_statement = st.builds(
    lambda s, who: {**s, "Principal": {"AWS": who}},
    statement,
    st.sampled_from([ALICE, ACCOUNT, OTHER, "*"]),
)
# The policy fields of a request (what a registered policy set holds), and the rest of it.
policy_fields = {
    "policies": st.lists(policy, max_size=2),
    "managed_policies": st.lists(st.sampled_from(["AmazonCognitoReadOnly"]), max_size=1),
    "permissions_boundary": policy,
    "scps": st.lists(policy, max_size=2),
    "session_policies": st.lists(policy, max_size=1),
    "resource_policy": st.builds(
        lambda statements: {"Version": "2012-10-17", "Statement": statements},
        st.lists(resource_statement, min_size=1, max_size=2),
    ),
}
ask_fields = {
    "principal": st.sampled_from([ALICE, f"arn:aws:iam::{OTHER}:user/Eve"]),
    "context": st.sampled_from(
        [{}, {"aws:PrincipalTag/team": "admins"}, {"aws:MultiFactorAuthPresent": True}]
    ),
}
asks = st.fixed_dictionaries(
    {"action": st.sampled_from(ACTIONS), "resource": st.sampled_from(RESOURCES)},
    optional=ask_fields,
)
valid_requests = st.fixed_dictionaries(
    {"action": st.sampled_from(ACTIONS), "resource": st.sampled_from(RESOURCES)},
    optional={**policy_fields, **ask_fields},
)


@settings(SETTINGS, max_examples=150)
@given(batch=st.lists(valid_requests, min_size=1, max_size=12))
def test_generated_valid_requests(engine: Engine, batch: list[dict[str, Any]]) -> None:
    _check(engine, batch)


@settings(SETTINGS, max_examples=150)
@given(batch=st.lists(bad_requests, min_size=1, max_size=8))
def test_generated_junk_requests(engine: Engine, batch: list[dict[str, Any]]) -> None:
    _check(engine, batch)


# --- a stored-principal estate, built by `bundle build` ---


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ESTATE: dict[str, dict[str, Any]] = {
    "pool-admin": _policy(
        {"Effect": "Allow", "Action": "cognito-idp:*", "Resource": POOL},
        {
            "Sid": "NoDeletesWithoutMfa",
            "Effect": "Deny",
            "Action": "cognito-idp:AdminDelete*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ),
    "read-only": _policy(
        {
            "Effect": "Allow",
            "Action": ["cognito-idp:List*", "cognito-idp:Describe*"],
            "Resource": "*",
        }
    ),
    "team-tagged": _policy(
        {
            "Effect": "Allow",
            "Action": "cognito-idp:AdminCreateUser",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "admins"}},
        }
    ),
    "cognito-only": _policy({"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}),
}
PRINCIPALS = {
    ADMIN: {"policies": ["pool-admin", "team-tagged"], "permissions_boundary": "cognito-only"},
    ALICE: {"policies": ["read-only"], "managed_policies": ["AmazonCognitoReadOnly"]},
    BOB: {"policies": ["team-tagged"]},
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("estate") / "policies"
    folder.mkdir()
    for name, document in ESTATE.items():
        (folder / f"{name}.json").write_text(json.dumps(document))
    (folder / "principals.json").write_text(json.dumps(PRINCIPALS))
    info = build_bundle(folder.parent / "b.tar.gz", estate=load_estate(folder))
    with Engine(bundle=Path(info.path)) as engine:
        yield engine


stored_requests = st.fixed_dictionaries(
    {
        "action": st.sampled_from(ACTIONS),
        "resource": st.sampled_from(RESOURCES),
        "principal": st.sampled_from([ADMIN, ALICE, BOB, f"arn:aws:iam::{ACCOUNT}:user/Nobody"]),
    },
    optional={
        "context": st.sampled_from(
            [
                {},
                {"aws:PrincipalTag/team": "admins"},
                {"aws:MultiFactorAuthPresent": True},
                {"aws:MultiFactorAuthPresent": False},
            ]
        ),
        "scps": st.lists(policy, max_size=1),
    },
)


def test_stored_estate_every_combination(stored: Engine) -> None:
    requests = [
        {"action": a, "resource": r, "principal": p, "context": c}
        for a in ACTIONS
        for r in RESOURCES
        for p in PRINCIPALS
        for c in ({}, {"aws:PrincipalTag/team": "admins"}, {"aws:MultiFactorAuthPresent": True})
    ]
    _check(stored, requests)
    kinds = {v.decision for v in stored.verdicts(requests)}
    assert {"allow", "explicit_deny", "implicit_deny"} <= kinds


@settings(SETTINGS, max_examples=100)
@given(batch=st.lists(stored_requests, min_size=1, max_size=12))
def test_stored_estate_generated(stored: Engine, batch: list[dict[str, Any]]) -> None:
    _check(stored, batch)
