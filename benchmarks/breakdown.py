"""Where a hot-path verdict's time goes: each part of it evaluated as its own query.

`python -m benchmarks --breakdown` builds the stored estate of issue 13's workload (100 statements,
1,000 distinct requests), then times with `opa bench` one query per part over the same batch:
the whole `verdicts` and `decisions`, and the Rego functions a verdict calls, each as
`[x | some r in input.requests; x := PART(r)]`. A part's figure is OPA's time per request, the
minimum over `opa bench --count` runs (the least disturbed by other work on the machine); parts
that call others include them (the context includes the caller). Then the same estate inline in
every request, against the same requests naming it once registered with an Engine (issue 13,
part 3). Last, what bounds a verdict: how many expressions OPA evaluates per request for the
whole `verdicts` (`opa eval --profile`, by module), and what one step of the simplest
comprehension costs on this machine (STEP_QUERY under `opa bench`). It writes breakdown.json
and breakdown.md.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pycognito_opa import Engine, _paths, build_bundle
from pycognito_opa.errors import OpaQueryError

from .workloads import (
    REGISTERED_DATA_PATH,
    REGISTERED_FIELDS_PATH,
    Workload,
    policy_set_of,
    registered_workload,
    synthetic_estate,
)

STATEMENTS = 100
REQUESTS = 1000
JSON_NAME = "breakdown.json"
MARKDOWN_NAME = "breakdown.md"

_P = "data.cognito.principal"
_EACH = "[x | some r in input.requests; "

# (part, query): the queries a verdict is made of, from the whole to its pieces.
PARTS: tuple[tuple[str, str], ...] = (
    ("an empty pass over the batch", _EACH + "x := r]"),
    ("verdicts (the whole hot path)", "data.cognito.authz.verdicts"),
    ("decisions (the whole explained path)", "data.cognito.authz.decisions"),
    (
        "validation (cognito.validation.request_errors)",
        _EACH + "x := data.cognito.validation.request_errors(r)]",
    ),
    ("the caller (principal.caller)", _EACH + f"x := {_P}.caller(r)]"),
    (
        "the context, with the caller (principal.context)",
        _EACH + f"x := {_P}.context(r, {_P}.caller(r))]",
    ),
    (
        "the candidate statements, with the caller (principal.stored_statements)",
        _EACH
        + f"c := {_P}.caller(r); "
        + f'x := {_P}.stored_statements(c, {{"action": r.action, "resource": r.resource}})]',
    ),
    ("the facts (applicable.facts)", _EACH + "x := data.cognito.applicable.facts(r)]"),
    (
        "the facts and IAM's case (iam.verdict)",
        _EACH + "x := data.cognito.iam.verdict(data.cognito.applicable.facts(r))]",
    ),
)


# (part, batch, query): the same estate sent inline in every request, and registered once
# with an Engine (Engine.register_policy_set) and named by each request.
_INLINE = "the estate inline in every request"
_NAMED = "the estate registered once, each request naming it (policy_set)"
REGISTERED_PARTS: tuple[tuple[str, str, str], ...] = (
    (f"verdicts, {_INLINE}", "inline", "data.cognito.authz.verdicts"),
    (f"verdicts, {_NAMED}", "registered", "data.cognito.authz.verdicts"),
    (f"decisions, {_INLINE}", "inline", "data.cognito.authz.decisions"),
    (f"decisions, {_NAMED}", "registered", "data.cognito.authz.decisions"),
)


# The calibration: the simplest comprehension, one expression per element besides the
# iteration, timed per element (STEP_ELEMENTS of them).
STEP_ELEMENTS = 100_000
STEP_QUERY = f"count([x | some i in numbers.range(1, {STEP_ELEMENTS}); x := i * 2])"
STEPS_QUERY = "data.cognito.authz.verdicts"


@dataclass(frozen=True)
class Part:
    """One part: its query and OPA's time per request (µs), minimum and median over the runs."""

    part: str
    query: str
    min_us: float
    median_us: float


