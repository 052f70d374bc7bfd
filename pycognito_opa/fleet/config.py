"""A fleet of OPA sidecars pulling one signed bundle: the OPA configuration each sidecar needs,
and which revision each sidecar serves.

The configuration uses only OPA's own options (services, bundles, keys, persistence, status,
decision logs), so a sidecar is a plain `opa run --server -c FILE`. One key is ours:
`pycognito_opa.token_sha256`, read by the bundle's system.authz policy through
`opa.runtime().config` (OPA warns once at start that it does not know the option).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import yaml

from .._process import opa_limits
from ..bundle import DEFAULT_KEY_ID, DEFAULT_SIGNING_ALG, check_signing_alg
from ..errors import InputFileError, OpaQueryError
from .registry import is_oci_url, parse_oci_url

DEFAULT_BUNDLE_NAME = "pycognito"
BUNDLE_SERVICE = "bundles"
TELEMETRY_SERVICE = "telemetry"
TOKEN_CONFIG_KEY = "pycognito_opa"
MIN_TOKEN_LENGTH = 16
PROVENANCE_PATH = "/v1/data/cognito/authz/decisions"


@dataclass(frozen=True)
class FleetConfig:
    """What one sidecar needs to know to pull, verify, keep and report on its bundle."""

    bundle_url: str
    bundle_name: str = DEFAULT_BUNDLE_NAME
    min_delay_seconds: int = 10
    max_delay_seconds: int = 20
    long_polling_timeout_seconds: int | None = None
    persist: bool = True
    persistence_directory: str | None = None
    verification_key: str | None = None  # PEM text of the public key
    key_id: str = DEFAULT_KEY_ID
    signing_alg: str = DEFAULT_SIGNING_ALG
    status: str | None = None  # None (off), "console" or a service URL
    decision_logs: str | None = None  # None (off), "console" or a service URL
    token_sha256: str | None = None
    plain_http: bool = False  # an oci:// registry on loopback, reached over plain http


def split_bundle_url(url: str) -> tuple[str, str]:
    """The service URL and the bundle resource of a bundle's URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputFileError(
            url,
            "a bundle URL is http(s)://HOST:PORT/PATH/NAME.tar.gz (a bundle server) or "
            "oci://HOST[:PORT]/REPOSITORY:TAG (a registry)",
        )
    resource = parts.path.lstrip("/")
    if not resource:
        raise InputFileError(url, "the bundle URL has no path: add the bundle's resource path")
    if parts.query:
        resource += "?" + parts.query
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), resource


def _check_service_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputFileError(url, "expected 'console' or an http(s):// service URL")
    return url.rstrip("/")


