"""Policy analysis (lint, what-can, who-can, diff) against the real OPA.

Expectations come from AWS documentation:
- the Cognito developer guide page the project starts from (the seed, "Identity and Access
  Management in Amazon Cognito User Pools"): its example policies, its managed policies
  ("AmazonCognitoPowerUser - Permissions for accessing and managing all aspects of your identity
  pools", "AmazonCognitoReadOnly - Permissions for read only access"), and "Signed versus
  Unsigned APIs" (unsigned APIs "cannot be restricted via an IAM policy");
- the IAM Service Authorization Reference (access levels and resource types of each action;
  an action without a resource type takes Resource "*");
- the IAM User Guide: "IAM JSON policy elements: Version" (without 2012-10-17, a variable such as
  ${aws:username} is treated as a literal string), "IAM JSON policy elements: NotAction",
  "Policy evaluation logic", and "IAM policy validation check reference" (Invalid action);
- the documented examples in bundles/examples (each with its source), which what-can must agree
  with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pycognito_opa import Engine, OpaProcess
from pycognito_opa._estate import load_estate
from pycognito_opa.analysis import (
    AnalysisInputError,
    NamedPolicy,
    PolicySet,
    analysis_engine,
    diff,
    lint,
    load_policy_file,
    load_policy_set,
    render_diff,
    render_lint,
    render_what_can,
    render_who_can,
    synthetic_policy_set,
    what_can,
    who_can,
)
from pycognito_opa.bundle import BundleInfo, build_bundle
from pycognito_opa.cli import main
from pycognito_opa.errors import InputFileError
from pycognito_opa.examples import load_examples

POOL_ID = "us-east-1:1a1a1a1a-ffff-1111-9999-12345678"
IDENTITY_POOL = f"arn:aws:cognito-identity:us-east-1:0123456789:identitypool/{POOL_ID}"
SYNC_POOL = f"arn:aws:cognito-sync:us-east-1:0123456789:identitypool/{POOL_ID}"
DATASETS = f"{SYNC_POOL}/identity/*/dataset/UserProfile"
USER_POOL = "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_EXAMPLE"

# The seed's two example policies, verbatim.
CONSOLE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["cognito-identity:ListIdentityPools"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["cognito-identity:*"], "Resource": IDENTITY_POOL},
        {"Effect": "Allow", "Action": ["cognito-sync:*"], "Resource": SYNC_POOL},
    ],
}
DATASET = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["cognito-sync:ListRecords", "cognito-sync:UpdateRecords"],
            "Resource": DATASETS,
        }
    ],
}
WRITE_LEVELS = {"Write", "Permissions management", "Tagging"}


def _set(**documents: Any) -> PolicySet:
    return PolicySet(tuple(NamedPolicy(name, doc) for name, doc in documents.items()))


def _row(report: Any, action: str, resource_type: str | None = None) -> Any:
    rows = [
        r for r in report.rows if r.action == action and resource_type in (None, r.resource_type)
    ]
    assert len(rows) == 1, (action, resource_type, rows)
    return rows[0]


@pytest.fixture(scope="module")
def big_engine(running_opa: OpaProcess) -> Iterator[Engine]:
    """A running OPA with the analyses' limits (large inputs, long queries)."""
    with analysis_engine(url=running_opa.url) as eng:
        yield eng


# Loading policy files ------------------------------------------------------------------------


def test_policy_files_json_yaml_folders_and_managed_names(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(DATASET))
    # YAML reads an unquoted 2012-10-17 as a date; IAM needs the text.
    (tmp_path / "b.yaml").write_text(
        "Version: 2012-10-17\nStatement:\n  Effect: Allow\n  Action: cognito-idp:ListUsers\n"
        "  Resource: '*'\n"
    )
    (tmp_path / "principals.yaml").write_text("arn:aws:iam::111122223333:role/R: {}\n")
    assert load_policy_file(tmp_path / "b.yaml").document["Version"] == "2012-10-17"
    loaded = load_policy_set([tmp_path, "AmazonCognitoReadOnly"])
    assert [p.name for p in loaded.policies] == [str(tmp_path / "a.json"), str(tmp_path / "b.yaml")]
    assert loaded.managed_policies == ("AmazonCognitoReadOnly",)
    assert loaded.statements == 2
    assert load_policy_set(["arn:aws:iam::aws:policy/AmazonCognitoPowerUser"]).managed_policies


