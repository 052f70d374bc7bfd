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
