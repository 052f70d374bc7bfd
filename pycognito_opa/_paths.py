"""Where the project's files and tools are."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import ToolNotFoundError

OPA_ENV = "PYCOGNITO_OPA_BINARY"


def project_root() -> Path:
    """The folder holding `rego/` and `bundles/` (the package sits beside them)."""
    return Path(__file__).resolve().parent.parent


def rego_dir() -> Path:
    return project_root() / "rego"


def data_dir() -> Path:
    return project_root() / "bundles" / "data"


def examples_dir() -> Path:
    return project_root() / "bundles" / "examples"


def build_dir() -> Path:
    return project_root() / "build"


def opa_binary(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The OPA binary: the explicit one, $PYCOGNITO_OPA_BINARY, the project's, or PATH's."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    elif os.environ.get(OPA_ENV):
        candidates.append(Path(os.environ[OPA_ENV]))
    else:
        candidates.append(project_root() / ".tools" / "bin" / "opa")
        on_path = shutil.which("opa")
        if on_path:
            candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise ToolNotFoundError(
        f"OPA binary not found (tried {tried}); run `make tools` or set {OPA_ENV}"
    )
