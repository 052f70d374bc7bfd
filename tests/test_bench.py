"""The benchmark (`python -m benchmarks --quick`) runs and writes its files. No timing is
asserted here."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from benchmarks.__main__ import DEFAULT_OUT, ROOT, build_parser, config_from
from benchmarks.__main__ import main as bench_main
from benchmarks.breakdown import PARTS, REGISTERED_PARTS, _steps, markdown
from benchmarks.hotpath import RegisteredError, registered_twins
from benchmarks.peers import NODE_DIR, PeerSet, cedar_policies
from benchmarks.probe import Timed
from benchmarks.progress import Progress
from benchmarks.runner import (
    BenchConfig,
    _registered_guard,
    _registered_phase,
    _Run,
)
from benchmarks.workloads import (
    REGISTERED_FIELDS_PATH,
    Workload,
    WorkloadError,
    documented_examples,
    policy_set_of,
    registered_workload,
    statement_count,
    synthetic_estate,
)
from pycognito_opa import PolicySetError, Verdict, _paths
from pycognito_opa.bundle import BundleInfo

# The set fields the stubs below answer with (the benchmark reads the real ones from the Rego).
STUB_FIELDS = ("policies", "scps")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("bench")
    code = bench_main(["--quick", "--out", str(out), "--no-progress"])
    return code, out


def test_quick_bench_writes_json_markdown_and_plots(quick_run: tuple[int, Path]) -> None:
    code, out = quick_run
    assert code == 0
    result = json.loads((out / "bench.json").read_text())
    assert {"meta", "documented_examples", "estates", "targets", "agreement"} <= set(result)
    assert result["meta"]["machine"]["nproc"] >= 1
    ex = result["documented_examples"]
    assert ex["requests"] == len(documented_examples().requests)
    assert set(ex["throughput"]) == {"1", "10", "100"}
    for spread in (ex["latency"]["p50_ms"], ex["per_decision"]["eval_us"]):
        assert spread["q1"] <= spread["median"] <= spread["q3"]
    kinds = {(e["statements"], e["kind"]) for e in result["estates"]}
    assert kinds == {(n, kind) for n in (10, 100) for kind in ("inline", "registered", "stored")}
    markdown = (out / "bench.md").read_text()
    assert "## Targets" in markdown and "## Policy estates" in markdown
    if importlib.util.find_spec("matplotlib"):
        for name in ("throughput_vs_batch.png", "eval_vs_statements.png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _is_spread(raw: object) -> bool:
    return (
        isinstance(raw, dict)
        and {"median", "q1", "q3", "min", "max", "n"} <= set(raw)
        and raw["min"] <= raw["q1"] <= raw["median"] <= raw["q3"] <= raw["max"]
    )


def _is_ratio(value: object) -> bool:
    return value is None or (isinstance(value, float) and value > 0)


def test_hot_path_beside_explained_path_and_floor(quick_run: tuple[int, Path]) -> None:
    _, out = quick_run
    result = json.loads((out / "bench.json").read_text())
    hots = result["hot_path"]
    names = [h["workload"] for h in hots]
    assert names[0] == "documented-examples"
    assert set(names[1:]) == {e["workload"] for e in result["estates"]}
    for hot in hots:
        per = hot["per_decision"]
        assert per["batch"] >= 1 and per["decisions_per_repetition"] >= 1
        for entry in ("verdicts", "decisions", "floor"):
            assert _is_spread(per[entry]["eval_us"]) and _is_spread(per[entry]["wall_us"])
        single = hot["single"]
        assert single["calls_per_repetition"] >= 1
        for entry in ("verdict", "decision", "floor"):
            assert _is_spread(single[entry]["p50_ms"]) and _is_spread(single[entry]["p99_ms"])
        rate = hot["throughput"]
        assert rate["batch"] >= 1
        assert all(_is_spread(rate[e]) for e in ("verdicts", "decisions", "floor"))
        ratios = hot["x_floor"]
        for entry in ("verdict", "decision"):
            for figure in ("eval", "wall", "p50", "p99", "rate"):
                assert _is_ratio(ratios[f"{entry}_{figure}"])
        for path in ("batch", "single"):
            eq = hot["equality"][path]
            assert isinstance(eq["mismatches"], int) and 0 <= eq["mismatches"] <= eq["checked"]
            assert len(eq["examples"]) == min(eq["mismatches"], 5)
        assert hot["equality"]["batch"]["checked"] == hot["requests"]
    stored = next(h for h in hots if h["workload"] == "estate-100-stored")
    quick = config_from(build_parser().parse_args(["--quick"]))
    assert stored["requests"] == stored["per_decision"]["batch"] == quick.hot_batch
    ex = result["documented_examples"]
    assert set(ex["throughput_verdicts"]) == {str(b) for b in quick.verdict_batch_sizes or ()}
    for row in result["comparisons"]:
        assert _is_spread(row["opa_verdict_eval_us"]) and _is_spread(row["opa_verdict_wall_us"])
        assert _is_ratio(row["ratio_verdict_internal"]) and _is_ratio(row["ratio_verdict_wall"])


def test_registered_estates_beside_their_inline_twins(quick_run: tuple[int, Path]) -> None:
    """Each inline estate of the quick run is registered once and measured again on the same
    requests naming it: its row and hot path follow its inline twin's, with the registration's
    cost, and every request's verdict equals the inline one and its explained decision."""
    _, out = quick_run
    result = json.loads((out / "bench.json").read_text())
    quick = config_from(build_parser().parse_args(["--quick"]))
    only = quick.registered_sizes
    sizes = [n for n in quick.estate_sizes if only is None or n in only]
    assert sizes, "the quick run measures no registered estate"
    rows = {e["workload"]: e for e in result["estates"]}
    order = [e["workload"] for e in result["estates"]]
    hots = {h["workload"]: h for h in result["hot_path"]}
    summaries = result["registered"]
    assert [s["inline"] for s in summaries] == [f"estate-{n}-inline" for n in sizes]
    for summary in summaries:
        assert summary["refused"] is None
        inline, registered = rows[summary["inline"]], rows[summary["registered"]]
        assert registered["workload"] == f"estate-{inline['statements']}-registered"
        assert registered["kind"] == "registered"
        assert registered["inline_twin"] == hots[registered["workload"]]["inline_twin"]
        assert registered["inline_twin"] == inline["workload"]
        assert order.index(registered["workload"]) == order.index(inline["workload"]) + 1
        assert registered["statements"] == inline["statements"] == summary["statements"]
        assert registered["requests"] == inline["requests"] == summary["requests"]
        assert registered["batch"] == inline["batch"]
        assert registered["request_bytes"] < inline["request_bytes"]
        assert registered["decisions"] == inline["decisions"]
        assert "invalid" not in registered["decisions"]
        assert _is_spread(registered["eval_us"]) and _is_spread(registered["wall_us"])
        registration = summary["registration"]
        assert registration == registered["registration"]
        assert registration["policy_set"].startswith("sha256:")
        assert registration["first_ms"] > 0 and registration["entry_bytes"] > 0
        assert _is_spread(registration["register_ms"])
        assert registration["register_ms"]["n"] == quick.repetitions
        assert summary["inline_verdicts"] == {"checked": inline["requests"], "mismatches": 0}
        hot = hots[registered["workload"]]
        assert hot["kind"] == "registered" and hot["requests"] == inline["requests"]
        assert hot["equality"]["batch"] == {
            "checked": inline["requests"],
            "mismatches": 0,
            "examples": [],
        }
        assert hot["equality"]["single"]["mismatches"] == 0
        twin = hots[inline["workload"]]
        assert hot["per_decision"]["batch"] == twin["per_decision"]["batch"]
        assert hot["throughput"]["batch"] == twin["throughput"]["batch"]
        assert _is_spread(hot["throughput"]["verdicts"])
    pairs = [(a["workload"], b["workload"]) for a, b in registered_twins(result)]
    assert pairs == [(f"estate-{n}-inline", f"estate-{n}-registered") for n in sizes]
    compared = {c["workload"] for c in result["comparisons"]}
    compared |= {a["workload"] for a in result["agreement"]}
    assert not any(name.endswith("-registered") for name in compared)  # no peers
    markdown = (out / "bench.md").read_text()
    assert "## Registered policy sets" in markdown
    for inline_name, registered_name in pairs:
        assert f"### {inline_name} beside {registered_name}" in markdown


