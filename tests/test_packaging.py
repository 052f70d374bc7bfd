"""Packaging: where the package finds its Rego, data and examples, its cache and the OPA binary
(and which OPA it refuses), and what the distribution declares.

The fake `opa` scripts here only print a version: they test the version gate, not policy
evaluation (every decision in the tests comes from the real OPA). `make wheel-check`
(scripts/check-wheel.sh) checks the built wheel itself, installed and run outside the checkout.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from pycognito_opa import _paths, default_bundle
from pycognito_opa.bundle import _default
from pycognito_opa.errors import (
    BundleError,
    OpaVersionError,
    ResourcesNotFoundError,
    ToolNotFoundError,
)

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
GO_INSTALL = "go install github.com/open-policy-agent/opa@v1.22.3"


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no OPA binary checked yet."""
    monkeypatch.setattr(_paths, "_checked", {})


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run as if installed from a wheel: resources in the package's _resources folder (here a
    copy's stand-in), no checkout, no $PYCOGNITO_OPA_BINARY."""
    resources = tmp_path / "site-packages" / "pycognito_opa" / "_resources"
    for name in ("rego", "data", "examples"):
        (resources / name).mkdir(parents=True)
    monkeypatch.setattr(_paths, "PACKAGE_DIR", resources.parent)
    monkeypatch.setattr(_paths, "RESOURCES_DIR", resources)
    monkeypatch.delenv(_paths.OPA_ENV, raising=False)
    return resources


