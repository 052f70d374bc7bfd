"""The measurements: OPA through Engine and `?metrics`, and the peers on the same requests.

Every figure is taken over `repetitions` runs and kept as a Spread (median, IQR, min, max).
Speed comparisons with a peer are made only on the requests where the peer's answer agrees with
OPA's (the "common" requests of a workload); the disagreements are counted and explained.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from pycognito_opa import Engine, Limits, analysis, build_bundle, default_bundle
from pycognito_opa.errors import RequestError

from .hotpath import (
    HOT_STATEMENTS,
    Equality,
    RegisteredError,
    compare_answers,
    equality_total,
    floor_bundle,
    floor_ratios,
    hot_targets,
    target,
    verdict_of,
)
from .peers import IamSimulatePeer, PeerSet, open_peers
from .probe import (
    MetricsProbe,
    Timed,
    by_package,
    by_rule,
    opa_version,
    process_memory,
    profile,
)
from .progress import Progress
from .stats import Spread, percentile
from .workloads import (
    REGISTERED_DATA_PATH,
    REGISTERED_FIELDS_PATH,
    Estate,
    Workload,
    documented_examples,
    managed_policy_documents,
    policy_set_of,
    registered_workload,
    synthetic_estate,
)

ENGINE_TIMEOUT = 600.0
PROFILE_ROWS = 15
MAX_REQUEST_BYTES = 64 * 1024 * 1024
SNAPSHOT_NOTE = (
    "A snapshot on a shared 2-core machine while other work was running: absolute times are "
    "noisy, which is why every figure has its spread and peers are compared by ratio."
)


@dataclass(frozen=True)
class BenchConfig:
    """How much to measure. `quick()` is a small version that runs in seconds."""

    quick: bool = False
    repetitions: int = 5
    latency_calls: int = 1000
    batch_sizes: tuple[int, ...] = (1, 10, 100, 1000)
    min_decisions: int = 2000
    min_batches: int = 3
    eval_batch: int = 1000
    estate_sizes: tuple[int, ...] = (10, 100, 1000, 10000)
    analysis_sizes: tuple[int, ...] = (1000, 10000)
    load_threads: tuple[int, ...] = (1, 4, 16)
    load_seconds: float = 3.0
    estate_requests: int = 200
    estate_statement_budget: int = 500_000  # requests x statements per estate, at most
    estate_batch: int = 100
    inline_budget_bytes: int = 60_000_000
    inline_batch_bytes: int = 8_000_000
    hot_batch: int = 1000  # the stored estate of HOT_STATEMENTS: requests and batch
    verdict_batch_sizes: tuple[int, ...] | None = None  # Engine.verdicts series; None: batch_sizes
    estate_latency_calls: int = 300
    estate_rate_requests: int = 1000  # requests per pass of an estate's Engine throughput
    latency_budget_bytes: int = 15_000_000  # request bytes per single-request series, at most
    # Inline estates also measured registered once (Engine.register_policy_set), each request
    # naming the set; None: every inline estate (the registration of an estate over the request
    # limits is refused, and the refusal reported).
    registered_sizes: tuple[int, ...] | None = None
    peers: bool = True
    profile: bool = True
    seed: int = 0

    @classmethod
    def quick_config(cls) -> BenchConfig:
        return cls(
            quick=True,
            repetitions=2,
            latency_calls=60,
            batch_sizes=(1, 10, 100),
            min_decisions=60,
            min_batches=1,
            eval_batch=120,
            estate_sizes=(10, 100),
            analysis_sizes=(100,),
            load_threads=(1, 4),
            load_seconds=0.5,
            estate_requests=24,
            estate_statement_budget=10_000,
            estate_batch=12,
            inline_budget_bytes=4_000_000,
            hot_batch=24,
            verdict_batch_sizes=(100,),
            estate_latency_calls=3,
            estate_rate_requests=12,
            latency_budget_bytes=1_000_000,
            profile=False,
        )


@dataclass
class _Run:
    """State shared by the phases of one benchmark run."""

    config: BenchConfig
    progress: Progress
    managed: dict[str, dict[str, Any]]
    peers: PeerSet
    out_dir: Path
    agreement: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- helpers -----------------------------------------------------------------------------------


def _cycle(indices: Sequence[int], size: int, offset: int = 0) -> list[int]:
    return [indices[(offset + k) % len(indices)] for k in range(size)]


def _chunks(indices: Sequence[int], size: int) -> list[list[int]]:
    return [list(indices[i : i + size]) for i in range(0, len(indices), size)]


def _batches_needed(config: BenchConfig, batch: int) -> int:
    return max(config.min_batches, math.ceil(config.min_decisions / batch))


def machine() -> dict[str, Any]:
    """nproc, CPU model, memory, OS and Python of this machine."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kib = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_kib = int(line.split()[1])
                    break
    except (OSError, ValueError):
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": nproc,
        "cpu_model": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1) if mem_kib else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def _node_version() -> str:
    import shutil
    import subprocess

    node = shutil.which("node")
    if not node:
        return "absent"
    try:
        return subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


# --- OPA measurements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Latency:
    """A single-request series: p50/p99 figures, and the answer (allowed, decision) given to
    each request index it sent (to compare the verdict and decision entry points)."""

    figures: dict[str, Any]
    answers: dict[int, dict[str, Any]]


def _latency(
    call: Callable[[Mapping[str, Any]], Any],
    reqs: Sequence[Mapping[str, Any]],
    run: _Run,
    label: str,
    calls: int,
) -> _Latency:
    """`call` (Engine.decide, Engine.verdict), one request at a time: p50 and p99 per
    repetition (ms). Every series over the same requests sends them in the same order."""
    p50s, p99s = [], []
    answers: dict[int, dict[str, Any]] = {}
    for rep in range(run.config.repetitions):
        samples = []
        for j in range(calls):
            k = (rep * 7 + j) % len(reqs)
            start = time.perf_counter_ns()
            answer = call(reqs[k])
            samples.append((time.perf_counter_ns() - start) / 1e6)
            answers[k] = {"allowed": answer.allowed, "decision": answer.decision}
        samples.sort()
        p50s.append(percentile(samples, 50))
        p99s.append(percentile(samples, 99))
        run.progress.step(label)
    figures = {
        "calls_per_repetition": calls,
        "p50_ms": Spread.of(p50s).to_dict(),
        "p99_ms": Spread.of(p99s).to_dict(),
    }
    return _Latency(figures, answers)


