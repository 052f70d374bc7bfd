"""The `pycognito-opa` command line: one module per command group, one error path.

Every failure is a `PyCognitoOpaError`; `main` turns it into one JSON line on stderr and the
error's exit code: 0 success, 1 findings, 2 bad input, 3 OPA missing, failing or unreachable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from .. import __version__
from ..errors import PyCognitoOpaError, UsageError
from . import analysis, bundle, decide, fleet, identity
from ._common import report_error

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors take the one error path (exit 2, one JSON line)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    for group in (decide, analysis, bundle, fleet, identity):
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        func: Callable[[argparse.Namespace], int] = args.func
        return func(args)
    except PyCognitoOpaError as exc:
        report_error(exc.code, str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        report_error("interrupted", "interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
