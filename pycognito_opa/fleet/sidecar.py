"""A hardened OPA sidecar: decision queries and health checks only, an authentic bundle only.

OPA runs with `--authorization=basic`, so every HTTP request is first decided by the bundle's
`system.authz` policy (rego/system/authz/authz.rego): decision queries and `GET /health` pass,
everything else (policy and data writes, other reads, ad-hoc queries, metrics) gets 401.
With a token file, OPA also runs with `--authentication=token` and decision queries need
that bearer token. It listens on loopback unless told otherwise. With a verification key,
OPA refuses an unsigned or tampered bundle, and its reason is passed on to the user.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .._process import OpaProcess
from ..bundle import (
    DEFAULT_KEY_ID,
    DEFAULT_SIGNING_ALG,
    check_signing_alg,
    check_verification_key,
    inspect_bundle,
)
from ..errors import (
    BundleError,
    BundleRejectedError,
    InputFileError,
    OpaStartError,
    SidecarError,
)
from .config import FleetConfig, opa_config, read_token, token_sha256, write_config

DEFAULT_ADDR = "127.0.0.1:8181"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
LOG_LEVELS = ("debug", "info", "error")

# OPA's reason -> what the user can do about it.
_SIGNATURE_NEEDLES = (
    "verification key not provided",
    "missing .signatures.json",
    "digest mismatch",
    "failed to verify JWT signature",
    "signature",
)
_HINTS = (
    (
        "verification key not provided",
        "the bundle is signed: give its public key with --verification-key",
    ),
    (
        "missing .signatures.json",
        "the bundle is not signed: build it with "
        "pycognito-opa bundle build --signing-key PRIVATE.pem",
    ),
    ("digest mismatch", "the bundle was changed after it was signed: rebuild and re-sign it"),
    (
        "failed to verify JWT signature",
        "the bundle was signed with another key, or its "
        "signature was changed: check --verification-key",
    ),
    ("key id", "the key id of --verification-key-id is not the one configured"),
    ("address already in use", "another process listens on that address: choose another --addr"),
)


@dataclass(frozen=True)
class ServeOptions:
    """How to run one hardened sidecar: a local bundle file or a bundle URL."""

    bundle: Path | None = None
    bundle_url: str | None = None  # a bundle server's http(s) URL or oci://HOST/REPO:TAG
    plain_http: bool = False  # an oci:// registry on loopback, over plain http
    addr: str = DEFAULT_ADDR
    verification_key: Path | None = None
    key_id: str = DEFAULT_KEY_ID
    signing_alg: str = DEFAULT_SIGNING_ALG
    token_file: Path | None = None
    persist: bool = True
    persist_dir: Path | None = None
    min_delay_seconds: int = 10
    max_delay_seconds: int = 20
    long_polling_timeout_seconds: int | None = 30
    status: str | None = None
    decision_logs: str | None = None
    log_level: str = "error"
    startup_timeout: float = 30.0
    opa: Path | None = None


def parse_addr(addr: str) -> tuple[str, int | None]:
    """HOST:PORT as (host, port); port 0 means "any free port" (None)."""
    host, sep, port = addr.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise InputFileError(
            addr,
            "an address is HOST:PORT, such as 127.0.0.1:8181 (loopback only) or "
            "0.0.0.0:8181 (every interface)",
        )
    return host, int(port) or None


def opa_reasons(output: str) -> str:
    """OPA's error messages in its output (JSON log lines or plain text), on one line."""
    reasons: list[str] = []
    for raw in output.splitlines():
        line = raw.strip()
        for prefix in ("OPA exited while starting: ", "error: "):
            line = line.removeprefix(prefix)
        brace = line.find("{")
        if brace >= 0:
            try:
                entry = json.loads(line[brace:])
            except ValueError:
                entry = None
            if isinstance(entry, dict):
                if entry.get("level") == "error":
                    msg = str(entry.get("msg", ""))
                    reasons.append(f"{entry['name']}: {msg}" if entry.get("name") else msg)
                continue
        if line and not line.startswith("OPA did not become healthy"):
            reasons.append(line)
    unique = list(dict.fromkeys(reasons))
    return " | ".join(unique[-5:])


def _hint(reason: str) -> str:
    hints = [h for needle, h in _HINTS if needle in reason]
    return f" ({'; '.join(hints)})" if hints else ""


