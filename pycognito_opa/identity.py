"""Identity-pool inputs from the files people already have, and their resolution by OPA.

The AWS CLI's own JSON, unchanged, is read into the identity object of the decision contract
(`identity: {pool, roles, flow, login_provider, token, identity_id, custom_role_arn, role_arn,
jwks}`): the pool from `aws cognito-identity describe-identity-pool`, `get-identity-pool-roles`
and `get-principal-tag-attribute-map`; each role from `aws iam get-role`, `get-role-policy`,
`list-attached-role-policies` (and `get-policy-version` for the documents of customer managed
policies). Which role a sign-in gets, and whether STS accepts it, is decided by the Rego package
`cognito.identity` (`data.cognito.identity.resolution`); this module only reads and assembles.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from ._files import MAX_FILE_BYTES, load_json
from .errors import InputFileError, RequestError, UsageError

__all__ = [
    "IDENTITY_POOLS_LAYOUT",
    "LINT_PATH",
    "RESOLUTIONS_PATH",
    "RESOLUTION_PATH",
    "ROLES_LAYOUT",
    "PoolLintReport",
    "Resolution",
    "build_identity",
    "lint_pool",
    "read_identity_pools",
    "read_jwks",
    "read_pool",
    "read_roles",
    "read_token",
    "resolve",
    "resolve_many",
]

RESOLUTION_PATH = "cognito/identity/resolution"
RESOLUTIONS_PATH = "cognito/identity/resolutions"
LINT_PATH = "cognito/identity/lint/report"


ROLES_LAYOUT = """\
--roles DIR holds one folder per IAM role (any folder name), each with the AWS CLI's JSON
output saved as *.json files (any file names; each is recognised by its content):
  aws iam get-role --role-name ROLE                           (required: ARN, trust policy)
  aws iam get-role-policy --role-name ROLE --policy-name P    (one file per inline policy)
  aws iam list-role-policies --role-name ROLE                 (optional: checks none is missing)
  aws iam list-attached-role-policies --role-name ROLE        (managed policies)
  aws iam get-policy-version --policy-arn ARN --version-id V  (saved as P.json, P the policy
      name: the document of a customer managed policy or of the permissions boundary)
AWS managed policies without a document are named by ARN (the bundle ships the Cognito ones).
DIR may also be a single role's folder."""

IDENTITY_POOLS_LAYOUT = """\
--identity-pools DIR holds one folder per identity pool (any folder name), each with:
  *.json   the pool's AWS CLI output, as identity resolve --pool reads it:
           aws cognito-identity describe-identity-pool (required), get-identity-pool-roles,
           get-principal-tag-attribute-map (one per provider)
  roles/   the roles' AWS CLI output, as identity resolve --roles reads it (one folder per role)
DIR may also be a single pool's folder. Each pool is stored by its IdentityPoolId."""

_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class _Querier(Protocol):
    def query(self, path: str, input_value: Any) -> Any: ...


@dataclass(frozen=True)
class Resolution:
    """What an identity pool gives one sign-in or guest, as `cognito.identity` resolved it.

    `outcome` is "credentials", "error" (Cognito or STS refuses: `error` holds AWS's exception,
    the stage and, where known, AWS's message) or "invalid" (`errors` name the fields). `raw` is
    the object OPA returned, every field included.
    """

    outcome: str
    role_arn: str | None = None
    error: Mapping[str, Any] | None = None
    errors: tuple[Mapping[str, Any], ...] = ()
    reason: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Resolution:
        error = raw.get("error")
        role = raw.get("role_arn")
        return cls(
            outcome=str(raw.get("outcome", "")),
            role_arn=role if isinstance(role, str) else None,
            error=error if isinstance(error, Mapping) else None,
            errors=tuple(e for e in raw.get("errors") or [] if isinstance(e, Mapping)),
            reason=str(raw.get("reason", "")),
            raw=dict(raw),
        )

    def to_dict(self) -> dict[str, Any]:
        """The resolution as OPA returned it."""
        return copy.deepcopy(dict(self.raw))


