"""`decide` (decisions for requests) and `examples` (AWS's documented examples through OPA)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._client import check_request
from ..errors import NoExamplesError, RequestError
from ..examples import load_examples, render_table, results_json, run_examples
from ._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_opa_args,
    emit,
    engine_from_args,
    print_json,
    read_json,
)


def cmd_decide(args: argparse.Namespace) -> int:
    engine = engine_from_args(args)  # usage errors first; OPA starts only when needed
    value = read_json(args.request)
    out: Any
    if isinstance(value, list):
        requests = [check_request(r, f"requests[{i}]") for i, r in enumerate(value)]
        with engine:
            if args.verdict_only:
                out = [v.to_dict() for v in engine.verdicts(requests)]
            else:
                out = [d.to_dict() for d in engine.decide_many(requests)]
    elif isinstance(value, dict):
        with engine:
            out = (engine.verdict(value) if args.verdict_only else engine.decide(value)).to_dict()
    else:
        raise RequestError("input must be a request object or a JSON array of requests")
    print_json(out, compact=args.compact)
    return EXIT_OK


def cmd_examples(args: argparse.Namespace) -> int:
    engine = engine_from_args(args)
    examples = load_examples(Path(args.dir) if args.dir else None)
    if args.only:
        examples = [e for e in examples if any(o in e.id for o in args.only)]
    if not examples:
        where = args.dir or "the installed package"
        only = f" matching {', '.join(args.only)}" if args.only else ""
        raise NoExamplesError(f"no documented examples{only} found in {where}")
    with engine:
        results = run_examples(engine, examples)
    if args.json:
        print_json(results_json(results))
    else:
        shown = [r for r in results if not r.agrees] if args.disagreements else results
        emit(render_table(shown, total=len(results)))
    return EXIT_OK if all(r.agrees for r in results) else EXIT_FINDINGS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `decide` and `examples` to the `pycognito-opa` parser."""
    decide = sub.add_parser(
        "decide",
        help="decide one request or a JSON array of requests",
        description=(
            "Read one request object (or a JSON array of them) and print the decision (or an "
            "array of decisions in the same order) as JSON. All requests go to OPA as one batch, "
            "split into one concurrent query per CPU when it holds 20 or more."
        ),
    )
    decide.add_argument(
        "--request", "-r", required=True, metavar="FILE", help="request JSON file, or - for stdin"
    )
    decide.add_argument("--compact", action="store_true", help="print JSON on one line")
    decide.add_argument(
        "--verdict-only",
        action="store_true",
        help=(
            'print only {"allowed", "decision"} per request (data.cognito.authz.verdict: the '
            "same rules, without the explanation; faster)"
        ),
    )
    add_opa_args(decide)
    decide.set_defaults(func=cmd_decide)

    examples = sub.add_parser(
        "examples",
        help="compare OPA's decisions with AWS's documented examples",
        description=(
            "Run every documented example (the package's bundled examples, or --dir) through "
            "OPA in one batch and print request, expected decision, OPA's decision and why. "
            "Exit 1 on any disagreement, or when no example is found."
        ),
    )
    examples.add_argument("--json", action="store_true", help="machine-readable output")
    examples.add_argument(
        "--disagreements", action="store_true", help="show only examples that disagree"
    )
    examples.add_argument("--dir", metavar="DIR", help="examples folder (default: bundled)")
    examples.add_argument(
        "--only", action="append", metavar="TEXT", help="only examples whose id contains TEXT"
    )
    add_opa_args(examples)
    examples.set_defaults(func=cmd_examples)
