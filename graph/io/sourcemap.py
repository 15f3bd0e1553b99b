"""Parse YAML and JSON text into plain data plus a map from field paths to line numbers.

Line numbers are what make a validation message useful ("chain.yaml:42 entrustments[3].covers"),
so both parsers record, for every mapping key and sequence item, the line it starts on.
YAML anchors and aliases are refused: chain files do not need them, and they are the door for
"billion laughs" expansion bombs. Duplicate mapping keys are refused instead of silently
keeping the last one, and so are merge keys (``<<``), which would let one mapping's keys stand
in for another's. Numbers are read as a chain file means them: decimal integers only (YAML 1.1
also reads ``1:30:00`` as 5400 and ``010`` as 8), nothing Python cannot convert (over 4,300
digits), no NaN or Infinity in JSON (they are not JSON). Nesting is bounded while the YAML is
composed, before Python's recursion limit can be reached.
"""
from __future__ import annotations

import bisect
import json
import re
import sys
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
    """YAML 1.1 resolution without its surprises: dates stay strings (2019-04-01, 平成31年4月);
    integers are decimal (``1:30:00``, ``010``, ``0x1F`` and ``0b1`` stay strings, which a count
    refuses, instead of becoming 5400, 8, 31 and 1); floats are not sexagesimal; ``=`` is a
    string (YAML 1.1's "value" key, which the safe constructor cannot build)."""


_REPLACED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
             "tag:yaml.org,2002:value"}
