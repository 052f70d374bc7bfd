"""The benchmark's workloads: AWS's documented examples and synthetic Cognito policy estates.

A workload is a list of decision requests in the project's request format. The synthetic estates
are generated deterministically (a seeded random generator) from the action catalog shipped as
bundle data, so every run of the benchmark asks the same questions of the same policies.
"""

from __future__ import annotations

import copy
import json
import random
import string
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycognito_opa import _paths
from pycognito_opa.engine import REGISTERED_DATA
from pycognito_opa.errors import PyCognitoOpaError
from pycognito_opa.examples import load_examples

ACCOUNT = "111122223333"
REGIONS = ("us-east-1", "eu-west-1")
TEAMS = ("blue", "green", "red", "amber")
STATEMENTS_PER_POLICY = 10
INLINE_PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:role/bench-inline"
# Where the Rego names the request fields a policy set holds, and where OPA keeps a registered
# set's entry (Engine.register_policy_set).
REGISTERED_FIELDS_PATH = "cognito/registered/fields"
REGISTERED_DATA_PATH = REGISTERED_DATA

# Prefixes of Cognito API names, for wildcard actions such as "cognito-idp:Admin*".
ACTION_PREFIXES = ("Admin", "Describe", "List", "Get", "Update", "Delete", "Create", "Set")


class WorkloadError(PyCognitoOpaError):
    """A workload could not be built (missing catalog, malformed managed policies)."""

    code = "workload_failed"


@dataclass(frozen=True)
class Workload:
    """Requests to decide, and where their policies live.

    kind is "examples" (documented examples, policies inline), "inline" (a synthetic estate passed
    in every request), "stored" (the estate stored in the bundle behind `principal`) or
    "registered" (an inline estate registered once with an Engine, each request naming it).
    `stored` maps a principal ARN to its stored entry (data.cognito.store.principals).
    """

    name: str
    kind: str
    statements: int
    requests: tuple[dict[str, Any], ...]
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected: tuple[str, ...] = ()  # documented decisions, when known
    labels: tuple[str, ...] = ()  # request names for reports (example ids)

    def request_bytes(self) -> int:
        """Average size of one request as JSON (what each decision query carries)."""
        if not self.requests:
            return 0
        sample = self.requests[: min(len(self.requests), 20)]
        return sum(len(json.dumps(r, separators=(",", ":"))) for r in sample) // len(sample)


@dataclass(frozen=True)
class Estate:
    """A synthetic policy estate: its policy documents and the requests asked of it."""

    statements: int
    policies: tuple[tuple[str, dict[str, Any]], ...]
    requests: tuple[dict[str, Any], ...]
    principal: str

    def inline(self) -> Workload:
        """Every request carries the whole estate in `policies`."""
        docs = [doc for _, doc in self.policies]
        reqs = tuple({**r, "principal": INLINE_PRINCIPAL, "policies": docs} for r in self.requests)
        return Workload(f"estate-{self.statements}-inline", "inline", self.statements, reqs)

    def stored(self) -> Workload:
        """The estate is stored in the bundle; requests name the principal only."""
        reqs = tuple({**r, "principal": self.principal} for r in self.requests)
        entry = {"policies": {name: doc for name, doc in self.policies}}
        return Workload(
            f"estate-{self.statements}-stored",
            "stored",
            self.statements,
            reqs,
            stored={self.principal: entry},
        )


def policy_set_of(wl: Workload, fields: Collection[str]) -> dict[str, Any]:
    """The policy set (the request fields named by `fields`, as the Rego defines them at
    data.cognito.registered.fields) that every request of an inline workload carries; a
    WorkloadError when the requests do not all carry the same one."""
    if not wl.requests:
        raise WorkloadError(f"{wl.name}: no request to take a policy set from")
    policy_set = {k: v for k, v in wl.requests[0].items() if k in fields}
    for i, request in enumerate(wl.requests):
        if {k: v for k, v in request.items() if k in fields} != policy_set:
            raise WorkloadError(f"{wl.name}: requests[{i}] carries another policy set")
    return policy_set


def registered_workload(wl: Workload, set_id: str, fields: Collection[str]) -> Workload:
    """The requests of the inline workload `wl`, in the same order, each naming the registered
    policy set `set_id` (`"policy_set": set_id`) instead of carrying its fields."""
    reqs = tuple(
        {**{k: v for k, v in r.items() if k not in fields}, "policy_set": set_id}
        for r in wl.requests
    )
    name = wl.name.removesuffix("-inline") + "-registered"
    return Workload(name, "registered", wl.statements, reqs, labels=wl.labels)


# --- documented examples --------------------------------------------------------------------


