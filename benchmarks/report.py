"""The benchmark's outputs: results JSON, a Markdown report with tables, and PNG plots."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .hotpath import HOT_ISSUE, equality_total, registered_twins
from .stats import Spread

JSON_NAME = "bench.json"
MARKDOWN_NAME = "bench.md"
THROUGHPUT_PNG = "throughput_vs_batch.png"
STATEMENTS_PNG = "eval_vs_statements.png"
TARGET_THROUGHPUT = 20_000


def _s(raw: Mapping[str, Any] | None, digits: int = 2) -> str:
    return Spread.from_dict(dict(raw)).text(digits) if raw else "-"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _met(met: bool | None, value: float | None = None) -> str:
    if met is None and value is not None:
        return "not judged"  # measured, but not as the target asks (see its detail)
    return {True: "met", False: "**not met**", None: "not measured"}[met]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


def markdown(result: Mapping[str, Any], *, images: Sequence[str] = ()) -> str:
    """The results as Markdown: targets, OPA figures, estates, peers, hot rules, notes."""
    meta = result["meta"]
    m = meta["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    out = [
        "# pycognito-opa benchmark results",
        "",
        f"- date: {meta['date']} (run took {meta.get('duration_s', '?')} s)",
        f"- machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB memory, "
        f"{m['os']}, Python {m['python']}",
        f"- versions: {versions}",
        f"- command: `{meta['command']}`",
        f"- repetitions: {meta['config']['repetitions']}; figures are median (IQR q1-q3) "
        "over repetitions",
        "",
        f"> {meta['note']}",
        "",
        *_mismatch_banner(result),
        "## Targets",
        "",
    ]
    out += _table(
        ["target", "goal", "measured (median)", "status", "detail"],
        [
            [t["name"], t["target"], _num(t["value"]), _met(t["met"], t["value"]), t["detail"]]
            for t in result.get("targets", [])
        ],
    )
    ex = result.get("documented_examples")
    if ex:
        out += ["", f"## OPA on the documented examples ({ex['requests']} requests)", ""]
        decisions = ", ".join(f"{k} {v}" for k, v in sorted(ex["decisions"].items()))
        out += [f"Decisions: {decisions}.", ""]
        per = ex["per_decision"]
        rows = [
            ["Engine.decide latency p50 (ms)", _s(ex["latency"]["p50_ms"], 3)],
            ["Engine.decide latency p99 (ms)", _s(ex["latency"]["p99_ms"], 3)],
            [
                "single decision: OPA evaluation (µs, `?metrics`)",
                _s(ex["single_decision"]["eval_us"], 1),
            ],
            ["single decision: HTTP round trip (µs)", _s(ex["single_decision"]["wall_us"], 1)],
            [
                f"batch {per['batch']}: OPA evaluation per decision (µs)",
                _s(per["eval_us"], 1),
            ],
            [f"batch {per['batch']}: round trip per decision (µs)", _s(per["wall_us"], 1)],
        ]
        series = [
            ("throughput", "decide_many throughput, batch {batch}, distinct requests"),
            ("throughput_verdicts", "Engine.verdicts throughput (hot path), batch {batch}"),
            ("throughput_floor", "transport floor, Engine.verdicts, batch {batch}"),
            (
                "throughput_one_query",
                "decide_many, batch {batch} sent as one query, not split over "
                + str(ex.get("parallelism", "?")),
            ),
            (
                "throughput_with_repeats",
                "decide_many, batch {batch} with repeated identical requests",
            ),
        ]
        for key, label in series:
            for batch, tp in (ex.get(key) or {}).items():
                rows.append(
                    [f"{label.format(batch=batch)} (decisions/s)", _s(tp["decisions_per_s"], 0)]
                )
        mem = ex.get("memory") or {}
        if mem:
            rows.append(["OPA RSS after the examples (MiB)", _num(mem["rss_kib"] / 1024, 1)])
        mem = ex.get("memory_after_inline") or {}
        if mem:
            rows.append(
                ["OPA peak RSS after the inline estates too (MiB)", _num(mem["hwm_kib"] / 1024, 1)]
            )
        out += _table(["figure", "value"], rows)
    estates = result.get("estates", [])
    if estates:
        out += ["", "## Policy estates", ""]
        out += [
            "Synthetic Cognito estates (policies of ten statements: literal and wildcard actions,"
            " per-pool ARNs, explicit denies, conditions, policy variables). *inline*: the whole"
            " estate in every request; *stored*: in the bundle behind the request's principal;"
            " *registered*: the inline estate registered once with the Engine"
            " (`Engine.register_policy_set`), the same requests each naming it (`policy_set`),"
            " beside its inline twin.",
            "",
        ]
        rows = []
        for e in estates:
            mem = (e.get("memory") or {}).get("rss_kib")
            rows.append(
                [
                    f"{e['statements']:,}",
                    e["kind"],
                    str(e["requests"]),
                    f"{e['request_bytes']:,}",
                    str(e["batch"]),
                    _s(e["eval_us"], 1),
                    _s(e["wall_us"], 1),
                    _num(mem / 1024, 1) if mem else "-",
                ]
            )
        out += _table(
            [
                "statements",
                "mode",
                "requests",
                "bytes/request",
                "batch",
                "OPA eval µs/decision",
                "round trip µs/decision",
                "OPA RSS MiB",
            ],
            rows,
        )
    out += registered_section(result)
    out += hot_path_section(result)
    load = result.get("load", [])
    if load:
        out += ["", "## Concurrent clients (threads sharing one Engine, documented examples)", ""]
        rows = [
            [str(r["threads"]), _s(r["decisions_per_s"], 0), _s(r["p50_ms"]), _s(r["p99_ms"]),
             str(r["wrong_answers"])]
            for r in load
        ]  # fmt: skip
        out += _table(["threads", "decisions/s", "p50 ms", "p99 ms", "wrong answers"], rows)
    analyses = result.get("analyses", [])
    if analyses:
        out += ["", "## Policy analyses (one OPA query each, generated policy sets)", ""]
        rows = [[a["analysis"], str(a["statements"]), _s(a["seconds"])] for a in analyses]
        out += _table(["analysis", "statements", "seconds, median (IQR)"], rows)
    agreement = result.get("agreement", [])
    if agreement:
        out += ["", "## Peers: do they give the same answers?", ""]
        rows = []
        for a in agreement:
            reasons = "; ".join(f"{n}x {r}" for r, n in a["reasons"].items()) or "-"
            rows.append(
                [
                    a["workload"],
                    a["peer"],
                    f"{a['agree']}/{a['requests']}",
                    str(a["disagree"]),
                    reasons,
                ]
            )
        out += _table(["workload", "peer", "agree", "disagree", "why they differ"], rows)
    comparisons = result.get("comparisons", [])
    if comparisons:
        out += [
            "",
            "## Peers: speed on the requests where every peer agrees",
            "",
            "Ratio = peer time ÷ OPA time per decision (above 1: OPA is faster), for OPA's "
            "explained decisions (`decisions`) and its hot path (`verdicts`). *eval*: each "
            "engine's own evaluation time (OPA: `timer_rego_query_eval_ns`; Cedar: "
            "`authz_duration_micros`; iam-simulate: `runSimulation` timed inside Node). "
            "*end to end*: through each one's API from Python (OPA over loopback HTTP, Cedar in "
            "process, iam-simulate over a pipe to its worker).",
            "",
        ]
        rows = []
        for c in comparisons:
            rows.append(
                [
                    c["workload"],
                    c["peer"],
                    str(c["requests"]),
                    str(c["batch"]),
                    _s(c["opa_eval_us"], 1),
                    _s(c.get("opa_verdict_eval_us"), 1),
                    _s(c["peer_internal_us"], 1),
                    _num(c["ratio_internal"]),
                    _num(c.get("ratio_verdict_internal")),
                    _s(c["opa_wall_us"], 1),
                    _s(c.get("opa_verdict_wall_us"), 1),
                    _s(c["peer_wall_us"], 1),
                    _num(c["ratio_wall"]),
                    _num(c.get("ratio_verdict_wall")),
                ]
            )
        out += _table(
            [
                "workload",
                "peer",
                "requests",
                "batch",
                "OPA decision eval µs",
                "OPA verdict eval µs",
                "peer eval µs",
                "eval ratio (decision)",
                "eval ratio (verdict)",
                "OPA decision end to end µs",
                "OPA verdict end to end µs",
                "peer end to end µs",
                "end-to-end ratio (decision)",
                "end-to-end ratio (verdict)",
            ],
            rows,
        )
    common = ex.get("common_throughput") if ex else None
    if ex and common:
        engines = list(common)
        batches = list(next(iter(common.values())))
        out += [
            "",
            f"Throughput on the {ex['common_requests']} documented examples where every "
            "peer agrees (decisions/s):",
            "",
        ]
        rows = [
            [b] + [_s(common[e].get(b, {}).get("decisions_per_s"), 0) for e in engines]
            for b in batches
        ]
        out += _table(["batch", *engines], rows)
    for prof in result.get("profile", []):
        out += [
            "",
            f"## Hot rules: `opa eval --profile`, {prof['workload']} "
            f"({prof['requests']} requests in one query)",
            "",
        ]
        packages = prof.get("packages") or []
        if packages:
            shares = ", ".join(
                f"{p['package']} {p['share'] * 100:.0f}%"
                for p in packages[:8]
                if p["share"] >= 0.01
            )
            out += [f"Share of the profiled time by package: {shares}.", ""]
        rules = prof.get("rules") or []
        if rules:
            out += [
                "By rule (the time of a rule's own lines; a line that calls another rule also "
                "counts the time spent there, so the rows overlap):",
                "",
            ]
            rows = [
                [f"{r['total_time_ns'] / 1e6:,.1f}", f"{r['num_eval']:,}", f"`{r['rule']}`"]
                for r in rules[:10]
            ]
            out += _table(["ms", "evals (max line)", "rule"], rows)
            out += ["", "Hottest lines:", ""]
        rows = [
            [
                f"{h['total_time_ns'] / 1e6:,.1f}",
                f"{h['num_eval']:,}",
                f"`{h['rule']}`",
                f"`{h['location']}`",
                f"`{h['source'][:70]}`",
            ]
            for h in prof["hot"][:10]
        ]
        out += _table(["ms", "evals", "rule", "where", "expression"], rows)
    notes = list(result.get("notes", []))
    if notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    if images:
        out += ["", "## Plots", ""] + [f"![{Path(i).stem}]({i})" for i in images]
    return "\n".join(out) + "\n"


# --- registered policy sets ----------------------------------------------------------------


def _gain(inline: Mapping[str, Any] | None, registered: Mapping[str, Any] | None) -> str:
    """inline ÷ registered of two spreads' medians (above 1: registered is cheaper)."""
    if not inline or not registered or not registered.get("median"):
        return "-"
    return _x(float(inline["median"]) / float(registered["median"]))


