"""The statement index of stored principals (data.cognito.store.index) changes no decision;
nor do the values a bundle build computes once (data.cognito.derived).

Bundle builds index each stored principal's statements by action and resource so that OPA
matches only the statements that can apply; the index is computed by the Rego
(cognito.store.indexing, whose own cases are in its opa tests). The index may only ever leave
out statements that cannot apply, so every decision must be exactly what a full scan gives: the
same bundle queried with the index masked (`with data.cognito.store.index as {}`), and the same
policies sent inline in the request (which never use the index). The estates are generated with
a seeded generator and cover wildcard actions, NotAction, NotResource, case differences in
action names, policy variables, conditions and principals without stored policies. A bundle
build refuses invalid policies, so estates with odd statements (not objects, repeated Sids) are
indexed by the same Rego over the built bundle with `opa eval`, and compared there.
"""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pycognito_opa import _paths as paths
from pycognito_opa.bundle import build_bundle
from pycognito_opa.errors import BundleError

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/estate"
VALID_ROLE = f"arn:aws:iam::{ACCOUNT}:role/valid-estate"  # policies that validate when inline
BIG_ROLE = f"arn:aws:iam::{ACCOUNT}:role/big-estate"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
EMPTY = f"arn:aws:iam::{ACCOUNT}:role/empty"
MANAGED_ONLY = f"arn:aws:iam::{ACCOUNT}:role/managed-only"
UNSTORED = f"arn:aws:iam::{ACCOUNT}:role/not-stored"
REGIONS = ("us-east-1", "eu-west-1")
USER_POOLS = tuple(f"{r}_Pool{i}" for r in REGIONS for i in range(3))
IDENTITY_POOLS = tuple(
    f"{r}:0000000{i}-aaaa-bbbb-cccc-dddddddddddd" for r in REGIONS for i in range(2)
)
NOT_CATALOGUED = ("sts:AssumeRole", "iam:PassRole", "cognito-idp:NotAnAction", "s3:GetObject")
WILDCARDS = (
    "cognito-idp:Admin*",
    "cognito-idp:List*",
    "cognito-idp:*",
    "cognito-*:List*",
    "cognito-identity:Get*",
    "cognito-sync:*",
    "cognito-idp:?etUser",
    "COGNITO-IDP:describe*",
    "*",
    "sts:Assume*",
)


def _user_pool_arn(pool: str) -> str:
    return f"arn:aws:cognito-idp:{pool.split('_')[0]}:{ACCOUNT}:userpool/{pool}"


def _identity_pool_arn(service: str, pool: str) -> str:
    return f"arn:aws:{service}:{pool.split(':')[0]}:{ACCOUNT}:identitypool/{pool}"


def _mangle(rng: random.Random, action: str) -> str:
    """The action name in another case (IAM matches actions case-insensitively)."""
    choice = rng.random()
    if choice < 0.2:
        return action.lower()
    if choice < 0.3:
        return action.upper()
    if choice < 0.4:
        return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in action)
    return action


