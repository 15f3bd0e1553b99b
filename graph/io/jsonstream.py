"""Read a large JSON chain file element by element, validating each as it is read.

``json.loads`` of a whole file holds, at its peak, the bytes, the decoded text (two or four
bytes a character once the file has any Japanese in it) and every element as a dict, before
validation builds the models beside them: at 10^6 entrustments (590 MB) that was over 5 GB.
Here the file is decoded a chunk at a time, each element of ``organizations``, ``systems``,
``entrustments`` and ``access`` is parsed with the standard library's scanner
(``JSONDecoder.raw_decode``) and validated at once, and only the models are kept.

This is the path for files that are valid. At the first sign of a problem of any kind (syntax,
encoding, a key out of place, an element that does not validate, a reference to nothing) it
stops and says so by raising :class:`Fallback`; the caller then reads the file the ordinary way,
which reports every problem at once with its line and field. A bad file therefore costs what it
always did, and its messages come from one place.
"""
from __future__ import annotations

import codecs
import json
from typing import IO, Any, Iterator

from pydantic import ValidationError

from entrustment_chain.graph.model.chain import Access, ChainFile, Entrustment, Organization, System
from entrustment_chain.graph.model.references import reference_problems
from entrustment_chain.graph.io.sourcemap import (
    WHITESPACE,
    DuplicateKey,
    NonFiniteNumber,
    refuse_constant,
    refuse_duplicates,
)

SECTIONS = {"organizations": Organization, "systems": System, "entrustments": Entrustment, "access": Access}
# The fields the reference checks read, per section. They are checked on the models, so a model
# must hold exactly what the file says (ids are refused, never trimmed nor normalised, when they
# are not as they should be; this check keeps it so).
REFERENCES = {
    "organizations": ("id",),
    "systems": ("id", "operator"),
    "entrustments": ("id", "consignor", "contractor", "systems", "covers", "informed_subcontractors",
                     "approved_subcontractors"),
    "access": ("organization", "system", "under"),
}
CHUNK = 8 << 20


class Fallback(Exception):
    """The streamed read stopped; read the file whole to report what is wrong with it."""


class _Text:
    """A window on the decoded text of a binary stream, refilled as parsing moves along."""

    def __init__(self, handle: IO[bytes], chunk: int = CHUNK):
        self.handle = handle
        self.chunk = chunk
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.first = True

    def fill(self) -> None:
        # at least as much again as is pending: a value that keeps not fitting is re-parsed
        # a logarithmic number of times, not once per chunk
        data = self.handle.read(max(self.chunk, len(self.buf) - self.pos))
        if self.first:
            self.first = False
            if data.startswith(codecs.BOM_UTF8):
                data = data[3:]
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise Fallback("not UTF-8") from None
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        self.eof = not data

    def peek(self) -> str:
        """The next character that is not whitespace ('' at the end of the file)."""
        while True:
            self.pos = WHITESPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos:self.pos + 1]
            self.fill()

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise Fallback(f"expected {char!r}")
        self.pos += 1

    def more(self, close: str) -> bool:
        """After an item of an array or object: True at a comma (another item follows), False
        at ``close`` (the end)."""
        nxt = self.peek()
        self.pos += 1
        if nxt == close:
            return False
        if nxt != ",":
            raise Fallback(f"expected ',' or {close!r}")
        return True

    def value(self, decoder: json.JSONDecoder) -> Any:
        """The JSON value that starts here. A value that reaches the end of the text read so far
        may continue beyond it (a number, or a truncated object), so read on and parse again."""
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                value, end = None, -1
            except DuplicateKey:
                raise Fallback("duplicate key") from None
            except NonFiniteNumber:
                raise Fallback("NaN or Infinity") from None
            except ValueError:  # an integer of more digits than Python converts
                raise Fallback("a number too long to read") from None
            except RecursionError:
                raise Fallback("nested too deeply") from None
            if end != -1 and (end < len(self.buf) or self.eof):
                self.pos = end
                return value
            if self.eof:
                raise Fallback("syntax error")
            self.fill()


def _elements(text: _Text, decoder: json.JSONDecoder) -> Iterator[Any]:
    text.expect("[")
    if text.peek() == "]":
        text.pos += 1
        return
    while True:
        yield text.value(decoder)
        if not text.more("]"):
            return


def read_valid_chain(handle: IO[bytes], chunk: int = CHUNK) -> ChainFile:
    """The chain in ``handle`` if it is valid; :class:`Fallback` at its first problem."""
    text = _Text(handle, chunk)
    decoder = json.JSONDecoder(object_pairs_hook=refuse_duplicates, parse_constant=refuse_constant)
    head: dict[str, Any] = {}
    sections: dict[str, list] = {}
    text.expect("{")
    if text.peek() == "}":
        text.pos += 1
    else:
        while True:
            if text.peek() != '"':
                raise Fallback("expected a key")
            key = text.value(decoder)
            if key in head or key in sections:
                raise Fallback("duplicate key")
            text.expect(":")
            if key in SECTIONS and text.peek() == "[":
                sections[key] = _validated(key, _elements(text, decoder))
            else:
                head[key] = text.value(decoder)
            if not text.more("}"):
                break
    if text.peek() != "":
        raise Fallback("text after the document")
    return assemble(head, sections)


def assemble(head: dict[str, Any], sections: dict[str, list]) -> ChainFile:
    """The chain from its validated top level and sections, once the references between the
    elements hold; :class:`Fallback` otherwise."""
    try:
        shell = ChainFile.model_validate({**head, **{k: [] for k in sections}})
    except ValidationError:
        raise Fallback("the file's top level does not validate") from None
    views = {key: [_View(item) for item in items] for key, items in sections.items()}
    if any(True for _ in reference_problems(views)):
        raise Fallback("a reference problem")
    return shell.model_copy(update=sections)


def _validated(section: str, items: Iterator[Any]) -> list:
    model = SECTIONS[section]
    fields = REFERENCES[section]
    result = []
    for item in items:
        try:
            valid = model.model_validate(item)
        except ValidationError:
            raise Fallback(f"an element of {section} does not validate") from None
        for field in fields:
            if field in item and item[field] != getattr(valid, field):
                raise Fallback(f"{section}: {field} changed by validation")
        result.append(valid)
    return result


class _View:
    """An element's model read like the dict it came from, for the reference checks."""

    __slots__ = ("model",)

    def __init__(self, model: Any):
        self.model = model

    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self.model, key, default)
        return value.value if hasattr(value, "value") and not isinstance(value, (list, str)) else value

    def __getitem__(self, key: str) -> Any:
        return self.get(key)
