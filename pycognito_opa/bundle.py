"""Compose OPA bundles from the project's Rego and data, built and validated by `opa build`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import paths
from .errors import BundleError

ROOTS = ("cognito", "system/authz")
DATA_FILE_NAMES = ("data.json", "data.yaml", "data.yml")


@dataclass(frozen=True)
class BundleInfo:
    """A built bundle: where it is, its revision (a content hash) and its roots."""

    path: Path
    revision: str
    roots: tuple[str, ...]


def _policy_files(rego_dir: Path) -> list[Path]:
    return sorted(
        p for p in rego_dir.rglob("*.rego") if p.is_file() and not p.name.endswith("_test.rego")
    )


def _data_files(data_dir: Path) -> list[Path]:
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and p.name in DATA_FILE_NAMES)


def _stage(
    stage: Path, rego_dir: Path, data_dir: Path, extra_data: Mapping[str, Any]
) -> list[Path]:
    """Copy policies and data into `stage`; return the staged files, sorted."""
    for src in _policy_files(rego_dir):
        dst = stage / "policies" / src.relative_to(rego_dir)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    for src in _data_files(data_dir):
        dst = stage / src.relative_to(data_dir)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    for data_path, value in extra_data.items():
        dst = stage / data_path.strip("/") / "data.json"
        if dst.exists():
            raise BundleError(f"data path {data_path!r} is already used by the bundle's own data")
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(json.dumps(value, sort_keys=True, indent=1))
    return sorted(p for p in stage.rglob("*") if p.is_file())


def _content_hash(stage: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(stage)).encode())
        digest.update(b"\0")
        digest.update(f.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def build_bundle(
    output: str | os.PathLike[str],
    *,
    rego_dir: Path | None = None,
    data_dir: Path | None = None,
    extra_data: Mapping[str, Any] | None = None,
    roots: tuple[str, ...] = ROOTS,
    revision: str | None = None,
    signing_key: str | os.PathLike[str] | None = None,
    opa: str | os.PathLike[str] | None = None,
) -> BundleInfo:
    """Build a bundle with `opa build -b` and write it atomically to `output`.

    `extra_data` maps data paths (such as "cognito/store") to JSON values added to the bundle.
    The revision defaults to a hash of the bundle's content, so equal inputs give equal revisions.
    """
    opa_bin = paths.opa_binary(opa)
    rego_dir = rego_dir or paths.rego_dir()
    data_dir = data_dir or paths.data_dir()
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-bundle-") as tmp:
        stage = Path(tmp) / "bundle"
        stage.mkdir()
        files = _stage(stage, rego_dir, data_dir, extra_data or {})
        rev = revision or _content_hash(stage, files)
        manifest = {"revision": rev, "roots": list(roots), "rego_version": 1}
        (stage / ".manifest").write_text(json.dumps(manifest, indent=1))
        partial = Path(tmp) / "bundle.tar.gz"
        cmd = [str(opa_bin), "build", "-b", str(stage), "-o", str(partial)]
        if signing_key:
            cmd += ["--signing-key", str(signing_key)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            message = (proc.stderr or proc.stdout).strip()
            raise BundleError(f"opa build failed: {message}")
        # Write beside the target, then rename: readers never see a half-written bundle.
        fd, tmp_out = tempfile.mkstemp(prefix=".bundle-", dir=out.parent)
        os.close(fd)
        shutil.copyfile(partial, tmp_out)
        os.replace(tmp_out, out)
    return BundleInfo(path=out, revision=rev, roots=tuple(roots))


def read_manifest(bundle: str | os.PathLike[str]) -> dict[str, Any]:
    """The `.manifest` of a built bundle."""
    try:
        with tarfile.open(bundle, "r:gz") as tar:
            for member in tar.getmembers():
                if member.name.lstrip("/") == ".manifest":
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        return json.loads(extracted.read())
    except (OSError, tarfile.TarError, json.JSONDecodeError) as exc:
        raise BundleError(f"cannot read bundle {bundle}: {exc}") from exc
    raise BundleError(f"bundle {bundle} has no .manifest")


def default_bundle(opa: str | os.PathLike[str] | None = None) -> BundleInfo:
    """The default bundle (project Rego + data), rebuilt only when its content changed."""
    out = paths.build_dir() / "bundles" / "default.tar.gz"
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-stage-") as tmp:
        stage = Path(tmp)
        files = _stage(stage, paths.rego_dir(), paths.data_dir(), {})
        wanted = _content_hash(stage, files)
    if out.is_file():
        try:
            if read_manifest(out).get("revision") == wanted:
                return BundleInfo(path=out, revision=wanted, roots=ROOTS)
        except BundleError:
            pass
    return build_bundle(out, revision=wanted, opa=opa)
