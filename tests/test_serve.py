"""The hardened sidecar, against the real OPA: decision queries and health checks only, a
bearer token when configured, loopback by default, and only authentic bundles."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fleet_helpers import (
    LIST_POOLS,
    cli,
    free_port,
    gone,
    listening_hosts,
    make_keypair,
    one_json_error,
    running,
    tamper,
)

from pycognito_opa import Engine, Verdict
from pycognito_opa.bundle import build_bundle
from pycognito_opa.errors import BundleRejectedError, InputFileError
from pycognito_opa.fleet.config import sidecar_status
from pycognito_opa.fleet.sidecar import DEFAULT_ADDR, HardenedSidecar, ServeOptions

DECISION = "/v1/data/cognito/authz/decision"
DECISIONS = "/v1/data/cognito/authz/decisions"
VERDICT = "/v1/data/cognito/authz/verdict"
VERDICTS = "/v1/data/cognito/authz/verdicts"
TOKEN = "0123456789abcdef0123456789abcdef"

# Every request a hardened sidecar must refuse: writes, other reads, other queries.
REFUSED = [
    ("PUT", "/v1/policies/evil", 'package system.authz\n\nallow := {"allowed": true}\n'),
    ("DELETE", "/v1/policies/system/authz/authz.rego", None),
    ("PUT", "/v1/data/cognito/store", "{}"),
    ("PATCH", "/v1/data/cognito", '[{"op": "remove", "path": "/store"}]'),
    ("DELETE", "/v1/data/cognito/reference", None),
    ("PUT", "/v1/data/system/authz", "{}"),
    ("POST", "/v1/data/cognito/store/principals", "{}"),
    ("GET", "/v1/data", None),
    ("GET", "/v1/data/cognito/reference/catalog", None),
    ("GET", DECISION, None),
    ("GET", "/v1/policies", None),
    ("GET", "/v1/config", None),
    ("GET", "/v1/status", None),
    ("GET", "/metrics", None),
    ("POST", "/v1/data", '{"input": {}}'),
    ("POST", "/", "{}"),
    ("POST", "/v1/query", '{"query": "data"}'),
    ("POST", "/v1/compile", '{"query": "data.cognito.authz.decision"}'),
    ("POST", f"{DECISION}?explain=full", json.dumps({"input": LIST_POOLS})),
    ("POST", f"{DECISION}/", json.dumps({"input": LIST_POOLS})),
    ("GET", VERDICT, None),
    ("POST", f"{VERDICTS}?explain=full", json.dumps({"input": {"requests": [LIST_POOLS]}})),
    ("POST", "/v1/data/cognito/authz/verdict_of", json.dumps({"input": LIST_POOLS})),
]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keypair(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, keys: tuple[Path, Path]) -> Path:
    out = tmp_path_factory.mktemp("bundles") / "signed.tar.gz"
    return build_bundle(out, signing_key=keys[0], revision="signed-1").path


@pytest.fixture(scope="module")
def hardened(signed: Path, keys: tuple[Path, Path]) -> Iterator[HardenedSidecar]:
    options = ServeOptions(bundle=signed, verification_key=keys[1], addr="127.0.0.1:0")
    with HardenedSidecar(options) as sidecar:
        yield sidecar


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    return path


def test_decision_queries_and_health_checks_are_answered(hardened: HardenedSidecar):
    one = requests.post(hardened.url + DECISION, json={"input": LIST_POOLS}, timeout=10)
    assert one.status_code == 200
    assert "result" in one.json()
    many = requests.post(
        hardened.url + DECISIONS, json={"input": {"requests": [LIST_POOLS] * 3}}, timeout=10
    )
    assert many.status_code == 200
    assert len(many.json()["result"]) == 3
    assert requests.get(hardened.url + "/health", timeout=10).status_code == 200
    assert requests.get(hardened.url + "/health?bundles", timeout=10).status_code == 200


def test_verdict_queries_are_answered(hardened: HardenedSidecar):
    one = requests.post(hardened.url + VERDICT, json={"input": LIST_POOLS}, timeout=10)
    assert one.status_code == 200
    assert one.json()["result"] == {"allowed": True, "decision": "allow"}
    many = requests.post(
        hardened.url + VERDICTS, json={"input": {"requests": [LIST_POOLS] * 3}}, timeout=10
    )
    assert many.status_code == 200
    assert many.json()["result"] == [{"allowed": True, "decision": "allow"}] * 3
    with Engine(url=hardened.url) as engine:
        assert engine.verdict(LIST_POOLS) == Verdict(True, "allow")
        assert engine.verdicts([LIST_POOLS] * 2) == [Verdict(True, "allow")] * 2


def test_the_engine_uses_a_hardened_sidecar(hardened: HardenedSidecar):
    with Engine(url=hardened.url) as engine:
        assert engine.decide(LIST_POOLS).decision == "allow"
        assert [d.decision for d in engine.decide_many([LIST_POOLS] * 2)] == ["allow"] * 2


@pytest.mark.parametrize(("method", "path", "body"), REFUSED)
def test_writes_and_other_reads_are_refused(
    hardened: HardenedSidecar, method: str, path: str, body: str | None
):
    resp = requests.request(method, hardened.url + path, data=body, timeout=10)
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == "unauthorized"
    assert "refused" in resp.json()["message"]


def test_refused_writes_change_nothing(hardened: HardenedSidecar):
    for method, path, body in REFUSED:
        requests.request(method, hardened.url + path, data=body, timeout=10)
    # Still the bundle's own authz and data: reads refused, decisions answered.
    assert requests.get(hardened.url + "/v1/data", timeout=10).status_code == 401
    status = sidecar_status(hardened.url)
    assert status.healthy
    assert status.revisions == {str(hardened.options.bundle): "signed-1"}


def test_loopback_is_the_default(hardened: HardenedSidecar):
    assert ServeOptions().addr == DEFAULT_ADDR == "127.0.0.1:8181"
    port = int(hardened.url.rsplit(":", 1)[1])
    assert listening_hosts(port) == {"127.0.0.1"}
    assert hardened.loopback


def test_token_is_enforced_on_decision_queries(signed: Path, keys: tuple[Path, Path], token_file):
    options = ServeOptions(
        bundle=signed, verification_key=keys[1], token_file=token_file, addr="127.0.0.1:0"
    )
    with HardenedSidecar(options) as sidecar:
        url = sidecar.url + DECISION
        body = {"input": LIST_POOLS}
        missing = requests.post(url, json=body, timeout=10)
        assert missing.status_code == 401
        assert "bearer token" in missing.json()["message"]
        wrong = requests.post(url, json=body, headers={"Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401
        right = requests.post(
            url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        assert right.status_code == 200
        assert "result" in right.json()
        # Health checks need no token; the token opens nothing else.
        assert requests.get(sidecar.url + "/health", timeout=10).status_code == 200
        other = requests.get(
            sidecar.url + "/v1/data", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        assert other.status_code == 401
        verdict = requests.post(sidecar.url + VERDICT, json=body, timeout=10)
        assert verdict.status_code == 401
        assert "bearer token" in verdict.json()["message"]
        with Engine(url=sidecar.url, token=TOKEN) as engine:
            assert engine.decide(LIST_POOLS).decision == "allow"
            assert engine.verdict(LIST_POOLS) == Verdict(True, "allow")
        assert sidecar_status(sidecar.url).error.startswith("OPA answered 401")
        assert sidecar_status(sidecar.url, token=TOKEN).revision == "signed-1"


def test_weak_token_is_bad_input(signed: Path, tmp_path: Path):
    weak = tmp_path / "weak"
    weak.write_text("short")
    with pytest.raises(InputFileError, match="at least 16"):
        HardenedSidecar(ServeOptions(bundle=signed, token_file=weak, addr="127.0.0.1:0")).start()


@pytest.mark.parametrize(
    ("kind", "reason", "hint"),
    [
        ("unsigned", "bundle missing .signatures.json file", "not signed"),
        ("tampered", "digest mismatch", "changed after it was signed"),
        ("other-key", "failed to verify JWT signature", "signed with another key"),
    ],
)
def test_unauthentic_bundle_is_refused_with_opas_reason(
    tmp_path: Path, keys: tuple[Path, Path], signed: Path, kind: str, reason: str, hint: str
):
    if kind == "unsigned":
        bundle = build_bundle(tmp_path / "unsigned.tar.gz").path
    elif kind == "tampered":
        bundle = tamper(signed, tmp_path / "tampered.tar.gz")
    else:
        other_private, _ = make_keypair(tmp_path, "other")
        bundle = build_bundle(tmp_path / "other.tar.gz", signing_key=other_private).path
    options = ServeOptions(bundle=bundle, verification_key=keys[1], addr="127.0.0.1:0")
    with pytest.raises(BundleRejectedError) as info:
        HardenedSidecar(options).start()
    assert reason in str(info.value)
    assert hint in str(info.value)

    proc = cli(
        "serve",
        "--bundle",
        str(bundle),
        "--verification-key",
        str(keys[1]),
        "--addr",
        f"127.0.0.1:{free_port()}",
    )
    assert proc.returncode == 2
    error = one_json_error(proc.stderr)
    assert error["code"] == "bundle_rejected"
    assert reason in error["message"]


def test_signed_bundle_needs_the_verification_key(signed: Path):
    with pytest.raises(BundleRejectedError, match="verification key not provided"):
        HardenedSidecar(ServeOptions(bundle=signed, addr="127.0.0.1:0")).start()


def test_bundle_without_the_sidecar_policy_is_refused_before_start(tmp_path: Path):
    rego = tmp_path / "rego"
    rego.mkdir()
    (rego / "p.rego").write_text("package cognito.authz\n\ndecision := {}\n")
    bundle = build_bundle(tmp_path / "bare.tar.gz", rego_dir=rego, data_dir=tmp_path).path
    proc = cli("serve", "--bundle", str(bundle), "--addr", "127.0.0.1:0")
    assert proc.returncode == 2
    assert "no system.authz policy" in one_json_error(proc.stderr)["message"]


def test_bad_address_is_bad_input(signed: Path):
    proc = cli("serve", "--bundle", str(signed), "--addr", ":8181")
    assert proc.returncode == 2
    assert "HOST:PORT" in one_json_error(proc.stderr)["message"]


def test_cli_serve_answers_until_sigterm_and_stops_opa(
    signed: Path, keys: tuple[Path, Path], token_file: Path
):
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "pycognito_opa",
        "serve",
        "--bundle",
        str(signed),
        "--verification-key",
        str(keys[1]),
        "--token-file",
        str(token_file),
        "--addr",
        f"127.0.0.1:{port}",
        "--json",
    ]
    with running(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        ready = json.loads(proc.stdout.readline())
        assert ready["url"] == f"http://127.0.0.1:{port}"
        assert ready["loopback"] is True
        assert ready["token_required"] is True
        assert ready["signature_verified"] is True
        assert ready["revisions"] == {str(signed): "signed-1"}
        assert listening_hosts(port) == {"127.0.0.1"}
        status = cli("fleet", "status", ready["url"], "--token-file", str(token_file), "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["revision"] == "signed-1"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    assert gone(ready["pid"])


def test_the_bearer_scheme_is_read_in_any_case(signed: Path, keys: tuple[Path, Path], token_file):
    # RFC 7235, section 2.1: the authentication scheme is case-insensitive.
    options = ServeOptions(
        bundle=signed, verification_key=keys[1], token_file=token_file, addr="127.0.0.1:0"
    )
    with HardenedSidecar(options) as sidecar:
        body = {"input": LIST_POOLS}
        for scheme in ("Bearer", "bearer", "BEARER", "bEaReR"):
            headers = {"Authorization": f"{scheme} {TOKEN}"}
            resp = requests.post(sidecar.url + DECISION, json=body, headers=headers, timeout=10)
            assert resp.status_code == 200, (scheme, resp.text)
            assert resp.json()["result"]["decision"] == "allow"
        wrong = {"Authorization": "bearer not-the-token"}
        assert (
            requests.post(sidecar.url + DECISION, json=body, headers=wrong, timeout=10).status_code
            == 401
        )
        basic = {"Authorization": f"Basic {TOKEN}"}
        assert (
            requests.post(sidecar.url + DECISION, json=body, headers=basic, timeout=10).status_code
            == 401
        )


def _children(pid: int) -> set[int]:
    """The processes forked by any thread of `pid`."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def test_serve_stops_promptly_on_sigterm_while_waiting_for_its_first_bundle(tmp_path: Path):
    # Nothing listens at the bundle URL: OPA waits for its first bundle (up to --wait 60 s).
    url = f"http://127.0.0.1:{free_port()}/bundles/pycognito.tar.gz"
    cmd = [sys.executable, "-m", "pycognito_opa", "serve", "--bundle-url", url]
    cmd += ["--addr", f"127.0.0.1:{free_port()}", "--wait", "60", "--persist-dir", str(tmp_path)]
    with running(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        opa: set[int] = set()
        deadline = time.monotonic() + 30
        while not opa and time.monotonic() < deadline:
            time.sleep(0.1)
            opa = _children(proc.pid)
        assert opa, "serve started no OPA"
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        assert "Traceback" not in proc.stderr.read()
    assert all(gone(pid) for pid in opa)


def test_fleet_status_without_the_token_says_unauthorized(
    signed: Path, keys: tuple[Path, Path], token_file: Path
):
    options = ServeOptions(
        bundle=signed, verification_key=keys[1], token_file=token_file, addr="127.0.0.1:0"
    )
    with HardenedSidecar(options) as sidecar:
        proc = cli("fleet", "status", sidecar.url)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "unauthorized" in proc.stdout
        assert "--token-file" in proc.stdout
        assert "do not all serve one revision" not in proc.stdout
        as_json = cli(
            "fleet", "status", sidecar.url, "--json", "--expect", "signed-1", "--wait", "30"
        )
        assert as_json.returncode == 2
        assert json.loads(as_json.stdout)["unauthorized"] == [sidecar.url]
        ok = cli("fleet", "status", sidecar.url, "--token-file", str(token_file))
        assert ok.returncode == 0, ok.stdout + ok.stderr
