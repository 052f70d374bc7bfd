"""The benchmark's peers: Cedar (cedarpy) and @cloud-copilot/iam-simulate (a Node worker).

Each peer decides the same requests as OPA, from equivalent policies:
- Cedar gets the identity-based statements translated to Cedar policies, for the subset Cedar can
  express (what it cannot express is dropped and noted on the requests it concerns);
- iam-simulate gets the IAM documents themselves, through a long-lived Node worker speaking JSON
  lines (its packages installed with `npm ci` from the pinned lock file into
  benchmarks/node/node_modules when they are missing).
A peer that cannot run here (no cedarpy, no Node or npm) is skipped with a note.

Outcomes are "allow", "explicit_deny", "implicit_deny" or "error" (the peer rejected the request).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

from pycognito_opa.errors import PyCognitoOpaError

from .workloads import ACCOUNT, Workload

NODE_DIR = Path(__file__).resolve().parent / "node"
DEFAULT_PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/bench"
NPM_CI_TIMEOUT = 600.0
WORKER_TIMEOUT = 600.0


class PeerError(PyCognitoOpaError):
    """A peer failed while running (not merely unavailable)."""

    code = "peer_failed"


class PeerUnavailable(PyCognitoOpaError):
    """A peer cannot run on this machine; the message says why."""

    code = "peer_unavailable"


@dataclass(frozen=True)
class PeerResult:
    """One peer decision: the outcome, why it may differ from OPA's, its own evaluation time."""

    outcome: str
    notes: tuple[str, ...] = ()
    internal_ns: int = 0


@dataclass(frozen=True)
class PeerBatch:
    """The results of one batch and the wall time the peer's API took for it."""

    results: tuple[PeerResult, ...]
    wall_ns: int

    @property
    def internal_ns(self) -> int:
        return sum(r.internal_ns for r in self.results)


class Peer(Protocol):
    name: str
    version: str

    def prepare(self, workload: Workload, managed: Mapping[str, Mapping[str, Any]]) -> None: ...

    def run(self, indices: Sequence[int]) -> PeerBatch: ...


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if arn.startswith("arn:") and len(parts) > 4 else ""


def _resource_account(request: Mapping[str, Any]) -> str:
    resource = request.get("resource")
    account = _account_of(resource) if isinstance(resource, str) else ""
    if not account and isinstance(request.get("resource_account"), str):
        account = request["resource_account"]
    return account


def _principal(request: Mapping[str, Any]) -> str:
    """The request's principal; without one, an IAM user of the resource's own account (a
    request without a principal is never cross-account in pycognito-opa)."""
    p = request.get("principal")
    if isinstance(p, str) and p:
        return p
    account = _resource_account(request)
    return f"arn:aws:iam::{account}:user/bench" if account else DEFAULT_PRINCIPAL


def _cross_account(request: Mapping[str, Any]) -> bool:
    p = request.get("principal")
    if not isinstance(p, str):
        return False
    ours = p if p.isdigit() and len(p) == 12 else _account_of(p)
    theirs = _resource_account(request)
    return bool(ours and theirs and ours != theirs)


def _identity_documents(
    request: Mapping[str, Any], managed: Mapping[str, Mapping[str, Any]]
) -> tuple[list[tuple[str, Any]], list[str]]:
    """The request's own identity policies (inline and managed), and notes on what is missing."""
    docs: list[tuple[str, Any]] = []
    notes: list[str] = []
    for i, doc in enumerate(_as_list(request.get("policies", []))):
        docs.append((f"policies[{i}]", doc))
    for ref in _as_list(request.get("managed_policies", [])):
        if isinstance(ref, str) and ref in managed:
            docs.append((ref.rsplit("/", 1)[-1], managed[ref]))
        else:
            notes.append(f"managed policy {ref!r} not shipped in the bundle data")
    return docs, notes


def _stored_documents(
    entry: Mapping[str, Any], managed: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, Any]]:
    docs = [(f"principal:{n}", d) for n, d in sorted(dict(entry.get("policies", {})).items())]
    for ref in _as_list(entry.get("managed_policies", [])):
        if isinstance(ref, str) and ref in managed:
            docs.append((ref.rsplit("/", 1)[-1], managed[ref]))
    return docs


# --- Cedar --------------------------------------------------------------------------------------


class Untranslatable(Exception):
    """An IAM policy element that the Cedar translation cannot express."""


