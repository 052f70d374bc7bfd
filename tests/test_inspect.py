"""`bundle inspect` against hostile tarballs: OPA is the source of truth.

Each crafted bundle goes to `opa inspect` directly and to `pycognito-opa bundle inspect` (text
and --json): the verdict is OPA's (exit 0 when `opa inspect` accepts the file, 2 with one JSON
line on stderr when it refuses it), never a traceback, within seconds. The bounds (file size,
OPA's memory, OPA's time) are proved here too: a bundle past one is refused naming it, before
OPA runs or as soon as OPA crosses it.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fleet_helpers import cli, one_json_error

from pycognito_opa import _paths as paths
from pycognito_opa.bundle import _inspect, inspect_bundle, read_manifest
from pycognito_opa.errors import BundleError, InputFileError

MANIFEST = {"revision": "r1", "roots": [""]}
DATA = {"cognito": {"store": {"principals": {"arn:aws:iam::111122223333:role/A": {}}}}}
REGO = b'package app.rules\n\nallow if input.user == "alice"\n'
SECONDS_PER_CASE = 10  # generous for a loaded machine; a case takes well under 2 s


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


Member = tuple[str, bytes] | tarfile.TarInfo


def _tar(path: Path, members: list[Member], *, mode: str = "w:gz") -> Path:
    """A tarball of `members`: (name, body) regular files, or TarInfo entries (links,
    directories, devices) as given."""
    with tarfile.open(path, mode, encoding="utf-8", errors="surrogateescape") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
                continue
            name, body = member
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def _entry(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def _valid(*, prefix: str = "") -> list[Member]:
    return [
        (f"{prefix}.manifest", _json(MANIFEST)),
        (f"{prefix}data.json", _json(DATA)),
        (f"{prefix}app/rules.rego", REGO),
    ]


def _zeros_member(path: Path, name: str, size_mib: int, count: int = 1) -> Path:
    """`count` members of `size_mib` MiB of zeros each, made as concatenated gzip streams of one
    compressed MiB (gzip readers, OPA's included, read them as one stream): a few KB per GiB on
    disk, written in milliseconds."""
    mib = gzip.compress(bytes(1 << 20), compresslevel=9, mtime=0)
    with path.open("wb") as out:
        for i in range(count):
            info = tarfile.TarInfo(f"{name}{i}" if count > 1 else name)
            info.size = size_mib << 20
            out.write(gzip.compress(info.tobuf(format=tarfile.GNU_FORMAT), mtime=0))
            out.write(mib * size_mib)
        out.write(gzip.compress(bytes(1024), mtime=0))  # the tar end-of-archive blocks
    return path


def _deep(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def _truncated(path: Path) -> Path:
    full = _tar(path.with_suffix(".full"), _valid()).read_bytes()
    path.write_bytes(full[: len(full) // 2])
    return path


def _plain_tar(path: Path) -> Path:
    return _tar(path, _valid(), mode="w")


def _bytes(body: bytes) -> Callable[[Path], Path]:
    def write(path: Path) -> Path:
        path.write_bytes(body)
        return path

    return write


def _members(*members: Member) -> Callable[[Path], Path]:
    return lambda path: _tar(path, list(members))


# name -> (how to make it, whether OPA 1.22's `opa inspect` accepts it). OPA decides; the flag
# only documents what it decided when this suite was written (the test says if it changes).
CASES: dict[str, tuple[Callable[[Path], Path], bool]] = {
    "valid": (lambda p: _tar(p, _valid()), True),
    "dot_slash_entries": (lambda p: _tar(p, _valid(prefix="./")), True),
    "two_manifests": (_members(*_valid(), (".manifest", _json(MANIFEST))), False),
    "signatures_not_a_list": (
        _members(*_valid(), (".signatures.json", _json({"signatures": 5}))),
        False,
    ),
    "signatures_not_json": (_members(*_valid(), (".signatures.json", b"{not json")), False),
    "signatures_list_of_numbers": (
        _members(*_valid(), (".signatures.json", _json({"signatures": [1, 2]}))),
        False,
    ),
    "signatures_not_an_object": (_members(*_valid(), (".signatures.json", b"[1]")), False),
    "signature_not_a_jwt": (
        _members(*_valid(), (".signatures.json", _json({"signatures": ["a.b.c"]}))),
        True,
    ),
    "signatures_empty": (
        _members(*_valid(), (".signatures.json", _json({"signatures": []}))),
        True,
    ),
    "nested_data": (
        _members(
            (".manifest", _json(MANIFEST)),
            ("a/b/data.json", _json({"c": {"d": 1}})),
            ("data.json", _json({"a": {"x": 2}})),
        ),
        True,
    ),
    "roots_numbers": (_members((".manifest", _json({"roots": [1, 2]}))), False),
    "roots_not_a_list": (_members((".manifest", _json({"roots": "app"}))), False),
    "manifest_not_an_object": (_members((".manifest", b"[1]"), ("data.json", b"{}")), False),
    "manifest_not_json": (_members((".manifest", b"{roots"), ("data.json", b"{}")), False),
    "revision_not_a_string": (_members((".manifest", _json({"revision": 5}))), False),
    "deep_manifest_metadata": (
        _members((".manifest", b'{"revision": "r", "metadata": ' + _deep(2000) + b"}")),
        True,
    ),
    "not_gzip": (_plain_tar, False),
    "empty_file": (_bytes(b""), False),
    "truncated_gzip": (_truncated, False),
    "gzip_magic_then_junk": (_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4), False),
    "symlink_member": (
        _members(*_valid()[:1], _entry("data.json", tarfile.SYMTYPE, "/etc/passwd")),
        True,
    ),
    "hardlink_member": (
        _members(*_valid(), _entry("x/data.json", tarfile.LNKTYPE, "data.json")),
        True,
    ),
    "device_member": (_members(*_valid(), _entry("dev/data.json", tarfile.CHRTYPE)), True),
    "path_traversal": (
        _members(*_valid(), ("../../evil/data.json", _json({"x": 1})), ("../x.rego", REGO)),
        True,  # names only: OPA extracts nothing
    ),
    "absolute_names": (
        _members(("/.manifest", _json(MANIFEST)), ("/etc/app/data.json", _json({"y": 1}))),
        True,
    ),
    "directory_named_data_json": (
        _members(*_valid(), _entry("x/data.json", tarfile.DIRTYPE)),
        True,
    ),
    "duplicate_data_json": (
        _members(("data.json", _json({"a": 1})), ("data.json", _json({"b": 2}))),
        True,
    ),
    "non_utf8_rego": (_members(("bad.rego", b'package bad\n\nx := "\xff\xfe"\n')), False),
    "non_utf8_member_name": (_members(*_valid(), ("p\udcff/data.json", _json({"q": 1}))), True),
    "data_not_json": (_members(*_valid()[:1], ("data.json", b"{not json")), True),
    "deep_data": (_members(("data.json", _deep(5000))), True),
    "data_outside_roots": (
        _members((".manifest", _json({"roots": ["app"]})), ("other/data.json", b"{}")),
        True,  # `opa inspect` does not load data; OPA's data load refuses it (data_error)
    ),
    "package_outside_roots": (
        _members((".manifest", _json({"roots": ["other"]})), ("app/rules.rego", REGO)),
        False,
    ),
    "principals_not_an_object": (
        _members(("data.json", _json({"cognito": {"store": {"principals": [1, 2]}}}))),
        True,
    ),
    "rego_parse_error": (_members(("bad.rego", b"package\n\nallow if {")), False),
}

# Past a bound of pycognito-opa: refused (exit 2) naming the bound, whatever OPA would do with
# no bound (it reads this 1 GiB member whole: 2.1 GB resident, 4 s; then it accepts it).
BOUND_CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "huge_zero_member": (
        lambda p: _zeros_member(p, "zeros.bin", 1024),
        "was stopped at its 1024 MiB memory limit",
    ),
}


def _opa_accepts(bundle: Path) -> bool:
    proc = subprocess.run(
        [str(paths.opa_binary()), "inspect", "--format", "json", str(bundle.absolute())],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return proc.returncode == 0


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    proc = cli("bundle", "inspect", *args, timeout=60)
    return proc, time.monotonic() - start


@pytest.mark.parametrize("case", sorted(CASES))
def test_verdict_is_opas(case: str, tmp_path: Path) -> None:
    make, opa_accepted = CASES[case]
    bundle = make(tmp_path / f"{case}.tar.gz")
    accepts = _opa_accepts(bundle)
    assert accepts is opa_accepted, f"opa inspect changed its verdict on {case}"
    for args in ((str(bundle),), (str(bundle), "--json")):
        proc, seconds = _run(*args)
        assert seconds < SECONDS_PER_CASE, (case, seconds)
        assert "Traceback" not in proc.stderr
        if accepts:
            assert proc.returncode == 0, proc.stderr
            assert proc.stderr == ""
            if "--json" in args:
                report = json.loads(proc.stdout)
                assert report["path"] == str(bundle)
        else:
            assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
            error = one_json_error(proc.stderr)
            assert error["code"] == "invalid_input"
            assert error["message"].startswith(f"{bundle}: not a bundle: ")
            assert proc.stdout == ""


@pytest.mark.parametrize("case", sorted(BOUND_CASES))
def test_a_bundle_past_a_bound_is_refused_naming_it(case: str, tmp_path: Path) -> None:
    make, reason = BOUND_CASES[case]
    bundle = make(tmp_path / f"{case}.tar.gz")
    assert bundle.stat().st_size < 2 * 1024 * 1024  # small on disk: the bound is OPA's work
    for args in ((str(bundle),), (str(bundle), "--json")):
        proc, seconds = _run(*args)
        assert seconds < SECONDS_PER_CASE, seconds
        assert proc.returncode == 2, proc.stderr
        assert reason in one_json_error(proc.stderr)["message"]
        assert proc.stdout == ""


def test_what_opa_reads_is_reported(tmp_path: Path) -> None:
    # `./`-prefixed names are a valid bundle (the Python reader refused them).
    report = inspect_bundle(_tar(tmp_path / "b.tar.gz", _valid(prefix="./")))
    assert report.revision == "r1"
    assert report.roots == ("",)
    assert report.packages == ("app.rules",)
    assert report.principals == ("arn:aws:iam::111122223333:role/A",)
    assert report.data_paths == ("cognito/store/principals",)
    assert report.signature == "unsigned"
    assert report.data_error is None
    assert set(report.files) == {"data.json", "app/rules.rego"}


def test_nested_data_is_merged_as_opa_merges_it(tmp_path: Path) -> None:
    bundle = CASES["nested_data"][0](tmp_path / "b.tar.gz")
    assert inspect_bundle(bundle).data_paths == ("a/b/c", "a/x")


def test_a_bundle_whose_data_opa_cannot_load_is_reported_with_opas_reason(tmp_path: Path):
    # `opa inspect` accepts it (it does not read data), so it is a bundle; OPA cannot load
    # its data, and the report says why instead of listing paths and principals.
    bundle = CASES["data_not_json"][0](tmp_path / "b.tar.gz")
    report = inspect_bundle(bundle)
    assert report.data_error is not None and "data.json" in report.data_error
    assert (report.data_paths, report.principals) == ((), ())
    assert report.revision == "r1"
    proc = cli("bundle", "inspect", str(bundle))
    assert proc.returncode == 0
    assert "OPA cannot load the bundle's data" in proc.stdout


def test_signature_fields_come_from_opas_decoding(tmp_path: Path) -> None:
    garbage = inspect_bundle(CASES["signature_not_a_jwt"][0](tmp_path / "g.tar.gz"))
    assert garbage.signed and garbage.signature == "not verified"
    assert (garbage.key_id, garbage.algorithm, garbage.signed_files) == (None, None, 0)
    empty = inspect_bundle(CASES["signatures_empty"][0](tmp_path / "e.tar.gz"))
    assert not empty.signed and empty.signature == "unsigned"


def test_a_file_larger_than_the_cap_is_refused_before_opa_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.tar.gz"
    with big.open("wb") as out:  # sparse: no disk used
        out.truncate(_inspect.MAX_BUNDLE_BYTES + 1)

    def no_opa(*_: object, **__: object) -> None:
        raise AssertionError("OPA ran on a file past MAX_BUNDLE_BYTES")

    monkeypatch.setattr(_inspect, "run_opa", no_opa)
    with pytest.raises(InputFileError, match="MAX_BUNDLE_BYTES"):
        inspect_bundle(big)
    monkeypatch.undo()
    proc, seconds = _run(str(big), "--json")
    assert proc.returncode == 2
    assert (
        f"larger than the {_inspect.MAX_BUNDLE_BYTES} bytes"
        in one_json_error(proc.stderr)["message"]
    )
    assert seconds < SECONDS_PER_CASE


def test_opa_is_stopped_at_the_time_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # 4 GiB of zeros in 64 MiB members (4 MB on disk): OPA reads each one, for ~15 s.
    bundle = _zeros_member(tmp_path / "slow.tar.gz", "z", 64, count=64)
    monkeypatch.setattr(_inspect, "INSPECT_TIMEOUT_SECONDS", 1.0)
    start = time.monotonic()
    with pytest.raises(InputFileError, match=r"did not finish within 1 s"):
        inspect_bundle(bundle)
    assert time.monotonic() - start < 5


def test_opa_loading_the_data_is_held_to_the_memory_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # 8 MiB of `[0,0,...]`: `opa inspect` does not load data (50 MB), but OPA loading it
    # takes ~470 MB; with a 256 MiB bound, `opa eval` is stopped as soon as it crosses it.
    body = b"[0" + b",0" * (4 * 1024 * 1024 - 1) + b"]"
    bundle = _tar(tmp_path / "numbers.tar.gz", [("x/data.json", body)])
    monkeypatch.setattr(_inspect, "INSPECT_MEMORY_BYTES", 256 * 1024 * 1024)
    with pytest.raises(InputFileError, match=r"`opa eval` was stopped at its 256 MiB memory limit"):
        inspect_bundle(bundle)


def test_read_manifest_is_opas_manifest(tmp_path: Path) -> None:
    manifest = read_manifest(_tar(tmp_path / "dot.tar.gz", _valid(prefix="./")))
    assert (manifest["revision"], manifest["roots"]) == ("r1", [""])
    with pytest.raises(BundleError, match="multiple manifest files"):
        read_manifest(CASES["two_manifests"][0](tmp_path / "two.tar.gz"))
    with pytest.raises(BundleError, match="bundle not found"):
        read_manifest(tmp_path / "missing.tar.gz")


def test_python_never_opens_a_bundle_tarball() -> None:
    # The project's rule: reading bundles is OPA's (opa inspect, opa eval, opa build).
    package = Path(_inspect.__file__).parents[1]
    reader = re.compile(r"^\s*(import|from)\s+(tarfile|gzip|zlib)\b", re.MULTILINE)
    offenders = [str(p) for p in package.rglob("*.py") if reader.search(p.read_text())]
    assert offenders == []
