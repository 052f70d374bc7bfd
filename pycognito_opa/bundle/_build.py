"""Compose OPA bundles from the project's Rego and data (and a user's own policies and
principals), built and signed by `opa build`.

What a bundle holds beyond its files is computed by the project's own Rego, with one `opa eval`
over the staged policies and data when the bundle is built: the values decisions would otherwise
recompute (data.cognito.derived) and, when the bundle stores principals, the checked store with
its statement index (data.cognito.store.build). Python never decides what a policy means."""

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
from .._estate import STORE_PATH, Estate
from ..errors import BundleError, StoredPolicyError
from ._keys import DEFAULT_KEY_ID, DEFAULT_SIGNING_ALG, check_signing_alg, check_signing_key
from ._run import opa_message, run_opa

# "system/authz" holds the sidecar's administrative policy (rego/system/authz/authz.rego), so it is
# signed with everything else. Not "system": OPA keeps its own bundle metadata under
# data.system.bundles.
ROOTS = ("cognito", "system/authz")
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
# The rule that checks the policies and principals to store and computes data.cognito.store
# with its statement index: {"errors": [...]} or {"errors": [], "store": {...}}. Its input is
# Estate.to_input(), or {"store": VALUE, "files": {"store": LABEL}} for a store given whole,
# either with the identity pools to store ({"identity_pools": {FOLDER: {"pool", "roles"}}}).
STORE_RULE = "data.cognito.store.build"
EXTRA_STORE_LABEL = f"extra_data[{STORE_PATH!r}]"


@dataclass(frozen=True)
class _Computed:
    derived: Any  # None when the policies do not compute it
    store: Any  # None when no store was asked for


def _compute(
    opa_bin: Path, rego_dir: Path, data_dir: Path, store_input: Mapping[str, Any] | None
) -> _Computed:
    """One `opa eval` over the project's policies and data (not the extra data, which cannot
    change what they read): the derived values, and the store built from `store_input`.

    The derived values are left out when the policies do not define them (a bundle of other
    Rego) or cannot be evaluated (`opa build` then reports why). A store that was asked for
    is never left out: a StoredPolicyError lists the input's errors, a BundleError says why
    the store could not be computed."""
    derived = "{" + ", ".join(f'"{k}": {rule}' for k, rule in DERIVED_RULES.items()) + "}"
    parts = {"derived": f"[x | x := {derived}]"}
    if store_input is not None:
        parts["store"] = f"[x | x := {STORE_RULE}]"
    query = "{" + ", ".join(f'"{k}": {q}' for k, q in parts.items()) + "}"
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-compute-") as tmp:
        stage = Path(tmp) / "bundle"
        stage.mkdir()
        _stage(stage, rego_dir, data_dir, {})
        cmd = [str(opa_bin), "eval", "--bundle", str(stage), "--format", "json"]
        if store_input is not None:
            given = Path(tmp) / "input.json"
            given.write_text(json.dumps(store_input), encoding="utf-8")
            cmd += ["--input", str(given)]
        proc = run_opa([*cmd, query])
    try:
        value = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    except (ValueError, KeyError, IndexError, TypeError):
        value = {}
    if proc.returncode != 0 or not isinstance(value, dict):
        value = {}
    if store_input is None:
        return _Computed(derived=_only(value.get("derived")), store=None)
    if proc.returncode != 0:
        raise BundleError(f"cannot check the policies and principals to store: {opa_message(proc)}")
    built = _only(value.get("store"))
    if not isinstance(built, dict):
        raise BundleError(f"the bundle's policies do not define {STORE_RULE}")
    if built.get("errors"):
        raise StoredPolicyError(built["errors"])
    if not isinstance(built.get("store"), dict):
        raise BundleError(f"{STORE_RULE} gave neither errors nor a store")
    return _Computed(derived=_only(value.get("derived")), store=built["store"])


def _only(values: Any) -> Any:
    """The one value of a query part written [x | x := RULE]: None when RULE was undefined."""
    return values[0] if isinstance(values, list) and len(values) == 1 else None


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
    identity_pools: Mapping[str, Any] | None = None,
) -> BundleInfo:
    """Build a bundle with `opa build -b` and write it atomically to `output`.

    `extra_data` maps data paths to JSON values added to the bundle; `estate` (a user's policies
    and principals, as read from their files) becomes data.cognito.store. The store, from
    `estate` or given whole at extra_data["cognito/store"] ({"principals": ...}), is checked and
    indexed by the Rego (data.cognito.store.build): every policy, permissions boundary and
    managed policy reference by the rules inline ones meet, every principal ARN; any error
    raises a StoredPolicyError listing them all, and its statement index
    (data.cognito.store.index) is computed from its principals.
    `identity_pools` ({POOL_FOLDER: {"pool", "roles"}}, as identity.read_identity_pools reads
    them) are checked by the Rego that checks identity objects sent inline and stored at
    data.cognito.store.identity_pools by IdentityPoolId, so that a request's identity may name
    its pool by ID; their errors raise a StoredPolicyError too.
    With `signing_key` (a PEM private key) OPA signs the bundle with `signing_alg`, naming the
    key `key_id`. The revision defaults to a hash of the bundle's content, so equal inputs
    give equal revisions. On any failure nothing is written at `output`.
    """
    opa_bin = _paths.opa_binary(opa)
    rego_dir = rego_dir or _paths.rego_dir()
    data_dir = data_dir or _paths.data_dir()
    data = dict(extra_data or {})
    if DERIVED_PATH in data:
        raise BundleError(f"data path {DERIVED_PATH!r} is computed by the bundle build")
    store_input: dict[str, Any] | None = None
    if estate is not None:
        if STORE_PATH in data:
            raise BundleError(f"give the data at {STORE_PATH} either as estate or as extra_data")
        store_input = estate.to_input()
    elif STORE_PATH in data:
        store_input = {"store": data.pop(STORE_PATH), "files": {"store": EXTRA_STORE_LABEL}}
    if identity_pools is not None:
        if store_input is None:
            store_input = {"policies": {}, "principals": {}, "files": {}}
        store_input["identity_pools"] = dict(identity_pools)
    if signing_key is not None:
        check_signing_key(signing_key)
        check_signing_alg(signing_alg)
    computed = _compute(opa_bin, rego_dir, data_dir, store_input)
    if store_input is not None:
        data[STORE_PATH] = computed.store
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-bundle-") as tmp:
        stage = Path(tmp) / "bundle"
        stage.mkdir()
        files = _stage(stage, rego_dir, data_dir, data)
        rev = revision or _content_hash(stage, files, tuple(roots))
        if computed.derived is not None:
            derived_file = stage / DERIVED_PATH / "data.json"
            derived_file.parent.mkdir(parents=True, exist_ok=True)
            derived_file.write_text(json.dumps(computed.derived, sort_keys=True, indent=1))
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