@pytest.mark.parametrize(
    ("content", "suffix", "reason"),
    [
        ('{"Statement": [', ".json", "not JSON"),
        ("Statement: [", ".yaml", "not YAML"),
        (b"\xff\xfe", ".json", "not UTF-8"),
    ],
)
def test_unreadable_policy_files(tmp_path: Path, content: Any, suffix: str, reason: str) -> None:
    path = tmp_path / f"p{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(InputFileError, match=reason):
        load_policy_file(path)


def test_missing_sources(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such policy file"):
        load_policy_set([tmp_path / "missing.json"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="holds no"):
        load_policy_set([tmp_path / "empty"])
    with pytest.raises(InputFileError, match="cannot read"):
        load_policy_file(tmp_path / "missing.json")


# lint ----------------------------------------------------------------------------------------


def test_lint_documented_policies_are_clean(engine: Engine) -> None:
    """The seed's example policies and AmazonCognitoReadOnly, as AWS documents them."""
    report = lint(
        engine,
        PolicySet(
            (NamedPolicy("console.json", CONSOLE), NamedPolicy("dataset.json", DATASET)),
            ("AmazonCognitoReadOnly",),
        ),
    )
    assert report.findings == ()
    assert (report.documents, report.statements) == (3, 5)


def test_lint_each_rule(engine: Engine) -> None:
    statements = [
        {"Sid": "Typo", "Effect": "Allow", "Action": "cognito-idp:AdminCreatUser", "Resource": "*"},
        {"Effect": "Allow", "Action": "cognito-idp:Nothing*", "Resource": "*"},
        # Seed, "Signed versus Unsigned APIs": InitiateAuth cannot be restricted by IAM.
        {"Effect": "Deny", "Action": "cognito-idp:InitiateAuth", "Resource": "*"},
        {"Effect": "Deny", "Action": "cognito-idp:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["cognito-idp:SignUp", "cognito-idp:ListUsers"],
            "Resource": "*",
        },
        # ListRecords takes dataset ARNs (Service Authorization Reference; seed "ARNs").
        {"Effect": "Allow", "Action": "cognito-sync:ListRecords", "Resource": SYNC_POOL},
        {"Effect": "Allow", "Action": "cognito-sync:ListRecords", "Resource": IDENTITY_POOL},
        {"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": "arn:aws:cognito-idp:x"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "cognito-idp:AdminDeleteUser", "Resource": "*"},
    ]
    old_version = {
        "Version": "2008-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "cognito-sync:*",
            "Resource": f"{SYNC_POOL}/identity/${{cognito-identity.amazonaws.com:sub}}/*",
        },
    }
    bad = {"Statement": {"Effect": "Maybe", "Action": "cognito-idp:ListUsers", "Resource": "*"}}
    report = lint(
        engine,
        _set(
            **{"p.json": {"Version": "2012-10-17", "Statement": statements}},
            **{
                "old.json": old_version,
                "bad.json": bad,
            },
        ),
    )
    found = {(f.policy, f.statement, f.rule, f.severity) for f in report.findings}
    assert found == {
        ("p.json", "Typo", "unknown-action", "error"),
        ("p.json", 1, "wildcard-matches-nothing", "error"),
        ("p.json", 2, "ungoverned-only", "warning"),
        ("p.json", 3, "ungoverned-in-deny", "warning"),
        ("p.json", 4, "ungoverned-in-allow", "info"),
        ("p.json", 5, "resource-type-unused", "error"),
        ("p.json", 6, "resource-wrong-service", "error"),
        ("p.json", 7, "resource-malformed", "error"),
        ("p.json", 8, "allow-not-action", "warning"),
        ("p.json", 9, "write-on-any-resource", "warning"),
        ("old.json", 0, "variables-not-substituted", "error"),
        ("bad.json", 0, "invalid-policy", "error"),
    }
    typo = next(f for f in report.findings if f.rule == "unknown-action")
    assert typo.hint == "did you mean cognito-idp:AdminCreateUser (1 edit)?"
    assert report.summary == {"error": 7, "warning": 4, "info": 1}
    assert len(report.at_or_above("warning")) == 11
    assert set(report.rules) >= {f.rule for f in report.findings}
    text = render_lint(report)
    assert 'p.json statement "Typo": error unknown-action' in text
    assert text.endswith("7 errors, 4 warnings, 1 info in 3 policies (12 statements)")


def test_lint_power_user_is_broad(engine: Engine) -> None:
    """AmazonCognitoPowerUser grants write-level actions on every resource, AdminSetUserPassword
    and AdminUpdateUserAttributes on every user pool among them: warnings, no error."""
    report = lint(engine, PolicySet(managed_policies=("AmazonCognitoPowerUser",)))
    assert [f.rule for f in report.findings] == [
        "escalation-user-takeover",
        "write-on-any-resource",
    ]
    assert report.at_or_above("error") == []


# what-can ------------------------------------------------------------------------------------


def test_read_only_grants_list_and_read_only(engine: Engine) -> None:
    """AmazonCognitoReadOnly: List and Read, nothing of Write, Tagging or Permissions management;
    its Get* patterns also name unsigned APIs (GetId, GetUser ...), which IAM does not govern."""
    report = what_can(engine, PolicySet(managed_policies=("AmazonCognitoReadOnly",)))
    granting = {r.access_level for r in report.rows if r.decision in ("allow", "partial")}
    assert granting == {"List", "Read"}
    assert not [r for r in report.rows if r.signed and r.allowed and r.access_level in WRITE_LEVELS]
    for action in ("cognito-identity:GetId", "cognito-idp:GetUser", "cognito-idp:GetDevice"):
        row = _row(report, action)
        assert (row.decision, row.signed) == ("not_governed_by_iam", False)
    assert _row(report, "cognito-idp:ListUsers").decision == "allow"
    assert _row(report, "cognito-idp:AdminCreateUser").decision == "implicit_deny"


def test_power_user_grants_everything(engine: Engine) -> None:
    report = what_can(engine, PolicySet(managed_policies=("AmazonCognitoPowerUser",)))
    assert {r.decision for r in report.rows if r.signed} == {"allow"}
    assert {r.service for r in report.rows} == {"cognito-identity", "cognito-idp", "cognito-sync"}
    allowed = report.summary["cognito-idp"]["Write"]["allow"]
    assert re.search(rf"(?m)^cognito-idp +Write +{allowed} +0 +0 +0 +0 ", render_what_can(report))


def test_seed_examples_grant_what_they_name(engine: Engine) -> None:
    report = what_can(engine, _set(**{"console.json": CONSOLE, "dataset.json": DATASET}))
    assert _row(report, "cognito-identity:ListIdentityPools").decision == "allow"
    delete = _row(report, "cognito-identity:DeleteIdentityPool")
    assert (delete.decision, delete.on) == ("partial", (IDENTITY_POOL,))
    assert delete.matched == ({"policy": "console.json", "statement": 1, "effect": "Allow"},)
    assert _row(report, "cognito-sync:SetCognitoEvents").on == (SYNC_POOL,)
    assert _row(report, "cognito-sync:ListRecords").on == (DATASETS,)
    granted = {r.action for r in report.rows if r.signed and r.decision != "implicit_deny"}
    assert all(a.startswith(("cognito-identity:", "cognito-sync:")) for a in granted)
    assert _row(report, "cognito-sync:ListDatasets").decision == "implicit_deny"

    on_pool = what_can(engine, _set(**{"console.json": CONSOLE}), resource=IDENTITY_POOL)
    assert {r.decision for r in on_pool.rows if r.signed} == {"allow"}


def test_what_can_agrees_with_the_documented_examples(engine: Engine) -> None:
    """Every documented example given as policies (inline or AWS managed), an action and a
    resource gets from what-can, on its resource, the decision its documentation implies."""
    checked = 0
    for example in load_examples():
        request = example.request
        if not set(request) <= {"action", "resource", "policies", "managed_policies"}:
            continue
        if example.expect == "invalid" or not request["action"].startswith("cognito-"):
            continue
        policies = PolicySet(
            tuple(NamedPolicy(f"p{i}", d) for i, d in enumerate(request.get("policies", []))),
            tuple(request.get("managed_policies", [])),
        )
        report = what_can(engine, policies, resource=request["resource"])
        rows = [r for r in report.rows if r.action.lower() == request["action"].lower()]
        if not rows:  # the resource is of a type the action does not use
            continue
        row = rows[0]
        if row.decision == "conditional":
            # Without the request's context keys IAM's answer is an implicit deny; what-can
            # says the Allow depends on the request, and names the statement.
            assert example.expect == "implicit_deny" and row.conditional, example.id
        else:
            assert row.decision == example.expect, (example.id, row)
        checked += 1
    assert checked >= 60


def test_what_can_on_a_resource_matches_the_decision_entry_point(
    engine: Engine, big_engine: Engine
) -> None:
    """Leaving out the statements that cannot apply changes no decision: what-can on a resource
    and cognito.authz.decisions over the whole set agree, on 300 generated statements (a set
    that one request can carry within AWS's limits on a principal's policies)."""
    policies = synthetic_policy_set(300, seed=7)
    docs = [p.document for p in policies.policies]
    resource = "arn:aws:cognito-idp:us-east-1:100000000003:userpool/us-east-1_P3"
    report = what_can(big_engine, policies, resource=resource)
    rows = [r for r in report.rows if r.signed]
    decisions = engine.decide_many(
        [{"action": r.action, "resource": resource, "policies": docs} for r in rows]
    )
    for row, decision in zip(rows, decisions, strict=True):
        expected = decision.decision
        if row.decision == "conditional":
            assert expected == "implicit_deny" and row.conditional
        else:
            assert row.decision == expected, row.action


def test_conditional_and_partial(engine: Engine) -> None:
    """The developer guide's per-identity access (${cognito-identity.amazonaws.com:sub}) depends
    on the caller; an Allow on every pool with a Deny on one is partial."""
    own = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "cognito-sync:ListRecords",
                "Resource": f"{SYNC_POOL}/identity/${{cognito-identity.amazonaws.com:sub}}/*",
            },
            {"Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": "*"},
            {"Effect": "Deny", "Action": "cognito-idp:AdminGetUser", "Resource": USER_POOL},
        ],
    }
    report = what_can(engine, _set(own=own))
    assert _row(report, "cognito-sync:ListRecords").decision == "conditional"
    get = _row(report, "cognito-idp:AdminGetUser")
    assert (get.decision, get.on, get.except_) == ("partial", ("*",), (USER_POOL,))
    assert "except " + USER_POOL in render_what_can(report)


