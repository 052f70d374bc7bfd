"""Hostile input: every kind of input a caller controls, at the size that hurt before its limit.

Each case asserts: an answer within its bound (seconds), no traceback, the documented outcome
(an HTTP status, `decision: "invalid"` with the field named, or the CLI's exit code with one
JSON line), OPA's peak resident memory (VmHWM in /proc/PID/status of the OPA child) below a
stated bound, OPA's CPU seconds for the case below a stated bound, and OPA still answering a
known request correctly afterwards (the seed's first example policy).

Bounds are generous for 2 busy cores: they hold ten times over on a quiet machine, and they
are far below what the same input cost before its limit (measured numbers in the README,
"Limits and bad input"). `PYCOGNITO_OPA_FUZZ=nightly make test` runs the heavy variants.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from fleet_helpers import LIST_POOLS, cli, gone, one_json_error

from pycognito_opa import Engine, OpaQueryError, RequestError
from pycognito_opa._client import MAX_QUERY_BYTES, PER_REQUEST_SECONDS, OpaClient
from pycognito_opa._process import REGEX_CACHE_ENTRIES, OpaProcess
from pycognito_opa.bundle import BundleInfo
from pycognito_opa.fleet.server import BundleServer
from pycognito_opa.fleet.sidecar import HardenedSidecar, ServeOptions

NIGHTLY = os.environ.get("PYCOGNITO_OPA_FUZZ") == "nightly"
MiB = 1024 * 1024
TOKEN = "0123456789abcdef0123456789abcdef"
DECISION = "/v1/data/cognito/authz/decision"
DECISIONS = "/v1/data/cognito/authz/decisions"
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"
# An ARN of the maximum length (2,048 characters).
LONGEST_ARN = POOL + "a" * (2048 - len(POOL))


# --- measuring OPA -----------------------------------------------------------------------------


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return {k: int(fields[k].split()[0]) // 1024 for k in ("VmRSS", "VmHWM")}


def peak_mib(pid: int) -> int:
    return _status(pid)["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_within(pid: int, seconds: float = 1.0, window: float = 1.0) -> float:
    """CPU seconds OPA uses in `window` seconds, starting `seconds` from now."""
    time.sleep(seconds)
    start = cpu_seconds(pid)
    time.sleep(window)
    return cpu_seconds(pid) - start


def still_correct(url: str, token: str | None = None) -> None:
    """OPA answers the seed's first example as AWS documents it."""
    with Engine(url=url, token=token, timeout=30) as engine:
        assert engine.decide(LIST_POOLS).decision == "allow"


