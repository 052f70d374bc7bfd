"""What every `pycognito-opa` command group shares: exit codes, the one-line JSON error, the
Engine built from `--opa-url`/`--bundle`, reading JSON input and printing output."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._client import Limits
from ..bundle import DEFAULT_KEY_ID, DEFAULT_SIGNING_ALG, SIGNING_ALGS
from ..engine import Engine
from ..errors import EXIT_ENVIRONMENT, EXIT_INPUT, InputFileError, InvalidJsonError, UsageError

EXIT_OK = 0
EXIT_FINDINGS = 1

__all__ = [
    "EXIT_ENVIRONMENT",
    "EXIT_FINDINGS",
    "EXIT_INPUT",
    "EXIT_OK",
    "add_key_args",
    "add_opa_args",
    "emit",
    "engine_from_args",
    "print_json",
    "read_json",
    "report_error",
    "until_signalled",
]


def report_error(code: str, message: str) -> None:
    """One JSON line on stderr: {"error": {"code": ..., "message": ...}}."""
    sys.stderr.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")


def emit(text: str) -> None:
    """Print a line, and stay quiet when the reader has gone (`| head`): no traceback."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Later writes (and the interpreter's final flush) go nowhere instead of failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def print_json(value: Any, *, compact: bool = False) -> None:
    emit(json.dumps(value, indent=None if compact else 2))


def add_opa_args(parser: argparse.ArgumentParser, bundle_help: str | None = None) -> None:
    """`--opa-url` and `--bundle`: which OPA answers (one of them, or the default bundle)."""
    parser.add_argument(
        "--opa-url",
        metavar="URL",
        help="query an OPA that is already running (default: start a local one on 127.0.0.1)",
    )
    parser.add_argument(
        "--bundle",
        metavar="FILE",
        help=bundle_help
        or "bundle for the local OPA (default: the default bundle, built when needed)",
    )


def engine_from_args(
    args: argparse.Namespace, *, limits: Limits | None = None, timeout: float | None = None
) -> Engine:
    """The Engine the options ask for: a running OPA (`--opa-url`), or a local one with
    `--bundle` or the default bundle."""
    url = getattr(args, "opa_url", None)
    bundle = getattr(args, "bundle", None)
    if bundle is not None and url:
        raise UsageError("give --bundle (a local OPA with that bundle) or --opa-url, not both")
    if bundle is not None and not Path(bundle).is_file():
        raise InputFileError(bundle, "bundle not found (build it with pycognito-opa bundle build)")
    if timeout is None:
        return Engine(url=url, bundle=bundle, limits=limits)
    return Engine(url=url, bundle=bundle, limits=limits, timeout=timeout)


def read_json(source: str) -> Any:
    """The JSON value in a file, or on stdin for "-": InvalidJsonError (exit 2) when it is not
    UTF-8 JSON."""
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise InputFileError(source, f"cannot read: {exc.strerror or exc}") from exc
    where = "standard input" if source == "-" else source
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJsonError(
            f"{where} is not UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidJsonError(
            f"{where} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except (RecursionError, ValueError) as exc:
        # ValueError: an integer longer than Python's conversion limit.
        raise InvalidJsonError(f"{where} cannot be read as a request: {exc}") from exc


def add_key_args(parser: argparse.ArgumentParser, *, verify: bool) -> None:
    """The signing key's id and algorithm (and, with `verify`, the public key to check)."""
    if verify:
        parser.add_argument(
            "--verification-key",
            metavar="PEM",
            help="public key (PEM) that the bundle's signature must verify against",
        )
    parser.add_argument(
        "--key-id",
        default=DEFAULT_KEY_ID,
        help=f"name of the signing key (default: {DEFAULT_KEY_ID})",
    )
    parser.add_argument(
        "--signing-alg",
        default=DEFAULT_SIGNING_ALG,
        choices=SIGNING_ALGS,
        help=f"signature algorithm (default: {DEFAULT_SIGNING_ALG})",
    )


@contextmanager
def until_signalled() -> Iterator[threading.Event]:
    """An event set by SIGTERM (Ctrl-C raises KeyboardInterrupt as usual)."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)
