"""Command-line subcommands for policy analysis: `lint`, `what-can`, `who-can` and `diff`.
`register(subparsers)` adds them to the `pycognito-opa` parser.

Exit codes as in the rest of the CLI: 0 success, 1 findings (lint findings at or above
--fail-on; diff widening access with --fail-on-widen), 2 bad input (one JSON line on stderr),
3 OPA missing or unreachable.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .. import __version__
from .._lint_formats import render_github, render_sarif
from ..analysis import (
    ANALYSIS_LIMITS,
    ANALYSIS_TIMEOUT,
    PolicySet,
    diff,
    lint,
    load_policy_set,
    render_diff,
    render_lint,
    render_what_can,
    render_who_can,
    what_can,
    who_can,
)
from ..engine import Engine
from ..errors import UsageError
from ._common import EXIT_FINDINGS, EXIT_OK, add_opa_args, emit, engine_from_args, print_json

# lint ---------------------------------------------------------------------------------------


LINT_FORMATS = ("text", "json", "sarif", "github")


def _lint_format(args: argparse.Namespace) -> str:
    """--format, with --json standing for --format json."""
    if args.json and args.format not in (None, "json"):
        raise UsageError(f"give --json or --format {args.format}, not both")
    return "json" if args.json else (args.format or "text")


def cmd_lint(args: argparse.Namespace) -> int:
    if not args.policies and not args.bundle:
        raise UsageError("give policy files, or --bundle B to lint its stored principals' policies")
    output = _lint_format(args)
    engine = _engine(args)
    policy_set = load_policy_set(args.policies) if args.policies else PolicySet()
    with engine:
        report = lint(engine, policy_set, stored=not args.policies)
    files = {p.name: Path(p.name) for p in policy_set.policies}
    if output == "json":
        print_json(report.to_dict())
    elif output == "sarif":
        print_json(render_sarif(report, files, tool_version=__version__))
    elif output == "github":
        emit(render_github(report, files))
    else:
        emit(render_lint(report))
    return EXIT_FINDINGS if report.at_or_above(args.fail_on) else EXIT_OK


# what-can -----------------------------------------------------------------------------------


def cmd_what_can(args: argparse.Namespace) -> int:
    if not args.policy and not args.principal:
        raise UsageError("give --policy FILE... or --principal ARN --bundle B")
    if args.principal and not (args.bundle or args.opa_url):
        raise UsageError("--principal needs --bundle B, the bundle that stores its policies")
    engine = _engine(args)
    policy_set = load_policy_set(args.policy) if args.policy else PolicySet()
    with engine:
        report = what_can(engine, policy_set, principal=args.principal, resource=args.resource)
    if args.json:
        print_json(report.to_dict())
    else:
        emit(render_what_can(report))
    return EXIT_OK


# who-can ------------------------------------------------------------------------------------


def cmd_who_can(args: argparse.Namespace) -> int:
    if not (args.bundle or args.opa_url):
        raise UsageError("give --bundle B, a bundle built with --policies (its principals)")
    with _engine(args) as engine:
        report = who_can(engine, args.action, args.resource)
    if args.json:
        print_json(report.to_dict())
    else:
        emit(render_who_can(report))
    return EXIT_OK


# diff ---------------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    engine = _engine(args)
    old = load_policy_set([args.old])
    new = load_policy_set([args.new])
    with engine:
        report = diff(engine, old, new, resource=args.resource)
    if args.json:
        print_json(report.to_dict())
    else:
        emit(render_diff(report))
    return EXIT_FINDINGS if args.fail_on_widen and report.widened else EXIT_OK


# parser -------------------------------------------------------------------------------------


def _engine(args: argparse.Namespace) -> Engine:
    """An Engine with room for large policy sets (the default limits are for decisions)."""
    return engine_from_args(args, limits=ANALYSIS_LIMITS, timeout=ANALYSIS_TIMEOUT)


def _add_engine_args(parser: argparse.ArgumentParser, bundle_help: str) -> None:
    add_opa_args(parser, bundle_help)
    parser.add_argument("--json", action="store_true", help="machine-readable output")


_DEFAULT_BUNDLE = "bundle for the local OPA (default: the project's default bundle)"


def register(subparsers: Any) -> None:
    """Add `lint`, `what-can`, `who-can` and `diff` to the `pycognito-opa` parser."""
    p = subparsers.add_parser(
        "lint",
        help="find mistakes and risks in IAM policies for Cognito",
        description=(
            "Lint JSON or YAML policy files (a folder stands for its policy files; an AWS "
            "managed policy name such as AmazonCognitoPowerUser for that policy), or with "
            "--bundle and no files every policy of the principals stored in the bundle. Each "
            "finding names its rule, severity, policy, statement (Sid or index) and a hint. "
            "Exit 1 when a finding is at or above --fail-on."
        ),
    )
    p.add_argument("policies", nargs="*", metavar="POLICY_FILE", help="policy file or folder")
    p.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        default="error",
        help="exit 1 when a finding has this severity (info, warning, error) or a higher one "
        "(default: error)",
    )
    p.add_argument(
        "--format",
        choices=LINT_FORMATS,
        help="output: text (default), json (the same as --json), sarif (SARIF 2.1.0 for code "
        "scanning) or github (GitHub Actions annotations)",
    )
    _add_engine_args(p, "bundle for the local OPA; without POLICY_FILE, lint its principals")
    p.set_defaults(func=cmd_lint)

    p = subparsers.add_parser(
        "what-can",
        help="what a policy set or a stored principal may do, for every Cognito action",
        description=(
            "For every Amazon Cognito action, the decision for the policies (--policy: files, "
            "folders or AWS managed policy names) and/or a principal stored in --bundle: on "
            "--resource ARN, or per resource type (allow: every resource of the type; partial: "
            "some; conditional: depending on the request). Grouped by service and access level."
        ),
    )
    p.add_argument(
        "--policy", nargs="+", action="extend", metavar="FILE", help="policy files or names"
    )
    p.add_argument("--principal", metavar="ARN", help="a principal stored in --bundle")
    p.add_argument("--resource", metavar="ARN", help="decide on this resource (or *)")
    _add_engine_args(p, _DEFAULT_BUNDLE + "; with --principal, the bundle storing it")
    p.set_defaults(func=cmd_what_can)

    p = subparsers.add_parser(
        "who-can",
        help="which principals stored in a bundle may call an action on a resource",
        description=(
            "The principals stored in --bundle (built with bundle build --policies) that may call "
            "ACTION on RESOURCE, each with the statements that allow it."
        ),
    )
    p.add_argument("action", metavar="ACTION", help="for example cognito-idp:AdminDeleteUser")
    p.add_argument("resource", metavar="RESOURCE", help="an ARN, or * for actions without one")
    _add_engine_args(p, "the bundle whose principals are asked about")
    p.set_defaults(func=cmd_who_can)

    p = subparsers.add_parser(
        "diff",
        help="what a new version of a policy set grants or takes away",
        description=(
            "The (action, resource type) decisions that differ between OLD and NEW (each a "
            "policy file, a folder of them or an AWS managed policy name). Exit 1 with "
            "--fail-on-widen when the new version allows something the old one did not."
        ),
    )
    p.add_argument("old", metavar="OLD", help="the policy set before")
    p.add_argument("new", metavar="NEW", help="the policy set after")
    p.add_argument("--resource", metavar="ARN", help="compare the decisions on this resource")
    p.add_argument(
        "--fail-on-widen", action="store_true", help="exit 1 when the new version widens access"
    )
    _add_engine_args(p, _DEFAULT_BUNDLE)
    p.set_defaults(func=cmd_diff)
