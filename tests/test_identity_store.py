"""Identity pools stored in the bundle (`bundle build --identity-pools DIR`), named by their ID.

A pool folder holds the AWS CLI's JSON exactly as `identity resolve --pool/--roles` reads it (the
fixtures of test_identity.py: `describe-identity-pool`, `get-identity-pool-roles`,
`get-principal-tag-attribute-map`, and under roles/ `get-role`, `get-role-policy`, ...). The
build checks each pool with the Rego that checks an identity object sent inline
(`cognito.identity.validation`) and stores it by IdentityPoolId; a sidecar then resolves a
request whose `identity.pool` is that ID against the stored pool and roles.

The expectation is a differential: a request naming the stored pool by ID gets the decision
the same request gets with the pool and roles inline (whose expectations test_identity.py and
the Rego tests take from reference/cognito/identity-pools.md). A pool AWS would not accept
(the Cognito Identity API Reference, RoleMapping: "Type: Token or Rules") stops the build with
exit 2, naming the folder and the field, and nothing is written.
"""

# ruff: noqa: F811

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fleet_helpers import cli, one_json_error
from test_identity import (
    ACCOUNT,
    AUTH,
    CLAIMS,
    CLIENT,
    IDENTITY_ID,
    POOL_ID,
    RAW_JWT,
    UNAUTH,
    USER_POOL,
    aws_files,  # noqa: F401  (the fixture, reused: the parameters below name it)
)

from pycognito_opa import Engine, InputFileError
from pycognito_opa.errors import StoredPolicyError
from pycognito_opa.identity import read_identity_pools, read_pool, read_roles

USER_POOL_ARN = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_EXAMPLE"


def _pool_folder(aws_files: dict[str, Path], root: Path, name: str = "corner-cafe") -> Path:
    """One pool's folder: the pool's CLI output, and its roles under roles/."""
    folder = root / name
    shutil.copytree(aws_files["pool"], folder)
    shutil.copytree(aws_files["roles"], folder / "roles")
    return folder


@pytest.fixture
def pools_dir(aws_files: dict[str, Path], tmp_path: Path) -> Path:
    root = tmp_path / "identity-pools"
    _pool_folder(aws_files, root)
    return root


