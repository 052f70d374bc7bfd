"""Decision queries to an OPA server over its REST data API."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from .decision import Decision
from .errors import OpaQueryError, RequestError

DECISION_PATH = "cognito/authz/decision"
DECISIONS_PATH = "cognito/authz/decisions"


def encode(value: Any) -> bytes:
    """JSON bytes of `value`, or a RequestError naming what is not JSON."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise RequestError(f"request is not JSON-serialisable: {exc}") from exc


def check_request(request: Any, where: str = "request") -> Mapping[str, Any]:
    """A request must be a JSON object; its fields are validated by the Rego policy."""
    if not isinstance(request, Mapping):
        raise RequestError(f"{where} must be a JSON object, got {type(request).__name__}")
    return request


class OpaClient:
    """Queries `data.cognito.authz` on one OPA server.

    Safe to share between threads: each thread gets its own HTTP session (connection pool).
    """

    def __init__(self, url: str, *, timeout: float = 30.0, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
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
        body = b'{"input":' + encode(input_value) + b"}"
        try:
            resp = self._session().post(
                f"{self.url}/v1/data/{path}",
                data=body,
                headers=self._headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise OpaQueryError(f"cannot reach OPA at {self.url}: {exc}") from exc
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
        raw = self.query(DECISION_PATH, check_request(request))
        return Decision.from_dict(raw)

    def decide_many(self, requests_: Sequence[Mapping[str, Any]]) -> list[Decision]:
        checked = [check_request(r, f"requests[{i}]") for i, r in enumerate(requests_)]
        if not checked:
            return []
        raw = self.query(DECISIONS_PATH, {"requests": checked})
        if not isinstance(raw, list) or len(raw) != len(checked):
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
