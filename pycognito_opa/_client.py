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

from ._decision import Decision, Verdict
from .errors import OpaQueryError, RequestError

DECISION_PATH = "cognito/authz/decision"
DECISIONS_PATH = "cognito/authz/decisions"
VERDICT_PATH = "cognito/authz/verdict"
VERDICTS_PATH = "cognito/authz/verdicts"


# How long one query may take: DEFAULT_TIMEOUT for a single request, plus PER_REQUEST_SECONDS for
# every request of a batch query. Measured on 2 busy cores: a 10,000-request batch, split into two
# concurrent queries of 5,000, took 9.7-11.5 s, about 2 ms per request and query; 5 ms leaves a
# margin of 2.5 (a 5,000-request query may take 10 + 25 s). The Rego limits bound what one valid
# request can cost (README, "Limits"), so a query's time scales with its number of requests.
DEFAULT_TIMEOUT = 10.0
PER_REQUEST_SECONDS = 0.005

# The largest body the client sends in one query, and the largest OPA reads (its
# server.decoding.max_length and gzip.max_length: see _process.opa_limits). A batch is split
# into queries of at most this size; one request of the maximum size (1 MiB) always fits.
MAX_QUERY_BYTES = 1024 * 1024 + 1024
_ENVELOPE = len(b'{"input":{"requests":[]}}')

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
    deep and 10 KB (managed policies 6 KB), so the defaults leave a wide margin. A batch is sent
    in queries of at most `query_bytes` (`max_query_bytes`, default MAX_QUERY_BYTES, and never
    less than one request of the maximum size); an OPA the Engine starts reads no more (its
    server.decoding limits, see _process.opa_limits).
    """

    max_request_bytes: int = 1024 * 1024
    max_batch: int = 10_000
    max_depth: int = 32
    max_query_bytes: int | None = None

    def __post_init__(self) -> None:
        if min(self.max_request_bytes, self.max_batch, self.max_depth) < 1:
            raise ValueError("every limit must be at least 1")
        if self.max_query_bytes is not None and self.max_query_bytes < self.query_floor:
            raise ValueError("max_query_bytes must leave room for one request of the maximum size")

    @property
    def query_floor(self) -> int:
        """The smallest query body that holds one request of the maximum size."""
        return self.max_request_bytes + _ENVELOPE

    @property
    def query_bytes(self) -> int:
        """The largest query body the client sends (and an OPA the Engine starts reads)."""
        if self.max_query_bytes is not None:
            return self.max_query_bytes
        return max(MAX_QUERY_BYTES, self.query_floor)


def _children(item: Any, path: str) -> list[tuple[Any, str]]:
    if isinstance(item, Mapping):
        return [(v, f"{path}.{k}") for k, v in item.items()]
    if isinstance(item, list | tuple):
        return [(v, f"{path}[{i}]") for i, v in enumerate(item)]
    return []


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


def _unserialisable(value: Any, where: str) -> str:
    """The place of the first value json.dumps refuses (only called after it refused one)."""
    stack = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, Mapping) and any(not isinstance(k, str | int | float) for k in item):
            return f"{path} has a key that is not a string"
        children = _children(item, path)
        if not children:
            try:
                json.dumps(item, allow_nan=False)
            except (TypeError, ValueError):
                return path
        stack.extend(reversed(children))
    return where


def encode(value: Any, where: str = "request", limits: Limits | None = None) -> bytes:
    """JSON bytes of `value`, within `limits`; a RequestError says what is wrong and where."""
    limits = limits or Limits()
    if _depth_exceeds(value, limits.max_depth):
        raise RequestError(f"{where} is nested deeper than {limits.max_depth} levels")
    try:
        data = json.dumps(value, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        # An integer of more than sys.get_int_max_str_digits() digits, NaN, a set, ...
        place = _unserialisable(value, where)
        raise RequestError(f"{place} is not JSON-serialisable: {exc}") from exc
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
    between threads. `timeout` bounds each query (a batch query gets PER_REQUEST_SECONDS more
    per request): when it passes, the connection is closed and OPA cancels the evaluation (OPA
    stops evaluating a query whose HTTP request is gone, at its next evaluation step; the Rego
    limits keep every step short).

    OPA evaluates one query on one core, so `decide_many` splits a large batch into up to
    `parallelism` consecutive parts of at least MIN_PART requests, sends them at once on
    separate connections and joins the answers in order; `parallelism=1` keeps one query. A part
    larger than `limits.query_bytes` is split further (OPA would refuse it).
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

    def query_timeout(self, requests: int = 1) -> float:
        """How long a query of `requests` requests may take."""
        return self.timeout + PER_REQUEST_SECONDS * max(0, requests - 1)

    def _exchange(
        self, method: str, target: str, body: bytes | None, timeout: float | None = None
    ) -> tuple[int, bytes]:
        # A kept-alive connection the server has closed fails on first use: retry once on a new
        # one (decision queries and data writes are idempotent). A new connection that fails is
        # a real failure.
        limit = self.timeout if timeout is None else timeout
        while True:
            conn, fresh = self._connection()
            conn.timeout = limit
            if conn.sock is not None:
                conn.sock.settimeout(limit)
            try:
                conn.request(method, target, body=body, headers=self._headers)
                resp = conn.getresponse()
                return resp.status, resp.read()
            except TimeoutError as exc:
                self._drop_connection()
                raise OpaQueryError(
                    f"OPA at {self.url} did not answer within {limit:g} s; the query was "
                    "cancelled (split the batch or raise the timeout)"
                ) from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if fresh:
                    raise OpaQueryError(f"cannot reach OPA at {self.url}: {exc}") from exc

    def query(self, path: str, input_value: Any) -> Any:
        """POST /v1/data/<path> with `input_value`; return the `result` (raise if undefined)."""
        return self._post(path, b'{"input":' + encode(input_value, "input", self.limits) + b"}")

    def _post(self, path: str, body: bytes, timeout: float | None = None) -> Any:
        status, data = self._exchange("POST", f"{self._prefix}/v1/data/{path}", body, timeout)
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

    def put_data(self, path: str, body: bytes) -> None:
        """PUT /v1/data/<path> with `body` (JSON): OPA's Data API write of one document."""
        self._write("PUT", path, body)

    def delete_data(self, path: str) -> None:
        """DELETE /v1/data/<path>: remove the document OPA's Data API holds there."""
        self._write("DELETE", path, None)

    def _write(self, method: str, path: str, body: bytes | None) -> None:
        # Both are idempotent, so _exchange's retry on a stale connection is safe here too.
        status, data = self._exchange(method, f"{self._prefix}/v1/data/{path}", body)
        if not 200 <= status < 300:
            text = data.decode("utf-8", "replace").strip()[:500]
            raise OpaQueryError(f"OPA answered {status} for {method} /v1/data/{path}: {text}")

    def decide(self, request: Mapping[str, Any]) -> Decision:
        return Decision.from_dict(self._one(DECISION_PATH, request))

    def decide_many(self, requests: Sequence[Mapping[str, Any]]) -> list[Decision]:
        return [Decision.from_dict(r) for r in self._many(DECISIONS_PATH, requests)]

    def verdict(self, request: Mapping[str, Any]) -> Verdict:
        """The verdict alone ({"allowed", "decision"}) for one request (authz.verdict)."""
        return Verdict.from_dict(self._one(VERDICT_PATH, request))

    def verdicts(self, requests: Sequence[Mapping[str, Any]]) -> list[Verdict]:
        """The verdicts for many requests, in order, batched and split like decide_many."""
        return [Verdict.from_dict(r) for r in self._many(VERDICTS_PATH, requests)]

    def _one(self, path: str, request: Mapping[str, Any]) -> Any:
        body = encode(check_request(request), "request", self.limits)
        raw = self._post(path, b'{"input":' + body + b"}")
        if not isinstance(raw, dict):
            raise OpaQueryError(f"data.{path.replace('/', '.')} is not an object")
        return raw

    def _many(self, path: str, requests: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The raw answers of data.<path> for a batch: checked, encoded, split into parts
        (see _split), the parts sent concurrently, the answers in order."""
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
        if len(parts) == 1 or self.parallelism == 1:
            return [r for part in parts for r in self._batch(path, part)]
        # This thread sends the first part itself while the pool sends the others.
        rest = [self._executor().submit(self._batch, path, part) for part in parts[1:]]
        try:
            raw = self._batch(path, parts[0])
        finally:
            wait(rest)
        for future in rest:
            raw.extend(future.result())  # raises the part's error, if any
        return raw

    def _split(self, encoded: list[bytes]) -> list[list[bytes]]:
        """Consecutive parts of the batch, as even as possible, each of at least MIN_PART, and
        each a query body of at most limits.query_bytes."""
        n = min(self.parallelism, max(1, len(encoded) // MIN_PART))
        size, extra = divmod(len(encoded), n)
        bounds = [i * size + min(i, extra) for i in range(n + 1)]
        parts: list[list[bytes]] = []
        for i in range(n):
            parts += self._by_bytes(encoded[bounds[i] : bounds[i + 1]])
        return parts

    def _by_bytes(self, part: list[bytes]) -> list[list[bytes]]:
        """`part` cut into consecutive runs whose query bodies fit limits.query_bytes."""
        room = self.limits.query_bytes - _ENVELOPE
        runs: list[list[bytes]] = [[]]
        used = 0
        for item in part:
            cost = len(item) + 1  # the comma
            if runs[-1] and used + cost > room:
                runs.append([])
                used = 0
            runs[-1].append(item)
            used += cost
        return runs

    def _batch(self, path: str, encoded: list[bytes]) -> list[Any]:
        body = b'{"input":{"requests":[' + b",".join(encoded) + b"]}}"
        raw = self._post(path, body, self.query_timeout(len(encoded)))
        if not isinstance(raw, list) or len(raw) != len(encoded):
            raise OpaQueryError("OPA returned a different number of answers than requests")
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
