"""What OPA says about itself: evaluation time (`?metrics`), process memory, and rule profiles."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from pycognito_opa import _paths
from pycognito_opa._client import DECISION_PATH, DECISIONS_PATH, VERDICT_PATH, VERDICTS_PATH
from pycognito_opa.errors import OpaQueryError

PROFILE_QUERY = "data.cognito.authz.decisions"


def _json(value: Any) -> bytes:
    """Compact JSON; the benchmark sends large inputs on purpose (no client-side size limit)."""
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Timed:
    """One query with metrics: OPA's evaluation time, the round trip, how many decisions."""

    eval_ns: int
    wall_ns: int
    decisions: int
    results: list[Any]


class MetricsProbe:
    """Decision queries with `?metrics=true`, to read OPA's own timer_rego_query_eval_ns.

    A probe of its own (one keep-alive session) so that the engine's client stays untouched.
    """

    def __init__(self, url: str, timeout: float = 600.0, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        if token is not None:  # an Engine's own OPA answers only its owner's token
            self._session.headers["Authorization"] = f"Bearer {token}"

    def _post(self, path: str, input_value: Any) -> tuple[dict[str, Any], int]:
        body = b'{"input":' + _json(input_value) + b"}"
        start = time.perf_counter_ns()
        try:
            resp = self._session.post(
                f"{self.url}/v1/data/{path}",
                params={"metrics": "true"},
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise OpaQueryError(f"cannot reach OPA at {self.url}: {exc}") from exc
        wall = time.perf_counter_ns() - start
        if resp.status_code != 200:
            raise OpaQueryError(f"OPA answered {resp.status_code}: {resp.text.strip()[:300]}")
        payload = resp.json()
        if "result" not in payload:
            raise OpaQueryError(f"data.{path.replace('/', '.')} is undefined")
        return payload, wall

    @staticmethod
    def _eval_ns(payload: Mapping[str, Any]) -> int:
        metrics = payload.get("metrics") or {}
        if "timer_rego_query_eval_ns" not in metrics:
            raise OpaQueryError("OPA sent no timer_rego_query_eval_ns metric")
        return int(metrics["timer_rego_query_eval_ns"])

    def many(self, path: str, batch: Sequence[Mapping[str, Any]]) -> Timed:
        """One query of `batch` to a batch entry point (input `{"requests": [...]}`)."""
        payload, wall = self._post(path, {"requests": list(batch)})
        results = payload["result"]
        if not isinstance(results, list) or len(results) != len(batch):
            raise OpaQueryError("OPA returned a different number of answers than requests")
        return Timed(self._eval_ns(payload), wall, len(batch), results)

    def one(self, path: str, request: Mapping[str, Any]) -> Timed:
        """One query of one request to a single-request entry point."""
        payload, wall = self._post(path, request)
        return Timed(self._eval_ns(payload), wall, 1, [payload["result"]])

    def decisions(self, batch: Sequence[Mapping[str, Any]]) -> Timed:
        """data.cognito.authz.decisions: the explained decisions."""
        return self.many(DECISIONS_PATH, batch)

    def decision(self, request: Mapping[str, Any]) -> Timed:
        return self.one(DECISION_PATH, request)

    def verdicts(self, batch: Sequence[Mapping[str, Any]]) -> Timed:
        """data.cognito.authz.verdicts: {"allowed", "decision"} only (the hot path)."""
        return self.many(VERDICTS_PATH, batch)

    def verdict(self, request: Mapping[str, Any]) -> Timed:
        return self.one(VERDICT_PATH, request)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> MetricsProbe:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class Memory:
    """Resident set size now and its peak (high-water mark), in KiB."""

    rss_kib: int
    hwm_kib: int


def process_memory(pid: int | None) -> Memory | None:
    """VmRSS and VmHWM of a process from /proc/PID/status (Linux); None elsewhere."""
    if pid is None:
        return None
    fields: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if "VmRSS" not in fields:
        return None
    return Memory(fields["VmRSS"], fields.get("VmHWM", fields["VmRSS"]))


# --- profiles of the hot rules --------------------------------------------------------------------


@dataclass(frozen=True)
class HotSpot:
    """One line of `opa eval --profile`: where, the rule it belongs to, time and counts."""

    location: str
    package: str
    rule: str
    source: str
    total_time_ns: int
    num_eval: int
    num_redo: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "package": self.package,
            "rule": self.rule,
            "source": self.source,
            "total_time_ns": self.total_time_ns,
            "num_eval": self.num_eval,
            "num_redo": self.num_redo,
        }


def _bundle_modules(bundle: Path) -> dict[str, list[str]]:
    """The Rego modules of a built bundle, by path inside it, as lines."""
    out: dict[str, list[str]] = {}
    with tarfile.open(bundle, "r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith(".rego"):
                fh = tar.extractfile(member)
                if fh is not None:
                    out["/" + member.name.lstrip("/")] = fh.read().decode().splitlines()
    return out


def _enclosing_rule(lines: Sequence[str], row: int) -> tuple[str, str]:
    """(package, rule head) of the rule that line `row` (1-based) belongs to."""
    package = next((ln.split()[1] for ln in lines if ln.startswith("package ")), "?")
    for i in range(min(row, len(lines)) - 1, -1, -1):
        text = lines[i]
        if not text or text[0].isspace() or text.startswith(("#", "}", "]", ")", "else")):
            continue
        if text.startswith(("package ", "import ")):
            break
        head = text.removeprefix("default ")
        for sep in (" if ", " := ", " = ", " contains ", " {"):
            head = head.split(sep, 1)[0]
        return package, f"{package}.{head.strip()}"
    return package, package


def profile(
    bundle: Path,
    batch: Sequence[Mapping[str, Any]],
    *,
    limit: int = 5000,
    opa: str | os.PathLike[str] | None = None,
    timeout: float = 900.0,
) -> list[HotSpot]:
    """`opa eval --profile` of data.cognito.authz.decisions over `batch`: the hottest lines."""
    opa_bin = _paths.opa_binary(opa)
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-profile-") as tmp:
        input_file = Path(tmp) / "input.json"
        input_file.write_bytes(_json({"requests": list(batch)}))
        cmd = [
            str(opa_bin),
            "eval",
            "--bundle",
            str(bundle),
            "--input",
            str(input_file),
            "--format",
            "json",
            "--profile",
            "--profile-sort",
            "total_time_ns",
            "--profile-limit",
            str(limit),
            PROFILE_QUERY,
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OpaQueryError(f"opa eval --profile took longer than {timeout:.0f}s") from exc
    if proc.returncode != 0:
        raise OpaQueryError(f"opa eval --profile failed: {proc.stderr.decode()[-500:]}")
    try:
        rows = json.loads(proc.stdout).get("profile") or []
    except json.JSONDecodeError as exc:
        raise OpaQueryError(f"opa eval --profile printed no JSON: {exc}") from exc
    modules = _bundle_modules(bundle)
    spots = []
    for row in rows:
        loc = row.get("location") or {}
        file = str(loc.get("file", ""))
        line = int(loc.get("row", 0))
        lines = modules.get(file) or modules.get("/" + file.lstrip("/")) or []
        source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        short = file.rsplit("/policies/", 1)[-1] if "/policies/" in file else file.lstrip("/")
        package, rule = _enclosing_rule(lines, line) if lines else ("?", "?")
        spots.append(
            HotSpot(
                location=f"{short}:{line}",
                package=package,
                rule=rule,
                source=source[:120],
                total_time_ns=int(row.get("total_time_ns", 0)),
                num_eval=int(row.get("num_eval", 0)),
                num_redo=int(row.get("num_redo", 0)),
            )
        )
    return spots


@dataclass(frozen=True)
class HotRule:
    """The profile's lines summed by the rule they belong to."""

    rule: str
    total_time_ns: int
    num_eval: int
    lines: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "total_time_ns": self.total_time_ns,
            "num_eval": self.num_eval,
            "lines": self.lines,
        }


def by_rule(spots: Sequence[HotSpot]) -> list[HotRule]:
    """Time per rule (a rule's lines added up; time in rules it calls is counted there too)."""
    totals: dict[str, list[int]] = {}
    for spot in spots:
        t = totals.setdefault(spot.rule, [0, 0, 0])
        t[0] += spot.total_time_ns
        t[1] = max(t[1], spot.num_eval)
        t[2] += 1
    rules = [HotRule(rule, t[0], t[1], t[2]) for rule, t in totals.items()]
    return sorted(rules, key=lambda r: r.total_time_ns, reverse=True)


def by_package(spots: Sequence[HotSpot]) -> list[tuple[str, int, float]]:
    """(package, time, share of the profile's time) for each Rego package, largest first."""
    totals: dict[str, int] = {}
    for spot in spots:
        totals[spot.package] = totals.get(spot.package, 0) + spot.total_time_ns
    grand = sum(totals.values()) or 1
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    return [(pkg, ns, ns / grand) for pkg, ns in ranked]


def opa_version(opa: str | os.PathLike[str] | None = None) -> str:
    try:
        proc = subprocess.run(
            [str(_paths.opa_binary(opa)), "version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    for line in proc.stdout.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "unknown"