def _bench(
    opa: str,
    bundle: Path,
    input_file: Path,
    query: str,
    count: int,
    requests: int,
    data_file: Path | None = None,
) -> list[float]:
    cmd = [opa, "bench", "--bundle", str(bundle), "--input", str(input_file), "--count", str(count)]
    if data_file is not None:
        cmd += ["--data", str(data_file)]
    cmd += ["--format", "json", query]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=900, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OpaQueryError(f"opa bench took longer than 900 s: {query}") from exc
    if proc.returncode != 0:
        raise OpaQueryError(f"opa bench failed on {query}: {proc.stderr.decode()[-300:]}")
    decoder = json.JSONDecoder()
    text = proc.stdout.decode()
    per_request: list[float] = []
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        run, at = decoder.raw_decode(text, at)
        per_request.append(run["T"] / run["N"] / 1000 / requests)
    if not per_request:
        raise OpaQueryError(f"opa bench printed no result for {query}")
    return sorted(per_request)


def run_breakdown(count: int = 7, seed: int = 0) -> dict[str, Any]:
    """Time every part of PARTS over the stored estate's batch; the results as JSON-ready data."""
    opa = str(_paths.opa_binary(None))
    estate = synthetic_estate(STATEMENTS, requests=REQUESTS, seed=seed)
    wl = estate.stored()
    parts = []
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-breakdown-") as tmp:
        bundle = Path(tmp) / "bundle.tar.gz"
        build_bundle(bundle, extra_data={"cognito/store": {"principals": wl.stored}})
        input_file = Path(tmp) / "input.json"
        input_file.write_text(json.dumps({"requests": list(wl.requests)}))
        for name, query in PARTS:
            runs = _bench(opa, bundle, input_file, query, count, len(wl.requests))
            parts.append(Part(name, query, runs[0], runs[len(runs) // 2]))
        # The inline estate is the whole of each request's policies: a bundle without stores.
        plain = Path(tmp) / "plain.tar.gz"
        build_bundle(plain)
        parts += _registered_parts(opa, plain, estate.inline(), Path(tmp), count)
        steps = _steps(opa, bundle, input_file, len(wl.requests))
        empty = Path(tmp) / "empty.json"
        empty.write_text("{}")
        step_us = _bench(opa, bundle, empty, STEP_QUERY, count, STEP_ELEMENTS)[0]
    return {
        "workload": wl.name,
        "requests": len(wl.requests),
        "count": count,
        "command": f"opa bench --bundle BUNDLE --input BATCH --count {count} QUERY",
        "parts": [asdict(p) for p in parts],
        "steps": {
            "query": STEPS_QUERY,
            "command": "opa eval --profile --bundle BUNDLE --input BATCH QUERY",
            "per_request": sum(steps.values()),
            "by_module": steps,
            "step_query": STEP_QUERY,
            "step_us": step_us,
        },
    }


def _steps(opa: str, bundle: Path, input_file: Path, requests: int) -> dict[str, float]:
    """Expressions OPA evaluates per request for STEPS_QUERY over the batch, by Rego module
    (the profile's evaluation counts, summed over its lines)."""
    cmd = [opa, "eval", "--bundle", str(bundle), "--input", str(input_file), "--profile"]
    cmd += ["--profile-limit", "1000000", "--format", "json", STEPS_QUERY]
    proc = subprocess.run(cmd, capture_output=True, timeout=900, check=False)
    if proc.returncode != 0:
        raise OpaQueryError(f"opa eval --profile failed: {proc.stderr.decode()[-300:]}")
    by_module: dict[str, float] = {}
    for line in json.loads(proc.stdout)["profile"]:
        module = Path(line["location"]["file"]).name or "(query)"
        by_module[module] = by_module.get(module, 0.0) + line["num_eval"] / requests
    return dict(sorted(by_module.items(), key=lambda item: -item[1]))


def _registered_parts(
    opa: str, bundle: Path, inline: Workload, tmp: Path, count: int
) -> list[Part]:
    """The inline estate's batch timed as sent, and with its policy set registered through an
    Engine on the same bundle (the entry it stores, read back, is given to `opa bench` as data).
    Both batches, as `opa bench` will read them, must first get the verdicts the Engine gives
    the inline batch: a named set that OPA does not find would make every request a quick
    "invalid" and the figure meaningless."""
    with Engine(bundle=bundle) as engine:
        # The fields a policy set holds, as the Rego defines them.
        set_fields = engine.query(REGISTERED_FIELDS_PATH, None)
        set_id = engine.register_policy_set(policy_set_of(inline, set_fields))
        entry = engine.query(f"{REGISTERED_DATA_PATH}/{set_id}", None)
        batches = {
            "inline": list(inline.requests),
            "registered": list(registered_workload(inline, set_id, set_fields).requests),
        }
        expected = [v.to_dict() for v in engine.verdicts(batches["inline"])]
    data_file = tmp / "registered-sets.json"
    data_file.write_text(json.dumps({REGISTERED_DATA_PATH: {set_id: entry}}))
    inputs = {batch: tmp / f"{batch}-batch.json" for batch in batches}
    for batch, input_file in inputs.items():
        input_file.write_text(json.dumps({"requests": batches[batch]}))
        if _verdicts(opa, bundle, input_file, data_file) != expected:
            raise OpaQueryError(f"the {batch} batch: verdicts differ from the Engine's inline ones")
    parts = []
    for name, batch, query in REGISTERED_PARTS:
        runs = _bench(opa, bundle, inputs[batch], query, count, len(inline.requests), data_file)
        parts.append(Part(name, query, runs[0], runs[len(runs) // 2]))
    return parts


def _verdicts(opa: str, bundle: Path, input_file: Path, data_file: Path) -> Any:
    """data.cognito.authz.verdicts for input_file, evaluated as `opa bench` will evaluate it."""
    cmd = [opa, "eval", "--bundle", str(bundle), "--data", str(data_file)]
    cmd += ["--input", str(input_file), "--format", "json", "data.cognito.authz.verdicts"]
    proc = subprocess.run(cmd, capture_output=True, timeout=900, check=False)
    if proc.returncode != 0:
        raise OpaQueryError(f"opa eval failed: {proc.stderr.decode()[-300:]}")
    return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


def markdown(result: dict[str, Any]) -> str:
    """breakdown.md: one row per part."""
    lines = [
        f"# Where a verdict's time goes: {result['workload']}, "
        f"{result['requests']} requests in one query",
        "",
        f"Each part evaluated as its own query with `{result['command']}`; OPA's time per request,",
        "minimum and median over the runs. A part that calls another includes it.",
        "",
        "| part | min µs/request | median µs/request | query |",
        "|---|---|---|---|",
    ]
    for p in result["parts"]:
        query = p["query"].replace("|", "\\|")
        lines.append(f"| {p['part']} | {p['min_us']:.1f} | {p['median_us']:.1f} | `{query}` |")
    lines += _steps_markdown(result["steps"], result["parts"])
    return "\n".join(lines) + "\n"


def _steps_markdown(steps: dict[str, Any], parts: list[dict[str, Any]]) -> list[str]:
    whole = next(p["min_us"] for p in parts if p["query"] == steps["query"])
    per_expression = whole / steps["per_request"]
    modules = ", ".join(f"{m} {n:.1f}" for m, n in steps["by_module"].items() if n >= 1)
    return [
        "",
        "## What bounds a verdict",
        "",
        f"`{steps['query']}` evaluates {steps['per_request']:.0f} expressions per request "
        f"(`{steps['command']}`, the profile's evaluation counts summed; by module: {modules}).",
        f"One step of the simplest comprehension, `{steps['step_query']}`, costs "
        f"{steps['step_us']:.2f} µs here: those expressions at that rate take "
        f"{steps['per_request'] * steps['step_us']:.0f} µs, against {whole:.0f} µs measured "
        f"({per_expression:.2f} µs per expression). A verdict of T µs at the measured rate "
        f"evaluates at most T / {per_expression:.2f} expressions.",
    ]


def write_breakdown(result: dict[str, Any], out_dir: Path) -> Sequence[Path]:
    """Write breakdown.json and breakdown.md into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / JSON_NAME
    json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    md_path = out_dir / MARKDOWN_NAME
    md_path.write_text(markdown(result))
    return [json_path, md_path]
