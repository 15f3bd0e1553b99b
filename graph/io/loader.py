"""Read a chain file (YAML or JSON, UTF-8 with or without BOM), validate it once, at the edge.

Every problem is collected and raised together as one :class:`InputError`, each naming the file,
the line and the field path, so a user fixes a file in one round instead of twenty.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.io.jsonstream import Fallback, read_valid_chain
from entrustment_chain.graph.model.chain import SCHEMA_V1, ChainFile
from entrustment_chain.graph.model.references import reference_problems
from entrustment_chain.graph.io.sourcemap import (
    SourceError,
    SourceErrors,
    format_path,
    json_lines,
    line_of,
    parse_json,
    parse_yaml,
)

# A file larger than this is refused before it is read (override: ENTRUSTMENT_CHAIN_MAX_BYTES).
# YAML is parsed in pure Python, about a hundred times slower than JSON and with a larger memory
# footprint, so its limit is lower; large chains belong in JSON (`chain generate` writes JSON).
DEFAULT_MAX_BYTES = {"json": 2 << 30, "yaml": 64 << 20}


def load_chain(path: str | os.PathLike[str]) -> ChainFile:
    """Load and validate a chain file. Raises :class:`InputError` listing every problem."""
    with gc_paused():
        return _load_chain(path)


def _load_chain(path: str | os.PathLike[str]) -> ChainFile:
    name = str(path)
    fmt = "json" if name.lower().endswith(".json") else "yaml"
    try:
        size = os.path.getsize(path)
        limit = int(os.environ.get("ENTRUSTMENT_CHAIN_MAX_BYTES", DEFAULT_MAX_BYTES[fmt]))
        if size > limit:
            hint = " (large chains read much faster as JSON)" if fmt == "yaml" else ""
            raise InputError([Problem(name, None, "", f"the file is {size:,} bytes, over the limit of "
                                      f"{limit:,} for {fmt.upper()}{hint}; set ENTRUSTMENT_CHAIN_MAX_BYTES "
                                      "to raise it")])
        if fmt == "json":
            try:
                with open(path, "rb") as handle:
                    return read_valid_chain(handle)
            except Fallback:
                pass  # read it whole, which names every problem with its line
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    text = decode(raw, name)
    return parse_chain_text(text, name, fmt)


def read_text(path: str | os.PathLike[str]) -> str:
    """A UTF-8 text file (a proposal, a table), decoded as :func:`decode` does; a file that cannot
    be read is an :class:`InputError` naming it."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    return decode(raw, str(path))


def decode(raw: bytes, name: str) -> str:
    """UTF-8 with or without BOM; anything else is refused with a message that names the encoding."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(name, 1, "", "the file is UTF-16; save it as UTF-8")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "it is not UTF-8"
        try:
            raw.decode("cp932")
            hint = ("it looks like Shift_JIS (cp932), as Excel and many Japanese office tools write; "
                    "save it as UTF-8 (e.g. iconv -f CP932 -t UTF-8)")
        except UnicodeDecodeError:
            pass
        raise InputError([Problem(name, line, "", f"the file is not UTF-8: {hint}")]) from None


def parse_chain_text(text: str, name: str = "<text>", fmt: str = "yaml") -> ChainFile:
    """Parse and validate the text of a chain file (``fmt`` is "yaml" or "json")."""
    try:
        if fmt == "json" or (fmt == "auto" and text.lstrip().startswith("{")):
            data, _ = parse_json(text, with_lines=False)
            lines: dict | Callable[[], dict] = lambda: json_lines(text)  # only needed on errors
        else:
            data, lines = parse_yaml(text)
    except SourceErrors as exc:
        raise InputError([Problem(name, e.line, format_path(e.path), e.message) for e in exc.errors]) from None
    except SourceError as exc:
        raise InputError([Problem(name, exc.line, format_path(exc.path), exc.message)]) from None
    return chain_from_dict(data, name, lines)


def chain_from_dict(data: Any, name: str = "<data>", lines: dict | Callable[[], dict] | None = None) -> ChainFile:
    """Validate already-parsed data (e.g. built by a tool) into a :class:`ChainFile`.
    ``lines`` maps field paths to line numbers, or is a function computing that map, which is
    then called only when there are problems to report."""
    if callable(lines):
        try:
            chain = ChainFile.model_validate(data) if isinstance(data, dict) else None
        except ValidationError:
            chain = None
        if chain is not None and not any(True for _ in reference_problems(data)):
            return chain
        lines = lines()
    lines = lines or {}
    if data is None:
        raise InputError([Problem(name, 1, "", "the file is empty; a chain file starts with "
                                  f"'schema: {SCHEMA_V1}'")])
    if not isinstance(data, dict):
        raise InputError([Problem(name, line_of(lines, ()), "", f"a chain file is a mapping with "
                                  f"'schema', 'organizations', … at the top, not a {type(data).__name__}")])
    schema = data.get("schema")
    if isinstance(schema, str) and schema.startswith("entrustment-chain/") and schema != SCHEMA_V1:
        raise InputError([Problem(name, line_of(lines, ("schema",)), "schema",
                                  f"this file is {schema!r}; this version of chain reads {SCHEMA_V1!r} "
                                  "(upgrade entrustment-chain to read newer files)")])
    chain, problems = _validate(data, name, lines)
    problems += [Problem(name, line_of(lines, path), format_path(path), msg)
                 for path, msg in reference_problems(data)]
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise InputError(problems)
    return chain


_TYPE_ERRORS = ("_type", "literal_error", "union_tag", "is_instance_of")


def _validate(data: dict, name: str, lines: dict) -> tuple[ChainFile | None, list[Problem]]:
    try:
        return ChainFile.model_validate(data), []
    except ValidationError as exc:
        return None, list(_pydantic_problems(exc, data, name, lines))


def _pydantic_problems(exc: ValidationError, data: dict, name: str, lines: dict) -> Iterable[Problem]:
    errors = []
    for error in exc.errors(include_url=False):
        errors.append((_data_path(data, error["loc"], error["type"]), error))
    deeper = {path[:i] for path, _ in errors for i in range(len(path))}
    merged: dict[tuple, list[str]] = {}
    for path, error in errors:
        # A union's other branch failed on shape while this one matched and failed deeper:
        # the shape complaint is noise.
        if error["type"].endswith(_TYPE_ERRORS) and path in deeper:
            continue
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = f"unknown key {path[-1]!r}"
        elif error["type"] == "missing":
            message = f"required key {path[-1]!r} is missing" if path else message
        elif error["type"] == "literal_error" and path == ("schema",):
            message = f"schema must be {SCHEMA_V1!r}"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        if "input" in error and error["type"] not in ("missing", "extra_forbidden") \
                and not isinstance(error["input"], (dict, list)):
            message += f" (got {_short(error['input'])})"
        merged.setdefault(path, [])
        if message not in merged[path]:
            merged[path].append(message)
    for path, messages in merged.items():
        yield Problem(name, line_of(lines, path), format_path(path), "; or ".join(messages))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _data_path(data: Any, loc: tuple, error_type: str) -> tuple:
    """Pydantic's error location in the data: without its union-member tags ("list[str]",
    "constrained-int", "DataSubjects" …), but naming a key that is missing."""
    path: list = []
    node = data
    for index, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif error_type in ("missing", "extra_forbidden") and index == len(loc) - 1:
            path.append(part)
    return tuple(path)
