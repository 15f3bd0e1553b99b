"""Read a chain file (YAML or JSON, UTF-8 with or without BOM), validate it once, at the edge.

Every problem is collected and raised together as one :class:`InputError`, each naming the file,
the line and the field path, so a user fixes a file in one round instead of twenty.
"""
from __future__ import annotations

import codecs
import os
import stat
import sys
import tempfile
from typing import IO, Any, Callable, Iterable

from pydantic import ValidationError

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.io.jsonstream import Fallback, read_valid_chain
from entrustment_chain.graph.model.chain import SCHEMA_V1, ChainFile, sharing_text
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

# The most a chain file may hold, by format (override: ENTRUSTMENT_CHAIN_MAX_BYTES). The limit is
# enforced while reading: a file is read only from a regular file or from standard input (``-``),
# and never more than limit + 1 bytes of it, so a device (/dev/zero), a pipe or a file that grows
# is refused, not read forever. A valid JSON file is streamed element by element (memory is the
# models, not the text). YAML is parsed whole in pure Python: chains as `chain generate` writes
# them peaked at about 80 MB per MiB of YAML, and the densest shape measured (a flow sequence of
# one-item sequences, `[[1],[1],…]`) at about 525 MB per MiB (1.09 GB for 2 MiB), so YAML's limit
# of 2 MiB keeps any YAML file within about 1.1 GB (a chain of some 3,500 entrustments; large
# chains belong in JSON, which `chain generate` writes). A proposal (`chain check --add`) is YAML
# and has YAML's limit.
DEFAULT_MAX_BYTES = {"json": 2 << 30, "yaml": 2 << 20}
STDIN = "-"
STDIN_NAME = "<stdin>"
_CHUNK = 1 << 20


def load_chain(path: str | os.PathLike[str]) -> ChainFile:
    """Load and validate a chain file (``-``: standard input). Raises :class:`InputError` listing
    every problem."""
    with gc_paused(), sharing_text():  # equal strings of the file's elements kept once
        return _load_chain(path)


def _load_chain(path: str | os.PathLike[str]) -> ChainFile:
    name = input_name(path)
    if str(path) == STDIN:
        handle, fmt = _spool_stdin(name)
    else:
        fmt = "json" if name.lower().endswith(".json") else "yaml"
        handle = open_regular(path, name)
    with handle:
        limit = max_bytes(fmt)
        size = _size(handle, name)
        if size > limit:
            raise _too_big(name, fmt, limit, size)
        try:
            if fmt == "json":
                try:
                    return read_valid_chain(_Bounded(handle, name, fmt, limit))
                except Fallback:
                    handle.seek(0)  # read it whole, which names every problem with its line
            raw = _read_bounded(handle, name, fmt, limit, size)
        except OSError as exc:
            raise _unreadable(name, exc) from None
    text = decode(raw, name)
    del raw
    return parse_chain_text(text, name, fmt)


def input_name(path: str | os.PathLike[str]) -> str:
    """How messages name an input: its path as given, or ``<stdin>`` for ``-``."""
    return STDIN_NAME if str(path) == STDIN else str(path)


def max_bytes(fmt: str) -> int:
    """The byte limit of a format ("json" or "yaml"): ENTRUSTMENT_CHAIN_MAX_BYTES, else the default."""
    value = os.environ.get("ENTRUSTMENT_CHAIN_MAX_BYTES")
    if value is None:
        return DEFAULT_MAX_BYTES[fmt]
    try:
        limit = int(value.replace("_", ""))
    except ValueError:
        limit = -1
    if limit < 0:
        raise InputError([Problem("ENTRUSTMENT_CHAIN_MAX_BYTES", None, "",
                                  f"must be a number of bytes, not {value!r}")])
    return limit


def read_text(path: str | os.PathLike[str], fmt: str = "yaml") -> str:
    """A UTF-8 text file (``-``: standard input) of at most the format's byte limit, decoded as
    :func:`decode` does; a file that cannot be read is an :class:`InputError` naming it."""
    return decode(read_bytes(path, fmt), input_name(path))