def _twin_rows(inline: Mapping[str, Any], registered: Mapping[str, Any]) -> list[list[str]]:
    """One estate's figures inline and registered, side by side, and the gain: inline ÷
    registered (rates: registered ÷ inline, so that above 1 always reads "registered is
    faster")."""

    def row(label: str, keys: Sequence[str], digits: int, rate: bool = False) -> list[str]:
        mine: Any = inline
        theirs: Any = registered
        for key in keys:
            mine, theirs = mine[key], theirs[key]
        gain = _gain(theirs, mine) if rate else _gain(mine, theirs)
        return [label, _s(mine, digits), _s(theirs, digits), gain]

    batch = registered["per_decision"]["batch"]
    rows = [
        row(
            f"OPA evaluation per {entry[:-1]}, batch {batch} (µs, `?metrics`)",
            ("per_decision", entry, "eval_us"),
            1,
        )
        for entry in ("verdicts", "decisions")
    ]
    for entry, call in (("verdict", "Engine.verdict"), ("decision", "Engine.decide")):
        for q in ("p50", "p99"):
            rows.append(row(f"one request, {call} {q} (ms)", ("single", entry, f"{q}_ms"), 3))
    rate_batch = registered["throughput"]["batch"]
    label = f"Engine.verdicts at batch {rate_batch} (decisions/s)"
    rows.append(row(label, ("throughput", "verdicts"), 0, rate=True))
    return rows


