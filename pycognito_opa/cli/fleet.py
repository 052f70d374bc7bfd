"""`serve` (a hardened sidecar), `fleet config` (OPA configuration for sidecars that pull the
bundle) and `fleet status` (which revision each sidecar serves)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from contextlib import suppress
from pathlib import Path

from ..bundle import check_verification_key
from ..errors import OpaQueryError, SidecarError
from ..fleet.config import (
    FleetConfig,
    SidecarStatus,
    fleet_status,
    opa_config,
    read_token,
    render_config,
    sidecar_command,
    sidecar_status,
    token_sha256,
    wait_for_revision,
    write_config,
)
from ..fleet.sidecar import DEFAULT_ADDR, LOG_LEVELS, HardenedSidecar, ServeOptions
from ._common import (
    EXIT_ENVIRONMENT,
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    add_key_args,
    emit,
    print_json,
    until_signalled,
)

# serve ----------------------------------------------------------------------------------------


def _serve_options(args: argparse.Namespace) -> ServeOptions:
    return ServeOptions(
        bundle=Path(args.bundle) if args.bundle else None,
        bundle_url=args.bundle_url,
        plain_http=args.plain_http,
        addr=args.addr,
        verification_key=Path(args.verification_key) if args.verification_key else None,
        key_id=args.key_id,
        signing_alg=args.signing_alg,
        token_file=Path(args.token_file) if args.token_file else None,
        persist=not args.no_persist,
        persist_dir=Path(args.persist_dir) if args.persist_dir else None,
        min_delay_seconds=args.min_delay,
        max_delay_seconds=args.max_delay,
        long_polling_timeout_seconds=args.long_poll or None,
        status=args.status,
        decision_logs=args.decision_logs,
        log_level=args.log_level,
        startup_timeout=args.wait,
    )


def _forward(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    sys.stderr.flush()


def cmd_serve(args: argparse.Namespace) -> int:
    with until_signalled() as stop:
        sidecar = HardenedSidecar(_serve_options(args), cancel=stop)
        try:
            sidecar.start()
        except SidecarError:
            if stop.is_set():  # SIGTERM while waiting for the first bundle: stop, as asked
                return EXIT_OK
            raise
        return _serve(args, sidecar, stop)


def _serve(args: argparse.Namespace, sidecar: HardenedSidecar, stop: threading.Event) -> int:
    with sidecar:
        token = sidecar.token
        status = sidecar_status(sidecar.url, token=token)
        info = {
            "url": sidecar.url,
            "pid": sidecar.pid,
            "revisions": dict(status.revisions),
            "loopback": sidecar.loopback,
            "token_required": token is not None,
            "signature_verified": args.verification_key is not None,
        }
        if args.json:
            emit(json.dumps(info))
        else:
            revisions = ", ".join(f"{n} {r}" for n, r in status.revisions.items()) or "none"
            emit(
                f"serving {sidecar.url} (bundle revision: {revisions}); decision queries and "
                "GET /health only"
                + (", bearer token required" if token else "")
                + (", bundle signature verified" if args.verification_key else "")
                + ". Ctrl-C stops."
            )
            if not sidecar.loopback:
                emit(f"note: listening on {sidecar.host}, not only on loopback")
        with suppress(KeyboardInterrupt):
            sidecar.run_until(stop, _forward)
    return EXIT_OK


# fleet config ---------------------------------------------------------------------------------


def cmd_fleet_config(args: argparse.Namespace) -> int:
    key = check_verification_key(args.verification_key) if args.verification_key else None
    digest = token_sha256(read_token(args.token_file)) if args.token_file else None
    config = opa_config(
        FleetConfig(
            bundle_url=args.bundle_url,
            bundle_name=args.bundle_name,
            min_delay_seconds=args.min_delay,
            max_delay_seconds=args.max_delay,
            long_polling_timeout_seconds=args.long_poll or None,
            persist=not args.no_persist,
            persistence_directory=args.persist_dir,
            verification_key=key,
            key_id=args.key_id,
            signing_alg=args.signing_alg,
            status=args.status,
            decision_logs=args.decision_logs,
            token_sha256=digest,
            plain_http=args.plain_http,
        )
    )
    command = sidecar_command(args.out or "sidecar.yaml", addr=args.addr, token=digest is not None)
    if args.out:
        write_config(config, args.out)
    if args.json:
        print_json({"config": config, "command": command, "path": args.out})
    elif args.out:
        emit(f"wrote {args.out}; run each sidecar with:\n  {' '.join(command)}")
    else:
        emit(f"# run with: {' '.join(command)}\n{render_config(config).rstrip()}")
    return EXIT_OK


# fleet status ---------------------------------------------------------------------------------


def _render_status(statuses: list[SidecarStatus]) -> str:
    rows = [("SIDECAR", "HEALTH", "REVISION")]
    for s in statuses:
        health = "ok" if s.healthy else ("unhealthy" if s.reachable else "unreachable")
        revision = s.revision or ", ".join(f"{n}={r}" for n, r in s.revisions.items()) or "-"
        rows.append((s.url, health, revision if not s.error else f"- ({s.error})"))
    width = max(len(r[0]) for r in rows) + 2
    return "\n".join(f"{u:<{width}}{h:<12}{r}" for u, h, r in rows)


def cmd_fleet_status(args: argparse.Namespace) -> int:
    token = read_token(args.token_file) if args.token_file else None
    if args.expect and args.wait:
        try:
            statuses = wait_for_revision(args.urls, args.expect, token=token, timeout=args.wait)
        except OpaQueryError:
            statuses = fleet_status(args.urls, token=token, timeout=args.timeout)
    else:
        statuses = fleet_status(args.urls, token=token, timeout=args.timeout)
    revisions = {s.revision for s in statuses}
    agree = len(revisions) == 1 and None not in revisions
    expected = args.expect is None or revisions == {args.expect}
    healthy = all(s.healthy for s in statuses)
    refused = [s.url for s in statuses if s.unauthorized]
    if args.json:
        print_json(
            {
                "unauthorized": refused,
                "sidecars": [s.to_dict() for s in statuses],
                "same_revision": agree,
                "revision": next(iter(revisions)) if agree else None,
                "expected": args.expect,
            }
        )
    else:
        emit(_render_status(statuses))
        if refused:
            emit(
                f"unauthorized: {len(refused)} of {len(statuses)} sidecars refused the status "
                "query (401); give their bearer token with --token-file"
            )
        elif agree and expected and healthy:
            emit(f"all {len(statuses)} sidecars serve revision {next(iter(revisions))}")
        elif args.expect and not expected:
            emit(f"not every sidecar serves revision {args.expect}")
        else:
            emit("the sidecars do not all serve one revision")
    if refused:
        return EXIT_INPUT
    if not all(s.reachable for s in statuses):
        return EXIT_ENVIRONMENT
    return EXIT_OK if agree and expected and healthy else EXIT_FINDINGS


# parser ---------------------------------------------------------------------------------------


def add_plain_http_arg(parser: argparse.ArgumentParser) -> None:
    """`--plain-http`: reach an oci:// registry on loopback without TLS."""
    parser.add_argument(
        "--plain-http",
        action="store_true",
        help="reach the oci:// registry over plain http: only for a registry on loopback "
        "(127.0.0.0/8, ::1, localhost); any other registry is reached over https",
    )


