"""Compose OPA bundles from the project's Rego and data (and a user's own policies and
principals), built and signed by `opa build`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import _paths
from .._estate import STORE_PATH, Estate, catalog_actions, with_index
from ..errors import BundleError
from ._keys import DEFAULT_KEY_ID, DEFAULT_SIGNING_ALG, check_signing_alg, check_signing_key
from ._run import opa_message, run_opa

# "system/authz" holds the sidecar's administrative policy (rego/system/authz/authz.rego), so it is
# signed with everything else. Not "system": OPA keeps its own bundle metadata under
# data.system.bundles.
ROOTS = ("cognito", "system/authz")
DATA_FILE_NAMES = ("data.json", "data.yaml", "data.yml")
DATA_FILE_NAMES = ("data.json", "data.yaml", "data.yml")


@dataclass(frozen=True)
class BundleInfo:
    """A built bundle: where it is, its revision (a content hash) and its roots."""

    path: Path
    revision: str
    roots: tuple[str, ...]
    signed: bool = False


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


def _content_hash(stage: Path, files: list[Path], roots: tuple[str, ...] = ROOTS) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(list(roots)).encode())
    digest.update(b"\0")
    for f in files:
        digest.update(str(f.relative_to(stage)).encode())
        digest.update(b"\0")
        digest.update(f.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


# Values the Rego modules compute from the bundle's own data alone (no input), evaluated once
# by OPA when the bundle is built and stored at data.cognito.derived, so that decision queries
# read them instead of recomputing them: data key -> the rule that computes it. The modules fall
# back to computing them when they are absent (as in `opa test`).
DERIVED_PATH = "cognito/derived"
DERIVED_RULES = {
    "arn_type_regexes": "data.cognito.arn.type_regex_table",
    "action_resource_regexes": "data.cognito.diagnostics.action_resource_regexes",
}


def _add_derived(
    stage: Path, opa_bin: Path, rego_dir: Path, data_dir: Path, data: Mapping[str, Any]
) -> None:
    """Evaluate DERIVED_RULES over the project's policies and data (not the extra data, which
    cannot change what they read) and add their values to the staged bundle.

    Nothing is added when the policies do not define them (a bundle of other Rego) or cannot be
    evaluated (`opa build` then reports why)."""
    if DERIVED_PATH in data:
        raise BundleError(f"data path {DERIVED_PATH!r} is computed by the bundle build")
    query = "{" + ", ".join(f'"{k}": {rule}' for k, rule in DERIVED_RULES.items()) + "}"
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-derive-") as tmp:
        _stage(Path(tmp), rego_dir, data_dir, {})
        proc = run_opa([str(opa_bin), "eval", "--bundle", tmp, "--format", "json", query])
    if proc.returncode != 0:
        return
    try:
        value = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    except (ValueError, KeyError, IndexError, TypeError):
        return  # undefined: these policies do not compute the derived values
    dst = stage / DERIVED_PATH / "data.json"
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(value, sort_keys=True, indent=1))


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
    estate: Estate | None = None,
    signing_alg: str = DEFAULT_SIGNING_ALG,
    key_id: str = DEFAULT_KEY_ID,
) -> BundleInfo:
    """Build a bundle with `opa build -b` and write it atomically to `output`.

    `extra_data` maps data paths (such as "cognito/store") to JSON values added to the bundle;
    `estate` (a user's checked policies and principals) goes to data.cognito.store. The data at
    data.cognito.store gets its statement index (data.cognito.store.index, rebuilt from
    `principals`).
    With `signing_key` (a PEM private key) OPA signs the bundle with `signing_alg`, naming the
    key `key_id`. The revision defaults to a hash of the bundle's content, so equal inputs
    give equal revisions. On any failure nothing is written at `output`.
    """
    opa_bin = _paths.opa_binary(opa)
    rego_dir = rego_dir or _paths.rego_dir()
    data_dir = data_dir or _paths.data_dir()
    data = dict(extra_data or {})
    if estate is not None:
        if STORE_PATH in data:
            raise BundleError(f"give the data at {STORE_PATH} either as estate or as extra_data")
        data[STORE_PATH] = estate.store()
    if STORE_PATH in data:
        # The statement index lets OPA match only the stored statements that can name the
        # requested action (see estate.principal_index); it is derived, so always rebuilt here.
        data[STORE_PATH] = with_index(data[STORE_PATH], catalog_actions(data_dir))
    if signing_key is not None:
        check_signing_key(signing_key)
        check_signing_alg(signing_alg)
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-bundle-") as tmp:
        stage = Path(tmp) / "bundle"
        stage.mkdir()
        files = _stage(stage, rego_dir, data_dir, data)
        rev = revision or _content_hash(stage, files, tuple(roots))
        _add_derived(stage, opa_bin, rego_dir, data_dir, data)
        manifest = {"revision": rev, "roots": list(roots), "rego_version": 1}
        (stage / ".manifest").write_text(json.dumps(manifest, indent=1))
        partial = Path(tmp) / "bundle.tar.gz"
        # Built from inside the stage, so that the bundle names its files /policies/...,
        # not by the temporary folder they were staged in.
        cmd = [str(opa_bin.resolve()), "build", "-b", ".", "-o", str(partial)]
        if signing_key is not None:
            cmd += ["--signing-key", str(Path(signing_key).resolve()), "--signing-alg", signing_alg]
            cmd += ["--verification-key-id", key_id]  # names the signing key in the JWT
        proc = run_opa(cmd, cwd=stage)
        if proc.returncode != 0:
            raise BundleError(f"opa build failed: {opa_message(proc)}")
        # Write beside the target, then rename: readers never see a half-written bundle.
        fd, tmp_out = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as dst, partial.open("rb") as src:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fsync(dst.fileno())
            os.chmod(tmp_out, 0o644)
            os.replace(tmp_out, out)
        finally:
            if os.path.exists(tmp_out):
                os.unlink(tmp_out)
    return BundleInfo(path=out, revision=rev, roots=tuple(roots), signed=signing_key is not None)
