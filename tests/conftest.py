"""Shared fixtures: one real OPA (the embedded default) for the whole test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pycognito_opa import Engine, OpaProcess, default_bundle
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


@pytest.fixture(scope="session")
def engine_token(engine: Engine) -> str:
    """The owner token of the session's OPA: it answers no one else, so the tests' other
    clients of it (raw HTTP, a second Engine with other limits) present it."""
    assert engine.process is not None and engine.process.owner_token is not None
    return engine.process.owner_token


@pytest.fixture(scope="session")
def running_opa(bundle: BundleInfo) -> Iterator[OpaProcess]:
    """An OPA that is already running, as `--opa-url` reaches one (a user's own OPA): no
    Engine owns it, so any local client may query it."""
    with OpaProcess([bundle.path]) as opa:
        yield opa
