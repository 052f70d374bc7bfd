"""`bundle build` and `bundle inspect`: user policies and principals as bundle data, OPA's
signing and verification, and bad input that stops the build with the file and the reason."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
import requests
from fleet_helpers import (
    ADMIN_ROLE,
    READER_ROLE,
    cli,
    make_keypair,
    one_json_error,
    tamper,
    write_policies,
)

from pycognito_opa import OpaProcess
from pycognito_opa._estate import load_estate
from pycognito_opa.bundle import (
    ROOTS,
    build_bundle,
    default_bundle,
    inspect_bundle,
    read_manifest,
    verify_bundle,
)
from pycognito_opa.errors import InputFileError, SignatureError


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keypair(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_keypair(tmp_path_factory.mktemp("other-keys"), "other")


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    return write_policies(tmp_path / "policies")


def _data(bundle: Path) -> dict:
    with tarfile.open(bundle, "r:gz") as tar:
        for member in tar:
            if member.name.lstrip("/") == "data.json":
                return json.loads(tar.extractfile(member).read())
    raise AssertionError("no data.json")


def test_principals_become_bundle_data_in_the_agreed_shape(policies: Path, tmp_path: Path):
    estate = load_estate(policies)
    info = build_bundle(tmp_path / "b.tar.gz", estate=estate)
    principals = _data(info.path)["cognito"]["store"]["principals"]
    assert set(principals) == {ADMIN_ROLE, READER_ROLE}
    admin = principals[ADMIN_ROLE]
    assert set(admin) == {"policies", "managed_policies", "permissions_boundary"}
    assert admin["policies"]["pool-admin"]["Statement"][0]["Sid"] == "AdminUsers"
    assert admin["managed_policies"] == ["AmazonCognitoReadOnly"]
    # YAML's unquoted 2012-10-17 stays the policy language version, as text.
    assert admin["permissions_boundary"]["Version"] == "2012-10-17"
    reader = principals[READER_ROLE]
    assert set(reader) == {"policies", "managed_policies"}
    assert list(reader["policies"]) == ["list-pools"]
    assert reader["managed_policies"] == ["arn:aws:iam::aws:policy/AmazonCognitoReadOnly"]


def test_real_opa_loads_the_principals(policies: Path, tmp_path: Path):
    estate = load_estate(policies)
    info = build_bundle(tmp_path / "b.tar.gz", estate=estate)
    with OpaProcess([info.path]) as opa:
        resp = requests.get(f"{opa.url}/v1/data/cognito/store/principals", timeout=10)
    assert sorted(resp.json()["result"]) == sorted([ADMIN_ROLE, READER_ROLE])


def test_default_bundle_ships_the_sidecar_policy():
    info = default_bundle()
    assert info.roots == ROOTS == ("cognito", "system/authz")
    report = inspect_bundle(info.path)
    assert "system.authz" in report.packages
    assert report.signature == "unsigned"
    assert read_manifest(info.path)["roots"] == list(ROOTS)


def test_bundle_names_its_files_from_its_own_root():
    # OPA's messages and profiles name policy files by these paths: they must not carry the
    # temporary folder the bundle was staged in.
    with tarfile.open(default_bundle().path) as tar:
        names = sorted(m.name.lstrip("/") for m in tar.getmembers())
    assert "policies/cognito/authz/authz.rego" in names
    assert all(n.split("/")[0] in {"policies", "data.json", ".manifest"} for n in names), names


def test_signed_build_and_inspect(policies: Path, tmp_path: Path, keys: tuple[Path, Path]):
    private, public = keys
    out = tmp_path / "out" / "signed.tar.gz"
    built = cli(
        "bundle",
        "build",
        "--policies",
        str(policies),
        "--out",
        str(out),
        "--signing-key",
        str(private),
        "--revision",
        "2024-06-01.1",
        "--json",
    )
    assert built.returncode == 0, built.stderr
    result = json.loads(built.stdout)
    assert result["revision"] == "2024-06-01.1"
    assert result["signed"] is True
    assert (result["principals"], result["policies"]) == (2, 3)

    shown = cli("bundle", "inspect", str(out), "--verification-key", str(public), "--json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["revision"] == "2024-06-01.1"
    assert report["roots"] == ["cognito", "system/authz"]
    assert report["signed"] is True
    assert report["signature"] == "valid"
    assert report["algorithm"] == "RS256"
    assert report["key_id"] == "pycognito-opa"
    assert report["principals"] == sorted([ADMIN_ROLE, READER_ROLE])
    assert "cognito/store/principals" in report["data_paths"]
    assert "system.authz" in report["packages"]
    # The signature covers every policy and data file OPA lists, and the .manifest.
    assert report["signed_files"] == len(report["files"]) + 1

    text = cli("bundle", "inspect", str(out))
    assert text.returncode == 0
    assert "not verified" in text.stdout
    assert "2024-06-01.1" in text.stdout


def test_inspect_reports_opas_reason_for_a_bad_signature(
    tmp_path: Path, keys: tuple[Path, Path], other_keys: tuple[Path, Path]
):
    private, public = keys
    signed = build_bundle(tmp_path / "signed.tar.gz", signing_key=private, revision="r1").path
    unsigned = build_bundle(tmp_path / "unsigned.tar.gz", revision="r1").path
    tampered = tamper(signed, tmp_path / "tampered.tar.gz")

    verify_bundle(signed, public)
    with pytest.raises(SignatureError, match="digest mismatch"):
        verify_bundle(tampered, public)
    with pytest.raises(SignatureError, match="failed to verify JWT signature"):
        verify_bundle(signed, other_keys[1])
    with pytest.raises(SignatureError, match=r"missing \.signatures\.json"):
        verify_bundle(unsigned, public)

    shown = cli("bundle", "inspect", str(tampered), "--verification-key", str(public), "--json")
    assert shown.returncode == 1  # a finding: the signature does not verify
    report = json.loads(shown.stdout)
    assert report["signature"] == "invalid"
    assert "digest mismatch" in report["signature_error"]
    assert "Intruder" in " ".join(report["principals"])

    assert inspect_bundle(unsigned).signature == "unsigned"


def test_public_key_is_refused_as_a_verification_key_only_when_private(
    tmp_path: Path, keys: tuple[Path, Path]
):
    private, _ = keys
    signed = build_bundle(tmp_path / "signed.tar.gz", signing_key=private).path
    with pytest.raises(InputFileError, match="private key"):
        verify_bundle(signed, private)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.json", '{"Statement": [', "not JSON"),
        ("broken.yaml", "Statement: [unclosed\n", "not YAML"),
        ("effect.json", '{"Statement": [{"Action": "*", "Resource": "*"}]}', "has no Effect"),
        ("list.json", "[1, 2]", "must be a JSON object (invalid_type)"),
        ("empty.yaml", "", "must be a JSON object (invalid_type)"),
        (
            "principal.json",
            json.dumps(
                {
                    "Statement": {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "*",
                        "Resource": "*",
                    }
                }
            ),
            "Statement.Principal: Principal is only for resource-based policies",
        ),
        (
            "condition.json",
            json.dumps(
                {
                    "Statement": {
                        "Effect": "Allow",
                        "Action": "*",
                        "Resource": "*",
                        "Condtion": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                    }
                }
            ),
            'Statement.Condtion: unknown statement element "Condtion" (unknown_element)',
        ),
        ("anchors.yaml", "a: &x [1]\nb: *x\n", "YAML anchors and aliases are not accepted"),
    ],
)
def test_unusable_policy_file_stops_the_build(
    policies: Path, tmp_path: Path, name: str, content: str, reason: str
):
    (policies / name).write_text(content)
    out = tmp_path / "out" / "bundle.tar.gz"
    proc = cli("bundle", "build", "--policies", str(policies), "--out", str(out))
    assert proc.returncode == 2
    error = one_json_error(proc.stderr)
    assert error["code"] == "invalid_input"
    assert name in error["message"]
    assert reason in error["message"]
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


@pytest.mark.parametrize(
    ("principals", "reason"),
    [
        (
            f"{ADMIN_ROLE}:\n  managed_policies: [AmazonCognitoEverything]\n",
            'no AWS managed policy "AmazonCognitoEverything" in the bundle',
        ),
        (f"{ADMIN_ROLE}:\n  policies: [no-such-policy]\n", 'no policy "no-such-policy" in'),
        (
            f"{ADMIN_ROLE}:\n  permissions_boundary: gone\n",
            'no policy "gone" in the policies folder for the permissions boundary',
        ),
        (f"{ADMIN_ROLE}:\n  polices: [pool-admin]\n", 'unknown key "polices"'),
        ("not-an-arn:\n  policies: [pool-admin]\n", '"not-an-arn" is not the ARN of an IAM'),
        ("- just\n- a list\n", "expected a mapping"),
        (f"{ADMIN_ROLE}:\n  policies: &p [pool-admin]\n", "anchors and aliases"),
    ],
)
def test_unusable_principals_file_stops_the_build(
    policies: Path, tmp_path: Path, principals: str, reason: str
):
    (policies / "principals.yaml").write_text(principals)
    out = tmp_path / "bundle.tar.gz"
    out.write_bytes(b"the previous bundle")
    proc = cli("bundle", "build", "--policies", str(policies), "--out", str(out))
    assert proc.returncode == 2
    error = one_json_error(proc.stderr)
    assert "principals.yaml" in error["message"]
    assert reason in error["message"]
    # Nothing half-built: the previous file is untouched and no temporary file is left.
    assert out.read_bytes() == b"the previous bundle"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.tar.gz", "policies"]


def test_explicit_principals_file_and_duplicate_names(policies: Path, tmp_path: Path):
    elsewhere = tmp_path / "team-principals.json"
    elsewhere.write_text(json.dumps({"principals": {READER_ROLE: {"policies": ["list-pools"]}}}))
    (policies / "principals.yaml").unlink()
    estate = load_estate(policies, principals_file=elsewhere)
    assert list(estate.principals) == [READER_ROLE]

    (policies / "list-pools.json").write_text("{}")
    with pytest.raises(InputFileError, match="also used by"):
        load_estate(policies)


@pytest.mark.parametrize("kind", ["missing", "not-pem", "public"])
def test_bad_signing_key_is_bad_input(tmp_path: Path, keys: tuple[Path, Path], kind: str):
    key = {
        "missing": tmp_path / "nope.pem",
        "not-pem": tmp_path / "secret.txt",
        "public": keys[1],
    }[kind]
    if kind == "not-pem":
        # OPA would take this as an HMAC secret; pycognito-opa refuses it instead.
        key.write_text("hunter2")
    out = tmp_path / "b.tar.gz"
    proc = cli("bundle", "build", "--out", str(out), "--signing-key", str(key))
    assert proc.returncode == 2
    error = one_json_error(proc.stderr)
    assert str(key) in error["message"]
    assert "openssl" in error["message"]
    assert not out.exists()


def test_build_without_policies_keeps_the_makefile_command_working(tmp_path: Path):
    proc = cli("bundle", "build", "--out", str(tmp_path / "bundle.tar.gz"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"built {tmp_path / 'bundle.tar.gz'} (revision ")
    assert "cognito/store" not in inspect_bundle(tmp_path / "bundle.tar.gz").data_paths


def test_inspect_of_a_missing_or_broken_file_is_bad_input(tmp_path: Path):
    proc = cli("bundle", "inspect", str(tmp_path / "none.tar.gz"))
    assert proc.returncode == 2
    assert "bundle not found" in one_json_error(proc.stderr)["message"]
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    proc = cli("bundle", "inspect", str(junk))
    assert proc.returncode == 2
    assert "not a bundle" in one_json_error(proc.stderr)["message"]
