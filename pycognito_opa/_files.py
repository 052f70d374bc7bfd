"""The one reader of the user's JSON and YAML files: policy documents, principals files.

Every file becomes a JSON value, or an `InputFileError` naming the file and the reason; a
hostile file is refused before it can cost time or memory. A file is read only when it is
a regular file of at most `MAX_FILE_BYTES`, of UTF-8 text. JSON must be JSON (no NaN or
Infinity); YAML is read as JSON values only: no timestamps (`Version: 2012-10-17` stays
the text IAM expects), no anchors or aliases (a few hundred bytes of aliases can stand for
billions of values), no merge keys, no tags beyond JSON's types, text keys. In both, an
object may not repeat a key (which of the two would count is not for a policy file to leave
open), a number is at most `MAX_NUMBER_CHARS` characters long, nesting is at most
`MAX_DEPTH` levels deep, and text must be Unicode (no lone surrogates, which JSON's \\u
escapes can write). What the value means is for the Rego modules to judge, never for this
module.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
import yaml.nodes

from .errors import InputFileError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NUMBER_CHARS = 300
MAX_DEPTH = 64
JSON_SUFFIXES = (".json",)

_JSON_TYPES = frozenset({dict, list, str, bool, int, float, type(None)})


class _Refused(ValueError):
    """A file that cannot be read safely, with the reason (becomes an InputFileError)."""


def load_document(path: str | os.PathLike[str]) -> Any:
    """The JSON value a JSON (`.json`) or YAML (any other suffix) file holds."""
    return _load(Path(path), as_json=Path(path).suffix.lower() in JSON_SUFFIXES)


def load_json(path: str | os.PathLike[str]) -> Any:
    """The JSON value a JSON file holds, whatever its name (the AWS CLI's output, say)."""
    return _load(Path(path), as_json=True)


def _load(p: Path, *, as_json: bool) -> Any:
    text = _read_text(p)
    try:
        value = _parse_json(text) if as_json else _parse_yaml(text)
        _check_value(value)
    except _Refused as exc:
        raise InputFileError(p, str(exc)) from exc
    except RecursionError as exc:
        raise InputFileError(p, f"nested more than {MAX_DEPTH} levels deep") from exc
    return value


def _read_text(path: Path) -> str:
    # O_NONBLOCK: opening a FIFO does not wait for a writer (it is then refused, as any file
    # that is not a regular file is); for a regular file it changes nothing.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputFileError(path, "not a regular file")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise InputFileError(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


# JSON -----------------------------------------------------------------------------------------


def _number_text(text: str) -> str:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    return text


def _json_int(text: str) -> int:
    return int(_number_text(text))


def _json_float(text: str) -> float:
    value = float(_number_text(text))
    if not math.isfinite(value):
        raise _Refused(f"the number {text} is out of range")
    return value


def _json_constant(text: str) -> Any:
    raise _Refused(f"{text} is not a JSON value")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _parse_json(text: str) -> Any:
    try:
        return json.loads(
            text,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
            object_pairs_hook=_json_object,
        )
    except json.JSONDecodeError as exc:
        raise _Refused(f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc


# YAML -----------------------------------------------------------------------------------------

_YamlBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present
_NO_IMPLICIT = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge")


class _JsonYamlLoader(_YamlBase):  # type: ignore[misc]
    """YAML read as JSON values (see the module's description); anchors and aliases are
    refused before loading, by `_refuse_anchors`."""

    def construct_mapping(self, node: yaml.nodes.MappingNode, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _refused_at(key_node, f"the key {key!r} is not text (quote it)")
            if key in seen:
                raise _refused_at(key_node, f"key {key!r} appears twice in one mapping")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.nodes.ScalarNode) -> Any:
        _yaml_number_text(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.nodes.ScalarNode) -> Any:
        _yaml_number_text(node)
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise _refused_at(node, f"{node.value} is not a JSON number")
        return value

    def construct_not_json(self, node: yaml.nodes.Node) -> Any:
        raise _refused_at(node, f"the tag {node.tag} is not a JSON type")


def _yaml_number_text(node: yaml.nodes.ScalarNode) -> None:
    if len(node.value) > MAX_NUMBER_CHARS:
        size = len(node.value)
        raise _refused_at(node, f"a number of {size} characters (at most {MAX_NUMBER_CHARS})")


def _refused_at(node: yaml.nodes.Node, reason: str) -> _Refused:
    mark = node.start_mark
    return _Refused(f"{reason} (line {mark.line + 1}, column {mark.column + 1})")


_JsonYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _NO_IMPLICIT]
    for first, resolvers in _YamlBase.yaml_implicit_resolvers.items()
}
_JsonYamlLoader.add_constructor("tag:yaml.org,2002:int", _JsonYamlLoader.construct_yaml_int)
_JsonYamlLoader.add_constructor("tag:yaml.org,2002:float", _JsonYamlLoader.construct_yaml_float)
for _tag in ("binary", "timestamp", "omap", "pairs", "set", "merge"):
    _JsonYamlLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _JsonYamlLoader.construct_not_json)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"not YAML: {problem}{where}"


def _refuse_anchors(text: str) -> None:
    """Refuse any anchor (&name) or alias (*name), reading only the events: aliases are never
    followed, so a few hundred bytes that stand for billions of values cost nothing."""
    for event in yaml.parse(text, Loader=_JsonYamlLoader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            mark = event.start_mark
            where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise _Refused(
                f"YAML anchors and aliases are not accepted (&{anchor} or *{anchor}{where}); "
                "write the values out"
            )


def _parse_yaml(text: str) -> Any:
    try:
        _refuse_anchors(text)
        return yaml.load(text, Loader=_JsonYamlLoader)  # a SafeLoader: plain data only
    except yaml.YAMLError as exc:
        raise _Refused(_yaml_problem(exc)) from exc


# Both -----------------------------------------------------------------------------------------


def _walk(value: Any) -> Iterator[tuple[Any, int]]:
    """Every value inside `value` (itself included) with its depth, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        yield item, depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
            stack.extend((k, depth + 1) for k in item)
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _check_value(value: Any) -> None:
    """Refuse what is not a JSON value: other types, keys that are not text, text that is not
    Unicode, nesting past MAX_DEPTH."""
    for item, depth in _walk(value):
        if depth > MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                code = ord(item[exc.start])
                raise _Refused(f"text holds a lone surrogate (\\u{code:04x}), not Unicode") from exc
        elif type(item) not in _JSON_TYPES:
            raise _Refused(f"a {type(item).__name__} is not a JSON value")
        elif isinstance(item, dict) and not all(isinstance(k, str) for k in item):
            raise _Refused("an object key is not text")
