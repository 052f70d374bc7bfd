"""The measurements: OPA through Engine and `?metrics`, and the peers on the same requests.

Every figure is taken over `repetitions` runs and kept as a Spread (median, IQR, min, max).
Speed comparisons with a peer are made only on the requests where the peer's answer agrees with
OPA's (the "common" requests of a workload); the disagreements are counted and explained.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from pycognito_opa import Engine, Limits, analysis, build_bundle, default_bundle

from .peers import IamSimulatePeer, PeerSet, open_peers
from .probe import (
    MetricsProbe,
    by_package,
    by_rule,
    opa_version,
    process_memory,
    profile,
)
from .progress import Progress
from .stats import Spread, percentile
from .workloads import (
    Workload,
    documented_examples,
    managed_policy_documents,
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


def _latency(engine: Engine, reqs: Sequence[Mapping[str, Any]], run: _Run) -> dict[str, Any]:
    """Engine.decide, one request at a time: p50 and p99 per repetition (ms)."""
    p50s, p99s = [], []
    for rep in range(run.config.repetitions):
        samples = []
        for j in range(run.config.latency_calls):
            request = reqs[(rep * 7 + j) % len(reqs)]
            start = time.perf_counter_ns()
            engine.decide(request)
            samples.append((time.perf_counter_ns() - start) / 1e6)
        samples.sort()
        p50s.append(percentile(samples, 50))
        p99s.append(percentile(samples, 99))
        run.progress.step("latency: Engine.decide")
    return {
        "calls_per_repetition": run.config.latency_calls,
        "p50_ms": Spread.of(p50s).to_dict(),
        "p99_ms": Spread.of(p99s).to_dict(),
    }


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


def _opa_per_decision(
    probe: MetricsProbe,
    reqs: Sequence[Mapping[str, Any]],
    indices: Sequence[int],
    batch: int,
    run: _Run,
    label: str,
) -> dict[str, Any]:
    """OPA's own evaluation time and the round trip per decision, over repetitions (µs)."""
    evals, walls = [], []
    for _ in range(run.config.repetitions):
        eval_ns = wall_ns = n = 0
        for chunk in _chunks(indices, batch):
            timed = probe.decisions(distinct_batch(reqs, chunk))
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


def _opa_decisions(probe: MetricsProbe, reqs: Sequence[Mapping[str, Any]], batch: int) -> list[str]:
    out: list[str] = []
    for chunk in _chunks(range(len(reqs)), batch):
        timed = probe.decisions([reqs[i] for i in chunk])
        out.extend(str(r.get("decision", "")) for r in timed.results)
    return out


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
    measured: Mapping[str, Any] | None = None,
) -> list[int]:
    """Peers' answers vs OPA's on `wl`, then speed on the requests where they all agree.

    `measured` is OPA's per-decision figure on all of `wl` at `batch`, reused when every request
    is common."""
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
    opa_figures: dict[str, Any]
    if measured is not None and len(common) == len(wl.requests):
        opa_figures = dict(measured)
        run.progress.step(f"{wl.name}: OPA common", run.config.repetitions)
    else:
        opa_figures = _opa_per_decision(
            probe, wl.requests, common, batch, run, f"{wl.name}: OPA common"
        )
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
        opa_eval = Spread.from_dict(opa_figures["eval_us"])
        opa_wall = Spread.from_dict(opa_figures["wall_us"])
        row: dict[str, Any] = {
            "workload": wl.name,
            "kind": wl.kind,
            "statements": wl.statements,
            "peer": peer.name,
            "requests": len(common),
            "batch": batch,
            "opa_eval_us": opa_figures["eval_us"],
            "opa_wall_us": opa_figures["wall_us"],
            "peer_internal_us": peer_internal.to_dict(),
            "peer_wall_us": peer_wall.to_dict(),
            "ratio_internal": peer_internal.median / opa_eval.median if opa_eval.median else None,
            "ratio_wall": peer_wall.median / opa_wall.median if opa_wall.median else None,
        }
        if isinstance(peer, IamSimulatePeer):
            row["peer_worker_rss_kib"] = peer.memory_kib()
        run.comparisons.append(row)
    return common


def _peer_throughput(common: Sequence[int], run: _Run) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for peer in run.peers.peers:
        out[peer.name] = _throughput(peer.run, common, run, f"{peer.name} throughput")
    return out


# --- phases --------------------------------------------------------------------------------------