def registered_section(result: Mapping[str, Any]) -> list[str]:
    """Each inline estate registered once: what the registration costs, or why it was refused,
    then the registered figures beside the inline ones on the same requests."""
    summaries = result.get("registered", [])
    if not summaries:
        return []
    out = [
        "",
        "## Registered policy sets: the inline estates registered once",
        "",
        "Each inline estate's policies registered once with the Engine that measures it "
        "(`Engine.register_policy_set`: validated, compiled and indexed by its OPA), then the "
        "same requests, each naming the set (`policy_set`) instead of carrying the policies, "
        "at the same batch. Before any timing, every registered request's verdict (through the "
        "Engine and through the timed batch queries) must equal the same request's verdict "
        "inline: a mismatch stops the run. *registration*: wall time of register_policy_set, "
        "the first time and again after unregistering (over the repetitions); *entry*: the "
        "compiled entry OPA holds. *gain*: inline time ÷ registered time (rates: registered ÷ "
        "inline); above 1, the registered set is faster.",
        "",
    ]
    rows = []
    for s in summaries:
        reg = s.get("registration") or {}
        same = s.get("inline_verdicts") or {}
        rows.append(
            [
                f"{s['statements']:,}",
                str(s["requests"]),
                _num(reg.get("first_ms"), 1),
                _s(reg.get("register_ms"), 1),
                f"{reg['entry_bytes']:,}" if reg else "-",
                f"{same['checked'] - same['mismatches']:,} of {same['checked']:,}" if same else "-",
                f"no registered row: {s['refused']}" if s.get("refused") else "measured",
            ]
        )
    out += _table(
        [
            "statements",
            "requests",
            "first registration ms",
            "registration again ms",
            "entry bytes",
            "registered verdicts = inline verdicts",
            "registered row",
        ],
        rows,
    )
    for inline, registered in registered_twins(result):
        out += [
            "",
            f"### {inline['workload']} beside {registered['workload']} "
            f"({registered['requests']} requests, {registered['statements']:,} statements)",
            "",
        ]
        out += _table(
            ["figure", "inline", "registered", "gain"],
            _twin_rows(inline, registered),
        )
    return out