# --- request bodies, before any policy runs -------------------------------------------------


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body of about inflated/1000 bytes (1 GiB: 1,043,000 bytes, within OPA's body
    limit) that inflates to `inflated` bytes of spaces: one member compressing 64 MiB, repeated
    (gzip readers read concatenated members)."""
    return _gzip_member() * max(1, inflated // (64 * MiB))


@functools.cache
def _gzip_member() -> bytes:
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    return member.compress(b" " * (64 * MiB)) + member.flush()


def tiny_values(kind: str, size: int) -> bytes:
    """A JSON body of `size` bytes holding as many tiny values as fit: the most memory a
    body of that size can make a JSON decoder allocate."""
    item = {"objects": b"{}", "arrays": b"[]", "numbers": b"1"}[kind]
    n = (size - 32) // (len(item) + 1)
    return b'{"input":[' + b",".join([item] * n) + b"]}"


YAML_LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
).encode()


@pytest.fixture(scope="module")
def guarded(
    bundle: BundleInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HardenedSidecar]:
    """A hardened sidecar whose decision queries need a bearer token: the exposed case."""
    token = tmp_path_factory.mktemp("token") / "token"
    token.write_text(TOKEN)
    options = ServeOptions(bundle=bundle.path, token_file=token, addr="127.0.0.1:0")
    with HardenedSidecar(options) as sidecar:
        yield sidecar
        assert sidecar.alive()


# Body bounds: a refused body costs OPA the read of at most MAX_QUERY_BYTES (plain or inflated):
# the peak may grow by BODY_PEAK_MIB at most (it grew by 2,044 MiB for one gzip bomb before).
BODY_PEAK_MIB = 64
# A body of the maximum size made of a million tiny JSON values costs OPA about 130 MiB while
# it decodes it; with GOMEMLIMIT=512MiB several in a row stay below this.
TINY_VALUES_PEAK_MIB = 700


@pytest.mark.parametrize("path", ["/v1/data", DECISION])
def test_a_gzip_bomb_without_a_token_is_refused_at_the_limit(guarded: HardenedSidecar, path: str):
    pid, url = guarded.pid, guarded.url
    before = peak_mib(pid)
    body = gzip_bomb((1024 if NIGHTLY else 256) * MiB)
    assert len(body) < MAX_QUERY_BYTES
    started = time.monotonic()
    resp = requests.post(
        url + path,
        data=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        timeout=30,
    )
    assert time.monotonic() - started < 10
    assert resp.status_code == 400, resp.text
    assert "decompressed size exceeds limit" in resp.json()["message"]
    assert peak_mib(pid) - before < BODY_PEAK_MIB
    still_correct(url, TOKEN)


@pytest.mark.parametrize("path", ["/v1/data", DECISION])
def test_a_huge_plain_body_is_refused_at_the_limit(guarded: HardenedSidecar, path: str):
    pid, url = guarded.pid, guarded.url
    before = peak_mib(pid)
    size = (1024 if NIGHTLY else 64) * MiB
    chunk = b"a" * MiB

    def body() -> Iterator[bytes]:  # streamed: the test itself never holds it whole
        yield b'{"input": "'
        for _ in range(size // MiB):
            yield chunk
        yield b'"}'

    started = time.monotonic()
    try:
        resp = requests.post(url + path, data=body(), timeout=30)
    except requests.ConnectionError:
        resp = None  # OPA answered and closed the connection while the body was still coming
    assert time.monotonic() - started < 20
    if resp is not None:
        assert resp.status_code == 400, resp.text
        assert "request body too large" in resp.json()["message"]
    assert peak_mib(pid) - before < BODY_PEAK_MIB
    still_correct(url, TOKEN)


def test_the_largest_body_of_tiny_values_is_bounded(guarded: HardenedSidecar):
    pid, url = guarded.pid, guarded.url
    for kind in ("objects", "arrays", "numbers"):
        body = tiny_values(kind, MAX_QUERY_BYTES)
        for path in ("/v1/data", DECISIONS):
            started = time.monotonic()
            resp = requests.post(url + path, data=body, timeout=60)
            assert time.monotonic() - started < 20
            assert resp.status_code == 401, resp.text  # decoded, then refused: no token
        gzipped = zlib.compress(body, 9, wbits=31)
        headers = {"Content-Encoding": "gzip"}
        resp = requests.post(url + DECISIONS, data=gzipped, headers=headers, timeout=60)
        assert resp.status_code == 401
        over = tiny_values(kind, MAX_QUERY_BYTES + 64)
        assert len(over) > MAX_QUERY_BYTES
        assert requests.post(url + DECISIONS, data=over, timeout=60).status_code == 400
    assert peak_mib(pid) < TINY_VALUES_PEAK_MIB
    still_correct(url, TOKEN)


def test_a_yaml_alias_bomb_is_refused(guarded: HardenedSidecar):
    url = guarded.url
    resp = requests.post(
        url + "/v1/data",
        data=YAML_LAUGHS,
        headers={"Content-Type": "application/x-yaml"},
        timeout=30,
    )
    assert resp.status_code == 400
    assert "alias" in resp.json()["message"]
    still_correct(url, TOKEN)


def test_a_batch_over_10000_requests_is_refused_by_the_sidecar(guarded: HardenedSidecar):
    url = guarded.url
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"input": {"requests": [{}] * 10_001}}
    resp = requests.post(url + DECISIONS, json=body, headers=headers, timeout=30)
    assert resp.status_code == 401
    assert "10001 decision requests is refused" in resp.json()["message"]
    at_limit = {"input": {"requests": [LIST_POOLS] * 3}}
    assert requests.post(url + DECISIONS, json=at_limit, headers=headers, timeout=30).ok


def test_the_embedded_opa_reads_no_more_than_the_client_sends(engine: Engine, engine_token: str):
    # A request of about the largest size the client sends is read and answered (its unknown
    # field ignored); a gzip bomb is refused at the same limit.
    pid = engine.process.pid
    before = peak_mib(pid)
    big = {**LIST_POOLS, "pad": ["x" * 1000] * 1000}
    assert engine.decide(big).decision == "allow"
    bomb = gzip_bomb(256 * MiB)
    headers = {"Content-Encoding": "gzip", "Authorization": f"Bearer {engine_token}"}
    resp = requests.post(engine.url + DECISION, data=bomb, headers=headers, timeout=30)
    assert resp.status_code == 400
    assert peak_mib(pid) - before < BODY_PEAK_MIB + 32
    still_correct(engine.url, engine_token)


# --- patterns: evaluation within the Rego limits ---------------------------------------------


def _request(*statements: dict[str, Any], resource: str = LONGEST_ARN, **extra: Any) -> dict:
    return {
        "action": "cognito-idp:DescribeUserPool",
        "resource": resource,
        "policies": [{"Version": "2012-10-17", "Statement": list(statements)}],
        **extra,
    }


def _allow(**elements: Any) -> dict:
    return {"Effect": "Allow", "Action": "cognito-idp:DescribeUserPool", **elements}


# Patterns just within the matching-work budget (cognito.limits): each pattern character
# against each of the 2,048 characters of the longest ARN.
_K = (7_900_000 // (2048 + 256) // 2 - len(POOL)) // 2

WITHIN = {
    "star-question": _request(_allow(Resource=[POOL + "*?" * _K + "1", POOL + "*?" * _K + "2"])),
    "star-letter": _request(_allow(Resource=[POOL + "*a" * _K + "b", POOL + "*a" * _K + "c"])),
    "literal-run": _request(
        _allow(Resource=[POOL + "*" + "a" * 2 * _K + "b", POOL + "*" + "a" * 2 * _K + "c"])
    ),
    "condition": _request(
        _allow(
            Resource="*",
            Condition={"ForAnyValue:StringLike": {"k": ["*a" * 230 + "b", "*a" * 230 + "c"]}},
        ),
        context={"k": ["a" * 2000] * 4},
    ),
    "unclosed-variables": _request(
        *[_allow(Resource=POOL + "x${" * 16 + "a" * 1900 + str(i)) for i in range(4)],
        resource="*",
    ),
}

# The cases, far past the limits, and their neighbours.
OVER = {
    "star-question-50000": (
        _request(_allow(Resource=POOL + "*?" * 50_000), resource=POOL + "a" * 100_000),
        "resource",
    ),
    "dollar-brace-50000": (_request(_allow(Resource=POOL + "${" * 50_000)), "policies[0]"),
    "long-resource": (_request(_allow(Resource="*"), resource=POOL + "a" * 100_000), "resource"),
    "long-pattern": (
        _request(_allow(Resource=["*", POOL + "*" * 3000])),
        "policies[0].Statement[0].Resource[1]",
    ),
    "many-variables": (
        _request(_allow(Resource=POOL + "${aws:username}" * 17)),
        "policies[0].Statement[0].Resource",
    ),
    "over-budget": (
        _request(_allow(Resource=[POOL + "*?" * _K + str(i) for i in range(3)])),
        "policies[0].Statement[0].Resource[0]",
    ),
    "long-context-value": (_request(_allow(Resource="*"), context={"k": "v" * 2049}), "context.k"),
    "documents-together": (
        {
            **_request(_allow(Resource="*")),
            "policies": [{"Statement": _allow(Resource="*", Sid="s" * 10_100)}] * 17,
        },
        "policies",
    ),
}

# CPU seconds OPA may spend on one request within the limits (measured: 0.10-0.15 s for the
# costliest shapes; before the limits one such request took 80-103 CPU seconds).
WITHIN_CPU_SECONDS = 1.5


@pytest.fixture(scope="module")
def measured(bundle: BundleInfo) -> Iterator[OpaProcess]:
    """An OPA of its own, so its CPU time and peak memory are this module's."""
    with OpaProcess([bundle.path]) as opa:
        yield opa
        assert opa.alive()
        still_correct(opa.url)


