"""Registered policy sets (Engine.register_policy_set), with the real OPA.

A request naming a registered set must be decided as the documentation expects and exactly as
the same request carrying the set's fields; every bound and every refusal is checked here.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_verdicts import SETTINGS, asks, policy_fields

from pycognito_opa import (
    Decision,
    Engine,
    Example,
    ExampleResult,
    Limits,
    OpaClient,
    OpaQueryError,
    PolicySetError,
    RequestError,
    UsageError,
    Verdict,
    load_examples,
)
from pycognito_opa import engine as engine_module
from pycognito_opa.bundle import BundleInfo
from pycognito_opa.fleet.sidecar import HardenedSidecar, ServeOptions

# The request fields a policy set holds (cognito.registered.fields).
SET_FIELDS = (
    "policies",
    "managed_policies",
    "permissions_boundary",
    "scps",
    "session_policies",
    "resource_policy",
)
EXAMPLES = [e for e in load_examples() if "identity" not in e.request]
LIST_POOLS = {"action": "cognito-idp:ListUserPools", "resource": "*"}
UNKNOWN_ID = "sha256:" + "0" * 64
ALLOW_COGNITO = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "cognito-idp:List*", "Resource": "*"}],
}
# IAM documents Effect as "Allow" or "Deny" (IAM JSON policy elements: Effect).
PERMIT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Permit", "Action": "cognito-idp:*", "Resource": "*"}],
}


def policy_set(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k in SET_FIELDS}


def naming(request: dict[str, Any], set_id: str) -> dict[str, Any]:
    """`request` with its set's fields replaced by the set's ID."""
    return {**{k: v for k, v in request.items() if k not in SET_FIELDS}, "policy_set": set_id}


def statements(n: int) -> list[dict[str, Any]]:
    """`n` different statements allowing some cognito-idp actions."""
    return [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": f"cognito-idp:List{i}*", "Resource": "*"}
        for i in range(n)
    ]


def allowing(n: int) -> dict[str, Any]:
    """A valid set, different for every `n`."""
    statement = {"Sid": f"S{n}", "Effect": "Allow", "Action": "cognito-idp:List*", "Resource": "*"}
    return {"policies": [{"Version": "2012-10-17", "Statement": [statement]}]}


def entry_bytes(engine: Engine, value: dict[str, Any]) -> int:
    """The size of the entry OPA compiles for a set, as the Engine stores it."""
    entry = engine.query(engine_module.REGISTRATION_PATH, value)["entry"]
    return len(json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode())


def counted(method: Callable[..., Any], calls: list[str]) -> Callable[..., Any]:
    """`method`, noting its name in `calls` each time it is called."""

    def wrapper(*args: Any) -> Any:
        calls.append(method.__name__)
        return method(*args)

    return wrapper


def nested(depth: int) -> Any:
    """A list nested `depth` levels deep."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def error_fields(decision: Decision) -> set[str | None]:
    return {e.field for e in decision.errors}


@pytest.fixture(scope="module")
def registering(bundle: BundleInfo) -> Iterator[Engine]:
    """An Engine of this module's own: its OPA is killed in a test."""
    with Engine(bundle=bundle.path) as engine:
        yield engine


@pytest.fixture
def fresh(bundle: BundleInfo) -> Iterator[Engine]:
    """An Engine holding no registered set, for the bounds."""
    with Engine(bundle=bundle.path) as engine:
        yield engine


class Registered:
    """Every example without identity, registered (concurrently) and decided in one batch."""

    def __init__(self, engine: Engine, examples: list[Example]) -> None:
        self.ids: dict[str, str] = {}
        self.refused: dict[str, PolicySetError] = {}
        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = list(pool.map(self._register(engine), examples))
        for example, outcome in zip(examples, outcomes, strict=True):
            if isinstance(outcome, PolicySetError):
                self.refused[example.id] = outcome
            else:
                self.ids[example.id] = outcome
        self.decided = [e for e in examples if e.id in self.ids]
        self.requests = [naming(e.request, self.ids[e.id]) for e in self.decided]
        by_id = engine.decide_many(self.requests)
        inline = engine.decide_many([e.request for e in examples])
        self.by_id = dict(zip((e.id for e in self.decided), by_id, strict=True))
        self.inline = dict(zip((e.id for e in examples), inline, strict=True))

    @staticmethod
    def _register(engine: Engine) -> Callable[[Example], str | PolicySetError]:
        def one(example: Example) -> str | PolicySetError:
            try:
                return engine.register_policy_set(policy_set(example.request))
            except PolicySetError as exc:
                return exc

        return one


@pytest.fixture(scope="module")
def registered(registering: Engine) -> Registered:
    return Registered(registering, EXAMPLES)


