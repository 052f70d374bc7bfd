"""OPA bundles: build them from the project's Rego and data (and a user's policies and
principals), signed; read what a built bundle holds; the default bundle."""

from ._build import DERIVED_PATH, DERIVED_RULES, ROOTS, BundleInfo, build_bundle
from ._default import default_bundle
from ._inspect import BundleReport, inspect_bundle, read_manifest, verify_bundle
from ._keys import (
    DEFAULT_KEY_ID,
    DEFAULT_SIGNING_ALG,
    KEYGEN_HINT,
    SIGNING_ALGS,
    check_signing_alg,
    check_signing_key,
    check_verification_key,
)

__all__ = [
    "DEFAULT_KEY_ID",
    "DEFAULT_SIGNING_ALG",
    "DERIVED_PATH",
    "DERIVED_RULES",
    "KEYGEN_HINT",
    "ROOTS",
    "SIGNING_ALGS",
    "BundleInfo",
    "BundleReport",
    "build_bundle",
    "check_signing_alg",
    "check_signing_key",
    "check_verification_key",
    "default_bundle",
    "inspect_bundle",
    "read_manifest",
    "verify_bundle",
]
