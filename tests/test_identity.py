"""Identity pools from the files people have: the AWS CLI's JSON read as it is printed, resolved by
the real OPA (`data.cognito.identity.resolution`), and decision requests with an identity.

Expectations: reference/cognito/identity-pools.md (the section is named at each test) and the
Amazon Cognito Developer Guide pages it quotes; the JSON shapes are those the AWS CLI prints for
`aws cognito-identity describe-identity-pool | get-identity-pool-roles |
get-principal-tag-attribute-map` and `aws iam get-role | get-role-policy | list-role-policies |
list-attached-role-policies | get-policy-version` (botocore's service models; the CLI prints
policy documents as JSON objects).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pycognito_opa import Engine, InputFileError, UsageError
from pycognito_opa.bundle import BundleInfo
from pycognito_opa.identity import (
    Resolution,
    build_identity,
    lint_pool,
    read_pool,
    read_roles,
    read_token,
    resolve,
    resolve_many,
)

POOL_ID = "us-east-1:12345678-corner-cafe-123456790ab"
USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"
CLIENT = "1example23456789"
ACCOUNT = "123456789012"
AUTH = f"arn:aws:iam::{ACCOUNT}:role/Cognito_CornerCafeAuth_Role"
UNAUTH = f"arn:aws:iam::{ACCOUNT}:role/Cognito_CornerCafeUnauth_Role"
ADMINS = f"arn:aws:iam::{ACCOUNT}:role/CornerCafeAdmins"
IDENTITY_ID = "us-east-1:12345678-1234-1234-1234-123456790ab"


# "Role trust and permissions" / "Using role-based access control": the documented trust
# policies; the admins role also allows sts:TagSession ("Using attributes for access control
# policy example").
def _trust(amr: str, *actions: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "",
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": list(actions) or "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": POOL_ID},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
                },
            }
        ],
    }


# "IAM roles", "Access policy examples": the S3 prefix of each identity (verbatim).
S3_PER_IDENTITY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": ["arn:aws:s3:::mybucket/${cognito-identity.amazonaws.com:sub}/*"],
        }
    ],
}

ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "cognito-idp:AdminCreateUser",
            "Resource": f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_EXAMPLE",
        }
    ],
}

BOUNDARY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": "*"}],
}

# aws cognito-identity describe-identity-pool --identity-pool-id ...
DESCRIBE_POOL = {
    "IdentityPoolId": POOL_ID,
    "IdentityPoolName": "CornerCafe",
    "AllowUnauthenticatedIdentities": True,
    "AllowClassicFlow": False,
    "CognitoIdentityProviders": [
        {"ProviderName": USER_POOL, "ClientId": CLIENT, "ServerSideTokenCheck": False}
    ],
    "IdentityPoolTags": {},
}

# aws cognito-identity get-identity-pool-roles --identity-pool-id ...
POOL_ROLES = {
    "IdentityPoolId": POOL_ID,
    "Roles": {"authenticated": AUTH, "unauthenticated": UNAUTH},
    "RoleMappings": {
        f"{USER_POOL}:{CLIENT}": {
            "Type": "Rules",
            "AmbiguousRoleResolution": "AuthenticatedRole",
            "RulesConfiguration": {
                "Rules": [
                    {
                        "Claim": "cognito:groups",
                        "MatchType": "Contains",
                        "Value": "admins",
                        "RoleARN": ADMINS,
                    }
                ]
            },
        }
    },
}

# aws cognito-identity get-principal-tag-attribute-map --identity-provider-name ...
TAG_MAP = {
    "IdentityPoolId": POOL_ID,
    "IdentityProviderName": USER_POOL,
    "UseDefaults": True,
    "PrincipalTags": {"client": "aud", "username": "sub"},
}

CLAIMS = {
    "sub": "8f1e2c3a-0000-4000-8000-000000000001",
    "aud": CLIENT,
    "iss": f"https://{USER_POOL}",
    "token_use": "id",
    "cognito:groups": ["admins"],
}

# A token signed with an HS256 test key: its signature is not checked without a JWKS.
RAW_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiIxZXhhbXBsZTIzNDU2Nzg5IiwiY29nbml0bzpncm91cHM"
    "iOlsiYWRtaW5zIl0sImNvZ25pdG86cHJlZmVycmVkX3JvbGUiOiJhcm46YXdzOmlhbTo6MTIzNDU2Nzg5MDEyOnJvbGUv"
    "Q29ybmVyQ2FmZUFkbWlucyIsImNvZ25pdG86cm9sZXMiOlsiYXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjpyb2xlL0Nv"
    "cm5lckNhZmVBZG1pbnMiXSwiY29nbml0bzp1c2VybmFtZSI6ImFuYSIsImlzcyI6Imh0dHBzOi8vY29nbml0by1pZHAu"
    "dXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vdXMtZWFzdC0xX0VYQU1QTEUiLCJzdWIiOiI4ZjFlMmMzYS0wMDAwLTQwMDAt"
    "ODAwMC0wMDAwMDAwMDAwMDEiLCJ0b2tlbl91c2UiOiJpZCJ9.-iapeTdsynyJGekD1t82OYBwtSj7iNfkjhLgfFWnJYM"
)


def _write(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=4))
    return path


def _get_role(arn: str, trust: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """aws iam get-role --role-name NAME"""
    name = arn.rsplit("/", 1)[-1]
    return {
        "Role": {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROAEXAMPLE" + name.upper()[:8],
            "Arn": arn,
            "CreateDateDate": "2024-01-01T00:00:00+00:00",
            "AssumeRolePolicyDocument": trust,
            "MaxSessionDuration": 3600,
            **extra,
        }
    }


@pytest.fixture
def aws_files(tmp_path: Path) -> dict[str, Path]:
    """The AWS CLI's output for the pool and its three roles, saved as printed."""
    pool = tmp_path / "pool"
    _write(pool / "describe-identity-pool.json", DESCRIBE_POOL)
    _write(pool / "get-identity-pool-roles.json", POOL_ROLES)
    _write(pool / "principal-tags.json", TAG_MAP)
    roles = tmp_path / "roles"
    auth = roles / "Cognito_CornerCafeAuth_Role"
    _write(auth / "get-role.json", _get_role(AUTH, _trust("authenticated")))
    _write(
        auth / "s3.json",
        {
            "RoleName": "Cognito_CornerCafeAuth_Role",
            "PolicyName": "s3",
            "PolicyDocument": S3_PER_IDENTITY,
        },
    )
    _write(auth / "list-role-policies.json", {"PolicyNames": ["s3"]})
    unauth = roles / "Cognito_CornerCafeUnauth_Role"
    _write(unauth / "role.json", _get_role(UNAUTH, _trust("unauthenticated")))
    _write(
        unauth / "attached.json",
        {
            "AttachedPolicies": [
                {
                    "PolicyName": "AmazonCognitoUnauthenticatedIdentities",
                    "PolicyArn": "arn:aws:iam::aws:policy/AmazonCognitoUnauthenticatedIdentities",
                }
            ]
        },
    )
    admins = roles / "CornerCafeAdmins"
    boundary_arn = f"arn:aws:iam::{ACCOUNT}:policy/CognitoOnly"
    _write(
        admins / "role.json",
        _get_role(
            ADMINS,
            _trust("authenticated", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"),
            PermissionsBoundary={
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": boundary_arn,
            },
        ),
    )
    _write(
        admins / "attached.json",
        {
            "AttachedPolicies": [
                {"PolicyName": "CafeAdmin", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/CafeAdmin"}
            ]
        },
    )
    _write(
        admins / "CafeAdmin.json",
        {"PolicyVersion": {"Document": ADMIN_POLICY, "VersionId": "v1", "IsDefaultVersion": True}},
    )
    _write(
        admins / "CognitoOnly.json",
        {"PolicyVersion": {"Document": BOUNDARY, "VersionId": "v2", "IsDefaultVersion": True}},
    )
    return {"pool": pool, "roles": roles, "claims": _write(tmp_path / "claims.json", CLAIMS)}


# --- Reading the AWS CLI's files (no OPA) -----------------------------------------------------


def test_read_pool_assembles_the_three_outputs(aws_files: dict[str, Path]) -> None:
    pool = read_pool([aws_files["pool"]])
    assert pool["IdentityPoolId"] == POOL_ID
    assert pool["Roles"] == POOL_ROLES["Roles"]
    assert pool["RoleMappings"] == POOL_ROLES["RoleMappings"]
    assert pool["PrincipalTagAttributeMaps"] == {
        USER_POOL: {"UseDefaults": True, "PrincipalTags": {"client": "aud", "username": "sub"}}
    }
    one_by_one = read_pool(sorted(aws_files["pool"].iterdir()))
    assert one_by_one == pool


def test_read_roles_from_the_cli_output(aws_files: dict[str, Path]) -> None:
    roles = read_roles(aws_files["roles"])
    assert set(roles) == {AUTH, UNAUTH, ADMINS}
    assert roles[AUTH]["policies"] == [S3_PER_IDENTITY]
    assert roles[AUTH]["trust_policy"]["Statement"][0]["Condition"]["StringEquals"] == {
        "cognito-identity.amazonaws.com:aud": POOL_ID
    }
    assert roles[UNAUTH]["managed_policies"] == [
        "arn:aws:iam::aws:policy/AmazonCognitoUnauthenticatedIdentities"
    ]
    assert roles[ADMINS]["policies"] == [ADMIN_POLICY]
    assert roles[ADMINS]["permissions_boundary"] == BOUNDARY
    assert read_roles(aws_files["roles"] / "CornerCafeAdmins") == {ADMINS: roles[ADMINS]}


def test_url_encoded_documents_are_read(tmp_path: Path) -> None:
    """The IAM API itself returns URL-encoded policy documents; the CLI decodes them."""
    from urllib.parse import quote

    _write(tmp_path / "r" / "role.json", _get_role(AUTH, quote(json.dumps(_trust("x")))))  # type: ignore[arg-type]
    assert read_roles(tmp_path / "r")[AUTH]["trust_policy"] == _trust("x")


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"a.json": {"Roles": {}}}, "no describe-identity-pool"),
        ({"a.json": DESCRIBE_POOL, "b.json": DESCRIBE_POOL}, "a second describe-identity-pool"),
        (
            {"a.json": DESCRIBE_POOL, "b.json": {**POOL_ROLES, "IdentityPoolId": "us-east-1:x"}},
            "one pool",
        ),
        ({"a.json": {"Something": 1}}, "not the output of"),
        ({"a.json": [1]}, "not a JSON object"),
    ],
)
def test_read_pool_refuses(tmp_path: Path, files: dict[str, Any], reason: str) -> None:
    for name, value in files.items():
        _write(tmp_path / name, value)
    with pytest.raises(InputFileError, match=reason):
        read_pool([tmp_path])