@pytest.mark.parametrize("name", list(WITHIN))
def test_the_costliest_requests_within_the_limits_are_evaluated_quickly(
    measured: OpaProcess, name: str
):
    with Engine(url=measured.url, timeout=30) as engine:
        before = cpu_seconds(measured.pid)
        decision = engine.decide(WITHIN[name])
        spent = cpu_seconds(measured.pid) - before
    assert decision.decision != "invalid", decision.errors
    assert spent < WITHIN_CPU_SECONDS
    still_correct(measured.url)


@pytest.mark.parametrize("name", list(OVER))
def test_requests_past_the_limits_are_invalid_with_the_field(measured: OpaProcess, name: str):
    request, field = OVER[name]
    with Engine(url=measured.url, timeout=30) as engine:
        before = cpu_seconds(measured.pid)
        started = time.monotonic()
        decision = engine.decide(request)
        elapsed = time.monotonic() - started
        spent = cpu_seconds(measured.pid) - before
    assert decision.decision == "invalid"
    assert {e.code for e in decision.errors} == {"limit_exceeded"}
    assert field in {e.field for e in decision.errors}, decision.errors
    assert elapsed < 5
    assert spent < 1.0
    assert idle_within(measured.pid, 0.2) < 0.3
    still_correct(measured.url)


