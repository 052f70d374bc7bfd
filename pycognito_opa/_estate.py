"""A user's own IAM policies and principals, read from a folder before they go into a bundle.

A policies folder holds one IAM policy document per file (`NAME.json`, `NAME.yaml` or
`NAME.yml`; the policy's name is the file stem) and a principals file (`principals.yaml`,
`principals.yml` or `principals.json`, or one given explicitly) that maps principal ARNs to
the names of their policies, AWS managed policies and permissions boundary:

    arn:aws:iam::111122223333:role/Admins:
      policies: [pool-admin]
      managed_policies: [AmazonCognitoReadOnly]
      permissions_boundary: cognito-only

This module only reads: each file becomes JSON (`_files.load_document`, with its limits), and
a problem with the folder or a file's format (not JSON or YAML, a principals file that is not
a mapping, two files for one name) is an `InputFileError` naming the file and the reason.
Whether the policies are valid IAM policies, the principals IAM principals and the names
resolve is decided by the Rego modules when the bundle is built (`cognito.store`), never here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._files import load_document
from .errors import InputFileError

PRINCIPALS_FILE_NAMES = ("principals.yaml", "principals.yml", "principals.json")
POLICY_SUFFIXES = (".json", ".yaml", ".yml")
STORE_PATH = "cognito/store"
MAX_POLICY_FILES = 10_000  # IAM allows at most 5,000 customer managed policies per account


@dataclass(frozen=True)
class Estate:
    """A policies folder as read: policy documents by name, the files they came from, and the
    principals file's mapping (principal ARN -> what it names), all unchecked."""

    source: Path
    policies: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, Path] = field(default_factory=dict)
    principals: Mapping[str, Any] = field(default_factory=dict)
    principals_file: Path | None = None

    def to_input(self) -> dict[str, Any]:
        """The input of the Rego that checks and assembles the store (data.cognito.store.build):
        the documents, the principals and the file each came from, for error messages."""
        files: dict[str, Any] = {"policies": {name: str(p) for name, p in self.files.items()}}
        if self.principals_file is not None:
            files["principals"] = str(self.principals_file)
        return {
            "policies": dict(self.policies),
            "principals": dict(self.principals),
            "files": files,
        }


def _policy_files(directory: Path, principals_file: Path | None) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix not in POLICY_SUFFIXES or path.name.startswith("."):
            continue
        if path.name in PRINCIPALS_FILE_NAMES or (
            principals_file is not None and path.resolve() == principals_file.resolve()
        ):
            continue
        if path.stem in files:
            raise InputFileError(
                path, f"policy name {path.stem!r} is also used by {files[path.stem].name}"
            )
        files[path.stem] = path
        if len(files) > MAX_POLICY_FILES:
            raise InputFileError(directory, f"more than {MAX_POLICY_FILES:,} policy files")
    return files


def _find_principals_file(directory: Path) -> Path | None:
    found = [directory / n for n in PRINCIPALS_FILE_NAMES if (directory / n).is_file()]
    if len(found) > 1:
        raise InputFileError(found[1], f"more than one principals file (also {found[0].name})")
    return found[0] if found else None


def _principals(path: Path) -> dict[str, Any]:
    """The principals file's mapping: the file itself, or its only key `principals`."""
    raw = load_document(path)
    if isinstance(raw, dict) and set(raw) == {"principals"}:
        raw = raw["principals"]
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputFileError(path, "expected a mapping of principal ARNs to their policies")
    return raw


def load_estate(
    policies_dir: str | os.PathLike[str],
    *,
    principals_file: str | os.PathLike[str] | None = None,
) -> Estate:
    """Read a policies folder and its principals file (DIR/principals.yaml unless given)."""
    directory = Path(policies_dir)
    if not directory.is_dir():
        raise InputFileError(directory, "not a folder of IAM policy files")
    explicit = Path(principals_file) if principals_file else None
    if explicit is not None and not explicit.is_file():
        raise InputFileError(explicit, "principals file not found")
    files = _policy_files(directory, explicit)
    policies = {name: load_document(path) for name, path in files.items()}
    source = explicit or _find_principals_file(directory)
    return Estate(
        source=directory,
        policies=policies,
        files=files,
        principals=_principals(source) if source is not None else {},
        principals_file=source,
    )
