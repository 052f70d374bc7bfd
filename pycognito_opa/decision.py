"""Decision values, as OPA's `cognito.authz` rules return them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

DECISIONS = ("allow", "explicit_deny", "implicit_deny", "not_governed_by_iam", "invalid")


@dataclass(frozen=True)
class Match:
    """A policy statement that decided the outcome."""

    policy: str
    statement: str | int
    effect: str


@dataclass(frozen=True)
class Diagnostic:
    """A warning or an error: a stable code, a readable message, and the field it is about."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Decision:
    """One decision: the answer, why, and what was noticed on the way."""

    allowed: bool
    decision: str
    signed: bool
    matched: tuple[Match, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    reason: str = ""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Decision:
        return cls(
            allowed=bool(raw.get("allowed", False)),
            decision=str(raw.get("decision", "")),
            signed=bool(raw.get("signed", True)),
            matched=tuple(
                Match(str(m.get("policy", "")), m.get("statement", ""), str(m.get("effect", "")))
                for m in raw.get("matched", [])
            ),
            warnings=tuple(_diagnostic(w) for w in raw.get("warnings", [])),
            errors=tuple(_diagnostic(e) for e in raw.get("errors", [])),
            reason=str(raw.get("reason", "")),
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("warnings", "errors"):
            out[key] = [{k: v for k, v in d.items() if v is not None} for d in out[key]]
        return out


def _diagnostic(raw: Mapping[str, Any]) -> Diagnostic:
    field = raw.get("field")
    return Diagnostic(
        str(raw.get("code", "")), str(raw.get("message", "")), None if field is None else str(field)
    )