# --- the hot path (issue 13) -------------------------------------------------------------------


def _mismatch_banner(result: Mapping[str, Any]) -> list[str]:
    """A loud line at the top when a verdict differs from its explained decision."""
    bad = [(h["workload"], equality_total(h)) for h in result.get("hot_path", [])]
    bad = [(name, n) for name, n in bad if n]
    if not bad:
        return []
    where = ", ".join(f"{name}: {n}" for name, n in bad)
    return [
        f"> **VERDICT MISMATCHES: {sum(n for _, n in bad)}.** The verdict entry points "
        f"disagree with the explained decisions ({where}); see the Hot path section.",
        "",
    ]


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}x"


def _equality_line(hot: Mapping[str, Any]) -> str:
    eq = hot["equality"]
    parts = []
    for key, what in (("batch", "batch entry points"), ("single", "single requests")):
        e = eq[key]
        agree = e["checked"] - e["mismatches"]
        parts.append(f"{agree:,} of {e['checked']:,} ({what})")
    text = "Verdict = explained decision (allowed, decision) on " + " and ".join(parts) + "."
    if equality_total(hot):
        shown = "; ".join(eq["batch"]["examples"] + eq["single"]["examples"])
        text = f"**MISMATCHES: {equality_total(hot)}.** {text} For example: {shown}"
    return text


def _hot_table(hot: Mapping[str, Any]) -> list[str]:
    per, single, rate, x = hot["per_decision"], hot["single"], hot["throughput"], hot["x_floor"]
    batch, calls = per["batch"], single["calls_per_repetition"]
    rows = [
        [f"OPA evaluation per decision, batch {batch} (µs, `?metrics`)"]
        + [_s(per[k]["eval_us"], 1) for k in ("floor", "verdicts", "decisions")]
        + [_x(x["verdict_eval"]), _x(x["decision_eval"])],
        [f"round trip per decision, one query of {batch} (µs)"]
        + [_s(per[k]["wall_us"], 1) for k in ("floor", "verdicts", "decisions")]
        + [_x(x["verdict_wall"]), _x(x["decision_wall"])],
    ]
    for q in ("p50", "p99"):
        rows.append(
            [f"one request, Engine.verdict / Engine.decide {q} (ms, {calls} calls)"]
            + [_s(single[k][f"{q}_ms"], 3) for k in ("floor", "verdict", "decision")]
            + [_x(x[f"verdict_{q}"]), _x(x[f"decision_{q}"])]
        )
    rows.append(
        [f"Engine.verdicts / decide_many at batch {rate['batch']} (decisions/s)"]
        + [_s(rate[k], 0) for k in ("floor", "verdicts", "decisions")]
        + [_x(x["verdict_rate"]), _x(x["decision_rate"])]
    )
    headers = ["figure", "floor", "verdict", "decision", "verdict x floor", "decision x floor"]
    return _table(headers, rows)


