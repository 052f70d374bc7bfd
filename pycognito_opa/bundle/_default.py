"""The default bundle: the project's Rego and data, built on first use into the per-user cache.

The bundle is named by a hash of what goes into it, so a changed policy (in a checkout) or
another installed version gets its own file and an unchanged one is built once. It is written
atomically (a temporary file renamed into place, see build_bundle), so processes that build it
at the same time each write a whole bundle and readers never see half of one. Nothing is ever
written into the installed package.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from .. import _paths
from ..errors import BundleError
from ._build import (
    DERIVED_PATH,
    DERIVED_RULES,
    ROOTS,
    BundleInfo,
    _content_hash,
    _stage,
    build_bundle,
)
from ._inspect import read_manifest

CACHE_SUBDIR = "bundles"
PREFIX = "default-"
SUFFIX = ".tar.gz"
# Cached default bundles not used for this long are removed when another one is built.
STALE_AFTER_S = 30 * 24 * 3600
# Leftovers of a build that was killed before it could rename its temporary file.
PARTIAL_STALE_AFTER_S = 24 * 3600


def _cache_key(revision: str) -> str:
    """The bundle's content hash plus what the build adds to it (the derived values)."""
    recipe = json.dumps([revision, DERIVED_PATH, DERIVED_RULES], sort_keys=True)
    return hashlib.sha256(recipe.encode()).hexdigest()[:20]


def _prune(folder: Path, keep: Path) -> None:
    """Remove cached default bundles unused for STALE_AFTER_S and stale partial files."""
    now = time.time()
    for path in folder.iterdir():
        if path == keep:
            continue
        if path.name.startswith(PREFIX) and path.name.endswith(SUFFIX):
            limit = STALE_AFTER_S
        elif path.name.startswith(f".{PREFIX}") and path.name.endswith(".partial"):
            limit = PARTIAL_STALE_AFTER_S
        else:
            continue
        with contextlib.suppress(OSError):  # another process may have removed it first
            if now - path.stat().st_mtime > limit:
                path.unlink()


def _revision_and_path() -> tuple[str, Path]:
    """The default bundle's revision (a hash of its policies and data) and its cache file."""
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-stage-") as tmp:
        stage = Path(tmp)
        files = _stage(stage, _paths.rego_dir(), _paths.data_dir(), {})
        revision = _content_hash(stage, files)
    return revision, _paths.cache_dir() / CACHE_SUBDIR / f"{PREFIX}{_cache_key(revision)}{SUFFIX}"


def default_bundle(opa: str | os.PathLike[str] | None = None) -> BundleInfo:
    """The default bundle (project Rego + data): built on first use into the per-user cache
    (`_paths.cache_dir()`), then reused until its content changes."""
    wanted, out = _revision_and_path()
    if out.is_file():
        try:
            if read_manifest(out).get("revision") == wanted:
                with contextlib.suppress(OSError):
                    os.utime(out)  # in use: not stale
                return BundleInfo(path=out, revision=wanted, roots=ROOTS)
        except BundleError:
            pass  # unreadable: built again below
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        info = build_bundle(out, revision=wanted, opa=opa)
    except OSError as exc:
        raise BundleError(
            f"cannot write the default bundle into the cache folder {out.parent} "
            f"({exc.strerror or exc}); set {_paths.CACHE_ENV} to a writable folder"
        ) from exc
    with contextlib.suppress(OSError):
        _prune(out.parent, keep=out)
    return info
