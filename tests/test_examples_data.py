"""Structure checks for the documented examples in bundles/examples/*.yaml (no OPA needed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "bundles" / "examples"
EXPECTS = {
    "allow",
    "explicit_deny",
    "implicit_deny",
    "not_governed_by_iam",
    "invalid",
    "no_credentials",
}
# What an identity-pool example may expect of the decision's identity block.
IDENTITY_EXPECTS = {"outcome", "role_arn", "error_code", "error_stage"}
IDENTITY_OUTCOMES = {"credentials", "error", "invalid"}
IDENTITY_STAGES = {
    "get_id",
    "get_open_id_token",
    "get_credentials_for_identity",
    "assume_role_with_web_identity",
}
# The identity object of a request (design contract; identity-pools.md).
IDENTITY_FIELDS = {
    "pool",
    "roles",
    "flow",
    "login_provider",
    "token",
    "identity_id",
    "custom_role_arn",
    "role_arn",
    "jwks",
}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SHIPPED_MANAGED = {
    "AmazonCognitoPowerUser",
    "AmazonCognitoReadOnly",
    "AmazonCognitoDeveloperAuthenticatedIdentities",
    "AmazonCognitoUnauthenticatedIdentities",
    "AmazonCognitoUnAuthedIdentitiesSessionPolicy",
}
REQUEST_FIELDS = {
    "action",
    "resource",
    "policies",
    "managed_policies",
    "principal",
    "resource_account",
    "permissions_boundary",
    "scps",
    "session_policies",
    "context",
    "resource_policy",
    "identity",
}


def _files() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


def _examples() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(file name, file data, example) for every example of every file."""
    out = []
    for path in _files():
        data = _load(path)
        for example in data.get("examples") or []:
            out.append((path.name, data, example))
    return out


def _is_policy_document(doc: Any) -> bool:
    return isinstance(doc, dict) and "Statement" in doc


def _policy_refs(request: dict[str, Any]) -> list[Any]:
    """Every policy given in a request, by name or as a document, except managed policies."""
    refs: list[Any] = list(request.get("policies") or [])
    for key in ("permissions_boundary", "resource_policy"):
        if key in request:
            refs.append(request[key])
    refs.extend(request.get("session_policies") or [])
    for level in request.get("scps") or []:
        refs.extend(level if isinstance(level, list) else [level])
    for entry in ((request.get("identity") or {}).get("roles") or {}).values():
        refs.extend(entry.get("policies") or [])
        for key in ("trust_policy", "permissions_boundary"):
            if key in entry:
                refs.append(entry[key])
    return refs


def test_files_exist() -> None:
    assert _files(), "no bundles/examples/*.yaml"
    assert (EXAMPLES_DIR / "README.md").is_file()


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_file_shape(path: Path) -> None:
    data = _load(path)
    assert set(data) <= {"source", "policies", "examples"}, sorted(data)
    source = data.get("source")
    assert isinstance(source, dict) and source.get("document") and source.get("url"), path.name
    policies = data.get("policies") or {}
    assert isinstance(policies, dict)
    for name, doc in policies.items():
        assert KEBAB.match(name), f"{path.name}: policy name {name!r} is not kebab-case"
        assert _is_policy_document(doc), f"{path.name}: policy {name!r} has no Statement"
    assert isinstance(data.get("examples"), list) and data["examples"], path.name


def test_ids_unique_and_kebab() -> None:
    seen: dict[str, str] = {}
    for file_name, _, example in _examples():
        eid = example.get("id")
        assert isinstance(eid, str) and KEBAB.match(eid), f"{file_name}: bad id {eid!r}"
        assert eid not in seen, f"duplicate id {eid!r} in {file_name} and {seen[eid]}"
        seen[eid] = file_name


def test_examples_complete() -> None:
    for file_name, data, example in _examples():
        eid = example.get("id")
        assert example.get("expect") in EXPECTS, (
            f"{file_name}:{eid}: expect {example.get('expect')!r}"
        )
        assert example.get("title"), f"{file_name}:{eid}: no title"
        assert example.get("why"), f"{file_name}:{eid}: no why"
        merged = {**(data.get("source") or {}), **(example.get("source") or {})}
        for key in ("document", "url", "section"):
            assert merged.get(key), f"{file_name}:{eid}: source has no {key}"
        assert str(merged["url"]).startswith("https://"), f"{file_name}:{eid}: url"


