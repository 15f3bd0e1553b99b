"""Parse YAML and JSON text into plain data plus a map from field paths to line numbers.

Line numbers are what make a validation message useful ("chain.yaml:42 entrustments[3].covers"),
so both parsers record, for every mapping key and sequence item, the line it starts on.
YAML anchors and aliases are refused: chain files do not need them, and they are the door for
"billion laughs" expansion bombs. Duplicate mapping keys are refused instead of silently
keeping the last one.
"""
from __future__ import annotations

import bisect
import json
import re
from typing import Any

import yaml

Path = tuple[Any, ...]


class SourceError(ValueError):
    """A syntax error, with the line it was found on (1-based) and the field path if known."""

    def __init__(self, message: str, line: int | None, path: Path = ()):
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


class SourceErrors(ValueError):
    def __init__(self, errors: list[SourceError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1 resolution without timestamps: dates stay strings (2019-04-01, 平成31年4月)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise SourceError(
                f"YAML alias *{event.anchor} is not allowed in chain files "
                "(anchors and aliases can expand without bound)",
                event.start_mark.line + 1,
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise SourceError(
                f"YAML anchor &{event.anchor} is not allowed in chain files", event.start_mark.line + 1
            )
        return super().compose_node(parent, index)


def parse_yaml(text: str, max_depth: int = 64) -> tuple[Any, dict[Path, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path, int] = {}
        errors: list[SourceError] = []
        if node is not None:
            _walk_yaml(node, (), lines, errors, max_depth)
        if errors:
            raise SourceErrors(errors)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise SourceError(f"YAML syntax error: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"YAML error: {exc}", None) from None
    finally:
        loader.dispose()
    return data, lines


def _walk_yaml(node, path: Path, lines: dict, errors: list, max_depth: int) -> None:  # noqa: ANN001
    if len(path) > max_depth:
        raise SourceError(f"nesting deeper than {max_depth} levels", node.start_mark.line + 1, path[:4])
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                errors.append(
                    SourceError(f"duplicate key {key!r} (first at line {seen[key]})", line, path + (key,))
                )
                continue
            seen[key] = line
            _walk_yaml(value_node, path + (key,), lines, errors, max_depth)
            lines[path + (key,)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_yaml(item, path + (index,), lines, errors, max_depth)


WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, any amount
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def parse_json(text: str, with_lines: bool = True, max_depth: int = 64) -> tuple[Any, dict[Path, int]]:
    """json.loads for the data; a second, cheap walk for line numbers only when asked."""
    try:
        data = json.loads(text, object_pairs_hook=refuse_duplicates)
    except DuplicateKey:
        json_lines(text, max_depth)  # raises, naming each duplicate with its line
        raise SourceError("duplicate key", None) from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"JSON syntax error: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise SourceError(f"nesting deeper than {max_depth} levels", _line_too_deep(text, max_depth)) from None
    if not with_lines:  # json.loads bounds nesting itself (RecursionError above)
        return data, {}
    return data, json_lines(text, max_depth)


class DuplicateKey(Exception):
    """A JSON object repeats a key (raised by :func:`refuse_duplicates`)."""


def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    """JSON, like YAML here, may not repeat a key: json.loads would keep the last silently."""
    result = dict(pairs)
    if len(result) != len(pairs):
        raise DuplicateKey
    return result


def _line_too_deep(text: str, max_depth: int) -> int | None:
    """The line where JSON nesting first goes deeper than ``max_depth`` (strings skipped)."""
    depth, line, in_string, escaped = 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if ch == '"' and not escaped:
                in_string = False
            escaped = not escaped and ch == "\\"
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                return line
        elif ch in "]}":
            depth -= 1
    return None


def json_lines(text: str, max_depth: int = 64) -> dict[Path, int]:
    """Map each field path of a (valid) JSON document to the line it starts on."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    lines: dict[Path, int] = {}
    duplicates: list[SourceError] = []

    def line_at(pos: int) -> int:
        return bisect.bisect_right(newlines, pos - 1) + 1

    def value(pos: int, path: Path) -> int:
        if len(path) > max_depth:
            raise SourceError(f"nesting deeper than {max_depth} levels", line_at(pos), path)
        pos = WHITESPACE.match(text, pos).end()
        lines.setdefault(path, line_at(pos))
        ch = text[pos]
        if ch == "{":
            pos = WHITESPACE.match(text, pos + 1).end()
            if text[pos] == "}":
                return pos + 1
            seen: dict[str, int] = {}
            while True:
                pos = WHITESPACE.match(text, pos).end()
                key, pos = json.decoder.scanstring(text, pos + 1)
                if key in seen:
                    duplicates.append(SourceError(f"duplicate key {key!r} (first at line {seen[key]})",
                                                  line_at(pos), path + (key,)))
                seen[key] = line_at(pos)
                lines.setdefault(path + (key,), line_at(pos))
                pos = WHITESPACE.match(text, pos).end() + 1  # the colon
                pos = value(pos, path + (key,))
                pos = WHITESPACE.match(text, pos).end()
                if text[pos] == "}":
                    return pos + 1
                pos += 1  # the comma
        if ch == "[":
            pos = WHITESPACE.match(text, pos + 1).end()
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                pos = value(pos, path + (index,))
                pos = WHITESPACE.match(text, pos).end()
                if text[pos] == "]":
                    return pos + 1
                pos += 1
                index += 1
        if ch == '"':
            return json.decoder.scanstring(text, pos + 1)[1]
        return _SCALAR.match(text, pos).end()

    value(0, ())
    if duplicates:
        raise SourceErrors(duplicates)
    return lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    path = tuple(path)
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