@pytest.fixture
def stored(pools_dir: Path, tmp_path: Path) -> Iterator[Engine]:
    """A sidecar serving a bundle built with the pool folder, as a user builds it."""
    out = tmp_path / "out" / "bundle.tar.gz"
    proc = cli("bundle", "build", "--identity-pools", str(pools_dir), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["identity_pools"] == 1
    with Engine(bundle=out) as engine:
        yield engine


def _requests() -> list[tuple[str, str, dict[str, Any]]]:
    """Decision requests (action, resource, identity fields other than pool and roles)."""
    signed_in = {"login_provider": USER_POOL, "token": CLAIMS, "identity_id": IDENTITY_ID}
    barista = {"login_provider": USER_POOL, "token": {**CLAIMS, "cognito:groups": ["baristas"]}}
    return [
        ("cognito-idp:AdminCreateUser", USER_POOL_ARN, signed_in),
        ("cognito-idp:DeleteUserPool", USER_POOL_ARN, signed_in),
        ("s3:GetObject", "arn:aws:s3:::cafe/menu.json", {"identity_id": IDENTITY_ID}),
        ("ec2:DescribeTags", "*", {"identity_id": IDENTITY_ID}),
        ("s3:GetObject", "*", barista),
        ("cognito-idp:ListUsers", USER_POOL_ARN, {"login_provider": USER_POOL, "token": RAW_JWT}),
        ("s3:GetObject", "*", {"flow": "basic", "role_arn": UNAUTH, "identity_id": IDENTITY_ID}),
        ("s3:GetObject", "*", {"login_provider": USER_POOL, "token": CLAIMS, "role_arn": AUTH}),
    ]


def test_a_stored_pool_named_by_id_decides_as_the_pool_inline(
    stored: Engine,
    aws_files: dict[str, Path],
) -> None:
    pool, roles = read_pool([aws_files["pool"]]), read_roles(aws_files["roles"])
    outcomes = set()
    for action, resource, fields in _requests():
        request = {"action": action, "resource": resource}
        inline = stored.decide({**request, "identity": {"pool": pool, "roles": roles, **fields}})
        by_id = stored.decide({**request, "identity": {"pool": POOL_ID, **fields}})
        assert by_id.to_dict() == inline.to_dict(), (action, fields)
        outcomes.add((by_id.decision, by_id["identity"]["outcome"]))
        # The verdict entry point (the answer alone) resolves a stored pool the same way.
        verdict = stored.verdict({**request, "identity": {"pool": POOL_ID, **fields}})
        assert (verdict.allowed, verdict.decision) == (by_id.allowed, by_id.decision)
    # The cases reach every kind of answer, so the comparison is not of invalid requests only:
    # the admins' sign-in may create users (identity-pools.md 9, as in test_identity.py), others
    # are denied, refused credentials (STS, the basic flow's AllowClassicFlow) or invalid.
    assert outcomes == {
        ("allow", "credentials"),
        ("implicit_deny", "credentials"),
        ("no_credentials", "error"),
        ("invalid", "invalid"),
    }


def test_an_unknown_pool_id_or_roles_beside_it_is_invalid(stored: Engine) -> None:
    other = "us-east-1:00000000-0000-0000-0000-000000000000"
    unknown = stored.decide(
        {"action": "s3:GetObject", "resource": "*", "identity": {"pool": other}}
    )
    assert unknown.decision == "invalid"
    assert [(e.code, e.field) for e in unknown.errors] == [
        ("unknown_identity_pool", "identity.pool")
    ]
    with_roles = stored.decide(
        {"action": "s3:GetObject", "resource": "*", "identity": {"pool": POOL_ID, "roles": {}}}
    )
    assert [(e.code, e.field) for e in with_roles.errors] == [
        ("roles_with_stored_pool", "identity.roles")
    ]


def test_read_identity_pools(pools_dir: Path, aws_files: dict[str, Path]) -> None:
    folder = pools_dir / "corner-cafe"
    expected = {"pool": read_pool([aws_files["pool"]]), "roles": read_roles(aws_files["roles"])}
    assert read_identity_pools(pools_dir) == {str(folder): expected}
    assert read_identity_pools(folder) == {str(folder): expected}  # a single pool's folder
    shutil.rmtree(folder / "roles")
    with pytest.raises(InputFileError, match="no roles folder"):
        read_identity_pools(pools_dir)
    with pytest.raises(InputFileError, match="not a folder"):
        read_identity_pools(pools_dir / "missing")
    empty = pools_dir.parent / "empty"
    empty.mkdir()
    with pytest.raises(InputFileError, match="no pool folder"):
        read_identity_pools(empty)


def test_a_bad_pool_folder_is_refused_with_exit_2_and_nothing_written(
    aws_files: dict[str, Path],
    tmp_path: Path,
) -> None:
    root = tmp_path / "identity-pools"
    folder = _pool_folder(aws_files, root)
    roles_file = folder / "get-identity-pool-roles.json"
    pool_roles = json.loads(roles_file.read_text())
    key = f"{USER_POOL}:{CLIENT}"
    pool_roles["RoleMappings"][key]["Type"] = "Groups"
    roles_file.write_text(json.dumps(pool_roles))
    out = tmp_path / "out" / "bundle.tar.gz"
    proc = cli("bundle", "build", "--identity-pools", str(root), "--out", str(out))
    assert proc.returncode == 2
    error = one_json_error(proc.stderr)
    assert error["code"] == "invalid_input"
    assert f'{folder}: pool.RoleMappings["{key}"].Type: ' in error["message"]
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_a_pool_id_stored_twice_is_refused(
    aws_files: dict[str, Path],
    tmp_path: Path,
) -> None:
    from pycognito_opa.bundle import build_bundle

    root = tmp_path / "identity-pools"
    _pool_folder(aws_files, root, "a")
    second = _pool_folder(aws_files, root, "b")
    out = tmp_path / "bundle.tar.gz"
    with pytest.raises(StoredPolicyError) as caught:
        build_bundle(out, identity_pools=read_identity_pools(root))
    assert [(e["file"], e["field"], e["code"]) for e in caught.value.errors] == [
        (str(second), "pool.IdentityPoolId", "duplicate_identity_pool")
    ]
    assert not out.exists()