class HardenedSidecar:
    """One hardened OPA sidecar process; a context manager that always stops OPA."""

    def __init__(self, options: ServeOptions, *, cancel: threading.Event | None = None) -> None:
        if (options.bundle is None) == (options.bundle_url is None):
            raise InputFileError("serve", "give either a bundle file or a bundle URL")
        if options.log_level not in LOG_LEVELS:
            raise InputFileError(options.log_level, f"log level is one of {LOG_LEVELS}")
        self.options = options
        # Set to give up waiting for the first bundle (serve sets it on SIGTERM).
        self.cancel = cancel
        self.host, self.port = parse_addr(options.addr)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._process: OpaProcess | None = None

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    @property
    def url(self) -> str:
        if self._process is None:
            raise SidecarError("the sidecar is not running")
        return self._process.url

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def token(self) -> str | None:
        return read_token(self.options.token_file) if self.options.token_file else None

    def alive(self) -> bool:
        return self._process is not None and self._process.alive()

    def output(self) -> str:
        return self._process.output() if self._process else ""

    def _check_bundle_file(self, bundle: Path) -> None:
        if not bundle.exists():
            raise InputFileError(bundle, "bundle not found (build one: pycognito-opa bundle build)")
        if bundle.is_dir():
            return
        try:
            packages = inspect_bundle(bundle).packages
        except BundleError as exc:
            raise InputFileError(bundle, f"not a bundle: {exc}") from exc
        if "system.authz" not in packages:
            raise InputFileError(
                bundle,
                "the bundle has no system.authz policy, so a hardened OPA would refuse every "
                "request: build it with pycognito-opa bundle build",
            )

    def opa_arguments(self, workdir: Path) -> tuple[list[Path], list[str]]:
        """The bundles and the extra `opa run` arguments of this sidecar (writes its config)."""
        o = self.options
        key_text = check_verification_key(o.verification_key) if o.verification_key else None
        check_signing_alg(o.signing_alg)
        digest = token_sha256(read_token(o.token_file)) if o.token_file else None
        args = ["--authorization=basic", "--log-level", o.log_level]
        if digest:
            args.append("--authentication=token")
        bundles: list[Path] = []
        if o.bundle is not None:
            self._check_bundle_file(o.bundle)
            bundles.append(o.bundle)
            config = {"pycognito_opa": {"token_sha256": digest}} if digest else {}
            if o.verification_key is not None:
                args += ["--verification-key", str(o.verification_key)]
                args += ["--verification-key-id", o.key_id, "--signing-alg", o.signing_alg]
        else:
            assert o.bundle_url is not None
            config = opa_config(
                FleetConfig(
                    bundle_url=o.bundle_url,
                    min_delay_seconds=o.min_delay_seconds,
                    max_delay_seconds=o.max_delay_seconds,
                    long_polling_timeout_seconds=o.long_polling_timeout_seconds,
                    persist=o.persist,
                    persistence_directory=str(o.persist_dir) if o.persist_dir else None,
                    verification_key=key_text,
                    key_id=o.key_id,
                    signing_alg=o.signing_alg,
                    status=o.status,
                    decision_logs=o.decision_logs,
                    token_sha256=digest,
                    plain_http=o.plain_http,
                )
            )
        if config:
            args += ["--config-file", str(write_config(config, workdir / "config.yaml"))]
        return bundles, args

    def start(self) -> HardenedSidecar:
        if self._process is not None:
            return self
        self._tmp = tempfile.TemporaryDirectory(prefix="pycognito-opa-serve-")
        try:
            bundles, args = self.opa_arguments(Path(self._tmp.name))
            self._process = OpaProcess(
                bundles,
                opa=self.options.opa,
                host=self.host,
                port=self.port,
                extra_args=args,
                startup_timeout=self.options.startup_timeout,
                cancel=self.cancel,
            )
            self._process.start()
        except OpaStartError as exc:
            self.stop()
            reason = opa_reasons(str(exc))
            if not reason:
                reason = (
                    f"no healthy bundle within {self.options.startup_timeout:.0f}s: is the "
                    "bundle server reachable, and was the bundle built by pycognito-opa "
                    "(it must hold system.authz)?"
                )
            message = f"OPA refused to serve: {reason}{_hint(reason)}"
            if any(needle in reason for needle in _SIGNATURE_NEEDLES):
                raise BundleRejectedError(message) from exc
            raise SidecarError(message) from exc
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.stop()
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            tmp.cleanup()

    def run_until(
        self, stop: threading.Event, forward: Callable[[str], None], interval: float = 0.2
    ) -> None:
        """Block until `stop` is set, passing OPA's new output to `forward`; SidecarError if
        OPA exits on its own."""
        seen = 0
        while not stop.wait(interval):
            text = self.output()
            if len(text) > seen:
                forward(text[seen:].lstrip("\n"))
                seen = len(text)
            if not self.alive():
                raise SidecarError(f"OPA stopped: {opa_reasons(self.output()) or 'no reason'}")

    def __enter__(self) -> HardenedSidecar:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