def test_what_can_refuses_bad_input(engine: Engine) -> None:
    bad = {"Statement": {"Effect": "Maybe", "Action": "cognito-idp:ListUsers", "Resource": "*"}}
    with pytest.raises(AnalysisInputError, match=r"bad\.json: Statement\.Effect") as caught:
        what_can(engine, _set(**{"bad.json": bad}))
    assert caught.value.errors[0]["code"] == "invalid_effect"
    with pytest.raises(AnalysisInputError, match="wildcards"):
        what_can(engine, PolicySet(), resource="arn:aws:cognito-idp:*:*:userpool/*")
    with pytest.raises(AnalysisInputError, match="no policies for principal"):
        what_can(engine, PolicySet(), principal="arn:aws:iam::111122223333:role/Nobody")


# who-can and stored principals -----------------------------------------------------------------


@pytest.fixture(scope="module")
def estate_bundle(tmp_path_factory: pytest.TempPathFactory, bundle: BundleInfo) -> BundleInfo:
    """A bundle storing three principals of account 111122223333 and one of 444455556666."""
    folder = tmp_path_factory.mktemp("estate")
    admin = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PoolAdmin",
                "Effect": "Allow",
                "Action": "cognito-idp:Admin*",
                "Resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/*",
            }
        ],
    }
    (folder / "pool-admin.json").write_text(json.dumps(admin))
    (folder / "loose.json").write_text(
        json.dumps({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}})
    )
    (folder / "principals.yaml").write_text(
        "arn:aws:iam::111122223333:role/Admins:\n"
        "  policies: [pool-admin]\n  managed_policies: [AmazonCognitoReadOnly]\n"
        "arn:aws:iam::111122223333:role/Auditors:\n  managed_policies: [AmazonCognitoReadOnly]\n"
        "arn:aws:iam::111122223333:role/Loose:\n  policies: [loose]\n"
        "arn:aws:iam::444455556666:role/Elsewhere:\n  managed_policies: [AmazonCognitoPowerUser]\n"
    )
    estate = load_estate(folder)
    return build_bundle(folder.parent / "estate.tar.gz", estate=estate)


