"""Policy analysis: lint, what-can, who-can and diff.

Each analysis is one OPA query of a report the Rego in `rego/cognito/analysis` computes
(`data.cognito.analysis.<name>.report`); this module reads policy files, sends the query and
presents the answer. It never decides anything itself.

A policy set is given as sources: a JSON or YAML policy file, a folder of them, or the name
(or ARN) of an AWS managed policy shipped in the bundle, such as `AmazonCognitoReadOnly`.
"""

from __future__ import annotations

import os
import random
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._client import Limits
from ._files import load_document
from .engine import Engine
from .errors import AnalysisInputError, InputFileError, UsageError

LINT_PATH = "cognito/analysis/lint/report"
WHAT_CAN_PATH = "cognito/analysis/whatcan/report"
WHO_CAN_PATH = "cognito/analysis/whocan/report"
DIFF_PATH = "cognito/analysis/diff/report"

POLICY_SUFFIXES = (".json", ".yaml", ".yml")
PRINCIPALS_FILES = ("principals.yaml", "principals.yml", "principals.json")
GRANTING = ("allow", "partial", "conditional")

# A policy set of 10,000 statements is a few MB of JSON and a few seconds of evaluation.
ANALYSIS_LIMITS = Limits(max_request_bytes=256 * 1024 * 1024, max_batch=10_000, max_depth=64)
ANALYSIS_TIMEOUT = 600.0


def analysis_engine(url: str | None = None, bundle: str | os.PathLike[str] | None = None) -> Engine:
    """An Engine with room for large policy sets (the default limits are for decisions)."""
    return Engine(url=url, bundle=bundle, limits=ANALYSIS_LIMITS, timeout=ANALYSIS_TIMEOUT)


# Policy files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedPolicy:
    """A policy document and the name findings and matches refer to it by."""

    name: str
    document: Any

    def to_input(self) -> dict[str, Any]:
        return {"name": self.name, "document": self.document}


