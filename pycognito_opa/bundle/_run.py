"""Running the OPA command line for bundle work (`opa build`, `opa eval`, `opa inspect`), each
run bounded in time and, when asked, in memory."""

from __future__ import annotations

import re
import resource
import subprocess
from pathlib import Path

from ..errors import BundleError

BUILD_TIMEOUT_SECONDS = 300.0
"""The longest one `opa` command may run unless its caller gives a shorter bound."""

_MIB = 1024 * 1024

# How Go's runtime ends a process (exit status 2, a goroutine dump on stderr): a refused
# allocation is "fatal error: runtime: out of memory" (or "cannot allocate memory", "failed to
# reserve ..."), and under a memory limit the garbage collector also dies of SIGSEGV when one
# of its own allocations is refused.
# OPA's own errors start with "error: " (or are JSON on stdout): stderr that starts with a
# crash is Go's (Go may first say "runtime: out of memory: cannot allocate ...").
_GO_CRASH = re.compile(
    r"\A(?:runtime: .*\n)*"
    r"((?:fatal error: |panic: |SIGSEGV: |SIGBUS: |unexpected fault address).*)"
)

# `ulimit -d` caps the process's data segment (RLIMIT_DATA), which on Linux counts the
# private writable memory Go's heap is made of: OPA's peak RSS stays under it, and an
# allocation past it ends OPA with "fatal error: ... out of memory". Exit 125 (which OPA
# never uses) when the shell cannot set it, so OPA never runs without its bound.
_WITH_MEMORY_LIMIT = 'ulimit -d "$1" || exit 125; shift; exec "$@"'
_NO_LIMIT_STATUS = 125


class OpaLimitError(BundleError):
    """OPA ran past the time or memory it was given for one command (and was stopped)."""


def _memory_limited(cmd: list[str], memory_bytes: int) -> list[str]:
    """`cmd` run by /bin/sh under a data-segment limit of `memory_bytes` (or the current hard
    limit, when that is lower: a process cannot raise it). `exec` makes OPA the process itself,
    so a timeout kills OPA, not a shell."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    return ["/bin/sh", "-c", _WITH_MEMORY_LIMIT, "sh", str(max(limit // 1024, 1)), *cmd]


def run_opa(
    cmd: list[str],
    cwd: Path | None = None,
    *,
    timeout: float = BUILD_TIMEOUT_SECONDS,
    memory_bytes: int | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run an `opa` command line and return what it did. OpaLimitError (a BundleError) when it
    runs past `timeout` seconds or, with `memory_bytes`, needs more memory than that: OPA is
    stopped either way. BundleError when it cannot be started. Output that is not UTF-8 (OPA
    quotes a file's bytes in its parse errors) is decoded with replacement characters."""
    full = _memory_limited(cmd, memory_bytes) if memory_bytes is not None else cmd
    try:
        proc = subprocess.run(
            full,
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            check=False,
            timeout=timeout,
            cwd=cwd,
        )
    except subprocess.TimeoutExpired as exc:
        raise OpaLimitError(f"`opa {_verb(cmd)}` did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise BundleError(f"cannot run {cmd[0]}: {exc.strerror or exc}") from exc
    if memory_bytes is not None:
        if proc.returncode == _NO_LIMIT_STATUS:
            raise BundleError(f"cannot limit OPA's memory: {proc.stderr.strip()}")
        crash = go_crash(proc)
        if crash is not None and not crash.startswith("panic: "):
            raise OpaLimitError(
                f"`opa {_verb(cmd)}` was stopped at its {memory_bytes // _MIB} MiB memory "
                f"limit (Go runtime: {crash})"
            )
    return proc


def go_crash(proc: subprocess.CompletedProcess[str]) -> str | None:
    """The first line of Go's message when the process died of a Go runtime crash or panic
    (the goroutine dump after it is of no use to a reader)."""
    found = _GO_CRASH.match(proc.stderr) if proc.returncode != 0 else None
    return found.group(1).strip() if found else None


def _verb(cmd: list[str]) -> str:
    return cmd[1] if len(cmd) > 1 else ""


def opa_message(proc: subprocess.CompletedProcess[str]) -> str:
    crash = go_crash(proc)
    if crash is not None:
        return f"OPA crashed: {crash}"
    return (proc.stderr or proc.stdout).strip().removeprefix("error: ")
