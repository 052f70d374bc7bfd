"""What a built bundle holds, and whether its signature verifies: OPA reads the bundle.

`opa inspect --format json` decides whether the file is a bundle at all (whatever it refuses is
refused here, with its reason) and says what the manifest, the signatures file and the
namespaces (policy and data files) are. `opa eval` then reports what the report needs from
that: OPA decodes the signature's JWT (`io.jwt.decode`) and loads the bundle's data (policies
left out with `--ignore '*.rego'`) to list the data paths and the stored principals. OPA
verifies signatures (`opa build --verification-key`). Python never opens the tarball.

Every OPA process run here is bounded: the bundle file is at most MAX_BUNDLE_BYTES (checked
before OPA runs), each process may run INSPECT_TIMEOUT_SECONDS and use INSPECT_MEMORY_BYTES,
and an input past a bound is refused (InputFileError, exit 2) naming it.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import _paths
from ..errors import BundleError, InputFileError, SignatureError
from ._keys import DEFAULT_KEY_ID, DEFAULT_SIGNING_ALG, check_signing_alg, check_verification_key
from ._run import OpaLimitError, opa_message, run_opa

MAX_BUNDLE_BYTES = 256 * 1024 * 1024
"""The largest bundle file read: a bigger one is refused before OPA runs."""

INSPECT_TIMEOUT_SECONDS = 30.0
"""The longest each OPA process reading a bundle here may run (it is then stopped)."""

INSPECT_MEMORY_BYTES = 1024 * 1024 * 1024
"""The memory each OPA process reading a bundle here may use (its data segment, which bounds
its resident size): OPA reads a bundle's files whole, so a gzip-compressed member of 1 GiB of
zeros (1 MB on disk) would otherwise cost 2.1 GB."""

MAX_REASON_CHARS = 2000
"""OPA's reason for refusing a bundle is cut to this length (it quotes the bundle's content)."""

# What the report needs from `opa inspect --format json` (the input): OPA's manifest fields
# and namespaces as OPA typed them, and the first signature decoded by OPA. Only strings,
# numbers and lists of them come back: a JWT's header and payload are arbitrary JSON.
_SUMMARY_QUERY = """
revision := object.get(input, ["manifest", "revision"], "")
roots := object.get(input, ["manifest", "roots"], [""])
namespaces := object.get(input, "namespaces", {})
signatures := count(object.get(input, ["signatures_config", "signatures"], []))
kid := [v | some t in [io.jwt.decode(input.signatures_config.signatures[0])]; v := t[0].kid; is_string(v)]
alg := [v | some t in [io.jwt.decode(input.signatures_config.signatures[0])]; v := t[0].alg; is_string(v)]
keyid := [v | some t in [io.jwt.decode(input.signatures_config.signatures[0])]; v := t[1].keyid; is_string(v)]
signed_files := [count(f) | some t in [io.jwt.decode(input.signatures_config.signatures[0])]; f := t[1].files; is_array(f)]
"""  # noqa: E501

# The bundle's data (base documents only: its policies are not loaded): every path down to
# three levels, and the keys of data.cognito.store.principals.
_DATA_QUERY = """
n1 := {k1 | some k1, v1 in data; is_object(v1); count(v1) > 0}
n2 := {[k1, k2] | some k1 in n1; some k2, v2 in data[k1]; is_object(v2); count(v2) > 0}
p1 := {[k1] | some k1, _ in data; not n1[k1]}
p2 := {[k1, k2] | some k1 in n1; some k2, _ in data[k1]; not n2[[k1, k2]]}
p3 := {[k1, k2, k3] | some [k1, k2] in n2; some k3, _ in data[k1][k2]}
data_paths := (p1 | p2) | p3
principals := {k | is_object(data.cognito.store.principals); some k, _ in data.cognito.store.principals}
"""  # noqa: E501


@dataclass(frozen=True)
class BundleReport:
    """What `inspect_bundle` found in a built bundle (all of it as OPA read it)."""

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
    files: tuple[str, ...]
    packages: tuple[str, ...]
    data_paths: tuple[str, ...]
    principals: tuple[str, ...]
    data_error: str | None  # why OPA could not load the bundle's data (then no paths, principals)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("roots", "files", "packages", "data_paths", "principals"):
            out[key] = list(out[key])
        return out


def _bundle_file(bundle: str | os.PathLike[str]) -> tuple[Path, int]:
    """The bundle's path and size: InputFileError when it is missing, not a regular file or
    larger than MAX_BUNDLE_BYTES."""
    path = Path(bundle)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputFileError(path, "bundle not found") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot read the bundle: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(path, "not a bundle file (.tar.gz)")
    if info.st_size > MAX_BUNDLE_BYTES:
        raise InputFileError(
            path,
            f"bundle of {info.st_size} bytes is larger than the {MAX_BUNDLE_BYTES} bytes "
            "(MAX_BUNDLE_BYTES) read",
        )
    return path, info.st_size


def _reason(proc: subprocess.CompletedProcess[str]) -> str:
    """OPA's reason for failing: its message, or the messages of the errors `opa eval
    --format json` prints as JSON; cut to MAX_REASON_CHARS."""
    text = opa_message(proc)
    try:
        errors = json.loads(text)["errors"]
        text = "; ".join(e["message"].removeprefix("loading error: ") for e in errors)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        pass  # not OPA's JSON errors: its message as it is
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 3] + "..."


def _run_bounded(
    path: Path, cmd: list[str], *, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """An OPA command over the bundle at `path`, within INSPECT_TIMEOUT_SECONDS and
    INSPECT_MEMORY_BYTES: InputFileError naming the bound when it runs past one."""
    try:
        return run_opa(
            cmd, timeout=INSPECT_TIMEOUT_SECONDS, memory_bytes=INSPECT_MEMORY_BYTES, stdin=stdin
        )
    except OpaLimitError as exc:
        raise InputFileError(path, f"past the limits of bundle inspection: {exc}") from exc


def _bindings(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The variables an `opa eval --format json` query bound."""
    try:
        bindings = json.loads(proc.stdout)["result"][0]["bindings"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError) as exc:
        raise BundleError(f"unexpected `opa eval` output: {proc.stdout[:200]!r}") from exc
    if not isinstance(bindings, dict):
        raise BundleError(f"unexpected `opa eval` output: {proc.stdout[:200]!r}")
    return bindings


def _opa_read(path: Path, opa_bin: Path) -> tuple[dict[str, Any], str | None]:
    """What OPA says of the bundle (the bindings of _SUMMARY_QUERY and, when OPA can load the
    bundle's data, of _DATA_QUERY), and why OPA could not load its data, if it could not."""
    where = str(path.absolute())  # a name starting with "-" is not an option
    inspected = _run_bounded(path, [str(opa_bin), "inspect", "--format", "json", where])
    if inspected.returncode != 0:
        raise InputFileError(path, f"not a bundle: {_reason(inspected)}")
    evaluated = _run_bounded(
        path,
        [
            str(opa_bin),
            "eval",
            "--format=json",
            "--stdin-input",
            f"--bundle={where}",
            "--ignore=*.rego",
            _SUMMARY_QUERY + _DATA_QUERY,
        ],
        stdin=inspected.stdout,
    )
    if evaluated.returncode == 0:
        return _bindings(evaluated), None
    data_error = _reason(evaluated)
    summary = _run_bounded(
        path,
        [str(opa_bin), "eval", "--format=json", "--stdin-input", _SUMMARY_QUERY],
        stdin=inspected.stdout,
    )
    if summary.returncode != 0:
        raise BundleError(f"OPA could not summarise its own inspection: {_reason(summary)}")
    return _bindings(summary), data_error


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def read_manifest(
    bundle: str | os.PathLike[str], *, opa: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """The manifest of a built bundle as OPA loads it (`opa eval --bundle`, policies left out,
    which is fast); BundleError when OPA cannot load the bundle or it is past the limits."""
    try:
        path, _ = _bundle_file(bundle)
    except InputFileError as exc:
        raise BundleError(str(exc)) from exc
    opa_bin = _paths.opa_binary(opa)
    where = str(path.absolute())
    query = "manifests := [m | some b in data.system.bundles; m := b.manifest]"
    cmd = [str(opa_bin), "eval", "--format=json", f"--bundle={where}", "--ignore=*.rego", query]
    proc = run_opa(cmd, timeout=INSPECT_TIMEOUT_SECONDS, memory_bytes=INSPECT_MEMORY_BYTES)
    if proc.returncode != 0:
        raise BundleError(f"cannot read bundle {path}: {_reason(proc)}")
    manifest = _first(_bindings(proc).get("manifests"))
    if not isinstance(manifest, dict):
        raise BundleError(f"cannot read bundle {path}: OPA reports no manifest")
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
    reason when the bundle is unsigned, tampered with or signed by another key.

    (`opa inspect` does not verify signatures; `opa build --verification-key` does, as OPA's
    bundle plugin does.) InputFileError when the bundle is past the limits of `inspect_bundle`."""
    check_verification_key(verification_key)
    check_signing_alg(signing_alg)
    path, _ = _bundle_file(bundle)
    opa_bin = _paths.opa_binary(opa)
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-verify-") as tmp:
        proc = _run_bounded(
            path,
            [
                str(opa_bin),
                "build",
                "--bundle",
                f"--verification-key={Path(verification_key).absolute()}",
                f"--verification-key-id={key_id}",
                f"--signing-alg={signing_alg}",
                f"--output={Path(tmp) / 'verified.tar.gz'}",
                str(path.absolute()),
            ],
        )
    if proc.returncode != 0:
        raise SignatureError(f"OPA refused the bundle's signature: {_reason(proc)}")


def inspect_bundle(
    bundle: str | os.PathLike[str],
    *,
    verification_key: str | os.PathLike[str] | None = None,
    key_id: str = DEFAULT_KEY_ID,
    signing_alg: str = DEFAULT_SIGNING_ALG,
    opa: str | os.PathLike[str] | None = None,
) -> BundleReport:
    """Revision, roots, signature and contents of a built bundle, as OPA reads it.

    InputFileError (with OPA's reason) for a file `opa inspect` refuses, and for one past
    MAX_BUNDLE_BYTES, INSPECT_TIMEOUT_SECONDS or INSPECT_MEMORY_BYTES. With
    `verification_key`, OPA checks the signature (`signature` is then "valid" or "invalid",
    with OPA's reason). A bundle `opa inspect` accepts but whose data OPA cannot load is
    reported, with `data_error` saying why."""
    path, size = _bundle_file(bundle)
    if verification_key is not None:
        check_verification_key(verification_key)
        check_signing_alg(signing_alg)
    opa_bin = _paths.opa_binary(opa)
    found, data_error = _opa_read(path, opa_bin)
    signed = isinstance(found.get("signatures"), int) and found["signatures"] > 0
    status, error = ("not verified" if signed else "unsigned"), None
    if verification_key is not None:
        try:
            verify_bundle(path, verification_key, key_id=key_id, signing_alg=signing_alg, opa=opa)
            status = "valid"
        except SignatureError as exc:
            status, error = "invalid", str(exc)
    namespaces = found.get("namespaces")
    namespaces = namespaces if isinstance(namespaces, dict) else {}
    files = {f for names in namespaces.values() for f in _strings(names)}
    packages = {
        name.removeprefix("data.")
        for name, names in namespaces.items()
        if any(f.endswith(".rego") for f in _strings(names))
    }
    paths = {"/".join(map(str, p)) for p in found.get("data_paths", []) if isinstance(p, list)}
    revision = found.get("revision")
    signed_files = _first(found.get("signed_files"))
    return BundleReport(
        path=str(path),
        size=size,
        revision=revision if isinstance(revision, str) else "",
        roots=_strings(found.get("roots")),
        signed=signed,
        signature=status,
        signature_error=error,
        key_id=_first(found.get("kid")) or _first(found.get("keyid")),
        algorithm=_first(found.get("alg")),
        signed_files=signed_files if isinstance(signed_files, int) else 0,
        files=tuple(sorted(files)),
        packages=tuple(sorted(packages)),
        data_paths=tuple(sorted(paths)),
        principals=tuple(sorted(_strings(found.get("principals")))),
        data_error=data_error,
    )