def test_requests_well_formed() -> None:
    for file_name, _, example in _examples():
        eid = example.get("id")
        request = example.get("request")
        assert isinstance(request, dict), f"{file_name}:{eid}: no request"
        assert set(request) <= REQUEST_FIELDS, (
            f"{file_name}:{eid}: {sorted(set(request) - REQUEST_FIELDS)}"
        )
        if example.get("expect") != "invalid":
            assert isinstance(request.get("action"), str), f"{file_name}:{eid}: action"
            assert isinstance(request.get("resource"), str), f"{file_name}:{eid}: resource"
        if "context" in request:
            assert isinstance(request["context"], dict), f"{file_name}:{eid}: context"
        if "scps" in request:
            assert isinstance(request["scps"], list), f"{file_name}:{eid}: scps must list levels"


def test_policy_references_resolve() -> None:
    for file_name, data, example in _examples():
        eid = example.get("id")
        named = data.get("policies") or {}
        for ref in _policy_refs(example["request"]):
            if isinstance(ref, str):
                assert ref in named, f"{file_name}:{eid}: unknown policy {ref!r}"
            else:
                assert _is_policy_document(ref), (
                    f"{file_name}:{eid}: inline policy has no Statement"
                )


def test_named_policies_used() -> None:
    for path in _files():
        data = _load(path)
        used = {
            ref
            for example in data["examples"]
            for ref in _policy_refs(example["request"])
            if isinstance(ref, str)
        }
        unused = set(data.get("policies") or {}) - used
        assert not unused, f"{path.name}: named policies never used: {sorted(unused)}"


def test_managed_policies_shipped() -> None:
    for file_name, _, example in _examples():
        for name in example["request"].get("managed_policies") or []:
            bare = name.removeprefix("arn:aws:iam::aws:policy/")
            assert bare in SHIPPED_MANAGED, f"{file_name}:{example['id']}: {name!r} is not shipped"


def test_identity_examples_well_formed() -> None:
    """Identity-pool requests: the identity object's fields, each role entry with its trust
    policy, and what the example expects of the decision's identity block."""
    for file_name, _, example in _examples():
        eid = example.get("id")
        identity = example["request"].get("identity")
        expect_identity = example.get("expect_identity")
        if identity is None:
            assert expect_identity is None, f"{file_name}:{eid}: expect_identity without identity"
            continue
        assert isinstance(identity, dict), f"{file_name}:{eid}: identity"
        assert set(identity) <= IDENTITY_FIELDS, f"{file_name}:{eid}: {sorted(identity)}"
        if example["expect"] != "invalid":
            pool = identity.get("pool")
            assert isinstance(pool, dict) and pool.get("IdentityPoolId"), f"{file_name}:{eid}"
            for arn, entry in (identity.get("roles") or {}).items():
                assert arn.startswith("arn:aws"), f"{file_name}:{eid}: role {arn!r}"
                assert "trust_policy" in entry, f"{file_name}:{eid}: {arn} has no trust_policy"
        assert isinstance(expect_identity, dict) and expect_identity, (
            f"{file_name}:{eid}: an identity example says what it expects of the identity"
        )
        assert set(expect_identity) <= IDENTITY_EXPECTS, f"{file_name}:{eid}: {expect_identity}"
        outcome = expect_identity.get("outcome")
        assert outcome in IDENTITY_OUTCOMES, f"{file_name}:{eid}: outcome {outcome!r}"
        assert (outcome == "error") == (example["expect"] == "no_credentials"), (
            f"{file_name}:{eid}: no_credentials goes with the outcome error"
        )
        if outcome == "error":
            assert expect_identity.get("error_code"), f"{file_name}:{eid}: error_code"
            assert expect_identity.get("error_stage") in IDENTITY_STAGES, f"{file_name}:{eid}"
        if outcome == "credentials":
            assert str(expect_identity.get("role_arn", "")).startswith("arn:aws"), (
                f"{file_name}:{eid}: which role the credentials are for"
            )
