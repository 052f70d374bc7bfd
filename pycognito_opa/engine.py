"""`Engine`: decisions from a local embedded OPA or from an OPA that is already running."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from ._client import DEFAULT_TIMEOUT, Limits, OpaClient
from ._decision import Decision, Verdict
from ._process import OpaProcess
from .bundle import default_bundle
from .errors import OpaQueryError, UsageError

T = TypeVar("T")

# How long a failed query waits for a dying embedded OPA to exit before calling it alive.
DEATH_WAIT_SECONDS = 1.0


class Engine:
    """Answers decision requests with the real OPA.

    With no `url`, it starts OPA on a free 127.0.0.1 port with `bundle` (default: the project's
    default bundle, built when needed) and stops it on exit. With `url`, it queries that OPA.
    If the embedded OPA dies, the next query restarts it once and retries (queries are
    idempotent). One Engine may be shared by many threads: each thread uses its own HTTP
    connection, and starting or restarting OPA happens under a lock, once. The embedded OPA
    belongs to the Engine, not to the thread that happened to start it: it runs until close()
    (or until this Python process dies, kill -9 included), and it reads request bodies of at
    most `limits.query_bytes`, the most the Engine sends in one query.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        bundle: str | os.PathLike[str] | None = None,
        opa: str | os.PathLike[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        token: str | None = None,
        limits: Limits | None = None,
        parallelism: int | None = None,
    ) -> None:
        if url and bundle:
            raise UsageError("give either url (a running OPA) or bundle (to start one), not both")
        self._url = url
        self._bundle = Path(bundle) if bundle else None
        self._opa = opa
        self._timeout = timeout
        self._token = token
        self._limits = limits
        self._parallelism = parallelism
        self._process: OpaProcess | None = None
        self._client: OpaClient | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self._ensure_client().url

    @property
    def parallelism(self) -> int:
        """How many concurrent queries `decide_many` splits a large batch into."""
        return self._ensure_client().parallelism

    @property
    def process(self) -> OpaProcess | None:
        """The embedded OPA process, if this engine started one."""
        return self._process

    def start(self) -> Engine:
        self._ensure_client()
        return self

    def _ensure_client(self) -> OpaClient:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> OpaClient:
        if self._url:
            return self._client_for(self._url)
        bundle = self._bundle or default_bundle(self._opa).path
        limits = self._limits or Limits()
        process = OpaProcess([bundle], opa=self._opa, max_body_bytes=limits.query_bytes).start()
        self._process = process
        return self._client_for(process.url)

    def _client_for(self, url: str) -> OpaClient:
        return OpaClient(
            url,
            timeout=self._timeout,
            token=self._token,
            limits=self._limits,
            parallelism=self._parallelism,
        )

    def _restart_if_dead(self, failed: OpaClient) -> OpaClient | None:
        """Restart the embedded OPA once if it died; None when that is not the failure."""
        with self._lock:
            if self._client is not failed:  # another thread already restarted it
                return self._client
            if self._process is None or not self._process.exits_within(DEATH_WAIT_SECONDS):
                return None
            self._process.stop()
            self._process = None
            failed.close()
            self._client = self._connect()
            return self._client

    def _call(self, call: Callable[[OpaClient], T]) -> T:
        client = self._ensure_client()
        try:
            return call(client)
        except OpaQueryError:
            restarted = self._restart_if_dead(client)
            if restarted is None:
                raise
            return call(restarted)

    def query(self, path: str, input_value: Any) -> Any:
        """The value of `data.<path>` (slash-separated) for `input_value`, from one OPA query."""
        return self._call(lambda client: client.query(path, input_value))

    def decide(self, request: Mapping[str, Any]) -> Decision:
        """The decision for one request."""
        return self._call(lambda client: client.decide(request))

    def decide_many(self, requests: Sequence[Mapping[str, Any]]) -> list[Decision]:
        """The decisions for many requests, in order (a large batch is split into concurrent
        queries, one per CPU: see OpaClient)."""
        return self._call(lambda client: client.decide_many(requests))

    def verdict(self, request: Mapping[str, Any]) -> Verdict:
        """The verdict alone for one request: the decision's `allowed` and `decision`, from
        data.cognito.authz.verdict (the same rules, without the explanation)."""
        return self._call(lambda client: client.verdict(request))

    def verdicts(self, requests: Sequence[Mapping[str, Any]]) -> list[Verdict]:
        """The verdicts for many requests, in order, batched like decide_many."""
        return self._call(lambda client: client.verdicts(requests))

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            if self._process is not None:
                self._process.stop()
                self._process = None

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
