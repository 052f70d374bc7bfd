"""Start, watch and stop a local OPA process (the embedded default)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import requests

from . import _paths
from ._client import MAX_QUERY_BYTES
from .errors import OpaStartError

LOOPBACK = "127.0.0.1"
START_ATTEMPTS = 3


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free a moment ago on `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _parent_death_signal() -> Callable[[], None] | None:
    """A function that asks Linux to kill the calling child when its parent thread dies.

    Resolved here, in the parent: the child runs it between fork and exec, where importing a
    module or taking a lock another thread held at fork time could deadlock.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    kill = int(signal.SIGKILL)

    def die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
        prctl(pr_set_pdeathsig, kill)

    return die_with_parent


# Go's garbage collector runs when the heap has grown by GOGC percent. OPA allocates heavily
# per evaluation; at 400 it collects a quarter as often, for about 15% more decisions per
# second and a shorter tail (see BENCHMARKS.md), at the cost of a larger heap. A GOGC set in
# the environment wins.
DEFAULT_GOGC = "400"

# GOGC=400 lets garbage grow to five times the live heap before Go collects it: after a few
# hostile 1 MiB bodies (a million tiny JSON values each, refused or not) OPA held 836 MiB.
# Go's soft memory limit makes it collect earlier once the heap nears it (measured: 229 MiB
# after the same bodies with 200 MiB), and leaves GOGC's speed-up intact below it. A
# GOMEMLIMIT set in the environment wins (a very large estate may need more).
DEFAULT_GOMEMLIMIT = "512MiB"

# OPA keeps every regular expression it compiles in an inter-query cache, unbounded by
# default; policy wildcards become expressions, so requests with ever-new patterns would grow
# it without end (20 requests with 400 KiB wildcards took OPA to 2.5 GiB). The cache is bounded
# by entries, each entry by the Rego limits (package cognito.limits): a pattern is at most
# 2,048 characters, 4,096 with its policy variables substituted (cognito.variables matches
# nothing longer). Measured (tests/test_hostile.py), one such entry holds at most about
# 230 KiB of OPA's heap, so 1,000 entries hold at most about 1,000 x 230 KiB = 225 MiB (and
# at most 1,000 x 0.5 MiB = 500 MiB with a margin of two). A miss costs one compilation.
REGEX_CACHE_ENTRIES = 1_000

# Request bodies OPA reads (server.decoding): at most MAX_BODY_BYTES as sent, and at most as
# many once gzip-inflated. A decision client never sends more in one query (it splits batches);
# an OPA started for the analyses (lint, what-can, ...) reads what their larger limits allow.
MAX_BODY_BYTES = MAX_QUERY_BYTES


