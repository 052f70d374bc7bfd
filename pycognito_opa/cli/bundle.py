"""`bundle build`, `bundle inspect`, `bundle push` and `bundle serve`: the bundle, with the user's
policies and principals, signed; what a built bundle holds; publishing it to an OCI registry;
a development bundle server."""

from __future__ import annotations

import argparse
import json
import textwrap
from contextlib import suppress
from pathlib import Path

from .._estate import load_estate
from ..bundle import BundleReport, build_bundle, inspect_bundle
from ..bundle._inspect import INSPECT_MEMORY_BYTES, INSPECT_TIMEOUT_SECONDS, MAX_BUNDLE_BYTES
from ..errors import InputFileError, UsageError
from ..fleet.registry import MAX_PUSH_BYTES, PushResult, push_bundle
from ..fleet.server import BundleServer
from ..fleet.sidecar import parse_addr
from ..identity import IDENTITY_POOLS_LAYOUT, read_identity_pools
from ._common import EXIT_FINDINGS, EXIT_OK, add_key_args, emit, print_json, until_signalled
from .fleet import add_plain_http_arg

DEFAULT_BUNDLE_OUT = "build/bundles/bundle.tar.gz"
DEFAULT_SERVER_ADDR = "127.0.0.1:8282"
_MIB = 1024 * 1024


# bundle build ---------------------------------------------------------------------------------


def cmd_bundle_build(args: argparse.Namespace) -> int:
    estate = None
    if args.policies or args.principals:
        if not args.policies:
            raise InputFileError(args.principals, "--principals needs --policies DIR")
        estate = load_estate(args.policies, principals_file=args.principals)
    pools = read_identity_pools(args.identity_pools) if args.identity_pools else None
    info = build_bundle(
        args.out,
        revision=args.revision,
        signing_key=args.signing_key,
        signing_alg=args.signing_alg,
        key_id=args.key_id,
        estate=estate,
        identity_pools=pools,
    )
    result = {
        "path": str(info.path),
        "revision": info.revision,
        "roots": list(info.roots),
        "signed": info.signed,
        "key_id": args.key_id if info.signed else None,
        "policies": len(estate.policies) if estate else 0,
        "principals": len(estate.principals) if estate else 0,
        "identity_pools": len(pools) if pools else 0,
    }
    if args.json:
        emit(json.dumps(result))
    else:
        signed = f"signed {args.signing_alg}, key id {args.key_id}" if info.signed else "unsigned"
        extra = (
            f", {len(estate.principals)} principals, {len(estate.policies)} policies"
            if estate
            else ""
        )
        if pools:
            extra += f", {len(pools)} identity pools"
        emit(f"built {info.path} (revision {info.revision}, {signed}{extra})")
    return EXIT_OK


# bundle inspect -------------------------------------------------------------------------------


def _render_report(report: BundleReport) -> str:
    if report.signature == "unsigned":
        signature = "unsigned"
    else:
        detail = ", ".join(
            [
                report.algorithm or "algorithm unknown",
                f"key id {report.key_id}" if report.key_id else "no key id",
                f"{report.signed_files} files",
            ]
        )
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
    lines.append(("packages", ", ".join(report.packages) or "none"))
    if report.data_error:
        lines.append(("data", f"OPA cannot load the bundle's data: {report.data_error}"))
    else:
        lines += [
            ("data", ", ".join(report.data_paths) or "none"),
            (
                "principals",
                f"{len(report.principals)}" + "".join(f"\n  {p}" for p in report.principals),
            ),
        ]
    lines.append(("files", f"{len(report.files)}" + "".join(f"\n  {n}" for n in report.files)))
    return "\n".join(f"{k:<11}{v}" for k, v in lines)