SUPPORTED_CONDITION_OPERATORS = {
    "StringEquals": ("eq", False),
    "StringNotEquals": ("eq", True),
    "StringLike": ("like", False),
    "StringNotLike": ("like", True),
    "Bool": ("eq", False),
    "IpAddress": ("ip", False),
    "NotIpAddress": ("ip", True),
}


def _cedar_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cedar_pattern(pattern: str, what: str) -> str:
    """An IAM `*` pattern as a Cedar `like` pattern; IAM's `?` has no Cedar equivalent."""
    if "?" in pattern:
        raise Untranslatable(f"'?' wildcard in {what} (Cedar's like has only '*')")
    return '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _has_variable(value: str, variables: bool) -> bool:
    return variables and "${" in value


def _cedar_action_match(patterns: list[Any]) -> str:
    literal: list[str] = []
    terms: list[str] = []
    for p in patterns:
        if not isinstance(p, str):
            raise Untranslatable("an Action that is not a string")
        p = p.lower()
        if p == "*":
            return "true"
        if "*" in p or "?" in p:
            terms.append(f"context.action like {_cedar_pattern(p, 'Action')}")
        else:
            literal.append(f"Action::{_cedar_string(p)}")
    if literal:
        terms.append(f"action in [{', '.join(literal)}]")
    return "(" + " || ".join(terms) + ")" if terms else "false"


def _cedar_resource_match(patterns: list[Any], variables: bool) -> str:
    terms: list[str] = []
    for p in patterns:
        if not isinstance(p, str):
            raise Untranslatable("a Resource that is not a string")
        if _has_variable(p, variables):
            raise Untranslatable("policy variable in Resource (Cedar has no string interpolation)")
        if p == "*":
            return "true"
        if "*" in p or "?" in p:
            pat = _cedar_pattern(p, "Resource")
            terms.append(f'(context.resource != "*" && context.resource like {pat})')
        else:
            terms.append(f"resource == Resource::{_cedar_string(p)}")
    return "(" + " || ".join(terms) + ")" if terms else "false"


def _cedar_condition(block: Any, variables: bool) -> str:
    if not isinstance(block, Mapping):
        raise Untranslatable("a Condition that is not an object")
    terms: list[str] = []
    for operator, keys in block.items():
        op = str(operator)
        if_exists = op.endswith("IfExists")
        base = op[: -len("IfExists")] if if_exists else op
        if ":" in base:
            raise Untranslatable(f"set operator {base.split(':')[0]} (not translated)")
        if base not in SUPPORTED_CONDITION_OPERATORS:
            raise Untranslatable(f"condition operator {op} (not translated)")
        kind, negated = SUPPORTED_CONDITION_OPERATORS[base]
        if not isinstance(keys, Mapping):
            raise Untranslatable(f"condition {op} that is not an object")
        for key, values in keys.items():
            k = _cedar_string(str(key).lower())
            vals = [v if isinstance(v, str) else json.dumps(v) for v in _as_list(values)]
            if any(_has_variable(v, variables) for v in vals):
                raise Untranslatable("policy variable in a condition value")
            ctx = f"context[{k}]"
            if kind == "eq":
                if base == "Bool":
                    vals = [v.lower() for v in vals]
                alts = [f"{ctx} == {_cedar_string(v)}" for v in vals]
            elif kind == "like":
                alts = [f"{ctx} like {_cedar_pattern(v, 'a StringLike value')}" for v in vals]
            else:
                alts = [f"ip({ctx}).isInRange(ip({_cedar_string(v)}))" for v in vals]
            any_value = "(" + " || ".join(alts) + ")" if alts else "false"
            if negated:
                terms.append(f"(!(context has {k}) || !{any_value})")
            elif if_exists:
                terms.append(f"(!(context has {k}) || {any_value})")
            else:
                terms.append(f"(context has {k} && {any_value})")
    return " && ".join(terms) if terms else "true"


