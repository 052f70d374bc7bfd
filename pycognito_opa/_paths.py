"""Where the project's files, its cache and the OPA binary are.

The Rego policies, the bundle data and the documented examples live in two places:

- installed from a wheel: inside the package, in `pycognito_opa/_resources/` (the wheel maps the
  repository's `rego/`, `bundles/data/` and `bundles/examples/` there, see pyproject.toml);
- running from a checkout (or an editable install of one): the repository's own folders beside
  the package.

Nothing here ever writes into the package folder: what is built (the default bundle) goes to the
per-user cache, `cache_dir()`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from .errors import OpaVersionError, ResourcesNotFoundError, ToolNotFoundError

OPA_ENV = "PYCOGNITO_OPA_BINARY"
CACHE_ENV = "PYCOGNITO_OPA_CACHE"

# The OPA this package is tested with and the oldest it accepts; scripts/install-tools.sh builds
# the same version into a checkout's .tools/bin (tests/test_packaging.py checks they agree).
OPA_VERSION = "v1.22.3"
OPA_GO_INSTALL = f"go install github.com/open-policy-agent/opa@{OPA_VERSION}"
OPA_VERSION_TIMEOUT = 30.0

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "_resources"


def checkout_root() -> Path | None:
    """The repository the package runs from (a source checkout or an editable install of one);
    None when it runs from an installed wheel."""
    if RESOURCES_DIR.is_dir():
        return None
    root = PACKAGE_DIR.parent
    if (root / "rego").is_dir() and (root / "bundles").is_dir():
        return root
    return None


def _resource(installed: str, *in_checkout: str) -> Path:
    if RESOURCES_DIR.is_dir():
        path = RESOURCES_DIR / installed
    else:
        root = checkout_root()
        if root is None:
            raise ResourcesNotFoundError(
                f"the package's {installed} folder is missing: neither {RESOURCES_DIR} (an "
                f"installed wheel) nor a checkout beside {PACKAGE_DIR}; reinstall pycognito-opa"
            )
        path = root.joinpath(*in_checkout)
    if not path.is_dir():
        raise ResourcesNotFoundError(f"the package's {installed} folder is missing: {path}")
    return path


def rego_dir() -> Path:
    """The Rego policies (`rego/` in the repository)."""
    return _resource("rego", "rego")


def data_dir() -> Path:
    """The bundle's data: action catalog and AWS managed policies (`bundles/data/`)."""
    return _resource("data", "bundles", "data")


def examples_dir() -> Path:
    """AWS's documented examples (`bundles/examples/`)."""
    return _resource("examples", "bundles", "examples")


def cache_dir() -> Path:
    """The per-user cache: $PYCOGNITO_OPA_CACHE, else $XDG_CACHE_HOME/pycognito-opa, else
    ~/.cache/pycognito-opa. Not created here."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG specification says a relative path is invalid and is to be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "pycognito-opa"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def opa_binary(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The OPA binary: the explicit one, else $PYCOGNITO_OPA_BINARY, else the checkout's
    .tools/bin/opa (only when running from a checkout), else `opa` on PATH.

    Raises ToolNotFoundError when there is none (the message says how to install it) and
    OpaVersionError when it is older than OPA_VERSION."""
    candidates: list[Path] = []
    tried: list[str] = []
    if explicit:
        candidates.append(Path(explicit))
    elif os.environ.get(OPA_ENV):
        candidates.append(Path(os.environ[OPA_ENV]))
    else:
        root = checkout_root()
        if root is not None:
            candidates.append(root / ".tools" / "bin" / "opa")
        on_path = shutil.which("opa")
        if on_path:
            candidates.append(Path(on_path))
        else:
            tried.append("`opa` on PATH")
    for candidate in candidates:
        if _executable(candidate):
            check_opa_version(candidate)
            return candidate
    where = ", ".join([str(c) for c in candidates] + tried)
    raise ToolNotFoundError(
        f"OPA binary not found (tried {where}). Install OPA {OPA_VERSION} or later and put it "
        f"on PATH: `{OPA_GO_INSTALL}` installs it into $(go env GOPATH)/bin; or set {OPA_ENV} "
        "to its path (in a checkout, `make tools` builds it into .tools/bin)"
    )


def _parse_version(text: str) -> tuple[int, int, int] | None:
    """The version `opa version` prints on its `Version: 1.22.3` line."""
    found = re.search(r"^Version:\s*v?(\d+)\.(\d+)\.(\d+)", text, re.MULTILINE)
    if found is None:
        return None
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch)


MIN_OPA_VERSION = _parse_version(f"Version: {OPA_VERSION}") or (0, 0, 0)

# (resolved path, mtime, size) -> the version found; `opa version` runs once per binary.
_checked: dict[tuple[str, int, int], tuple[int, int, int]] = {}


def check_opa_version(opa: Path) -> tuple[int, int, int]:
    """The binary's version; OpaVersionError when it is older than OPA_VERSION or does not say.

    Checked once per binary (path, modification time and size) in this process."""
    resolved = opa.resolve()
    try:
        stat = resolved.stat()
    except OSError as exc:
        raise ToolNotFoundError(f"OPA binary {opa} cannot be read: {exc.strerror}") from exc
    key = (str(resolved), stat.st_mtime_ns, stat.st_size)
    known = _checked.get(key)
    if known is not None:
        return known
    hint = f"install OPA {OPA_VERSION} or later (`{OPA_GO_INSTALL}`) or set {OPA_ENV}"
    try:
        proc = subprocess.run(
            [str(resolved), "version"],
            capture_output=True,
            text=True,
            timeout=OPA_VERSION_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OpaVersionError(f"`{opa} version` failed ({exc}); {hint}") from exc
    version = _parse_version(proc.stdout)
    if proc.returncode != 0 or version is None:
        said = (proc.stdout + proc.stderr).strip().splitlines()[:1]
        raise OpaVersionError(
            f"`{opa} version` did not print an OPA version (exit {proc.returncode}"
            f"{': ' + said[0] if said else ''}); {hint}"
        )
    if version < MIN_OPA_VERSION:
        found = ".".join(map(str, version))
        raise OpaVersionError(
            f"OPA {found} at {opa} is older than the oldest supported version, "
            f"{OPA_VERSION.lstrip('v')}; {hint}"
        )
    _checked[key] = version
    return version