class _Generator:
    """Seeded statements and requests over the catalogued Cognito actions."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        catalog = json.loads((paths.data_dir() / "cognito/reference/catalog/data.json").read_text())
        self.actions = sorted(entry["action"] for entry in catalog["actions"].values())

    def _actions(self) -> Any:
        rng = self.rng
        kind = rng.random()
        if kind < 0.45:
            names = [_mangle(rng, a) for a in rng.sample(self.actions, rng.randint(1, 3))]
            return names[0] if len(names) == 1 and rng.random() < 0.5 else names
        if kind < 0.75:
            return rng.choice(WILDCARDS) if rng.random() < 0.6 else list(rng.sample(WILDCARDS, 2))
        if kind < 0.82:
            return [rng.choice(NOT_CATALOGUED), rng.choice(self.actions)]
        return None  # NotAction

    def _resource(self) -> str:
        rng = self.rng
        pool = rng.choice(USER_POOLS)
        identity_pool = rng.choice(IDENTITY_POOLS)
        return rng.choice(
            [
                "*",
                _user_pool_arn(pool),
                _user_pool_arn(pool).rsplit("/", 1)[0] + "/*",
                f"arn:aws:cognito-idp:{pool.split('_')[0]}:*",
                f"arn:aws:cognito-idp:*:{ACCOUNT}:userpool/{pool[:-1]}?",
                f"arn:aws:cognito-idp:{pool.split('_')[0]}:{ACCOUNT}:userpool/{pool[:-3]}*",
                "arn:aws:cognito-*",
                f"arn:aws:cognito-sync:{identity_pool[:4]}*",
                f"arn:aws:cognito-idp:{pool.split('_')[0]}:{ACCOUNT}:userpool/${{aws:PrincipalTag/pool}}",
                _identity_pool_arn("cognito-identity", identity_pool),
                _identity_pool_arn("cognito-sync", identity_pool) + "/identity/*/dataset/Scores",
                _identity_pool_arn("cognito-sync", identity_pool)
                + "/identity/${cognito-identity.amazonaws.com:sub}/*",
                f"arn:aws:iam::{ACCOUNT}:role/*",
            ]
        )

    def statement(self, i: int, valid: bool) -> Any:
        rng = self.rng
        if not valid and rng.random() < 0.02:
            return "not a statement"
        st: dict[str, Any] = {"Effect": "Allow" if rng.random() < 0.8 else "Deny"}
        if rng.random() < 0.5:
            st["Sid"] = f"S{i % 7}" if not valid and rng.random() < 0.2 else f"S{i}"
        actions = self._actions()
        if actions is None:
            st["NotAction"] = [rng.choice(WILDCARDS), _mangle(rng, rng.choice(self.actions))]
        else:
            st["Action"] = actions
        kind = rng.random()
        if kind < 0.1:
            st["NotResource"] = self._resource()
        elif kind < 0.3:
            st["Resource"] = [self._resource(), self._resource()]
        else:
            st["Resource"] = self._resource()
        if rng.random() < 0.15:
            team = rng.choice(["blue", "red"])
            st["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": team}}
        return st

    def policies(self, statements: int, valid: bool = False) -> dict[str, Any]:
        """Policies of up to eight statements, named so that case and non-ASCII order matter.
        Unless `valid`, some statements are not objects and some Sids repeat."""
        names = ["alpha", "Beta", "gamma-2", "Zeta", "ünï", "delta_1", "Eta", "theta"]
        out: dict[str, Any] = {}
        count = 0
        for k in range(0, statements, 8):
            name = f"{names[(k // 8) % len(names)]}-{k // 8}"
            stmts = [self.statement(count + j, valid) for j in range(min(8, statements - k))]
            count += len(stmts)
            version = self.rng.choice(["2012-10-17"] * 4 + ["2008-10-17", None])
            doc: dict[str, Any] = {"Statement": stmts[0] if len(stmts) == 1 else stmts}
            if version:
                doc["Version"] = version
            out[name] = doc
        return out

    def requests(self, principals: list[str | None], n: int) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for _ in range(n):
            action = rng.choice(
                self.actions * 3 + list(NOT_CATALOGUED) + ["cognito-idp:Admin", "cognito-sync:list"]
            )
            pool = rng.choice(USER_POOLS)
            identity_pool = rng.choice(IDENTITY_POOLS)
            resource = rng.choice(
                [
                    "*",
                    _user_pool_arn(pool),
                    _identity_pool_arn("cognito-identity", identity_pool),
                    _identity_pool_arn("cognito-sync", identity_pool)
                    + "/identity/us-east-1:me/dataset/Scores",
                    f"arn:aws:iam::{ACCOUNT}:role/r",
                    "arn:aws:s3:::bucket/key",
                ]
            )
            request: dict[str, Any] = {
                "action": _mangle(rng, action),
                "resource": resource,
                "context": {
                    "aws:PrincipalTag/team": rng.choice(["blue", "red"]),
                    "aws:PrincipalTag/pool": rng.choice(USER_POOLS),
                    "cognito-identity.amazonaws.com:sub": rng.choice(["us-east-1:me", "other"]),
                },
            }
            principal = rng.choice(principals)
            if principal is not None:
                request["principal"] = principal
            out.append(request)
        return out


def _store(gen: _Generator, valid: bool) -> dict[str, Any]:
    """Stored principals. With `valid`, every policy validates (a bundle build stores it);
    otherwise ROLE's and USER's policies hold statements that are not objects and repeated
    Sids (what the index must still get right, whoever builds the data)."""
    return {
        (BIG_ROLE if valid else ROLE): {"policies": gen.policies(240, valid=valid)},
        VALID_ROLE: {"policies": gen.policies(48, valid=True)},
        USER: {
            "policies": gen.policies(20, valid=valid),
            "managed_policies": ["AmazonCognitoReadOnly"],
            "permissions_boundary": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}],
            },
        },
        EMPTY: {"policies": {}},
        MANAGED_ONLY: {"managed_policies": ["AmazonCognitoPowerUser"]},
    }


def _opa_result(
    bundle: Path,
    requests: list[dict[str, Any]],
    query: str,
    tmp: Path,
    store: dict[str, Any] | None = None,
) -> Any:
    path = tmp / "input.json"
    path.write_text(json.dumps({"requests": requests, "store": store}))
    proc = subprocess.run(
        [str(paths.opa_binary()), "eval", "-b", str(bundle), "-i", str(path), "-f", "json", query],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(proc.stdout)["result"][0]


def _opa_decisions(bundle: Path, requests: list[dict[str, Any]], query: str, tmp: Path) -> Any:
    return _opa_result(bundle, requests, query, tmp)["expressions"][0]["value"]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], _Generator]:
    gen = _Generator(seed=20240601)
    store = _store(gen, valid=True)
    out = tmp_path_factory.mktemp("index") / "bundle.tar.gz"
    build_bundle(out, extra_data={"cognito/store": {"principals": store}})
    return out, store, gen


def test_indexed_decisions_equal_a_full_scan(estate: Any, tmp_path: Path) -> None:
    bundle, _, gen = estate
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/big-estate/s1"
    principals = [BIG_ROLE, BIG_ROLE, BIG_ROLE, session, USER, EMPTY, MANAGED_ONLY, UNSTORED, None]
    requests = gen.requests(principals, 1500)
    _assert_indexed_equals_scanned(bundle, requests, tmp_path)


# The odd estate, indexed by the bundle's own Rego and queried with it in place of the bundle's.
ODD_STORE = "with data.cognito.store.principals as input.store"
ODD_INDEX = f"data.cognito.store.indexing.index {ODD_STORE}"
ODD_INDEX_AS = "with data.cognito.store.index as"


def test_indexed_decisions_equal_a_full_scan_with_odd_statements(
    estate: Any, tmp_path: Path
) -> None:
    bundle, _, _ = estate
    gen = _Generator(seed=20240602)
    store = _store(gen, valid=False)
    statements = [
        st
        for doc in store[ROLE]["policies"].values()
        for st in (doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]])
    ]
    assert "not a statement" in statements
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/estate/s1"
    principals = [ROLE, ROLE, ROLE, session, USER, EMPTY, MANAGED_ONLY, UNSTORED, None]
    requests = gen.requests(principals, 1500)
    _assert_indexed_equals_scanned(bundle, requests, tmp_path, store)
    # ... and the index is used there: far fewer candidates than statements.
    request = {"action": "cognito-idp:AdminGetUser", "resource": _user_pool_arn(USER_POOLS[0])}
    candidates = (
        "count(data.cognito.principal.stored_statements("
        f'data.cognito.principal.caller({{"principal": "{ROLE}"}}), input.requests[0]))'
    )
    query = f"index := {ODD_INDEX}; n := {candidates} {ODD_STORE} {ODD_INDEX_AS} index"
    listed = _opa_result(bundle, [request], query, tmp_path, store)["bindings"]["n"]
    assert 0 < listed < len(statements) // 3


def _assert_indexed_equals_scanned(
    bundle: Path, requests: list[dict[str, Any]], tmp_path: Path, store: Any = None
) -> None:
    def query(rule: str, masked: bool) -> str:
        if store is None:
            return f"{rule} with data.cognito.store.index as {{}}" if masked else rule
        index = "{}" if masked else "index"
        return f"index := {ODD_INDEX}; x := {rule} {ODD_STORE} {ODD_INDEX_AS} {index}"

    def run(rule: str, masked: bool) -> Any:
        result = _opa_result(bundle, requests, query(rule, masked), tmp_path, store)
        if store is None:
            return result["expressions"][0]["value"]
        return result["bindings"]["x"]  # a query of several expressions

    # The decisions, and not only the deciding statements: every identity-based statement that
    # applies. One query for both (OPA reuses the facts the decisions worked out).
    applied = "[data.cognito.applicable.facts(r).identity | some r in input.requests]"
    both = f"[data.cognito.authz.decisions, {applied}]"
    indexed, indexed_applied = run(both, masked=False)
    scanned, scanned_applied = run(both, masked=True)
    assert len(indexed) == len(requests)
    differing = [(r, a, b) for r, a, b in zip(requests, indexed, scanned, strict=True) if a != b]
    assert differing == []
    assert indexed_applied == scanned_applied
    assert sum(len(a) for a in indexed_applied) > len(requests)
    # The generated requests reach every kind of outcome.
    assert {d["decision"] for d in indexed} >= {"allow", "explicit_deny", "implicit_deny"}


def test_indexed_decisions_equal_inline_policies(estate: Any, tmp_path: Path) -> None:
    """The stored policies sent inline instead (in name order) decide the same way."""
    bundle, store, gen = estate
    names = sorted(store[VALID_ROLE]["policies"], key=lambda n: n.encode())
    docs = [store[VALID_ROLE]["policies"][n] for n in names]
    label = {f"policies[{i}]": f"principal:{n}" for i, n in enumerate(names)}
    requests = gen.requests([VALID_ROLE], 600)
    inline = [{**r, "principal": UNSTORED, "policies": docs} for r in requests]
    stored = _opa_decisions(bundle, requests, "data.cognito.authz.decisions", tmp_path)
    sent = _opa_decisions(bundle, inline, "data.cognito.authz.decisions", tmp_path)

    def comparable(d: Mapping[str, Any]) -> tuple[Any, ...]:
        matched = [{**m, "policy": label.get(m["policy"], m["policy"])} for m in d["matched"]]
        # Diagnostics of inline policies (and of the unstored principal) are the inline side's.
        warnings = [
            w
            for w in d["warnings"]
            if w["code"] != "principal_not_stored" and not w["message"].startswith("policies[")
        ]
        return d["allowed"], d["decision"], matched, warnings

    differing = [
        (r, a, b)
        for r, a, b in zip(requests, stored, sent, strict=True)
        if comparable(a) != comparable(b)
    ]
    assert differing == []
    assert {d["decision"] for d in sent} >= {"allow", "explicit_deny", "implicit_deny"}


def test_the_index_narrows_the_statements_matched(estate: Any, tmp_path: Path) -> None:
    """The decisions above really go through the index: far fewer statements than stored."""
    bundle, store, _ = estate
    total = sum(
        len(d["Statement"]) if isinstance(d["Statement"], list) else 1
        for d in store[BIG_ROLE]["policies"].values()
    )
    request = {"action": "cognito-idp:AdminGetUser", "resource": _user_pool_arn(USER_POOLS[0])}
    query = (
        "count(data.cognito.principal.stored_statements("
        f'data.cognito.principal.caller({{"principal": "{BIG_ROLE}"}}), input.requests[0]))'
    )
    candidates = _opa_decisions(bundle, [request], query, tmp_path)
    unindexed = _opa_decisions(
        bundle, [request], f"{query} with data.cognito.store.index as {{}}", tmp_path
    )
    assert unindexed == total
    assert candidates < total // 3


# --- the index a bundle stores ------------------------------------------------------------------


def test_the_stored_index_is_the_rego_index_of_the_stored_principals(
    estate: Any, tmp_path: Path
) -> None:
    bundle, store, _ = estate
    stored = _opa_decisions(bundle, [], "data.cognito.store.index", tmp_path)
    computed = _opa_decisions(bundle, [], "data.cognito.store.indexing.index", tmp_path)
    assert stored == computed
    assert stored["format"] == 2
    assert set(stored["principals"]) == set(store)
    # every stored statement is compiled where its ref points
    for key, entry in store.items():
        compiled = stored["principals"][key]["compiled"]
        for name, doc in entry.get("policies", {}).items():
            statement = doc["Statement"]
            count = len(statement) if isinstance(statement, list) else 1
            assert len(compiled[name]) == count
    assert "cognito-idp:admincreateuser" in stored["expanded"]


# --- values computed once at bundle build (data.cognito.derived) --------------------------------


def test_bundle_stores_what_the_rego_computes(estate: Any, tmp_path: Path) -> None:
    """The ARN type regular expressions a bundle stores are what the Rego computes from the
    catalog, and decisions read the stored ones (resource type diagnostics agree either way)."""
    bundle, _, _ = estate
    stored = _opa_decisions(bundle, [], "data.cognito.derived.arn_type_regexes", tmp_path)
    computed = _opa_decisions(bundle, [], "data.cognito.arn.type_regex_table", tmp_path)
    assert stored == computed
    assert "userpool" in stored["cognito-idp"]
    requests = [
        {"action": "cognito-idp:AdminGetUser", "resource": _user_pool_arn(USER_POOLS[0])},
        {
            "action": "cognito-identity:DescribeIdentityPool",
            "resource": _user_pool_arn(USER_POOLS[1]),
        },
        {
            "action": "cognito-sync:ListDatasets",
            "resource": _identity_pool_arn("cognito-sync", IDENTITY_POOLS[0]) + "/identity/x",
        },
    ]
    query = "data.cognito.authz.decisions"
    with_stored = _opa_decisions(bundle, requests, query, tmp_path)
    without = _opa_decisions(
        bundle, requests, f"{query} with data.cognito.derived as {{}}", tmp_path
    )
    assert with_stored == without
    codes = [{w["code"] for w in d["warnings"]} for d in with_stored]
    assert "resource_type_not_used" not in codes[0]
    assert "resource_type_not_used" in codes[1]


def test_derived_data_path_is_reserved(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="computed by the bundle build"):
        build_bundle(tmp_path / "b.tar.gz", extra_data={"cognito/derived": {}})
