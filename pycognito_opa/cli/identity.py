"""`identity resolve` (which role session an identity pool gives a sign-in or a guest) and
`identity lint` (the pool's and its roles' misconfigurations)."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from ..errors import RequestError, UsageError
from ..identity import (
    ROLES_LAYOUT,
    PoolLintReport,
    build_identity,
    lint_pool,
    read_jwks,
    read_pool,
    read_roles,
    read_token,
    resolve,
    resolve_many,
)
from ._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_opa_args,
    emit,
    engine_from_args,
    print_json,
    read_json,
)

_FILE_OPTIONS = (
    "pool",
    "roles",
    "token",
    "login_provider",
    "flow",
    "identity_id",
    "custom_role_arn",
    "role_arn",
    "jwks",
)


def _check_usage(args: argparse.Namespace) -> None:
    """Option conflicts, before any input is read."""
    given = [name for name in _FILE_OPTIONS if getattr(args, name) is not None]
    if args.request is not None and given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        raise UsageError(f"give -r/--request (identity objects) or the files ({options}), not both")
    if args.request is None and (args.pool is None or args.roles is None):
        raise UsageError("give -r/--request FILE, or --pool FILE and --roles DIR")
    if args.token is not None and args.login_provider is None:
        raise UsageError("--token needs --login-provider (the Logins key the token is sent under)")
    if args.print_input and args.request is not None:
        raise UsageError("--print-input prints the identity built from the files, not from -r")


def _identity_from_files(args: argparse.Namespace) -> dict[str, Any]:
    return build_identity(
        read_pool(args.pool),
        read_roles(args.roles),
        flow=args.flow,
        login_provider=args.login_provider,
        token=read_token(args.token) if args.token is not None else None,
        identity_id=args.identity_id,
        custom_role_arn=args.custom_role_arn,
        role_arn=args.role_arn,
        jwks=read_jwks(args.jwks) if args.jwks is not None else None,
    )


def cmd_resolve(args: argparse.Namespace) -> int:
    _check_usage(args)
    engine = engine_from_args(args)  # usage errors first; OPA starts only when needed
    if args.request is None:
        identity = _identity_from_files(args)
        if args.print_input:
            print_json(identity, compact=args.compact)
            return EXIT_OK
        with engine:
            print_json(resolve(engine, identity).to_dict(), compact=args.compact)
        return EXIT_OK
    value = read_json(args.request)
    out: Any
    if isinstance(value, list):
        if not all(isinstance(v, dict) for v in value):
            raise RequestError("input must be an identity object or a JSON array of them")
        with engine:
            out = [r.to_dict() for r in resolve_many(engine, value)]
    elif isinstance(value, dict):
        with engine:
            out = resolve(engine, value).to_dict()
    else:
        raise RequestError("input must be an identity object or a JSON array of them")
    print_json(out, compact=args.compact)
    return EXIT_OK


def _render(report: PoolLintReport) -> str:
    lines = [
        f"{f.get('severity', '')}  {f.get('rule', '')}  {f.get('message', '')}"
        + (f"\n    hint: {f['hint']}" if f.get("hint") else "")
        for f in report.findings
    ]
    summary = report.raw.get("summary") or {}
    ranks = report.severities
    counts = ", ".join(
        f"{summary.get(s, 0)} {s}" for s in sorted(ranks, key=ranks.__getitem__, reverse=True)
    )
    return "\n".join([*lines, f"{len(report.findings)} finding(s): {counts}"])


def cmd_lint(args: argparse.Namespace) -> int:
    engine = engine_from_args(args)
    pool, roles = read_pool(args.pool), read_roles(args.roles)
    with engine:
        report = lint_pool(engine, pool, roles)
    if args.json:
        print_json(report.to_dict())
    else:
        emit(_render(report))
    return EXIT_FINDINGS if report.at_or_above(args.fail_on) else EXIT_OK


def _register_lint(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "lint",
        help="find an identity pool's misconfigurations (trust policies, flows, mappings)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Lint an identity pool and its roles (cognito.identity.lint): trust policies "
            "without aud (any pool) or amr (guest escalation through the basic flow), roles "
            "the pool hands out that reject its tokens or lack sts:TagSession, the basic flow "
            "open alongside privileged roles, ambiguous resolution after rules, more than 25 "
            "rules, and what AWS would not accept. Exit 1 when a finding is at or above "
            "--fail-on.",
            width=92,
        )
        + "\n\n"
        + ROLES_LAYOUT,
    )
    p.add_argument(
        "--pool",
        action="append",
        required=True,
        metavar="FILE",
        help="describe-identity-pool, get-identity-pool-roles, get-principal-tag-attribute-map "
        "output (repeat; a folder reads its *.json)",
    )
    p.add_argument("--roles", required=True, metavar="DIR", help="the roles' AWS CLI output")
    p.add_argument(
        "--fail-on",
        default="error",
        metavar="SEVERITY",
        help="exit 1 for a finding of this severity (info, warning, error) or a higher one "
        "(default: error)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_opa_args(p)
    p.set_defaults(func=cmd_lint)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `identity resolve` to the `pycognito-opa` parser."""
    group = sub.add_parser(
        "identity",
        help="Amazon Cognito identity pools: which role a sign-in or a guest gets; pool lint",
        description="Amazon Cognito identity pools: which role a sign-in or a guest gets "
        "(resolve), and the pool's misconfigurations (lint).",
    )
    commands = group.add_subparsers(dest="identity_command", required=True, metavar="COMMAND")
    resolve_parser = commands.add_parser(
        "resolve",
        help="resolve the role session (or the refusal) of a sign-in or a guest",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Print the resolution (data.cognito.identity.resolution) as JSON: outcome "
            "(credentials, error or invalid), role_arn, session_policies, principal_tags, the "
            "session's principal and condition keys, and for a refusal AWS's exception, the "
            "stage and AWS's message. Input: -r FILE|- with an identity object (or a JSON array "
            'of them; a decision request holding one in "identity" also works), or the AWS '
            "CLI's own JSON files: --pool and --roles, and for a sign-in --login-provider and "
            "--token. Without --login-provider the identity is a guest.",
            width=92,
        )
        + "\n\n"
        + ROLES_LAYOUT,
    )
    resolve_parser.add_argument(
        "--request", "-r", metavar="FILE", help="identity object(s) as JSON, or - for stdin"
    )
    resolve_parser.add_argument(
        "--pool",
        action="append",
        metavar="FILE",
        help=(
            "output of aws cognito-identity describe-identity-pool, get-identity-pool-roles or "
            "get-principal-tag-attribute-map (repeat the option; a folder reads its *.json)"
        ),
    )
    resolve_parser.add_argument("--roles", metavar="DIR", help="the roles' AWS CLI output")
    resolve_parser.add_argument(
        "--login-provider",
        metavar="NAME",
        help="the Logins key: cognito-idp.REGION.amazonaws.com/POOL_ID, graph.facebook.com, ...",
    )
    resolve_parser.add_argument(
        "--token",
        metavar="FILE|JWT",
        help="the provider token: a raw JWT, or a file with the JWT or its claims (JSON)",
    )
    resolve_parser.add_argument(
        "--flow", choices=("enhanced", "basic"), help="authentication flow (default: enhanced)"
    )
    resolve_parser.add_argument("--identity-id", metavar="ID", help="the identity ID (REGION:GUID)")
    resolve_parser.add_argument(
        "--custom-role-arn", metavar="ARN", help="GetCredentialsForIdentity CustomRoleArn"
    )
    resolve_parser.add_argument(
        "--role-arn", metavar="ARN", help="basic flow: the RoleArn the client asks STS for"
    )
    resolve_parser.add_argument(
        "--jwks",
        metavar="FILE",
        help="JSON Web Key Set to check the token's signature with (otherwise not checked)",
    )
    resolve_parser.add_argument(
        "--print-input",
        action="store_true",
        help="print the identity object built from the files (for decide) and stop",
    )
    resolve_parser.add_argument("--compact", action="store_true", help="print JSON on one line")
    add_opa_args(resolve_parser)
    resolve_parser.set_defaults(func=cmd_resolve)
    _register_lint(commands)
