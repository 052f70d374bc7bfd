"""The OPA an Engine starts answers that Engine alone (its owner token), with the real OPA.

Any local process can find a loopback port; without the token it can neither change the
embedded OPA's policies and data (the registered policy sets decisions trust) nor query it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from pycognito_opa import Engine, OpaProcess
from pycognito_opa import engine as engine_module
from pycognito_opa._paths import opa_binary
from pycognito_opa.analysis import lint, synthetic_policy_set
from pycognito_opa.bundle import BundleInfo
from pycognito_opa.cli import main
from pycognito_opa.errors import OpaStartError
from pycognito_opa.fleet.config import token_sha256
from pycognito_opa.fleet.sidecar import HardenedSidecar, ServeOptions

LIST_POOLS = {"action": "cognito-idp:ListUserPools", "resource": "*"}
ALLOW_COGNITO = {
    "policies": [
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "cognito-idp:List*", "Resource": "*"}],
        }
    ]
}
REFUSAL = "this OPA answers only the Engine that started it"
TIMEOUT = 10


@pytest.fixture(scope="module")
def owned(bundle: BundleInfo) -> Iterator[Engine]:
    """An Engine of this module's own: its OPA is killed in a test."""
    with Engine(bundle=bundle.path) as engine:
        yield engine


def owner_token(engine: Engine) -> str:
    assert engine.process is not None and engine.process.owner_token is not None
    return engine.process.owner_token


def refused(resp: requests.Response) -> None:
    assert resp.status_code == 401, resp.text
    assert REFUSAL in resp.json()["message"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}]
)
def test_no_other_process_may_write_or_query(owned: Engine, headers: dict[str, str]):
    registered = f"{owned.url}/v1/data/{engine_module.REGISTERED_DATA}/sha256:{'0' * 64}"
    policy = f"{owned.url}/v1/policies/x"
    refused(requests.put(policy, data="package x", headers=headers, timeout=TIMEOUT))
    refused(requests.put(registered, json={}, headers=headers, timeout=TIMEOUT))
    refused(requests.delete(f"{owned.url}/v1/data", headers=headers, timeout=TIMEOUT))
    decision = f"{owned.url}/v1/data/cognito/authz/decision"
    refused(requests.post(decision, json={"input": LIST_POOLS}, headers=headers, timeout=TIMEOUT))
    query = {"query": "data.cognito", "input": {}}
    refused(requests.post(f"{owned.url}/v1/query", json=query, headers=headers, timeout=TIMEOUT))
    refused(requests.get(f"{owned.url}/v1/config", headers=headers, timeout=TIMEOUT))
    refused(requests.get(f"{owned.url}/health", headers=headers, timeout=TIMEOUT))


def test_the_engine_decides_registers_and_analyses(owned: Engine):
    assert owned.verdict(LIST_POOLS).decision == "implicit_deny"
    set_id = owned.register_policy_set(ALLOW_COGNITO)
    assert owned.verdicts([{**LIST_POOLS, "policy_set": set_id}])[0].allowed
    assert lint(owned, synthetic_policy_set(3)).statements == 3
    owned.unregister_policy_set(set_id)
    assert owned.decide({**LIST_POOLS, "policy_set": set_id}).decision == "invalid"


def test_the_owner_token_opens_every_path(owned: Engine):
    headers = {"Authorization": f"Bearer {owner_token(owned)}"}
    resp = requests.get(f"{owned.url}/v1/config", headers=headers, timeout=TIMEOUT)
    assert resp.status_code == 200
    config = resp.json()["result"]["pycognito_opa"]
    assert config == {"owner_token_sha256": token_sha256(owner_token(owned))}


def test_the_token_is_in_no_command_line_or_environment(owned: Engine):
    assert owned.process is not None and owned.process.pid is not None
    token = owner_token(owned).encode()
    proc = Path(f"/proc/{owned.process.pid}")
    cmdline = (proc / "cmdline").read_bytes()
    assert token not in cmdline
    assert hashlib.sha256(token).hexdigest().encode() in cmdline
    assert token not in (proc / "environ").read_bytes()
    assert token.decode() not in owned.process.output()


def test_a_restarted_opa_has_a_new_token_the_engine_uses(owned: Engine):
    set_id = owned.register_policy_set(ALLOW_COGNITO)
    process = owned.process
    assert process is not None and process.pid is not None
    first_pid, first_token = process.pid, owner_token(owned)
    os.kill(first_pid, signal.SIGKILL)
    assert process.exits_within(5)
    assert owned.verdict({**LIST_POOLS, "policy_set": set_id}).allowed
    assert owned.process is not None and owned.process.pid != first_pid
    assert owner_token(owned) != first_token
    stale = {"Authorization": f"Bearer {first_token}"}
    refused(requests.get(f"{owned.url}/v1/config", headers=stale, timeout=TIMEOUT))


def test_an_opa_not_owned_is_unchanged(bundle: BundleInfo):
    with OpaProcess([bundle.path]) as opa:
        assert opa.owner_token is None
        resp = requests.post(
            f"{opa.url}/v1/data/cognito/authz/verdict", json={"input": LIST_POOLS}, timeout=TIMEOUT
        )
        assert resp.status_code == 200


# A bundle built by an older pycognito-opa: its system.authz admits health checks, not the owner.
HEALTH_ONLY = """package system.authz

allow := {"allowed": input.path == ["health"], "reason": "only health checks"}
"""


@pytest.mark.parametrize(
    ("authz", "reason"),
    [(None, "authorization policy missing"), (HEALTH_ONLY, "only health checks")],
)
def test_a_bundle_that_does_not_admit_the_owner_fails_at_once(
    tmp_path: Path, authz: str | None, reason: str
):
    source = tmp_path / "src"
    (source / "cognito").mkdir(parents=True)
    (source / "cognito" / "x.rego").write_text("package cognito.x\n\nv := 1\n")
    if authz is not None:
        (source / "system").mkdir()
        (source / "system" / "authz.rego").write_text(authz)
    out = tmp_path / "bundle.tar.gz"
    subprocess.run([opa_binary(), "build", "-b", source, "-o", out], check=True)
    started = time.monotonic()
    with pytest.raises(OpaStartError, match=f"{reason}.*must admit its owner"):
        Engine(bundle=out).start()
    assert time.monotonic() - started < 10  # at once, not after the startup timeout


def test_a_sidecar_configuration_never_holds_an_owner_key(bundle: BundleInfo, tmp_path: Path):
    token = tmp_path / "token"
    token.write_text("t" * 32)
    out = tmp_path / "sidecar.yaml"
    args = ["--bundle-url", "https://bundles.example/b.tar.gz", "--token-file", str(token)]
    assert main(["fleet", "config", *args, "--out", str(out)]) == 0
    digest = token_sha256("t" * 32)
    assert yaml.safe_load(out.read_text())["pycognito_opa"] == {"token_sha256": digest}
    sidecar = HardenedSidecar(ServeOptions(bundle=bundle.path, token_file=token))
    _, args = sidecar.opa_arguments(tmp_path)
    config = yaml.safe_load(Path(args[args.index("--config-file") + 1]).read_text())
    assert config["pycognito_opa"] == {"token_sha256": digest}
    assert not any("owner" in arg for arg in args)