def test_read_roles_refuses(tmp_path: Path, aws_files: dict[str, Path]) -> None:
    with pytest.raises(InputFileError, match="not a folder"):
        read_roles(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputFileError, match="no role folder"):
        read_roles(empty)
    no_role = tmp_path / "no-role" / "x"
    _write(no_role / "p.json", {"RoleName": "x", "PolicyName": "p", "PolicyDocument": BOUNDARY})
    with pytest.raises(InputFileError, match="no get-role output"):
        read_roles(tmp_path / "no-role")
    auth = aws_files["roles"] / "Cognito_CornerCafeAuth_Role"
    _write(auth / "list-role-policies.json", {"PolicyNames": ["s3", "dynamodb"]})
    with pytest.raises(InputFileError, match=r"not given \(get-role-policy\): dynamodb"):
        read_roles(aws_files["roles"])
    (auth / "list-role-policies.json").unlink()
    (aws_files["roles"] / "CornerCafeAdmins" / "CognitoOnly.json").unlink()
    with pytest.raises(InputFileError, match="permissions boundary"):
        read_roles(aws_files["roles"])
    (auth / "bad.json").write_text("{not json")
    with pytest.raises(InputFileError, match="not JSON"):
        read_roles(aws_files["roles"])


def test_read_token(aws_files: dict[str, Path], tmp_path: Path) -> None:
    assert read_token(RAW_JWT) == RAW_JWT
    assert read_token(str(aws_files["claims"])) == CLAIMS
    jwt_file = tmp_path / "id.token.jwt"
    jwt_file.write_text(RAW_JWT + "\n")
    assert read_token(str(jwt_file)) == RAW_JWT
    with pytest.raises(InputFileError, match="neither a file nor a JWT"):
        read_token("not a token")


