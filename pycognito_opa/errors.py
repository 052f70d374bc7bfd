"""The one exception hierarchy of pycognito-opa.

Each class carries the stable `code` the CLI prints in its one-line JSON error and the CLI's
`exit_code`: 1 for a check that found nothing to check, 2 for the caller's input, 3 for
the environment (OPA missing, failing, unreachable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_ENVIRONMENT = 3


class PyCognitoOpaError(Exception):
    """Base class of every error this package raises on purpose."""

    code = "error"
    exit_code = EXIT_ENVIRONMENT


class ToolNotFoundError(PyCognitoOpaError):
    """The OPA binary is not where it was expected."""

    code = "opa_not_found"


class BundleError(PyCognitoOpaError):
    """A bundle could not be built, signed or read."""

    code = "bundle_failed"


class OpaStartError(PyCognitoOpaError):
    """A local OPA process did not start or did not become healthy."""

    code = "opa_start_failed"


class OpaQueryError(PyCognitoOpaError):
    """OPA could not be reached or did not answer a query as expected."""

    code = "opa_query_failed"


class RequestError(PyCognitoOpaError):
    """The caller's input is not a request (not JSON, not an object, too large)."""

    code = "not_a_request"
    exit_code = EXIT_INPUT


class AnalysisInputError(RequestError):
    """The Rego analysis refused its input (an invalid policy, a resource of no Cognito
    type, a principal the bundle does not store ...): every reason, with the field."""

    code = "invalid_input"

    def __init__(self, errors: Sequence[Mapping[str, Any]]) -> None:
        self.errors = [dict(e) for e in errors]
        text = "; ".join(f"{e.get('field') or 'input'}: {e.get('message', '')}" for e in errors)
        super().__init__(text or "the input cannot be analysed")


class PolicySetError(RequestError):
    """The Rego registration (cognito.registration) refused a policy set: `errors` is its list
    of reasons, each {"code", "field", "message"}."""

    code = "invalid_policy_set"

    def __init__(self, errors: Sequence[Mapping[str, Any]]) -> None:
        self.errors = [dict(e) for e in errors]
        if not self.errors:
            super().__init__("the policy set cannot be registered")
            return
        first = self.errors[0]
        more = len(self.errors) - 1
        text = f"invalid policy set: {first.get('field') or 'the set'}: {first.get('message', '')}"
        super().__init__(text + (f" (and {more} more)" if more else ""))


class InvalidJsonError(RequestError):
    """The input is not UTF-8 JSON (or is nested or sized past what can be read)."""

    code = "invalid_json"


class UsageError(PyCognitoOpaError):
    """Command-line options or arguments that do not fit together."""

    code = "usage"
    exit_code = EXIT_INPUT


class InputFileError(PyCognitoOpaError):
    """A file the user gave (policy, principals, key, token) is not usable: names it and why."""

    code = "invalid_input"
    exit_code = EXIT_INPUT

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class StoredPolicyError(InputFileError):
    """The policies or principals a bundle would store break IAM's rules, as the Rego that
    checks them at bundle build (cognito.store) reports: every error, each naming its file,
    its field (such as "Statement[1].Condtion"), its code and the reason."""

    MAX_LISTED = 20

    def __init__(self, errors: Sequence[Mapping[str, Any]]) -> None:
        self.errors = [dict(e) for e in errors]

        def one(e: Mapping[str, Any]) -> str:
            field = e.get("field") or "the document"
            return f"{e.get('file', '')}: {field}: {e.get('message', '')} ({e.get('code', '')})"

        listed = [one(e) for e in self.errors[: self.MAX_LISTED]]
        if len(self.errors) > self.MAX_LISTED:
            listed.append(f"and {len(self.errors) - self.MAX_LISTED} more")
        text = "; ".join(listed) or "the policies and principals to store are invalid"
        # Each error names its own file: the message is the list, not "PATH: reason".
        PyCognitoOpaError.__init__(self, text)
        self.path = str(self.errors[0].get("file", "")) if self.errors else ""
        self.reason = text


class SignatureError(BundleError):
    """A bundle's signature is missing, invalid or does not cover its files (OPA's reason)."""


class BundleServerError(PyCognitoOpaError):
    """The bundle server could not start or publish."""

    code = "bundle_server_failed"


class SidecarError(PyCognitoOpaError):
    """A hardened sidecar was misconfigured or refused its bundle (OPA's reason included)."""

    code = "opa_failed"


class BundleRejectedError(SidecarError):
    """OPA refused the bundle: unsigned, tampered with or signed by another key."""

    code = "bundle_rejected"
    exit_code = EXIT_INPUT


class ExamplesError(PyCognitoOpaError):
    """A documented-examples file is malformed."""

    code = "invalid_examples"
    exit_code = EXIT_INPUT


class NoExamplesError(ExamplesError):
    """No documented example was found: nothing was compared, which is not agreement."""

    code = "no_examples"
    exit_code = EXIT_FINDINGS


class ResourcesNotFoundError(PyCognitoOpaError):
    """The package's Rego policies, data or examples are not where they should be."""

    code = "resources_not_found"


class OpaVersionError(ToolNotFoundError):
    """An OPA binary was found, but it is older than the oldest supported version."""

    code = "opa_too_old"


class RegistryError(PyCognitoOpaError):
    """An OCI registry could not be reached, refused a push, or answered out of protocol."""

    code = "registry_failed"
    exit_code = EXIT_ENVIRONMENT