NONCE_KEY = "bench:nonce"


def distinct_batch(reqs: Sequence[Mapping[str, Any]], indices: Sequence[int]) -> list[Any]:
    """The requests at `indices`; a request repeated within the batch gets a context key that no
    policy reads (`bench:nonce`), so that OPA evaluates every one instead of reusing the result
    of an identical call earlier in the same query."""
    seen: set[int] = set()
    out: list[Any] = []
    for position, i in enumerate(indices):
        request = reqs[i]
        if i in seen and isinstance(request.get("context", {}), Mapping):
            context = {**request.get("context", {}), NONCE_KEY: str(position)}
            request = {**request, "context": context}
        seen.add(i)
        out.append(request)
    return out


def _throughput(
    decide_batch: Callable[[Any], Any],
    indices: Sequence[int],
    run: _Run,
    label: str,
    make_batch: Callable[[list[int]], Any] = list,
    batch_sizes: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Decisions per second at each batch size, over repetitions (batches built untimed)."""
    out: dict[str, Any] = {}
    for batch in batch_sizes or run.config.batch_sizes:
        count = _batches_needed(run.config, batch)
        rates = []
        for rep in range(run.config.repetitions):
            batches = [
                make_batch(_cycle(indices, batch, (rep * count + k) * batch)) for k in range(count)
            ]
            start = time.perf_counter_ns()
            for b in batches:
                decide_batch(b)
            elapsed = (time.perf_counter_ns() - start) / 1e9
            rates.append(count * batch / elapsed)
            run.progress.step(f"{label}: batch {batch}")
        out[str(batch)] = {"batches": count, "decisions_per_s": Spread.of(rates).to_dict()}
    return out


Query = Callable[[Sequence[Mapping[str, Any]]], Timed]


def _opa_per_decision(
    query: Query,
    reqs: Sequence[Mapping[str, Any]],
    indices: Sequence[int],
    batch: int,
    run: _Run,
    label: str,
    keep: list[Any] | None = None,
) -> dict[str, Any]:
    """OPA's own evaluation time and the round trip per decision, over repetitions (µs), for
    one batch entry point (`query`: a MetricsProbe's decisions or verdicts). `keep` receives
    the first repetition's answers, in the order of `indices`."""
    evals, walls = [], []
    for rep in range(run.config.repetitions):
        eval_ns = wall_ns = n = 0
        for chunk in _chunks(indices, batch):
            timed = query(distinct_batch(reqs, chunk))
            if keep is not None and rep == 0:
                keep.extend(timed.results)
            eval_ns += timed.eval_ns
            wall_ns += timed.wall_ns
            n += timed.decisions
        evals.append(eval_ns / n / 1e3)
        walls.append(wall_ns / n / 1e3)
        run.progress.step(label)
    return {
        "batch": batch,
        "decisions_per_repetition": len(indices),
        "eval_us": Spread.of(evals).to_dict(),
        "wall_us": Spread.of(walls).to_dict(),
    }


def _opa_answers(query: Query, reqs: Sequence[Mapping[str, Any]], batch: int) -> list[Any]:
    """What a batch entry point answers for every request, in order, at `batch`."""
    out: list[Any] = []
    for chunk in _chunks(range(len(reqs)), batch):
        out.extend(query([reqs[i] for i in chunk]).results)
    return out


def _decision_names(answers: Sequence[Any]) -> list[str]:
    return [str(r.get("decision", "")) if isinstance(r, Mapping) else "" for r in answers]


def _rate(
    call: Callable[[Any], Any], batches: Sequence[Sequence[Any]], run: _Run, label: str
) -> dict[str, Any]:
    """Decisions per second over one pass of `batches` per repetition (batches built untimed)."""
    total = sum(len(b) for b in batches)
    rates = []
    for _ in range(run.config.repetitions):
        start = time.perf_counter_ns()
        for b in batches:
            call(b)
        rates.append(total / ((time.perf_counter_ns() - start) / 1e9))
        run.progress.step(label)
    return Spread.of(rates).to_dict()


def _memory(pid: int | None) -> dict[str, Any]:
    mem = process_memory(pid)
    return {"rss_kib": mem.rss_kib, "hwm_kib": mem.hwm_kib} if mem else {}


# --- peers ---------------------------------------------------------------------------------------


OPA_DIFFERS = "pycognito-opa differs from the documented decision; the peer matches it"
PEERS_AGREE = "every peer gives this answer with no limitation noted: likely a pycognito-opa defect"


def _reasons(ours: str, peer: str, expected: str | None, notes: Sequence[str]) -> list[str]:
    """Why a peer's answer differs from OPA's: what the request uses that the peer cannot take,
    what the peer said, or that OPA itself differs from the documented decision."""
    if ours == "not_governed_by_iam":
        return ["unsigned API: not governed by IAM in pycognito-opa; the peer evaluates policies"]
    if ours == "invalid":
        return ["request invalid for pycognito-opa; the peer evaluates it"]
    if expected is not None and peer == expected:
        return [OPA_DIFFERS]
    if notes:
        return list(notes)
    if expected is not None and ours == expected:
        return ["the peer differs from the documented decision (no limitation noted)"]
    return ["unexplained"]


def _compare(
    wl: Workload,
    opa: Sequence[str],
    probe: MetricsProbe,
    batch: int,
    run: _Run,
    measured: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[int]:
    """Peers' answers vs OPA's on `wl`, then speed on the requests where they all agree.

    OPA's speed is taken for both entry points, the explained decisions and the verdicts.
    `measured` maps "decisions"/"verdicts" to OPA's per-decision figures on all of `wl` at
    `batch`, reused when every request is common."""
    if not run.peers.peers:
        return list(range(len(wl.requests)))
    everyone = range(len(wl.requests))
    answers: dict[str, list[Any]] = {}
    for peer in run.peers.peers:
        peer.prepare(wl, run.managed)
        answers[peer.name] = []
        for chunk in _chunks(everyone, batch):
            answers[peer.name].extend(peer.run(chunk).results)
        run.progress.step(f"{wl.name}: {peer.name} answers")
    agree_all = set(everyone)
    for name, results in answers.items():
        others = [r for n, r in answers.items() if n != name]
        reasons: Counter[str] = Counter()
        pairs: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        for i, (res, ours) in enumerate(zip(results, opa, strict=True)):
            if res.outcome == ours:
                continue
            agree_all.discard(i)
            pairs[f"{ours} vs {res.outcome}"] += 1
            expected = wl.expected[i] if wl.expected else None
            found = _reasons(ours, res.outcome, expected, res.notes)
            if (
                found == ["unexplained"]
                and others
                and all(o[i].outcome == res.outcome and not o[i].notes for o in others)
            ):
                found = [PEERS_AGREE]
            for reason in found:
                reasons[reason] += 1
                shown = examples.setdefault(reason, [])
                if len(shown) < 5:
                    shown.append(wl.labels[i] if wl.labels else f"requests[{i}]")
        disagree = sum(pairs.values())
        run.agreement.append(
            {
                "workload": wl.name,
                "peer": name,
                "requests": len(wl.requests),
                "agree": len(wl.requests) - disagree,
                "disagree": disagree,
                "pairs": dict(pairs.most_common()),
                "reasons": dict(reasons.most_common()),
                "examples": examples,
            }
        )
    common = sorted(agree_all)
    if not common:
        run.notes.append(f"{wl.name}: no request on which every peer agrees; no speed comparison")
        return common
    figures = _opa_common(probe, wl, common, batch, run, measured or {})
    for peer in run.peers.peers:
        internal, walls = [], []
        for _ in range(run.config.repetitions):
            internal_ns = wall_ns = 0
            for chunk in _chunks(common, batch):
                res = peer.run(chunk)
                internal_ns += res.internal_ns
                wall_ns += res.wall_ns
            internal.append(internal_ns / len(common) / 1e3)
            walls.append(wall_ns / len(common) / 1e3)
            run.progress.step(f"{wl.name}: {peer.name} timing")
        peer_internal = Spread.of(internal)
        peer_wall = Spread.of(walls)
        row: dict[str, Any] = {
            "workload": wl.name,
            "kind": wl.kind,
            "statements": wl.statements,
            "peer": peer.name,
            "requests": len(common),
            "batch": batch,
            "peer_internal_us": peer_internal.to_dict(),
            "peer_wall_us": peer_wall.to_dict(),
        }
        for entry, prefix in (("decisions", ""), ("verdicts", "verdict_")):
            opa_eval = Spread.from_dict(figures[entry]["eval_us"])
            opa_wall = Spread.from_dict(figures[entry]["wall_us"])
            row[f"opa_{prefix}eval_us"] = figures[entry]["eval_us"]
            row[f"opa_{prefix}wall_us"] = figures[entry]["wall_us"]
            row[f"ratio_{prefix}internal"] = (
                peer_internal.median / opa_eval.median if opa_eval.median else None
            )
            row[f"ratio_{prefix}wall"] = (
                peer_wall.median / opa_wall.median if opa_wall.median else None
            )
        if isinstance(peer, IamSimulatePeer):
            row["peer_worker_rss_kib"] = peer.memory_kib()
        run.comparisons.append(row)
    return common


def _opa_common(
    probe: MetricsProbe,
    wl: Workload,
    common: Sequence[int],
    batch: int,
    run: _Run,
    measured: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    """OPA's per-decision figures on the common requests, for decisions and verdicts."""
    queries: dict[str, Query] = {"decisions": probe.decisions, "verdicts": probe.verdicts}
    out: dict[str, dict[str, Any]] = {}
    for entry, query in queries.items():
        label = f"{wl.name}: OPA {entry} common"
        given = measured.get(entry)
        if given is not None and len(common) == len(wl.requests):
            out[entry] = dict(given)
            run.progress.step(label, run.config.repetitions)
        else:
            out[entry] = _opa_per_decision(query, wl.requests, common, batch, run, label)
    return out


def _peer_throughput(common: Sequence[int], run: _Run) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for peer in run.peers.peers:
        out[peer.name] = _throughput(peer.run, common, run, f"{peer.name} throughput")
    return out


# --- the hot path (issue 13) ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Floor:
    """The transport floor: a real OPA, started like the project's, with a trivial policy on
    the same entry points, queried through the same client (Engine) and probe."""

    engine: Engine
    probe: MetricsProbe


@contextmanager
def _open_floor(directory: Path) -> Iterator[_Floor]:
    with _engine(floor_bundle(directory)) as engine, _probe(engine) as probe:
        yield _Floor(engine, probe)


@dataclass(frozen=True)
class _HotPlan:
    """What the hot path of one workload measures: per-decision figures over `indices` at
    `batch`, `calls` single requests per series, and what the phase measured already."""

    batch: int
    indices: Sequence[int]
    calls: int
    decisions: Mapping[str, Any] | None = None  # explained per-decision figures
    decide_latency: _Latency | None = None  # explained single-request series


def _latency_calls(wl: Workload, config: BenchConfig) -> int:
    """Single requests per series: fewer for large requests (inline estates)."""
    by_bytes = config.latency_budget_bytes // max(1, wl.request_bytes())
    return max(min(5, config.estate_latency_calls), min(config.estate_latency_calls, by_bytes))


def _batch_equality(
    probe: MetricsProbe,
    wl: Workload,
    batch: int,
    verdicts: Sequence[Any],
    decisions: Sequence[Any] | None,
) -> Equality:
    """Verdicts vs explained decisions of every request of `wl` (batch entry points)."""
    if decisions is None:
        decisions = _opa_answers(probe.decisions, list(wl.requests), batch)
    labels = list(wl.labels) or [f"requests[{i}]" for i in range(len(wl.requests))]
    return compare_answers(verdicts, decisions, labels)


def _single_equality(wl: Workload, verdict: _Latency, decide: _Latency) -> Equality:
    """Engine.verdict vs Engine.decide on the requests both single-request series sent."""
    both = sorted(set(verdict.answers) & set(decide.answers))
    labels = [wl.labels[i] if wl.labels else f"requests[{i}]" for i in both]
    return compare_answers(
        [verdict.answers[i] for i in both], [decide.answers[i] for i in both], labels
    )


def _hot_path(
    engine: Engine,
    probe: MetricsProbe,
    floor: _Floor,
    wl: Workload,
    plan: _HotPlan,
    run: _Run,
    decisions: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """Verdicts beside explained decisions and the floor, on the same requests: OPA eval and
    round trip per decision at the batch, single-request p50/p99, and their equality.

    `decisions` are the explained answers to every request, when known. The verdicts compared
    with them come from the first timed repetition when plan.indices are every request in
    order, else from a pass over every request that is also the verdicts' warm-up.
    """
    reqs = list(wl.requests)
    name = wl.name
    covers_all = list(plan.indices) == list(range(len(reqs)))
    warm = [reqs[plan.indices[0]]]  # OPA prepares a path's query once: one request warms it
    if covers_all:
        probe.verdicts(warm)
        verdicts: list[Any] = []
    else:
        verdicts = _opa_answers(probe.verdicts, reqs, plan.batch)
    floor.probe.verdicts(warm)
    run.progress.step(f"{name}: warm-up of verdicts and floor")
    explained = plan.decisions or _opa_per_decision(
        probe.decisions, reqs, plan.indices, plan.batch, run, f"{name}: decisions eval"
    )
    verdict_figures = _opa_per_decision(
        probe.verdicts,
        reqs,
        plan.indices,
        plan.batch,
        run,
        f"{name}: verdicts eval",
        verdicts if covers_all else None,
    )
    batch_eq = _batch_equality(probe, wl, plan.batch, verdicts, decisions)
    per = {
        "batch": plan.batch,
        "decisions_per_repetition": len(plan.indices),
        "verdicts": _eval_wall(verdict_figures),
        "decisions": _eval_wall(explained),
        "floor": _eval_wall(
            _opa_per_decision(
                floor.probe.verdicts, reqs, plan.indices, plan.batch, run, f"{name}: floor"
            )
        ),
    }
    verdict = _latency(engine.verdict, reqs, run, f"{name}: Engine.verdict", plan.calls)
    decide = plan.decide_latency or _latency(
        engine.decide, reqs, run, f"{name}: Engine.decide", plan.calls
    )
    floor_single = _latency(floor.engine.verdict, reqs, run, f"{name}: floor single", plan.calls)
    single_eq = _single_equality(wl, verdict, decide)
    return {
        "workload": name,
        "kind": wl.kind,
        "statements": wl.statements,
        "requests": len(reqs),
        "per_decision": per,
        "single": {
            "calls_per_repetition": plan.calls,
            "verdict": _p(verdict.figures),
            "decision": _p(decide.figures),
            "floor": _p(floor_single.figures),
        },
        "equality": {"batch": batch_eq.to_dict(), "single": single_eq.to_dict()},
    }


def _eval_wall(figures: Mapping[str, Any]) -> dict[str, Any]:
    return {"eval_us": figures["eval_us"], "wall_us": figures["wall_us"]}


def _p(figures: Mapping[str, Any]) -> dict[str, Any]:
    return {"p50_ms": figures["p50_ms"], "p99_ms": figures["p99_ms"]}


def _finish_hot(hot: dict[str, Any], throughput: dict[str, Any], run: _Run) -> dict[str, Any]:
    """Add the throughput figures and every ratio to the floor; report mismatches loudly."""
    hot["throughput"] = throughput
    hot["x_floor"] = floor_ratios(hot)
    wrong = equality_total(hot)
    if wrong:
        shown = hot["equality"]["batch"]["examples"] + hot["equality"]["single"]["examples"]
        message = (
            f"VERDICT MISMATCH: {hot['workload']}: {wrong} requests where the verdict differs "
            f"from the explained decision, e.g. {'; '.join(shown[:3])}"
        )
        run.notes.append(message)
        run.progress.note(message)
    return hot


def _estate_throughput(
    engine: Engine, floor: _Floor, wl: Workload, batch: int, run: _Run
) -> dict[str, Any]:
    """Engine.verdicts, Engine.decide_many and the floor's Engine.verdicts at the workload's
    batch: decisions/s over one pass of its requests per repetition (at most
    estate_rate_requests, and latency_budget_bytes of requests, but one batch at least)."""
    by_bytes = run.config.latency_budget_bytes // max(1, wl.request_bytes())
    reqs = list(wl.requests[: max(batch, min(run.config.estate_rate_requests, by_bytes))])
    batches = [distinct_batch(reqs, chunk) for chunk in _chunks(range(len(reqs)), batch)]
    return {
        "batch": batch,
        "verdicts": _rate(engine.verdicts, batches, run, f"{wl.name}: Engine.verdicts"),
        "decisions": _rate(engine.decide_many, batches, run, f"{wl.name}: decide_many"),
        "floor": _rate(floor.engine.verdicts, batches, run, f"{wl.name}: floor verdicts"),
    }


# --- phases --------------------------------------------------------------------------------------


def _examples_phase(
    engine: Engine, probe: MetricsProbe, floor: _Floor, wl: Workload, run: _Run
) -> dict[str, Any]:
    reqs = list(wl.requests)
    indices = list(range(len(reqs)))
    for _ in range(2):  # warm up OPA's caches and the connection
        engine.decide_many(reqs)
    answers = _opa_answers(probe.decisions, reqs, len(reqs))
    opa = _decision_names(answers)
    run.progress.step("documented examples: warm-up")
    result: dict[str, Any] = {"requests": len(reqs), "decisions": dict(Counter(opa))}
    decide = _latency(engine.decide, reqs, run, "latency: Engine.decide", run.config.latency_calls)
    result["latency"] = decide.figures
    singles_eval, singles_wall = [], []
    for _ in range(run.config.repetitions):
        eval_ns = wall_ns = 0
        for r in reqs:
            timed = probe.decision(r)
            eval_ns += timed.eval_ns
            wall_ns += timed.wall_ns
        singles_eval.append(eval_ns / len(reqs) / 1e3)
        singles_wall.append(wall_ns / len(reqs) / 1e3)
        run.progress.step("single decisions with metrics")
    result["single_decision"] = {
        "eval_us": Spread.of(singles_eval).to_dict(),
        "wall_us": Spread.of(singles_wall).to_dict(),
    }
    distinct = partial(distinct_batch, reqs)
    result["throughput"] = _throughput(engine.decide_many, indices, run, "decide_many", distinct)
    largest = max(run.config.batch_sizes)
    verdict_sizes = sorted({*(run.config.verdict_batch_sizes or run.config.batch_sizes), largest})
    # The same batches as one query each: what splitting a batch over the cores gains.
    with Engine(
        engine.url, timeout=ENGINE_TIMEOUT, parallelism=1, token=owner_token(engine)
    ) as one_query:
        result["throughput_one_query"] = _throughput(
            one_query.decide_many,
            indices,
            run,
            "decide_many, one query",
            distinct,
            batch_sizes=[largest],
        )
    result["parallelism"] = engine.parallelism
    if largest > len(reqs):
        # The same batches with plain repeats: OPA reuses a repeated request's result.
        result["throughput_with_repeats"] = _throughput(
            engine.decide_many,
            indices,
            run,
            "decide_many, repeats",
            lambda b: [reqs[i] for i in b],
            batch_sizes=[largest],
        )
    big = _cycle(indices, run.config.eval_batch)
    nonce = _decision_names(probe.decisions(distinct_batch(reqs, big)).results)
    if nonce != [opa[i] for i in big]:
        run.notes.append(f"documented examples: '{NONCE_KEY}' changed some decisions")
    result["per_decision"] = _opa_per_decision(
        probe.decisions, reqs, big, run.config.eval_batch, run, "OPA eval (metrics)"
    )
    result["memory"] = _memory(engine.process.pid if engine.process else None)
    plan = _HotPlan(
        run.config.eval_batch, big, run.config.latency_calls, result["per_decision"], decide
    )
    hot = _hot_path(engine, probe, floor, wl, plan, run, answers)  # warms the verdicts up
    result["throughput_verdicts"] = _throughput(
        engine.verdicts, indices, run, "Engine.verdicts", distinct, batch_sizes=verdict_sizes
    )
    result["throughput_floor"] = _throughput(
        floor.engine.verdicts, indices, run, "floor verdicts", distinct, batch_sizes=[largest]
    )
    throughput = {
        "batch": largest,
        **{
            entry: result[key][str(largest)]["decisions_per_s"]
            for entry, key in (
                ("verdicts", "throughput_verdicts"),
                ("decisions", "throughput"),
                ("floor", "throughput_floor"),
            )
        },
    }
    result["hot_path"] = _finish_hot(hot, throughput, run)
    common = _compare(wl, opa, probe, min(len(reqs), run.config.estate_batch), run)
    result["common_requests"] = len(common)
    if common and run.peers.peers:
        result["common_throughput"] = {
            "opa": _throughput(engine.decide_many, common, run, "OPA common", distinct),
            "opa-verdicts": _throughput(
                engine.verdicts,
                common,
                run,
                "OPA verdicts common",
                distinct,
                batch_sizes=verdict_sizes,
            ),
            **_peer_throughput(common, run),
        }
    return result


def _estate_requests(config: BenchConfig, statements: int) -> int:
    """Fewer requests for the largest estates, to keep a full run within minutes."""
    return max(
        min(20, config.estate_requests),
        min(config.estate_requests, config.estate_statement_budget // statements),
    )


def _stored_requests(config: BenchConfig, statements: int) -> int:
    """The stored estate of HOT_STATEMENTS gets a full batch of distinct requests."""
    usual = _estate_requests(config, statements)
    return max(usual, config.hot_batch) if statements == HOT_STATEMENTS else usual


def _stored_batch(config: BenchConfig, wl: Workload) -> int:
    size = config.hot_batch if wl.statements == HOT_STATEMENTS else config.estate_batch
    return min(size, len(wl.requests))


def _probe(engine: Engine) -> MetricsProbe:
    """A metrics probe of the Engine's OPA, with the token that OPA answers."""
    return MetricsProbe(engine.url, token=owner_token(engine))


def owner_token(engine: Engine) -> str | None:
    """The token an Engine's own OPA answers (None for an OPA it did not start): a probe or a
    second client of the same OPA presents it."""
    return engine.process.owner_token if engine.process is not None else None


def _engine(bundle: Path) -> Engine:
    """A local OPA for the benchmark: long queries and large inline estates allowed."""
    return Engine(
        bundle=bundle,
        timeout=ENGINE_TIMEOUT,
        limits=Limits(max_request_bytes=MAX_REQUEST_BYTES),
    )


def _inline_workload(estate: Estate, config: BenchConfig) -> Workload:
    """The estate inline, with the usual number of requests (the stored estate of
    HOT_STATEMENTS may have more) and within the byte budget."""
    wl = estate.inline()
    wl = replace(wl, requests=wl.requests[: _estate_requests(config, estate.statements)])
    return _trim_inline(wl, config)


def _inline_batch(wl: Workload, config: BenchConfig) -> int:
    size = max(1, wl.request_bytes())
    return max(1, min(config.estate_batch, config.inline_batch_bytes // size))


def _trim_inline(wl: Workload, config: BenchConfig) -> Workload:
    """Inline estates repeat every policy in every request: cap the bytes sent per repetition."""
    size = max(1, wl.request_bytes())
    keep = max(min(10, len(wl.requests)), min(len(wl.requests), config.inline_budget_bytes // size))
    return replace(wl, requests=wl.requests[:keep])


def _estate_phase(
    engine: Engine,
    probe: MetricsProbe,
    floor: _Floor,
    wl: Workload,
    batch: int,
    run: _Run,
    *,
    peers: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The estate's row (explained decisions) and its hot path (verdicts, floor); then the
    peers on the same requests unless `peers` is false."""
    reqs = list(wl.requests)
    answers = _opa_answers(probe.decisions, reqs, batch)  # also the warm-up
    opa = _decision_names(answers)
    run.progress.step(f"{wl.name}: warm-up")
    row: dict[str, Any] = {
        "workload": wl.name,
        "kind": wl.kind,
        "statements": wl.statements,
        "requests": len(reqs),
        "request_bytes": wl.request_bytes(),
        "decisions": dict(Counter(opa)),
    }
    indices = range(len(reqs))
    row.update(
        _opa_per_decision(probe.decisions, reqs, indices, batch, run, f"{wl.name}: OPA eval")
    )
    if wl.kind == "stored":
        row["memory"] = _memory(engine.process.pid if engine.process else None)
    plan = _HotPlan(batch, indices, _latency_calls(wl, run.config), row)
    hot = _hot_path(engine, probe, floor, wl, plan, run, answers)
    hot = _finish_hot(hot, _estate_throughput(engine, floor, wl, batch, run), run)
    if peers:
        measured = {"decisions": row, "verdicts": hot["per_decision"]["verdicts"]}
        _compare(wl, opa, probe, batch, run, measured=measured)
    return row, hot


# --- registered policy sets ------------------------------------------------------------------


def _registered_steps(config: BenchConfig) -> int:
    """Progress steps of one registered estate: registration, guard, then _estate_phase
    without peers."""
    reps = config.repetitions
    return 2 + (1 + reps + 1 + reps * 8)


def _register(
    engine: Engine, policy_set: Mapping[str, Any], run: _Run, label: str
) -> tuple[str, dict[str, Any]]:
    """Register `policy_set` with `engine`: its ID, and the wall time of register_policy_set
    (ms) the first time and over `repetitions` registrations of the same set again, each after
    unregistering it (the Engine returns a set it holds without a query). The size of the entry
    OPA holds, read back from OPA."""
    start = time.perf_counter_ns()
    set_id = engine.register_policy_set(policy_set)
    first_ms = (time.perf_counter_ns() - start) / 1e6
    again = []
    for _ in range(run.config.repetitions):
        engine.unregister_policy_set(set_id)
        start = time.perf_counter_ns()
        same = engine.register_policy_set(policy_set)
        again.append((time.perf_counter_ns() - start) / 1e6)
        if same != set_id:
            raise RegisteredError(f"{label}: the same set registered again as {same}, not {set_id}")
    entry = engine.query(f"{REGISTERED_DATA_PATH}/{set_id}", None)
    if entry is None:
        raise RegisteredError(f"{label}: OPA holds no entry for the registered set {set_id}")
    entry_bytes = len(json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode())
    run.progress.step(f"{label}: registration")
    return set_id, {
        "policy_set": set_id,
        "first_ms": first_ms,
        "register_ms": Spread.of(again).to_dict(),
        "entry_bytes": entry_bytes,
    }


def _registered_guard(
    engine: Engine,
    probe: MetricsProbe,
    inline: Workload,
    registered: Workload,
    batch: int,
    run: _Run,
) -> dict[str, Any]:
    """Before any timing: the registered requests' verdicts, through the Engine and through the
    probe's batch queries (what is timed), against the Engine's verdicts for the same requests
    inline, on every request. A mismatch is a RegisteredError (an error of the run)."""
    expected = [v.to_dict() for v in engine.verdicts(list(inline.requests))]
    through_engine = [v.to_dict() for v in engine.verdicts(list(registered.requests))]
    through_probe = _opa_answers(probe.verdicts, list(registered.requests), batch)
    labels = list(inline.labels) or [f"requests[{i}]" for i in range(len(inline.requests))]
    wrong = [
        f"{label}: inline {verdict_of(want)}, registered {verdict_of(a)} (Engine) "
        f"{verdict_of(b)} (batch query)"
        for want, a, b, label in zip(expected, through_engine, through_probe, labels, strict=True)
        if not verdict_of(want) == verdict_of(a) == verdict_of(b)
    ]
    run.progress.step(f"{registered.name}: verdicts = inline verdicts")
    if wrong:
        raise RegisteredError(
            f"{registered.name}: {len(wrong)} of {len(expected)} requests naming the registered "
            f"set get another verdict than inline, e.g. {'; '.join(wrong[:3])}"
        )
    return {"checked": len(expected), "mismatches": 0}


def _registered_phase(
    engine: Engine,
    probe: MetricsProbe,
    floor: _Floor,
    inline: tuple[Workload, Mapping[str, Any]],
    batch: int,
    run: _Run,
) -> tuple[dict[str, Any], tuple[dict[str, Any], dict[str, Any]] | None]:
    """The inline estate `inline` (its workload and row) registered once with `engine`, then
    the same requests naming it, measured as the inline ones are (same batch, no peers).

    Returns the registration's summary and, unless the registration was refused, the
    registered row and hot path. A refusal is reported with its reason when the inline requests
    are all "invalid" (the estate is over the request limits, which registration applies too);
    otherwise it is a RegisteredError. The set is unregistered afterwards.
    """
    wl, inline_row = inline
    label = wl.name
    fields = engine.query(REGISTERED_FIELDS_PATH, None)
    if not isinstance(fields, list) or not fields:
        raise RegisteredError(f"data.{REGISTERED_FIELDS_PATH.replace('/', '.')} is {fields!r}")
    policy_set = policy_set_of(wl, fields)
    summary: dict[str, Any] = {
        "inline": wl.name,
        "registered": None,
        "statements": wl.statements,
        "requests": len(wl.requests),
        "refused": None,
    }
    try:
        set_id, registration = _register(engine, policy_set, run, label)
    except RequestError as exc:
        if set(inline_row["decisions"]) != {"invalid"}:
            raise RegisteredError(
                f"{label}: registration refused although the inline requests are valid: {exc}"
            ) from exc
        summary["refused"] = str(exc)
        run.notes.append(
            f"{label}: no registered row: register_policy_set refused the estate, as OPA answers "
            f"its inline requests 'invalid' (over the request limits): {exc}"
        )
        run.progress.step(f"{label}: registration refused", _registered_steps(run.config))
        return summary, None
    try:
        reg = registered_workload(wl, set_id, fields)
        summary.update(registered=reg.name, registration=registration)
        summary["inline_verdicts"] = _registered_guard(engine, probe, wl, reg, batch, run)
        row, hot = _estate_phase(engine, probe, floor, reg, batch, run, peers=False)
    finally:
        engine.unregister_policy_set(set_id)
    for out in (row, hot):
        out.update(
            inline_twin=wl.name,
            registration=registration,
            inline_verdicts=summary["inline_verdicts"],
        )
    return summary, (row, hot)


def _stored_bundle(wl: Workload, out_dir: Path) -> Path:
    path = out_dir / f"{wl.name}.tar.gz"
    build_bundle(path, extra_data={"cognito/store": {"principals": wl.stored}})
    return path


def _load_phase(
    engine: Engine, reqs: Sequence[Mapping[str, Any]], run: _Run
) -> list[dict[str, Any]]:
    """Concurrent clients: threads sharing one Engine, each sending Engine.decide for a fixed
    time, valid and invalid requests mixed as they come in the workload. Every answer must be
    the single-threaded one; throughput and latency percentiles per thread count."""
    expected = [d.decision for d in engine.decide_many(list(reqs))]
    rows = []
    for threads in run.config.load_threads:
        throughput, p50s, p99s, wrong = [], [], [], 0
        for _ in range(run.config.repetitions):
            samples: list[list[float]] = [[] for _ in range(threads)]
            errors: list[int] = [0] * threads
            deadline = time.perf_counter() + run.config.load_seconds

            def work(
                n: int,
                samples: list[list[float]] = samples,
                errors: list[int] = errors,
                deadline: float = deadline,
            ) -> None:
                i = n * 31
                while time.perf_counter() < deadline:
                    k = i % len(reqs)
                    start = time.perf_counter_ns()
                    decision = engine.decide(reqs[k])
                    samples[n].append((time.perf_counter_ns() - start) / 1e6)
                    errors[n] += decision.decision != expected[k]
                    i += 1

            workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
            began = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.perf_counter() - began
            merged = sorted(x for per in samples for x in per)
            throughput.append(len(merged) / elapsed)
            p50s.append(percentile(merged, 50))
            p99s.append(percentile(merged, 99))
            wrong += sum(errors)
        rows.append(
            {
                "threads": threads,
                "decisions_per_s": Spread.of(throughput).to_dict(),
                "p50_ms": Spread.of(p50s).to_dict(),
                "p99_ms": Spread.of(p99s).to_dict(),
                "wrong_answers": wrong,
            }
        )
        run.progress.step(f"load: {threads} threads")
    return rows


def _analysis_phase(engine: Engine, run: _Run) -> list[dict[str, Any]]:
    """Wall time of each policy analysis (one OPA query each) on generated policy sets."""
    rows = []
    some_pool = "arn:aws:cognito-idp:us-east-1:100000000000:userpool/us-east-1_P0"
    for size in run.config.analysis_sizes:
        old = analysis.synthetic_policy_set(size, seed=run.config.seed)
        new = analysis.synthetic_policy_set(size, seed=run.config.seed + 1)
        calls: dict[str, Callable[[], object]] = {
            "lint": partial(analysis.lint, engine, old),
            "what-can (per resource type)": partial(analysis.what_can, engine, old),
            "what-can --resource": partial(analysis.what_can, engine, old, resource=some_pool),
            "diff": partial(analysis.diff, engine, old, new),
        }
        for name, call in calls.items():
            seconds = []
            for _ in range(run.config.repetitions):
                start = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - start)
            rows.append(
                {"analysis": name, "statements": size, "seconds": Spread.of(seconds).to_dict()}
            )
            run.progress.step(f"analysis: {name}, {size} statements")
    return rows


def _total_steps(config: BenchConfig, n_peers: int, n_examples: int) -> int:
    reps = config.repetitions
    nb = len(config.batch_sizes)
    compare = n_peers + (reps * (2 + n_peers) if n_peers else 0)
    repeats = reps if max(config.batch_sizes) > n_examples else 0
    examples = 1 + reps * 4 + repeats + reps * nb + compare  # + the one-query series
    nv = len(config.verdict_batch_sizes or config.batch_sizes)
    examples += reps * (nb * (1 + n_peers) + nv) if n_peers else 0
    examples += 1 + reps * 4 + reps * nv + reps  # hot path: verdicts, floor, equality
    estates = len(config.estate_sizes) * 2 * (1 + reps + compare + 1 + reps * 8)
    estates += len(_registered_sizes(config)) * _registered_steps(config)
    analyses = 4 * len(config.analysis_sizes) + len(config.load_threads)
    return examples + estates + analyses + (2 if config.profile else 0) + 1


def _registered_sizes(config: BenchConfig) -> list[int]:
    """The inline estates also measured registered."""
    sizes = config.registered_sizes
    return [n for n in config.estate_sizes if sizes is None or n in sizes]


def run_bench(
    config: BenchConfig,
    out_dir: Path,
    *,
    command: str,
    progress: bool = False,
) -> dict[str, Any]:
    """Run every measurement; return the results as JSON-ready data (report.py writes them)."""
    started = dt.datetime.now(dt.UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    examples = documented_examples()
    estates = [
        synthetic_estate(n, requests=_stored_requests(config, n), seed=config.seed)
        for n in config.estate_sizes
    ]
    result: dict[str, Any] = {
        "meta": {
            "date": started.isoformat(timespec="seconds"),
            "command": command,
            "machine": machine(),
            "versions": {"opa": opa_version(), "node": _node_version()},
            "config": {k: v for k, v in config.__dict__.items()},
            "note": SNAPSHOT_NOTE,
        },
    }
    with (
        open_peers(config.peers) as peers,
        Progress(_total_steps(config, 2, len(examples.requests)), enabled=progress) as bar,
        tempfile.TemporaryDirectory(prefix="pycognito-opa-bench-") as tmp,
        _open_floor(Path(tmp)) as floor,
    ):
        run = _Run(config, bar, managed_policy_documents(), peers, out_dir)
        run.progress.total = _total_steps(config, len(peers.peers), len(examples.requests))
        for name, why in peers.skipped.items():
            run.notes.append(f"peer {name} skipped: {why}")
        result["meta"]["versions"].update({p.name: p.version for p in peers.peers})
        default = default_bundle()
        estate_rows: list[dict[str, Any]] = []
        hot: list[dict[str, Any]] = []
        registered: list[dict[str, Any]] = []
        with _engine(default.path) as engine, _probe(engine) as probe:
            ex = _examples_phase(engine, probe, floor, examples, run)
            hot.append(ex.pop("hot_path"))  # reported with the estates' in result["hot_path"]
            result["documented_examples"] = ex
            for estate in estates:
                wl = _inline_workload(estate, config)
                batch = _inline_batch(wl, config)
                row, row_hot = _estate_phase(engine, probe, floor, wl, batch, run)
                estate_rows.append(row)
                hot.append(row_hot)
                if estate.statements in _registered_sizes(config):
                    # Beside its inline twin: the same requests, at the same batch.
                    summary, twin = _registered_phase(engine, probe, floor, (wl, row), batch, run)
                    registered.append(summary)
                    if twin is not None:
                        estate_rows.append(twin[0])
                        hot.append(twin[1])
            result["documented_examples"]["memory_after_inline"] = _memory(
                engine.process.pid if engine.process else None
            )
            result["load"] = _load_phase(engine, examples.requests, run)
            result["analyses"] = _analysis_phase(engine, run)
        stored_bundles: dict[int, Path] = {}
        for estate in estates:
            wl = estate.stored()
            bundle = _stored_bundle(wl, Path(tmp))
            stored_bundles[estate.statements] = bundle
            with _engine(bundle) as engine, _probe(engine) as probe:
                batch = _stored_batch(config, wl)
                row, row_hot = _estate_phase(engine, probe, floor, wl, batch, run)
                estate_rows.append(row)
                hot.append(row_hot)
        result["estates"] = estate_rows
        result["registered"] = registered
        result["hot_path"] = hot
        if config.profile:
            result["profile"] = _profiles(default.path, examples, estates, stored_bundles, run)
        run.progress.step("done")
        result["agreement"] = run.agreement
        result["comparisons"] = run.comparisons
        result["peers_skipped"] = dict(peers.skipped)
        result["notes"] = run.notes
    result["targets"] = targets(result)
    result["meta"]["duration_s"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
    return result


def _packages(spots: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {"package": p, "total_time_ns": ns, "share": round(share, 4)}
        for p, ns, share in by_package(spots)
    ]


def _profiles(
    default: Path,
    examples: Workload,
    estates: Sequence[Any],
    stored: Mapping[int, Path],
    run: _Run,
) -> list[dict[str, Any]]:
    out = []
    spots = profile(default, list(examples.requests))
    out.append(
        {
            "workload": examples.name,
            "requests": len(examples.requests),
            "packages": _packages(spots),
            "rules": [r.to_dict() for r in by_rule(spots)[:PROFILE_ROWS]],
            "hot": [s.to_dict() for s in spots[:PROFILE_ROWS]],
        }
    )
    run.progress.step("profile: documented examples")
    if stored:
        largest = max(stored)
        estate = next(e for e in estates if e.statements == largest)
        wl = estate.stored()
        batch = list(wl.requests[: min(len(wl.requests), 50)])
        spots = profile(stored[largest], batch)
        out.append(
            {
                "workload": wl.name,
                "requests": len(batch),
                "packages": _packages(spots),
                "rules": [r.to_dict() for r in by_rule(spots)[:PROFILE_ROWS]],
                "hot": [s.to_dict() for s in spots[:PROFILE_ROWS]],
            }
        )
    run.progress.step("profile: largest stored estate")
    return out


# --- targets --------------------------------------------------------------------------------


_target = target


def targets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The issues' targets, each with the measured median and whether it is met (issue 13's,
    the hot path's, last: see hotpath.hot_targets)."""
    out = []
    ex = result.get("documented_examples", {})
    lat = ex.get("latency", {})
    if lat:
        p50 = lat["p50_ms"]["median"]
        p99 = lat["p99_ms"]["median"]
        out.append(_target("single decision p50", "≤ 1 ms", p50, p50 <= 1.0, "Engine.decide"))
        out.append(_target("single decision p99", "≤ 3 ms", p99, p99 <= 3.0, "Engine.decide"))
    tp = ex.get("throughput", {}).get("1000")
    if tp:
        rate = tp["decisions_per_s"]["median"]
        out.append(
            _target("decide_many at batch 1,000", "≥ 20,000 decisions/s", rate, rate >= 20000)
        )
    else:
        out.append(
            _target(
                "decide_many at batch 1,000",
                "≥ 20,000 decisions/s",
                None,
                None,
                "batch 1,000 not measured in this run",
            )
        )
    stored = {
        e["statements"]: e["eval_us"]["median"]
        for e in result.get("estates", [])
        if e["kind"] == "stored"
    }
    if 100 in stored and 10000 in stored and stored[100] > 0:
        ratio = stored[10000] / stored[100]
        out.append(
            _target(
                "stored estate: eval at 10,000 statements ÷ at 100",
                "≤ 5x",
                ratio,
                ratio <= 5.0,
                f"{stored[10000]:.1f} µs vs {stored[100]:.1f} µs per decision",
            )
        )
    else:
        out.append(
            _target(
                "stored estate: eval at 10,000 statements ÷ at 100",
                "≤ 5x",
                None,
                None,
                "not measured in this run",
            )
        )
    for peer in sorted({c["peer"] for c in result.get("comparisons", [])}):
        rows = [c for c in result["comparisons"] if c["peer"] == peer]
        for key, what in (("ratio_internal", "evaluation"), ("ratio_wall", "end to end")):
            ratios = [c[key] for c in rows if c[key] is not None]
            if not ratios:
                continue
            worst = min(ratios)
            faster = sum(r >= 1.0 for r in ratios)
            out.append(
                _target(
                    f"per decision vs {peer} ({what})",
                    "peer time ÷ OPA time ≥ 1 on every workload",
                    worst,
                    worst >= 1.0,
                    f"OPA at least as fast on {faster} of {len(ratios)} workloads; "
                    f"worst ratio {worst:.2f}",
                )
            )
    return out + hot_targets(result)


def command_line() -> str:
    """How this process was started, for the report."""
    prog = Path(sys.argv[0]).name if sys.argv else "python -m benchmarks"
    if prog == "__main__.py":
        prog = "python -m benchmarks"
    return " ".join([prog, *sys.argv[1:]])