def hot_path_section(result: Mapping[str, Any]) -> list[str]:
    """Issue 13: per workload, the floor, the verdict, the explained decision and their
    ratios to the floor; then the issue's targets."""
    hots = result.get("hot_path", [])
    if not hots:
        return []
    out = [
        "",
        "## Hot path: verdicts beside explained decisions and the transport floor",
        "",
        "*verdict*: `data.cognito.authz.verdict(s)` ({allowed, decision} only); *decision*: "
        "`data.cognito.authz.decision(s)` (explained). *floor*: a real OPA started the same way, "
        "serving a constant answer on the same paths, queried through the same client with the "
        "same requests: the cost of a decision with nothing to evaluate. *x floor*: time ÷ the "
        "floor's time for the same figure (rates: floor rate ÷ rate); OPA's evaluation time is "
        "divided by the floor's round trip per decision.",
    ]
    for hot in hots:
        size = f", {hot['statements']:,} statements" if hot["statements"] else ""
        if hot.get("inline_twin"):
            size += f", registered once: the requests of {hot['inline_twin']} naming it"
        out += ["", f"### {hot['workload']} ({hot['requests']} requests{size})", ""]
        out += _hot_table(hot)
        out += ["", _equality_line(hot)]
    rows = [t for t in result.get("targets", []) if t.get("issue") == HOT_ISSUE]
    if rows:
        out += ["", f"### Targets of issue {HOT_ISSUE}", ""]
        out += _table(
            ["target", "goal", "measured (median)", "status", "detail"],
            [
                [t["name"], t["target"], _num(t["value"]), _met(t["met"], t["value"]), t["detail"]]
                for t in rows
            ],
        )
    return out


# --- plots ----------------------------------------------------------------------------------


def _errorbar(
    ax: Any, xs: Sequence[float], spreads: Sequence[Spread], label: str, marker: str
) -> None:
    ys = [s.median for s in spreads]
    lo = [s.median - s.q1 for s in spreads]
    hi = [s.q3 - s.median for s in spreads]
    ax.errorbar(xs, ys, yerr=[lo, hi], label=label, marker=marker, capsize=3)


def plots(result: Mapping[str, Any], out_dir: Path) -> list[Path]:
    """throughput_vs_batch.png and eval_vs_statements.png; [] without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written: list[Path] = []
    ex = result.get("documented_examples")
    if ex:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        series: list[tuple[str, Mapping[str, Any]]] = [
            (f"OPA decide_many, all {ex['requests']} examples", ex["throughput"])
        ]
        if ex.get("throughput_verdicts"):
            series.append(
                (f"OPA Engine.verdicts, all {ex['requests']} examples", ex["throughput_verdicts"])
            )
        for name, tp in (ex.get("common_throughput") or {}).items():
            series.append((f"{name}, {ex['common_requests']} common examples", tp))
        for (label, tp), marker in zip(series, "osD^v", strict=False):
            xs = [int(b) for b in tp]
            _errorbar(
                ax, xs, [Spread.from_dict(tp[b]["decisions_per_s"]) for b in tp], label, marker
            )
        ax.axhline(
            TARGET_THROUGHPUT,
            color="grey",
            linestyle="--",
            linewidth=1,
            label="target at batch 1,000: 20,000/s",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("batch size (requests per call)")
        ax.set_ylabel("decisions per second (median, IQR bars)")
        ax.set_title("Throughput vs batch size: documented examples")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out_dir / THROUGHPUT_PNG
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    estates = result.get("estates", [])
    if estates:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for kind, marker in (("stored", "o"), ("inline", "s"), ("registered", "D")):
            rows = sorted((e for e in estates if e["kind"] == kind), key=lambda e: e["statements"])
            if rows:
                _errorbar(
                    ax,
                    [e["statements"] for e in rows],
                    [Spread.from_dict(e["eval_us"]) for e in rows],
                    f"OPA eval, {kind}",
                    marker,
                )
        comps = [c for c in result.get("comparisons", []) if c["kind"] in ("stored", "inline")]
        for peer in sorted({c["peer"] for c in comps}):
            for kind, marker in (("stored", "^"), ("inline", "v")):
                rows = sorted(
                    (c for c in comps if c["peer"] == peer and c["kind"] == kind),
                    key=lambda c: c["statements"],
                )
                if rows:
                    _errorbar(
                        ax,
                        [c["statements"] for c in rows],
                        [Spread.from_dict(c["peer_internal_us"]) for c in rows],
                        f"{peer} eval, {kind} (common requests)",
                        marker,
                    )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("statements in the estate")
        ax.set_ylabel("evaluation time per decision, µs (median, IQR bars)")
        ax.set_title("Evaluation time vs policy estate size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / STATEMENTS_PNG
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def write_all(result: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write bench.json, the plots and bench.md into out_dir; return what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    images = plots(result, out_dir)
    if not images:
        result.setdefault("notes", []).append("plots skipped: matplotlib is not installed")
    for image in images:
        written[image.stem] = image
    json_path = out_dir / JSON_NAME
    json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    written["json"] = json_path
    md_path = out_dir / MARKDOWN_NAME
    md_path.write_text(markdown(result, images=[i.name for i in images]))
    written["markdown"] = md_path
    return written
