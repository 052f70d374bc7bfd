"""A user's own IAM policies and principals, loaded and checked before they go into a bundle.

A policies folder holds one IAM policy document per file (`NAME.json`, `NAME.yaml` or
`NAME.yml`; the policy's name is the file stem) and a principals file (`principals.yaml`,
`principals.yml` or `principals.json`, or one given explicitly) that maps principal ARNs to
the names of their policies, AWS managed policies and permissions boundary:

    arn:aws:iam::111122223333:role/Admins:
      policies: [pool-admin]
      managed_policies: [AmazonCognitoReadOnly]
      permissions_boundary: cognito-only

Every problem is reported as an `InputFileError` naming the file and the reason. The checks are
structural only (is it a policy document at all, do the names resolve); what a policy means
is decided by the Rego modules, never here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputFileError

PRINCIPALS_FILE_NAMES = ("principals.yaml", "principals.yml", "principals.json")
POLICY_SUFFIXES = (".json", ".yaml", ".yml")
PRINCIPAL_KEYS = ("policies", "managed_policies", "permissions_boundary")
POLICY_KEYS = ("Version", "Id", "Statement")
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
MANAGED_POLICIES_DATA = Path("cognito") / "reference" / "managed_policies" / "data.json"
CATALOG_DATA = Path("cognito") / "reference" / "catalog" / "data.json"
STORE_PATH = "cognito/store"
INDEX_KEY = "index"
INDEX_FORMAT = 1  # the index layout the Rego modules read (cognito.principal.stored_statements)


@dataclass(frozen=True)
class Principal:
    """One principal of the principals file, with the names it refers to."""

    arn: str
    policies: tuple[str, ...] = ()
    managed_policies: tuple[str, ...] = ()
    permissions_boundary: str | None = None


@dataclass(frozen=True)
class Estate:
    """A checked policies folder: policy documents by name, and the principals using them."""

    source: Path
    policies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    principals: tuple[Principal, ...] = ()

    def store(self) -> dict[str, Any]:
        """The bundle data at data.cognito.store: each principal with its documents inlined."""
        principals: dict[str, Any] = {}
        for p in self.principals:
            entry: dict[str, Any] = {
                "policies": {name: self.policies[name] for name in p.policies},
                "managed_policies": list(p.managed_policies),
            }
            if p.permissions_boundary is not None:
                entry["permissions_boundary"] = self.policies[p.permissions_boundary]
            principals[p.arn] = entry
        return {"principals": principals}


def managed_policy_names(data_dir: Path) -> dict[str, str]:
    """Every accepted spelling (name or ARN) of the AWS managed policies in the bundle data,
    mapped to the policy's name. Empty when the bundle data has no managed policies."""
    source = data_dir / MANAGED_POLICIES_DATA
    if not source.is_file():
        return {}
    try:
        policies = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(source, f"cannot read the AWS managed policies: {exc}") from exc
    names: dict[str, str] = {}
    if isinstance(policies, Mapping):
        for name, entry in policies.items():
            names[name] = name
            if isinstance(entry, Mapping) and isinstance(entry.get("arn"), str):
                names[entry["arn"]] = name
    return names


def _plain(value: Any, where: str, path: Path) -> Any:
    """YAML values as JSON values: dates become ISO text (YAML reads 2012-10-17 as a date)."""
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputFileError(path, f"{where}: key {key!r} is not text (quote it)")
            out[key] = _plain(item, f"{where}.{key}", path)
        return out
    if isinstance(value, list):
        return [_plain(item, f"{where}[{i}]", path) for i, item in enumerate(value)]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise InputFileError(path, f"{where}: {type(value).__name__} is not a JSON value")


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                path, f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from exc
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputFileError(path, f"not YAML: {problem}{where}") from exc
    return _plain(value, "document", path)


