"""Command-line subcommands for bundles and fleets: `bundle build|inspect|serve`, `serve`,
`fleet config|status`. `register(subparsers)` adds them to the `pycognito-opa` parser.

Exit codes as in the rest of the CLI: 0 success, 1 findings (an invalid signature, sidecars on
different revisions), 2 bad input (one JSON line on stderr), 3 OPA missing or unreachable.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from . import paths
from .bundle import (
    DEFAULT_KEY_ID,
    DEFAULT_SIGNING_ALG,
    SIGNING_ALGS,
    BundleReport,
    build_bundle,
    check_verification_key,
    inspect_bundle,
)
from .bundle_server import BundleServer
from .cli_common import EXIT_ENVIRONMENT, EXIT_FINDINGS, EXIT_OK
from .errors import (
    InputFileError,
    OpaQueryError,
)
from .estate import load_estate, managed_policy_names
from .fleet import (
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
from .serve import DEFAULT_ADDR, LOG_LEVELS, HardenedSidecar, ServeOptions, parse_addr

DEFAULT_BUNDLE_OUT = "build/bundles/bundle.tar.gz"
DEFAULT_SERVER_ADDR = "127.0.0.1:8282"

Command = Callable[[argparse.Namespace], int]


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()


@contextmanager
def _until_signalled() -> Iterator[threading.Event]:
    """An event set by SIGTERM (Ctrl-C raises KeyboardInterrupt as usual)."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


# bundle build ---------------------------------------------------------------------------------


def cmd_bundle_build(args: argparse.Namespace) -> int:
    estate = None
    if args.policies or args.principals:
        if not args.policies:
            raise InputFileError(args.principals, "--principals needs --policies DIR")
        estate = load_estate(
            args.policies,
            principals_file=args.principals,
            managed_policies=managed_policy_names(paths.data_dir()),
        )
    info = build_bundle(
        args.out,
        revision=args.revision,
        signing_key=args.signing_key,
        signing_alg=args.signing_alg,
        key_id=args.key_id,
        estate=estate,
    )
    result = {
        "path": str(info.path),
        "revision": info.revision,
        "roots": list(info.roots),
        "signed": info.signed,
        "key_id": args.key_id if info.signed else None,
        "policies": len(estate.policies) if estate else 0,
        "principals": len(estate.principals) if estate else 0,
    }
    if args.json:
        print(json.dumps(result))
    else:
        signed = f"signed {args.signing_alg}, key id {args.key_id}" if info.signed else "unsigned"
        extra = (
            f", {len(estate.principals)} principals, {len(estate.policies)} policies"
            if estate
            else ""
        )
        print(f"built {info.path} (revision {info.revision}, {signed}{extra})")
    return EXIT_OK


# bundle inspect -------------------------------------------------------------------------------


def _renderreport_error(report: BundleReport) -> str:
    if report.signature == "unsigned":
        signature = "unsigned"
    else:
        detail = f"{report.algorithm}, key id {report.key_id}, {report.signed_files} files"
        signature = f"{report.signature} ({detail})"
        if report.signature == "not verified":
            signature += "; give --verification-key PUBLIC.pem to verify it"
    lines = [
        ("bundle", f"{report.path} ({report.size} bytes)"),
        ("revision", report.revision),
        ("roots", ", ".join(report.roots)),
        ("signature", signature),
    ]
    if report.signature_error:
        lines.append(("reason", report.signature_error))
    lines += [
        ("packages", ", ".join(report.packages) or "none"),
        ("data", ", ".join(report.data_paths) or "none"),
        (
            "principals",
            f"{len(report.principals)}" + "".join(f"\n  {p}" for p in report.principals),
        ),
        ("files", f"{len(report.files)}" + "".join(f"\n  {n} ({s})" for n, s in report.files)),
    ]
    return "\n".join(f"{k:<11}{v}" for k, v in lines)


def cmd_bundle_inspect(args: argparse.Namespace) -> int:
    report = inspect_bundle(
        args.file,
        verification_key=args.verification_key,
        key_id=args.key_id,
        signing_alg=args.signing_alg,
    )
    if args.json:
        _print_json(report.to_dict())
    else:
        print(_renderreport_error(report))
    return EXIT_FINDINGS if report.signature == "invalid" else EXIT_OK


