"""Issue 13: the hot path beside the explained path, a transport floor, and their targets.

The hot path is data.cognito.authz.verdict / verdicts ({"allowed", "decision"} only); the
explained path is data.cognito.authz.decision / decisions. The transport floor is a real OPA,
started the same way as the project's, serving a trivial policy on the same four paths: what a
decision costs when there is nothing to evaluate (HTTP, JSON in and out, OPA's query setup).

This module holds no measurement loop (runner.py measures): the floor's bundle, the equality of
verdicts and explained decisions, ratios to the floor, and issue 13's targets.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycognito_opa import _paths
from pycognito_opa.errors import PyCognitoOpaError

# A constant answer on every entry point the project serves; same shape as a verdict.
FLOOR_POLICY = """package cognito.authz

# The transport floor: the project's four entry points, answered with a constant.
answer := {"allowed": false, "decision": "implicit_deny"}

decision := answer

verdict := answer

decisions := [answer | some _ in input.requests]

verdicts := [answer | some _ in input.requests]
"""
FLOOR_BUILD_TIMEOUT = 120.0

# The snapshot the "2x faster" target compares with: OPA's evaluation time per explained decision
# (`?metrics` timer_rego_query_eval_ns, median over 5 repetitions, µs), as recorded in
# benchmarks/results/bench.json by the run of 2026-11-26 at commit b543059 (BENCHMARKS.md).
# Documented examples at batch 1,000; estates at the batch of their row then (100, except
# inline 1,000: 37, inline 10,000: 3, stored 10,000: 50).
BASELINE_COMMIT = "b543059"
BASELINE_EVAL_US: Mapping[str, float] = {
    "documented-examples": 228.768844,
    "estate-10-inline": 472.796795,
    "estate-100-inline": 2004.575835,
    "estate-1000-inline": 14641.966325,
    "estate-10000-inline": 225752.50374074074,
    "estate-10-stored": 331.61278,
    "estate-100-stored": 415.640045,
    "estate-1000-stored": 545.64072,
    "estate-10000-stored": 1610.07648,
}
# Share of requests the snapshot answered "invalid" (documented examples: 2 of 174). A workload
# whose share has grown by more than BASELINE_INVALID_SLACK since is no longer the same work
# (an invalid request is answered before any policy is evaluated) and is left out.
BASELINE_INVALID_SHARE: Mapping[str, float] = {"documented-examples": 2 / 174}
BASELINE_INVALID_SLACK = 0.05
BASELINE_SPEEDUP = 2.0
HOT_STATEMENTS = 100  # the stored estate whose hot path has targets against the floor
HOT_BATCH = 1000
FLOOR_BATCH_RATIO = 6.0
FLOOR_SINGLE_RATIO = 1.5
TARGET_RATE = 20_000
HOT_ISSUE = 13


class FloorError(PyCognitoOpaError):
    """The transport floor's bundle could not be built."""

    code = "bench_floor_failed"


class RegisteredError(PyCognitoOpaError):
    """A registered estate's requests did not get the verdicts of the same requests inline, or
    its registration was refused although those inline requests are valid: an error of the run,
    never a figure (a set OPA cannot find makes every request a quick "invalid")."""

    code = "bench_registered_failed"


def floor_bundle(directory: Path, opa: str | None = None) -> Path:
    """Build the floor's bundle (FLOOR_POLICY) with `opa build` in `directory`; its path."""
    source = directory / "floor-src"
    source.mkdir(parents=True, exist_ok=True)
    (source / "floor.rego").write_text(FLOOR_POLICY)
    # The Engine's OPA admits its owner through the bundle's system.authz: the floor runs the
    # same policy, so it pays the same authorization per HTTP request as the decisions.
    authz = _paths.rego_dir() / "system" / "authz" / "authz.rego"
    (source / "authz.rego").write_text(authz.read_text(encoding="utf-8"))
    out = directory / "floor.tar.gz"
    cmd = [str(_paths.opa_binary(opa)), "build", "--bundle", str(source), "--output", str(out)]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=FLOOR_BUILD_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FloorError(f"opa build of the floor policy failed: {exc}") from exc
    if proc.returncode != 0:
        raise FloorError(f"opa build of the floor policy failed: {proc.stderr.strip()[-500:]}")
    return out


# --- equality of verdicts and explained decisions ------------------------------------------------


@dataclass(frozen=True)
class Equality:
    """Verdicts compared with the explained decisions of the same requests."""

    checked: int
    mismatches: int
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "mismatches": self.mismatches,
            "examples": list(self.examples),
        }


def verdict_of(answer: Any) -> tuple[Any, Any]:
    """(allowed, decision) of a verdict or of an explained decision, as OPA returned it."""
    if not isinstance(answer, Mapping):
        return (None, None)
    return (answer.get("allowed"), answer.get("decision"))