@dataclass(frozen=True)
class PolicySet:
    """Policy documents and AWS managed policies (by name or ARN) analysed together."""

    policies: tuple[NamedPolicy, ...] = ()
    managed_policies: tuple[str, ...] = ()

    def to_input(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policies": [p.to_input() for p in self.policies]}
        if self.managed_policies:
            out["managed_policies"] = list(self.managed_policies)
        return out

    @property
    def statements(self) -> int:
        """How many statements the documents hold (as IAM reads Statement)."""
        total = 0
        for p in self.policies:
            body = p.document.get("Statement") if isinstance(p.document, Mapping) else None
            total += len(body) if isinstance(body, list) else int(body is not None)
        return total


def load_policy_file(path: str | os.PathLike[str], name: str | None = None) -> NamedPolicy:
    """A JSON or YAML policy document (any JSON value: the analyses judge its shape), read by
    the package's one file reader (`_files.load_document`, which refuses hostile files)."""
    return NamedPolicy(name or str(path), load_document(path))


def _is_managed_name(source: str) -> bool:
    if source.startswith("arn:"):
        return ":iam::aws:policy/" in source
    return bool(source) and all(c.isalnum() or c in "+=,.@_-" for c in source)


def load_policy_set(sources: Iterable[str | os.PathLike[str]]) -> PolicySet:
    """The policy set the sources name: files, folders of policy files (the principals file of a
    bundle's policies folder is skipped) and AWS managed policy names or ARNs."""
    policies: list[NamedPolicy] = []
    managed: list[str] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files = sorted(
                f
                for f in path.iterdir()
                if f.is_file()
                and f.suffix in POLICY_SUFFIXES
                and f.name not in PRINCIPALS_FILES
                and not f.name.startswith(".")
            )
            if not files:
                raise InputFileError(path, "holds no .json, .yaml or .yml policy file")
            policies += [load_policy_file(f) for f in files]
        elif path.is_file():
            policies.append(load_policy_file(path))
        elif _is_managed_name(str(source)) and path.suffix not in POLICY_SUFFIXES:
            managed.append(str(source))
        else:
            raise InputFileError(path, "no such policy file, folder or AWS managed policy name")
    return PolicySet(tuple(policies), tuple(managed))


def synthetic_policy_set(statements: int, seed: int = 0) -> PolicySet:
    """A reproducible policy set of `statements` statements for timing the analyses: policies of
    ten statements naming catalogued-looking Cognito actions, wildcards, user pool, identity pool
    and dataset ARNs, a few Denies, Conditions and policy variables, and some mistakes."""
    rng = random.Random(seed)
    names = [
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminDeleteUser",
        "cognito-idp:AdminGetUser",
        "cognito-idp:ListUsers",
        "cognito-idp:DescribeUserPool",
        "cognito-idp:UpdateUserPool",
        "cognito-identity:DescribeIdentityPool",
        "cognito-identity:GetIdentityPoolRoles",
        "cognito-identity:UpdateIdentityPool",
        "cognito-sync:ListRecords",
        "cognito-sync:UpdateRecords",
        "cognito-idp:InitiateAuth",
        "cognito-idp:AdminCreatUser",
    ]
    patterns = ["cognito-idp:Admin*", "cognito-idp:List*", "cognito-identity:Describe*"]
    docs: list[NamedPolicy] = []
    body: list[dict[str, Any]] = []
    for i in range(statements):
        account = f"{100000000000 + i % 50:012d}"
        pool = f"arn:aws:cognito-idp:us-east-1:{account}:userpool/us-east-1_P{i % 400}"
        identity_pool = (
            f"arn:aws:cognito-identity:us-east-1:{account}:identitypool/"
            f"us-east-1:{i % 300:08d}-0000-4000-8000-000000000000"
        )
        dataset = (
            f"arn:aws:cognito-sync:us-east-1:{account}:identitypool/"
            f"us-east-1:{i % 300:08d}-0000-4000-8000-000000000000/identity/"
            "${cognito-identity.amazonaws.com:sub}/dataset/*"
        )
        kind = rng.random()
        statement: dict[str, Any] = {"Sid": f"S{i}", "Effect": "Allow"}
        if kind < 0.55:
            statement["Action"] = rng.sample(names[:6], 2)
            statement["Resource"] = [pool, f"{pool}X"] if kind < 0.1 else pool
        elif kind < 0.75:
            statement["Action"] = rng.choice(names[6:9])
            statement["Resource"] = identity_pool
        elif kind < 0.85:
            statement["Action"] = rng.sample(names[9:11], 2)
            statement["Resource"] = dataset
        elif kind < 0.93:
            statement["Action"] = rng.choice(patterns)
            statement["Resource"] = "*"
            statement["Condition"] = {"StringEquals": {"aws:ResourceTag/team": f"t{i % 7}"}}
        elif kind < 0.97:
            statement["Effect"] = "Deny"
            statement["Action"] = rng.choice([names[1], names[11], "cognito-idp:Delete*"])
            statement["Resource"] = pool
        else:
            statement["Action"] = rng.choice(names[11:])
            statement["Resource"] = "*"
        body.append(statement)
        if len(body) == 10 or i == statements - 1:
            document = {"Version": "2012-10-17", "Statement": body}
            docs.append(NamedPolicy(f"generated-{len(docs):05d}.json", document))
            body = []
    return PolicySet(tuple(docs))


# Results ------------------------------------------------------------------------------------


def _errors(raw: Mapping[str, Any]) -> None:
    errors = raw.get("errors") or []
    if errors:
        raise AnalysisInputError(errors)


@dataclass(frozen=True)
class Finding:
    """One lint finding: which rule, how serious, where (policy, statement label and its index
    in Statement, None for the document) and what to do."""

    rule: str
    severity: str
    policy: str
    statement: str | int | None
    message: str
    hint: str
    position: int | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Finding:
        position = raw.get("position")
        return cls(
            rule=str(raw["rule"]),
            severity=str(raw["severity"]),
            policy=str(raw["policy"]),
            statement=raw.get("statement"),
            message=str(raw.get("message", "")),
            hint=str(raw.get("hint", "")),
            position=position if isinstance(position, int) else None,
        )


@dataclass(frozen=True)
class LintReport:
    """The findings, their count by severity, and what was linted."""

    findings: tuple[Finding, ...]
    summary: Mapping[str, int]
    documents: int
    statements: int
    rules: Mapping[str, Any] = field(default_factory=dict)
    # Each severity's rank (higher is more serious), from the Rego rule table.
    severities: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> LintReport:
        severities = {str(k): int(v) for k, v in dict(raw.get("severities", {})).items()}
        return cls(
            findings=tuple(Finding.from_dict(f) for f in raw.get("findings", [])),
            summary={s: int(raw.get("summary", {}).get(s, 0)) for s in severities},
            documents=int(raw.get("documents", 0)),
            statements=int(raw.get("statements", 0)),
            rules=dict(raw.get("rules", {})),
            severities=severities,
        )

    def at_or_above(self, severity: str) -> list[Finding]:
        """The findings at least as serious as `severity` (a severity of the rule table)."""
        if severity not in self.severities:
            known = ", ".join(sorted(self.severities, key=self.severities.__getitem__))
            raise UsageError(f"unknown severity {severity!r} (the lint rules use: {known})")
        floor = self.severities[severity]
        return [f for f in self.findings if self.severities.get(f.severity, 0) >= floor]

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [vars(f) for f in self.findings],
            "summary": dict(self.summary),
            "documents": self.documents,
            "statements": self.statements,
        }