def test_build_identity_leaves_out_what_is_not_given() -> None:
    assert build_identity({"IdentityPoolId": POOL_ID}, {}) == {
        "pool": {"IdentityPoolId": POOL_ID},
        "roles": {},
    }
    assert build_identity({}, {}, flow="basic", role_arn=AUTH)["role_arn"] == AUTH


# --- Resolution by the real OPA ---------------------------------------------------------------


def _identity(aws_files: dict[str, Path], **kwargs: Any) -> dict[str, Any]:
    return build_identity(read_pool([aws_files["pool"]]), read_roles(aws_files["roles"]), **kwargs)


def test_resolve_rules_mapping_with_principal_tags(
    engine: Engine, aws_files: dict[str, Path]
) -> None:
    """identity-pools.md 4.4 (S1: "If a user has a matching value for the claim, the user can
    assume that role") and 6 (S6 default mappings; S13 sts:TagSession in the trust policy)."""
    r = resolve(
        engine,
        _identity(aws_files, login_provider=USER_POOL, token=CLAIMS, identity_id=IDENTITY_ID),
    )
    assert isinstance(r, Resolution)
    assert (r.outcome, r.role_arn, r.error) == ("credentials", ADMINS, None)
    assert r.raw["principal_tags"] == {"username": CLAIMS["sub"], "client": CLIENT}
    assert r.raw["session"]["principal"].endswith(
        ":assumed-role/CornerCafeAdmins/CognitoIdentityCredentials"
    )
    assert r.to_dict() == dict(r.raw)


