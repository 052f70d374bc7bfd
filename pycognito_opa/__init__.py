"""pycognito-opa: what IAM policies allow on Amazon Cognito, decided by the real OPA."""

from .bundle import BundleInfo, build_bundle, default_bundle
from .client import Limits, OpaClient
from .decision import Decision, Diagnostic, Match
from .engine import Engine
from .errors import (
    BundleError,
    OpaQueryError,
    OpaStartError,
    PyCognitoOpaError,
    RequestError,
    ToolNotFoundError,
)
from .examples import Example, ExampleResult, load_examples, run_examples
from .sidecar import OpaProcess

__version__ = "0.1.0"

__all__ = [
    "BundleError",
    "BundleInfo",
    "Decision",
    "Diagnostic",
    "Engine",
    "Example",
    "ExampleResult",
    "Limits",
    "Match",
    "OpaClient",
    "OpaProcess",
    "OpaQueryError",
    "OpaStartError",
    "PyCognitoOpaError",
    "RequestError",
    "ToolNotFoundError",
    "__version__",
    "build_bundle",
    "default_bundle",
    "load_examples",
    "run_examples",
]
