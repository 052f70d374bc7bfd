"""Decision queries to an OPA server over its REST data API."""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from ._decision import Decision
from .errors import OpaQueryError, RequestError

DECISION_PATH = "cognito/authz/decision"
DECISIONS_PATH = "cognito/authz/decisions"


DEFAULT_TIMEOUT = 10.0

# A batch is split into concurrent queries only when each part keeps at least this many
# requests: below that, the extra round trip costs about what the second core saves
# (measured: two parts of 10 already answer a batch of 20 about a fifth faster than one query).
MIN_PART = 10


def default_parallelism() -> int:
    """Concurrent queries per batch: one per CPU, at most 4 (OPA evaluates a query on one core)."""
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True)
class Limits:
    """What is refused before OPA sees it.

    A request larger than `max_request_bytes` of JSON, nested deeper than `max_depth`, or a batch
    of more than `max_batch` requests is a RequestError. Real IAM policies are at most a few levels
    deep and 10 KB (managed policies 6 KB), so the defaults leave a wide margin.
    """

    max_request_bytes: int = 1024 * 1024
    max_batch: int = 10_000
    max_depth: int = 32


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests lists/objects deeper than `limit` (iterative: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = list(item.values())
        elif isinstance(item, list | tuple):
            children = list(item)
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def encode(value: Any, where: str = "request", limits: Limits | None = None) -> bytes:
    """JSON bytes of `value`, within `limits`; a RequestError says what is wrong and where."""
    limits = limits or Limits()
    if _depth_exceeds(value, limits.max_depth):
        raise RequestError(f"{where} is nested deeper than {limits.max_depth} levels")
    try:
        data = json.dumps(value, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise RequestError(f"{where} is not JSON-serialisable: {exc}") from exc
    if len(data) > limits.max_request_bytes:
        raise RequestError(
            f"{where} is {len(data)} bytes of JSON, over the limit of {limits.max_request_bytes}"
        )
    return data


def check_request(request: Any, where: str = "request") -> Mapping[str, Any]:
    """A request must be a JSON object; its fields are validated by the Rego policy."""
    if not isinstance(request, Mapping):
        raise RequestError(f"{where} must be a JSON object, got {type(request).__name__}")
    return request


class OpaClient:
    """Queries `data.cognito.authz` on one OPA server.

    Keeps one persistent HTTP/1.1 connection per thread (the standard library's http.client: a
    fraction of the per-call cost of a general-purpose HTTP library), so it is safe to share
    between threads. `timeout` bounds each query: when it passes, the connection is closed and
    OPA cancels the evaluation (OPA stops evaluating a query whose HTTP request is gone).

    OPA evaluates one query on one core, so `decide_many` splits a large batch into up to
    `parallelism` consecutive parts of at least MIN_PART requests, sends them at once on
    separate connections and joins the answers in order; `parallelism=1` keeps one query.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        token: str | None = None,
        limits: Limits | None = None,
        parallelism: int | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OpaQueryError(f"not an http(s) URL of an OPA server: {url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path
        self.timeout = timeout
        self.limits = limits or Limits()
        self.parallelism = max(1, parallelism if parallelism is not None else default_parallelism())
        self._pool: ThreadPoolExecutor | None = None
        self._headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection, and whether it is a new one."""
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, False
        factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = factory(self._host, self._port, timeout=self.timeout)
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)
        return conn, True

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)

    def _exchange(self, method: str, target: str, body: bytes | None) -> tuple[int, bytes]:
        # A kept-alive connection the server has closed fails on first use: retry once on a new
        # one (decision queries are idempotent). A new connection that fails is a real failure.
        while True:
            conn, fresh = self._connection()
            try:
                conn.request(method, target, body=body, headers=self._headers)
                resp = conn.getresponse()
                return resp.status, resp.read()
            except TimeoutError as exc:
                self._drop_connection()
                raise OpaQueryError(
                    f"OPA at {self.url} did not answer within {self.timeout:g} s; the query was "
                    "cancelled (split the batch or raise the timeout)"
                ) from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if fresh:
                    raise OpaQueryError(f"cannot reach OPA at {self.url}: {exc}") from exc

    def query(self, path: str, input_value: Any) -> Any:
        """POST /v1/data/<path> with `input_value`; return the `result` (raise if undefined)."""
        return self._post(path, b'{"input":' + encode(input_value, "input", self.limits) + b"}")

    def _post(self, path: str, body: bytes) -> Any:
        status, data = self._exchange("POST", f"{self._prefix}/v1/data/{path}", body)
        if status != 200:
            text = data.decode("utf-8", "replace").strip()[:500]
            raise OpaQueryError(f"OPA answered {status} for /v1/data/{path}: {text}")
        try:
            payload = json.loads(data)
        except ValueError as exc:
            raise OpaQueryError(f"OPA sent a body that is not JSON: {exc}") from exc
        if not isinstance(payload, dict) or "result" not in payload:
            raise OpaQueryError(
                f"data.{path.replace('/', '.')} is undefined at {self.url}: "
                "is the pycognito-opa bundle loaded?"
            )
        return payload["result"]

    def decide(self, request: Mapping[str, Any]) -> Decision:
        body = encode(check_request(request), "request", self.limits)
        return Decision.from_dict(self._post(DECISION_PATH, b'{"input":' + body + b"}"))

    def decide_many(self, requests: Sequence[Mapping[str, Any]]) -> list[Decision]:
        if len(requests) > self.limits.max_batch:
            raise RequestError(
                f"batch of {len(requests)} requests is over the limit of {self.limits.max_batch}"
            )
        encoded = [
            encode(check_request(r, f"requests[{i}]"), f"requests[{i}]", self.limits)
            for i, r in enumerate(requests)
        ]
        if not encoded:
            return []
        parts = self._split(encoded)
        if len(parts) == 1:
            raw = self._decisions(parts[0])
        else:
            # This thread sends the first part itself while the pool sends the others.
            rest = [self._executor().submit(self._decisions, part) for part in parts[1:]]
            try:
                raw = self._decisions(parts[0])
            finally:
                wait(rest)
            for future in rest:
                raw.extend(future.result())  # raises the part's error, if any
        return [Decision.from_dict(r) for r in raw]

    def _split(self, encoded: list[bytes]) -> list[list[bytes]]:
        """Consecutive parts of the batch, as even as possible, each of at least MIN_PART."""
        n = min(self.parallelism, max(1, len(encoded) // MIN_PART))
        size, extra = divmod(len(encoded), n)
        bounds = [i * size + min(i, extra) for i in range(n + 1)]
        return [encoded[bounds[i] : bounds[i + 1]] for i in range(n)]

    def _decisions(self, encoded: list[bytes]) -> list[Any]:
        body = b'{"input":{"requests":[' + b",".join(encoded) + b"]}}"
        raw = self._post(DECISIONS_PATH, body)
        if not isinstance(raw, list) or len(raw) != len(encoded):
            raise OpaQueryError("OPA returned a different number of decisions than requests")
        return raw

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.parallelism - 1, thread_name_prefix="pycognito-opa-batch"
                )
            return self._pool

    def healthy(self) -> bool:
        try:
            status, _ = self._exchange("GET", f"{self._prefix}/health?bundles", None)
        except OpaQueryError:
            return False
        return status == 200

    def close(self) -> None:
        """Stop the batch threads and close every thread's connection."""
        with self._lock:
            pool, self._pool = self._pool, None
            connections, self._connections = self._connections, []
        if pool is not None:
            pool.shutdown(wait=True)
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> OpaClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