class _StubEngine:
    """What the registered phase asks of an Engine, without an OPA: the set fields, a
    registration that refuses, and verdicts by request."""

    def __init__(self, verdicts: Mapping[str, Verdict] | None = None) -> None:
        self.verdict_by_action = dict(verdicts or {})

    def query(self, path: str, input_value: Any) -> Any:
        assert path == REGISTERED_FIELDS_PATH and input_value is None
        return list(STUB_FIELDS)

    def register_policy_set(self, policy_set: Mapping[str, Any]) -> str:
        raise PolicySetError([{"field": "policies", "message": "over the limit"}])

    def verdicts(self, requests: Sequence[Mapping[str, Any]]) -> list[Verdict]:
        return [self._verdict(r) for r in requests]

    def _verdict(self, request: Mapping[str, Any]) -> Verdict:
        if "policy_set" in request:
            return Verdict(False, "invalid")  # a set OPA cannot find
        return self.verdict_by_action[str(request["action"])]


class _StubProbe:
    def __init__(self, engine: _StubEngine) -> None:
        self.engine = engine

    def verdicts(self, batch: Sequence[Mapping[str, Any]]) -> Timed:
        results = [v.to_dict() for v in self.engine.verdicts(batch)]
        return Timed(1, 1, len(batch), results)