# bundle serve ---------------------------------------------------------------------------------


def cmd_bundle_serve(args: argparse.Namespace) -> int:
    host, port = parse_addr(args.addr)
    folder = Path(args.dir)
    if not folder.is_dir():
        raise InputFileError(folder, "not a folder: build bundles into it with bundle build --out")
    with (
        _until_signalled() as stop,
        BundleServer(folder, host=host, port=port or 0, max_wait=args.max_wait) as server,
    ):
        names = server.store.names()
        if args.json:
            info = {"url": server.url, "bundles": {n: server.bundle_url(n) for n in names}}
            print(json.dumps(info), flush=True)
        else:
            listing = "".join(f"\n  {server.bundle_url(n)}" for n in names) or " none yet"
            print(f"serving {folder} at {server.url}; bundles:{listing}", flush=True)
            print("Ctrl-C stops.", flush=True)
        with suppress(KeyboardInterrupt):
            while not stop.wait(0.2):
                pass
    return EXIT_OK


# serve ----------------------------------------------------------------------------------------


def _serve_options(args: argparse.Namespace) -> ServeOptions:
    return ServeOptions(
        bundle=Path(args.bundle) if args.bundle else None,
        bundle_url=args.bundle_url,
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
    sidecar = HardenedSidecar(_serve_options(args))
    with _until_signalled() as stop, sidecar:
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
            print(json.dumps(info), flush=True)
        else:
            revisions = ", ".join(f"{n} {r}" for n, r in status.revisions.items()) or "none"
            print(
                f"serving {sidecar.url} (bundle revision: {revisions}); decision queries and "
                "GET /health only"
                + (", bearer token required" if token else "")
                + (", bundle signature verified" if args.verification_key else "")
                + ". Ctrl-C stops.",
                flush=True,
            )
            if not sidecar.loopback:
                print(f"note: listening on {sidecar.host}, not only on loopback", flush=True)
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
        )
    )
    command = sidecar_command(args.out or "sidecar.yaml", addr=args.addr, token=digest is not None)
    if args.out:
        write_config(config, args.out)
    if args.json:
        _print_json({"config": config, "command": command, "path": args.out})
    elif args.out:
        print(f"wrote {args.out}; run each sidecar with:\n  {' '.join(command)}")
    else:
        sys.stdout.write(f"# run with: {' '.join(command)}\n{render_config(config)}")
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
    if args.json:
        _print_json(
            {
                "sidecars": [s.to_dict() for s in statuses],
                "same_revision": agree,
                "revision": next(iter(revisions)) if agree else None,
                "expected": args.expect,
            }
        )
    else:
        print(_render_status(statuses))
        if agree and expected and healthy:
            print(f"all {len(statuses)} sidecars serve revision {next(iter(revisions))}")
        elif args.expect and not expected:
            print(f"not every sidecar serves revision {args.expect}")
        else:
            print("the sidecars do not all serve one revision")
    if not all(s.reachable for s in statuses):
        return EXIT_ENVIRONMENT
    return EXIT_OK if agree and expected and healthy else EXIT_FINDINGS


# parser ---------------------------------------------------------------------------------------