def fake_opa(folder: Path, version_line: str, calls: Path | None = None) -> Path:
    """An executable `opa` that only answers `opa version` (and counts its calls)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "opa"
    count = f'echo x >> "{calls}"\n' if calls else ""
    script.write_text(f"#!/bin/sh\n{count}echo '{version_line}'\necho 'Go Version: go1.26'\n")
    script.chmod(0o755)
    return script


# --- resources --------------------------------------------------------------------------------


def test_running_from_the_checkout_reads_its_folders() -> None:
    assert _paths.checkout_root() == ROOT
    assert _paths.rego_dir() == ROOT / "rego"
    assert _paths.data_dir() == ROOT / "bundles" / "data"
    assert _paths.examples_dir() == ROOT / "bundles" / "examples"


def test_installed_package_reads_its_resources_folder(installed: Path) -> None:
    assert _paths.checkout_root() is None
    assert _paths.rego_dir() == installed / "rego"
    assert _paths.data_dir() == installed / "data"
    assert _paths.examples_dir() == installed / "examples"


def test_missing_resources_are_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = tmp_path / "site-packages" / "pycognito_opa"
    package.mkdir(parents=True)
    monkeypatch.setattr(_paths, "PACKAGE_DIR", package)
    monkeypatch.setattr(_paths, "RESOURCES_DIR", package / "_resources")
    with pytest.raises(ResourcesNotFoundError, match="reinstall pycognito-opa"):
        _paths.rego_dir()


def test_the_wheel_maps_the_folders_the_package_reads() -> None:
    wheel = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"] == {
        "rego": "pycognito_opa/_resources/rego",
        "bundles/data": "pycognito_opa/_resources/data",
        "bundles/examples": "pycognito_opa/_resources/examples",
    }
    assert _paths.RESOURCES_DIR == ROOT / "pycognito_opa" / "_resources"
    sdist = PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    assert {"/pycognito_opa", "/rego", "/bundles/data", "/bundles/examples"} <= set(sdist)


# --- cache ------------------------------------------------------------------------------------


def test_cache_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(_paths.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _paths.cache_dir() == tmp_path / "home" / ".cache" / "pycognito-opa"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert _paths.cache_dir() == tmp_path / "home" / ".cache" / "pycognito-opa"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _paths.cache_dir() == tmp_path / "xdg" / "pycognito-opa"
    monkeypatch.setenv(_paths.CACHE_ENV, str(tmp_path / "mine"))
    assert _paths.cache_dir() == tmp_path / "mine"


def _written_beside_the_package() -> list[tuple[str, int]]:
    """Bundles in the package folder, and the default bundle where it used to be written."""
    found = list((ROOT / "pycognito_opa").rglob("*.tar.gz"))
    found += [p for p in [ROOT / "build" / "bundles" / "default.tar.gz"] if p.exists()]
    return sorted((str(p), p.stat().st_mtime_ns) for p in found)


def test_default_bundle_is_built_once_into_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(_paths.CACHE_ENV, str(cache))
    folder = cache / "bundles"
    folder.mkdir(parents=True)
    stale = folder / "default-0000.tar.gz"
    recent = folder / "default-1111.tar.gz"
    leftover = folder / ".default-2222.tar.gz.abc.partial"
    for path in (stale, recent, leftover):
        path.write_bytes(b"")
    long_ago = time.time() - _default.STALE_AFTER_S - 60
    os.utime(stale, (long_ago, long_ago))
    os.utime(leftover, (long_ago, long_ago))
    beside_before = _written_beside_the_package()

    first = default_bundle()
    assert first.path.parent == folder
    assert re.fullmatch(r"default-[0-9a-f]{20}\.tar\.gz", first.path.name)
    # Another build's unused bundle goes after STALE_AFTER_S; a recent one (maybe in use) stays.
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.path.name, recent.name])

    built = first.path.stat().st_mtime_ns
    calls: list[object] = []
    monkeypatch.setattr(_default, "build_bundle", lambda *a, **k: calls.append(a))
    second = default_bundle()
    assert second == first
    assert calls == []  # reused, not rebuilt
    assert first.path.stat().st_mtime_ns >= built  # touched: in use
    assert _written_beside_the_package() == beside_before  # nothing written beside the package


def test_two_processes_building_the_default_bundle_at_once(tmp_path: Path) -> None:
    env = {**os.environ, _paths.CACHE_ENV: str(tmp_path / "cache")}
    code = "from pycognito_opa import default_bundle; print(default_bundle().path)"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    paths = {out.decode().strip() for out, _ in outs}
    assert len(paths) == 1
    # One whole bundle, no temporary file left behind.
    assert [p.name for p in (tmp_path / "cache" / "bundles").iterdir()] == [Path(paths.pop()).name]


def test_unwritable_cache_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(_paths.CACHE_ENV, str(blocker / "cache"))
    with pytest.raises(BundleError, match=_paths.CACHE_ENV):
        default_bundle()


# --- the OPA binary ---------------------------------------------------------------------------


def test_one_opa_version_for_python_and_install_tools() -> None:
    script = (ROOT / "scripts" / "install-tools.sh").read_text()
    pinned = re.search(r'^OPA_VERSION="\$\{OPA_VERSION:-(v[0-9.]+)\}"', script, re.MULTILINE)
    assert pinned is not None, "scripts/install-tools.sh no longer pins OPA_VERSION"
    assert pinned.group(1) == _paths.OPA_VERSION
    assert _paths.OPA_GO_INSTALL == GO_INSTALL


def test_the_checkouts_opa_comes_first_then_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(_paths.OPA_ENV, raising=False)
    on_path = fake_opa(tmp_path / "bin", "Version: 1.22.3")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert _paths.opa_binary() == ROOT / ".tools" / "bin" / "opa"
    monkeypatch.setattr(_paths, "checkout_root", lambda: None)
    assert _paths.opa_binary() == on_path


def test_env_var_wins_and_explicit_wins_over_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    named = fake_opa(tmp_path / "named", "Version: 1.22.3")
    explicit = fake_opa(tmp_path / "explicit", "Version: 1.30.0")
    monkeypatch.setenv(_paths.OPA_ENV, str(named))
    assert _paths.opa_binary() == named
    assert _paths.opa_binary(explicit) == explicit


def test_missing_opa_names_the_go_install_command(
    installed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolNotFoundError) as info:
        _paths.opa_binary()
    assert not isinstance(info.value, OpaVersionError)
    assert GO_INSTALL in str(info.value)
    assert "`opa` on PATH" in str(info.value)
    assert _paths.OPA_ENV in str(info.value)


def test_an_old_opa_on_path_is_refused_with_its_version(
    installed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = fake_opa(tmp_path / "bin", "Version: 0.70.0")
    monkeypatch.setenv("PATH", str(old.parent))
    with pytest.raises(OpaVersionError) as info:
        _paths.opa_binary()
    message = str(info.value)
    assert "OPA 0.70.0" in message and str(old) in message
    assert "older than the oldest supported version, 1.22.3" in message
    assert GO_INSTALL in message
    assert info.value.code == "opa_too_old"


def test_the_cli_refuses_an_old_opa(tmp_path: Path) -> None:
    old = fake_opa(tmp_path / "bin", "Version: 1.22.2")
    env = {**os.environ, _paths.OPA_ENV: str(old), _paths.CACHE_ENV: str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "pycognito_opa", "decide", "-r", "-"],
        input='{"action": "cognito-idp:ListUserPools", "resource": "*"}',
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    error = json.loads(proc.stderr.strip().splitlines()[-1])["error"]
    assert error["code"] == "opa_too_old"
    assert "OPA 1.22.2" in error["message"] and GO_INSTALL in error["message"]


@pytest.mark.parametrize(
    ("line", "accepted"),
    [
        ("Version: 1.22.3", True),
        ("Version: 1.22.4", True),
        ("Version: 1.23.0-dev", True),
        ("Version: 2.0.0", True),
        ("Version: 1.22.2", False),
        ("Version: 1.9.9", False),
        ("Version: 0.70.0", False),
    ],
)
def test_version_gate(line: str, accepted: bool, tmp_path: Path) -> None:
    opa = fake_opa(tmp_path, line)
    if accepted:
        assert _paths.check_opa_version(opa) >= _paths.MIN_OPA_VERSION
    else:
        with pytest.raises(OpaVersionError, match="older than"):
            _paths.check_opa_version(opa)


def test_a_binary_that_prints_no_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OpaVersionError, match="did not print an OPA version"):
        _paths.check_opa_version(fake_opa(tmp_path, "hello"))


def test_the_version_is_checked_once_per_binary(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    opa = fake_opa(tmp_path / "bin", "Version: 1.22.3", calls)
    for _ in range(5):
        assert _paths.opa_binary(opa) == opa
    assert calls.read_text().count("x") == 1
    # A replaced binary (new modification time) is checked again.
    fake_opa(tmp_path / "bin", "Version: 1.22.2", calls)
    later = time.time() + 5
    os.utime(opa, (later, later))
    with pytest.raises(OpaVersionError):
        _paths.opa_binary(opa)
    assert calls.read_text().count("x") == 2


def test_the_real_opa_passes_the_gate() -> None:
    assert _paths.check_opa_version(_paths.opa_binary()) >= _paths.MIN_OPA_VERSION


# --- dependencies -----------------------------------------------------------------------------


def _third_party_imports() -> set[str]:
    found: set[str] = set()
    for source in (ROOT / "pycognito_opa").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found |= {n.split(".")[0] for n in names}
    return found - set(sys.stdlib_module_names) - {"pycognito_opa"}


def test_runtime_dependencies_are_exactly_what_the_package_imports() -> None:
    deps = PYPROJECT["project"]["dependencies"]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9.]*", d) for d in deps), deps
    names = {d.split("==")[0].lower() for d in deps}
    assert names == {"requests", "pyyaml"}
    assert _third_party_imports() == {"requests", "yaml"}


def test_build_backend_and_dev_tools_are_pinned() -> None:
    assert PYPROJECT["build-system"]["build-backend"] == "hatchling.build"
    assert all("==" in r for r in PYPROJECT["build-system"]["requires"])
    dev = {d.split("==")[0]: d for d in PYPROJECT["project"]["optional-dependencies"]["dev"]}
    assert {"mypy", "types-requests", "types-PyYAML"} <= set(dev)
    assert all("==" in d for d in dev.values())


def test_py_typed_ships_with_the_package() -> None:
    assert (ROOT / "pycognito_opa" / "py.typed").is_file()
