"""`Engine`: decisions from a local embedded OPA or from an OPA that is already running."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from ._client import DEFAULT_TIMEOUT, Limits, OpaClient, check_request, encode
from ._decision import Decision, Verdict
from ._process import OpaProcess
from .bundle import default_bundle
from .errors import OpaQueryError, PolicySetError, RequestError, UsageError

T = TypeVar("T")

# How long a failed query waits for a dying embedded OPA to exit before calling it alive.
DEATH_WAIT_SECONDS = 1.0

# Registered policy sets (Engine.register_policy_set). The Engine keeps every compiled entry to
# write it again into a restarted OPA, so it bounds how many it holds and their bytes. OPA holds
# an entry as parsed values, many times its JSON: 8 MiB of entries took the OPA's RSS from 112
# to 318 MiB (measured, 180 sets of 90 statements), well within its GOMEMLIMIT of 512 MiB.
MAX_REGISTERED_SETS = 1_000
MAX_REGISTERED_BYTES = 8 * 1024 * 1024
REGISTRATION_PATH = "cognito/registration/result"
REGISTERED_DATA = "registered_policy_sets"


def _canonical_set(policy_set: Any, limits: Limits) -> tuple[Any, str]:
    """The policy set as OPA reads it, and its ID: "sha256:" and the hex SHA-256 of its
    canonical JSON (sorted keys, no spaces, UTF-8). Refused (RequestError) before OPA sees it
    unless it is an object within `limits`, as a request is; the canonical JSON is never longer
    than what encode() measured (UTF-8 instead of \\u escapes)."""
    value = json.loads(encode(check_request(policy_set, "policy set"), "policy set", limits))
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        data = canonical.encode()
    except UnicodeEncodeError as exc:  # a lone surrogate ("\\ud800") has no UTF-8 form
        raise RequestError(f"policy set holds a string that is not valid Unicode: {exc}") from exc
    return value, "sha256:" + hashlib.sha256(data).hexdigest()


def _entry_bytes(result: Any, limits: Limits) -> bytes:
    """The entry the registration query compiled, as the body to store; PolicySetError with
    OPA's reasons when it refused the set."""
    if isinstance(result, dict) and "errors" in result:
        raise PolicySetError(result["errors"])
    if not isinstance(result, dict) or "entry" not in result:
        raise OpaQueryError(f"data.{REGISTRATION_PATH.replace('/', '.')} gave no entry")
    entry = json.dumps(result["entry"], separators=(",", ":"), ensure_ascii=False).encode()
    if len(entry) > limits.query_bytes:
        raise RequestError(
            f"the compiled policy set is {len(entry)} bytes, over the {limits.query_bytes} "
            "this Engine's OPA reads in one body: send its policies inline"
        )
    return entry


def _data_path(set_id: str) -> str:
    """The Data API path of a registered set; `set_id` is always one _canonical_set made."""
    return f"{REGISTERED_DATA}/{set_id}"


