"""Running the OPA command line for bundle work (`opa build`, `opa eval`, `opa inspect`)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def run_opa(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300, cwd=cwd)


def opa_message(proc: subprocess.CompletedProcess[str]) -> str:
    return (proc.stderr or proc.stdout).strip().removeprefix("error: ")