def test_resolve_no_match_falls_back_and_sts_refuses(
    engine: Engine, aws_files: dict[str, Path]
) -> None:
    """identity-pools.md 4.5 (AuthenticatedRole) and 5: the default role's documented trust
    policy lacks sts:TagSession, so the tagged session is refused (S13, S9)."""
    claims = {**CLAIMS, "cognito:groups": ["baristas"]}
    r = resolve(engine, _identity(aws_files, login_provider=USER_POOL, token=claims))
    assert r.outcome == "error"
    assert r.role_arn == AUTH
    assert r.error is not None
    assert r.error["code"] == "InvalidIdentityPoolConfigurationException"
    assert r.error["stage"] == "get_credentials_for_identity"


def test_resolve_guest_and_raw_jwt_in_one_query(engine: Engine, aws_files: dict[str, Path]) -> None:
    """identity-pools.md 4.1 and 7 (guests: the unauthenticated role with the scope-down) and 3
    (the raw token decoded; without a JWKS its signature is not checked, and it says so)."""
    guest, signed_in = resolve_many(
        engine,
        [
            _identity(aws_files, identity_id=IDENTITY_ID),
            _identity(aws_files, login_provider=USER_POOL, token=RAW_JWT),
        ],
    )
    assert (guest.outcome, guest.role_arn) == ("credentials", UNAUTH)
    assert len(guest.raw["session_policies"]) == 3
    assert signed_in.raw["token"] == {"form": "jwt", "signature": "not_checked"}
    assert signed_in.role_arn == ADMINS