def test_most_examples_name_a_policy_set():
    assert len(EXAMPLES) >= 100


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_an_example_by_policy_set_is_decided_as_documented_and_as_inline(
    registered: Registered, example: Example
):
    inline = registered.inline[example.id]
    if example.id in registered.refused:
        # The set itself is invalid: only an example documented "invalid" may be refused,
        # for a field the inline request is refused for too.
        assert example.expect == "invalid"
        fields = {e["field"] for e in registered.refused[example.id].errors}
        assert fields <= error_fields(inline), (fields, inline.errors)
        return
    decision = registered.by_id[example.id]
    assert ExampleResult(example, decision).agrees, (example.id, example.why, decision)
    assert decision.to_dict() == inline.to_dict()


def test_the_id_is_the_sha256_of_the_canonical_json(registered: Registered):
    example = registered.decided[0]
    canonical = json.dumps(
        policy_set(example.request), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert registered.ids[example.id] == "sha256:" + hashlib.sha256(canonical).hexdigest()


def test_registering_the_same_content_again_queries_nothing(
    registering: Engine, monkeypatch: pytest.MonkeyPatch
):
    set_id = registering.register_policy_set({"policies": [ALLOW_COGNITO]})
    calls: list[str] = []
    for name in ("query", "put_data"):
        monkeypatch.setattr(OpaClient, name, counted(getattr(OpaClient, name), calls))
    # The same content, its keys in another order, is the same set.
    again = registering.register_policy_set(
        {"policies": [dict(reversed(list(ALLOW_COGNITO.items())))]}
    )
    assert again == set_id
    assert calls == []


def test_a_set_of_no_documents_denies_implicitly(registering: Engine):
    set_id = registering.register_policy_set({})
    # IAM: with no policy allowing it, a request is implicitly denied.
    assert registering.decide({**LIST_POOLS, "policy_set": set_id}).decision == "implicit_deny"


def test_an_invalid_set_is_refused_with_the_field_named(registering: Engine):
    with pytest.raises(PolicySetError, match=r"policies\[0\]\.Statement\[0\]\.Effect") as info:
        registering.register_policy_set({"policies": [PERMIT]})
    assert info.value.errors[0]["field"] == "policies[0].Statement[0].Effect"
    assert isinstance(info.value, RequestError)


def test_every_reason_is_kept_and_counted(registering: Engine):
    with pytest.raises(PolicySetError, match=r"\(and 1 more\)") as info:
        registering.register_policy_set({"policies": [PERMIT], "action": "cognito-idp:*"})
    assert {e["code"] for e in info.value.errors} >= {"unknown_field"}
    assert len(info.value.errors) == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["policies"], "must be a JSON object"),
        ({"policies": nested(Limits().max_depth)}, "deeper than 32 levels"),
        ({"policies": {1, 2}}, "not JSON-serialisable"),
        ({"policies": ["\ud800"]}, "not valid Unicode"),
    ],
    ids=["not-an-object", "too-deep", "not-json", "lone-surrogate"],
)
def test_a_set_that_is_not_a_json_object_within_limits_never_reaches_opa(
    bundle: BundleInfo, value: Any, message: str
):
    engine = Engine(bundle=bundle.path)
    with pytest.raises(RequestError, match=message):
        engine.register_policy_set(value)
    assert engine.process is None  # OPA was not even started


def test_an_engine_on_a_running_opa_registers_nothing():
    engine = Engine(url="http://127.0.0.1:9")
    with pytest.raises(UsageError, match=r"read-only.*inline"):
        engine.register_policy_set({})
    with pytest.raises(UsageError, match="read-only"):
        engine.unregister_policy_set(UNKNOWN_ID)


@pytest.mark.parametrize(
    ("set_id", "code"),
    [(UNKNOWN_ID, "unknown_policy_set"), ("sha256:ABC", "invalid_policy_set"), (7, "invalid_type")],
)
def test_an_unknown_or_malformed_id_is_an_invalid_request(
    registering: Engine, set_id: Any, code: str
):
    decision = registering.decide({**LIST_POOLS, "policy_set": set_id})
    assert decision.decision == "invalid"
    assert [(e.code, e.field) for e in decision.errors] == [(code, "policy_set")]


def test_an_unregistered_set_is_unknown_again(registering: Engine):
    set_id = registering.register_policy_set(allowing(-1))
    request = {**LIST_POOLS, "policy_set": set_id}
    assert registering.decide(request).decision == "allow"
    registering.unregister_policy_set(set_id)
    decision = registering.decide(request)
    assert decision.decision == "invalid"
    assert error_fields(decision) == {"policy_set"}
    with pytest.raises(RequestError, match="no policy set"):
        registering.unregister_policy_set(set_id)
    # Registered again, it is written again.
    assert registering.register_policy_set(allowing(-1)) == set_id
    assert registering.decide(request).decision == "allow"