def opa_limits(max_body_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The OPA configuration that bounds what a caller can make OPA hold: request bodies
    (plain and gzip-inflated) and the compiled-regex cache. Every OPA the project starts runs
    with it, and `fleet config` writes it into the sidecars' configuration."""
    decoding = {"max_length": max_body_bytes, "gzip": {"max_length": max_body_bytes}}
    return {
        "server": {"decoding": decoding},
        "caching": {"inter_query_builtin_value_cache": {"max_num_entries": REGEX_CACHE_ENTRIES}},
    }


def _set_flags(config: Mapping[str, Any], prefix: str = "") -> list[str]:
    """`--set key.path=value` flags for a nested configuration of numbers and of strings
    without commas (OPA reads a comma as the start of another value)."""
    flags: list[str] = []
    for key, value in config.items():
        if isinstance(value, Mapping):
            flags += _set_flags(value, f"{prefix}{key}.")
        else:
            flags += ["--set", f"{prefix}{key}={value}"]
    return flags


def _owner_flags(token: str) -> list[str]:
    """The flags that make OPA answer only requests bearing `token` (the bundle's system.authz
    reads pycognito_opa.owner_token_sha256). OPA is given only the token's SHA-256, so the
    token is in no command line, file or log; 64 hex digits stay a string (--set reads only
    integers that fit 64 bits as numbers)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    config = {"pycognito_opa": {"owner_token_sha256": digest}}
    return ["--authentication=token", "--authorization=basic", *_set_flags(config)]


# An owned OPA reads this only for its owner (a sidecar refuses it): the probe that the
# bundle's system.authz admits the owner, not merely health checks.
OWNER_PROBE = "/v1/data/system/bundles"


class _Owner(threading.Thread):
    """The thread that starts OPA and lives exactly as long as it should run.

    Linux's parent-death signal (PR_SET_PDEATHSIG) fires when the *thread* that forked the child
    exits, not the process. OPA is therefore started from this dedicated thread, which waits
    until the OpaProcess stops: OPA outlives whichever thread asked for it (a worker of a
    thread pool, say), and still dies with the Python process, even on kill -9.
    """

    def __init__(self, start: Callable[[], subprocess.Popen[bytes]], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._popen = start
        self._ready = threading.Event()
        self._release = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.proc = self._popen()
        except BaseException as exc:  # handed to the thread that called spawn()
            self.error = exc
        finally:
            self._ready.set()
        if self.proc is not None:
            self._release.wait()

    def spawn(self) -> subprocess.Popen[bytes]:
        self.start()
        self._ready.wait()
        if self.error is not None:
            raise self.error
        assert self.proc is not None
        return self.proc

    def release(self) -> None:
        """Let the thread end (after OPA has stopped)."""
        self._release.set()
        if self is not threading.current_thread():
            self.join(timeout=5)


def _owner_refused(resp: requests.Response) -> str:
    """Why an owned OPA cannot start: its bundle's policy refused the owner (401), or it has
    none (500). OPA loaded its bundle files before it listened: waiting would change nothing."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    reason = str(message or resp.text)
    return (
        f"OPA refused the token of the process that started it ({reason.strip()[:300]}): the "
        "bundle's system.authz policy must admit its owner; build the bundle with this "
        "version of pycognito-opa (pycognito-opa bundle build)"
    )


class OpaProcess:
    """An `opa run --server` child process on a loopback port, stopped on exit.

    Use it as a context manager; it stops OPA on normal exit, on exceptions and on Ctrl-C. OPA
    runs with opa_limits(max_body_bytes). It is started from a thread of its own (see _Owner):
    it lives until stop() whichever thread started it, and dies with this Python process.

    With `owned`, OPA answers only requests bearing `owner_token` (Authorization: Bearer), a
    random token made afresh for every process started and given to OPA only as its SHA-256
    (--authentication=token, --authorization=basic): another local process that finds the
    port can neither read nor change OPA's policies and data. The bundle's system.authz policy
    must admit the owner, as the one in every bundle pycognito-opa builds does; it is read
    from the bundle files before OPA listens, so an OPA that refuses its owner fails to start.
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
        max_body_bytes: int = MAX_BODY_BYTES,
        cancel: threading.Event | None = None,
        owned: bool = False,
    ) -> None:
        self.opa = _paths.opa_binary(opa)
        self.bundles = [Path(b) for b in bundles]
        self.host = host
        self.port = port
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.max_body_bytes = max_body_bytes
        # Set (by a signal handler, say) to stop waiting for OPA to become healthy.
        self.cancel = cancel
        self.owned = owned
        self.owner_token: str | None = None  # the running process's, when owned
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner: _Owner | None = None
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
            *_set_flags(opa_limits(self.max_body_bytes)),
            *self.extra_args,
        ]
        self.owner_token = secrets.token_hex(32) if self.owned else None
        if self.owner_token is not None:
            cmd += _owner_flags(self.owner_token)
        for bundle in self.bundles:
            cmd += ["--bundle", str(bundle)]
        # Closed in stop(): it must outlive this method, as OPA writes to it while running.
        log = self._log = tempfile.TemporaryFile(prefix="pycognito-opa-log-")  # noqa: SIM115
        die_with_parent = _parent_death_signal()

        def popen() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={"GOGC": DEFAULT_GOGC, "GOMEMLIMIT": DEFAULT_GOMEMLIMIT, **os.environ},
                preexec_fn=die_with_parent,
            )

        self._owner = _Owner(popen, name=f"pycognito-opa-{self.host}:{self.port}")
        self._proc = self._owner.spawn()

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
        if self.owner_token is not None:
            session.headers["Authorization"] = f"Bearer {self.owner_token}"
        try:
            while time.monotonic() < deadline:
                if self.cancel is not None and self.cancel.is_set():
                    raise OpaStartError("stopped while waiting for OPA to become healthy")
                if self._proc is not None and self._proc.poll() is not None:
                    detail = self.output() or f"exit code {self._proc.returncode}"
                    raise OpaStartError(f"OPA exited while starting: {detail}")
                try:
                    resp = session.get(f"{self.url}/health", params={"bundles": ""}, timeout=1)
                    if resp.status_code == 200 and self.owner_token is not None:
                        resp = session.get(f"{self.url}{OWNER_PROBE}", timeout=1)
                    if resp.status_code == 200:
                        return
                    if self.owner_token is not None:
                        raise OpaStartError(_owner_refused(resp))
                except requests.RequestException:
                    pass
                if self.cancel is not None:
                    self.cancel.wait(0.02)
                else:
                    time.sleep(0.02)
        finally:
            session.close()
        raise OpaStartError(
            f"OPA did not become healthy within {self.startup_timeout:.0f}s: {self.output()}"
        )

    def stop(self, timeout: float = 5.0) -> None:
        self.owner_token = None
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        owner, self._owner = self._owner, None
        if owner is not None:
            owner.release()
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