def test_resolve_invalid_names_the_field(engine: Engine, aws_files: dict[str, Path]) -> None:
    identity = _identity(aws_files)
    identity["pool"]["RoleMappings"][f"{USER_POOL}:{CLIENT}"]["Type"] = "Groups"
    r = resolve(engine, identity)
    assert r.outcome == "invalid"
    assert [e["field"] for e in r.errors] == [f'pool.RoleMappings["{USER_POOL}:{CLIENT}"].Type']


def test_decide_an_identity_request(engine: Engine, aws_files: dict[str, Path]) -> None:
    """identity-pools.md 9: the request is evaluated as the role session; the admins role may
    create users within its permissions boundary; a guest of a pool without guest access gets
    no credentials (3.1, S4)."""
    identity = _identity(aws_files, login_provider=USER_POOL, token=CLAIMS, identity_id=IDENTITY_ID)
    resource = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_EXAMPLE"
    d = engine.decide(
        {"action": "cognito-idp:AdminCreateUser", "resource": resource, "identity": identity}
    )
    assert (d.decision, d.allowed) == ("allow", True)
    assert d["identity"]["role_arn"] == ADMINS
    guest = _identity(aws_files)
    guest["pool"]["AllowUnauthenticatedIdentities"] = False
    refused = engine.decide({"action": "s3:GetObject", "resource": "*", "identity": guest})
    assert (refused.decision, refused.allowed) == ("no_credentials", False)
    assert refused["identity"]["error"]["message"] == (
        "Unauthenticated access is not supported for this identity pool."
    )


# --- The command line -------------------------------------------------------------------------


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pycognito_opa", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_resolve_from_aws_files(aws_files: dict[str, Path], bundle: BundleInfo) -> None:
    files = ["--pool", str(aws_files["pool"]), "--roles", str(aws_files["roles"])]
    proc = run_cli(
        "identity", "resolve", *files,
        "--login-provider", USER_POOL, "--token", RAW_JWT,
        "--identity-id", IDENTITY_ID, "--bundle", str(bundle.path),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["outcome"], out["role_arn"], out["role_choice"]) == ("credentials", ADMINS, "rule")
    printed = run_cli("identity", "resolve", *files, "--print-input", "--compact")
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["pool"]["IdentityPoolId"] == POOL_ID


def test_cli_resolve_request_and_decide(aws_files: dict[str, Path], bundle: BundleInfo) -> None:
    identity = _identity(aws_files, login_provider=USER_POOL, token=str(aws_files["claims"]))
    identity["token"] = CLAIMS
    one = run_cli(
        "identity", "resolve", "-r", "-", "--bundle", str(bundle.path), stdin=json.dumps(identity)
    )
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout)["role_arn"] == ADMINS
    many = run_cli(
        "identity", "resolve", "-r", "-", "--compact", "--bundle", str(bundle.path),
        stdin=json.dumps([identity, {"pool": {}}]),
    )  # fmt: skip
    assert many.returncode == 0, many.stderr
    assert [r["outcome"] for r in json.loads(many.stdout)] == ["credentials", "invalid"]
    request = {"action": "s3:GetObject", "resource": "*", "identity": identity}
    decided = run_cli("decide", "-r", "-", "--bundle", str(bundle.path), stdin=json.dumps(request))
    assert decided.returncode == 0, decided.stderr
    assert json.loads(decided.stdout)["identity"]["outcome"] == "credentials"


