"""The lint rules on a corpus of realistic Cognito policies, against the real OPA.

tests/lint_corpus/expected.yaml says, with its sources (AWS documentation and public research),
which rules each policy with a mistake must be reported under at warning or error; the clean
policies must have no finding at warning or error. Expectations never come from the tool's output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pycognito_opa import Engine
from pycognito_opa.analysis import LintReport, PolicySet, lint, load_policy_set

CORPUS = Path(__file__).parent / "lint_corpus"
EXPECTED: dict[str, Any] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
SERIOUS = "warning"


def _lint_folder(engine: Engine, folder: Path) -> LintReport:
    return lint(engine, load_policy_set([folder]))


def _serious(report: LintReport) -> dict[str, set[str]]:
    """Rules reported at warning or error, by policy file name."""
    found: dict[str, set[str]] = {}
    for f in report.at_or_above(SERIOUS):
        found.setdefault(Path(f.policy).name, set()).add(f.rule)
    return found


@pytest.fixture(scope="module")
def mistakes(engine: Engine) -> LintReport:
    return _lint_folder(engine, CORPUS / "mistakes")


@pytest.fixture(scope="module")
def clean(engine: Engine) -> LintReport:
    return _lint_folder(engine, CORPUS / "clean")


def test_corpus_matches_its_manifest() -> None:
    """Every file has its expectation and every expectation its file, with a source."""
    assert {p.name for p in (CORPUS / "mistakes").iterdir()} == set(EXPECTED["mistakes"])
    assert {p.name for p in (CORPUS / "clean").iterdir()} == set(EXPECTED["clean"])
    assert len(EXPECTED["clean"]) >= 6
    for name, entry in EXPECTED["mistakes"].items():
        assert entry["rules"] and entry["why"] and entry["source"], name


def test_every_new_rule_has_a_mistake_in_the_corpus(mistakes: LintReport) -> None:
    """The corpus exercises each rule the issue asked for (and each is in the rule table)."""
    wanted = {
        "condition-key-unsupported",
        "condition-operator-type",
        "passrole-any",
        "escalation-identity-pool-roles",
        "escalation-user-pool-group-roles",
        "escalation-user-takeover",
        "escalation-lambda-trigger",
    }
    assert wanted <= set(mistakes.rules)
    expected = {rule for entry in EXPECTED["mistakes"].values() for rule in entry["rules"]}
    assert wanted <= expected


@pytest.mark.parametrize("name", sorted(EXPECTED["mistakes"]))
def test_each_mistake_is_reported(mistakes: LintReport, name: str) -> None:
    found = _serious(mistakes).get(name, set())
    assert found == set(EXPECTED["mistakes"][name]["rules"]), (name, found)


def test_clean_policies_are_quiet(clean: LintReport) -> None:
    assert clean.documents == len(EXPECTED["clean"])
    assert clean.at_or_above(SERIOUS) == [], [vars(f) for f in clean.at_or_above(SERIOUS)]


def test_findings_locate_their_statement(mistakes: LintReport) -> None:
    """Statement findings carry the statement's Sid and its index in Statement."""
    trigger = [f for f in mistakes.findings if f.rule == "escalation-lambda-trigger"]
    assert [(f.statement, f.position) for f in trigger] == [("PoolConfig", 0)]
    assert 'statement "Functions"' in trigger[0].message


def test_the_documented_managed_policies(engine: Engine) -> None:
    """AmazonCognitoReadOnly stays clean; AmazonCognitoPowerUser ("Permissions for accessing and
    managing all aspects of your identity pools") grants cognito-idp:* on every pool, which does
    include setting any user's password: warnings, no error."""
    report = lint(engine, PolicySet(managed_policies=("AmazonCognitoReadOnly",)))
    assert report.findings == ()
    power = lint(engine, PolicySet(managed_policies=("AmazonCognitoPowerUser",)))
    assert {f.rule for f in power.findings} == {"write-on-any-resource", "escalation-user-takeover"}
    assert power.at_or_above("error") == []
