"""Start, watch and stop a local OPA process (the embedded default)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import requests

from . import _paths
from .errors import OpaStartError

LOOPBACK = "127.0.0.1"
START_ATTEMPTS = 3


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free a moment ago on `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to stop OPA if this Python process dies without cleaning up (kill -9)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


# Go's garbage collector runs when the heap has grown by GOGC percent. OPA allocates heavily
# per evaluation; at 400 it collects a quarter as often, for about 15% more decisions per
# second and a shorter tail (see BENCHMARKS.md), at the cost of a larger heap. A GOGC set in
# the environment wins.
DEFAULT_GOGC = "400"

# OPA keeps every regular expression it compiles in an inter-query cache, unbounded by
# default; policy wildcards become expressions, so requests with ever-new patterns would grow
# it without end. This bounds it.
REGEX_CACHE_ENTRIES = 10_000


class OpaProcess:
    """An `opa run --server` child process on a loopback port, stopped on exit.

    Use it as a context manager; it stops OPA on normal exit, on exceptions and on Ctrl-C.
    """

    def __init__(
        self,
        bundles: Sequence[str | os.PathLike[str]] = (),
        *,
        opa: str | os.PathLike[str] | None = None,
        host: str = LOOPBACK,
        port: int | None = None,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self.opa = _paths.opa_binary(opa)
        self.bundles = [Path(b) for b in bundles]
        self.host = host
        self.port = port
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise OpaStartError("OPA is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def exits_within(self, timeout: float) -> bool:
        """Whether the process has exited, or does within `timeout` seconds.

        A killed OPA can reset its connections a moment before it can be reaped, so a failed
        query waits here briefly before concluding that OPA is still alive.
        """
        if self._proc is None:
            return True
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def start(self) -> OpaProcess:
        for bundle in self.bundles:
            if not bundle.exists():
                raise OpaStartError(f"bundle not found: {bundle}")
        fixed_port = self.port is not None
        last_error = ""
        for _ in range(1 if fixed_port else START_ATTEMPTS):
            if not fixed_port:
                self.port = free_port(self.host)
            try:
                self._spawn()
                self._wait_healthy()
                return self
            except OpaStartError as exc:
                last_error = str(exc)
                self.stop()
                # Another process may have taken the port between probe and bind: try another.
                if "address already in use" not in last_error:
                    break
        raise OpaStartError(last_error)

    def _spawn(self) -> None:
        cmd = [
            str(self.opa),
            "run",
            "--server",
            "--addr",
            f"{self.host}:{self.port}",
            "--log-level",
            "error",
            "--disable-telemetry",
            "--set",
            f"caching.inter_query_builtin_value_cache.max_num_entries={REGEX_CACHE_ENTRIES}",
            *self.extra_args,
        ]
        for bundle in self.bundles:
            cmd += ["--bundle", str(bundle)]
        # Closed in stop(): it must outlive this method, as OPA writes to it while running.
        self._log = tempfile.TemporaryFile(prefix="pycognito-opa-log-")  # noqa: SIM115
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={"GOGC": DEFAULT_GOGC, **os.environ},
            preexec_fn=_die_with_parent,
        )

    def output(self) -> str:
        """What OPA printed so far (its error messages)."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace").strip()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        session = requests.Session()
        try:
            while time.monotonic() < deadline:
                if self._proc is not None and self._proc.poll() is not None:
                    detail = self.output() or f"exit code {self._proc.returncode}"
                    raise OpaStartError(f"OPA exited while starting: {detail}")
                try:
                    resp = session.get(f"{self.url}/health", params={"bundles": ""}, timeout=1)
                    if resp.status_code == 200:
                        return
                except requests.RequestException:
                    pass
                time.sleep(0.02)
        finally:
            session.close()
        raise OpaStartError(
            f"OPA did not become healthy within {self.startup_timeout:.0f}s: {self.output()}"
        )

    def stop(self, timeout: float = 5.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log, self._log = self._log, None
        if log is not None:
            log.close()

    def __enter__(self) -> OpaProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __del__(self) -> None:  # a forgotten process is still stopped
        with contextlib.suppress(Exception):
            self.stop()
