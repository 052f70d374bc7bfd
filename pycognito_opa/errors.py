"""The one exception hierarchy of pycognito-opa."""

from __future__ import annotations


class PyCognitoOpaError(Exception):
    """Base class of every error this package raises on purpose."""


class ToolNotFoundError(PyCognitoOpaError):
    """The OPA binary is not where it was expected."""


class BundleError(PyCognitoOpaError):
    """A bundle could not be built, signed or read."""


class OpaStartError(PyCognitoOpaError):
    """A local OPA process did not start or did not become healthy."""


class OpaQueryError(PyCognitoOpaError):
    """OPA could not be reached or did not answer a query as expected."""


class RequestError(PyCognitoOpaError):
    """The caller's input is not a request (not JSON, not an object, too large)."""


class InputFileError(PyCognitoOpaError):
    """A file the user gave (policy, principals, key, token) is not usable: names it and why."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class SignatureError(BundleError):
    """A bundle's signature is missing, invalid or does not cover its files (OPA's reason)."""


class BundleServerError(PyCognitoOpaError):
    """The bundle server could not start or publish."""


class SidecarError(PyCognitoOpaError):
    """A hardened sidecar was misconfigured or refused its bundle (OPA's reason included)."""


class BundleRejectedError(SidecarError):
    """OPA refused the bundle: unsigned, tampered with or signed by another key."""
