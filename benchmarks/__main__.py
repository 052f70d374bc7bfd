"""`python -m benchmarks` (from the checkout root; `make bench`): run the benchmark.

Writes bench.json, bench.md and the PNG plots into `--out` (default: build/bench/ in the
checkout); `--out benchmarks/results` refreshes the committed snapshot.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pycognito_opa.errors import PyCognitoOpaError

from .breakdown import run_breakdown, write_breakdown
from .report import write_all
from .runner import BenchConfig, command_line, run_bench

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "bench"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Measure single-decision latency (Engine.decide), decide_many throughput at batch "
            "sizes 1 to 1,000, OPA's own evaluation time (?metrics) and memory, on AWS's "
            "documented examples and on synthetic policy estates of 10 to 10,000 statements "
            "(inline and stored in the bundle); run the peers (cedarpy, @cloud-copilot/"
            "iam-simulate in a Node worker) on the same requests, count where they disagree, "
            "and compare speed where they agree. The hot path (the verdict entry points) is "
            "measured beside the explained decisions on every workload, with a transport floor "
            "(a real OPA serving a constant answer on the same paths) and the verdicts' equality "
            "with the decisions. Writes bench.json, bench.md and PNG plots."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="a small version that runs in seconds")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=(
            f"output folder (default: {DEFAULT_OUT.relative_to(ROOT)}/ in the checkout; "
            f"{RESULTS_DIR.relative_to(ROOT)}/ holds the committed snapshot)"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--repetitions", type=_positive, metavar="N", help="repetitions of every figure"
    )
    parser.add_argument("--no-peers", action="store_true", help="measure OPA only")
    parser.add_argument("--no-profile", action="store_true", help="skip opa eval --profile")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help=(
            "instead of the benchmark, time each part of a hot-path verdict as its own opa bench "
            "query on the stored 100-statement estate (about two minutes); writes breakdown.json "
            "and breakdown.md"
        ),
    )
    return parser


def config_from(args: argparse.Namespace) -> BenchConfig:
    """The BenchConfig the options ask for."""
    config = BenchConfig.quick_config() if args.quick else BenchConfig()
    if args.repetitions:
        config = replace(config, repetitions=args.repetitions)
    if args.no_peers:
        config = replace(config, peers=False)
    if args.no_profile:
        config = replace(config, profile=False)
    return config


def run(args: argparse.Namespace) -> int:
    out_dir: Path = args.out
    if args.breakdown:
        counts = args.repetitions or 7
        paths = write_breakdown(run_breakdown(count=counts), out_dir)
        sys.stdout.write(paths[1].read_text())
        sys.stdout.write("\nwritten: " + ", ".join(str(p) for p in paths) + "\n")
        return 0
    progress = not args.no_progress and sys.stderr.isatty()
    result = run_bench(config_from(args), out_dir, command=command_line(), progress=progress)
    written = write_all(result, out_dir)
    if args.json:
        json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(written["markdown"].read_text())
        sys.stdout.write("\nwritten: " + ", ".join(str(p) for p in written.values()) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; a failure is one JSON line on stderr and the error's exit code."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except PyCognitoOpaError as exc:
        error = {"error": {"code": exc.code, "message": str(exc)}}
        sys.stderr.write(json.dumps(error) + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write(json.dumps({"error": {"code": "interrupted", "message": "interrupted"}}))
        sys.stderr.write("\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
