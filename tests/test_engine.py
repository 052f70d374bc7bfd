"""Engine and OPA process lifecycle, against the real OPA binary."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from pycognito_opa import (
    Engine,
    OpaProcess,
    OpaStartError,
    RequestError,
    ToolNotFoundError,
)
from pycognito_opa._client import MIN_PART
from pycognito_opa._process import DEFAULT_GOGC, REGEX_CACHE_ENTRIES
from pycognito_opa.bundle import BundleInfo
from pycognito_opa.examples import load_examples

LIST_POOLS = {
    "action": "cognito-identity:ListIdentityPools",
    "resource": "*",
    "policies": [
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "cognito-identity:ListIdentityPools", "Resource": "*"}
            ],
        }
    ],
}


def _gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # A zombie still answers kill(0); it is gone once its parent has reaped it.
        if Path(f"/proc/{pid}/stat").exists() and " Z " in Path(f"/proc/{pid}/stat").read_text():
            return True
        time.sleep(0.05)
    return False


def test_embedded_engine_starts_decides_and_stops(bundle: BundleInfo):
    with Engine(bundle=bundle.path) as engine:
        assert engine.url.startswith("http://127.0.0.1:")
        assert engine.decide(LIST_POOLS).decision == "allow"
        pid = engine.process.pid
    assert _gone(pid)


def test_engine_stops_opa_when_the_block_raises(bundle: BundleInfo):
    with pytest.raises(RuntimeError), Engine(bundle=bundle.path) as engine:
        pid = engine.process.pid
        raise RuntimeError("boom")
    assert _gone(pid)


def test_ctrl_c_stops_opa(bundle: BundleInfo, tmp_path: Path):
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import signal, sys, time
            from pycognito_opa import Engine
            # A terminal delivers Ctrl-C as SIGINT to a process that handles it; a process started
            # from a background job inherits SIGINT ignored, so restore Python's own handler.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            with Engine(bundle={str(bundle.path)!r}) as engine:
                print(engine.process.pid, flush=True)
                time.sleep(60)
            """
        )
    )
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        opa_pid = int(child.stdout.readline())
        child.send_signal(signal.SIGINT)
        child.wait(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
    assert _gone(opa_pid)


def test_opa_stops_when_python_is_killed(bundle: BundleInfo, tmp_path: Path):
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import time
            from pycognito_opa import Engine
            engine = Engine(bundle={str(bundle.path)!r}).start()
            print(engine.process.pid, flush=True)
            time.sleep(60)
            """
        )
    )
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    opa_pid = int(child.stdout.readline())
    child.kill()
    child.wait(timeout=15)
    assert _gone(opa_pid)


def test_engine_with_url_uses_a_running_opa(bundle: BundleInfo):
    with OpaProcess([bundle.path]) as opa, Engine(url=opa.url) as engine:
        assert engine.process is None
        assert engine.decide(LIST_POOLS).decision == "allow"
        assert [d.decision for d in engine.decide_many([LIST_POOLS] * 3)] == ["allow"] * 3


def test_missing_binary_is_a_clear_error(bundle: BundleInfo, tmp_path: Path):
    with pytest.raises(ToolNotFoundError, match="make tools"):
        Engine(bundle=bundle.path, opa=tmp_path / "no-opa").start()


def test_opa_failing_to_start_reports_opas_message(tmp_path: Path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "policy.rego").write_text("package broken\n\nallow if {\n")
    with pytest.raises(OpaStartError) as info:
        Engine(bundle=broken).start()
    # OPA's own parse error is passed on to the user.
    assert "rego_parse_error" in str(info.value)


def test_request_must_be_an_object(engine: Engine):
    with pytest.raises(RequestError, match="must be a JSON object"):
        engine.decide(["not", "a", "request"])  # type: ignore[arg-type]
    with pytest.raises(RequestError, match=r"requests\[1\]"):
        engine.decide_many([LIST_POOLS, 42])  # type: ignore[list-item]


def test_dead_embedded_opa_is_restarted_once(bundle: BundleInfo):
    with Engine(bundle=bundle.path) as engine:
        first = engine.process.pid
        os.kill(first, signal.SIGKILL)
        assert _gone(first)
        assert engine.decide(LIST_POOLS).decision == "allow"
        assert engine.process.pid != first


def test_large_batch_split_over_concurrent_queries_keeps_order(bundle: BundleInfo):
    # Every documented example and 7 of them again, split into 3 concurrent queries: every
    # decision must be the documented one, in the order of the batch.
    examples = load_examples()
    batch = [examples[i % len(examples)] for i in range(len(examples) + 7)]
    with Engine(bundle=bundle.path, parallelism=3) as engine:
        sizes = [len(p) for p in engine._ensure_client()._split([b"{}"] * len(batch))]
        assert len(sizes) == 3 and sum(sizes) == len(batch) and max(sizes) - min(sizes) <= 1
        assert min(sizes) >= MIN_PART
        decisions = engine.decide_many([e.request for e in batch])
    assert [d.decision for d in decisions] == [e.expect for e in batch]


def test_embedded_opa_runs_with_a_bounded_regex_cache_and_gc_setting(bundle: BundleInfo):
    with OpaProcess([bundle.path]) as opa:
        config = requests.get(f"{opa.url}/v1/config", timeout=5).json()["result"]
        environ = Path(f"/proc/{opa.pid}/environ").read_bytes().split(b"\0")
    assert config["caching"]["inter_query_builtin_value_cache"]["max_num_entries"] == (
        REGEX_CACHE_ENTRIES
    )
    expected = os.environ.get("GOGC", DEFAULT_GOGC)
    assert f"GOGC={expected}".encode() in environ
