"""What a built bundle holds, and whether its signature verifies (OPA verifies it)."""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import _paths
from ..errors import BundleError, InputFileError, SignatureError
from ._keys import DEFAULT_KEY_ID, DEFAULT_SIGNING_ALG, check_signing_alg, check_verification_key
from ._run import opa_message, run_opa

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


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
        proc = run_opa(
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
        raise SignatureError(f"OPA refused the bundle's signature: {opa_message(proc)}")


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