def _stub_run() -> _Run:
    config = BenchConfig.quick_config()
    return _Run(config, Progress(1, enabled=False), {}, PeerSet(), Path("."))


def _inline_wl(actions: Sequence[str]) -> Workload:
    doc = {"Version": "2012-10-17", "Statement": []}
    reqs = tuple({"action": a, "resource": "*", "policies": [doc]} for a in actions)
    return Workload("estate-1-inline", "inline", 1, reqs)


def test_a_refused_registration_is_reported_only_for_invalid_inline_requests() -> None:
    wl = _inline_wl(["a", "b"])
    run = _stub_run()
    engine: Any = _StubEngine()
    nothing: Any = None  # neither probe nor floor is used before the registration
    invalid_row = {"decisions": {"invalid": 2}}
    summary, twin = _registered_phase(engine, nothing, nothing, (wl, invalid_row), 2, run)
    assert twin is None and summary["registered"] is None
    assert summary["refused"] == "invalid policy set: policies: over the limit"
    assert any("no registered row" in n and "over the limit" in n for n in run.notes)
    valid_row = {"decisions": {"allow": 1, "invalid": 1}}
    with pytest.raises(RegisteredError, match="although the inline requests are valid"):
        _registered_phase(engine, nothing, nothing, (wl, valid_row), 2, run)


def test_registered_verdicts_must_equal_the_inline_ones_before_timing() -> None:
    wl = _inline_wl(["a", "b", "c"])
    stub = _StubEngine({a: Verdict(True, "allow") for a in "abc"})
    engine: Any = stub
    probe: Any = _StubProbe(stub)
    registered = registered_workload(wl, "sha256:x", STUB_FIELDS)
    with pytest.raises(RegisteredError, match="3 of 3 requests"):
        _registered_guard(engine, probe, wl, registered, 2, _stub_run())


def test_registered_workload_names_the_set_instead_of_carrying_it() -> None:
    wl = synthetic_estate(10, requests=5, seed=1).inline()
    policy_set = policy_set_of(wl, STUB_FIELDS)
    assert set(policy_set) == {"policies"} and len(policy_set["policies"]) == 1
    registered = registered_workload(wl, "sha256:abc", STUB_FIELDS)
    assert registered.name == "estate-10-registered" and registered.kind == "registered"
    assert registered.statements == wl.statements
    for inline_request, request in zip(wl.requests, registered.requests, strict=True):
        assert request == {
            **{k: v for k, v in inline_request.items() if k != "policies"},
            "policy_set": "sha256:abc",
        }
    other = Workload(wl.name, "inline", 10, (wl.requests[0], {**wl.requests[1], "policies": []}))
    with pytest.raises(WorkloadError, match="another policy set"):
        policy_set_of(other, STUB_FIELDS)


def test_issue_13_targets_are_reported(quick_run: tuple[int, Path]) -> None:
    _, out = quick_run
    result = json.loads((out / "bench.json").read_text())
    rows = [t for t in result["targets"] if t.get("issue") == 13]
    names = " | ".join(t["name"] for t in rows)
    for part in (
        "stored 100 statements, batch 1,000",
        "stored 100 statements, one request",
        "Engine.verdicts at batch 1,000",
        "snapshot b543059",
        "verdict equality",
    ):
        assert part in names
    peers = {a["peer"] for a in result["agreement"]}
    for peer in peers:
        assert f"verdicts per decision vs {peer}" in names
    for t in rows:
        assert {"name", "target", "value", "met", "detail"} <= set(t)
        assert t["met"] in (True, False, None)
        assert t["value"] is None or isinstance(t["value"], int | float)
    markdown = (out / "bench.md").read_text()
    assert "## Hot path" in markdown and "### Targets of issue 13" in markdown
    assert markdown.count("| figure | floor | verdict | decision |") == len(result["hot_path"])


def test_peers_are_compared_or_skipped_with_a_note(quick_run: tuple[int, Path]) -> None:
    _, out = quick_run
    result = json.loads((out / "bench.json").read_text())
    ran = {a["peer"] for a in result["agreement"]}
    assert ran | set(result["peers_skipped"]) == {"cedar", "iam-simulate"}
    for row in result["agreement"]:
        assert row["agree"] + row["disagree"] == row["requests"]
        assert bool(row["pairs"]) == bool(row["reasons"])


