"""The benchmark (`python -m benchmarks --quick`) runs and writes its files. No timing is
asserted here."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from benchmarks.__main__ import DEFAULT_OUT, ROOT, build_parser, config_from
from benchmarks.__main__ import main as bench_main
from benchmarks.breakdown import PARTS, REGISTERED_PARTS
from benchmarks.peers import NODE_DIR, cedar_policies
from benchmarks.workloads import documented_examples, statement_count, synthetic_estate


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
    assert kinds == {(10, "inline"), (100, "inline"), (10, "stored"), (100, "stored")}
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