@pytest.fixture(scope="module")
def estate_engine(estate_bundle: BundleInfo) -> Iterator[Engine]:
    with analysis_engine(bundle=estate_bundle.path) as eng:
        yield eng


def test_who_can_delete_a_user(estate_engine: Engine) -> None:
    """Policy evaluation logic: an Allow grants; Cognito has no resource-based policies, so the
    other account's power user gets nothing on this account's pool."""
    report = who_can(estate_engine, "cognito-idp:AdminDeleteUser", USER_POOL)
    assert [p.principal for p in report.allowed] == [
        "arn:aws:iam::111122223333:role/Admins",
        "arn:aws:iam::111122223333:role/Loose",
    ]
    admins = report.allowed[0]
    assert admins.statements == (
        {"policy": "principal:pool-admin", "statement": "PoolAdmin", "effect": "Allow"},
    )
    elsewhere = next(p for p in report.principals if "444455556666" in p.principal)
    assert elsewhere.decision == "implicit_deny"
    text = render_who_can(report)
    assert text.startswith(f"cognito-idp:AdminDeleteUser on {USER_POOL}: 2 of 4")
    assert 'principal:pool-admin statement "PoolAdmin"' in text


def test_who_can_call_an_unsigned_api(estate_engine: Engine) -> None:
    report = who_can(estate_engine, "cognito-idp:SignUp", "*")
    assert not report.signed
    assert len(report.allowed) == 4
    assert "any caller may call it" in render_who_can(report)