def test_at_most_max_registered_sets(fresh: Engine, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(engine_module, "MAX_REGISTERED_SETS", 2)
    first = fresh.register_policy_set(allowing(1))
    fresh.register_policy_set(allowing(2))
    with pytest.raises(RequestError, match=r"holds 2 registered policy sets.*unregister some"):
        fresh.register_policy_set(allowing(3))
    assert fresh.register_policy_set(allowing(1)) == first  # already held: no new entry
    fresh.unregister_policy_set(first)
    third = fresh.register_policy_set(allowing(3))
    assert fresh.decide({**LIST_POOLS, "policy_set": third}).decision == "allow"


def test_at_most_max_registered_bytes(fresh: Engine, monkeypatch: pytest.MonkeyPatch):
    one, two = allowing(1), allowing(2)
    limit = entry_bytes(fresh, one) + entry_bytes(fresh, two) - 1
    monkeypatch.setattr(engine_module, "MAX_REGISTERED_BYTES", limit)
    first = fresh.register_policy_set(one)
    with pytest.raises(RequestError, match=f"limit of {limit}: unregister some"):
        fresh.register_policy_set(two)
    fresh.unregister_policy_set(first)
    fresh.register_policy_set(two)


def test_a_set_or_its_entry_over_the_request_limits_is_refused(bundle: BundleInfo):
    limits = Limits(max_request_bytes=4096, max_query_bytes=4096 + 64)
    with Engine(bundle=bundle.path, limits=limits) as small:
        large = {"policies": [{**ALLOW_COGNITO, "Id": "x" * 4096}]}
        with pytest.raises(RequestError, match="over the limit of 4096"):
            small.register_policy_set(large)
        # About 3 KB, within max_request_bytes, but its entry (the set and its 40 statements
        # compiled) is larger than the body OPA reads.
        within = {"policies": [{"Version": "2012-10-17", "Statement": statements(40)}]}
        assert entry_bytes(small, within) > limits.query_bytes
        with pytest.raises(RequestError, match=r"compiled policy set is .* send its policies"):
            small.register_policy_set(within)


def test_registered_sets_survive_the_death_of_the_embedded_opa(
    registering: Engine, registered: Registered
):
    process = registering.process
    assert process is not None and process.pid is not None
    first = process.pid
    os.kill(first, signal.SIGKILL)
    assert process.exits_within(5)
    decisions = registering.decide_many(registered.requests)
    assert registering.process is not None and registering.process.pid != first
    assert [d.to_dict() for d in decisions] == [
        registered.by_id[e.id].to_dict() for e in registered.decided
    ]


def test_a_hardened_sidecar_refuses_the_write(bundle: BundleInfo):
    options = ServeOptions(bundle=bundle.path, addr="127.0.0.1:0")
    with HardenedSidecar(options) as sidecar, OpaClient(sidecar.url) as client:
        with pytest.raises(OpaQueryError, match="answered 401 for PUT"):
            client.put_data(f"{engine_module.REGISTERED_DATA}/{UNKNOWN_ID}", b"{}")
        decision = client.decide({**LIST_POOLS, "policy_set": UNKNOWN_ID})
    assert decision.decision == "invalid"
    assert error_fields(decision) == {"policy_set"}


# --- generated requests: every kind of policy, named and inline -------------------------------

# A set of every kind of policy, and requests to ask of it (test_verdicts' building blocks).
policy_sets = st.fixed_dictionaries({}, optional=policy_fields)


@pytest.fixture(scope="module")
def generating(bundle: BundleInfo) -> Iterator[Engine]:
    """An Engine of its own, emptied after each generated set."""
    with Engine(bundle=bundle.path) as engine:
        yield engine


@settings(SETTINGS, max_examples=60)
@given(generated=policy_sets, questions=st.lists(asks, min_size=1, max_size=12))
def test_generated_sets_are_decided_as_inline(
    generating: Engine, generated: dict[str, Any], questions: list[dict[str, Any]]
) -> None:
    """The compiled, indexed form of a set answers exactly as its documents do: whole decisions
    (matched, warnings, reason) and verdicts, over generated policies of every kind (wildcard
    actions and resources, conditions, policy variables, guardrails, resource policies naming
    principals)."""
    set_id = generating.register_policy_set(generated)
    try:
        inline = generating.decide_many([{**q, **generated} for q in questions])
        named = [{**q, "policy_set": set_id} for q in questions]
        by_id = generating.decide_many(named)
        assert [d.to_dict() for d in by_id] == [d.to_dict() for d in inline]
        assert generating.verdicts(named) == [Verdict(d.allowed, d.decision) for d in inline]
    finally:  # an Engine holds at most MAX_REGISTERED_SETS
        generating.unregister_policy_set(set_id)