def _strings(value: Any) -> tuple[str, ...] | None:
    """A string or a list of strings as a tuple; None when it is neither."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def check_policy(document: Any, path: Path) -> Mapping[str, Any]:
    """A document that has the shape of an identity-based IAM policy, or an InputFileError."""
    if not isinstance(document, Mapping):
        kind = "empty" if document is None else f"a {type(document).__name__}"
        raise InputFileError(path, f"an IAM policy must be an object with Statement, got {kind}")
    unknown = sorted(set(document) - set(POLICY_KEYS))
    if unknown:
        raise InputFileError(
            path, f"unknown policy element {unknown[0]!r} (allowed: {', '.join(POLICY_KEYS)})"
        )
    version = document.get("Version")
    if version is not None and version not in POLICY_VERSIONS:
        allowed = ", ".join(POLICY_VERSIONS)
        raise InputFileError(path, f"Version {version!r} is not one of {allowed}")
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise InputFileError(path, "Statement must be an object or a non-empty list of objects")
    for i, st in enumerate(statements):
        label = f"Statement[{i}]"
        if not isinstance(st, Mapping):
            raise InputFileError(path, f"{label} is not an object")
        if isinstance(st.get("Sid"), str):
            label += f" (Sid {st['Sid']})"
        if st.get("Effect") not in ("Allow", "Deny"):
            raise InputFileError(path, f"{label}: Effect must be Allow or Deny")
        if "Principal" in st or "NotPrincipal" in st:
            raise InputFileError(path, f"{label}: an identity-based policy cannot name a Principal")
        for one, other in (("Action", "NotAction"), ("Resource", "NotResource")):
            present = [k for k in (one, other) if k in st]
            if len(present) != 1:
                raise InputFileError(path, f"{label}: needs exactly one of {one} or {other}")
            if _strings(st[present[0]]) is None:
                raise InputFileError(path, f"{label}: {present[0]} must be a string or strings")
    return document


def _policy_files(directory: Path, principals_file: Path | None) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix not in POLICY_SUFFIXES or path.name.startswith("."):
            continue
        if path.name in PRINCIPALS_FILE_NAMES or (
            principals_file is not None and path.resolve() == principals_file.resolve()
        ):
            continue
        if path.stem in files:
            raise InputFileError(
                path, f"policy name {path.stem!r} is also used by {files[path.stem].name}"
            )
        files[path.stem] = path
    return files


def _find_principals_file(directory: Path) -> Path | None:
    found = [directory / n for n in PRINCIPALS_FILE_NAMES if (directory / n).is_file()]
    if len(found) > 1:
        raise InputFileError(found[1], f"more than one principals file (also {found[0].name})")
    return found[0] if found else None


def _principal(
    arn: Any,
    spec: Any,
    path: Path,
    policies: Mapping[str, Any],
    managed: Mapping[str, str],
) -> Principal:
    if not isinstance(arn, str) or not arn.startswith("arn:") or len(arn.split(":", 5)) < 6:
        raise InputFileError(
            path, f"{arn!r} is not a principal ARN (arn:aws:iam::ACCOUNT:role/NAME)"
        )
    if arn.split(":")[2] not in ("iam", "sts"):
        raise InputFileError(path, f"{arn}: a principal is an IAM or STS ARN")
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise InputFileError(path, f"{arn}: expected an object with {', '.join(PRINCIPAL_KEYS)}")
    unknown = sorted(set(spec) - set(PRINCIPAL_KEYS))
    if unknown:
        raise InputFileError(
            path, f"{arn}: unknown key {unknown[0]!r} (allowed: {', '.join(PRINCIPAL_KEYS)})"
        )
    known = ", ".join(sorted(policies)) or "none"
    names = _strings(spec.get("policies", []))
    if names is None:
        raise InputFileError(path, f"{arn}: policies must be a policy name or a list of them")
    for name in names:
        if name not in policies:
            raise InputFileError(
                path, f"{arn}: policy {name!r} is not in the policies folder (policies: {known})"
            )
    managed_names = _strings(spec.get("managed_policies", []))
    if managed_names is None:
        raise InputFileError(path, f"{arn}: managed_policies must be a name or a list of names")
    for name in managed_names:
        if name not in managed:
            available = sorted(n for n in managed if not n.startswith("arn:"))
            raise InputFileError(
                path,
                f"{arn}: {name!r} is not an AWS managed policy this bundle ships "
                f"(available: {', '.join(available) or 'none'})",
            )
    boundary = spec.get("permissions_boundary")
    if boundary is not None:
        if not isinstance(boundary, str):
            raise InputFileError(path, f"{arn}: permissions_boundary must be one policy name")
        if boundary not in policies:
            raise InputFileError(
                path,
                f"{arn}: permissions boundary {boundary!r} is not in the policies folder "
                f"(policies: {known})",
            )
    return Principal(arn, tuple(names), tuple(managed_names), boundary)


def load_estate(
    policies_dir: str | os.PathLike[str],
    *,
    principals_file: str | os.PathLike[str] | None = None,
    managed_policies: Mapping[str, str] | None = None,
) -> Estate:
    """Load and check a policies folder and its principals file.

    `managed_policies` maps accepted managed policy names and ARNs to names (see
    `managed_policy_names`); principals may only refer to those.
    """
    directory = Path(policies_dir)
    if not directory.is_dir():
        raise InputFileError(directory, "not a folder of IAM policy files")
    explicit = Path(principals_file) if principals_file else None
    if explicit is not None and not explicit.is_file():
        raise InputFileError(explicit, "principals file not found")
    files = _policy_files(directory, explicit)
    policies = {name: check_policy(_parse(path), path) for name, path in files.items()}
    source = explicit or _find_principals_file(directory)
    principals: list[Principal] = []
    if source is not None:
        raw = _parse(source)
        if isinstance(raw, Mapping) and set(raw) == {"principals"}:
            raw = raw["principals"]
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise InputFileError(source, "expected a mapping of principal ARNs to their policies")
        managed = managed_policies or {}
        principals = [_principal(arn, spec, source, policies, managed) for arn, spec in raw.items()]
    return Estate(source=directory, policies=policies, principals=tuple(principals))


# --- the statement index ------------------------------------------------------------------------
#
# A decision for a principal with stored policies needs only the statements whose Action can name
# the requested action. The index lists them per lower-cased action, so that OPA matches a handful
# of candidate statements instead of all of them; the Rego modules still match every candidate in
# full (cognito.statement.applies), so the index only ever leaves out statements that cannot apply.
# Statements it cannot classify with certainty are candidates for every action ("scan").


def catalog_actions(data_dir: Path) -> tuple[str, ...]:
    """The lower-cased names of the catalogued actions in the bundle data (empty when absent)."""
    source = data_dir / CATALOG_DATA
    if not source.is_file():
        return ()
    try:
        catalog = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(source, f"cannot read the action catalog: {exc}") from exc
    actions = catalog.get("actions") if isinstance(catalog, Mapping) else None
    if not isinstance(actions, Mapping):
        return ()
    return tuple(sorted({k.lower() for k in actions if isinstance(k, str) and k.isascii()}))


def _statement_list(doc: Any) -> list[Any]:
    """The statements of a stored policy as cognito.policy.statement_list reads them."""
    if not isinstance(doc, Mapping) or "Statement" not in doc:
        return []
    statements = doc["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    """An ASCII IAM action pattern as a regular expression: * any run, ? one character."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern.lower())
    return re.compile("".join(parts), re.DOTALL)