def _add_key_args(parser: argparse.ArgumentParser, *, verify: bool) -> None:
    if verify:
        parser.add_argument(
            "--verification-key",
            metavar="PEM",
            help="public key (PEM) that the bundle's signature must verify against",
        )
    parser.add_argument(
        "--key-id",
        default=DEFAULT_KEY_ID,
        help=f"name of the signing key (default: {DEFAULT_KEY_ID})",
    )
    parser.add_argument(
        "--signing-alg",
        default=DEFAULT_SIGNING_ALG,
        choices=SIGNING_ALGS,
        help=f"signature algorithm (default: {DEFAULT_SIGNING_ALG})",
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
        "supports it answers as soon as a new revision is published",
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
    """Add `bundle`, `serve` and `fleet` to the `pycognito-opa` subcommands."""
    bundle = sub.add_parser(
        "bundle",
        help="build, inspect and serve OPA bundles",
        description="Build signed bundles, inspect them, and serve them to a fleet of sidecars.",
    )
    bsub = bundle.add_subparsers(dest="bundle_command", required=True, metavar="COMMAND")

    build = bsub.add_parser(
        "build",
        help="build the bundle (optionally with your policies and principals, signed)",
        description=(
            "Build the bundle (Rego, action catalog, AWS managed policies) with `opa build`. "
            "With --policies DIR, add your IAM policies (one JSON/YAML file each, named by "
            "file stem) and the principals of DIR/principals.yaml (principal ARN -> policies, "
            "managed_policies, permissions_boundary) as data.cognito.store. With "
            "--signing-key, OPA signs it. The output is replaced atomically, and bad input "
            "leaves nothing at --out: building straight into a bundle server's folder "
            "publishes a new revision."
        ),
    )
    build.add_argument("--policies", metavar="DIR", help="folder of your IAM policy files")
    build.add_argument(
        "--principals", metavar="FILE", help="principals file (default: DIR/principals.yaml)"
    )
    build.add_argument(
        "--out", default=DEFAULT_BUNDLE_OUT, help=f"output file (default {DEFAULT_BUNDLE_OUT})"
    )
    build.add_argument("--revision", help="bundle revision (default: a hash of the content)")
    build.add_argument(
        "--signing-key", metavar="PEM", help="private key (PEM) to sign the bundle with"
    )
    _add_key_args(build, verify=False)
    build.add_argument("--json", action="store_true", help="machine-readable output")
    build.set_defaults(func=cmd_bundle_build)

    inspect = bsub.add_parser(
        "inspect",
        help="show a bundle's revision, roots, signature and contents",
        description=(
            "Show revision, roots, signature (unsigned, not verified, valid or invalid with "
            "OPA's reason), packages, data, principals and files. Exit 1 when "
            "--verification-key is given and the signature does not verify."
        ),
    )
    inspect.add_argument("file", metavar="FILE", help="bundle file (.tar.gz)")
    _add_key_args(inspect, verify=True)
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    inspect.set_defaults(func=cmd_bundle_inspect)

    serve_bundles = bsub.add_parser(
        "serve",
        help="serve a folder of bundles to OPA sidecars (bundle service protocol)",
        description=(
            "Serve every bundle file in DIR at /bundles/NAME with ETag, If-None-Match (304) "
            "and long polling (Prefer: wait=N). Publish a new revision with "
            "`pycognito-opa bundle build --out DIR/NAME`: it is renamed into place, so a "
            "sidecar never downloads half a file. Runs until Ctrl-C."
        ),
    )
    serve_bundles.add_argument("dir", metavar="DIR", help="folder holding the bundle files")
    serve_bundles.add_argument(
        "--addr", default=DEFAULT_SERVER_ADDR, help=f"HOST:PORT (default {DEFAULT_SERVER_ADDR})"
    )
    serve_bundles.add_argument(
        "--max-wait", type=int, default=300, metavar="S", help="longest long poll held (s)"
    )
    serve_bundles.add_argument("--json", action="store_true", help="machine-readable output")
    serve_bundles.set_defaults(func=cmd_bundle_serve)

    serve = sub.add_parser(
        "serve",
        help="run a hardened OPA sidecar (decision queries and health checks only)",
        description=(
            "Run OPA so that only POST /v1/data/cognito/authz/decision, .../decisions and GET "
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
        "--bundle-url", metavar="URL", help="pull the bundle from a bundle server URL"
    )
    serve.add_argument("--addr", default=DEFAULT_ADDR, help=f"HOST:PORT (default {DEFAULT_ADDR})")
    _add_key_args(serve, verify=True)
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
            "Write the OPA configuration a sidecar needs: the bundle service and resource, "
            "polling, persist (on by default), the verification key and its id, and optionally "
            "status and decision-log reporting (off by default). Prints the hardened `opa run` "
            "command to start a sidecar with it."
        ),
    )
    config.add_argument(
        "--bundle-url",
        required=True,
        metavar="URL",
        help="the bundle's URL, e.g. http://127.0.0.1:8282/bundles/pycognito.tar.gz",
    )
    config.add_argument("--bundle-name", default="pycognito", help="bundle name in OPA")
    _add_key_args(config, verify=True)
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
            "(--expect: that one), 1 when they differ, 3 when one is unreachable."
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