class Engine:
    """Answers decision requests with the real OPA.

    With no `url`, it starts OPA on a free 127.0.0.1 port with `bundle` (default: the project's
    default bundle, built when needed) and stops it on exit. With `url`, it queries that OPA.
    If the embedded OPA dies, the next query restarts it once and retries (queries are
    idempotent). One Engine may be shared by many threads: each thread uses its own HTTP
    connection, and starting or restarting OPA happens under a lock, once. The embedded OPA
    belongs to the Engine, not to the thread that happened to start it: it runs until close()
    (or until this Python process dies, kill -9 included), and it reads request bodies of at
    most `limits.query_bytes`, the most the Engine sends in one query. It answers this Engine
    alone: every OPA process started gets a new random owner token that only this Engine holds
    (see OpaProcess, `owned`), so no other local process can query it or change its policies
    and data. An Engine that starts its OPA also holds registered policy sets (see
    register_policy_set). `token` is the bearer token sent to the OPA at `url` (a sidecar's).
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
        self._limits = limits or Limits()
        self._parallelism = parallelism
        self._process: OpaProcess | None = None
        self._client: OpaClient | None = None
        # Re-entrant: a registration holds it across its write, which may restart OPA.
        self._lock = threading.RLock()
        self._registered: dict[str, bytes] = {}  # ID -> compiled entry, as stored in OPA

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
            return self._client_for(self._url, self._token)
        bundle = self._bundle or default_bundle(self._opa).path
        max_body = self._limits.query_bytes
        # Owned: OPA answers this Engine alone, which writes data (registered sets) it trusts.
        process = OpaProcess([bundle], opa=self._opa, max_body_bytes=max_body, owned=True).start()
        client = self._client_for(process.url, process.owner_token)
        try:
            # A restarted OPA has lost every data write: the registered sets are written again.
            for set_id, entry in self._registered.items():
                client.put_data(_data_path(set_id), entry)
        except BaseException:
            client.close()
            process.stop()
            raise
        self._process = process
        return client

    def _client_for(self, url: str, token: str | None) -> OpaClient:
        return OpaClient(
            url,
            timeout=self._timeout,
            token=token,
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
            self._client = None  # if the restart fails, the next query tries again
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

    def register_policy_set(self, policy_set: Mapping[str, Any]) -> str:
        """Register a policy set with the embedded OPA; return its ID.

        For a CI suite or a simulation that sends the same policy documents with many requests:
        the set, an object of the request fields policies, managed_policies,
        permissions_boundary, scps, session_policies and resource_policy, is sent, validated
        and compiled once; requests then carry `"policy_set": ID` instead of those fields, and
        OPA neither reads, validates nor compiles the documents again (the gain is measured in
        BENCHMARKS.md). Such a request is decided exactly as the same request carrying the set.

        The ID is "sha256:" and the hex SHA-256 of the set's canonical JSON (sorted keys, no
        spaces, UTF-8): registering the same content again returns it without a query. Only an
        Engine that starts its own OPA registers sets: with `url` (a sidecar, read-only) it is
        a UsageError. Refused with RequestError: a set that is not an object or not within
        `limits` as a request (its JSON at most max_request_bytes), a compiled entry larger
        than one body OPA reads (limits.query_bytes), more than MAX_REGISTERED_SETS sets or
        MAX_REGISTERED_BYTES of entries in this Engine. PolicySetError: OPA's reasons for an
        invalid set. Registered sets survive a restart of the embedded OPA (the Engine writes
        them again); close() forgets them.
        """
        self._refuse_remote()
        value, set_id = _canonical_set(policy_set, self._limits)
        with self._lock:
            if set_id in self._registered:
                return set_id
        # Compiling may take a while: other threads' queries go on meanwhile.
        result = self._call(lambda client: client.query(REGISTRATION_PATH, value))
        entry = _entry_bytes(result, self._limits)
        with self._lock:
            if set_id not in self._registered:  # another thread may have registered it meanwhile
                self._check_room(len(entry))
                self._call(lambda client: client.put_data(_data_path(set_id), entry))
                self._registered[set_id] = entry
        return set_id

    def unregister_policy_set(self, policy_set_id: str) -> None:
        """Remove a registered policy set: requests naming it are then "invalid"
        (unknown_policy_set). RequestError if this Engine holds no set of that ID."""
        self._refuse_remote()
        with self._lock:
            if policy_set_id not in self._registered:
                raise RequestError(
                    f"no policy set {policy_set_id[:80]!r} is registered with this Engine"
                )
            self._call(lambda client: client.delete_data(_data_path(policy_set_id)))
            del self._registered[policy_set_id]

    def _refuse_remote(self) -> None:
        if self._url:
            raise UsageError(
                "policy sets are registered only with the OPA an Engine starts itself: "
                "a running OPA (a sidecar) is read-only, so send the policies inline"
            )

    def _check_room(self, entry_bytes: int) -> None:
        """Refuse a new entry past MAX_REGISTERED_SETS or MAX_REGISTERED_BYTES (under the lock)."""
        if len(self._registered) >= MAX_REGISTERED_SETS:
            raise RequestError(
                f"this Engine holds {len(self._registered)} registered policy sets, the most it "
                "holds: unregister some first"
            )
        held = sum(len(e) for e in self._registered.values())
        if held + entry_bytes > MAX_REGISTERED_BYTES:
            raise RequestError(
                f"this Engine holds {held} bytes of compiled policy sets; {entry_bytes} more "
                f"would pass its limit of {MAX_REGISTERED_BYTES}: unregister some first"
            )

    def close(self) -> None:
        with self._lock:
            self._registered.clear()
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
