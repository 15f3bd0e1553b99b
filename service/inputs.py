"""Request bodies and options into the library's inputs: chains, proposals, days. No FastAPI here.

A body is read as the CLI reads a file, by the same loader: a JSON chain is streamed element by
element when it is valid and read whole, to name every problem with its line and field, when it
is not; YAML is parsed whole with the same line-aware loader. Problems are the library's
:class:`~entrustment_chain.graph.errors.Problem`: ``file`` is the name the request gives the chain
(``source``, default ``<body>``), ``line`` counts lines of the body.
"""
from __future__ import annotations

import io
from datetime import date
from typing import Any

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.io.jsonstream import Fallback, read_valid_chain
from entrustment_chain.graph.io.loader import chain_from_dict, decode, parse_chain_text
from entrustment_chain.graph.io.sourcemap import SourceError, SourceErrors, format_path, parse_json, parse_yaml
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.model.wareki import WarekiError, parse_date

BODY = "<body>"
QUERY = "query"  # the ``file`` of a problem with a query parameter (``field`` names the parameter)

# Content-Type (without parameters, lower case) -> format
MEDIA_TYPES = {"application/json": "json", "application/yaml": "yaml", "application/x-yaml": "yaml",
               "text/yaml": "yaml"}
ENVELOPE_KEYS = ("chain", "proposal")


class BodyTooLarge(Exception):
    """A body, or a YAML text inside one, over its limit (HTTP 413)."""

    def __init__(self, message: str, limit: int):
        super().__init__(message)
        self.message = message
        self.limit = limit


def too_large(fmt: str, limit: int, source: str, what: str = "the body") -> BodyTooLarge:
    """The 413 message: which limit binds (``source``: ``--max-body`` or
    ``ENTRUSTMENT_CHAIN_MAX_BYTES``, the loader's limit of the format), and how to raise it."""
    if source == "--max-body":
        return BodyTooLarge(f"{what} is over the limit of {limit:,} bytes (chain serve --max-body)", limit)
    if fmt == "yaml":
        return BodyTooLarge(f"{what} is over the limit of {limit:,} bytes for YAML (YAML is parsed whole; "
                            f"large chains read much faster as JSON; {source} on the server raises it)", limit)
    return BodyTooLarge(f"{what} is over the limit of {limit:,} bytes for JSON ({source} on the server sets "
                        "it)", limit)


def body_format(content_type: str | None) -> str | None:
    """"json" or "yaml" by the Content-Type (its parameters, such as charset, aside), else None."""
    if not content_type:
        return None
    return MEDIA_TYPES.get(content_type.split(";", 1)[0].strip().lower())


def chain_from_body(body: bytes, fmt: str, name: str = BODY) -> ChainFile:
    """The chain a body holds, read as ``chain validate`` reads a file of that format."""
    with gc_paused():
        if fmt == "json":
            try:
                return read_valid_chain(io.BytesIO(body))
            except Fallback:
                pass  # read it whole, which names every problem with its line
        return parse_chain_text(decode(body, name), name, fmt)