@dataclass(frozen=True)
class Row:
    """One action on one resource type (or one resource): the decision and why."""

    action: str
    service: str
    access_level: str
    signed: bool
    resource_type: str
    resource: str
    decision: str
    allowed: bool
    on: tuple[str, ...] = ()
    except_: tuple[str, ...] = ()
    matched: tuple[Mapping[str, Any], ...] = ()
    conditional: tuple[Mapping[str, Any], ...] = ()
    checked: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Row:
        return cls(
            action=str(raw["action"]),
            service=str(raw["service"]),
            access_level=str(raw["access_level"]),
            signed=bool(raw.get("signed", True)),
            resource_type=str(raw["resource_type"]),
            resource=str(raw["resource"]),
            decision=str(raw["decision"]),
            allowed=bool(raw.get("allowed", False)),
            on=tuple(raw.get("on", [])),
            except_=tuple(raw.get("except", [])),
            matched=tuple(raw.get("matched", [])),
            conditional=tuple(raw.get("conditional", [])),
            checked=tuple(raw.get("checked", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if k != "except_"}
        out["except"] = list(self.except_)
        for key in ("on", "matched", "conditional", "checked"):
            out[key] = list(out[key])
        return out


@dataclass(frozen=True)
class WhatCanReport:
    """Every Cognito action's decision, grouped in `summary` by service and access level."""

    rows: tuple[Row, ...]
    summary: Mapping[str, Mapping[str, Mapping[str, int]]]
    resource: str | None = None
    principal: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WhatCanReport:
        _errors(raw)
        return cls(
            rows=tuple(Row.from_dict(r) for r in raw.get("rows", [])),
            summary=raw.get("summary", {}),
            resource=raw.get("resource"),
            principal=raw.get("principal"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "principal": self.principal,
            "rows": [r.to_dict() for r in self.rows],
            "summary": self.summary,
        }


@dataclass(frozen=True)
class WhoCanEntry:
    """One stored principal: its decision and the Allow statements that grant it."""

    principal: str
    allowed: bool
    decision: str
    statements: tuple[Mapping[str, Any], ...]
    reason: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WhoCanEntry:
        return cls(
            principal=str(raw["principal"]),
            allowed=bool(raw["allowed"]),
            decision=str(raw["decision"]),
            statements=tuple(raw.get("statements", [])),
            reason=str(raw.get("reason", "")),
        )


@dataclass(frozen=True)
class WhoCanReport:
    """The stored principals and which of them may call the action on the resource."""

    action: str
    resource: str
    signed: bool
    principals: tuple[WhoCanEntry, ...]

    @property
    def allowed(self) -> tuple[WhoCanEntry, ...]:
        return tuple(p for p in self.principals if p.allowed)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WhoCanReport:
        _errors(raw)
        return cls(
            action=str(raw["action"]),
            resource=str(raw["resource"]),
            signed=bool(raw.get("signed", True)),
            principals=tuple(WhoCanEntry.from_dict(p) for p in raw.get("principals", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "signed": self.signed,
            "allowed": [p.principal for p in self.allowed],
            "principals": [{**vars(p), "statements": list(p.statements)} for p in self.principals],
        }


@dataclass(frozen=True)
class DiffRow:
    """An (action, resource type) whose decision differs between the two versions."""

    old: Row
    new: Row
    change: str
    widened: bool
    narrowed: bool
    gained: tuple[str, ...]
    lost: tuple[str, ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DiffRow:
        head = {k: raw[k] for k in ("action", "service", "access_level", "resource_type")}
        head["resource"] = raw["resource"]
        return cls(
            old=Row.from_dict({**head, **raw["old"]}),
            new=Row.from_dict({**head, **raw["new"]}),
            change=str(raw["change"]),
            widened=bool(raw["widened"]),
            narrowed=bool(raw["narrowed"]),
            gained=tuple(raw.get("gained", [])),
            lost=tuple(raw.get("lost", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        side = ("decision", "allowed", "on", "except", "matched", "conditional", "checked")
        old, new = self.old.to_dict(), self.new.to_dict()
        return {
            **{k: new[k] for k in ("action", "service", "access_level", "resource_type")},
            "resource": new["resource"],
            "old": {k: old[k] for k in side},
            "new": {k: new[k] for k in side},
            "change": self.change,
            "widened": self.widened,
            "narrowed": self.narrowed,
            "gained": list(self.gained),
            "lost": list(self.lost),
        }


@dataclass(frozen=True)
class DiffReport:
    """What the new version grants or takes away, compared with the old one."""

    rows: tuple[DiffRow, ...]
    summary: Mapping[str, int]
    resource: str | None = None

    @property
    def widened(self) -> bool:
        return any(r.widened for r in self.rows)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DiffReport:
        _errors(raw)
        return cls(
            rows=tuple(DiffRow.from_dict(r) for r in raw.get("rows", [])),
            summary={k: int(v) for k, v in raw.get("summary", {}).items()},
            resource=raw.get("resource"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "widened": self.widened,
            "summary": dict(self.summary),
            "rows": [r.to_dict() for r in self.rows],
        }


# Queries ------------------------------------------------------------------------------------


def lint(engine: Engine, policy_set: PolicySet, *, stored: bool = False) -> LintReport:
    """Lint findings for the policy set (and, with `stored`, for every policy of the principals
    stored in the engine's bundle), from one query."""
    query = policy_set.to_input()
    if stored:
        query["stored"] = True
    return LintReport.from_dict(engine.query(LINT_PATH, query))


def what_can(
    engine: Engine,
    policy_set: PolicySet,
    *,
    principal: str | None = None,
    resource: str | None = None,
) -> WhatCanReport:
    """For every Cognito action, what the policy set (and/or the stored principal) may do, on
    `resource` or per resource type, from one query."""
    query = policy_set.to_input()
    if principal is not None:
        query["principal"] = principal
    if resource is not None:
        query["resource"] = resource
    return WhatCanReport.from_dict(engine.query(WHAT_CAN_PATH, query))


def who_can(engine: Engine, action: str, resource: str) -> WhoCanReport:
    """The principals stored in the engine's bundle that may call `action` on `resource`."""
    raw = engine.query(WHO_CAN_PATH, {"action": action, "resource": resource})
    return WhoCanReport.from_dict(raw)


def diff(
    engine: Engine,
    old: PolicySet,
    new: PolicySet,
    *,
    resource: str | None = None,
    principal: str | None = None,
) -> DiffReport:
    """The (action, resource type) decisions that differ between two versions of a policy set."""
    query: dict[str, Any] = {"old": old.to_input(), "new": new.to_input()}
    if resource is not None:
        query["resource"] = resource
    if principal is not None:
        query["principal"] = principal
    return DiffReport.from_dict(engine.query(DIFF_PATH, query))


# Tables -------------------------------------------------------------------------------------


def _statement(label: str | int | None) -> str:
    if label is None:
        return ""
    return f"statement {label}" if isinstance(label, int) else f'statement "{label}"'


def _who(match: Mapping[str, Any]) -> str:
    return f"{match.get('policy', '')} {_statement(match.get('statement'))}".strip()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(
        text,
        width,
        initial_indent="  ",
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def render_lint(report: LintReport, width: int = 100) -> str:
    """Findings as `POLICY [statement] SEVERITY RULE`, message and hint, then the counts."""
    lines: list[str] = []
    for f in report.findings:
        where = f"{f.policy} {_statement(f.statement)}".strip()
        lines.append(f"{where}: {f.severity} {f.rule}")
        lines += _wrap(f.message, width)
        lines += _wrap(f"hint: {f.hint}", width)
    counts = ", ".join(
        f"{report.summary.get(s, 0)} info" if s == "info" else _plural(report.summary.get(s, 0), s)
        for s in sorted(report.severities, key=report.severities.__getitem__, reverse=True)
    )
    lines.append(
        f"{counts} in {_plural(report.documents, 'policy')} "
        f"({_plural(report.statements, 'statement')})".replace("policys", "policies")
    )
    return "\n".join(lines)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _some(items: Sequence[str], shown: int = 3) -> str:
    text = "; ".join(items[:shown])
    return text + (f" (+{len(items) - shown} more)" if len(items) > shown else "")


def _detail(row: Row) -> str:
    parts: list[str] = []
    if row.decision == "partial" and row.on != ("*",):
        parts.append("on " + _some(row.on))
    if row.except_:
        parts.append("except " + _some(row.except_))
    if row.matched and row.decision != "conditional":
        parts.append("by " + _some([_who(m) for m in row.matched]))
    if row.decision == "conditional":
        parts.append("if the request meets " + _some([_who(m) for m in row.conditional]))
    return ", ".join(parts)


def render_what_can(report: WhatCanReport) -> str:
    """Counts by service and access level, then the actions the set may call (or is denied
    explicitly), grouped the same way."""
    columns = ("allow", "partial", "conditional", "explicit_deny", "implicit_deny")
    titles = [c.replace("_", " ").upper() for c in columns]
    header = ["SERVICE", "ACCESS LEVEL", *titles, "NOT GOVERNED"]
    counts: list[list[str]] = [header]
    for service, levels in sorted(report.summary.items()):
        for level in _ordered_levels(levels):
            row = [service, level, *[str(levels[level].get(c, 0)) for c in columns]]
            counts.append([*row, str(levels[level].get("not_governed_by_iam", 0))])
    scope = f"on {report.resource}" if report.resource else "per resource type"
    who = f" for {report.principal}" if report.principal else ""
    lines = [f"What the policy set{who} may do, {scope}:", "", *_table(counts)]
    shown = [r for r in report.rows if r.decision in (*GRANTING, "explicit_deny")]
    if shown:
        details = [["SERVICE", "ACCESS LEVEL", "ACTION", "RESOURCE TYPE", "DECISION", "WHY"]]
        for r in shown:
            name = r.action.split(":", 1)[1]
            details.append(
                [r.service, r.access_level, name, r.resource_type, r.decision, _detail(r)]
            )
        lines += ["", *_table(details)]
    return "\n".join(lines)


def _ordered_levels(levels: Mapping[str, Any]) -> list[str]:
    order = ["List", "Read", "Write", "Permissions management", "Tagging"]
    return sorted(levels, key=lambda lv: (order.index(lv) if lv in order else len(order), lv))


def render_who_can(report: WhoCanReport) -> str:
    """The allowed principals with the statements that allow them, then the others."""
    allowed = report.allowed
    total = len(report.principals)
    lines = [f"{report.action} on {report.resource}: {len(allowed)} of {total} stored principals"]
    if not report.signed:
        lines.append(
            "IAM does not govern this API (it is not signed with AWS credentials): "
            "any caller may call it"
        )
    if allowed:
        rows = [["PRINCIPAL", "DECISION", "ALLOWED BY"]]
        rows += [
            [p.principal, p.decision, "; ".join(_who(m) for m in p.statements) or "-"]
            for p in allowed
        ]
        lines += ["", *_table(rows)]
    others = [p for p in report.principals if not p.allowed]
    if others:
        lines += ["", "Not allowed:"]
        lines += [f"  {p.principal} ({p.decision})" for p in others]
    return "\n".join(lines)


def render_diff(report: DiffReport) -> str:
    """One line per changed (action, resource type), or per changed action on the given
    resource: old and new decision, what was gained or lost; then the counts."""
    lines: list[str] = []
    if report.resource is not None:
        lines.append(f"Decisions on {report.resource}:")
    if report.rows:
        on_resource = report.resource is not None
        header = ["CHANGE", "ACTION", "OLD", "NEW"]
        rows = [header if on_resource else [*header[:2], "RESOURCE TYPE", *header[2:], "DETAIL"]]
        for r in report.rows:
            if on_resource:
                rows.append([r.change, r.new.action, r.old.decision, r.new.decision])
                continue
            detail = []
            kind = r.new.resource_type
            if r.gained:
                detail.append("now allowed on " + _some([_all(x, kind) for x in r.gained]))
            if r.lost:
                detail.append("no longer on " + _some([_all(x, kind) for x in r.lost]))
            rows.append([r.change, r.new.action, r.new.resource_type, r.old.decision])
            rows[-1] += [r.new.decision, "; ".join(detail)]
        lines += _table(rows)
        lines.append("")
    summary = report.summary
    lines.append(
        f"{summary.get('widened', 0)} widened, {summary.get('narrowed', 0)} narrowed, "
        f"{summary.get('changed', 0)} changed both ways or between denials"
    )
    return "\n".join(lines)


def _all(resource: str, resource_type: str) -> str:
    if resource != "*":
        return resource
    return 'Resource "*"' if resource_type == "*" else "every resource of the type"