def read_token(path: str | os.PathLike[str]) -> str:
    """The bearer token in a token file (surrounding whitespace ignored)."""
    p = Path(path)
    try:
        token = p.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise InputFileError(
            p, "token file not found (create one: openssl rand -hex 32 > F)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(p, f"cannot read the token file: {exc}") from exc
    if len(token) < MIN_TOKEN_LENGTH or any(c.isspace() for c in token):
        raise InputFileError(
            p,
            f"a token is one word of at least {MIN_TOKEN_LENGTH} characters "
            "(create one: openssl rand -hex 32 > F)",
        )
    return token


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _telemetry(target: str, services: dict[str, Any], bundle_service_url: str) -> dict[str, Any]:
    if target == "console":
        return {"console": True}
    url = _check_service_url(target)
    if url == bundle_service_url:
        return {"service": BUNDLE_SERVICE}
    services[TELEMETRY_SERVICE] = {"url": url}
    return {"service": TELEMETRY_SERVICE}


def opa_config(c: FleetConfig) -> dict[str, Any]:
    """The OPA configuration (as a dict) for one sidecar of the fleet."""
    if not 0 < c.min_delay_seconds <= c.max_delay_seconds:
        raise InputFileError(
            "polling", "need 0 < min delay <= max delay (whole seconds, as OPA takes them)"
        )
    check_signing_alg(c.signing_alg)
    service: dict[str, Any]
    if is_oci_url(c.bundle_url):
        # OPA pulls from the registry itself (services.NAME.type: oci) and keeps the pulled
        # layers in persistence_directory/oci; its OCI downloader does not long-poll.
        ref = parse_oci_url(c.bundle_url, plain_http=c.plain_http)
        service_url, resource = ref.service_url, ref.resource
        service = {"url": service_url, "type": "oci"}
    else:
        if c.plain_http:
            raise InputFileError(c.bundle_url, "--plain-http is for oci:// registry references")
        service_url, resource = split_bundle_url(c.bundle_url)
        service = {"url": service_url}
    polling: dict[str, Any] = {
        "min_delay_seconds": c.min_delay_seconds,
        "max_delay_seconds": c.max_delay_seconds,
    }
    if c.long_polling_timeout_seconds and "type" not in service:
        polling["long_polling_timeout_seconds"] = c.long_polling_timeout_seconds
    bundle: dict[str, Any] = {
        "service": BUNDLE_SERVICE,
        "resource": resource,
        "persist": c.persist,
        "polling": polling,
    }
    config: dict[str, Any] = {
        "services": {BUNDLE_SERVICE: service},
        "bundles": {c.bundle_name: bundle},
        # Request body limits (plain and gzip-inflated) and the bounded regex cache: the same
        # limits as every OPA the project starts (_process.opa_limits).
        **opa_limits(),
    }
    if c.verification_key is not None:
        config["keys"] = {c.key_id: {"key": c.verification_key, "algorithm": c.signing_alg}}
        bundle["signing"] = {"keyid": c.key_id}
    if c.persist and c.persistence_directory:
        config["persistence_directory"] = c.persistence_directory
    # A registry is no status or decision-log service: those go to a service of their own.
    telemetry_base = "" if "type" in service else service_url
    if c.status:
        config["status"] = _telemetry(c.status, config["services"], telemetry_base)
    if c.decision_logs:
        config["decision_logs"] = _telemetry(c.decision_logs, config["services"], telemetry_base)
    if c.token_sha256:
        config[TOKEN_CONFIG_KEY] = {"token_sha256": c.token_sha256}
    return config


class _ConfigDumper(yaml.SafeDumper):
    """YAML with multi-line strings (PEM keys) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ConfigDumper.add_representer(str, _str)


def render_config(config: Mapping[str, Any]) -> str:
    """The configuration as YAML, sections in the order given."""
    return yaml.dump(dict(config), Dumper=_ConfigDumper, sort_keys=False, default_flow_style=False)


def write_config(config: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write an OPA configuration file atomically (a sidecar never reads half of it)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(render_config(config))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def sidecar_command(
    config_file: str | os.PathLike[str], *, addr: str = "127.0.0.1:8181", token: bool = False
) -> list[str]:
    """The hardened `opa run` command line for a sidecar with this configuration file."""
    cmd = ["opa", "run", "--server", "--addr", addr, "--authorization=basic"]
    if token:
        cmd.append("--authentication=token")
    return [*cmd, "--config-file", str(config_file)]


@dataclass(frozen=True)
class SidecarStatus:
    """What one sidecar reported: health, and the revision of each bundle it serves."""

    url: str
    reachable: bool
    healthy: bool
    revisions: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    unauthorized: bool = False  # it refused the query (401): a token missing or wrong

    @property
    def revision(self) -> str | None:
        """The revision it serves (None when it serves no bundle, or several)."""
        values = set(self.revisions.values())
        return values.pop() if len(values) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "reachable": self.reachable,
            "healthy": self.healthy,
            "revision": self.revision,
            "revisions": dict(self.revisions),
            "error": self.error,
            "unauthorized": self.unauthorized,
        }


def sidecar_status(url: str, *, token: str | None = None, timeout: float = 5.0) -> SidecarStatus:
    """Health (GET /health?bundles) and bundle revisions (an empty batch of decisions asked
    with ?provenance, so it works through a hardened sidecar's system.authz)."""
    base = url.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with requests.Session() as session:
        try:
            health = session.get(f"{base}/health", params={"bundles": ""}, timeout=timeout)
            resp = session.post(
                f"{base}{PROVENANCE_PATH}",
                params={"provenance": "true"},
                json={"input": {"requests": []}},
                headers=headers,
                timeout=timeout,
            )
        except requests.RequestException as exc:
            return SidecarStatus(base, False, False, error=f"cannot reach OPA: {exc}")
    healthy = health.status_code == 200
    try:
        payload = resp.json()
    except ValueError:
        payload = {}
    if resp.status_code != 200:
        message = payload.get("message") if isinstance(payload, dict) else None
        return SidecarStatus(
            base,
            True,
            healthy,
            error=f"OPA answered {resp.status_code}: {message or resp.text}",
            unauthorized=resp.status_code == 401,
        )
    bundles = (payload.get("provenance") or {}).get("bundles") or {}
    revisions = {
        name: str(info.get("revision", ""))
        for name, info in bundles.items()
        if isinstance(info, Mapping)
    }
    return SidecarStatus(base, True, healthy, revisions)


def fleet_status(
    urls: Sequence[str], *, token: str | None = None, timeout: float = 5.0
) -> list[SidecarStatus]:
    """The status of every sidecar, asked concurrently, in the order given."""
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(16, len(urls))) as pool:
        return list(pool.map(lambda u: sidecar_status(u, token=token, timeout=timeout), urls))


def wait_for_revision(
    urls: Sequence[str],
    revision: str,
    *,
    token: str | None = None,
    timeout: float = 30.0,
    interval: float = 0.2,
) -> list[SidecarStatus]:
    """Poll until every sidecar serves `revision` (or one refuses the token); OpaQueryError
    naming the stragglers."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = fleet_status(urls, token=token, timeout=min(5.0, timeout))
        if all(s.revision == revision for s in statuses) or any(s.unauthorized for s in statuses):
            return statuses  # (a sidecar that refuses the token will not change its mind)
        if time.monotonic() >= deadline:
            late = ", ".join(
                f"{s.url} ({s.revision or s.error or 'no bundle'})"
                for s in statuses
                if s.revision != revision
            )
            raise OpaQueryError(f"not serving revision {revision} after {timeout:.0f}s: {late}")
        time.sleep(interval)