def cedar_statement(statement: Any, label: str, variables: bool) -> str:
    """One IAM statement as one Cedar policy (permit for Allow, forbid for Deny)."""
    if not isinstance(statement, Mapping):
        raise Untranslatable("a statement that is not an object")
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise Untranslatable(f"Effect {effect!r}")
    for unsupported in ("Principal", "NotPrincipal"):
        if unsupported in statement:
            raise Untranslatable(f"{unsupported} in an identity-based policy")
    if "Action" in statement:
        action = _cedar_action_match(_as_list(statement["Action"]))
    elif "NotAction" in statement:
        action = f"!{_cedar_action_match(_as_list(statement['NotAction']))}"
    else:
        raise Untranslatable("a statement without Action or NotAction")
    if "Resource" in statement:
        resource = _cedar_resource_match(_as_list(statement["Resource"]), variables)
    elif "NotResource" in statement:
        resource = f"!{_cedar_resource_match(_as_list(statement['NotResource']), variables)}"
    else:
        resource = "true"
    condition = "true"
    if "Condition" in statement:
        condition = _cedar_condition(statement["Condition"], variables)
    head = "permit" if effect == "Allow" else "forbid"
    tag = "allow" if effect == "Allow" else "deny"
    ident = _cedar_string(f"{tag}|{label}")
    return (
        f"@id({ident})\n{head} (principal, action, resource)\n"
        f"when {{ {action} && {resource} && {condition} }};"
    )


@dataclass(frozen=True)
class _Dropped:
    """A statement left out of the Cedar translation, and the actions it names."""

    reason: str
    actions: tuple[str, ...]
    not_action: bool

    def concerns(self, action: str) -> bool:
        """Whether the statement could name `action` (to explain a difference, never to decide)."""
        if self.not_action or not self.actions:
            return True
        return any(_wildcard_regex(p).fullmatch(action.lower()) for p in self.actions)


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    escaped = re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(escaped, re.DOTALL)


@dataclass(frozen=True)
class CedarTranslation:
    text: str
    statements: int
    dropped: tuple[_Dropped, ...]

    def notes_for(self, action: Any) -> tuple[str, ...]:
        """Why statements that could concern `action` are missing from the translation."""
        act = action if isinstance(action, str) else ""
        return tuple(dict.fromkeys(d.reason for d in self.dropped if d.concerns(act)))


def cedar_policies(documents: Sequence[tuple[str, Any]]) -> CedarTranslation:
    """IAM identity-based documents as Cedar policy text; untranslatable statements are noted."""
    parts: list[str] = []
    dropped: list[_Dropped] = []
    for name, doc in documents:
        if not isinstance(doc, Mapping):
            dropped.append(_Dropped(f"{name}: not a policy document", (), True))
            continue
        variables = doc.get("Version") == "2012-10-17"
        for i, statement in enumerate(_as_list(doc.get("Statement", []))):
            sid = statement.get("Sid") if isinstance(statement, Mapping) else None
            label = f"{name}#{sid if isinstance(sid, str) and sid else i}"
            try:
                parts.append(cedar_statement(statement, label, variables))
            except Untranslatable as exc:
                st = statement if isinstance(statement, Mapping) else {}
                named = st.get("Action", st.get("NotAction", []))
                actions = tuple(a for a in _as_list(named) if isinstance(a, str))
                dropped.append(
                    _Dropped(f"not expressible in Cedar: {exc}", actions, "Action" not in st)
                )
    return CedarTranslation("\n".join(parts), len(parts), tuple(dropped))


def _cedar_context(request: Mapping[str, Any]) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    raw = request.get("context")
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if isinstance(value, bool):
                ctx[str(key).lower()] = "true" if value else "false"
            elif isinstance(value, list):
                ctx[str(key).lower()] = [v if isinstance(v, str) else json.dumps(v) for v in value]
            elif isinstance(value, str):
                ctx[str(key).lower()] = value
            else:
                ctx[str(key).lower()] = json.dumps(value)
    action = request.get("action")
    resource = request.get("resource")
    ctx["action"] = action.lower() if isinstance(action, str) else ""
    ctx["resource"] = resource if isinstance(resource, str) else ""
    return ctx


GUARDRAIL_FIELDS = ("permissions_boundary", "scps", "session_policies", "resource_policy")