def _examples_phase(engine: Engine, probe: MetricsProbe, wl: Workload, run: _Run) -> dict[str, Any]:
    reqs = list(wl.requests)
    indices = list(range(len(reqs)))
    for _ in range(2):  # warm up OPA's caches and the connection
        engine.decide_many(reqs)
    opa = _opa_decisions(probe, reqs, len(reqs))
    run.progress.step("documented examples: warm-up")
    result: dict[str, Any] = {"requests": len(reqs), "decisions": dict(Counter(opa))}
    result["latency"] = _latency(engine, reqs, run)
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
    result["throughput"] = _throughput(
        engine.decide_many, indices, run, "decide_many", lambda b: distinct_batch(reqs, b)
    )
    largest = max(run.config.batch_sizes)
    # The same batches as one query each: what splitting a batch over the cores gains.
    with Engine(engine.url, timeout=ENGINE_TIMEOUT, parallelism=1) as one_query:
        result["throughput_one_query"] = _throughput(
            one_query.decide_many,
            indices,
            run,
            "decide_many, one query",
            lambda b: distinct_batch(reqs, b),
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
    nonce = [str(r.get("decision")) for r in probe.decisions(distinct_batch(reqs, big)).results]
    if nonce != [opa[i] for i in big]:
        run.notes.append(f"documented examples: '{NONCE_KEY}' changed some decisions")
    result["per_decision"] = _opa_per_decision(
        probe, reqs, big, run.config.eval_batch, run, "OPA eval (metrics)"
    )
    result["memory"] = _memory(engine.process.pid if engine.process else None)
    common = _compare(wl, opa, probe, min(len(reqs), run.config.estate_batch), run)
    result["common_requests"] = len(common)
    if common and run.peers.peers:
        result["common_throughput"] = {
            "opa": _throughput(
                engine.decide_many, common, run, "OPA common", lambda b: distinct_batch(reqs, b)
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


def _engine(bundle: Path) -> Engine:
    """A local OPA for the benchmark: long queries and large inline estates allowed."""
    return Engine(
        bundle=bundle,
        timeout=ENGINE_TIMEOUT,
        limits=Limits(max_request_bytes=MAX_REQUEST_BYTES),
    )


def _inline_batch(wl: Workload, config: BenchConfig) -> int:
    size = max(1, wl.request_bytes())
    return max(1, min(config.estate_batch, config.inline_batch_bytes // size))


def _trim_inline(wl: Workload, config: BenchConfig) -> Workload:
    """Inline estates repeat every policy in every request: cap the bytes sent per repetition."""
    size = max(1, wl.request_bytes())
    keep = max(min(10, len(wl.requests)), min(len(wl.requests), config.inline_budget_bytes // size))
    return replace(wl, requests=wl.requests[:keep])


def _estate_phase(
    engine: Engine, probe: MetricsProbe, wl: Workload, batch: int, run: _Run
) -> dict[str, Any]:
    reqs = list(wl.requests)
    opa = _opa_decisions(probe, reqs, batch)  # also the warm-up
    run.progress.step(f"{wl.name}: warm-up")
    row: dict[str, Any] = {
        "workload": wl.name,
        "kind": wl.kind,
        "statements": wl.statements,
        "requests": len(reqs),
        "request_bytes": wl.request_bytes(),
        "decisions": dict(Counter(opa)),
    }
    row.update(_opa_per_decision(probe, reqs, range(len(reqs)), batch, run, f"{wl.name}: OPA eval"))
    if wl.kind == "stored":
        row["memory"] = _memory(engine.process.pid if engine.process else None)
    _compare(wl, opa, probe, batch, run, measured=row)
    return row


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
    compare = n_peers + (reps * (1 + n_peers) if n_peers else 0)
    repeats = reps if max(config.batch_sizes) > n_examples else 0
    examples = 1 + reps * 4 + repeats + reps * nb + compare  # + the one-query series
    examples += reps * nb * (1 + n_peers) if n_peers else 0
    estates = len(config.estate_sizes) * 2 * (1 + reps + compare)
    analyses = 4 * len(config.analysis_sizes) + len(config.load_threads)
    return examples + estates + analyses + (2 if config.profile else 0) + 1


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
        synthetic_estate(n, requests=_estate_requests(config, n), seed=config.seed)
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
    ):
        run = _Run(config, bar, managed_policy_documents(), peers, out_dir)
        run.progress.total = _total_steps(config, len(peers.peers), len(examples.requests))
        for name, why in peers.skipped.items():
            run.notes.append(f"peer {name} skipped: {why}")
        result["meta"]["versions"].update({p.name: p.version for p in peers.peers})
        default = default_bundle()
        estate_rows: list[dict[str, Any]] = []
        with _engine(default.path) as engine, MetricsProbe(engine.url) as probe:
            result["documented_examples"] = _examples_phase(engine, probe, examples, run)
            for estate in estates:
                wl = _trim_inline(estate.inline(), config)
                estate_rows.append(_estate_phase(engine, probe, wl, _inline_batch(wl, config), run))
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
            with _engine(bundle) as engine, MetricsProbe(engine.url) as probe:
                batch = min(config.estate_batch, len(wl.requests))
                estate_rows.append(_estate_phase(engine, probe, wl, batch, run))
        result["estates"] = estate_rows
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


def _target(
    name: str, goal: str, value: float | None, met: bool | None, detail: str = ""
) -> dict[str, Any]:
    return {"name": name, "target": goal, "value": value, "met": met, "detail": detail}


def targets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured median and whether it is met."""
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
    return out


def command_line() -> str:
    """How this process was started, for the report."""
    prog = Path(sys.argv[0]).name if sys.argv else "python -m benchmarks"
    if prog == "__main__.py":
        prog = "python -m benchmarks"
    return " ".join([prog, *sys.argv[1:]])
