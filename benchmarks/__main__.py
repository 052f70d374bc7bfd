"""`python -m pycognito_opa.bench`: the bench subcommand on its own."""

from __future__ import annotations

import argparse
import json
import sys

from ..cli_bench import register
from ..errors import PyCognitoOpaError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pycognito-opa")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register(sub)
    args = parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args))
    except PyCognitoOpaError as exc:
        error = {"error": {"code": exc.code, "message": str(exc)}}
        sys.stderr.write(json.dumps(error) + "\n")
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