def _documents(total: int, sid: str | None) -> list[dict]:
    """Documents of the largest size (10,240 characters), `total` characters together, of the
    smallest statements: the most statements a request within the limits can hold. With `sid`,
    every statement has that Sid (each one after the first is a duplicate_sid error)."""
    statement = {"Effect": "Allow", "Action": "a:b", "Resource": "*"}
    docs: list[dict] = []
    n = 0
    while (len(docs) + 1) * 10_240 <= total:
        statements: list[dict] = []
        while True:
            nxt = {"Sid": sid or f"S{n}", **statement}
            doc = {"Version": "2012-10-17", "Statement": [*statements, nxt]}
            if len(json.dumps(doc, separators=(",", ":"))) > 10_240:
                break
            statements.append(nxt)
            n += 1
        docs.append({"Version": "2012-10-17", "Statement": statements})
    return docs


@pytest.mark.parametrize("duplicates", [False, True])
def test_the_most_statements_within_the_limits_are_evaluated_quickly(
    measured: OpaProcess, duplicates: bool
):
    # 163,840 characters of the smallest statements: about 2,700 statements. With every Sid
    # the same, each statement is an error to report (measured: 0.3 and 0.9 CPU seconds).
    request = {
        "action": "cognito-idp:DescribeUserPool",
        "resource": "*",
        "policies": _documents(163_840, "S" if duplicates else None),
    }
    with Engine(url=measured.url, timeout=30) as engine:
        before = cpu_seconds(measured.pid)
        decision = engine.decide(request)
        spent = cpu_seconds(measured.pid) - before
    if duplicates:
        assert decision.decision == "invalid"
        assert {e.code for e in decision.errors} == {"duplicate_sid"}
    else:
        assert decision.decision == "implicit_deny"
    assert spent < 2 * WITHIN_CPU_SECONDS
    still_correct(measured.url)


def test_the_regex_cache_is_bounded_in_bytes(measured: OpaProcess):
    # Ever-new patterns of the largest size: the cache keeps REGEX_CACHE_ENTRIES of them, each
    # bounded by the pattern limits. 20 requests with 400 KiB wildcards took OPA from 75 MiB to
    # 2.5 GiB before.
    count = 2 * REGEX_CACHE_ENTRIES if NIGHTLY else 200
    before = peak_mib(measured.pid)
    with requests.Session() as session:
        for i in range(count):
            pattern = f"arn:{i:06d}" + "*" * 2020 + ":a:b:c:d"
            body = {"input": _request(_allow(Resource=pattern), resource=f"arn:{i:06d}x:a:b:c:d")}
            resp = session.post(measured.url + DECISION, json=body, timeout=30)
            assert resp.json()["result"]["decision"] == "allow"
    # At most about 230 KiB of live heap per entry (measured), so the cache holds at most
    # REGEX_CACHE_ENTRIES x 0.5 MiB with a margin of two; with the garbage of compiling them
    # not yet collected (GOGC=400, GOMEMLIMIT=512MiB), OPA's peak stays below CACHE_PEAK_MIB,
    # and twice as many patterns as entries (nightly) change nothing.
    assert NIGHTLY or peak_mib(measured.pid) - before < 256
    assert peak_mib(measured.pid) < CACHE_PEAK_MIB
    still_correct(measured.url)


CACHE_PEAK_MIB = 800


def test_a_query_past_its_deadline_is_cancelled_and_opa_goes_idle(measured: OpaProcess):
    # Many requests, each the costliest within the limits: minutes of work in one query.
    # Distinct requests (OPA would reuse the result of an identical one within a query).
    batch = [
        _request(_allow(Resource=[POOL + "*a" * _K + f"b{i}", POOL + "*a" * _K + f"c{i}"]))
        for i in range(2000 if NIGHTLY else 400)
    ]
    client = OpaClient(measured.url, timeout=1.0, parallelism=1)
    deadline = client.query_timeout(len(batch))
    started = time.monotonic()
    with pytest.raises(OpaQueryError, match="did not answer within"):
        client.decide_many(batch)
    client.close()
    assert time.monotonic() - started < deadline + 3
    # OPA cancels the evaluation when the connection closes, at its next step; every step is
    # short within the limits: it is idle within a second.
    assert idle_within(measured.pid, 1.0) < 0.3
    still_correct(measured.url)