def read_bytes(path: str | os.PathLike[str], fmt: str = "yaml", limit: int | None = None) -> bytes:
    """The bytes of a regular file, or of standard input for ``-``, refused (an :class:`InputError`
    naming it) when there are more than ``limit`` (default: the limit of ``fmt``, "yaml" or
    "json"); never more than limit + 1 bytes are read. Anything but a regular file is refused."""
    name = input_name(path)
    limit = max_bytes(fmt) if limit is None else limit
    if str(path) == STDIN:
        return _read_bounded(_stdin(name), name, fmt, limit, None)
    with open_regular(path, name) as handle:
        size = _size(handle, name)
        if size > limit:
            raise _too_big(name, fmt, limit, size)
        return _read_bounded(handle, name, fmt, limit, size)


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words ("a folder", "a character device" …)."""
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str], name: str | None = None) -> IO[bytes]:
    """Open a regular file for reading, binary. Anything else (missing, a folder, a pipe, a device, a
    socket) is an :class:`InputError` naming it; a pipe is opened without waiting for a writer."""
    name = name or str(path)
    try:
        before = os.stat(path)
    except (OSError, ValueError) as exc:
        raise _unreadable(name, exc) from None
    _require_regular(before, name)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(name, exc) from None
    try:
        _require_regular(os.fstat(fd), name)  # it could have been swapped since the stat
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _require_regular(st: os.stat_result, name: str) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(name, None, "", "is a folder, not a file")])
    raise InputError([Problem(name, None, "", f"is {file_kind(st.st_mode)}, not a regular file; give a "
                              "file, or '-' to read standard input")])


def _unreadable(name: str, exc: OSError | ValueError) -> InputError:
    reason = getattr(exc, "strerror", None) or str(exc)
    return InputError([Problem(name, None, "", f"cannot read the file: {reason}")])


def _too_big(name: str, fmt: str, limit: int, size: int | None = None) -> InputError:
    hint = " (large chains read much faster as JSON)" if fmt == "yaml" else ""
    what = f"is {size:,} bytes," if size is not None else "is"
    return InputError([Problem(name, None, "", f"the file {what} over the limit of {limit:,} bytes for "
                               f"{fmt.upper()}{hint}; set ENTRUSTMENT_CHAIN_MAX_BYTES to raise it")])


def _size(handle: IO[bytes], name: str) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _read_bounded(handle: IO[bytes], name: str, fmt: str, limit: int, size: int | None) -> bytes:
    """At most ``limit`` bytes of ``handle``, else :func:`_too_big`: never more than limit + 1 are
    read. A regular file of known size is read in one piece (no copy)."""
    chunks = []
    total = 0
    want = min(size, limit) + 1 if size is not None else _CHUNK
    try:
        while True:
            data = handle.read(min(want, limit + 1 - total))
            if not data:
                break
            chunks.append(data)
            total += len(data)
            if total > limit:
                raise _too_big(name, fmt, limit)
            want = _CHUNK
    except OSError as exc:
        raise _unreadable(name, exc) from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class _Bounded:
    """A binary reader that refuses (with :func:`_too_big`) to read past ``limit`` bytes."""

    def __init__(self, handle: IO[bytes], name: str, fmt: str, limit: int):
        self.handle, self.name, self.fmt, self.limit = handle, name, fmt, limit
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        room = self.limit + 1 - self.count
        data = self.handle.read(room if n is None or n < 0 else min(n, room))
        self.count += len(data)
        if self.count > self.limit:
            raise _too_big(self.name, self.fmt, self.limit)
        return data


def _stdin(name: str) -> IO[bytes]:
    stream = sys.stdin
    handle = getattr(stream, "buffer", None) if stream is not None else None
    if handle is None:
        raise InputError([Problem(name, None, "", "standard input is closed")])
    return handle


def _spool_stdin(name: str) -> tuple[IO[bytes], str]:
    """Standard input copied, within the byte limit, to an anonymous temporary file (gone when it is
    closed), so that it is read like a regular file: JSON streamed, and read again to report its
    problems. The format is JSON when its first character (after a BOM and blanks) is '{'."""
    source = _stdin(name)
    try:
        first = source.read(_CHUNK)
    except OSError as exc:
        raise _unreadable(name, exc) from None
    body = first[3:] if first.startswith(codecs.BOM_UTF8) else first
    fmt = "json" if body.lstrip(b" \t\r\n")[:1] == b"{" else "yaml"
    limit = max_bytes(fmt)
    try:
        spool = tempfile.TemporaryFile()
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot keep standard input in a temporary file: "
                                  f"{exc.strerror or exc}")]) from None
    try:
        total = 0
        data = first
        while data:
            total += len(data)
            if total > limit:
                raise _too_big(name, fmt, limit)
            try:
                spool.write(data)
            except OSError as exc:
                raise InputError([Problem(name, None, "", "cannot keep standard input in a temporary file: "
                                          f"{exc.strerror or exc}")]) from None
            try:
                data = source.read(min(_CHUNK, limit + 1 - total))
            except OSError as exc:
                raise _unreadable(name, exc) from None
        spool.flush()
        spool.seek(0)
        return spool, fmt
    except BaseException:
        spool.close()
        raise


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
    for path, msg, *also in reference_problems(data):
        other = line_of(lines, also[0]) if also else None
        problems.append(Problem(name, line_of(lines, path), format_path(path),
                                msg + (f", line {other}" if other is not None else "")))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise InputError(problems)
    return chain


_TYPE_ERRORS = ("_type", "literal_error", "union_tag", "is_instance_of")


def _validate(data: dict, name: str, lines: dict) -> tuple[ChainFile | None, list[Problem]]:
    try:
        return ChainFile.model_validate(data), []
    except ValidationError as exc:
        return None, list(pydantic_problems(exc, data, name, lines))


def pydantic_problems(exc: ValidationError, data: dict, name: str, lines: dict) -> Iterable[Problem]:
    """The problems of a pydantic validation of ``data`` (read from ``name``, whose ``lines`` map
    each path in the data to its line): each names the file, line and field, as the chain file's
    are named; the baseline and proposal readers use it too."""
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