def resolve(engine: _Querier, identity: Mapping[str, Any]) -> Resolution:
    """The resolution of one identity object (`data.cognito.identity.resolution`)."""
    raw = engine.query(RESOLUTION_PATH, identity)
    if not isinstance(raw, Mapping):
        raise RequestError("the identity resolution is not an object (is the bundle current?)")
    return Resolution.from_dict(raw)


def resolve_many(engine: _Querier, identities: Sequence[Mapping[str, Any]]) -> list[Resolution]:
    """The resolutions of many identity objects, in order, from one query."""
    raw = engine.query(RESOLUTIONS_PATH, {"identities": list(identities)})
    if not isinstance(raw, list) or len(raw) != len(identities):
        raise RequestError("the identity resolutions do not match the identities sent")
    return [Resolution.from_dict(r) for r in raw]


@dataclass(frozen=True)
class PoolLintReport:
    """The findings of `cognito.identity.lint` for a pool and its roles: each a mapping with
    rule, severity, role_arn, field, message and hint; `raw` is the report OPA returned."""

    findings: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def severities(self) -> dict[str, int]:
        """Each severity's rank (higher is more serious), from the Rego rule table."""
        return {str(k): int(v) for k, v in dict(self.raw.get("severities") or {}).items()}

    def at_or_above(self, severity: str) -> list[Mapping[str, Any]]:
        """The findings of `severity` or a more serious one."""
        ranks = self.severities
        if severity not in ranks:
            known = ", ".join(sorted(ranks, key=ranks.__getitem__))
            raise UsageError(f"unknown severity {severity!r} (the lint rules use: {known})")
        return [f for f in self.findings if ranks.get(str(f.get("severity")), 0) >= ranks[severity]]

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.raw))


def lint_pool(
    engine: _Querier, pool: Mapping[str, Any], roles: Mapping[str, Any]
) -> PoolLintReport:
    """The misconfigurations of a pool and its roles (`data.cognito.identity.lint.report`)."""
    raw = engine.query(LINT_PATH, {"pool": pool, "roles": roles})
    if not isinstance(raw, Mapping) or not isinstance(raw.get("findings"), list):
        raise RequestError("the pool lint report is not an object (is the bundle current?)")
    return PoolLintReport(
        tuple(f for f in raw["findings"] if isinstance(f, Mapping)), raw=dict(raw)
    )


def _json_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
    return [path]


def _object(path: Path) -> dict[str, Any]:
    value = load_json(path)
    if not isinstance(value, dict):
        raise InputFileError(path, "not a JSON object (the AWS CLI prints objects)")
    return value


def read_pool(sources: Iterable[str | os.PathLike[str]]) -> dict[str, Any]:
    """The pool of the identity contract from the AWS CLI's output files (or folders of them):
    `describe-identity-pool` (required), `get-identity-pool-roles` (Roles, RoleMappings) and
    any number of `get-principal-tag-attribute-map` (one per provider), all of one pool."""
    pool: dict[str, Any] = {}
    described: Path | None = None
    tag_maps: dict[str, Any] = {}
    files = [f for source in sources for f in _json_files(Path(source))]
    if not files:
        raise InputFileError(", ".join(map(str, sources)), "no *.json file")
    pool_id: tuple[Path, Any] | None = None
    for path in files:
        doc = _object(path)
        if "IdentityPoolId" in doc:
            if pool_id is not None and doc["IdentityPoolId"] != pool_id[1]:
                raise InputFileError(
                    path,
                    f"IdentityPoolId {doc['IdentityPoolId']!r} is not {pool_id[1]!r} "
                    f"of {pool_id[0]}: give the files of one pool",
                )
            pool_id = (path, doc["IdentityPoolId"])
        if "AllowUnauthenticatedIdentities" in doc:  # describe-identity-pool
            if described is not None:
                raise InputFileError(path, f"a second describe-identity-pool output ({described})")
            described = path
            pool.update(doc)
        elif "IdentityProviderName" in doc:  # get-principal-tag-attribute-map
            tag_maps[str(doc["IdentityProviderName"])] = {
                k: doc[k] for k in ("UseDefaults", "PrincipalTags") if k in doc
            }
        elif "Roles" in doc or "RoleMappings" in doc:  # get-identity-pool-roles
            pool.update({k: doc[k] for k in ("Roles", "RoleMappings") if k in doc})
        else:
            raise InputFileError(
                path,
                "not the output of describe-identity-pool, get-identity-pool-roles or "
                "get-principal-tag-attribute-map",
            )
    if described is None:
        raise InputFileError(files[0], "no describe-identity-pool output among the pool files")
    if tag_maps:
        pool["PrincipalTagAttributeMaps"] = {
            **(pool.get("PrincipalTagAttributeMaps") or {}),
            **tag_maps,
        }
    return pool