def _strings_or_none(value: Any) -> list[str] | None:
    """A string or a list of strings as a list (text that is valid Unicode); None otherwise."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        return None
    try:
        for v in items:
            v.encode("utf-8")  # lone surrogates would read differently in OPA
    except UnicodeEncodeError:
        return None
    return items


def _action_patterns(statement: Mapping[str, Any]) -> list[str] | None:
    """The Action patterns of a statement when the index can rely on them, else None.

    Only an Action that is an ASCII string or a list of ASCII strings qualifies: NotAction,
    a missing or malformed Action and non-ASCII text (whose case folding OPA and Python might
    see differently) make the statement a candidate for every action.
    """
    if "Action" not in statement:
        return None
    patterns = _strings_or_none(statement["Action"])
    if patterns is None or not all(p.isascii() for p in patterns):
        return None
    return patterns


def _resource_keys(statement: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Where a statement's Resource can match: (exact resources, prefix buckets).

    A pattern without * ? or $ matches only itself (case-sensitive). Any other pattern can only
    match a resource that starts with its text before the first of them (the literal prefix):
    its bucket is that prefix cut after its last ":" or "/" (possibly ""). A resource looks up
    every prefix of itself that ends with ":" or "/", and "". NotResource, a missing Resource
    or a malformed one put the statement in the bucket "" (a candidate for every resource).
    """
    patterns = _strings_or_none(statement["Resource"]) if "Resource" in statement else None
    if patterns is None:
        return set(), {""}
    exact: set[str] = set()
    buckets: set[str] = set()
    for p in patterns:
        cut = min((i for i in (p.find("*"), p.find("?"), p.find("$")) if i >= 0), default=-1)
        if cut < 0:
            exact.add(p)
        else:
            literal = p[:cut]
            buckets.add(literal[: max(literal.rfind(":"), literal.rfind("/")) + 1])
    return exact, buckets


