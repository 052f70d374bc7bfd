"""`pycognito-opa bench`: the benchmark, as a subcommand of the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUT = "build/bench"


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench.report import write_all
    from .bench.runner import BenchConfig, command_line, run_bench

    config = BenchConfig.quick_config() if args.quick else BenchConfig()
    if args.repetitions:
        config = _with(config, repetitions=args.repetitions)
    if args.no_peers:
        config = _with(config, peers=False)
    if args.no_profile:
        config = _with(config, profile=False)
    progress = not args.no_progress and sys.stderr.isatty()
    out_dir = Path(args.out)
    result = run_bench(config, out_dir, command=command_line(), progress=progress)
    written = write_all(result, out_dir)
    if args.json:
        json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(written["markdown"].read_text())
        sys.stdout.write("\nwritten: " + ", ".join(str(p) for p in written.values()) + "\n")
    return 0


def _with(config: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(config, **changes)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `bench` subcommand to the CLI's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench",
        help="benchmark decisions on a local OPA, side by side with Cedar and iam-simulate",
        description=(
            "Measure single-decision latency (Engine.decide), decide_many throughput at batch "
            "sizes 1 to 1,000, OPA's own evaluation time (?metrics) and memory, on AWS's "
            "documented examples and on synthetic policy estates of 10 to 10,000 statements "
            "(inline and stored in the bundle); run the peers (cedarpy, @cloud-copilot/"
            "iam-simulate in a Node worker) on the same requests, count where they disagree, "
            "and compare speed where they agree. Writes bench.json, bench.md and PNG plots."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="a small version that runs in seconds")
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--repetitions", type=_positive, metavar="N", help="repetitions of every figure"
    )
    parser.add_argument("--no-peers", action="store_true", help="measure OPA only")
    parser.add_argument("--no-profile", action="store_true", help="skip opa eval --profile")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(func=cmd_bench)
    return parser
