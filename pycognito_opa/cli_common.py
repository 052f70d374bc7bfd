"""What every `pycognito-opa` subcommand shares: exit codes and the one-line JSON error."""

from __future__ import annotations

import json
import sys

from .errors import EXIT_ENVIRONMENT, EXIT_INPUT

EXIT_OK = 0
EXIT_FINDINGS = 1

__all__ = ["EXIT_ENVIRONMENT", "EXIT_FINDINGS", "EXIT_INPUT", "EXIT_OK", "report_error"]


def report_error(code: str, message: str) -> None:
    """One JSON line on stderr: {"error": {"code": ..., "message": ...}}."""
    sys.stderr.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")
