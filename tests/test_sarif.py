"""`pycognito-opa lint --format sarif|github|json` against the real OPA.

The SARIF output is validated against the official SARIF 2.1.0 JSON schema (OASIS, Errata 01),
vendored in tests/sarif/ with its source (tests/sarif/SOURCE.md). GitHub annotations follow the
workflow command syntax of GitHub Actions ("Workflow commands for GitHub Actions": `::error
file={name},line={line},col={col},title={title}::{message}`, `::warning`, `::notice`; the
toolkit's escaping of %, CR and LF in messages, and of : and , in properties).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pycognito_opa import OpaProcess
from pycognito_opa._lint_formats import locate_statement, render_github, render_sarif
from pycognito_opa.analysis import Finding, LintReport
from pycognito_opa.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("tests") / "lint_corpus"
SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json").read_text())


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of the file that holds text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


@pytest.fixture(scope="module")
def sarif_log(running_opa: OpaProcess) -> dict[str, Any]:
    """The corpus' mistakes and clean policies and an AWS managed policy, linted from the
    repository root (as CI runs it)."""
    out = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out):
        code = main(
            [
                "lint",
                str(CORPUS / "mistakes"),
                str(CORPUS / "clean"),
                "AmazonCognitoPowerUser",
                "--format",
                "sarif",
                "--opa-url",
                running_opa.url,
            ]
        )
    assert code == 1  # errors among the mistakes
    log: dict[str, Any] = json.loads(out.getvalue())
    return log


def test_sarif_validates_against_the_schema(sarif_log: dict[str, Any]) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif_log)
    assert sarif_log["version"] == "2.1.0"


def test_sarif_rule_metadata(sarif_log: dict[str, Any]) -> None:
    driver = sarif_log["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert driver["name"] == "pycognito-opa"
    assert {"condition-key-unsupported", "escalation-lambda-trigger", "passrole-any"} <= set(rules)
    assert rules["condition-key-unsupported"]["defaultConfiguration"]["level"] == "error"
    assert rules["passrole-any"]["defaultConfiguration"]["level"] == "warning"
    assert rules["ungoverned-in-allow"]["defaultConfiguration"]["level"] == "note"
    assert all(r["helpUri"].startswith("https://docs.aws.amazon.com/") for r in rules.values())
    results = sarif_log["runs"][0]["results"]
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_sarif_locates_file_and_statement_line(sarif_log: dict[str, Any]) -> None:
    results = sarif_log["runs"][0]["results"]
    trigger = next(r for r in results if r["ruleId"] == "escalation-lambda-trigger")
    assert trigger["level"] == "error"
    physical = trigger["locations"][0]["physicalLocation"]
    path = "tests/lint_corpus/mistakes/escalation-lambda-trigger.yaml"
    assert physical["artifactLocation"] == {"uri": path, "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == _line_of(ROOT / path, "Sid: PoolConfig")
    logical = trigger["locations"][0]["logicalLocations"]
    assert logical[1] == {
        "name": "PoolConfig",
        "fullyQualifiedName": f"{path}#Statement[0]",
        "kind": "object",
    }
    # JSON files: the line of the statement's opening brace.
    passrole = next(r for r in results if r["ruleId"] == "passrole-any" and "SmsRole" in str(r))
    json_path = ROOT / "tests/lint_corpus/mistakes/passrole-any.json"
    brace = _line_of(json_path, '"Sid": "SmsRoleForMfa"') - 1
    assert passrole["locations"][0]["physicalLocation"]["region"]["startLine"] == brace
    root_uri = sarif_log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root_uri == ROOT.as_uri() + "/"


def test_sarif_managed_policy_has_a_logical_location(sarif_log: dict[str, Any]) -> None:
    results = sarif_log["runs"][0]["results"]
    managed = [r for r in results if r["properties"]["policy"] == "AmazonCognitoPowerUser"]
    assert {r["ruleId"] for r in managed} == {"write-on-any-resource", "escalation-user-takeover"}
    for r in managed:
        assert "physicalLocation" not in r["locations"][0]
        assert r["locations"][0]["logicalLocations"][0]["name"] == "AmazonCognitoPowerUser"


def test_sarif_of_a_clean_run(running_opa: OpaProcess, capsys: pytest.CaptureFixture[str]) -> None:
    url = ("--opa-url", running_opa.url)
    code, out, _ = _run(capsys, "lint", str(ROOT / CORPUS / "clean"), "--format", "sarif", *url)
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert code == 0 and log["runs"][0]["results"] == []


def test_github_annotations(
    running_opa: OpaProcess, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    policy = ROOT / CORPUS / "mistakes" / "condition-key-typo.yaml"
    code, out, _ = _run(
        capsys, "lint", str(policy), "--format", "github", "--opa-url", running_opa.url
    )
    lines = out.splitlines()
    line = _line_of(policy, "Sid: OfficeOnly")
    file = policy.relative_to(Path.cwd().resolve()).as_posix()
    assert code == 1
    assert lines[0].startswith(
        f"::error file={file},line={line},col=5,title=condition-key-unsupported (error)::"
    )
    assert lines[0].endswith("Hint: did you mean aws:SourceIp?")
    assert lines[-1] == "pycognito-opa lint: 1 error, 0 warnings, 0 info in 1 policy document"


def test_github_escaping() -> None:
    finding = Finding(
        rule="r",
        severity="info",
        policy="p,1:2.json",
        statement=0,
        message="50% done\nnext line",
        hint="h",
        position=None,
    )
    report = LintReport((finding,), {"info": 1}, 1, 1, {}, {"error": 3, "warning": 2, "info": 1})
    text = render_github(report, {"p,1:2.json": Path("p,1:2.json")}, root=Path("/nowhere"))
    first = text.splitlines()[0]
    assert first.startswith("::notice file=p%2C1%3A2.json,title=r (info)::")
    assert first.endswith("p,1:2.json statement 0: 50%25 done%0Anext line. Hint: h")


def test_json_format_is_the_json_flag(
    running_opa: OpaProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = str(ROOT / CORPUS / "mistakes" / "deny-unsigned.json")
    url = ("--opa-url", running_opa.url)
    _, by_flag, _ = _run(capsys, "lint", policy, "--json", *url)
    _, by_format, _ = _run(capsys, "lint", policy, "--format", "json", *url)
    assert json.loads(by_flag) == json.loads(by_format)
    assert json.loads(by_flag)["findings"][0]["position"] == 0
    code, _, err = _run(capsys, "lint", policy, "--json", "--format", "sarif", *url)
    assert code == 2 and json.loads(err)["error"]["code"] == "usage"
    code, _, err = _run(capsys, "lint", policy, "--format", "xml", *url)
    assert code == 2 and json.loads(err.strip().splitlines()[-1])["error"]["code"] == "usage"


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ('{"Statement": [{"Effect": "Allow"},\n  {"Effect": "Deny"}]}', 1, (2, 3)),
        ("Statement:\n  Effect: Allow\n", 0, (2, 3)),
        ("Version: '2012-10-17'\nStatement:\n- Effect: Allow\n- Effect: Deny\n", 1, (4, 3)),
        ("Statement: []\n", 0, None),
        ("Statement: [\n", 0, None),
        ("[1, 2]", 0, None),
        ('{"Statement": {"Effect": "Allow"}}', None, (1, 1)),
    ],
)
def test_locate_statement(
    text: str, position: int | None, expected: tuple[int, int] | None
) -> None:
    found = locate_statement(text, position)
    assert (None if found is None else (found.line, found.column)) == expected


def test_sarif_without_files_and_with_files_outside_the_root(tmp_path: Path) -> None:
    finding = Finding("r", "warning", "/elsewhere/p.json", None, "m", "h")
    report = LintReport((finding,), {"warning": 1}, 1, 0, {"r": {"severity": "warning"}}, {})
    log = render_sarif(
        report, {"/elsewhere/p.json": Path("/elsewhere/p.json")}, tool_version="0", root=tmp_path
    )
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    location = log["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "file:///elsewhere/p.json"}
    assert "region" not in location["physicalLocation"]