def test_who_can_needs_principals(engine: Engine) -> None:
    with pytest.raises(AnalysisInputError, match="stores no principals"):
        who_can(engine, "cognito-idp:ListUsers", USER_POOL)


def test_what_can_and_lint_for_stored_principals(estate_engine: Engine) -> None:
    report = what_can(estate_engine, PolicySet(), principal="arn:aws:iam::111122223333:role/Admins")
    delete = _row(report, "cognito-idp:AdminDeleteUser")
    # Its pool-admin policy names the us-east-1 user pools of its account: some, not all.
    assert (delete.decision, delete.on) == (
        "partial",
        ("arn:aws:cognito-idp:us-east-1:111122223333:userpool/*",),
    )
    assert "111122223333" in delete.resource
    assert _row(report, "cognito-idp:ListUsers").decision == "allow"
    findings = lint(estate_engine, PolicySet(), stored=True)
    # Everything but IAM includes cognito-idp:UpdateUserPool with lambda:* and the Admin* actions
    # on every user pool; pool-admin's Admin* on every us-east-1 pool of the account as well.
    assert [(f.policy, f.rule) for f in findings.findings] == [
        ("loose", "allow-not-action"),
        ("loose", "escalation-lambda-trigger"),
        ("loose", "escalation-user-takeover"),
        ("pool-admin", "escalation-user-takeover"),
    ]


# diff ----------------------------------------------------------------------------------------


def test_diff_read_only_to_power_user_widens(engine: Engine) -> None:
    report = diff(
        engine,
        PolicySet(managed_policies=("AmazonCognitoReadOnly",)),
        PolicySet(managed_policies=("AmazonCognitoPowerUser",)),
    )
    assert report.widened
    assert report.summary["narrowed"] == 0
    create = next(r for r in report.rows if r.new.action == "cognito-idp:AdminCreateUser")
    assert (create.old.decision, create.new.decision, create.gained) == (
        "implicit_deny",
        "allow",
        ("*",),
    )
    assert "every resource of the type" in render_diff(report)


def test_diff_adding_a_deny_narrows(engine: Engine) -> None:
    with_deny = json.loads(json.dumps(CONSOLE))
    with_deny["Statement"].append(
        {"Effect": "Deny", "Action": "cognito-identity:DeleteIdentityPool", "Resource": "*"}
    )
    report = diff(engine, _set(policy=CONSOLE), _set(policy=with_deny))
    assert [(r.new.action, r.change, r.lost) for r in report.rows] == [
        ("cognito-identity:DeleteIdentityPool", "narrowed", (IDENTITY_POOL,))
    ]
    assert not report.widened
    same = diff(engine, _set(a=CONSOLE), _set(b=CONSOLE))
    assert same.rows == ()


# command line --------------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _error(err: str) -> dict[str, str]:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return json.loads(lines[0])["error"]


