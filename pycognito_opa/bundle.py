"""Compose OPA bundles from the project's Rego and data (and a user's own policies and
principals), built, signed and verified by `opa build`; read a built bundle back."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import _paths
from ._estate import STORE_PATH, Estate, catalog_actions, with_index
from .errors import BundleError, InputFileError, SignatureError

# "system/authz" holds the sidecar's administrative policy (rego/system/authz.rego), so it is
# signed with everything else. Not "system": OPA keeps its own bundle metadata under
# data.system.bundles.
ROOTS = ("cognito", "system/authz")
DATA_FILE_NAMES = ("data.json", "data.yaml", "data.yml")
DEFAULT_SIGNING_ALG = "RS256"
DEFAULT_KEY_ID = "pycognito-opa"
SIGNING_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
KEYGEN_HINT = (
    "create a key pair with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
    "-out private.pem && openssl pkey -in private.pem -pubout -out public.pem"
)
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


@dataclass(frozen=True)
class BundleInfo:
    """A built bundle: where it is, its revision (a content hash) and its roots."""

    path: Path
    revision: str
    roots: tuple[str, ...]
    signed: bool = False


@dataclass(frozen=True)
class BundleReport:
    """What `inspect_bundle` found in a built bundle."""

    path: str
    size: int
    revision: str
    roots: tuple[str, ...]
    signed: bool
    signature: str  # "unsigned", "not verified", "valid" or "invalid"
    signature_error: str | None
    key_id: str | None
    algorithm: str | None
    signed_files: int
    files: tuple[tuple[str, int], ...]
    packages: tuple[str, ...]
    data_paths: tuple[str, ...]
    principals: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["files"] = [{"name": n, "size": s} for n, s in self.files]
        for key in ("roots", "packages", "data_paths", "principals"):
            out[key] = list(out[key])
        return out


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


def _pem(path: str | os.PathLike[str], what: str) -> str:
    p = Path(path)
    try:
        text = p.read_text(encoding="ascii")
    except FileNotFoundError:
        raise InputFileError(p, f"{what} not found; {KEYGEN_HINT}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(p, f"cannot read the {what}: {exc}") from exc
    if "-----BEGIN " not in text:
        raise InputFileError(p, f"not a PEM file; {KEYGEN_HINT}")
    return text


def check_signing_key(path: str | os.PathLike[str]) -> Path:
    """A PEM private key file. (OPA would take any other text as an HMAC secret.)"""
    if "PRIVATE KEY-----" not in _pem(path, "signing key"):
        raise InputFileError(path, f"not a PEM private key; {KEYGEN_HINT}")
    return Path(path)


def check_verification_key(path: str | os.PathLike[str]) -> str:
    """The text of a PEM public key (or certificate) file, refusing private keys."""
    text = _pem(path, "verification key")
    if "PRIVATE KEY-----" in text:
        raise InputFileError(
            path,
            "this is a private key: give sidecars the public key only "
            "(openssl pkey -in private.pem -pubout -out public.pem)",
        )
    if "PUBLIC KEY-----" not in text and "CERTIFICATE-----" not in text:
        raise InputFileError(path, "not a PEM public key or certificate")
    return text


def check_signing_alg(alg: str) -> str:
    if alg not in SIGNING_ALGS:
        raise InputFileError(alg, f"unsupported signing algorithm (use one of {SIGNING_ALGS})")
    return alg


def _run_opa(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300, cwd=cwd)


def _opa_message(proc: subprocess.CompletedProcess[str]) -> str:
    return (proc.stderr or proc.stdout).strip().removeprefix("error: ")


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
        proc = _run_opa([str(opa_bin), "eval", "--bundle", tmp, "--format", "json", query])
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
        proc = _run_opa(cmd, cwd=stage)
        if proc.returncode != 0:
            raise BundleError(f"opa build failed: {_opa_message(proc)}")
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


def _members(bundle: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every regular file of a bundle tarball, by its name without a leading slash."""
    try:
        with tarfile.open(bundle, "r:gz") as tar:
            out: dict[str, bytes] = {}
            for member in tar.getmembers():
                if not member.isfile():
                    continue
                extracted = tar.extractfile(member)
                if extracted is not None:
                    out[member.name.lstrip("/")] = extracted.read()
            return out
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BundleError(f"cannot read bundle {bundle}: {exc}") from exc