def cmd_bundle_inspect(args: argparse.Namespace) -> int:
    report = inspect_bundle(
        args.file,
        verification_key=args.verification_key,
        key_id=args.key_id,
        signing_alg=args.signing_alg,
    )
    if args.json:
        print_json(report.to_dict())
    else:
        emit(_render_report(report))
    return EXIT_FINDINGS if report.signature == "invalid" else EXIT_OK


# bundle serve ---------------------------------------------------------------------------------


def cmd_bundle_serve(args: argparse.Namespace) -> int:
    host, port = parse_addr(args.addr)
    folder = Path(args.dir)
    if not folder.is_dir():
        raise InputFileError(folder, "not a folder: build bundles into it with bundle build --out")
    with (
        until_signalled() as stop,
        BundleServer(folder, host=host, port=port or 0, max_wait=args.max_wait) as server,
    ):
        names = server.store.names()
        if args.json:
            info = {"url": server.url, "bundles": {n: server.bundle_url(n) for n in names}}
            emit(json.dumps(info))
        else:
            listing = "".join(f"\n  {server.bundle_url(n)}" for n in names) or " none yet"
            emit(f"serving {folder} at {server.url}; bundles:{listing}")
            emit("Ctrl-C stops.")
        with suppress(KeyboardInterrupt):
            while not stop.wait(0.2):
                pass
    return EXIT_OK


# bundle push ----------------------------------------------------------------------------------


def _render_push(result: PushResult, source: str) -> str:
    signed = "signed" if result.signed else "unsigned"
    if result.verified:
        signed += ", signature verified"
    return (
        f"pushed {source} (revision {result.revision or '-'}, {signed}, {result.size} bytes) "
        f"to {result.reference}\n  manifest {result.digest}\n"
        f"  bundle layer {result.layer_digest}"
    )