def envelope(body: bytes, fmt: str, chain_name: str, yaml_limit: int, limit_source: str
             ) -> tuple[ChainFile, Any, str, dict]:
    """The body of ``/v1/check``: ``{chain, proposal}``, each a mapping (in the body's own format)
    or a text (YAML or JSON) in a string. Returns the chain and the proposal as ``check`` takes
    it: data, name (``proposal``) and line map. Lines of a mapping count in the body; lines of a
    text count in that text. A text parsed as YAML keeps YAML's limit (``yaml_limit``, set by
    ``limit_source``)."""
    text = decode(body, BODY)
    try:
        data, lines = parse_json(text) if fmt == "json" else parse_yaml(text)
    except SourceErrors as exc:
        raise InputError([Problem(BODY, e.line, format_path(e.path), e.message) for e in exc.errors]) from None
    except SourceError as exc:
        raise InputError([Problem(BODY, exc.line, format_path(exc.path), exc.message)]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(BODY, 1, "", "the body of /v1/check is a mapping {chain: …, proposal: …}, "
                                  f"not {'nothing' if data is None else 'a ' + type(data).__name__}")])
    problems = [Problem(BODY, lines.get((key,)), str(key), f"unknown key {key!r}: the body of /v1/check holds "
                        "chain and proposal") for key in data if key not in ENVELOPE_KEYS]
    problems += [Problem(BODY, 1, key, f"required key {key!r} is missing") for key in ENVELOPE_KEYS
                 if key not in data]
    if problems:
        raise InputError(problems)

    def inner(key: str) -> dict:
        return {path[1:]: line for path, line in lines.items() if path[:1] == (key,)}

    member = data["chain"]
    with gc_paused():
        if isinstance(member, str):
            if not _json_text(member):  # read as JSON, as parse_chain_text(…, "auto") reads it, else YAML
                _within(member, yaml_limit, limit_source, "the chain's text")
            chain = parse_chain_text(member, chain_name, "auto")
        else:
            chain = chain_from_dict(member, chain_name, inner("chain"))
    proposal = data["proposal"]
    if isinstance(proposal, str):
        _within(proposal, yaml_limit, limit_source, "the proposal's text")  # always parsed as YAML
        try:
            proposal, proposal_lines = parse_yaml(proposal)
        except SourceError as exc:
            raise InputError([Problem("proposal", exc.line, "", exc.message)]) from None
        except SourceErrors as exc:
            raise InputError([Problem("proposal", e.line, format_path(e.path), e.message)
                              for e in exc.errors]) from None
    else:
        proposal_lines = inner("proposal")
    return chain, proposal, "proposal", proposal_lines


def _json_text(text: str) -> bool:
    """Whether ``parse_chain_text(text, …, "auto")`` reads ``text`` as JSON."""
    return text.lstrip().startswith("{")


def _within(text: str, yaml_limit: int, limit_source: str, what: str) -> None:
    """A text in the envelope parsed as YAML: YAML's limit holds for it, whatever it starts with."""
    if len(text) > yaml_limit or len(text.encode("utf-8")) > yaml_limit:  # the length first: no copy when over
        raise too_large("yaml", yaml_limit, limit_source, what)


def host_name(header: str | None) -> str | None:
    """The name in a Host header, lower case, without its port (``[::1]`` keeps its brackets), or
    None when it is not ``name`` or ``name:port``."""
    value = (header or "").strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[:end + 1], value[end + 1:]
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if not name or (rest and not (rest[0] == ":" and rest[1:].isdigit())):
        return None
    return name


def day(value: str | None, parameter: str, first: bool = False, whole_day: str | None = None) -> date | None:
    """A day from a query parameter as the CLI's options read one (2023-01-31, R5.1.31,
    令和5年1月31日): a month or a year is its last day, or with ``first`` its first; with
    ``whole_day``, a month or a year is refused with that advice."""
    if value is None:
        return None
    try:
        parsed = parse_date(value)
    except WarekiError as exc:
        raise InputError([Problem(QUERY, None, parameter, f"{value!r} is not a date: {exc}")]) from None
    if whole_day and (parsed.month is None or parsed.day is None):
        raise InputError([Problem(QUERY, None, parameter, f"{value!r} names no day: {whole_day}")])
    return parsed.first_day() if first else parsed.last_day()


def as_query_problems(error: InputError) -> InputError:
    """The library names an option of the CLI (``--contractor``, ``--handler``, ``--from`` …) as the
    ``file`` of a problem with it; over HTTP that is a query parameter, which ``field`` names."""
    return InputError([Problem(QUERY, p.line, p.field or p.file.lstrip("-"), p.message)
                       if p.file.startswith("--") else p for p in error.problems])
