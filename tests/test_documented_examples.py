"""Every documented example (bundles/examples/*.yaml) agrees with OPA's decision.

The expectations and their sources (document and section) are in the YAML files; this test
sends all of them to OPA in one query, as `pycognito-opa examples` does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from pycognito_opa import Engine, ExampleResult, load_examples, run_examples

EXAMPLES = load_examples()


@pytest.fixture(scope="module")
def results(engine: Engine) -> dict[str, ExampleResult]:
    return {r.example.id: r for r in run_examples(engine, EXAMPLES)}


def test_there_are_documented_examples():
    assert len(EXAMPLES) >= 25


@pytest.mark.parametrize("example_id", [e.id for e in EXAMPLES])
def test_example_agrees(results: dict[str, ExampleResult], example_id: str):
    result = results[example_id]
    assert result.decision.decision == result.example.expect, (
        f"{result.example.file} {example_id}: {result.example.why} "
        f"(source: {result.example.source}); OPA said {result.decision}"
    )
    # Identity-pool examples also name the role (or the refusal) the documentation implies.
    assert not result.identity_differences, (
        f"{result.example.file} {example_id}: expected identity {result.example.expect_identity}, "
        f"OPA's differs in {result.identity_differences} ({result.decision['identity']})"
    )


def test_examples_command_exits_0_and_prints_the_table(bundle):
    proc = subprocess.run(
        [sys.executable, "-m", "pycognito_opa", "examples", "--bundle", str(bundle.path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert f"{len(EXAMPLES)} of {len(EXAMPLES)} documented examples agree" in proc.stdout
