"""Lint reports in the formats CI systems read: SARIF 2.1.0 (code scanning) and GitHub Actions
workflow commands (annotations on the pull request).

The findings, their rules, severities and texts come from the Rego lint report unchanged; this
module only places them. A finding about a policy read from a file points at that file and,
when the file parses, at the line where its statement starts (the YAML or JSON node's position);
a finding about a policy that is no file (an AWS managed policy, a stored principal's policy)
gets a logical location: the policy and the statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .analysis import Finding, LintReport

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "pycognito-opa"

# The severities of the Rego rule table as SARIF levels ("SARIF v2.1.0", 3.27.10 level) and as
# GitHub workflow commands (error, warning, notice); anything else is the mildest.
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}

__all__ = [
    "SARIF_LEVELS",
    "SARIF_SCHEMA",
    "SARIF_VERSION",
    "StatementLocation",
    "locate_statement",
    "render_github",
    "render_sarif",
]


@dataclass(frozen=True)
class StatementLocation:
    """Where a statement starts in its file: 1-based line and column (Unicode code points)."""

    line: int
    column: int


def locate_statement(text: str, position: int | None) -> StatementLocation | None:
    """The start of the statement at `position` of the policy document in `text` (JSON or YAML),
    the document itself for None; None when the text does not parse or has no such statement."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    node = root
    if position is not None:
        node = _statement_node(root, position)
    if node is None:
        return None
    return StatementLocation(node.start_mark.line + 1, node.start_mark.column + 1)


def _statement_node(root: yaml.Node | None, position: int) -> yaml.Node | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    body = next(
        (
            value
            for key, value in root.value
            if isinstance(key, yaml.ScalarNode) and key.value == "Statement"
        ),
        None,
    )
    if isinstance(body, yaml.SequenceNode) and 0 <= position < len(body.value):
        item: yaml.Node = body.value[position]
        return item
    if isinstance(body, yaml.MappingNode) and position == 0:
        return body
    return None


def _statement_text(finding: Finding) -> str:
    if finding.statement is None:
        return ""
    if isinstance(finding.statement, int):
        return f"statement {finding.statement}"
    return f'statement "{finding.statement}"'


class _Locator:
    """The files the policies came from, each read and located once."""

    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = dict(files)
        self._texts: dict[str, str | None] = {}

    def path(self, policy: str) -> Path | None:
        return self.files.get(policy)

    def statement(self, finding: Finding) -> StatementLocation | None:
        path = self.path(finding.policy)
        if path is None:
            return None
        if finding.policy not in self._texts:
            try:
                self._texts[finding.policy] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[finding.policy] = None
        text = self._texts[finding.policy]
        if text is None or finding.position is None:
            return None
        return locate_statement(text, finding.position)


# SARIF --------------------------------------------------------------------------------------


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _artifact(path: Path, root: Path) -> dict[str, Any]:
    """A relative file under the source root as %SRCROOT%-relative, anything else as a file URI."""
    absolute = path if path.is_absolute() else root / path
    try:
        relative = absolute.resolve().relative_to(root.resolve())
    except ValueError:
        return {"uri": absolute.resolve().as_uri()}
    return {"uri": relative.as_posix(), "uriBaseId": "%SRCROOT%"}


def render_sarif(
    report: LintReport,
    files: Mapping[str, Path] | None = None,
    *,
    tool_version: str,
    root: Path | None = None,
) -> dict[str, Any]:
    """The report as one SARIF 2.1.0 log: the rule table as the driver's rules (summary, source
    document, default level), one result per finding with its level, message and hint, and its
    location: the policy file (relative to `root`, default the working directory) and the line of
    the statement, or the policy and statement as a logical location."""
    root = Path.cwd() if root is None else root
    locator = _Locator(files or {})
    rule_ids = sorted(set(report.rules) | {f.rule for f in report.findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = []
    for rule_id in rule_ids:
        meta = report.rules.get(rule_id, {})
        severity = str(meta.get("severity", "warning"))
        rule: dict[str, Any] = {
            "id": rule_id,
            "name": _rule_name(rule_id),
            "shortDescription": {"text": str(meta.get("summary", rule_id))},
            "defaultConfiguration": {"level": SARIF_LEVELS.get(severity, "note")},
            "properties": {"severity": severity},
        }
        if meta.get("source"):
            rule["helpUri"] = str(meta["source"])
        rules.append(rule)
    results = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": SARIF_LEVELS.get(finding.severity, "note"),
            "message": {"text": f"{finding.message}. Hint: {finding.hint}"},
            "locations": [_sarif_location(finding, locator, root)],
            "properties": {"severity": finding.severity, "policy": finding.policy},
        }
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": tool_version,
                "semanticVersion": tool_version,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "documents": report.documents,
            "statements": report.statements,
            "summary": dict(report.summary),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _sarif_location(finding: Finding, locator: _Locator, root: Path) -> dict[str, Any]:
    logical: list[dict[str, Any]] = [
        {"name": finding.policy, "fullyQualifiedName": finding.policy, "kind": "module"}
    ]
    if finding.statement is not None:
        where = f"Statement[{finding.position}]" if finding.position is not None else "Statement"
        logical.append(
            {
                "name": str(finding.statement),
                "fullyQualifiedName": f"{finding.policy}#{where}",
                "kind": "object",
            }
        )
    location: dict[str, Any] = {"logicalLocations": logical}
    path = locator.path(finding.policy)
    if path is not None:
        physical: dict[str, Any] = {"artifactLocation": _artifact(path, root)}
        found = locator.statement(finding)
        if found is not None:
            physical["region"] = {"startLine": found.line, "startColumn": found.column}
        location["physicalLocation"] = physical
    return location


# GitHub Actions -----------------------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_file(path: Path, root: Path) -> str:
    absolute = path if path.is_absolute() else root / path
    try:
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def render_github(
    report: LintReport, files: Mapping[str, Path] | None = None, *, root: Path | None = None
) -> str:
    """One GitHub Actions workflow command per finding (`::error file=F,line=N,title=RULE::...`,
    `::warning`, `::notice` for info), so that each shows as an annotation on the policy file's
    line; then the counts as a plain line."""
    root = Path.cwd() if root is None else root
    locator = _Locator(files or {})
    lines = []
    for f in report.findings:
        command = GITHUB_COMMANDS.get(f.severity, "notice")
        properties = []
        path = locator.path(f.policy)
        if path is not None:
            properties.append(f"file={_escape_property(_github_file(path, root))}")
            found = locator.statement(f)
            if found is not None:
                properties.append(f"line={found.line}")
                properties.append(f"col={found.column}")
        properties.append(f"title={_escape_property(f'{f.rule} ({f.severity})')}")
        where = " ".join(part for part in (f.policy, _statement_text(f)) if part)
        body = _escape_data(f"{where}: {f.message}. Hint: {f.hint}")
        lines.append(f"::{command} {','.join(properties)}::{body}")
    counts = ", ".join(
        _count(report.summary.get(s, 0), s)
        for s in sorted(report.severities, key=report.severities.__getitem__, reverse=True)
    )
    lines.append(f"pycognito-opa lint: {counts} in {_count(report.documents, 'policy document')}")
    return "\n".join(lines)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"
