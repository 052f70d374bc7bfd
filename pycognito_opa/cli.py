"""The `pycognito-opa` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__, cli_analysis, cli_bench, cli_fleet
from .cli_common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, report_error
from .client import check_request
from .engine import Engine
from .errors import PyCognitoOpaError, RequestError
from .examples import load_examples, render_table, results_json, run_examples


class CliError(Exception):
    """A failure reported as one JSON line on stderr with an exit code."""

    def __init__(self, code: str, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.code = code
        self.exit_code = exit_code


def _fail(code: str, message: str, exit_code: int = EXIT_INPUT) -> NoReturn:
    raise CliError(code, message, exit_code)


def _engine(args: argparse.Namespace) -> Engine:
    return Engine(url=args.opa_url, bundle=getattr(args, "bundle", None))


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        _fail("unreadable_input", f"cannot read {source}: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        _fail("invalid_json", f"{source} is not UTF-8 text: {exc.reason} at byte {exc.start}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(
            "invalid_json",
            f"{source} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
        )
    except RecursionError:
        _fail("invalid_json", f"{source} is nested too deeply to be a request")


def cmd_decide(args: argparse.Namespace) -> int:
    value = _read_json(args.request)
    if isinstance(value, list):
        try:
            requests = [check_request(r, f"requests[{i}]") for i, r in enumerate(value)]
        except RequestError as exc:
            _fail("not_a_request", str(exc))
        with _engine(args) as engine:
            out: Any = [d.to_dict() for d in engine.decide_many(requests)]
    elif isinstance(value, dict):
        with _engine(args) as engine:
            out = engine.decide(value).to_dict()
    else:
        _fail("not_a_request", "input must be a request object or a JSON array of requests")
    json.dump(out, sys.stdout, indent=None if args.compact else 2)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_examples(args: argparse.Namespace) -> int:
    examples = load_examples(Path(args.dir) if args.dir else None)
    if args.only:
        examples = [e for e in examples if any(o in e.id for o in args.only)]
    with _engine(args) as engine:
        results = run_examples(engine, examples)
    if args.json:
        json.dump(results_json(results), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        shown = [r for r in results if not r.agrees] if args.disagreements else results
        print(render_table(shown, total=len(results)))
    return EXIT_OK if all(r.agrees for r in results) else EXIT_FINDINGS


def _add_opa_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--opa-url",
        metavar="URL",
        help="query an OPA that is already running (default: start a local one on 127.0.0.1)",
    )
    parser.add_argument(
        "--bundle",
        metavar="FILE",
        help="bundle for the local OPA (default: the project's default bundle, built when needed)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pycognito-opa",
        description=(
            "Ask what IAM policies allow on Amazon Cognito, answered by the real Open Policy "
            "Agent. Exit codes: 0 success, 1 findings (a documented example disagrees, lint "
            "findings, widened access, sidecars on different revisions), "
            "2 bad input, 3 OPA missing or unreachable."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    _add_opa_args(decide)
    decide.set_defaults(func=cmd_decide)

    examples = sub.add_parser(
        "examples",
        help="compare OPA's decisions with AWS's documented examples",
        description=(
            "Run every documented example (bundles/examples/*.yaml) through OPA in one batch and "
            "print request, expected decision, OPA's decision and why. Exit 1 on any disagreement."
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
    _add_opa_args(examples)
    examples.set_defaults(func=cmd_examples)

    cli_fleet.register(sub)
    cli_analysis.register(sub)
    cli_bench.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (CliError, PyCognitoOpaError) as exc:
        report_error(exc.code, str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        report_error("interrupted", "interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