def read_manifest(bundle: str | os.PathLike[str]) -> dict[str, Any]:
    """The `.manifest` of a built bundle."""
    raw = _members(bundle).get(".manifest")
    if raw is None:
        raise BundleError(f"bundle {bundle} has no .manifest")
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        raise BundleError(f"cannot read bundle {bundle}: .manifest is not JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise BundleError(f"cannot read bundle {bundle}: .manifest is not an object")
    return manifest


def verify_bundle(
    bundle: str | os.PathLike[str],
    verification_key: str | os.PathLike[str],
    *,
    key_id: str = DEFAULT_KEY_ID,
    signing_alg: str = DEFAULT_SIGNING_ALG,
    opa: str | os.PathLike[str] | None = None,
) -> None:
    """Have OPA verify the bundle's signature with a public key; SignatureError with OPA's
    reason when the bundle is unsigned, tampered with or signed by another key."""
    check_verification_key(verification_key)
    check_signing_alg(signing_alg)
    opa_bin = _paths.opa_binary(opa)
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-verify-") as tmp:
        proc = _run_opa(
            [
                str(opa_bin),
                "build",
                "-b",
                str(bundle),
                "--verification-key",
                str(verification_key),
                "--verification-key-id",
                key_id,
                "--signing-alg",
                signing_alg,
                "-o",
                str(Path(tmp) / "verified.tar.gz"),
            ]
        )
    if proc.returncode != 0:
        raise SignatureError(f"OPA refused the bundle's signature: {_opa_message(proc)}")


def _jwt_part(part: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return value if isinstance(value, dict) else {}


def _data_paths(value: Any, prefix: str = "", depth: int = 3) -> list[str]:
    if not isinstance(value, dict) or not value or depth == 0:
        return [prefix] if prefix else []
    out: list[str] = []
    for key in sorted(value):
        out += _data_paths(value[key], f"{prefix}/{key}" if prefix else key, depth - 1)
    return out


def _merged_data(members: Mapping[str, bytes]) -> dict[str, Any]:
    """The bundle's data document (opa build merges all data into one data.json)."""
    merged: dict[str, Any] = {}
    for name, raw in members.items():
        if Path(name).name != "data.json":
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        node = merged
        for part in Path(name).parent.parts:
            node = node.setdefault(part, {})
        if isinstance(value, dict):
            node.update(value)
    return merged


def inspect_bundle(
    bundle: str | os.PathLike[str],
    *,
    verification_key: str | os.PathLike[str] | None = None,
    key_id: str = DEFAULT_KEY_ID,
    signing_alg: str = DEFAULT_SIGNING_ALG,
    opa: str | os.PathLike[str] | None = None,
) -> BundleReport:
    """Revision, roots, signature and contents of a built bundle. With `verification_key`,
    OPA checks the signature (`signature` is then "valid" or "invalid", with OPA's reason)."""
    path = Path(bundle)
    if not path.is_file():
        raise InputFileError(path, "bundle not found")
    try:
        members = _members(path)
        manifest = read_manifest(path)
    except BundleError as exc:
        raise InputFileError(path, f"not a bundle: {exc}") from exc
    key, alg, signed_files = None, None, 0
    raw_signatures = members.get(".signatures.json")
    if raw_signatures is not None:
        try:
            tokens = json.loads(raw_signatures).get("signatures") or [""]
        except (ValueError, AttributeError):
            tokens = [""]
        parts = str(tokens[0]).split(".")
        header = _jwt_part(parts[0]) if len(parts) == 3 else {}
        payload = _jwt_part(parts[1]) if len(parts) == 3 else {}
        key = header.get("kid") or payload.get("keyid")
        alg = header.get("alg")
        signed_files = len(payload.get("files") or [])
    signed = raw_signatures is not None
    status, error = ("not verified" if signed else "unsigned"), None
    if verification_key is not None:
        try:
            verify_bundle(path, verification_key, key_id=key_id, signing_alg=signing_alg, opa=opa)
            status = "valid"
        except SignatureError as exc:
            status, error = "invalid", str(exc)
    data = _merged_data(members)
    store = data.get("cognito", {}).get("store", {}) if isinstance(data, dict) else {}
    principals = store.get("principals", {}) if isinstance(store, dict) else {}
    packages = sorted(
        {
            m.group(1)
            for name, raw in members.items()
            if name.endswith(".rego")
            for m in [_PACKAGE.search(raw.decode("utf-8", "replace"))]
            if m
        }
    )
    return BundleReport(
        path=str(path),
        size=path.stat().st_size,
        revision=str(manifest.get("revision", "")),
        roots=tuple(manifest.get("roots") or ("",)),
        signed=signed,
        signature=status,
        signature_error=error,
        key_id=key,
        algorithm=alg,
        signed_files=signed_files,
        files=tuple(sorted((name, len(raw)) for name, raw in members.items())),
        packages=tuple(packages),
        data_paths=tuple(_data_paths(data)),
        principals=tuple(sorted(principals)) if isinstance(principals, dict) else (),
    )


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