def principal_index(entry: Any, expanded: Iterable[str]) -> dict[str, Any]:
    """The index of one stored principal's policies (not its managed policies or boundary).

    Statements are named by [policy name, statement index]; every list holds them in the order a
    full scan visits them (policy names in OPA's byte order, then statements in order).
    `actions` maps a lower-cased action name to the statements whose Action names it literally,
    and, for the `expanded` actions (the catalog), also those whose wildcard patterns match it;
    under each action they are grouped by resource as {"exact": {resource: statements},
    "prefix": {bucket: statements}} (see _resource_keys). `wildcard` lists the statements with
    wildcard action patterns, candidates for any action outside `expanded`; `scan` those whose
    Action the index cannot read, candidates for every action. (The lists name statements
    directly, not positions in one long list: OPA would convert such a list as a whole.)
    """
    universe = sorted(set(expanded))
    policies = entry.get("policies") if isinstance(entry, Mapping) else None
    if not isinstance(policies, Mapping):
        policies = {}
    refs: list[list[Any]] = []
    actions: dict[str, dict[str, dict[str, set[int]]]] = {}
    wildcard: list[int] = []
    scan: list[int] = []

    def add(action: str, ref: int, exact: set[str], buckets: set[str]) -> None:
        groups = actions.setdefault(action, {"exact": {}, "prefix": {}})
        for resource in exact:
            groups["exact"].setdefault(resource, set()).add(ref)
        for bucket in buckets:
            groups["prefix"].setdefault(bucket, set()).add(ref)

    for name in sorted(policies, key=lambda n: n.encode("utf-8", "surrogatepass")):
        for i, statement in enumerate(_statement_list(policies[name])):
            if not isinstance(statement, Mapping):
                continue  # never applies (cognito.statement.applies needs an object)
            ref = len(refs)
            refs.append([name, i])
            patterns = _action_patterns(statement)
            if patterns is None:
                scan.append(ref)
                continue
            exact, buckets = _resource_keys(statement)
            if any("*" in p or "?" in p for p in patterns):
                wildcard.append(ref)
                regexes = [_wildcard_regex(p) for p in patterns]
                for action in universe:
                    if any(rx.fullmatch(action) for rx in regexes):
                        add(action, ref, exact, buckets)
            else:
                for p in patterns:
                    add(p.lower(), ref, exact, buckets)

    def named(ids: Iterable[int]) -> list[list[Any]]:
        return [refs[i] for i in sorted(ids)]

    def listed(groups: dict[str, set[int]]) -> dict[str, list[list[Any]]]:
        return {k: named(v) for k, v in sorted(groups.items())}

    return {
        "actions": {
            action: {"exact": listed(groups["exact"]), "prefix": listed(groups["prefix"])}
            for action, groups in sorted(actions.items())
        },
        "wildcard": named(wildcard),
        "scan": named(scan),
    }


def with_index(store: Any, expanded: Iterable[str]) -> Any:
    """The data at data.cognito.store with its statement index (`index`) built from
    `principals`: {"format": 1, "expanded": {action: true}, "principals": {key: principal_index}}.
    Any index already there is replaced; a store without principals is returned as is."""
    if not isinstance(store, Mapping) or not isinstance(store.get("principals"), Mapping):
        return store
    universe = sorted(set(expanded))
    index = {
        "format": INDEX_FORMAT,
        "expanded": {name: True for name in universe},
        "principals": {
            key: principal_index(entry, universe) for key, entry in store["principals"].items()
        },
    }
    return {**store, INDEX_KEY: index}
