"""The `pycognito-opa` command line: one module per command group, one error path.

Every failure is a `PyCognitoOpaError`; `main` turns it into one JSON line on stderr and the
error's exit code: 0 success, 1 findings, 2 bad input, 3 OPA missing, failing or unreachable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .. import __version__, cli_bench
from ..errors import PyCognitoOpaError
from . import analysis, bundle, decide, fleet
from ._common import report_error

__all__ = ["build_parser", "main"]


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
    for group in (decide, analysis, bundle, fleet, cli_bench):
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except PyCognitoOpaError as exc:
        report_error(exc.code, str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        report_error("interrupted", "interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
