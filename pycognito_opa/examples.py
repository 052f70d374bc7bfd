"""AWS's documented examples as data, run through OPA and compared with what AWS documents."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from . import _paths
from ._decision import DECISIONS, Decision
from .errors import ExamplesError


class _Decider(Protocol):
    def decide_many(self, requests: Sequence[Mapping[str, Any]]) -> list[Decision]: ...


# What an identity-pool example may also expect of the decision's `identity` block, and where
# each value is in that block.
IDENTITY_EXPECTATIONS: dict[str, tuple[str, ...]] = {
    "outcome": ("outcome",),
    "role_arn": ("role_arn",),
    "error_code": ("error", "code"),
    "error_stage": ("error", "stage"),
}


@dataclass(frozen=True)
class Example:
    """One documented request with the decision the documentation implies.

    `expect_identity` (identity-pool requests) names what the decision's `identity` block must
    hold: any of `outcome`, `role_arn`, `error_code`, `error_stage` (see IDENTITY_EXPECTATIONS).
    """

    id: str
    title: str
    request: dict[str, Any]
    expect: str
    why: str
    source: dict[str, str] = field(default_factory=dict)
    file: str = ""
    expect_identity: dict[str, Any] = field(default_factory=dict)


def _identity_value(decision: Decision, path: tuple[str, ...]) -> Any:
    value: Any = decision.raw.get("identity")
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


@dataclass(frozen=True)
class ExampleResult:
    example: Example
    decision: Decision

    @property
    def identity_differences(self) -> dict[str, Any]:
        """Each expected identity value the decision does not hold: {key: the decision's value}."""
        out = {}
        for key, expected in self.example.expect_identity.items():
            actual = _identity_value(self.decision, IDENTITY_EXPECTATIONS[key])
            if actual != expected:
                out[key] = actual
        return out

    @property
    def agrees(self) -> bool:
        return self.decision.decision == self.example.expect and not self.identity_differences


def _resolve_policies(value: Any, named: Mapping[str, Any], where: str) -> Any:
    """Replace policy names (strings) in a list of policies by the named documents."""
    if isinstance(value, str):
        if value not in named:
            raise ExamplesError(f"{where}: unknown policy name {value!r}")
        return copy.deepcopy(named[value])
    if isinstance(value, list):
        return [_resolve_policies(v, named, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


POLICY_FIELDS = ("policies", "permissions_boundary", "scps", "session_policies", "resource_policy")
# The policy fields of each role entry of an identity request (identity.roles.ARN).
ROLE_POLICY_FIELDS = ("trust_policy", "policies", "permissions_boundary")


def _resolve_identity_roles(request: dict[str, Any], named: Mapping[str, Any], where: str) -> None:
    """Replace policy names in the role entries of an identity request by the named documents."""
    identity = request.get("identity")
    if not isinstance(identity, Mapping) or not isinstance(identity.get("roles"), Mapping):
        return
    roles = {}
    for arn, entry in identity["roles"].items():
        if isinstance(entry, Mapping):
            entry = dict(entry)
            for key in ROLE_POLICY_FIELDS:
                if key in entry:
                    entry[key] = _resolve_policies(
                        entry[key], named, f"{where}.request.identity.roles[{arn}].{key}"
                    )
        roles[arn] = entry
    request["identity"] = {**identity, "roles": roles}


def _expect_identity(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    value = raw.get("expect_identity") or {}
    if not isinstance(value, Mapping) or not set(value) <= set(IDENTITY_EXPECTATIONS):
        raise ExamplesError(
            f"{where}: expect_identity takes the keys {', '.join(IDENTITY_EXPECTATIONS)}"
        )
    return dict(value)


def _load_file(path: Path) -> list[Example]:
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ExamplesError(f"{path.name}: {exc}") from exc
    named = doc.get("policies") or {}
    default_source = doc.get("source") or {}
    out = []
    for i, raw in enumerate(doc.get("examples") or []):
        where = f"{path.name}: examples[{i}]"
        try:
            request = dict(raw["request"])
            expect = raw["expect"]
            example_id = raw["id"]
        except (KeyError, TypeError) as exc:
            raise ExamplesError(f"{where}: missing {exc}") from exc
        if expect not in DECISIONS:
            raise ExamplesError(f"{where}: expect must be one of {', '.join(DECISIONS)}")
        for key in POLICY_FIELDS:
            if key in request:
                request[key] = _resolve_policies(request[key], named, f"{where}.request.{key}")
        _resolve_identity_roles(request, named, where)
        out.append(
            Example(
                id=str(example_id),
                title=str(raw.get("title", "")),
                request=request,
                expect=expect,
                why=str(raw.get("why", "")),
                source={**default_source, **(raw.get("source") or {})},
                file=path.name,
                expect_identity=_expect_identity(raw, where),
            )
        )
    return out


def load_examples(directory: Path | None = None) -> list[Example]:
    """Every example of every `*.yaml` file in `directory` (default: bundles/examples)."""
    directory = directory or _paths.examples_dir()
    # The seed page's examples first: the project starts from that page.
    files = sorted(directory.glob("*.yaml"), key=lambda f: (f.name != "seed.yaml", f.name))
    examples = [e for f in files for e in _load_file(f)]
    seen: set[str] = set()
    for e in examples:
        if e.id in seen:
            raise ExamplesError(f"{e.file}: duplicate example id {e.id!r}")
        seen.add(e.id)
    return examples


def run_examples(engine: _Decider, examples: Sequence[Example]) -> list[ExampleResult]:
    """All examples in one batch (`decide_many`)."""
    decisions = engine.decide_many([e.request for e in examples])
    return [ExampleResult(e, d) for e, d in zip(examples, decisions, strict=True)]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _middle(text: str, width: int) -> str:
    """Shorten by cutting the middle: the end of an ARN is where resources differ."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def _request_label(request: Mapping[str, Any]) -> str:
    return f"{request.get('action', '?')} on {request.get('resource', '')}"


def render_table(
    results: Sequence[ExampleResult], *, total: int | None = None, width: int | None = None
) -> str:
    """A readable table per examples file: request, expected, decision, why; then the count."""
    width = width or max(100, shutil.get_terminal_size((160, 24)).columns)
    total = len(results) if total is None else total
    request_width = min(
        72, max((len(_request_label(r.example.request)) for r in results), default=7)
    )
    columns = (4, request_width, 19, 19)
    why_width = max(20, width - sum(columns) - 2 * len(columns))
    header = ("", "request", "expected", "decision")
    lines: list[str] = []
    current_file = None
    for r in results:
        if r.example.file != current_file:
            current_file = r.example.file
            document = r.example.source.get("document")
            lines += ["", f"{current_file} ({document})" if document else current_file]
            cells = header
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(cells, columns, strict=True)) + "  why"
            )
        cells = (
            "ok" if r.agrees else "DIFF",
            _middle(_request_label(r.example.request), request_width),
            r.example.expect,
            r.decision.decision,
        )
        row = "  ".join(c.ljust(w) for c, w in zip(cells, columns, strict=True))
        why = _identity_note(r) + (r.decision.reason or r.example.why)
        lines.append(f"{row}  {_short(why, why_width)}")
    disagree = sum(not r.agrees for r in results)
    lines += ["", f"{total - disagree} of {total} documented examples agree with OPA's decisions"]
    return "\n".join(lines).lstrip("\n")


def _identity_note(result: ExampleResult) -> str:
    """For an identity-pool example: the role the session has, or the refusal, then ": "."""
    identity = result.decision.raw.get("identity")
    if not isinstance(identity, Mapping):
        return ""
    error = identity.get("error")
    if isinstance(error, Mapping):
        return f"[{error.get('code')} at {error.get('stage')}] "
    role = identity.get("role_arn")
    return f"[role {str(role).rsplit('/', 1)[-1]}] " if role else ""


def results_json(results: Sequence[ExampleResult]) -> list[dict[str, Any]]:
    return [
        {
            "id": r.example.id,
            "title": r.example.title,
            "file": r.example.file,
            "source": r.example.source,
            "request": r.example.request,
            "expect": r.example.expect,
            "why": r.example.why,
            **({"expect_identity": r.example.expect_identity} if r.example.expect_identity else {}),
            "decision": r.decision.to_dict(),
            "agrees": r.agrees,
        }
        for r in results
    ]
