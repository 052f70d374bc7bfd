"""Bundle server and fleet: OPA's bundle service protocol, sidecar configuration, and the
faults, each with real processes on loopback (real OPA sidecars, the real bundle server)."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests
import yaml
from fleet_helpers import (
    LIST_POOLS,
    cli,
    free_port,
    gone,
    make_keypair,
    one_json_error,
    running,
    tamper,
    wait_until,
)

from pycognito_opa import _paths as paths
from pycognito_opa._process import MAX_BODY_BYTES, REGEX_CACHE_ENTRIES
from pycognito_opa.bundle import build_bundle
from pycognito_opa.errors import BundleRejectedError, SidecarError
from pycognito_opa.fleet.config import (
    FleetConfig,
    fleet_status,
    opa_config,
    split_bundle_url,
    wait_for_revision,
)
from pycognito_opa.fleet.server import BUNDLE_CONTENT_TYPE, BundleServer, publish
from pycognito_opa.fleet.sidecar import HardenedSidecar, ServeOptions

NAME = "pycognito.tar.gz"
DECISION = "/v1/data/cognito/authz/decision"
TOKEN = "fleet-token-0123456789abcdef"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keypair(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def revisions(tmp_path_factory: pytest.TempPathFactory, keys: tuple[Path, Path]) -> dict:
    """Signed bundles r1..r3 and a tampered copy of r2, built once for the module."""
    folder = tmp_path_factory.mktemp("revisions")
    built = {
        rev: build_bundle(folder / f"{rev}.tar.gz", signing_key=keys[0], revision=rev).path
        for rev in ("r1", "r2", "r3")
    }
    built["tampered"] = tamper(built["r2"], folder / "tampered.tar.gz")
    return built


@pytest.fixture
def served(tmp_path: Path, revisions: dict) -> Iterator[BundleServer]:
    """A bundle server on a free loopback port, serving r1."""
    folder = tmp_path / "served"
    publish(revisions["r1"], folder, NAME)
    with BundleServer(folder) as server:
        yield server


def _options(url: str, public: Path, persist: Path, **overrides: object) -> ServeOptions:
    settings: dict = {
        "bundle_url": url,
        "addr": "127.0.0.1:0",
        "verification_key": public,
        "persist_dir": persist,
        "min_delay_seconds": 1,
        "max_delay_seconds": 1,
        "long_polling_timeout_seconds": 10,
        "startup_timeout": 20.0,
    }
    settings.update(overrides)
    return ServeOptions(**settings)


@contextmanager
def fleet(options: list[ServeOptions]) -> Iterator[list[HardenedSidecar]]:
    """Hardened sidecars, all stopped when the block ends (also on failure)."""
    with ExitStack() as stack:
        yield [stack.enter_context(HardenedSidecar(o)) for o in options]


def _decides(url: str) -> bool:
    resp = requests.post(url + DECISION, json={"input": LIST_POOLS}, timeout=10)
    return resp.status_code == 200 and "result" in resp.json()


# The bundle service protocol ------------------------------------------------------------------


def test_etag_and_if_none_match(served: BundleServer, revisions: dict):
    url = served.bundle_url(NAME)
    first = requests.get(url, timeout=10)
    assert first.status_code == 200
    assert first.content == revisions["r1"].read_bytes()
    assert first.headers["Content-Type"] == BUNDLE_CONTENT_TYPE
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    # OPA sends superseded ETags too: any one of them matching means "not modified".
    many = requests.get(url, headers={"If-None-Match": f'"old", {etag}'}, timeout=10)
    assert many.status_code == 304
    stale = requests.get(url, headers={"If-None-Match": '"old"'}, timeout=10)
    assert stale.status_code == 200
    head = requests.head(url, timeout=10)
    assert head.status_code == 200
    assert head.headers["ETag"] == etag


def test_only_published_bundles_are_served(served: BundleServer):
    folder = served.store.directory
    (folder / ".pycognito.tar.gz.x.partial").write_bytes(b"half")
    for path in ("/bundles/.pycognito.tar.gz.x.partial", "/bundles/none.tar.gz", "/", "/x"):
        assert requests.get(served.url + path, timeout=10).status_code == 404
    traversal = requests.get(served.url + "/bundles/..%2F..%2Fetc%2Fpasswd", timeout=10)
    assert traversal.status_code == 404


def test_long_poll_answers_when_a_revision_is_published(served: BundleServer, revisions: dict):
    url = served.bundle_url(NAME)
    etag = requests.get(url, timeout=10).headers["ETag"]
    start = time.monotonic()
    unchanged = requests.get(
        url, headers={"If-None-Match": etag, "Prefer": "modes=snapshot,delta;wait=1"}, timeout=10
    )
    assert unchanged.status_code == 304
    assert 0.9 <= time.monotonic() - start < 5

    timer = threading.Timer(0.3, publish, (revisions["r2"], served.store.directory, NAME))
    timer.start()
    try:
        start = time.monotonic()
        changed = requests.get(
            url, headers={"If-None-Match": etag, "Prefer": "wait=20"}, timeout=30
        )
        elapsed = time.monotonic() - start
    finally:
        timer.cancel()
    assert changed.status_code == 200
    assert changed.content == revisions["r2"].read_bytes()
    assert changed.headers["ETag"] != etag
    assert elapsed < 5  # answered on publish, not at the end of the 20 s wait


def test_publishing_is_atomic_for_readers(served: BundleServer, revisions: dict, tmp_path: Path):
    big = tmp_path / "big.tar.gz"
    big.write_bytes(revisions["r2"].read_bytes() * 10)  # about 400 kB
    bodies = {revisions["r1"].read_bytes(), big.read_bytes()}
    stop = threading.Event()

    def publisher() -> None:
        for i in range(5000):  # bounded; stopped once the reader has seen enough
            if stop.is_set():
                return
            publish(big if i % 2 == 0 else revisions["r1"], served.store.directory, NAME)

    thread = threading.Thread(target=publisher)
    thread.start()
    seen: set[bytes] = set()
    try:
        with requests.Session() as session:
            for _ in range(100):
                resp = session.get(served.bundle_url(NAME), timeout=10)
                assert resp.status_code == 200
                assert resp.content in bodies  # never half a file, never a mix
                digest = '"' + hashlib.sha256(resp.content).hexdigest()[:32] + '"'
                assert resp.headers["ETag"] == digest
                seen.add(resp.content)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert seen == bodies  # both revisions were read while publishing went on
    assert [p.name for p in served.store.directory.iterdir()] == [NAME]


def test_bundle_serve_command(tmp_path: Path, revisions: dict):
    folder = tmp_path / "served"
    publish(revisions["r1"], folder, NAME)
    port = free_port()
    cmd = [sys.executable, "-m", "pycognito_opa", "bundle", "serve", str(folder)]
    cmd += ["--addr", f"127.0.0.1:{port}", "--json"]
    with running(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        ready = json.loads(proc.stdout.readline())
        assert ready["bundles"] == {NAME: f"http://127.0.0.1:{port}/bundles/{NAME}"}
        resp = requests.get(ready["bundles"][NAME], timeout=10)
        assert resp.content == revisions["r1"].read_bytes()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    missing = cli("bundle", "serve", str(tmp_path / "nothing"))
    assert missing.returncode == 2
    assert "not a folder" in one_json_error(missing.stderr)["message"]


# Fleet configuration --------------------------------------------------------------------------


def test_fleet_config_has_what_a_sidecar_needs(keys: tuple[Path, Path], tmp_path: Path):
    token = tmp_path / "token"
    token.write_text(TOKEN)
    out = tmp_path / "sidecar.yaml"
    proc = cli(
        "fleet",
        "config",
        "--bundle-url",
        f"http://127.0.0.1:8282/bundles/{NAME}",
        "--verification-key",
        str(keys[1]),
        "--token-file",
        str(token),
        "--persist-dir",
        "/var/lib/opa",
        "--out",
        str(out),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    config = yaml.safe_load(out.read_text())
    assert config == printed["config"]
    assert config["services"] == {"bundles": {"url": "http://127.0.0.1:8282"}}
    bundle = config["bundles"]["pycognito"]
    assert bundle["service"] == "bundles"
    assert bundle["resource"] == f"bundles/{NAME}"
    assert bundle["persist"] is True
    assert bundle["signing"] == {"keyid": "pycognito-opa"}
    assert bundle["polling"] == {
        "min_delay_seconds": 10,
        "max_delay_seconds": 20,
        "long_polling_timeout_seconds": 30,
    }
    assert config["keys"]["pycognito-opa"] == {
        "key": keys[1].read_text(),
        "algorithm": "RS256",
    }
    assert config["persistence_directory"] == "/var/lib/opa"
    assert config["caching"]["inter_query_builtin_value_cache"]["max_num_entries"] == (
        REGEX_CACHE_ENTRIES
    )
    assert config["server"]["decoding"] == {
        "max_length": MAX_BODY_BYTES,
        "gzip": {"max_length": MAX_BODY_BYTES},
    }
    assert config["pycognito_opa"]["token_sha256"] == hashlib.sha256(TOKEN.encode()).hexdigest()
    # Status and decision logs are off unless asked for.
    assert "status" not in config and "decision_logs" not in config
    assert "--authorization=basic" in printed["command"]
    assert "--authentication=token" in printed["command"]


def test_status_and_decision_logs_configuration():
    base = FleetConfig(bundle_url=f"http://127.0.0.1:8282/bundles/{NAME}")
    config = opa_config(base)
    assert "status" not in config and "decision_logs" not in config
    console = opa_config(
        FleetConfig(bundle_url=base.bundle_url, status="console", decision_logs="console")
    )
    assert console["status"] == {"console": True}
    assert console["decision_logs"] == {"console": True}
    remote = opa_config(
        FleetConfig(
            bundle_url=base.bundle_url,
            status="http://127.0.0.1:9000/",
            decision_logs="http://127.0.0.1:8282",
        )
    )
    assert remote["services"]["telemetry"] == {"url": "http://127.0.0.1:9000"}
    assert remote["status"] == {"service": "telemetry"}
    assert remote["decision_logs"] == {"service": "bundles"}
    assert split_bundle_url("https://b.example:8443/v1/b/x.tar.gz") == (
        "https://b.example:8443",
        "v1/b/x.tar.gz",
    )


def test_fleet_config_rejects_bad_input(keys: tuple[Path, Path]):
    for args, reason in [
        (["--bundle-url", "ftp://x/b.tar.gz"], "bundle URL"),
        (["--bundle-url", "http://127.0.0.1:8282"], "no path"),
        (["--bundle-url", "http://h/b", "--min-delay", "5", "--max-delay", "1"], "min delay"),
        (["--bundle-url", "http://h/b", "--verification-key", str(keys[0])], "private key"),
        (["--bundle-url", "http://h/b", "--status", "syslog"], "console"),
    ]:
        proc = cli("fleet", "config", *args)
        assert proc.returncode == 2, args
        assert reason in one_json_error(proc.stderr)["message"]


def test_plain_opa_run_with_the_written_config(
    served: BundleServer, keys: tuple[Path, Path], tmp_path: Path
):
    token = tmp_path / "token"
    token.write_text(TOKEN)
    config = tmp_path / "sidecar.yaml"
    port = free_port()
    written = cli(
        "fleet",
        "config",
        "--bundle-url",
        served.bundle_url(NAME),
        "--verification-key",
        str(keys[1]),
        "--token-file",
        str(token),
        "--min-delay",
        "1",
        "--max-delay",
        "1",
        "--persist-dir",
        str(tmp_path / "persist"),
        "--addr",
        f"127.0.0.1:{port}",
        "--out",
        str(config),
        "--json",
    )
    assert written.returncode == 0, written.stderr
    command = json.loads(written.stdout)["command"]
    assert command[:2] == ["opa", "run"]
    url = f"http://127.0.0.1:{port}"
    with running([str(paths.opa_binary()), *command[1:]], stdout=subprocess.DEVNULL):
        assert wait_until(lambda: _healthy(url), timeout=20)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"input": LIST_POOLS}
        assert requests.post(url + DECISION, json=body, headers=headers, timeout=10).ok
        assert requests.post(url + DECISION, json=body, timeout=10).status_code == 401
        assert requests.get(url + "/v1/data", headers=headers, timeout=10).status_code == 401
        status = cli("fleet", "status", url, "--token-file", str(token), "--json")
        assert json.loads(status.stdout)["sidecars"][0]["revisions"] == {"pycognito": "r1"}


def _healthy(url: str) -> bool:
    try:
        return requests.get(url + "/health?bundles", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_console_status_and_decision_logs(served: BundleServer, keys: tuple[Path, Path], tmp_path):
    options = _options(
        served.bundle_url(NAME),
        keys[1],
        tmp_path / "persist",
        status="console",
        decision_logs="console",
        log_level="info",
    )
    with HardenedSidecar(options) as sidecar:
        assert _decides(sidecar.url)
        assert wait_until(lambda: "Decision Log" in sidecar.output(), timeout=10)
        assert wait_until(lambda: "Status Log" in sidecar.output(), timeout=10)


# Faults -----------------------------------------------------------------------------------------


def test_three_sidecars_reach_a_newly_published_revision(
    served: BundleServer, keys: tuple[Path, Path], tmp_path: Path
):
    url = served.bundle_url(NAME)
    options = [
        _options(url, keys[1], tmp_path / "a"),
        _options(url, keys[1], tmp_path / "b"),
        # Plain polling (no long polling): it asks with If-None-Match every second.
        _options(url, keys[1], tmp_path / "c", long_polling_timeout_seconds=None),
    ]
    with fleet(options) as sidecars:
        urls = [s.url for s in sidecars]
        assert [s.revision for s in fleet_status(urls)] == ["r1"] * 3
        assert wait_until(lambda: served.responses[304] > 0, timeout=10)

        start = time.monotonic()
        built = cli(
            "bundle",
            "build",
            "--out",
            str(served.store.directory / NAME),
            "--signing-key",
            str(keys[0]),
            "--revision",
            "r2",
        )
        assert built.returncode == 0, built.stderr
        statuses = wait_for_revision(urls, "r2", timeout=15)
        elapsed = time.monotonic() - start
        assert [s.revision for s in statuses] == ["r2"] * 3
        assert elapsed < 15

        shown = cli("fleet", "status", *urls, "--expect", "r2", "--json")
        assert shown.returncode == 0, shown.stdout
        report = json.loads(shown.stdout)
        assert report["same_revision"] is True
        assert [s["revision"] for s in report["sidecars"]] == ["r2"] * 3
        assert [s["revisions"] for s in report["sidecars"]] == [{"pycognito": "r2"}] * 3
        text = cli("fleet", "status", *urls)
        assert "all 3 sidecars serve revision r2" in text.stdout
        assert all(_decides(u) for u in urls)
    assert all(gone(s.pid) for s in sidecars)


def test_a_tampered_revision_is_rejected_and_the_last_good_one_served(
    served: BundleServer, keys: tuple[Path, Path], revisions: dict, tmp_path: Path
):
    url = served.bundle_url(NAME)
    options = [_options(url, keys[1], tmp_path / f"s{i}") for i in range(3)]
    with fleet(options) as sidecars:
        urls = [s.url for s in sidecars]
        wait_for_revision(urls, "r1", timeout=15)
        downloads = served.responses[200]

        publish(revisions["tampered"], served.store.directory, NAME)
        # Every sidecar downloads the tampered revision and OPA refuses it, saying why.
        assert wait_until(lambda: served.responses[200] >= downloads + 3, timeout=15)
        assert wait_until(
            lambda: all("digest mismatch" in s.output() for s in sidecars), timeout=15
        )
        statuses = fleet_status(urls)
        assert [s.revision for s in statuses] == ["r1"] * 3
        assert all(s.healthy for s in statuses)
        assert all(_decides(u) for u in urls)
        shown = cli("fleet", "status", *urls, "--expect", "r2")
        assert shown.returncode == 1  # r2 (tampered) is not what they serve

        # The next authentic revision is taken up as usual.
        publish(revisions["r3"], served.store.directory, NAME)
        assert [s.revision for s in wait_for_revision(urls, "r3", timeout=15)] == ["r3"] * 3


def test_a_new_sidecar_refuses_a_tampered_download_with_opas_reason(
    served: BundleServer, keys: tuple[Path, Path], revisions: dict, tmp_path: Path
):
    publish(revisions["tampered"], served.store.directory, NAME)
    options = _options(served.bundle_url(NAME), keys[1], tmp_path / "persist", startup_timeout=2.0)
    with pytest.raises(BundleRejectedError, match="digest mismatch"):
        HardenedSidecar(options).start()


def test_a_sidecar_restarted_while_the_bundle_server_is_down_serves_the_persisted_bundle(
    tmp_path: Path, keys: tuple[Path, Path], revisions: dict
):
    folder = tmp_path / "served"
    publish(revisions["r1"], folder, NAME)
    persist = tmp_path / "persist"
    server = BundleServer(folder).start()
    try:
        url = server.bundle_url(NAME)
        with HardenedSidecar(_options(url, keys[1], persist)) as first:
            assert fleet_status([first.url])[0].revision == "r1"
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)

    with HardenedSidecar(_options(url, keys[1], persist)) as restarted:
        status = fleet_status([restarted.url])[0]
        assert status.healthy
        assert status.revision == "r1"
        assert _decides(restarted.url)
        # Still hardened: the persisted bundle brought its system.authz along.
        assert requests.get(restarted.url + "/v1/data", timeout=10).status_code == 401

    # Without a persisted bundle, a sidecar has nothing to serve while the server is down.
    empty = _options(url, keys[1], tmp_path / "empty", startup_timeout=2.0)
    with pytest.raises(SidecarError, match="connection refused"):
        HardenedSidecar(empty).start()


def test_fleet_status_exit_codes(tmp_path: Path, revisions: dict, keys: tuple[Path, Path]):
    with fleet(
        [
            ServeOptions(bundle=revisions["r1"], verification_key=keys[1], addr="127.0.0.1:0"),
            ServeOptions(bundle=revisions["r2"], verification_key=keys[1], addr="127.0.0.1:0"),
        ]
    ) as sidecars:
        urls = [s.url for s in sidecars]
        differ = cli("fleet", "status", *urls)
        assert differ.returncode == 1
        assert "do not all serve one revision" in differ.stdout
        down = cli("fleet", "status", urls[0], f"http://127.0.0.1:{free_port()}", "--json")
        assert down.returncode == 3
        report = json.loads(down.stdout)
        assert report["sidecars"][1]["reachable"] is False
