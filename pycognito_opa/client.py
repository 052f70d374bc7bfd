"""Decision queries to an OPA server over its REST data API."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from .decision import Decision
from .errors import OpaQueryError, RequestError

DECISION_PATH = "cognito/authz/decision"
DECISIONS_PATH = "cognito/authz/decisions"


DEFAULT_TIMEOUT = 10.0


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


def _timed_out(exc: BaseException) -> bool:
    """Whether a requests error is a timeout (reading the answer, or still sending the body)."""
    if isinstance(exc, requests.Timeout | TimeoutError):
        return True
    return any(isinstance(a, BaseException) and _timed_out(a) for a in exc.args)


def check_request(request: Any, where: str = "request") -> Mapping[str, Any]:
    """A request must be a JSON object; its fields are validated by the Rego policy."""
    if not isinstance(request, Mapping):
        raise RequestError(f"{where} must be a JSON object, got {type(request).__name__}")
    return request


class OpaClient:
    """Queries `data.cognito.authz` on one OPA server.

    Safe to share between threads: each thread gets its own HTTP session (connection pool).
    `timeout` bounds each query: when it passes, the connection is closed and OPA cancels the
    evaluation (OPA stops evaluating a query whose HTTP request is gone).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        token: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.limits = limits or Limits()
        self._headers = {"Content-Type": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def query(self, path: str, input_value: Any) -> Any:
        """POST /v1/data/<path> with `input_value`; return the `result` (raise if undefined)."""
        return self._post(path, b'{"input":' + encode(input_value, "input", self.limits) + b"}")

    def _post(self, path: str, body: bytes) -> Any:
        try:
            resp = self._session().post(
                f"{self.url}/v1/data/{path}",
                data=body,
                headers=self._headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            if not _timed_out(exc):
                raise OpaQueryError(f"cannot reach OPA at {self.url}: {exc}") from exc
            raise OpaQueryError(
                f"OPA at {self.url} did not answer within {self.timeout:g} s; the query was "
                "cancelled (split the batch or raise the timeout)"
            ) from exc
        if resp.status_code != 200:
            raise OpaQueryError(
                f"OPA answered {resp.status_code} for /v1/data/{path}: {resp.text.strip()[:500]}"
            )
        try:
            payload = resp.json()
        except ValueError as exc:
            raise OpaQueryError(f"OPA sent a body that is not JSON: {exc}") from exc
        if "result" not in payload:
            raise OpaQueryError(
                f"data.{path.replace('/', '.')} is undefined at {self.url}: "
                "is the pycognito-opa bundle loaded?"
            )
        return payload["result"]

    def decide(self, request: Mapping[str, Any]) -> Decision:
        body = encode(check_request(request), "request", self.limits)
        return Decision.from_dict(self._post(DECISION_PATH, b'{"input":' + body + b"}"))

    def decide_many(self, requests_: Sequence[Mapping[str, Any]]) -> list[Decision]:
        if len(requests_) > self.limits.max_batch:
            raise RequestError(
                f"batch of {len(requests_)} requests is over the limit of {self.limits.max_batch}"
            )
        encoded = [
            encode(check_request(r, f"requests[{i}]"), f"requests[{i}]", self.limits)
            for i, r in enumerate(requests_)
        ]
        if not encoded:
            return []
        body = b'{"input":{"requests":[' + b",".join(encoded) + b"]}}"
        raw = self._post(DECISIONS_PATH, body)
        if not isinstance(raw, list) or len(raw) != len(encoded):
            raise OpaQueryError("OPA returned a different number of decisions than requests")
        return [Decision.from_dict(r) for r in raw]

    def healthy(self) -> bool:
        try:
            resp = self._session().get(f"{self.url}/health", params={"bundles": ""}, timeout=2)
        except requests.RequestException:
            return False
        return resp.status_code == 200

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None