def test_estates_are_deterministic_and_sized() -> None:
    a = synthetic_estate(100, requests=30, seed=3)
    b = synthetic_estate(100, requests=30, seed=3)
    assert a == b
    assert statement_count([doc for _, doc in a.policies]) == 100
    stored = a.stored()
    assert all(r["principal"] == a.principal for r in stored.requests)
    assert all("policies" not in r for r in stored.requests)
    assert set(stored.stored) == {a.principal}
    inline = a.inline()
    assert all(len(r["policies"]) == 10 for r in inline.requests)


def test_cedar_translation_notes_what_it_cannot_express() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "cognito-idp:List*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "cognito-sync:ListRecords",
                "Resource": "arn:aws:cognito-sync:*:*:identitypool/x/identity/${aws:userid}/*",
            },
        ],
    }
    translation = cedar_policies([("p", doc)])
    assert translation.statements == 1
    assert "permit" in translation.text
    assert translation.notes_for("cognito-sync:ListRecords")
    assert not translation.notes_for("cognito-idp:ListUsers")


def test_parser_takes_the_options() -> None:
    args = build_parser().parse_args(
        ["--quick", "--out", "x", "--json", "--repetitions", "3", "--no-peers", "--no-profile"]
    )
    assert args.quick and args.json and args.out == Path("x") and not args.no_progress
    config = config_from(args)
    assert config.quick and config.repetitions == 3
    assert not config.peers and not config.profile
    assert not args.breakdown and build_parser().parse_args(["--breakdown"]).breakdown


def test_breakdown_parts_are_queries_over_the_batch() -> None:
    """Every part but the two whole entry points is one comprehension over input.requests, so
    `opa bench` times it per request of the same batch."""
    whole = {"data.cognito.authz.verdicts", "data.cognito.authz.decisions"}
    for _, query in PARTS:
        assert query in whole or query.startswith("[x | some r in input.requests; ")
    assert whole <= {query for _, query in PARTS}


def test_breakdown_counts_the_expressions_a_verdict_evaluates(
    bundle: BundleInfo, tmp_path: Path
) -> None:
    """The bound the breakdown reports comes from OPA's own profile: an invalid request stops at
    validation, a valid one also routes, gathers its facts and decides, so two valid requests
    evaluate more expressions per request than two invalid ones, in the modules that do it."""
    opa = str(_paths.opa_binary(None))
    valid = {"action": "cognito-idp:ListUsers", "resource": "*", "policies": []}
    counts = {}
    for name, request in (("valid", valid), ("invalid", {"action": 5})):
        batch = tmp_path / f"{name}.json"
        batch.write_text(json.dumps({"requests": [request, request]}))
        counts[name] = _steps(opa, bundle.path, batch, 2)
    assert sum(counts["valid"].values()) > sum(counts["invalid"].values()) > 0
    assert {"authz.rego", "applicable.rego", "iam.rego"} <= counts["valid"].keys()
    assert "applicable.rego" not in counts["invalid"]
    result = {
        "workload": "w",
        "requests": 2,
        "command": "c",
        "parts": [
            {
                "part": "v",
                "query": "data.cognito.authz.verdicts",
                "min_us": 200.0,
                "median_us": 210.0,
            }
        ],
        "steps": {
            "query": "data.cognito.authz.verdicts",
            "command": "c",
            "per_request": 100.0,
            "by_module": {"authz.rego": 100.0},
            "step_query": "q",
            "step_us": 1.5,
        },
    }
    text = markdown(result)
    assert "evaluates 100 expressions per request" in text
    assert "take 150 µs, against 200 µs measured (2.00 µs per expression)" in text


def test_registered_parts_pair_each_entry_point_inline_and_registered() -> None:
    """The registration's figures compare like with like: each whole entry point is timed on
    the inline batch and on the same batch naming the registered set."""
    pairs = {(query, batch) for _, batch, query in REGISTERED_PARTS}
    assert pairs == {
        (query, batch)
        for query in ("data.cognito.authz.verdicts", "data.cognito.authz.decisions")
        for batch in ("inline", "registered")
    }


def test_nothing_is_written_inside_the_package() -> None:
    package = ROOT / "pycognito_opa"
    assert build_parser().parse_args([]).out == DEFAULT_OUT == ROOT / "build" / "bench"
    assert NODE_DIR == ROOT / "benchmarks" / "node"
    for path in (DEFAULT_OUT, NODE_DIR):
        assert not path.is_relative_to(package)