def _document(value: Any, path: Path) -> Any:
    """A policy document as the CLI prints it (an object), or as the IAM API returns it (URL-
    encoded JSON text)."""
    if isinstance(value, str):
        try:
            return json.loads(unquote(value))
        except ValueError as exc:
            raise InputFileError(path, f"a policy document that is not JSON: {exc}") from exc
    return value


@dataclass
class _RoleFiles:
    role: dict[str, Any] | None = None
    role_file: Path | None = None
    inline: dict[str, Any] = field(default_factory=dict)
    listed: list[str] | None = None
    attached: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, Any] = field(default_factory=dict)


def _role_files(folder: Path) -> _RoleFiles:
    found = _RoleFiles()
    for path in _json_files(folder):
        doc = _object(path)
        if isinstance(doc.get("Role"), dict):
            if found.role_file is not None:
                raise InputFileError(path, f"a second get-role output ({found.role_file})")
            found.role, found.role_file = doc["Role"], path
        elif "PolicyDocument" in doc and "PolicyName" in doc:
            found.inline[str(doc["PolicyName"])] = _document(doc["PolicyDocument"], path)
        elif isinstance(doc.get("PolicyNames"), list):
            found.listed = [str(n) for n in doc["PolicyNames"]]
        elif isinstance(doc.get("AttachedPolicies"), list):
            found.attached.extend(p for p in doc["AttachedPolicies"] if isinstance(p, dict))
        elif isinstance(doc.get("PolicyVersion"), dict):
            found.versions[path.stem] = _document(doc["PolicyVersion"].get("Document"), path)
        else:
            raise InputFileError(
                path,
                "not the output of get-role, get-role-policy, list-role-policies, "
                "list-attached-role-policies or get-policy-version",
            )
    return found


def _role_entry(folder: Path) -> tuple[str, dict[str, Any]]:
    found = _role_files(folder)
    if found.role is None or found.role_file is None:
        raise InputFileError(folder, f"no get-role output in the role's folder\n{ROLES_LAYOUT}")
    role, path = found.role, found.role_file
    arn = role.get("Arn")
    if not isinstance(arn, str):
        raise InputFileError(path, "get-role output without Role.Arn")
    missing = sorted(set(found.listed or []) - set(found.inline))
    if missing:
        raise InputFileError(
            folder, f"inline policies listed but not given (get-role-policy): {', '.join(missing)}"
        )
    entry: dict[str, Any] = {
        "trust_policy": _document(role.get("AssumeRolePolicyDocument"), path),
        "policies": [found.inline[name] for name in sorted(found.inline)],
        "managed_policies": [],
    }
    for attached in found.attached:
        name, policy_arn = attached.get("PolicyName"), attached.get("PolicyArn")
        if name in found.versions:
            entry["policies"].append(found.versions[name])
        elif isinstance(policy_arn, str):
            entry["managed_policies"].append(policy_arn)
    boundary = role.get("PermissionsBoundary")
    if isinstance(boundary, dict) and boundary.get("PermissionsBoundaryArn"):
        boundary_name = str(boundary["PermissionsBoundaryArn"]).rsplit("/", 1)[-1]
        if boundary_name not in found.versions:
            raise InputFileError(
                folder,
                f"the role's permissions boundary {boundary['PermissionsBoundaryArn']} needs its "
                f"document: save aws iam get-policy-version output as {boundary_name}.json",
            )
        entry["permissions_boundary"] = found.versions[boundary_name]
    return arn, entry


