"""The one reader of the user's JSON and YAML files (`pycognito_opa._files`): policy files for
`bundle build`, `lint`, `what-can` and `diff`, and principals files.

Every hostile file is refused quickly, as an `InputFileError` naming the file and the reason
(exit 2 and one JSON line from the CLI), never a traceback, a hang or an expansion: YAML
anchors and aliases (a few hundred bytes can stand for billions of values), files over the
size cap, numbers too long to convert (Python refuses integers past 4,300 digits with a
ValueError), text that is not UTF-8 or not Unicode, JSON that is not JSON (NaN), repeated keys,
nesting past the cap, YAML tags beyond JSON's types, and files that are not regular files.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from fleet_helpers import cli, one_json_error

from pycognito_opa import _files
from pycognito_opa._estate import load_estate
from pycognito_opa._files import MAX_DEPTH, MAX_FILE_BYTES, MAX_NUMBER_CHARS, load_document
from pycognito_opa.analysis import load_policy_file
from pycognito_opa.errors import InputFileError


def _laughs() -> str:
    """The "billion laughs": nine levels of nine aliases each, 9**9 "lol"s once expanded."""
    lines = ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    for level, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join([*lines, "policy: {Statement: *i}", ""])


LAUGHS = _laughs()


def _refused(path: Path, reason: str, seconds: float = 1.0) -> InputFileError:
    start = time.monotonic()
    with pytest.raises(InputFileError) as caught:
        load_document(path)
    assert time.monotonic() - start < seconds
    assert caught.value.path == str(path)
    assert reason in caught.value.reason, caught.value.reason
    return caught.value


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_billion_laughs_is_refused_before_any_alias_is_followed(tmp_path: Path) -> None:
    assert 300 < len(LAUGHS) < 500  # 9**9 "lol"s once expanded
    path = _write(tmp_path, "laughs.yaml", LAUGHS)
    _refused(path, "YAML anchors and aliases are not accepted (&a or *a, line 1", seconds=0.5)


@pytest.mark.parametrize(
    "content",
    ["a: &x 1\n", "a: [1]\nb: *x\n", "Statement: &s {Effect: Allow}\n", "- &x\n- 1\n"],
)
def test_any_anchor_or_alias_is_refused(tmp_path: Path, content: str) -> None:
    _refused(_write(tmp_path, "p.yaml", content), "anchors and aliases")


def test_files_over_the_size_cap_are_refused_unread(tmp_path: Path) -> None:
    assert MAX_FILE_BYTES == 10 * 1024 * 1024
    path = _write(tmp_path, "big.json", b'"' + b"a" * MAX_FILE_BYTES + b'"')
    _refused(path, "larger than 10 MiB")
    at_cap = _write(tmp_path, "at-cap.json", b'"' + b"a" * (MAX_FILE_BYTES - 2) + b'"')
    assert len(load_document(at_cap)) == MAX_FILE_BYTES - 2


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("digits", [MAX_NUMBER_CHARS + 1, 5000, 100_000])
def test_numbers_too_long_are_refused(tmp_path: Path, suffix: str, digits: int) -> None:
    body = "9" * digits
    content = f'{{"Sid": {body}}}' if suffix == ".json" else f"Sid: {body}\n"
    _refused(_write(tmp_path, f"n{suffix}", content), f"a number of {digits} characters")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_numbers_within_the_cap_are_read(tmp_path: Path, suffix: str) -> None:
    body = "9" * MAX_NUMBER_CHARS
    content = f'{{"n": {body}, "f": 1.5}}' if suffix == ".json" else f"n: {body}\nf: 1.5\n"
    assert load_document(_write(tmp_path, f"n{suffix}", content)) == {"n": int(body), "f": 1.5}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("nan.json", '{"a": NaN}', "NaN is not a JSON value"),
        ("inf.json", '{"a": -Infinity}', "-Infinity is not a JSON value"),
        ("huge.json", '{"a": 1e999}', "the number 1e999 is out of range"),
        ("inf.yaml", "a: .inf\n", ".inf is not a JSON number"),
        ("nan.yaml", "a: .nan\n", ".nan is not a JSON number"),
    ],
)
def test_numbers_json_cannot_hold_are_refused(
    tmp_path: Path, name: str, content: str, reason: str
) -> None:
    _refused(_write(tmp_path, name, content), reason)


@pytest.mark.parametrize("name", ["p.json", "p.yaml"])
def test_text_that_is_not_utf8_is_refused(tmp_path: Path, name: str) -> None:
    _refused(_write(tmp_path, name, b'{"Sid": "caf\xe9"}'), "not UTF-8 text (invalid continuation")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("p.json", '{"Sid": "\\ud800"}', "text holds a lone surrogate (\\ud800), not Unicode"),
        ("p.yaml", 'Sid: "\\ud800"\n', "not YAML: found invalid Unicode character escape"),
    ],
)
def test_lone_surrogates_are_refused(tmp_path: Path, name: str, content: str, reason: str) -> None:
    _refused(_write(tmp_path, name, content), reason)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("p.json", '{"Statement": [], "Statement": {}}', "key 'Statement' appears twice"),
        ("p.yaml", "Effect: Allow\nEffect: Deny\n", "key 'Effect' appears twice in one mapping"),
    ],
)
def test_repeated_keys_are_refused(tmp_path: Path, name: str, content: str, reason: str) -> None:
    _refused(_write(tmp_path, name, content), reason)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, f"nested more than {MAX_DEPTH} levels"),
        ("over.json", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested more than"),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000, "not YAML"),
        ("over.yaml", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested more than"),
    ],
)
def test_deep_nesting_is_refused(tmp_path: Path, name: str, content: str, reason: str) -> None:
    _refused(_write(tmp_path, name, content), reason)


def test_nesting_up_to_the_cap_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.json", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    value: Any = load_document(path)
    depth = 0
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    assert depth == MAX_DEPTH


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "a: !!python/object/apply:os.system [ls]\n",
            "not YAML: could not determine a constructor",
        ),
        ("a: !!binary aGk=\n", "the tag tag:yaml.org,2002:binary is not a JSON type"),
        ("a: !!set {x}\n", "the tag tag:yaml.org,2002:set is not a JSON type"),
        ("a: !!timestamp 2012-10-17\n", "the tag tag:yaml.org,2002:timestamp is not a JSON type"),
        ("a: !!omap [x: 1]\n", "the tag tag:yaml.org,2002:omap is not a JSON type"),
        ("1: a\n", "the key 1 is not text (quote it)"),
        ("true: a\n", "the key True is not text"),
        ("? [a]\n: b\n", "the key ['a'] is not text"),
        ("a: 1\n---\nb: 2\n", "not YAML: but found another document"),
        ("a: [\n", "not YAML"),
    ],
)
def test_yaml_beyond_json_is_refused(tmp_path: Path, content: str, reason: str) -> None:
    _refused(_write(tmp_path, "p.yaml", content), reason)


def test_yaml_reads_as_json_text(tmp_path: Path) -> None:
    """`Version: 2012-10-17` stays the text IAM expects (YAML 1.1 would read a date), and
    `<<` is a key like any other (no merge)."""
    path = _write(tmp_path, "p.yml", "Version: 2012-10-17\nStatement: {Effect: Allow}\n<<: x\n")
    assert load_document(path) == {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow"},
        "<<": "x",
    }
    assert load_document(_write(tmp_path, "e.yaml", "")) is None


def test_files_that_are_not_regular_files_are_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    _refused(fifo, "not a regular file")
    _refused(tmp_path, "not a regular file")
    _refused(tmp_path / "missing.json", "cannot read: No such file or directory")


def test_the_pure_python_yaml_parser_refuses_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without libyaml, PyYAML's own parser gives the same events: the refusal does not
    depend on the C extension."""
    import yaml

    class Pure(yaml.SafeLoader):
        pass

    Pure.yaml_implicit_resolvers = _files._JsonYamlLoader.yaml_implicit_resolvers
    monkeypatch.setattr(_files, "_JsonYamlLoader", Pure)
    _refused(_write(tmp_path, "laughs.yaml", LAUGHS), "anchors and aliases", seconds=0.5)


