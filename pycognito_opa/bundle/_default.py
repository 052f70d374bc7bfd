"""The default bundle: the project's Rego and data, built once and rebuilt when they change."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .. import _paths
from ..errors import BundleError
from ._build import ROOTS, BundleInfo, _content_hash, _stage, build_bundle
from ._inspect import read_manifest


def default_bundle(opa: str | os.PathLike[str] | None = None) -> BundleInfo:
    """The default bundle (project Rego + data), rebuilt only when its content changed."""
    out = _paths.build_dir() / "bundles" / "default.tar.gz"
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-stage-") as tmp:
        stage = Path(tmp)
        files = _stage(stage, _paths.rego_dir(), _paths.data_dir(), {})
        wanted = _content_hash(stage, files)
    if out.is_file():
        try:
            if read_manifest(out).get("revision") == wanted:
                return BundleInfo(path=out, revision=wanted, roots=ROOTS)
        except BundleError:
            pass
    return build_bundle(out, revision=wanted, opa=opa)