class CedarPeer:
    """Cedar through cedarpy, in this process.

    Inline workloads pass each request's policy text to Cedar (parsed on every call, as OPA gets
    the policies in every request); stored estates are parsed once into a PolicySet handle.
    """

    name = "cedar"

    def __init__(self) -> None:
        try:
            import cedarpy
        except ImportError as exc:
            raise PeerUnavailable("cedarpy is not installed (pip install -e '.[bench]')") from exc
        self._cedar = cedarpy
        self.version = _dist_version("cedarpy")
        self._entities = cedarpy.Entities.from_json_str("[]")
        self._requests: list[dict[str, Any]] = []
        self._policies: list[Any] = []  # text (inline) or a PolicySet handle (stored)
        self._notes: list[tuple[str, ...]] = []

    def prepare(self, workload: Workload, managed: Mapping[str, Mapping[str, Any]]) -> None:
        handles: dict[str, tuple[Any, CedarTranslation, tuple[str, ...]]] = {}
        for principal_arn, entry in workload.stored.items():
            tr = cedar_policies(_stored_documents(entry, managed))
            extra = []
            if "permissions_boundary" in entry:
                extra.append("stored permissions_boundary: the Cedar translation has no guardrails")
            handles[principal_arn] = (self._cedar.PolicySet.from_str(tr.text), tr, tuple(extra))
        texts: dict[str, CedarTranslation] = {}
        self._requests, self._policies, self._notes = [], [], []
        for request in workload.requests:
            docs, notes = _identity_documents(request, managed)
            for guard in GUARDRAIL_FIELDS:
                if guard in request:
                    notes.append(f"{guard}: the Cedar translation covers identity policies only")
            if _cross_account(request):
                notes.append("cross-account request: the Cedar translation has no accounts")
            key = json.dumps(docs, sort_keys=True)
            translation = texts.get(key)
            if translation is None:
                translation = texts[key] = cedar_policies(docs)
            notes.extend(translation.notes_for(request.get("action")))
            stored = handles.get(_principal(request)) if workload.kind == "stored" else None
            if stored is not None:
                if docs:
                    raise PeerError("stored workloads carry no inline policies in this benchmark")
                self._policies.append(stored[0])
                notes.extend(stored[1].notes_for(request.get("action")))
                notes.extend(stored[2])
            else:
                self._policies.append(translation.text)
            self._notes.append(tuple(dict.fromkeys(notes)))
            self._requests.append(
                {
                    "principal": {"type": "Principal", "id": _principal(request)},
                    "action": {"type": "Action", "id": str(request.get("action", "")).lower()},
                    "resource": {"type": "Resource", "id": str(request.get("resource", ""))},
                    "context": _cedar_context(request),
                }
            )

    def _result(self, raw: Any, notes: tuple[str, ...]) -> PeerResult:
        metrics = raw.metrics or {}
        internal = int(metrics.get("authz_duration_micros", 0)) * 1000
        errors = tuple(f"Cedar evaluation error: {e}" for e in raw.diagnostics.errors)
        if raw.allowed:
            return PeerResult("allow", notes + errors, internal)
        ids = raw.diagnostics.id_annotations_by_reason.values()
        outcome = (
            "explicit_deny" if any(str(i).startswith("deny|") for i in ids) else "implicit_deny"
        )
        return PeerResult(outcome, notes + errors, internal)

    def run(self, indices: Sequence[int]) -> PeerBatch:
        """Decide the requests at `indices`: one Cedar call per request that carries its
        policies, one call for a run of requests that share a parsed PolicySet."""
        results: list[PeerResult] = []
        start = time.perf_counter_ns()
        i = 0
        while i < len(indices):
            policies = self._policies[indices[i]]
            j = i + 1
            if not isinstance(policies, str):
                while j < len(indices) and self._policies[indices[j]] is policies:
                    j += 1
            chunk = indices[i:j]
            raw = self._cedar.is_authorized_batch(
                [self._requests[k] for k in chunk], policies, self._entities
            )
            results.extend(self._result(r, self._notes[k]) for r, k in zip(raw, chunk, strict=True))
            i = j
        return PeerBatch(tuple(results), time.perf_counter_ns() - start)

    def close(self) -> None:
        self._requests, self._policies, self._notes = [], [], []


# --- iam-simulate through Node ------------------------------------------------------------------