# Every reader of user files uses it ---------------------------------------------------------


def test_policy_files_for_the_analyses_are_read_by_it(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="anchors and aliases"):
        load_policy_file(_write(tmp_path, "laughs.yaml", LAUGHS))
    big = "9" * 5000
    with pytest.raises(InputFileError, match="a number of 5000 characters"):
        load_policy_file(_write(tmp_path, "n.json", f'{{"Sid": {big}}}'))


def test_policies_folders_and_principals_files_are_read_by_it(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "p.json").write_text(json.dumps({"Statement": []}))
    (folder / "principals.yaml").write_text(LAUGHS)
    with pytest.raises(InputFileError, match="anchors and aliases") as caught:
        load_estate(folder)
    assert caught.value.path == str(folder / "principals.yaml")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("laughs.yaml", LAUGHS, "anchors and aliases"),
        ("long.json", '{"Sid": ' + "9" * 5000 + "}", "a number of 5000 characters"),
        ("latin1.json", b'{"Sid": "caf\xe9"}', "not UTF-8 text"),
    ],
)
def test_the_cli_refuses_hostile_files_with_one_json_line(
    tmp_path: Path, name: str, content: str | bytes, reason: str
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    path = _write(folder, name, content)
    for args in (
        ("bundle", "build", "--policies", str(folder), "--out", str(tmp_path / "b.tar.gz")),
        ("lint", str(path)),
    ):
        start = time.monotonic()
        proc = cli(*args)
        assert time.monotonic() - start < 30
        assert proc.returncode == 2, proc.stderr
        error = one_json_error(proc.stderr)
        assert error["code"] == "invalid_input"
        assert str(path) in error["message"]
        assert reason in error["message"]
    assert not (tmp_path / "b.tar.gz").exists()
