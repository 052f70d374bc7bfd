"""Bundles through a real OCI registry: `bundle push` to the CNCF distribution registry running
on loopback (built by scripts/install-tools.sh), and real OPA sidecars pulling from it with
`services.NAME.type: oci` (configured by `fleet config`, `serve` and HardenedSidecar)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
from pycognito_opa.bundle import build_bundle
from pycognito_opa.errors import InputFileError, SidecarError
from pycognito_opa.fleet.config import FleetConfig, fleet_status, opa_config, wait_for_revision
from pycognito_opa.fleet.registry import (
    CONFIG_MEDIA_TYPE,
    LAYER_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE,
    MAX_PUSH_BYTES,
    MAX_RESPONSE_BYTES,
    RegistryError,
    parse_oci_url,
    push_bundle,
    upload_bundle,
)
from pycognito_opa.fleet.sidecar import HardenedSidecar, ServeOptions

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_BIN = ROOT / ".tools" / "bin" / "registry"
ORAS_BIN = ROOT / ".tools" / "bin" / "oras"
DECISION = "/v1/data/cognito/authz/decision"
REPO = "pycognito/bundle"


class Registry:
    """The distribution registry on a loopback port, storing on disk; can be stopped and
    started again on the same port with the same storage."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.config = root / "registry.yml"
        self.log = root / "registry.log"
        self.config.write_text(
            yaml.safe_dump(
                {
                    "version": 0.1,
                    "log": {"level": "error", "accesslog": {"disabled": True}},
                    "storage": {
                        "filesystem": {"rootdirectory": str(root / "storage")},
                        "maintenance": {"uploadpurging": {"enabled": False}},
                    },
                    "http": {"addr": self.host, "secret": secrets.token_hex(16)},
                }
            )
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Registry:
        # The registry traces with OpenTelemetry, exporting to localhost:4318 unless told not to.
        env = {**os.environ, "OTEL_TRACES_EXPORTER": "none", "OTEL_SDK_DISABLED": "true"}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(REGISTRY_BIN), "serve", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        if not wait_until(self._ready, timeout=20) or self.proc.poll() is not None:
            self.stop()
            raise AssertionError(f"the registry did not start: {self.log.read_text()[-2000:]}")
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            return True  # exited: reported by start()
        try:
            return requests.get(f"http://{self.host}/v2/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def ref(self, tag: str, repo: str = REPO) -> str:
        return f"oci://{self.host}/{repo}:{tag}"

    def manifest(self, tag: str, repo: str = REPO) -> requests.Response:
        return requests.get(
            f"http://{self.host}/v2/{repo}/manifests/{tag}",
            headers={"Accept": MANIFEST_MEDIA_TYPE},
            timeout=10,
        )


@contextmanager
def registry_on_loopback(root: Path) -> Iterator[Registry]:
    if not REGISTRY_BIN.is_file():
        pytest.fail(
            f"{REGISTRY_BIN} is missing: `make tools` (scripts/install-tools.sh) builds the "
            "distribution registry these tests run"
        )
    registry = Registry(root)
    registry.start()
    try:
        yield registry
    finally:
        registry.stop()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with registry_on_loopback(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keypair(tmp_path_factory.mktemp("keys"))


def _unsign(src: Path, dst: Path) -> Path:
    """A copy of a signed bundle without its .signatures.json."""
    with tarfile.open(src, "r:gz") as tar, tarfile.open(dst, "w:gz") as out:
        for member in tar:
            if member.name.lstrip("/") != ".signatures.json":
                out.addfile(member, tar.extractfile(member) if member.isfile() else None)
    return dst


@pytest.fixture(scope="module")
def revisions(tmp_path_factory: pytest.TempPathFactory, keys: tuple[Path, Path]) -> dict:
    """Signed bundles r1 and r2, a tampered copy of r2 and r2 with its signature removed."""
    folder = tmp_path_factory.mktemp("revisions")
    built = {
        rev: build_bundle(folder / f"{rev}.tar.gz", signing_key=keys[0], revision=rev).path
        for rev in ("r1", "r2")
    }
    built["tampered"] = tamper(built["r2"], folder / "tampered.tar.gz")
    built["unsigned"] = _unsign(built["r2"], folder / "unsigned.tar.gz")
    return built


def _push(path: Path, ref: str, *extra: str) -> dict:
    proc = cli("bundle", "push", str(path), ref, "--plain-http", "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _options(url: str, public: Path, persist: Path, **overrides: object) -> ServeOptions:
    settings: dict = {
        "bundle_url": url,
        "plain_http": True,
        "addr": "127.0.0.1:0",
        "verification_key": public,
        "persist_dir": persist,
        "min_delay_seconds": 1,
        "max_delay_seconds": 1,
        "startup_timeout": 20.0,
    }
    settings.update(overrides)
    return ServeOptions(**settings)


@contextmanager
def fleet(options: list[ServeOptions]) -> Iterator[list[HardenedSidecar]]:
    """Hardened sidecars started side by side, all stopped when the block ends."""
    sidecars = [HardenedSidecar(o) for o in options]
    try:
        with ThreadPoolExecutor(max_workers=len(sidecars)) as pool:
            list(pool.map(HardenedSidecar.start, sidecars))
        yield sidecars
    finally:
        for sidecar in sidecars:
            sidecar.stop()


def _decides(url: str) -> bool:
    resp = requests.post(url + DECISION, json={"input": LIST_POOLS}, timeout=10)
    return resp.status_code == 200 and "result" in resp.json()


def _healthy(url: str) -> bool:
    try:
        return requests.get(url + "/health?bundles", timeout=2).status_code == 200
    except requests.RequestException:
        return False


# Pushing --------------------------------------------------------------------------------------


def test_push_stores_the_bundle_as_the_layer_opa_pulls(
    registry: Registry, revisions: dict, keys: tuple[Path, Path]
):
    pushed = _push(revisions["r1"], registry.ref("stored"), "--verification-key", str(keys[1]))
    body = revisions["r1"].read_bytes()
    assert pushed["reference"] == f"{registry.host}/{REPO}:stored"
    assert (pushed["revision"], pushed["signed"], pushed["verified"]) == ("r1", True, True)
    assert pushed["size"] == len(body)

    resp = registry.manifest("stored")
    assert resp.status_code == 200
    assert resp.headers["Docker-Content-Digest"] == pushed["digest"]
    manifest = resp.json()
    assert manifest["mediaType"] == MANIFEST_MEDIA_TYPE
    assert manifest["config"]["mediaType"] == CONFIG_MEDIA_TYPE
    [layer] = manifest["layers"]
    assert layer["mediaType"] == LAYER_MEDIA_TYPE == "application/vnd.oci.image.layer.v1.tar+gzip"
    assert layer["digest"] == pushed["layer_digest"]
    blob = requests.get(
        f"http://{registry.host}/v2/{REPO}/blobs/{layer['digest']}", timeout=10
    ).content
    assert blob == body

    # The same bundle gives the same manifest: pushing again changes nothing.
    again = cli("bundle", "push", str(revisions["r1"]), registry.ref("stored"), "--plain-http")
    assert again.returncode == 0, again.stderr
    assert pushed["digest"] in again.stdout
    assert "revision r1, signed" in again.stdout


def test_push_writes_the_artefact_oras_writes(registry: Registry, revisions: dict, tmp_path: Path):
    """OPA's documentation publishes a bundle with `oras push REF --config
    config.json:application/vnd.oci.image.config.v1+json bundle.tar.gz:application/vnd.oci.image.
    layer.v1.tar+gzip` (OPA's bundle documentation, its OCI registry section). `bundle push` must
    write an artefact of the same shape: the same config media type and content, and the same
    single layer (media type, digest, size), so OPA pulls either alike."""
    if not ORAS_BIN.is_file():
        pytest.fail(f"{ORAS_BIN} is missing: `make tools` (scripts/install-tools.sh) builds oras")
    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(revisions["r1"].read_bytes())
    (tmp_path / "config.json").write_text("{}")
    proc = subprocess.run(
        [
            str(ORAS_BIN),
            "push",
            "--plain-http",
            f"{registry.host}/{REPO}:by-oras",
            "--config",
            "config.json:application/vnd.oci.image.config.v1+json",
            "bundle.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    _push(bundle, registry.ref("by-pycognito"))
    by_oras, ours = registry.manifest("by-oras").json(), registry.manifest("by-pycognito").json()
    assert ours["config"]["mediaType"] == by_oras["config"]["mediaType"] == CONFIG_MEDIA_TYPE
    assert ours["config"]["digest"] == by_oras["config"]["digest"]  # both "{}"
    [our_layer], [oras_layer] = ours["layers"], by_oras["layers"]
    for key in ("mediaType", "digest", "size"):
        assert our_layer[key] == oras_layer[key], key


# Sidecars pulling from the registry -----------------------------------------------------------


def test_three_sidecars_pick_up_a_new_revision_pushed_to_the_registry(
    registry: Registry, revisions: dict, keys: tuple[Path, Path], tmp_path: Path
):
    ref = registry.ref("live")
    _push(revisions["r1"], ref)
    # One sidecar of each kind: the library's HardenedSidecar, `pycognito-opa serve`, and a
    # plain `opa run` with the configuration `fleet config` writes.
    serve_port, opa_port = free_port(), free_port()
    config = tmp_path / "sidecar.yaml"
    written = cli(
        "fleet",
        "config",
        "--bundle-url",
        ref,
        "--plain-http",
        "--verification-key",
        str(keys[1]),
        "--min-delay",
        "1",
        "--max-delay",
        "1",
        "--persist-dir",
        str(tmp_path / "opa-run"),
        "--addr",
        f"127.0.0.1:{opa_port}",
        "--out",
        str(config),
        "--json",
    )
    assert written.returncode == 0, written.stderr
    printed = json.loads(written.stdout)
    assert printed["config"]["services"]["bundles"] == {
        "url": f"http://{registry.host}",
        "type": "oci",
    }
    assert printed["config"]["bundles"]["pycognito"]["resource"] == f"{registry.host}/{REPO}:live"
    serve_cmd = [
        *(sys.executable, "-m", "pycognito_opa", "serve", "--bundle-url", ref, "--plain-http"),
        *("--verification-key", str(keys[1]), "--min-delay", "1", "--max-delay", "1"),
        *("--persist-dir", str(tmp_path / "serve"), "--addr", f"127.0.0.1:{serve_port}", "--json"),
    ]
    opa_cmd = [str(paths.opa_binary()), *printed["command"][1:]]
    with (
        HardenedSidecar(_options(ref, keys[1], tmp_path / "lib")) as library,
        running(serve_cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as served,
        running(opa_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ):
        assert served.stdout is not None
        ready = json.loads(served.stdout.readline())
        assert ready["revisions"] == {"pycognito": "r1"}
        assert ready["signature_verified"] is True
        urls = [library.url, ready["url"], f"http://127.0.0.1:{opa_port}"]
        assert wait_until(lambda: _healthy(urls[2]), timeout=20)
        assert [s.revision for s in wait_for_revision(urls, "r1", timeout=15)] == ["r1"] * 3

        pushed = _push(revisions["r2"], ref)
        assert pushed["revision"] == "r2"
        # Each sidecar polls every second: all take up r2 within 15 s of the push.
        statuses = wait_for_revision(urls, "r2", timeout=15)
        assert [s.revision for s in statuses] == ["r2"] * 3
        assert all(s.healthy for s in statuses)
        assert all(_decides(u) for u in urls)
        # Still hardened: a sidecar fed from the registry refuses everything but decisions.
        assert all(requests.get(u + "/v1/data", timeout=10).status_code == 401 for u in urls)
        shown = cli("fleet", "status", *urls, "--expect", "r2")
        assert shown.returncode == 0, shown.stdout
    assert gone(library.pid)


def test_a_tampered_or_unsigned_artefact_is_refused_and_the_last_good_revision_kept(
    registry: Registry, revisions: dict, keys: tuple[Path, Path], tmp_path: Path
):
    ref = registry.ref("guarded")
    push_bundle(revisions["r1"], ref, plain_http=True)
    options = [_options(ref, keys[1], tmp_path / f"s{i}") for i in range(3)]
    with fleet(options) as sidecars:
        urls = [s.url for s in sidecars]
        wait_for_revision(urls, "r1", timeout=15)

        # The registry takes any artefact; every sidecar pulls it, and OPA refuses it.
        for bad, reason in (("tampered", "digest mismatch"), ("unsigned", ".signatures.json")):
            pushed = push_bundle(revisions[bad], ref, plain_http=True)
            assert registry.manifest("guarded").headers["Docker-Content-Digest"] == (pushed.digest)
            assert wait_until(lambda r=reason: all(r in s.output() for s in sidecars), 15), [
                s.output()[-500:] for s in sidecars
            ]
            statuses = fleet_status(urls)
            assert [s.revision for s in statuses] == ["r1"] * 3
            assert all(s.healthy for s in statuses)
            assert all(_decides(u) for u in urls)

        # Checked before it leaves: with the public key, push refuses it and pushes nothing.
        before = registry.manifest("guarded").headers["Docker-Content-Digest"]
        refused = cli(
            "bundle",
            "push",
            str(revisions["tampered"]),
            ref,
            "--plain-http",
            "--verification-key",
            str(keys[1]),
        )
        assert refused.returncode == 2
        error = one_json_error(refused.stderr)
        assert error["code"] == "bundle_rejected"
        assert "nothing pushed" in error["message"] and "digest mismatch" in error["message"]
        assert registry.manifest("guarded").headers["Docker-Content-Digest"] == before

        # The next authentic revision is taken up as usual.
        push_bundle(revisions["r2"], ref, plain_http=True, verification_key=keys[1])
        assert [s.revision for s in wait_for_revision(urls, "r2", timeout=15)] == ["r2"] * 3


def test_the_registry_stopped_and_restarted_changes_nothing_with_persist(
    revisions: dict, keys: tuple[Path, Path], tmp_path: Path
):
    with registry_on_loopback(tmp_path / "registry") as reg:
        ref = reg.ref("steady")
        first = push_bundle(revisions["r1"], ref, plain_http=True)
        persist = [tmp_path / "a", tmp_path / "b"]
        with fleet([_options(ref, keys[1], p) for p in persist]) as sidecars:
            urls = [s.url for s in sidecars]
            wait_for_revision(urls, "r1", timeout=15)

            reg.stop()
            with pytest.raises(requests.ConnectionError):
                requests.get(f"http://{reg.host}/v2/", timeout=2)
            time.sleep(2)  # failed polls (every second)
            statuses = fleet_status(urls)
            assert [s.revision for s in statuses] == ["r1"] * 2
            assert all(s.healthy for s in statuses)
            assert all(_decides(u) for u in urls)

            # A sidecar restarted while the registry is down serves its persisted bundle.
            sidecars[1].stop()
            with HardenedSidecar(_options(ref, keys[1], persist[1])) as restarted:
                assert fleet_status([restarted.url])[0].revision == "r1"
                assert _decides(restarted.url)
                assert requests.get(restarted.url + "/v1/data", timeout=10).status_code == 401
                # Without a persisted bundle there is nothing to serve until the registry is back.
                with pytest.raises(SidecarError):
                    HardenedSidecar(
                        _options(ref, keys[1], tmp_path / "empty", startup_timeout=2.0)
                    ).start()

                reg.start()  # same port, same storage: the tag still names what was pushed
                assert reg.manifest("steady").headers["Docker-Content-Digest"] == first.digest
                urls = [sidecars[0].url, restarted.url]
                time.sleep(2)
                assert [s.revision for s in fleet_status(urls)] == ["r1"] * 2

                push_bundle(revisions["r2"], ref, plain_http=True)
                assert [s.revision for s in wait_for_revision(urls, "r2", timeout=15)] == ["r2"] * 2


# References, plain http, bounds ---------------------------------------------------------------


def test_references_and_the_plain_http_rule(tmp_path: Path, revisions: dict):
    ref = parse_oci_url("oci://registry.example.com/policies/cognito:v1.2")
    assert (ref.service_url, ref.resource) == (
        "https://registry.example.com",
        "registry.example.com/policies/cognito:v1.2",
    )
    for loopback in ("127.0.0.1:5000", "127.9.8.7:5000", "localhost:5000", "[::1]:5000"):
        ref = parse_oci_url(f"oci://{loopback}/p/b:live", plain_http=True)
        assert ref.service_url == f"http://{loopback}"
    for url, reason in [
        ("oci://10.0.0.7:5000/p/b:live", "loopback"),
        ("oci://registry.example.com/p/b:live", "loopback"),
        ("oci://[2001:db8::1]:5000/p/b:live", "loopback"),
    ]:
        with pytest.raises(InputFileError, match=reason):
            parse_oci_url(url, plain_http=True)
    for url, reason in [
        ("https://registry.example.com/p/b:live", "oci://"),
        ("oci://registry.example.com/p/b", "no tag"),
        ("oci://registry.example.com/P/b:live", "repository name"),
        ("oci://registry.example.com/p/b@sha256:" + "0" * 64, "digest"),
        ("oci://user:secret@registry.example.com/p/b:live", "credentials"),
        ("oci://registry.example.com/p/b:.live", "tag"),
        ("oci://registry.example.com:99999/p/b:live", "port"),
    ]:
        with pytest.raises(InputFileError, match=reason):
            parse_oci_url(url)

    # The CLI refuses plain http to a registry off loopback (exit 2) before any connection.
    for args in (
        ["bundle", "push", str(revisions["r1"]), "oci://registry.example.com/p/b:live"],
        ["fleet", "config", "--bundle-url", "oci://registry.example.com/p/b:live"],
        ["serve", "--bundle-url", "oci://registry.example.com/p/b:live"],
    ):
        proc = cli(*args, "--plain-http")
        assert proc.returncode == 2, (args, proc.stderr)
        assert "only for a registry on loopback" in one_json_error(proc.stderr)["message"]
    proc = cli("fleet", "config", "--bundle-url", "http://127.0.0.1:8282/b.tar.gz", "--plain-http")
    assert proc.returncode == 2
    assert "oci://" in one_json_error(proc.stderr)["message"]

    # Over https by default; no long polling (a registry has none); status goes elsewhere.
    config = opa_config(
        FleetConfig(
            bundle_url="oci://registry.example.com/policies/cognito:live",
            long_polling_timeout_seconds=30,
            status="https://registry.example.com",
        )
    )
    assert config["services"]["bundles"] == {"url": "https://registry.example.com", "type": "oci"}
    assert (
        config["bundles"]["pycognito"]["resource"] == "registry.example.com/policies/cognito:live"
    )
    assert "long_polling_timeout_seconds" not in config["bundles"]["pycognito"]["polling"]
    assert config["status"] == {"service": "telemetry"}


def test_push_refuses_what_is_not_a_bundle_or_too_large(
    registry: Registry, revisions: dict, tmp_path: Path
):
    ref = registry.ref("refused")
    big = tmp_path / "big.tar.gz"
    with big.open("wb") as f:
        f.truncate(MAX_PUSH_BYTES + 1)  # sparse: refused by its size, never read
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a bundle")
    proc = cli("bundle", "push", str(big), ref, "--plain-http")
    assert proc.returncode == 2, proc.stderr
    assert "more than" in one_json_error(proc.stderr)["message"]
    for path, reason in [(junk, "not a bundle"), (tmp_path / "missing.tar.gz", "not found")]:
        with pytest.raises(InputFileError, match=reason):
            push_bundle(path, ref, plain_http=True)
    assert registry.manifest("refused").status_code == 404

    down = cli(
        "bundle",
        "push",
        str(revisions["r1"]),
        f"oci://127.0.0.1:{free_port()}/p/b:x",
        "--plain-http",
    )
    assert down.returncode == 3
    error = one_json_error(down.stderr)
    assert error["code"] == "registry_failed" and "cannot reach the registry" in error["message"]
    # https is the default; a loopback registry without TLS is named as such.
    with pytest.raises(RegistryError, match="add --plain-http"):
        upload_bundle(b"{}", parse_oci_url(registry.ref("tls")), timeout=(5.0, 5.0))


class _Misbehaving(BaseHTTPRequestHandler):
    """Not a registry: a peer that answers out of bounds, to test the client's limits."""

    mode = "huge"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        if self.mode == "slow":
            time.sleep(2)
            return
        if self.mode == "elsewhere":
            other = f"http://127.0.0.2:{self.server.server_address[1]}/upload"
            self.send_response(202)
            self.send_header("Location", other)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        size = 64 * 1024 * 1024
        self.send_response(500)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"x" * 65536
        try:
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass  # the client stopped reading, as it should


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("huge", "refused starting the upload"),
        ("slow", "timed out"),
        ("elsewhere", "only https, or the registry itself"),
    ],
)
def test_push_bounds_what_it_accepts_from_a_registry(
    mode: str, reason: str, revisions: dict, monkeypatch: pytest.MonkeyPatch
):
    body = revisions["r1"].read_bytes()
    monkeypatch.setattr(_Misbehaving, "mode", mode)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"oci://127.0.0.1:{server.server_address[1]}/p/b:x"
        start = time.monotonic()
        with pytest.raises(RegistryError, match=reason) as raised:
            upload_bundle(body, parse_oci_url(url, plain_http=True), timeout=(1.0, 1.0))
        assert time.monotonic() - start < 10
        assert len(str(raised.value)) < 1000
        if mode == "huge":
            assert len(str(raised.value)) < MAX_RESPONSE_BYTES
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
