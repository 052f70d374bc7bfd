"""Shared fixtures: one real OPA (the embedded default) for the whole test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pycognito_opa import Engine, default_bundle
from pycognito_opa.bundle import BundleInfo


@pytest.fixture(scope="session")
def bundle() -> BundleInfo:
    """The default bundle, built once by `opa build`."""
    return default_bundle()


@pytest.fixture(scope="session")
def engine(bundle: BundleInfo) -> Iterator[Engine]:
    """A real OPA serving the default bundle on a free loopback port."""
    with Engine(bundle=bundle.path) as eng:
        yield eng