def compare_answers(
    verdicts: Sequence[Any],
    decisions: Sequence[Any],
    labels: Sequence[str],
    shown: int = 5,
) -> Equality:
    """Count the requests whose verdict's allowed/decision differ from the explained one's."""
    wrong = [
        f"{label}: verdict {verdict_of(v)} vs decision {verdict_of(d)}"
        for v, d, label in zip(verdicts, decisions, labels, strict=True)
        if verdict_of(v) != verdict_of(d)
    ]
    return Equality(len(verdicts), len(wrong), tuple(wrong[:shown]))


def registered_twins(
    result: Mapping[str, Any],
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(inline, registered) hot paths of the same estate: each registered workload with the
    inline workload it names as its twin (`inline_twin`), in the order of the results."""
    hots = {h["workload"]: h for h in result.get("hot_path", [])}
    return [
        (hots[h["inline_twin"]], h)
        for h in result.get("hot_path", [])
        if h.get("kind") == "registered" and h.get("inline_twin") in hots
    ]


# --- ratios to the floor ---------------------------------------------------------------------


def _median(raw: Mapping[str, Any] | None) -> float | None:
    if not raw or "median" not in raw:
        return None
    return float(raw["median"])


def _ratio(value: float | None, floor: float | None) -> float | None:
    if value is None or not floor:
        return None
    return value / floor


def floor_ratios(hot: Mapping[str, Any]) -> dict[str, float | None]:
    """Every hot-path and explained figure of one workload as a multiple of the floor's.

    Times are divided by the floor's time for the same thing: round trip per decision by the
    floor's round trip, p50/p99 by the floor's p50/p99. OPA's evaluation time per decision is
    divided by the floor's round trip per decision (how many floors the evaluation alone costs).
    Rates are inverted (floor rate ÷ rate), so every ratio reads "x floor": 1 is the floor.
    """
    per = hot.get("per_decision", {})
    single = hot.get("single", {})
    rate = hot.get("throughput", {})
    floor_wall = _median(per.get("floor", {}).get("wall_us"))
    out: dict[str, float | None] = {}
    for entry in ("verdict", "decision"):
        figures = per.get(f"{entry}s", {})
        out[f"{entry}_eval"] = _ratio(_median(figures.get("eval_us")), floor_wall)
        out[f"{entry}_wall"] = _ratio(_median(figures.get("wall_us")), floor_wall)
        for q in ("p50", "p99"):
            key = f"{q}_ms"
            out[f"{entry}_{q}"] = _ratio(
                _median(single.get(entry, {}).get(key)), _median(single.get("floor", {}).get(key))
            )
        mine = _median(rate.get(f"{entry}s"))
        out[f"{entry}_rate"] = _ratio(_median(rate.get("floor")), mine)
    return out


# --- targets ---------------------------------------------------------------------------------


def target(
    name: str, goal: str, value: float | None, met: bool | None, detail: str = ""
) -> dict[str, Any]:
    """One row of the targets table."""
    return {"name": name, "target": goal, "value": value, "met": met, "detail": detail}


def _hot_workload(result: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((h for h in result.get("hot_path", []) if h["workload"] == name), None)


def _stored_floor_targets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    name = f"estate-{HOT_STATEMENTS}-stored"
    batch_goal = f"≤ {FLOOR_BATCH_RATIO:g}x floor"
    single_goal = f"≤ {FLOOR_SINGLE_RATIO:g}x floor"
    batch_name = f"stored {HOT_STATEMENTS} statements, batch 1,000: verdicts per decision"
    single_name = f"stored {HOT_STATEMENTS} statements, one request: Engine.verdict p50"
    hot = _hot_workload(result, name)
    if hot is None:
        return [
            target(batch_name, batch_goal, None, None, "not measured in this run"),
            target(single_name, single_goal, None, None, "not measured in this run"),
        ]
    ratios = hot["x_floor"]
    per = hot["per_decision"]
    batch = int(per["batch"])
    wall = ratios.get("verdict_wall")
    at_batch = batch == HOT_BATCH
    detail = (
        f"round trip {_median(per['verdicts']['wall_us']) or 0:.1f} µs vs floor "
        f"{_median(per['floor']['wall_us']) or 0:.1f} µs per decision, one query of {batch}"
    )
    if not at_batch:
        detail += f" (batch {batch}, not {HOT_BATCH:,}: not judged)"
    single = hot["single"]
    p50 = ratios.get("verdict_p50")
    return [
        target(
            batch_name,
            batch_goal,
            wall,
            (wall <= FLOOR_BATCH_RATIO) if wall is not None and at_batch else None,
            detail,
        ),
        target(
            single_name,
            single_goal,
            p50,
            p50 <= FLOOR_SINGLE_RATIO if p50 is not None else None,
            f"{_median(single['verdict']['p50_ms']) or 0:.3f} ms vs floor "
            f"{_median(single['floor']['p50_ms']) or 0:.3f} ms",
        ),
    ]


def _rate_target(result: Mapping[str, Any]) -> dict[str, Any]:
    name = "documented examples: Engine.verdicts at batch 1,000"
    goal = f"≥ {TARGET_RATE:,} decisions/s"
    rates = result.get("documented_examples", {}).get("throughput_verdicts", {})
    rate = _median((rates.get(str(HOT_BATCH)) or {}).get("decisions_per_s"))
    if rate is None:
        return target(name, goal, None, None, "batch 1,000 not measured in this run")
    return target(name, goal, rate, rate >= TARGET_RATE, "distinct requests")


def _peer_targets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    rows = [c for c in result.get("comparisons", []) if c["kind"] == "stored"]
    for peer in sorted({c["peer"] for c in rows}):
        mine = [c for c in rows if c["peer"] == peer]
        for key, what in (
            ("ratio_verdict_internal", "evaluation"),
            ("ratio_verdict_wall", "end to end"),
        ):
            ratios = [c.get(key) for c in mine]
            known = [r for r in ratios if r is not None]
            name = f"verdicts per decision vs {peer}, stored estates ({what})"
            goal = "peer time ÷ verdict time > 1 on every stored estate"
            if not known:
                out.append(target(name, goal, None, None, "not measured in this run"))
                continue
            worst = min(known)
            faster = sum(r > 1.0 for r in known)
            out.append(
                target(
                    name,
                    goal,
                    worst,
                    worst > 1.0 and len(known) == len(ratios),
                    f"verdicts faster on {faster} of {len(ratios)} stored estates; "
                    f"worst ratio {worst:.2f}",
                )
            )
    return out


def _invalid_shares(result: Mapping[str, Any]) -> dict[str, float]:
    """Share of each workload's requests answered "invalid" in this run."""
    counts = {"documented-examples": result.get("documented_examples", {}).get("decisions", {})}
    counts.update({e["workload"]: e.get("decisions", {}) for e in result.get("estates", [])})
    return {
        name: c.get("invalid", 0) / sum(c.values())
        for name, c in counts.items()
        if c and sum(c.values())
    }


def _baseline_target(result: Mapping[str, Any]) -> dict[str, Any]:
    name = f"explained decisions vs snapshot {BASELINE_COMMIT}"
    goal = f"≥ {BASELINE_SPEEDUP:g}x faster (OPA eval per decision)"
    invalid = _invalid_shares(result)
    speedups: dict[str, float] = {}
    left_out: list[str] = []
    for hot in result.get("hot_path", []):
        workload = hot["workload"]
        now = _median(hot["per_decision"]["decisions"].get("eval_us"))
        then = BASELINE_EVAL_US.get(workload)
        if not now or not then:
            continue
        share = invalid.get(workload, 0.0)
        if share > BASELINE_INVALID_SHARE.get(workload, 0.0) + BASELINE_INVALID_SLACK:
            left_out.append(f"{workload} ({share:.0%} invalid now)")
            continue
        speedups[workload] = then / now
    out_text = f"; left out: {', '.join(left_out)}" if left_out else ""
    if not speedups:
        return target(name, goal, None, None, "no comparable workload measured" + out_text)
    worst = min(speedups, key=lambda k: speedups[k])
    shown = ", ".join(f"{k} {v:.2f}x" for k, v in speedups.items())
    return target(
        name,
        goal,
        speedups[worst],
        speedups[worst] >= BASELINE_SPEEDUP,
        f"slowest gain: {worst}; {shown}{out_text}",
    )


def _equality_target(result: Mapping[str, Any]) -> dict[str, Any]:
    name = "verdict equality (allowed, decision)"
    hots = result.get("hot_path", [])
    if not hots:
        return target(name, "0 mismatches", None, None, "not measured in this run")
    total = sum(equality_total(h) for h in hots)
    checked = sum(
        h["equality"]["batch"]["checked"] + h["equality"]["single"]["checked"] for h in hots
    )
    bad = [f"{h['workload']}: {equality_total(h)}" for h in hots if equality_total(h)]
    detail = f"{checked:,} comparisons on {len(hots)} workloads"
    if bad:
        detail += "; MISMATCHES on " + ", ".join(bad)
    return target(name, "0 mismatches", float(total), total == 0, detail)


def equality_total(hot: Mapping[str, Any]) -> int:
    """Mismatches of one workload: batch entry points and single-request ones."""
    eq = hot["equality"]
    return int(eq["batch"]["mismatches"]) + int(eq["single"]["mismatches"])


def hot_targets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Issue 13's targets, each with its measured value and whether it is met."""
    rows = [
        *_stored_floor_targets(result),
        _rate_target(result),
        *_peer_targets(result),
        _baseline_target(result),
        _equality_target(result),
    ]
    return [{**row, "issue": HOT_ISSUE} for row in rows]