def read_roles(directory: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The roles of the identity contract ({ROLE_ARN: {trust_policy, policies,
    managed_policies, permissions_boundary}}) from a folder laid out as ROLES_LAYOUT says."""
    root = Path(directory)
    if not root.is_dir():
        raise InputFileError(root, f"not a folder\n{ROLES_LAYOUT}")
    has_own_files = any(p.suffix == ".json" for p in root.iterdir() if p.is_file())
    folders = [root] if has_own_files else sorted(p for p in root.iterdir() if p.is_dir())
    roles: dict[str, dict[str, Any]] = {}
    for folder in folders:
        arn, entry = _role_entry(folder)
        if arn in roles:
            raise InputFileError(folder, f"role {arn} is given twice")
        roles[arn] = entry
    if not roles:
        raise InputFileError(root, f"no role folder\n{ROLES_LAYOUT}")
    return roles


def read_identity_pools(directory: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The identity pools a bundle stores, as read from a folder laid out as
    IDENTITY_POOLS_LAYOUT says: {POOL_FOLDER: {"pool": read_pool, "roles": read_roles}}, keyed
    by the folder (for error messages). Whether each is a pool AWS would accept, and its ID, is
    checked by the Rego when the bundle is built (cognito.store), never here."""
    root = Path(directory)
    if not root.is_dir():
        raise InputFileError(root, f"not a folder\n{IDENTITY_POOLS_LAYOUT}")
    has_own_files = any(p.suffix == ".json" for p in root.iterdir() if p.is_file())
    folders = (
        [root]
        if has_own_files
        else sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    )
    if not folders:
        raise InputFileError(root, f"no pool folder\n{IDENTITY_POOLS_LAYOUT}")
    pools: dict[str, dict[str, Any]] = {}
    for folder in folders:
        roles = folder / "roles"
        if not roles.is_dir():
            raise InputFileError(
                folder, f"no roles folder (the roles' AWS CLI output)\n{IDENTITY_POOLS_LAYOUT}"
            )
        pools[str(folder)] = {"pool": read_pool([folder]), "roles": read_roles(roles)}
    return pools


def read_token(value: str) -> str | dict[str, Any]:
    """A provider token: a file holding the raw JWT or its claims (a JSON object), or the raw
    JWT itself. Decoding is OPA's (io.jwt.decode)."""
    path = Path(value)
    try:
        is_file = path.is_file()
    except OSError:  # a name too long for a file: a token
        is_file = False
    if not is_file:
        if _JWT.match(value):
            return value
        raise InputFileError(value, "neither a file nor a JWT (header.payload.signature)")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputFileError(path, f"over the limit of {MAX_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if _JWT.match(text):
        return text
    claims = load_json(path)
    if not isinstance(claims, dict):
        raise InputFileError(path, "neither a JWT nor a JSON object of claims")
    return claims


def read_jwks(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A JSON Web Key Set (a user pool's /.well-known/jwks.json)."""
    return _object(Path(path))


def build_identity(
    pool: Mapping[str, Any],
    roles: Mapping[str, Any],
    *,
    flow: str | None = None,
    login_provider: str | None = None,
    token: str | Mapping[str, Any] | None = None,
    identity_id: str | None = None,
    custom_role_arn: str | None = None,
    role_arn: str | None = None,
    jwks: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The identity object of the decision contract; fields not given are left out (the
    contract's defaults apply: enhanced flow; no login_provider is a guest)."""
    optional = {
        "flow": flow,
        "login_provider": login_provider,
        "token": token,
        "identity_id": identity_id,
        "custom_role_arn": custom_role_arn,
        "role_arn": role_arn,
        "jwks": jwks,
    }
    return {
        "pool": dict(pool),
        "roles": dict(roles),
        **{k: v for k, v in optional.items() if v is not None},
    }
