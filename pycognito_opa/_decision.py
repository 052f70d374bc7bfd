"""Decision values, as OPA's `cognito.authz` rules return them.

The Rego rules own the decision's shape: `Decision` types the fields Python code reads and
keeps the whole object OPA returned, so a field the Rego adds reaches the user unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

DECISIONS = (
    "allow",
    "explicit_deny",
    "implicit_deny",
    "not_governed_by_iam",
    "invalid",
    "no_credentials",
)


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
    """One decision: the answer, why, and what was noticed on the way.

    `raw` is the object OPA returned, every field included; `to_dict()` gives it back.
    """

    allowed: bool
    decision: str
    signed: bool
    matched: tuple[Match, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    reason: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Decision:
        return cls(
            allowed=raw.get("allowed") is True,
            decision=str(raw.get("decision", "")),
            signed=raw.get("signed", True) is not False,
            matched=tuple(
                Match(str(m.get("policy", "")), m.get("statement", ""), str(m.get("effect", "")))
                for m in raw.get("matched", [])
            ),
            warnings=tuple(_diagnostic(w) for w in raw.get("warnings", [])),
            errors=tuple(_diagnostic(e) for e in raw.get("errors", [])),
            reason=str(raw.get("reason", "")),
            raw=dict(raw),
        )

    def to_dict(self) -> dict[str, Any]:
        """The decision as OPA returned it (a copy), or the typed fields of a Decision made
        by hand."""
        if self.raw:
            return copy.deepcopy(dict(self.raw))
        out = asdict(self)
        del out["raw"]
        for key in ("warnings", "errors"):
            out[key] = [{k: v for k, v in d.items() if v is not None} for d in out[key]]
        return out

    def __getitem__(self, key: str) -> Any:
        """Any field of the decision by name, those this class does not type included."""
        return self.raw[key]


@dataclass(frozen=True)
class Verdict:
    """The answer alone, as `data.cognito.authz.verdict` returns it: equal to the explained
    decision's `allowed` and `decision`, computed by the same rules without the explanation."""

    allowed: bool
    decision: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Verdict:
        return cls(allowed=raw.get("allowed") is True, decision=str(raw.get("decision", "")))

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "decision": self.decision}


def _diagnostic(raw: Mapping[str, Any]) -> Diagnostic:
    field_name = raw.get("field")
    return Diagnostic(
        str(raw.get("code", "")),
        str(raw.get("message", "")),
        None if field_name is None else str(field_name),
    )
