"""The Cypher files of ``cypher/``: each starts with a header of ``// key: value`` lines
(name, description, parameters, columns) and may hold several statements separated by ``;``.
Statements are literal text; every value reaches the database as a parameter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.wareki import WarekiError, parse_date

HEADER_KEYS = ("name", "description", "parameters", "columns")


@dataclass(frozen=True)
class Query:
    name: str
    group: str  # schema, load, rules, queries, read (readback.py: pages of a dataset, not offered to users)
    description: str
    parameters: tuple[str, ...]
    columns: tuple[str, ...]
    statements: tuple[str, ...]
    text: str
    # parameters declared with a trailing "?" (``as_of?``): null when not given
    optional: tuple[str, ...] = ()


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def parse_query(text: str, group: str) -> Query:
    header: dict[str, str] = {}
    body: list[str] = []
    last = None
    for line in text.splitlines():
        m = re.match(r"^//\s*(\w+):\s?(.*)$", line)
        if not body and m and m[1] in HEADER_KEYS:
            header[m[1]] = m[2].strip()
            last = m[1]
        elif not body and line.startswith("//") and last:
            header[last] += " " + line[2:].strip()
        else:
            body.append(line)
    statements = tuple(s.strip() for s in re.split(r";\s*$", "\n".join(body), flags=re.M) if s.strip())
    missing = [k for k in HEADER_KEYS if k not in header]
    if missing:
        raise ValueError(f"cypher file {group}/{header.get('name', '?')} lacks header keys {missing}")
    declared = _split_list(header["parameters"])
    return Query(name=header["name"], group=group, description=header["description"],
                 parameters=tuple(p.rstrip("?") for p in declared), columns=_split_list(header["columns"]),
                 statements=statements, text=text, optional=tuple(p[:-1] for p in declared if p.endswith("?")))


@lru_cache(maxsize=None)
def all_queries() -> dict[tuple[str, str], Query]:
    root = resources.files("entrustment_chain.cypher")
    found = {}
    for group in ("schema", "load", "rules", "queries", "read"):
        folder = root / group
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".cypher"):
                query = parse_query(entry.read_text(encoding="utf-8"), group)
                found[(group, query.name)] = query
    return found


def get(group: str, name: str) -> Query:
    return all_queries()[(group, name)]


def user_queries() -> dict[str, Query]:
    """The queries `chain query` offers: the stored queries and the rules."""
    return {q.name: q for (group, _), q in all_queries().items() if group in ("queries", "rules")}


def user_query(name: str) -> Query:
    """The stored query ``name`` (an :class:`InputError` naming ``chain query --list`` if none)."""
    available = user_queries()
    if name not in available:
        raise InputError([Problem("NAME", None, "name", f"no stored query {name!r}; see `chain query --list`")])
    return available[name]


def bind(query: Query, params: Iterable[str]) -> dict[str, str]:
    """``K=V`` arguments as the query's parameters: every one it takes, and nothing else."""
    values: dict[str, str] = {}
    problems = []
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            problems.append(Problem("--param", None, item, "expected K=V"))
        elif key not in query.parameters:
            problems.append(Problem("--param", None, key,
                                    f"{query.name} takes {', '.join(query.parameters) or 'no parameters'}"))
        elif key == "as_of":  # a day as people write it (R5.1.31, 令和5年1月31日), as --as-of takes it
            try:
                values[key] = parse_date(value).last_day().isoformat()
            except WarekiError as exc:
                problems.append(Problem("--param", None, key, str(exc)))
        else:
            values[key] = value
    problems += [Problem("--param", None, p, f"{query.name} needs --param {p}=…") for p in query.parameters
                 if p not in values and p not in query.optional]
    if problems:
        raise InputError(problems)
    return values