def documented_examples(directory: Path | None = None) -> Workload:
    """Workload (a): every documented example's request, as the examples command sends them."""
    examples = load_examples(directory)
    reqs = tuple(copy.deepcopy(e.request) for e in examples)
    return Workload(
        "documented-examples",
        "examples",
        0,
        reqs,
        expected=tuple(e.expect for e in examples),
        labels=tuple(e.id for e in examples),
    )


def managed_policy_documents(data_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """AWS managed policy documents shipped as bundle data, by name and by ARN (for peers)."""
    path = (data_dir or _paths.data_dir()) / "cognito" / "reference" / "managed_policies"
    path = path / "data.json"
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise WorkloadError(f"cannot read managed policies {path.name}: {exc}") from exc
    out: dict[str, dict[str, Any]] = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("document"), Mapping):
            continue
        out[name] = dict(entry["document"])
        if isinstance(entry.get("arn"), str):
            out[entry["arn"]] = dict(entry["document"])
    return out


# --- the action catalog -----------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogAction:
    action: str
    service: str
    name: str
    resource_types: tuple[str, ...]


def load_catalog(data_dir: Path | None = None) -> list[CatalogAction]:
    """Signed Cognito actions of the catalog (bundle data), sorted by name."""
    path = (data_dir or _paths.data_dir()) / "cognito" / "reference" / "catalog" / "data.json"
    try:
        raw = json.loads(path.read_text())["actions"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise WorkloadError(f"cannot read the action catalog {path.name}: {exc}") from exc
    out = []
    for entry in raw.values():
        if not entry.get("signed", True) or entry.get("authorization", "iam") != "iam":
            continue
        types = tuple(
            t["name"] if isinstance(t, Mapping) else str(t) for t in entry.get("resource_types", [])
        )
        out.append(CatalogAction(entry["action"], entry["service"], entry["name"], types))
    return sorted(out, key=lambda a: a.action)


# --- synthetic estates ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pools:
    user_pools: tuple[tuple[str, str], ...]  # (region, id)
    identity_pools: tuple[tuple[str, str], ...]


def _user_pool_id(rng: random.Random, region: str) -> str:
    return f"{region}_" + "".join(rng.choices(string.ascii_letters + string.digits, k=9))


def _identity_pool_id(rng: random.Random, region: str) -> str:
    h = "".join(rng.choices("0123456789abcdef", k=32))
    return f"{region}:{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _identity_id(rng: random.Random, region: str) -> str:
    return _identity_pool_id(rng, region)


def _user_pool_arn(region: str, pool: str) -> str:
    return f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{pool}"


def _identity_pool_arn(service: str, region: str, pool: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:identitypool/{pool}"


class _EstateBuilder:
    """Statements and requests of one estate, from a seeded generator."""

    def __init__(self, statements: int, seed: int, catalog: Sequence[CatalogAction]) -> None:
        self.n = statements
        self.rng = random.Random(f"estate-{statements}-{seed}")
        self.catalog = list(catalog)
        n_pools = max(2, statements // 20)
        self.pools = _Pools(
            tuple((r, _user_pool_id(self.rng, r)) for r in self.rng.choices(REGIONS, k=n_pools)),
            tuple(
                (r, _identity_pool_id(self.rng, r)) for r in self.rng.choices(REGIONS, k=n_pools)
            ),
        )
        self.by_type: dict[tuple[str, str], list[CatalogAction]] = {}
        for a in self.catalog:
            key = (a.service, a.resource_types[0] if a.resource_types else "")
            if len(a.resource_types) <= 1:
                self.by_type.setdefault(key, []).append(a)
        # (service, resource type) pairs that the estate grants on; weights favour user pools.
        self.targets = [
            (("cognito-idp", "userpool"), 6),
            (("cognito-identity", "identitypool"), 2),
            (("cognito-sync", "identitypool"), 1),
            (("cognito-sync", "dataset"), 1),
        ]
        self.targets = [(k, w) for k, w in self.targets if self.by_type.get(k)]
        if not self.targets:
            raise WorkloadError("the action catalog has no Cognito actions with resource types")
        self.grants: list[dict[str, Any]] = []  # what each Allow/Deny statement targets

    # resources ----------------------------------------------------------------------------
    def _resource(self, target: tuple[str, str]) -> tuple[str, str, str]:
        """(ARN pattern for a statement, a concrete ARN it covers, the pool id)."""
        service, rtype = target
        if service == "cognito-idp":
            region, pool = self.rng.choice(self.pools.user_pools)
            arn = _user_pool_arn(region, pool)
            return arn, arn, pool
        region, pool = self.rng.choice(self.pools.identity_pools)
        arn = _identity_pool_arn(service, region, pool)
        if rtype == "dataset":
            dataset = self.rng.choice(("UserProfile", "Settings", "Scores"))
            identity = _identity_id(self.rng, region)
            return (
                f"{arn}/identity/*/dataset/{dataset}",
                f"{arn}/identity/{identity}/dataset/{dataset}",
                pool,
            )
        return arn, arn, pool

    def _pick_target(self) -> tuple[str, str]:
        keys = [k for k, _ in self.targets]
        weights = [w for _, w in self.targets]
        return self.rng.choices(keys, weights=weights, k=1)[0]

    def _actions(self, target: tuple[str, str], k: int) -> list[CatalogAction]:
        pool = self.by_type[target]
        return self.rng.sample(pool, k=min(k, len(pool)))

    def _wildcard(self, target: tuple[str, str]) -> tuple[str, list[CatalogAction]]:
        service = target[0]
        pool = self.by_type[target]
        prefixes = [p for p in ACTION_PREFIXES if any(a.name.startswith(p) for a in pool)]
        if not prefixes or self.rng.random() < 0.15:
            return f"{service}:*", pool
        prefix = self.rng.choice(prefixes)
        return f"{service}:{prefix}*", [a for a in pool if a.name.startswith(prefix)]

    # statements ---------------------------------------------------------------------------
    def statement(self, i: int) -> dict[str, Any]:
        r = self.rng.random()
        target = self._pick_target()
        pattern, concrete, _ = self._resource(target)
        sid = f"S{i}"
        if r < 0.50:  # literal actions on one pool
            acts = self._actions(target, self.rng.randint(1, 3))
            stmt: dict[str, Any] = {
                "Sid": sid,
                "Effect": "Allow",
                "Action": [a.action for a in acts],
                "Resource": pattern,
            }
            self.grants.append({"effect": "Allow", "actions": acts, "resource": concrete})
            return stmt
        if r < 0.70:  # wildcard actions, on one pool or on every pool of a region
            action, covered = self._wildcard(target)
            resource = pattern
            if target == ("cognito-idp", "userpool") and self.rng.random() < 0.3:
                resource = pattern.rsplit("/", 1)[0] + "/*"
            stmt = {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}
            self.grants.append({"effect": "Allow", "actions": covered, "resource": concrete})
            return stmt
        if r < 0.80:  # explicit denies
            if self.rng.random() < 0.5:
                action, covered = self._wildcard(target)
                action_value: Any = action
            else:
                covered = self._actions(target, 2)
                action_value = [a.action for a in covered]
            stmt = {"Sid": sid, "Effect": "Deny", "Action": action_value, "Resource": pattern}
            self.grants.append({"effect": "Deny", "actions": covered, "resource": concrete})
            return stmt
        if r < 0.92:  # conditions on global keys and resource tags
            acts = self._actions(target, self.rng.randint(1, 2))
            condition = self._condition(target)
            stmt = {
                "Sid": sid,
                "Effect": "Allow",
                "Action": [a.action for a in acts],
                "Resource": pattern,
                "Condition": condition,
            }
            self.grants.append({"effect": "Allow", "actions": acts, "resource": concrete})
            return stmt
        return self._variable_statement(sid)

    def _condition(self, target: tuple[str, str]) -> dict[str, Any]:
        choices = ["team", "ip", "mfa", "region"]
        if target[0] != "cognito-sync":
            choices.append("tag")
        kind = self.rng.choice(choices)
        if kind == "team":
            return {"StringEquals": {"aws:PrincipalTag/team": self.rng.sample(TEAMS, k=2)}}
        if kind == "ip":
            return {"IpAddress": {"aws:SourceIp": f"10.{self.rng.randint(0, 3)}.0.0/16"}}
        if kind == "mfa":
            return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        if kind == "region":
            return {"StringLike": {"aws:RequestedRegion": "eu-*"}}
        return {"StringEquals": {"aws:ResourceTag/env": "prod"}}

    def _variable_statement(self, sid: str) -> dict[str, Any]:
        if self.rng.random() < 0.6 or not self.by_type.get(("cognito-sync", "dataset")):
            region = self.rng.choice(REGIONS)
            acts = self._actions(("cognito-idp", "userpool"), 2)
            resource = f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/${{aws:PrincipalTag/pool}}"
            self.grants.append({"effect": "Allow", "actions": acts, "variable": "pool"})
        else:
            region, pool = self.rng.choice(self.pools.identity_pools)
            acts = self._actions(("cognito-sync", "dataset"), 2)
            base = _identity_pool_arn("cognito-sync", region, pool)
            resource = f"{base}/identity/${{cognito-identity.amazonaws.com:sub}}/*"
            self.grants.append({"effect": "Allow", "actions": acts, "variable": "sub"})
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Action": [a.action for a in acts],
            "Resource": resource,
        }

    # requests -----------------------------------------------------------------------------
    def _context(self, resource: str) -> dict[str, Any]:
        region = resource.split(":")[3] if resource.startswith("arn:") else "us-east-1"
        ctx: dict[str, Any] = {
            "aws:PrincipalTag/team": self.rng.choice(TEAMS),
            "aws:SourceIp": f"10.{self.rng.randint(0, 5)}.{self.rng.randint(0, 255)}.7",
            "aws:MultiFactorAuthPresent": self.rng.choice(("true", "false")),
            "aws:RequestedRegion": region,
        }
        if resource.startswith(("arn:aws:cognito-idp", "arn:aws:cognito-identity")):
            ctx["aws:ResourceTag/env"] = self.rng.choice(("prod", "dev"))
        return ctx

    def _variable_request(self, grant: Mapping[str, Any]) -> dict[str, Any]:
        act = self.rng.choice(grant["actions"])
        if grant["variable"] == "pool":
            region, pool = self.rng.choice(self.pools.user_pools)
            resource = _user_pool_arn(region, pool)
            ctx = self._context(resource)
            own = self.rng.random() < 0.7
            ctx["aws:PrincipalTag/pool"] = (
                pool if own else self.rng.choice(self.pools.user_pools)[1]
            )
            return {"action": act.action, "resource": resource, "context": ctx}
        region, pool = self.rng.choice(self.pools.identity_pools)
        identity = _identity_id(self.rng, region)
        base = _identity_pool_arn("cognito-sync", region, pool)
        resource = f"{base}/identity/{identity}/dataset/UserProfile"
        ctx = self._context(resource)
        own = self.rng.random() < 0.7
        ctx["cognito-identity.amazonaws.com:sub"] = (
            identity if own else _identity_id(self.rng, region)
        )
        return {"action": act.action, "resource": resource, "context": ctx}

    def request(self) -> dict[str, Any]:
        r = self.rng.random()
        if r < 0.55 and self.grants:  # aimed at a statement (allow, deny or conditional)
            grant = self.rng.choice(self.grants)
            if "variable" in grant:
                return self._variable_request(grant)
            act = self.rng.choice(grant["actions"])
            return {
                "action": act.action,
                "resource": grant["resource"],
                "context": self._context(grant["resource"]),
            }
        if r < 0.85:  # any action on any pool: mostly not granted
            target = self._pick_target()
            _, concrete, _ = self._resource(target)
            act = self.rng.choice(self.by_type[target])
            return {"action": act.action, "resource": concrete, "context": self._context(concrete)}
        unscoped = [a for a in self.catalog if not a.resource_types]
        act = self.rng.choice(unscoped or self.catalog)
        return {"action": act.action, "resource": "*", "context": self._context("*")}


def synthetic_estate(
    statements: int,
    *,
    requests: int = 200,
    seed: int = 0,
    catalog: Sequence[CatalogAction] | None = None,
) -> Estate:
    """An estate of `statements` statements (policies of ten) and `requests` requests for it.

    Shares: about half literal actions on one pool, a fifth wildcard actions (`Admin*`, `*`, on a
    pool or on every user pool of a region), a tenth explicit denies, an eighth conditions (team
    tag, source IP, MFA, region, resource tag) and the rest policy variables
    (`${aws:PrincipalTag/pool}` in a user pool ARN, `${cognito-identity.amazonaws.com:sub}` in a
    Cognito Sync dataset ARN). Requests aim at a statement, at any pool, or at an action without
    resource types.
    """
    if statements < 1 or requests < 1:
        raise WorkloadError("an estate needs at least one statement and one request")
    builder = _EstateBuilder(statements, seed, catalog if catalog is not None else load_catalog())
    stmts = [builder.statement(i) for i in range(statements)]
    policies = []
    for k in range(0, statements, STATEMENTS_PER_POLICY):
        name = f"estate-{statements}-{k // STATEMENTS_PER_POLICY:04d}"
        doc = {"Version": "2012-10-17", "Statement": stmts[k : k + STATEMENTS_PER_POLICY]}
        policies.append((name, doc))
    reqs = tuple(builder.request() for _ in range(requests))
    principal = f"arn:aws:iam::{ACCOUNT}:role/bench-estate-{statements}"
    return Estate(statements, tuple(policies), reqs, principal)


def statement_count(policies: Sequence[Mapping[str, Any]]) -> int:
    """How many statements the documents hold."""
    total = 0
    for doc in policies:
        stmts = doc.get("Statement", [])
        total += len(stmts) if isinstance(stmts, list) else 1
    return total
