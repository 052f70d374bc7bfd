"""The `pycognito-opa` command line, run as a user runs it, against the real OPA."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import requests

from pycognito_opa import OpaProcess
from pycognito_opa._client import MIN_PART, default_parallelism
from pycognito_opa.bundle import BundleInfo

ALLOW_LIST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "cognito-identity:ListIdentityPools", "Resource": "*"}
    ],
}


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pycognito_opa", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_line_json_error(stderr: str) -> dict:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return json.loads(lines[0])["error"]


def _data_queries(url: str) -> int:
    """How many POST /v1/data queries OPA has answered, from its Prometheus metrics."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    total = 0
    for line in text.splitlines():
        if line.startswith("http_request_duration_seconds_count") and all(
            label in line for label in ('handler="v1/data"', 'method="post"')
        ):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def test_decide_one_request_from_a_file(tmp_path: Path, bundle: BundleInfo):
    req = tmp_path / "req.json"
    req.write_text(
        json.dumps(
            {
                "action": "cognito-identity:ListIdentityPools",
                "resource": "*",
                "policies": [ALLOW_LIST],
            }
        )
    )
    proc = run_cli("decide", "--request", str(req), "--bundle", str(bundle.path))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["decision"] == "allow"
    assert set(out) >= {"allowed", "decision", "signed", "matched", "warnings", "errors"}


def test_decide_100_requests_in_one_batch(bundle: BundleInfo):
    batch = [
        {
            "action": "cognito-identity:ListIdentityPools"
            if i % 2
            else "cognito-idp:ListUserPools",
            "resource": "*",
            "policies": [ALLOW_LIST],
        }
        for i in range(100)
    ]
    with OpaProcess([bundle.path]) as opa:
        before = _data_queries(opa.url)
        proc = run_cli("decide", "-r", "-", "--opa-url", opa.url, stdin=json.dumps(batch))
        after = _data_queries(opa.url)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # Same order as the input: odd requests are the allowed ListIdentityPools.
    assert [d["decision"] for d in out] == [
        "allow" if i % 2 else "implicit_deny" for i in range(100)
    ]
    # One batch: one query per part of the split, not one per request.
    assert after - before == min(default_parallelism(), len(batch) // MIN_PART)


def test_input_that_is_not_json_exits_2_with_one_json_line(tmp_path: Path):
    proc = run_cli("decide", "--request", "-", stdin="{not json")
    assert proc.returncode == 2
    error = _one_line_json_error(proc.stderr)
    assert error["code"] == "invalid_json"
    assert re.search(r"line 1, column 2", error["message"])


def test_input_that_is_not_a_request_exits_2():
    for text in ("42", '"text"', "[1, 2]", "null"):
        proc = run_cli("decide", "--request", "-", stdin=text)
        assert proc.returncode == 2, text
        assert _one_line_json_error(proc.stderr)["code"] == "not_a_request"


def test_missing_request_file_exits_2(tmp_path: Path):
    proc = run_cli("decide", "--request", str(tmp_path / "nope.json"))
    assert proc.returncode == 2
    assert _one_line_json_error(proc.stderr)["code"] == "invalid_input"


def test_non_utf8_input_exits_2(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"action": "\xff"}')
    proc = run_cli("decide", "--request", str(bad))
    assert proc.returncode == 2
    assert _one_line_json_error(proc.stderr)["code"] == "invalid_json"


def test_unreachable_opa_exits_3():
    proc = run_cli(
        "decide", "-r", "-", "--opa-url", "http://127.0.0.1:9", stdin='{"action": "a:b"}'
    )
    assert proc.returncode == 3
    assert "cannot reach OPA" in _one_line_json_error(proc.stderr)["message"]


def test_help_explains_each_command():
    for args in (["--help"], ["decide", "--help"], ["examples", "--help"]):
        proc = run_cli(*args)
        assert proc.returncode == 0
        assert "usage: pycognito-opa" in proc.stdout


def test_usage_errors_are_one_json_line_with_exit_2(tmp_path: Path):
    cases = [
        ((), ""),
        (("no-such-command",), ""),
        (("decide",), ""),
        (("bundle",), ""),
        (("decide", "-r", "-", "--opa-url", "http://127.0.0.1:9", "--bundle", "b.tar.gz"), "{}"),
        (("decide", "-r", "-", "--bundle", str(tmp_path / "missing.tar.gz")), "{}"),
        (("examples", "--opa-url", "http://127.0.0.1:9", "--bundle", "b.tar.gz"), ""),
        (("lint", "--fail-on"), ""),
    ]
    for args, stdin in cases:
        proc = run_cli(*args, stdin=stdin)
        assert proc.returncode == 2, (args, proc.stderr)
        assert _one_line_json_error(proc.stderr)["code"] in {"usage", "invalid_input"}, args


def test_no_examples_found_is_not_agreement(tmp_path: Path, bundle: BundleInfo):
    proc = run_cli("examples", "--dir", str(tmp_path), "--bundle", str(bundle.path))
    assert proc.returncode == 1
    assert _one_line_json_error(proc.stderr)["code"] == "no_examples"


def test_output_to_a_closed_pipe_ends_quietly(bundle: BundleInfo):
    shell = f"{sys.executable} -m pycognito_opa examples --json --bundle {bundle.path} | head -c 10"
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120
    )
    assert len(proc.stdout) == 10
    assert proc.stderr == "", proc.stderr