_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
_FLOAT = re.compile(r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                        |[-+]?\.(?:inf|Inf|INF)
                        |\.(?:nan|NaN|NAN))""", re.X)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(f"^(?:{_DECIMAL.pattern})$"),
                                list("-+0123456789"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(f"^(?:{_FLOAT.pattern})$", re.X),
                                list("-+0123456789."))

# The tags a chain file's YAML may hold, implicit or written out (!!str 2015 quotes a year).
_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "seq", "map")}
_MERGE = _TAG + "merge"


def digits_problem(digits: str) -> str | None:
    """Why an integer of these digits cannot be read, if it cannot: Python converts at most 4,300
    digits by default (int() raises ValueError beyond, which was an internal error)."""
    limit = sys.get_int_max_str_digits()
    if limit == 0 or len(digits) <= limit:
        return None
    return (f"a number of {len(digits):,} digits: too large for any field of a chain file "
            f"(and over Python's limit of {limit:,})")


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    def __init__(self, stream: str, max_depth: int = 64):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self.max_depth = max_depth
        self.path: list[Any] = []  # of the node being composed

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
        # PyYAML composes recursively, a few frames a level: a 1 KB file of nested brackets or
        # dashes reached Python's recursion limit. Bounded here, as the walk below bounds it.
        if parent is not None:
            key = index.value if isinstance(index, yaml.ScalarNode) else index
            self.path.append("?" if key is None and isinstance(parent, yaml.MappingNode) else key)
        try:
            if len(self.path) > self.max_depth:
                raise SourceError(f"nesting deeper than {self.max_depth} levels", event.start_mark.line + 1,
                                  tuple(self.path[:4]))
            return super().compose_node(parent, index)
        finally:
            if parent is not None:
                self.path.pop()

    def construct_yaml_int(self, node):  # noqa: ANN001 - PyYAML's signature
        """Decimal only, even tagged !!int (the walk has refused anything else)."""
        try:
            return int(self.construct_scalar(node).replace("_", ""))
        except ValueError as exc:  # a backstop: the walk refuses these with their line first
            raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def parse_yaml(text: str, max_depth: int = 64) -> tuple[Any, dict[Path, int]]:
    try:
        loader = _Loader(text, max_depth)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        code = exc.character if isinstance(exc.character, int) else 0
        raise SourceError(f"the file contains the character U+{code:04X}, which YAML does not allow"
                          + (" (a NUL byte: is it a binary file?)" if code == 0 else ""), line) from None
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
    if node.tag not in _ALLOWED_TAGS:
        tag = "!!" + node.tag[len(_TAG):] if node.tag.startswith(_TAG) else node.tag
        errors.append(SourceError(f"YAML tag {tag} is not allowed in chain files", node.start_mark.line + 1,
                                  path))
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                errors.append(SourceError("YAML merge key << is not allowed in chain files (it lets "
                                          "another mapping's keys stand in for these): write the keys out",
                                          line, path + (key,)))
                continue
            if key in seen:
                errors.append(
                    SourceError(f"duplicate key {key!r} (first at line {seen[key]})", line, path + (key,))
                )
                continue
            seen[key] = line
            if isinstance(key_node, yaml.ScalarNode):  # keys are checked as values are (tags, integers)
                before = len(errors)
                _walk_yaml(key_node, path, {}, errors, max_depth)
                if len(errors) > before:
                    continue
            _walk_yaml(value_node, path + (key,), lines, errors, max_depth)
            lines[path + (key,)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_yaml(item, path + (index,), lines, errors, max_depth)
    elif node.tag == _TAG + "int":  # implicit ones are decimal (_Resolver); !!int 0x1F is not
        problem = (f"{node.value!r} is not a decimal integer" if not _DECIMAL.fullmatch(node.value)
                   else digits_problem(node.value.lstrip("+-").replace("_", "")))
        if problem:
            errors.append(SourceError(problem, node.start_mark.line + 1, path))
    elif node.tag == _TAG + "float" and not _FLOAT.fullmatch(node.value):
        errors.append(SourceError(f"{node.value!r} is not a decimal number", node.start_mark.line + 1, path))


WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, any amount
# json.loads also reads NaN, Infinity and -Infinity, which are not JSON; the line walk must step
# over them to name where they are
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}


class NonFiniteNumber(Exception):
    """A JSON text holds NaN, Infinity or -Infinity (raised by :func:`refuse_constant`)."""


def refuse_constant(name: str) -> Any:
    """``parse_constant`` for json: NaN and Infinity are not JSON, and a count cannot be either."""
    raise NonFiniteNumber(name)


def parse_json(text: str, with_lines: bool = True, max_depth: int = 64) -> tuple[Any, dict[Path, int]]:
    """json.loads for the data; a second, cheap walk for line numbers only when asked."""
    try:
        data = json.loads(text, object_pairs_hook=refuse_duplicates, parse_constant=refuse_constant)
    except (DuplicateKey, NonFiniteNumber):
        json_lines(text, max_depth)  # raises, naming each duplicate or NaN with its line
        raise SourceError("duplicate key, NaN or Infinity", None) from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"JSON syntax error: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except ValueError:  # an integer of more digits than Python converts
        json_lines(text, max_depth)  # raises, naming it with its line and field
        raise SourceError("a number too large to read", None) from None
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
    """Map each field path of a JSON document that json.loads reads to the line it starts on;
    :class:`SourceErrors` naming each duplicate key, NaN or Infinity, and integer of more digits
    than Python converts."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    lines: dict[Path, int] = {}
    problems: list[SourceError] = []  # duplicate keys, NaN and Infinity, numbers too long to read

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
                    problems.append(SourceError(f"duplicate key {key!r} (first at line {seen[key]})",
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
        end = _SCALAR.match(text, pos).end()
        token = text[pos:end]
        if token in _NON_FINITE:
            problems.append(SourceError(f"{token} is not a JSON number (JSON has no NaN or Infinity)",
                                        line_at(pos), path))
        elif token.lstrip("-").isdigit():  # an integer (floats are read at any length)
            problem = digits_problem(token.lstrip("-"))
            if problem:
                problems.append(SourceError(problem, line_at(pos), path))
        return end

    value(0, ())
    if problems:
        raise SourceErrors(problems)
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