# --- the Python side: values Python cannot encode ------------------------------------------


def test_a_huge_integer_is_a_request_error_naming_its_place(engine: Engine):
    huge = 10**5000
    with pytest.raises(RequestError, match=r"request\.context\.n"):
        engine.decide({**LIST_POOLS, "context": {"n": huge}})
    with pytest.raises(RequestError, match=r"requests\[1\]\.context\.n\[0\]"):
        engine.decide_many([LIST_POOLS, {**LIST_POOLS, "context": {"n": [huge]}}])
    assert engine.decide(LIST_POOLS).decision == "allow"


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_the_cli_refuses_a_huge_integer_with_one_json_line(
    engine: Engine, tmp_path: Path, source: str
):
    text = json.dumps(LIST_POOLS)[:-1] + ', "context": {"n": ' + "9" * 5000 + "}}"
    args = [sys.executable, "-m", "pycognito_opa", "decide", "--opa-url", engine.url, "-r"]
    if source == "file":
        path = tmp_path / "request.json"
        path.write_text(text)
        proc = subprocess.run([*args, str(path)], capture_output=True, text=True, timeout=60)
    else:
        proc = subprocess.run([*args, "-"], input=text, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert one_json_error(proc.stderr)["code"] == "invalid_json"


def test_decide_with_a_missing_bundle_exits_2(tmp_path: Path):
    proc = cli("decide", "--bundle", str(tmp_path / "missing.tar.gz"), "-r", "-")
    assert proc.returncode == 2
    assert "bundle not found" in one_json_error(proc.stderr)["message"]


# --- threads: the embedded OPA belongs to the Engine ---------------------------------------


def test_an_opa_started_from_a_short_lived_thread_outlives_it(bundle: BundleInfo):
    engine = Engine(bundle=bundle.path)
    try:
        worker = threading.Thread(target=engine.start)
        worker.start()
        worker.join(timeout=60)
        assert not worker.is_alive()
        assert engine.process is not None
        pid = engine.process.pid
        time.sleep(3)  # the parent-death signal fired 2 s after the thread ended, before
        assert engine.process.alive() and engine.process.pid == pid
        assert engine.decide(LIST_POOLS).decision == "allow"
        assert engine.process.pid == pid  # answered by the same OPA, not a restarted one
    finally:
        engine.close()
    assert gone(pid)


_CHILD = """
import sys, threading
from pycognito_opa import Engine
engine = Engine(bundle=sys.argv[1])
t = threading.Thread(target=engine.start)
t.start(); t.join()
print(engine.process.pid, flush=True)
threading.Event().wait()
"""


def test_opa_dies_with_a_killed_python_process(bundle: BundleInfo):
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(bundle.path)], stdout=subprocess.PIPE, text=True
    )
    try:
        opa_pid = int(proc.stdout.readline())
        assert not gone(opa_pid, timeout=1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert gone(opa_pid, timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- batches: timeout and body size scale with the batch ----------------------------------


def test_a_batch_query_gets_time_per_request():
    client = OpaClient("http://127.0.0.1:1", timeout=10.0)
    assert client.query_timeout(1) == 10.0
    # 10,000 requests on 2 cores: two queries of 5,000, measured 9.7-11.5 s for the batch.
    assert client.query_timeout(5000) == pytest.approx(10.0 + 4999 * PER_REQUEST_SECONDS)
    assert client.query_timeout(5000) > 3 * 11.5


def test_a_batch_larger_than_one_query_is_split_and_answered(engine: Engine):
    wide = {**LIST_POOLS, "context": {f"k{i}": "v" * 2000 for i in range(200)}}  # ~400 KB
    batch = [wide, LIST_POOLS] * 4  # ~1.6 MB: more than one query may carry
    decisions = engine.decide_many(batch)
    assert [d.decision for d in decisions] == ["allow"] * len(batch)


@pytest.mark.skipif(not NIGHTLY, reason="about 10 s of OPA time: nightly")
def test_a_batch_of_10000_is_answered_within_the_default_timeout(engine: Engine):
    # Distinct requests: OPA would reuse the answer to identical ones within a query.
    batch = [{**LIST_POOLS, "context": {"n": str(i)}} for i in range(10_000)]
    decisions = engine.decide_many(batch)
    assert len(decisions) == 10_000 and all(d.decision == "allow" for d in decisions)


# --- bundle serve: only regular bundle files directly in its folder ------------------------


@pytest.fixture(scope="module")
def served_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[BundleServer, Path]]:
    root = tmp_path_factory.mktemp("served")
    folder = root / "bundles"
    folder.mkdir()
    (folder / "good.tar.gz").write_bytes(zlib.compress(b"a bundle", 9, wbits=31))
    (root / "outside.tar.gz").write_bytes(b"outside the folder")
    (folder / "private.pem").write_text("-----BEGIN PRIVATE KEY-----\nsecret\n")
    (folder / "passwd.tar.gz").symlink_to("/etc/passwd")
    (folder / "zero.tar.gz").symlink_to("/dev/zero")
    (folder / "escape.tar.gz").symlink_to(root / "outside.tar.gz")
    (folder / "alias.tar.gz").symlink_to(folder / "good.tar.gz")
    os.mkfifo(folder / "fifo.tar.gz")
    (folder / "dir.tar.gz").mkdir()
    (folder / ".hidden.tar.gz").write_bytes(b"hidden")
    with BundleServer(folder, max_wait=5) as server:
        yield server, folder


REFUSED_NAMES = [
    "private.pem",
    "passwd.tar.gz",
    "zero.tar.gz",
    "escape.tar.gz",
    "alias.tar.gz",
    "fifo.tar.gz",
    "dir.tar.gz",
    ".hidden.tar.gz",
    "..%2Foutside.tar.gz",
    "%2Fetc%2Fpasswd",
]


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_bundle_serve_refuses_everything_but_regular_bundle_files(served_folder, name: str):
    server, _ = served_folder
    started = time.monotonic()
    resp = requests.get(f"{server.url}/bundles/{name}", timeout=10)
    assert time.monotonic() - started < 5
    assert resp.status_code == 404
    assert b"secret" not in resp.content and b"root:" not in resp.content
    good = requests.get(server.bundle_url("good.tar.gz"), timeout=10)
    assert good.status_code == 200 and good.content[:2] == b"\x1f\x8b"


def test_bundle_serve_lists_only_regular_bundle_files(served_folder):
    server, _ = served_folder
    assert server.store.names() == ["good.tar.gz"]
    help_text = cli("bundle", "serve", "--help").stdout
    assert "symbolic links, FIFOs" in " ".join(help_text.split())


# --- the limits are in every OPA the project starts, and in fleet config ---------------------


def test_every_opa_the_project_starts_reads_bounded_bodies(bundle: BundleInfo):
    with OpaProcess([bundle.path]) as opa:
        config = requests.get(f"{opa.url}/v1/config", timeout=10).json()["result"]
        environ = Path(f"/proc/{opa.pid}/environ").read_bytes().split(b"\0")
    decoding = config["server"]["decoding"]
    assert decoding == {"max_length": MAX_QUERY_BYTES, "gzip": {"max_length": MAX_QUERY_BYTES}}
    assert config["caching"]["inter_query_builtin_value_cache"]["max_num_entries"] == 1000
    expected = os.environ.get("GOMEMLIMIT", "512MiB")
    assert f"GOMEMLIMIT={expected}".encode() in environ


def test_fleet_config_writes_the_body_limits():
    proc = cli(
        "fleet", "config", "--bundle-url", "http://127.0.0.1:8282/bundles/b.tar.gz", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)["config"]
    assert config["server"]["decoding"]["max_length"] == MAX_QUERY_BYTES
    assert config["server"]["decoding"]["gzip"]["max_length"] == MAX_QUERY_BYTES
    assert config["caching"]["inter_query_builtin_value_cache"]["max_num_entries"] == 1000


def test_an_analysis_engine_reads_its_larger_inputs(bundle: BundleInfo):
    from pycognito_opa.analysis import ANALYSIS_LIMITS

    assert ANALYSIS_LIMITS.query_bytes > ANALYSIS_LIMITS.max_request_bytes > MAX_QUERY_BYTES
    with Engine(bundle=bundle.path, limits=ANALYSIS_LIMITS) as engine:
        assert engine.process is not None
        headers = {"Authorization": f"Bearer {engine.process.owner_token}"}
        resp = requests.get(f"{engine.url}/v1/config", headers=headers, timeout=10)
    config = resp.json()["result"]
    assert config["server"]["decoding"]["max_length"] == ANALYSIS_LIMITS.query_bytes