def test_cli_lint_exit_codes(
    tmp_path: Path, running_opa: OpaProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    deny = tmp_path / "deny.yaml"
    deny.write_text(
        "Version: 2012-10-17\nStatement:\n  Effect: Deny\n  Action: cognito-idp:InitiateAuth\n"
        "  Resource: '*'\n"
    )
    url = ("--opa-url", running_opa.url)
    code, out, _ = _run(capsys, "lint", str(deny), *url)
    assert code == 0 and "warning ungoverned-only" in out
    code, out, _ = _run(capsys, "lint", str(deny), "--fail-on", "warning", "--json", *url)
    assert code == 1
    assert json.loads(out)["findings"][0]["rule"] == "ungoverned-only"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(CONSOLE))
    assert _run(capsys, "lint", str(good), "--fail-on", "warning", *url)[0] == 0
    # The severities and their ranking are the Rego rule table's (cognito.analysis.lint.config).
    assert _run(capsys, "lint", str(deny), "--fail-on", "error", *url)[0] == 0
    code, _, err = _run(capsys, "lint", str(deny), "--fail-on", "fatal", *url)
    assert code == 2 and _error(err)["code"] == "usage"


def test_cli_what_can_who_can_and_diff(
    tmp_path: Path,
    running_opa: OpaProcess,
    estate_bundle: BundleInfo,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = ("--opa-url", running_opa.url)
    console = tmp_path / "console.json"
    console.write_text(json.dumps(CONSOLE))
    code, out, _ = _run(capsys, "what-can", "--policy", str(console), "--json", *url)
    assert code == 0
    rows = json.loads(out)["rows"]
    assert {r["decision"] for r in rows if r["action"] == "cognito-identity:ListIdentityPools"} == {
        "allow"
    }
    code, out, _ = _run(capsys, "what-can", "--policy", "AmazonCognitoReadOnly", *url)
    assert code == 0 and out.startswith("What the policy set may do, per resource type:")

    code, out, _ = _run(
        capsys,
        "who-can",
        "cognito-idp:AdminDeleteUser",
        USER_POOL,
        "--bundle",
        str(estate_bundle.path),
    )
    assert code == 0 and "role/Admins" in out

    code, out, _ = _run(
        capsys, "diff", "AmazonCognitoReadOnly", "AmazonCognitoPowerUser", "--fail-on-widen", *url
    )
    assert code == 1 and "widened" in out
    code, out, _ = _run(
        capsys, "diff", str(console), str(console), "--fail-on-widen", "--json", *url
    )
    assert code == 0 and json.loads(out)["rows"] == []


def test_cli_bad_input_and_missing_opa(
    tmp_path: Path, running_opa: OpaProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ("--opa-url", running_opa.url)
    broken = tmp_path / "broken.json"
    broken.write_text('{"Statement": [')
    code, _, err = _run(capsys, "lint", str(broken), *url)
    assert code == 2 and _error(err)["code"] == "invalid_input"
    invalid = tmp_path / "invalid.json"
    invalid.write_text(
        json.dumps({"Statement": {"Effect": "Maybe", "Action": "x:y", "Resource": "*"}})
    )
    code, _, err = _run(capsys, "what-can", "--policy", str(invalid), *url)
    assert code == 2 and "Effect" in _error(err)["message"]
    code, _, err = _run(capsys, "what-can", *url)
    assert code == 2 and _error(err)["code"] == "usage"
    code, _, err = _run(capsys, "who-can", "cognito-idp:ListUsers", USER_POOL)
    assert code == 2 and _error(err)["code"] == "usage"
    code, _, err = _run(
        capsys, "who-can", "cognito-idp:ListUsers", USER_POOL, "--bundle", "nope.tar.gz"
    )
    assert code == 2 and "bundle not found" in _error(err)["message"]
    code, _, err = _run(capsys, "lint", *url)
    assert code == 2 and _error(err)["code"] == "usage"
    # Nothing listens on port 1 of the loopback interface: OPA is unreachable.
    code, _, err = _run(capsys, "lint", str(invalid), "--opa-url", "http://127.0.0.1:1")
    assert code == 3 and _error(err)["code"] == "opa_query_failed"


def test_analyses_of_a_large_policy_set(big_engine: Engine) -> None:
    """2,000 generated statements through every analysis, each in one query (the 10,000
    statement timings are in the report of the work, not asserted here)."""
    policies = synthetic_policy_set(2000, seed=1)
    assert policies.statements == 2000
    report = lint(big_engine, policies)
    assert {f.rule for f in report.findings} >= {"unknown-action", "ungoverned-only"}
    assert what_can(big_engine, policies).rows
    changed = PolicySet(policies.policies[1:])
    assert diff(big_engine, policies, changed).rows