def cmd_bundle_push(args: argparse.Namespace) -> int:
    if not 0 < args.timeout <= 3600:
        raise UsageError("--timeout is a number of seconds above 0, at most 3600")
    result = push_bundle(
        args.file,
        args.reference,
        plain_http=args.plain_http,
        verification_key=args.verification_key,
        key_id=args.key_id,
        signing_alg=args.signing_alg,
        timeout=(min(10.0, args.timeout), args.timeout),
    )
    if args.json:
        emit(json.dumps(result.to_dict()))
    else:
        emit(_render_push(result, args.file))
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bundle build|inspect|push|serve` to the `pycognito-opa` parser."""
    bundle = sub.add_parser(
        "bundle",
        help="build, inspect, push and serve OPA bundles",
        description="Build signed bundles, inspect them, and serve them to a fleet of sidecars.",
    )
    bsub = bundle.add_subparsers(dest="bundle_command", required=True, metavar="COMMAND")

    build = bsub.add_parser(
        "build",
        help="build the bundle (optionally with your policies and principals, signed)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=IDENTITY_POOLS_LAYOUT,
        description=textwrap.fill(
            "Build the bundle (Rego, action catalog, AWS managed policies) with `opa build`. "
            "With --policies DIR, add your IAM policies (one JSON/YAML file each, named by "
            "file stem) and the principals of DIR/principals.yaml (principal ARN -> policies, "
            "managed_policies, permissions_boundary) as data.cognito.store, checked by the "
            "Rego that checks inline policies: any error (a misspelt element, an unknown "
            "operator, a principal that is no IAM or STS ARN ...) stops the build with exit 2, "
            "naming the file, the field and the reason. With --identity-pools DIR (one "
            "folder per pool: its AWS CLI output and a roles/ folder, as identity resolve "
            "--pool and --roles read them), store the pools and their roles as "
            "data.cognito.store.identity_pools by IdentityPoolId, checked by the Rego that "
            "checks identity objects sent inline (errors stop the build with exit 2 too), so "
            'that a decision request\'s identity can name its pool by ID: {"pool": '
            '"us-east-1:...", "login_provider": ..., "token": ...}. With '
            "--signing-key, OPA signs it. The output is replaced atomically, and bad input "
            "leaves nothing at --out: building straight into a bundle server's folder "
            "publishes a new revision.",
            width=92,
        ),
    )
    build.add_argument("--policies", metavar="DIR", help="folder of your IAM policy files")
    build.add_argument(
        "--principals", metavar="FILE", help="principals file (default: DIR/principals.yaml)"
    )
    build.add_argument(
        "--identity-pools",
        metavar="DIR",
        help="folder of identity pools (one folder each: the pool's AWS CLI output and roles/)",
    )
    build.add_argument(
        "--out", default=DEFAULT_BUNDLE_OUT, help=f"output file (default {DEFAULT_BUNDLE_OUT})"
    )
    build.add_argument("--revision", help="bundle revision (default: a hash of the content)")
    build.add_argument(
        "--signing-key", metavar="PEM", help="private key (PEM) to sign the bundle with"
    )
    add_key_args(build, verify=False)
    build.add_argument("--json", action="store_true", help="machine-readable output")
    build.set_defaults(func=cmd_bundle_build)

    inspect = bsub.add_parser(
        "inspect",
        help="show a bundle's revision, roots, signature and contents",
        description=(
            "Show revision, roots, signature (unsigned, not verified, valid or invalid with "
            "OPA's reason), packages, data, principals and policy and data files, all as OPA "
            "reads them (opa inspect, opa eval; OPA verifies the signature). A file opa "
            "inspect refuses is bad input (exit 2, OPA's reason), and so is one larger than "
            f"{MAX_BUNDLE_BYTES // _MIB} MiB or that OPA cannot read within "
            f"{INSPECT_TIMEOUT_SECONDS:g} s and {INSPECT_MEMORY_BYTES // _MIB} MiB of memory. "
            "Exit 1 when "
            "--verification-key is given and the signature does not verify."
        ),
    )
    inspect.add_argument("file", metavar="FILE", help="bundle file (.tar.gz)")
    add_key_args(inspect, verify=True)
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    inspect.set_defaults(func=cmd_bundle_inspect)

    serve_bundles = bsub.add_parser(
        "serve",
        help="serve a folder of bundles to OPA sidecars (a development server)",
        description=(
            "A development bundle server: serve every bundle file in DIR at /bundles/NAME with "
            "ETag, If-None-Match (304) and long polling (Prefer: wait=N). Only regular files "
            "directly inside DIR whose names end in .tar.gz are served: symbolic links, FIFOs, "
            "devices, folders, hidden files and files of any other name (a private key beside "
            "the bundles) get 404. Publish a new revision with "
            "`pycognito-opa bundle build --out DIR/NAME.tar.gz`: it is renamed into place, so a "
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

    push = bsub.add_parser(
        "push",
        help="push a bundle to an OCI registry (sidecars pull it with type: oci)",
        description=(
            "Push a built bundle to an OCI registry as an image whose one layer is the bundle "
            "(application/vnd.oci.image.layer.v1.tar+gzip, the layer OPA pulls), tagged "
            "REFERENCE. Sidecars configured with `fleet config --bundle-url REFERENCE` (or "
            "`serve --bundle-url REFERENCE`) pull it and verify its signature. OPA inspects the "
            "bundle first; with --verification-key nothing is pushed unless its signature "
            "verifies. Over https, or plain http (--plain-http) for a registry on loopback only. "
            f"At most {MAX_PUSH_BYTES // _MIB} MiB."
        ),
    )
    push.add_argument("file", metavar="FILE", help="bundle file (.tar.gz), signed or not")
    push.add_argument("reference", metavar="REFERENCE", help="oci://HOST[:PORT]/REPOSITORY:TAG")
    add_plain_http_arg(push)
    add_key_args(push, verify=True)
    push.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="timeout of each HTTP call"
    )
    push.add_argument("--json", action="store_true", help="machine-readable output")
    push.set_defaults(func=cmd_bundle_push)
