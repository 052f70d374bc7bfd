"""Signing and verification keys for bundles: PEM files only (OPA would take any other text
as an HMAC secret)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputFileError

DEFAULT_SIGNING_ALG = "RS256"
DEFAULT_KEY_ID = "pycognito-opa"
SIGNING_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
KEYGEN_HINT = (
    "create a key pair with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
    "-out private.pem && openssl pkey -in private.pem -pubout -out public.pem"
)


def _pem(path: str | os.PathLike[str], what: str) -> str:
    p = Path(path)
    try:
        text = p.read_text(encoding="ascii")
    except FileNotFoundError:
        raise InputFileError(p, f"{what} not found; {KEYGEN_HINT}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(p, f"cannot read the {what}: {exc}") from exc
    if "-----BEGIN " not in text:
        raise InputFileError(p, f"not a PEM file; {KEYGEN_HINT}")
    return text


def check_signing_key(path: str | os.PathLike[str]) -> Path:
    """A PEM private key file. (OPA would take any other text as an HMAC secret.)"""
    if "PRIVATE KEY-----" not in _pem(path, "signing key"):
        raise InputFileError(path, f"not a PEM private key; {KEYGEN_HINT}")
    return Path(path)


def check_verification_key(path: str | os.PathLike[str]) -> str:
    """The text of a PEM public key (or certificate) file, refusing private keys."""
    text = _pem(path, "verification key")
    if "PRIVATE KEY-----" in text:
        raise InputFileError(
            path,
            "this is a private key: give sidecars the public key only "
            "(openssl pkey -in private.pem -pubout -out public.pem)",
        )
    if "PUBLIC KEY-----" not in text and "CERTIFICATE-----" not in text:
        raise InputFileError(path, "not a PEM public key or certificate")
    return text


def check_signing_alg(alg: str) -> str:
    if alg not in SIGNING_ALGS:
        raise InputFileError(alg, f"unsupported signing algorithm (use one of {SIGNING_ALGS})")
    return alg