def _error(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    error: dict[str, Any] = json.loads(lines[0])["error"]
    return error


def test_cli_errors_are_one_json_line_with_exit_2(
    aws_files: dict[str, Path], tmp_path: Path
) -> None:
    pool, roles = str(aws_files["pool"]), str(aws_files["roles"])
    missing_roles, missing_jwks = str(tmp_path / "none"), str(tmp_path / "j.json")
    cases: list[tuple[tuple[str, ...], str]] = [
        (("identity",), "usage"),
        (("identity", "resolve"), "usage"),
        (("identity", "resolve", "--pool", pool), "usage"),
        (("identity", "resolve", "-r", "x.json", "--pool", pool), "usage"),
        (("identity", "resolve", "--pool", pool, "--roles", roles, "--token", RAW_JWT), "usage"),
        (("identity", "resolve", "-r", "-", "--print-input"), "usage"),
        (("identity", "resolve", "--pool", str(tmp_path), "--roles", roles), "invalid_input"),
        (("identity", "resolve", "--pool", pool, "--roles", missing_roles), "invalid_input"),
        (("identity", "resolve", "--pool", pool, "--roles", roles, "--login-provider", USER_POOL,
          "--token", "nothing-like-a-token"), "invalid_input"),
        (("identity", "resolve", "--pool", pool, "--roles", roles, "--jwks", missing_jwks),
         "invalid_input"),
    ]  # fmt: skip
    for args, code in cases:
        proc = run_cli(*args, "--opa-url", "http://127.0.0.1:9")
        assert proc.returncode == 2, (args, proc.stderr)
        assert _error(proc)["code"] == code, args
    not_json = run_cli(
        "identity", "resolve", "-r", "-", "--opa-url", "http://127.0.0.1:9", stdin="["
    )
    assert (not_json.returncode, _error(not_json)["code"]) == (2, "invalid_json")
    not_identity = run_cli(
        "identity", "resolve", "-r", "-", "--opa-url", "http://127.0.0.1:9", stdin="3"
    )
    assert (not_identity.returncode, _error(not_identity)["code"]) == (2, "not_a_request")


# --- Pool lint (identity-pools.md 5, 8.4, 11; S11) ---------------------------------------------


def test_lint_pool_finds_the_fallback_role_without_tag_session(
    engine: Engine, aws_files: dict[str, Path]
) -> None:
    """The pool's principal tags need sts:TagSession in every role it hands out (S13); the
    default authenticated role's documented trust policy lacks it, and rules fall back to it."""
    report = lint_pool(engine, read_pool([aws_files["pool"]]), read_roles(aws_files["roles"]))
    found = {(f["rule"], f["role_arn"]) for f in report.findings}
    assert found == {("role-rejects-pool", AUTH), ("ambiguous-default-role", AUTH)}
    assert [f["rule"] for f in report.at_or_above("error")] == ["role-rejects-pool"]
    with pytest.raises(UsageError):  # the severities are the Rego rule table's
        report.at_or_above("fatal")


def test_cli_lint_exit_codes(aws_files: dict[str, Path], bundle: BundleInfo) -> None:
    args = [
        "identity",
        "lint",
        "--pool",
        str(aws_files["pool"]),
        "--roles",
        str(aws_files["roles"]),
    ]
    proc = run_cli(*args, "--bundle", str(bundle.path))
    assert proc.returncode == 1, proc.stderr
    assert "role-rejects-pool" in proc.stdout and "2 finding(s)" in proc.stdout
    # A well-configured pool: no principal tags, and Deny when no rule matches.
    (aws_files["pool"] / "principal-tags.json").unlink()
    roles = json.loads((aws_files["pool"] / "get-identity-pool-roles.json").read_text())
    roles["RoleMappings"][f"{USER_POOL}:{CLIENT}"]["AmbiguousRoleResolution"] = "Deny"
    _write(aws_files["pool"] / "get-identity-pool-roles.json", roles)
    clean = run_cli(*args, "--json", "--bundle", str(bundle.path))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["findings"] == []
    bad = run_cli(*args, "--fail-on", "fatal", "--bundle", str(bundle.path))
    assert (bad.returncode, _error(bad)["code"]) == (2, "usage")