def _iam_simulation(
    request: Mapping[str, Any],
    managed: Mapping[str, Mapping[str, Any]],
    *,
    with_identity: bool,
) -> tuple[dict[str, Any], list[str]]:
    """The iam-simulate Simulation for one request, and notes on what it cannot carry."""
    notes: list[str] = []
    resource = request.get("resource")
    resource = resource if isinstance(resource, str) else ""
    principal = _principal(request)
    account = _resource_account(request) or _account_of(principal)
    context: dict[str, Any] = {}
    raw_ctx = request.get("context")
    if isinstance(raw_ctx, Mapping):
        for key, value in raw_ctx.items():
            if isinstance(value, list):
                context[str(key)] = [v if isinstance(v, str) else json.dumps(v) for v in value]
            elif isinstance(value, bool):
                context[str(key)] = "true" if value else "false"
            else:
                context[str(key)] = value if isinstance(value, str) else json.dumps(value)
    simulation: dict[str, Any] = {
        "request": {
            "principal": principal,
            "action": str(request.get("action", "")),
            "resource": {"resource": resource, "accountId": account or ACCOUNT},
            "contextVariables": context,
        },
        "identityPolicies": [],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
    }
    if with_identity:
        docs, doc_notes = _identity_documents(request, managed)
        notes.extend(doc_notes)
        simulation["identityPolicies"] = [{"name": n, "policy": d} for n, d in docs]
    if isinstance(request.get("permissions_boundary"), Mapping):
        simulation["permissionBoundaryPolicies"] = [
            {"name": "permissions_boundary", "policy": request["permissions_boundary"]}
        ]
    scps = request.get("scps")
    if isinstance(scps, list):
        simulation["serviceControlPolicies"] = [
            {
                "orgIdentifier": f"ou-level-{i}",
                "policies": [
                    {"name": f"scps[{i}][{j}]", "policy": d} for j, d in enumerate(_as_list(level))
                ],
            }
            for i, level in enumerate(scps)
        ]
    sessions = request.get("session_policies")
    if isinstance(sessions, list) and sessions:
        if len(sessions) > 1:
            notes.append("more than one session policy: iam-simulate takes one")
        simulation["sessionPolicy"] = sessions[0]
    if isinstance(request.get("resource_policy"), Mapping):
        simulation["resourcePolicy"] = request["resource_policy"]
    return simulation, notes


def _node_tools() -> tuple[str, str]:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        raise PeerUnavailable("Node.js or npm is not installed: the iam-simulate peer is skipped")
    return node, npm


def ensure_node_packages(node_dir: Path = NODE_DIR) -> None:
    """Install the worker's pinned packages with `npm ci` when they are missing."""
    _, npm = _node_tools()
    if not (node_dir / "worker.mjs").is_file() or not (node_dir / "package-lock.json").is_file():
        raise PeerUnavailable(f"the Node worker's files are missing from {node_dir}")
    marker = node_dir / "node_modules" / "@cloud-copilot" / "iam-simulate" / "package.json"
    if marker.is_file():
        return
    try:
        proc = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=node_dir,
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PeerUnavailable(f"npm ci did not finish within {NPM_CI_TIMEOUT:.0f}s") from exc
    except OSError as exc:
        raise PeerUnavailable(f"npm ci could not run: {exc.strerror or exc}") from exc
    if proc.returncode != 0 or not marker.is_file():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise PeerUnavailable(f"npm ci failed: {' / '.join(detail)}")


