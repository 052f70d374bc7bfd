"""pycognito-opa: what IAM policies allow on Amazon Cognito, decided by the real OPA.

The public API: `Engine` answers decision requests; `analysis` lints and compares policy
sets; `bundle` builds, signs and inspects OPA bundles; `examples` runs AWS's documented
examples; every error is a `PyCognitoOpaError`.
"""

from ._client import Limits, OpaClient
from ._decision import DECISIONS, Decision, Diagnostic, Match, Verdict
from ._process import OpaProcess
from .analysis import (
    DiffReport,
    Finding,
    LintReport,
    PolicySet,
    WhatCanReport,
    WhoCanReport,
    analysis_engine,
    diff,
    lint,
    load_policy_file,
    load_policy_set,
    what_can,
    who_can,
)
from .bundle import (
    BundleInfo,
    BundleReport,
    build_bundle,
    default_bundle,
    inspect_bundle,
    verify_bundle,
)
from .engine import Engine
from .errors import (
    AnalysisInputError,
    BundleError,
    BundleRejectedError,
    BundleServerError,
    ExamplesError,
    InputFileError,
    InvalidJsonError,
    NoExamplesError,
    OpaQueryError,
    OpaStartError,
    OpaVersionError,
    PolicySetError,
    PyCognitoOpaError,
    RegistryError,
    RequestError,
    ResourcesNotFoundError,
    SidecarError,
    SignatureError,
    StoredPolicyError,
    ToolNotFoundError,
    UsageError,
)
from .examples import Example, ExampleResult, load_examples, run_examples

__version__ = "0.1.0"

__all__ = [
    "DECISIONS",
    "AnalysisInputError",
    "BundleError",
    "BundleInfo",
    "BundleRejectedError",
    "BundleReport",
    "BundleServerError",
    "Decision",
    "Diagnostic",
    "DiffReport",
    "Engine",
    "Example",
    "ExampleResult",
    "ExamplesError",
    "Finding",
    "InputFileError",
    "InvalidJsonError",
    "Limits",
    "LintReport",
    "Match",
    "NoExamplesError",
    "OpaClient",
    "OpaProcess",
    "OpaQueryError",
    "OpaStartError",
    "OpaVersionError",
    "PolicySet",
    "PolicySetError",
    "PyCognitoOpaError",
    "RegistryError",
    "RequestError",
    "ResourcesNotFoundError",
    "SidecarError",
    "SignatureError",
    "StoredPolicyError",
    "ToolNotFoundError",
    "UsageError",
    "Verdict",
    "WhatCanReport",
    "WhoCanReport",
    "__version__",
    "analysis_engine",
    "build_bundle",
    "default_bundle",
    "diff",
    "inspect_bundle",
    "lint",
    "load_examples",
    "load_policy_file",
    "load_policy_set",
    "run_examples",
    "verify_bundle",
    "what_can",
    "who_can",
]