def _add_polling_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--min-delay", type=int, default=10, metavar="S", help="poll at least every S s"
    )
    parser.add_argument(
        "--max-delay", type=int, default=20, metavar="S", help="poll at most every S s"
    )
    parser.add_argument(
        "--long-poll",
        type=int,
        default=30,
        metavar="S",
        help="long polling timeout (default 30; 0 turns long polling off): a server that "
        "supports it answers as soon as a new revision is published (a registry does not: "
        "sidecars poll it every --min-delay to --max-delay seconds)",
    )
    parser.add_argument(
        "--no-persist",
        action="store_true",
        help="do not keep the last good bundle on disk (default: persist, so a restarted "
        "sidecar serves it even when the bundle server is down)",
    )
    parser.add_argument(
        "--persist-dir", metavar="DIR", help="where OPA persists bundles (default: OPA's .opa)"
    )
    parser.add_argument(
        "--status",
        metavar="console|URL",
        help="report OPA status to the console or to a status service URL (default: off)",
    )
    parser.add_argument(
        "--decision-logs",
        metavar="console|URL",
        help="send decision logs to the console or to a log service URL (default: off)",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `fleet config|status` to the `pycognito-opa` parser."""
    serve = sub.add_parser(
        "serve",
        help="run a hardened OPA sidecar (decision queries and health checks only)",
        description=(
            "Run OPA so that only POST /v1/data/cognito/authz/verdict, .../verdicts (the hot "
            "path: allowed and decision only), .../decision, .../decisions (explained) and GET "
            "/health are answered; every write and every other read is refused (401) by the "
            "bundle's system.authz policy (OPA's --authorization=basic). With --token-file, "
            "decision queries need that bearer token. With --verification-key, an unsigned or "
            "tampered bundle is refused with OPA's reason. Listens on loopback unless --addr "
            "says otherwise. Runs until Ctrl-C."
        ),
    )
    source = serve.add_mutually_exclusive_group(required=True)
    source.add_argument("--bundle", metavar="FILE", help="a local bundle file")
    source.add_argument(
        "--bundle-url",
        metavar="URL",
        help="pull the bundle from a registry (oci://HOST/REPOSITORY:TAG) or a bundle server's URL",
    )
    add_plain_http_arg(serve)
    serve.add_argument("--addr", default=DEFAULT_ADDR, help=f"HOST:PORT (default {DEFAULT_ADDR})")
    add_key_args(serve, verify=True)
    serve.add_argument(
        "--token-file", metavar="F", help="file holding the bearer token decision queries need"
    )
    _add_polling_args(serve)
    serve.add_argument(
        "--log-level", default="error", choices=LOG_LEVELS, help="OPA's log level (default error)"
    )
    serve.add_argument(
        "--wait", type=float, default=30.0, metavar="S", help="wait S s for a healthy bundle"
    )
    serve.add_argument("--json", action="store_true", help="machine-readable output")
    serve.set_defaults(func=cmd_serve)

    fleet = sub.add_parser(
        "fleet",
        help="configure sidecars that pull the bundle; show which revision each serves",
        description="Configuration for plain `opa run` sidecars, and the fleet's revisions.",
    )
    fsub = fleet.add_subparsers(dest="fleet_command", required=True, metavar="COMMAND")
    config = fsub.add_parser(
        "config",
        help="write the OPA configuration of a sidecar",
        description=(
            "Write the OPA configuration a sidecar needs: the bundle service (an OCI registry, "
            "which OPA pulls from itself, or a bundle server) and resource, "
            "polling, persist (on by default), the verification key and its id, and optionally "
            "status and decision-log reporting (off by default). Prints the hardened `opa run` "
            "command to start a sidecar with it. The sidecar answers POST "
            "/v1/data/cognito/authz/verdict and .../verdicts (the hot path: allowed and decision "
            "only), .../decision and .../decisions (explained), and GET /health."
        ),
    )
    config.add_argument(
        "--bundle-url",
        required=True,
        metavar="URL",
        help="where the bundle is: a registry, oci://registry.example.com/policies/cognito:live "
        "(pushed with bundle push), or a bundle server's URL, "
        "http://127.0.0.1:8282/bundles/pycognito.tar.gz",
    )
    add_plain_http_arg(config)
    config.add_argument("--bundle-name", default="pycognito", help="bundle name in OPA")
    add_key_args(config, verify=True)
    _add_polling_args(config)
    config.add_argument(
        "--token-file", metavar="F", help="require this bearer token on decision queries"
    )
    config.add_argument(
        "--addr", default=DEFAULT_ADDR, help="sidecar address in the printed command"
    )
    config.add_argument("--out", metavar="FILE", help="write here (default: print it)")
    config.add_argument("--json", action="store_true", help="machine-readable output")
    config.set_defaults(func=cmd_fleet_config)

    status = fsub.add_parser(
        "status",
        help="which bundle revision each sidecar serves",
        description=(
            "Ask each sidecar for its health and bundle revisions (a decision query with "
            "?provenance, allowed by the hardened policy). Exit 0 when all serve one revision "
            "(--expect: that one), 1 when they differ, 2 when one refuses the query (401: "
            "its bearer token missing or wrong, see --token-file), 3 when one is unreachable."
        ),
    )
    status.add_argument("urls", nargs="+", metavar="URL", help="sidecar URLs")
    status.add_argument("--token-file", metavar="F", help="bearer token of the sidecars")
    status.add_argument("--expect", metavar="REV", help="the revision every sidecar should serve")
    status.add_argument(
        "--wait", type=float, default=0, metavar="S", help="with --expect, wait up to S s for it"
    )
    status.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help="per-sidecar timeout"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=cmd_fleet_status)