class NodeWorker:
    """The long-lived `node worker.mjs` process; stopped on exit, on errors and on Ctrl-C."""

    def __init__(self, node_dir: Path = NODE_DIR, timeout: float = WORKER_TIMEOUT) -> None:
        self.node_dir = node_dir
        self.timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._buffer = b""
        self._next_id = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> NodeWorker:
        node, _ = _node_tools()
        ensure_node_packages(self.node_dir)
        self._stderr = tempfile.TemporaryFile(prefix="pycognito-opa-node-")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [node, "worker.mjs"],
            cwd=self.node_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        return self

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip()[-2000:]

    def _read_line(self, deadline: float) -> bytes:
        proc = self._proc
        if proc is None or proc.stdout is None:
            raise PeerError("the Node worker is not running")
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PeerError(f"the Node worker did not answer within {self.timeout:.0f}s")
                if not sel.select(timeout=min(remaining, 1.0)):
                    if proc.poll() is not None:
                        raise PeerError(f"the Node worker exited: {self._stderr_text()}")
                    continue
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise PeerError(f"the Node worker exited: {self._stderr_text()}")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def call(self, message: Mapping[str, Any]) -> dict[str, Any]:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise PeerError("the Node worker is not running")
        self._next_id += 1
        ident = self._next_id
        payload = json.dumps({**message, "id": ident}, separators=(",", ":")).encode() + b"\n"
        try:
            proc.stdin.write(payload)
            proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise PeerError(f"the Node worker is gone: {self._stderr_text()}") from exc
        answer = json.loads(self._read_line(time.monotonic() + self.timeout))
        if answer.get("id") != ident:
            raise PeerError("the Node worker answered out of order")
        if "error" in answer:
            raise PeerError(f"the Node worker failed: {answer['error']}")
        return answer

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                if proc.stdin is not None:
                    proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        stderr, self._stderr = self._stderr, None
        if stderr is not None:
            stderr.close()

    def __enter__(self) -> NodeWorker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class IamSimulatePeer:
    """@cloud-copilot/iam-simulate's runSimulation in a long-lived Node worker.

    Inline workloads send each request's policies with it (validated on every call); stored
    estates are validated once in the worker and reused.
    """

    name = "iam-simulate"

    def __init__(self, worker: NodeWorker) -> None:
        self._worker = worker
        self.version = _npm_version(worker.node_dir, "@cloud-copilot/iam-simulate")
        self._items: list[dict[str, Any]] = []
        self._notes: list[tuple[str, ...]] = []
        self._loaded: set[str] = set()

    def prepare(self, workload: Workload, managed: Mapping[str, Mapping[str, Any]]) -> None:
        for principal_arn, entry in workload.stored.items():
            key = f"{workload.name}:{principal_arn}"
            if key not in self._loaded:
                msg: dict[str, Any] = {
                    "op": "load",
                    "key": key,
                    "identityPolicies": [
                        {"name": n, "policy": d} for n, d in _stored_documents(entry, managed)
                    ],
                }
                if isinstance(entry.get("permissions_boundary"), Mapping):
                    msg["permissionBoundaryPolicies"] = [
                        {"name": "permissions_boundary", "policy": entry["permissions_boundary"]}
                    ]
                self._worker.call(msg)
                self._loaded.add(key)
        self._items, self._notes = [], []
        for request in workload.requests:
            stored = workload.kind == "stored" and _principal(request) in workload.stored
            simulation, notes = _iam_simulation(request, managed, with_identity=not stored)
            item: dict[str, Any] = {"simulation": simulation}
            if stored:
                item["store"] = f"{workload.name}:{_principal(request)}"
            self._items.append(item)
            self._notes.append(tuple(notes))

    def run(self, indices: Sequence[int]) -> PeerBatch:
        start = time.perf_counter_ns()
        answer = self._worker.call({"op": "simulate", "items": [self._items[i] for i in indices]})
        wall = time.perf_counter_ns() - start
        results = []
        for raw, i in zip(answer["results"], indices, strict=True):
            notes = list(self._notes[i])
            if raw.get("error"):
                notes.append(f"iam-simulate rejected the request: {raw['error']}")
            if raw.get("narrowed"):
                keys = ", ".join(sorted(raw["narrowed"]))
                notes.append(
                    "iam-simulate keeps only the first value of list-valued context keys that its "
                    f"data types as single-valued: {keys}"
                )
            if raw.get("ignored"):
                keys = ", ".join(sorted(raw["ignored"]))
                notes.append(
                    f"iam-simulate ignores context keys it does not list for the action: {keys}"
                )
            results.append(PeerResult(str(raw["outcome"]), tuple(notes), int(raw.get("ns", 0))))
        return PeerBatch(tuple(results), wall)

    def memory_kib(self) -> int | None:
        rss = self._worker.call({"op": "memory"}).get("rss")
        return int(rss) // 1024 if isinstance(rss, int) else None

    def close(self) -> None:
        self._items, self._notes = [], []


# --- versions and the set of peers ----------------------------------------------------------------


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _npm_version(node_dir: Path, package: str) -> str:
    path = node_dir / "node_modules" / package / "package.json"
    try:
        return str(json.loads(path.read_text()).get("version", "unknown"))
    except (OSError, json.JSONDecodeError):
        return "unknown"


@dataclass
class PeerSet:
    """The peers that could start, and notes for those that could not."""

    peers: list[Any] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def open_peers(enabled: bool = True) -> Iterator[PeerSet]:
    """Start every available peer; stop them all on exit."""
    result = PeerSet()
    if not enabled:
        result.skipped = {"cedar": "peers disabled", "iam-simulate": "peers disabled"}
        yield result
        return
    with contextlib.ExitStack() as stack:
        try:
            result.peers.append(CedarPeer())
        except PeerUnavailable as exc:
            result.skipped["cedar"] = str(exc)
        try:
            worker = stack.enter_context(NodeWorker())
            result.peers.append(IamSimulatePeer(worker))
        except PeerUnavailable as exc:
            result.skipped["iam-simulate"] = str(exc)
        yield result
