"""`bundle build` checks stored policies and principals with the Rego that checks inline ones.

Stored policies used to be checked by a partial Python copy of `cognito.validation`: a statement
with a misspelt `"Condtion"` was built into the bundle (and a request for its principal was then
allowed without the condition), while the same policy sent inline was `invalid`. Now the build
runs `data.cognito.store.build` over the files, which asks `cognito.validation` itself.

The sweep: for every error code `cognito.validation` can report (read from its Rego source and
the packages it reports for), a policy exhibiting it is `invalid` when sent inline through
`Engine.decide` and refused by `build_bundle` with the same errors, code and field, in the file.
The expected codes and fields come from the inline path (a differential test); why each case
is an error is IAM's: IAM User Guide, "IAM JSON policy element reference" and "IAM JSON policy
grammar" (elements, types, required elements), "IAM JSON policy elements: Condition operators"
(operators, set operators, IfExists and Null), "IAM policy elements: Variables and tags" (policy
variables), "IAM and AWS STS quotas" (a role's inline policy: 10,240 characters); and IAM
Access Analyzer's policy check reference (duplicate Sids, condition keys differing in case,
malformed variables).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fleet_helpers import cli, one_json_error

from pycognito_opa import Engine
from pycognito_opa import _paths as paths
from pycognito_opa._estate import load_estate
from pycognito_opa.bundle import build_bundle
from pycognito_opa.errors import StoredPolicyError

ROLE = "arn:aws:iam::111122223333:role/Admins"
POOL = "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"
ALLOW = {"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": POOL}


def _policy(*statements: Any, **elements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", **elements, "Statement": list(statements)}


def _condition(block: Any) -> dict[str, Any]:
    return _policy({**ALLOW, "Condition": block})


# One policy per code; a case may exhibit other codes too (all are compared).
CASES: dict[str, tuple[str, Any]] = {
    "not-an-object": ("invalid_type", ["Statement"]),
    "statement-not-a-list": ("invalid_type", {"Version": "2012-10-17", "Statement": "Allow"}),
    "misspelt-policy-element": ("unknown_element", {"Version": "2012-10-17", "Statment": [ALLOW]}),
    "misspelt-condition": (
        "unknown_element",
        _policy(
            {"Sid": "Read", **ALLOW},
            {
                "Sid": "DeleteAsAdmin",
                "Effect": "Allow",
                "Action": "cognito-idp:AdminDeleteUser",
                "Resource": POOL,
                "Condtion": {"StringEquals": {"aws:PrincipalTag/team": "admins"}},
            },
        ),
    ),
    "version": ("invalid_version", {"Version": "2012-10-18", "Statement": [ALLOW]}),
    "no-statement": ("missing_statement", {"Version": "2012-10-17"}),
    "duplicate-sid": ("duplicate_sid", _policy({"Sid": "A", **ALLOW}, {"Sid": "A", **ALLOW})),
    "no-effect": ("missing_effect", _policy({"Action": "cognito-idp:ListUsers", "Resource": "*"})),
    "effect": ("invalid_effect", _policy({**ALLOW, "Effect": "allow"})),
    "action-and-notaction": ("conflicting_elements", _policy({**ALLOW, "NotAction": "iam:*"})),
    "no-action": ("missing_action", _policy({"Effect": "Allow", "Resource": "*"})),
    "no-resource": ("missing_resource", _policy({"Effect": "Allow", "Action": "cognito-idp:*"})),
    "principal": ("principal_not_allowed", _policy({**ALLOW, "Principal": "*"})),
    "action-without-service": ("invalid_action_pattern", _policy({**ALLOW, "Action": "ListUsers"})),
    "bad-arn": ("invalid_resource_pattern", _policy({**ALLOW, "Resource": "userpool/us-east-1_X"})),
    "sid-type": ("invalid_type", _policy({**ALLOW, "Sid": 7})),
    "condition-not-an-object": ("invalid_condition_block", _condition(["StringEquals"])),
    "unknown-operator": (
        "invalid_condition_operator",
        _condition({"StringLessThan": {"aws:username": "m"}}),
    ),
    "null-if-exists": (
        "null_with_if_exists",
        _condition({"NullIfExists": {"aws:TokenIssueTime": "true"}}),
    ),
    "set-operator": (
        "invalid_set_operator",
        _condition({"ForEachValue:StringEquals": {"aws:TagKeys": "team"}}),
    ),
    "keys-differing-in-case": (
        "duplicate_keys_with_different_case",
        _condition({"StringEquals": {"aws:username": "a", "AWS:UserName": "b"}}),
    ),
    "numeric-text": (
        "invalid_condition_data_type",
        _condition({"NumericLessThan": {"aws:MultiFactorAuthAge": "an hour"}}),
    ),
    "variable-in-numeric": (
        "invalid_variable_for_operator",
        _condition({"NumericLessThan": {"aws:MultiFactorAuthAge": "${aws:username}"}}),
    ),
    "two-booleans": (
        "invalid_condition_multiple_boolean",
        _condition({"Bool": {"aws:SecureTransport": ["true", "false"]}}),
    ),
    "variable-without-brace": (
        "missing_brace",
        _condition({"StringEquals": {"aws:username": "${aws:PrincipalTag/name"}}),
    ),
    "variable-default-unquoted": (
        "missing_quote",
        _condition({"StringEquals": {"aws:username": "${aws:PrincipalTag/name, nobody}"}}),
    ),
    "variable-with-space": (
        "unsupported_space",
        _condition({"StringEquals": {"aws:username": "${aws:Principal Tag}"}}),
    ),
    "empty-variable": ("empty_variable", _condition({"StringEquals": {"aws:username": "${ }"}})),
    "too-large": (
        "limit_exceeded",
        _policy(*({**ALLOW, "Sid": f"Statement{i:04d}"} for i in range(200))),
    ),
}
MANAGED_CASE = ("unknown_managed_policy", ["AmazonCognitoEverything"])

# Codes no identity-based policy document can exhibit, and why.
NOT_OF_A_DOCUMENT = {
    "invalid_request": "the request itself is not an object",
    "invalid_action": "the request's action",
    "invalid_resource": "the request's resource",
    "invalid_principal_type": "the request's principal_type",
    "invalid_principal": "Principal of a resource-based policy (identity policies have none)",
    "missing_principal": "Principal of a resource-based policy",
}
# Codes the Rego writes with sprintf: their template and every code it can make.
TEMPLATES = {
    "missing_%s": {"missing_action", "missing_resource", "missing_principal"},
    "invalid_%s_pattern": {"invalid_action_pattern", "invalid_resource_pattern"},
}
# The packages whose errors cognito.validation reports (validation imports them).
VALIDATION_PACKAGES = ("validation", "conditions", "variables", "limits")


def _validation_codes() -> set[str]:
    """Every error code in the Rego source of cognito.validation and the packages it reports."""
    codes: set[str] = set()
    for package in VALIDATION_PACKAGES:
        for path in sorted((paths.rego_dir() / "cognito" / package).glob("*.rego")):
            if path.name.endswith("_test.rego"):
                continue
            text = path.read_text(encoding="utf-8")
            codes |= set(re.findall(r'"code":\s*"([a-z_]+)"', text))
            if package == "validation":  # _err(code, field, message) there
                codes |= set(re.findall(r'_err\(\s*"([a-z_]+)"', text))
                for template in re.findall(r'sprintf\(\s*"([a-z_]*%s[a-z_]*)"', text):
                    assert template in TEMPLATES, f"a code template to expand: {template}"
                    codes |= TEMPLATES[template]
    return codes


def _pairs(errors: Any, strip: str = "") -> set[tuple[str, str]]:
    out = set()
    for e in errors:
        field = e["field"]
        if strip:
            field = field[len(strip) :].lstrip(".") if field.startswith(strip) else field
        out.add((e["code"], field))
    return out


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, str]]]:
    """One build of a folder holding every case: its errors, grouped by file."""
    folder = tmp_path_factory.mktemp("sweep") / "policies"
    folder.mkdir()
    for name, (_, document) in CASES.items():
        (folder / f"{name}.json").write_text(json.dumps(document))
    (folder / "fine.json").write_text(json.dumps(_policy(ALLOW)))
    principals = {ROLE: {"policies": ["fine"], "managed_policies": MANAGED_CASE[1]}}
    (folder / "principals.json").write_text(json.dumps(principals))
    out = folder.parent / "bundle.tar.gz"
    with pytest.raises(StoredPolicyError) as caught:
        build_bundle(out, estate=load_estate(folder))
    assert not out.exists()
    grouped: dict[str, set[tuple[str, str]]] = {}
    for e in caught.value.errors:
        assert set(e) == {"file", "field", "code", "message"}
        grouped.setdefault(Path(e["file"]).stem, set()).add((e["code"], e["field"]))
    return grouped


def test_the_sweep_covers_every_code_of_the_validation() -> None:
    codes = _validation_codes()
    assert "unknown_element" in codes
    assert "invalid_resource_pattern" in codes
    covered = {code for code, _ in CASES.values()} | {MANAGED_CASE[0]} | set(NOT_OF_A_DOCUMENT)
    assert codes - covered == set(), "add a case (or say why no policy can show it)"


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_stored_policy_is_refused_exactly_as_the_same_policy_inline(
    name: str, engine: Engine, refused: dict[str, set[tuple[str, str]]]
) -> None:
    code, document = CASES[name]
    decision = engine.decide(
        {"action": "cognito-idp:ListUsers", "resource": POOL, "policies": [document]}
    )
    assert decision.decision == "invalid"
    inline = _pairs(decision.raw["errors"], strip="policies[0]")
    assert code in {c for c, _ in inline}
    assert refused[name] == inline


def test_an_unknown_managed_policy_is_refused_exactly_as_inline(
    engine: Engine, refused: dict[str, set[tuple[str, str]]]
) -> None:
    code, managed = MANAGED_CASE
    decision = engine.decide(
        {"action": "cognito-idp:ListUsers", "resource": POOL, "managed_policies": managed}
    )
    assert decision.decision == "invalid"
    inline = _pairs(decision.raw["errors"])
    assert inline == {(code, "managed_policies[0]")}
    assert refused["principals"] == {(code, f'principals["{ROLE}"].managed_policies[0]')}


def test_valid_files_are_not_refused(refused: dict[str, set[tuple[str, str]]]) -> None:
    assert "fine" not in refused


def test_the_cli_names_the_file_the_field_and_the_code(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    _, document = CASES["misspelt-condition"]
    (folder / "admins.json").write_text(json.dumps(document))
    (folder / "principals.yaml").write_text(f"{ROLE}:\n  policies: [admins]\n")
    out = tmp_path / "out" / "bundle.tar.gz"
    proc = cli("bundle", "build", "--policies", str(folder), "--out", str(out))
    assert proc.returncode == 2
    error = one_json_error(proc.stderr)
    assert error["code"] == "invalid_input"
    message = error["message"]
    assert str(folder / "admins.json") in message
    assert (
        'Statement[1].Condtion: unknown statement element "Condtion" (unknown_element)' in message
    )
    assert not out.exists()


def test_a_store_given_whole_is_checked_by_the_same_rules(tmp_path: Path) -> None:
    _, document = CASES["misspelt-condition"]
    store = {"principals": {ROLE: {"policies": {"admins": document}, "managed_policies": []}}}
    with pytest.raises(StoredPolicyError) as caught:
        build_bundle(tmp_path / "b.tar.gz", extra_data={"cognito/store": store})
    assert _pairs(caught.value.errors) == {
        ("unknown_element", f'principals["{ROLE}"].policies["admins"].Statement[1].Condtion')
    }
    assert caught.value.errors[0]["file"] == "extra_data['cognito/store']"


@pytest.mark.parametrize(
    ("principals", "code", "field"),
    [
        ({"not-an-arn": {}}, "invalid_principal", 'principals["not-an-arn"]'),
        ({"arn:aws:iam::111122223333:group/Admins": {}}, "invalid_principal", None),
        ({"arn:aws:s3:::bucket": {}}, "invalid_principal", None),
        ({"arn:aws:iam::111122223333:root": {}}, "invalid_principal", None),
        ({ROLE: {"polices": ["fine"]}}, "unknown_key", f'principals["{ROLE}"].polices'),
        ({ROLE: {"policies": ["gone"]}}, "unknown_policy", f'principals["{ROLE}"].policies[0]'),
        ({ROLE: {"policies": [1]}}, "invalid_type", f'principals["{ROLE}"].policies'),
        ({ROLE: {"permissions_boundary": "gone"}}, "unknown_policy", None),
        ({ROLE: {"permissions_boundary": ["fine"]}}, "invalid_type", None),
        ({ROLE: "fine"}, "invalid_type", f'principals["{ROLE}"]'),
    ],
)
def test_principals_file_errors_come_from_the_rego(
    tmp_path: Path, principals: dict[str, Any], code: str, field: str | None
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "fine.json").write_text(json.dumps(_policy(ALLOW)))
    (folder / "principals.json").write_text(json.dumps(principals))
    with pytest.raises(StoredPolicyError) as caught:
        build_bundle(tmp_path / "b.tar.gz", estate=load_estate(folder))
    assert {e["code"] for e in caught.value.errors} == {code}
    assert {e["file"] for e in caught.value.errors} == {str(folder / "principals.json")}
    if field is not None:
        assert {e["field"] for e in caught.value.errors} == {field}


@pytest.mark.parametrize(
    "principal",
    [
        ROLE,
        "arn:aws:iam::111122223333:role/service-role/path/Worker",
        "arn:aws:iam::111122223333:user/division/Alice",
        "arn:aws:sts::111122223333:assumed-role/Admins/session",
        "arn:aws:sts::111122223333:federated-user/Bob",
        "arn:aws-cn:iam::111122223333:role/Admins",
        "arn:aws-us-gov:iam::111122223333:user/Alice",
    ],
)
def test_principals_named_by_iam_and_sts_arns_are_stored(tmp_path: Path, principal: str) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "fine.json").write_text(json.dumps(_policy(ALLOW)))
    (folder / "principals.json").write_text(json.dumps({principal: {"policies": "fine"}}))
    build_bundle(tmp_path / "b.tar.gz", estate=load_estate(folder))


def test_a_china_partition_managed_policy_is_accepted_as_inline(
    engine: Engine, tmp_path: Path
) -> None:
    """arn:aws-cn:iam::aws:policy/NAME names an AWS managed policy (cognito.managed.name): the
    inline path accepts it, so the build does too (the Python check refused it)."""
    ref = "arn:aws-cn:iam::aws:policy/AmazonCognitoReadOnly"
    inline = engine.decide(
        {
            "action": "cognito-idp:ListUsers",
            "resource": POOL,
            "principal": ROLE,
            "managed_policies": [ref],
        }
    )
    assert inline.decision != "invalid"
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "principals.yaml").write_text(f"{ROLE}:\n  managed_policies: [{ref}]\n")
    info = build_bundle(tmp_path / "b.tar.gz", estate=load_estate(folder))
    with Engine(bundle=info.path) as stored:
        decision = stored.decide(
            {"action": "cognito-idp:ListUsers", "resource": POOL, "principal": ROLE}
        )
    assert decision.decision == inline.decision
    assert decision.allowed == inline.allowed


def test_the_misspelt_condition_no_longer_allows_through_the_store(tmp_path: Path) -> None:
    """The issue's case: the stored policy never reaches a bundle, so no request is allowed by
    it; corrected, its Condition applies (a request without the tag is denied)."""
    _, document = CASES["misspelt-condition"]
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "admins.json").write_text(json.dumps(document))
    (folder / "principals.yaml").write_text(f"{ROLE}:\n  policies: [admins]\n")
    with pytest.raises(StoredPolicyError):
        build_bundle(tmp_path / "b.tar.gz", estate=load_estate(folder))
    fixed = json.loads(json.dumps(document).replace("Condtion", "Condition"))
    (folder / "admins.json").write_text(json.dumps(fixed))
    info = build_bundle(tmp_path / "b.tar.gz", estate=load_estate(folder))
    request = {"action": "cognito-idp:AdminDeleteUser", "resource": POOL, "principal": ROLE}
    with Engine(bundle=info.path) as stored:
        assert stored.decide(request).decision == "implicit_deny"
        tagged = {**request, "context": {"aws:PrincipalTag/team": "admins"}}
        assert stored.decide(tagged).decision == "allow"


def _timed_build(folder: Path, out: Path) -> float:
    start = time.monotonic()
    build_bundle(out, estate=load_estate(folder))
    return time.monotonic() - start


def test_a_pattern_of_many_stars_builds_in_linear_time(tmp_path: Path) -> None:
    """`cognito-idp:****************z` made the Python index's regular expression backtrack for
    minutes over every catalogued action; the Rego index matches with OPA's (linear) regular
    expressions, so the build takes as long as any other."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "cognito-idp:****************z", "Resource": "*"}
        ],
    }
    text = json.dumps(document) + "\n"
    assert len(text.encode()) == 122  # the file
    stars, plain = tmp_path / "stars", tmp_path / "plain"
    for folder, body in ((stars, text), (plain, json.dumps(_policy(ALLOW)))):
        folder.mkdir()
        (folder / "p.json").write_text(body)
        (folder / "principals.yaml").write_text(f"{ROLE}:\n  policies: [p]\n")
    baseline = _timed_build(plain, tmp_path / "plain.tar.gz")
    elapsed = _timed_build(stars, tmp_path / "stars.tar.gz")
    assert elapsed < baseline + 5, (elapsed, baseline)
