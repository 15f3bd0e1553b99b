"""Findings in the graph: an analysis's findings recorded in its Neo4j dataset, for Neo4j Browser.

``write_findings(store, dataset, analysis)`` writes (docs/neo4j-findings.md describes each):
- ``(handler)-[:UNDISCLOSED_TO]->(consignor)``, one per ``undisclosed_subcontracting`` finding,
  with the rule, the consignor's routes that reach the handler, the first route's path, the
  windows (``certain`` / ``possible`` as ISO intervals, their first and last days as dates, per
  route too) and the messages; ``(handler)-[:FINDING {rule}]->(consignor)`` the same for the
  other consignor × handler rules;
- the label ``:Undisclosed`` on every handler some consignor was never told of, with
  ``undisclosed_consignors`` (how many); ``undisclosed_handlers`` on such consignors; ``findings``
  (rule ids) on a consignor for its consignor rules (could_not_supervise) and on an ``ENTRUSTS``
  relationship for its entrustment rules;
- ``undisclosed_for`` (consignor ids) on every ``ENTRUSTS``, ``PLACES_DATA_IN`` and
  ``ACCESSIBLE_BY`` relationship that is a step of an undisclosed route's path;
- ``display`` on every organisation and system: a short display name (see
  :func:`display_names`), Browser's caption;
- on the ``Dataset`` node, ``findings_version`` and ``findings_of`` (the chain version they are
  the findings of), so that a reader can tell current findings from stale ones.

Idempotent: every element written carries ``findings_version`` (a hash of what was written and
of the dataset's version); a rewrite writes the new state, then removes what carries another
version, so the previous findings of that dataset are replaced and never mixed with the new
ones, and a rewrite of the same findings writes nothing (``reused``). Batched ``UNWIND $rows``,
parameterised; the statements are the files of ``cypher/findings``.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Iterator

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.findings import Analysis, Finding, Record, record_windows, route_triples
from entrustment_chain.graph.analysis.registry import RULE_IDS, RULES, Per
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.neo4j import queries
from entrustment_chain.graph.neo4j.store import DEFAULT_BATCH, Neo4jStore

# What the findings add to the graph, by name (the Browser style sheet and the stored queries
# of cypher/browser name them too).
UNDISCLOSED = "Undisclosed"  # label of a handler some consignor was never told of
UNDISCLOSED_TO = "UNDISCLOSED_TO"  # (handler)-[:UNDISCLOSED_TO]->(consignor)
FINDING = "FINDING"  # (handler)-[:FINDING {rule}]->(consignor): the other consignor × handler rules
UNDISCLOSED_RULE = "undisclosed_subcontracting"
STEP_TYPES = (S.ENTRUSTS, S.PLACES_DATA_IN, S.ACCESSIBLE_BY)

# The layout of what is written: part of every findings_version, so that a new layout rewrites.
FORMAT = "entrustment-chain/findings-graph/1"

# Display names: a name of at most KEEP_WIDTH columns (a wide character, as in 株式会社, takes
# two) is shown whole; a longer one is cut to DISPLAY_WIDTH with …: about ten Japanese characters.
KEEP_WIDTH = 24
DISPLAY_WIDTH = 20
# Browser breaks a caption into lines at spaces only; a display name wider than LINE_WIDTH
# columns gets one space where it may break, so that it fits a node in two lines.
LINE_WIDTH = 14
ELLIPSIS = "…"

# Legal forms left out of display names (the name itself is kept in ``name``).
_LEGAL_FORMS = (
    "特定非営利活動法人", "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "社会福祉法人",
    "医療法人社団", "医療法人財団", "医療法人", "学校法人", "独立行政法人", "地方独立行政法人",
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社",
    "（株）", "(株)", "㈱", "（有）", "(有)", "㈲", "（同）", "(同)",
)
_FORMS = "|".join(re.escape(f) for f in sorted(_LEGAL_FORMS, key=len, reverse=True))
_LEGAL_FORM = re.compile(rf"^\s*(?:{_FORMS})\s*|\s*(?:{_FORMS})\s*$")  # before or after the name only
_LATIN_FORM = re.compile(r"[\s,]*\b(?:Co\.,?\s*Ltd\.?|Co\.|Ltd\.?|Inc\.?|K\.K\.|LLC|L\.L\.C\.|GmbH|AG|S\.A\.|"
                         r"Pte\.?\s*Ltd\.?|Corporation|Corp\.?|Limited|PLC|plc)\s*$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Display names

def width(text: str) -> int:
    """Columns ``text`` takes: two for a wide or fullwidth character (and for …, which Japanese
    fonts draw wide), none for a combining one, one otherwise."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" or c == ELLIPSIS
               else 1 for c in text)


def short_name(name: str) -> str:
    """A name without its legal form (株式会社, 有限会社, （株）, Co., Ltd., Inc. …) and spare
    spaces; the name as it is when nothing else would be left."""
    text = _LEGAL_FORM.sub("", name)
    previous = None
    while previous != text:  # "Foo Co., Ltd." then "Foo Inc. Ltd." …
        previous, text = text, _LATIN_FORM.sub("", text)
    text = " ".join(text.replace("\u3000", " ").split())
    return text or " ".join(name.split())


def _head(text: str, columns: int) -> str:
    """The longest start of ``text`` within ``columns``."""
    out, used = [], 0
    for c in text:
        w = width(c)
        if used + w > columns:
            break
        out.append(c)
        used += w
    return "".join(out)


def _tail(text: str, columns: int) -> str:
    return _head(text[::-1], columns)[::-1]


def _cut(text: str, limit: int = DISPLAY_WIDTH, tail: str = "", keep: int = KEEP_WIDTH) -> str:
    """``text`` as it is when it fits ``keep`` columns, else its start, …, and ``tail`` within
    ``limit``."""
    if not tail and width(text) <= keep:
        return text
    return _head(text, limit - width(ELLIPSIS) - width(tail)).rstrip() + ELLIPSIS + tail


def _script(c: str) -> str:
    """The kind of a character, for where a display name may break: kanji, kana, Latin, digits."""
    if c.isdigit():
        return "digit"
    if c == ELLIPSIS:
        return "ellipsis"
    name = unicodedata.name(c, "")
    if name.startswith("CJK"):
        return "kanji"
    if name.startswith("HIRAGANA"):
        return "hiragana"
    if name.startswith("KATAKANA") or c == "ー":
        return "katakana"
    if c.isalpha():
        return "latin"
    return "other"


def wrap(text: str, limit: int = LINE_WIDTH) -> str:
    """``text`` with one space where Browser may break it into two lines, when it is wider than
    ``limit`` columns and has no space: at a change of script (kanji, kana, Latin, digits) when
    both lines fit ``limit``, else where they are most even; never before … or a long-vowel mark."""
    if " " in text or width(text) <= limit:
        return text
    total = width(text)
    best, best_cost = 0, None
    for i in range(1, len(text)):
        left = width(text[:i])
        longer = max(left, total - left)
        cost = longer + (100 if longer > limit else 0)
        if text[i] in ELLIPSIS + "ー・）)」』、。" or text[i - 1] in "・（(「『" or \
                (text[i - 1] == ELLIPSIS and text[i].isdigit()):
            cost += 1000
        elif _script(text[i - 1]) == _script(text[i]):
            cost += 5
        if best_cost is None or cost < best_cost:
            best, best_cost = i, cost
    return text[:best] + " " + text[best:] if best else text


def _breaks_a_word(caption: str) -> bool:
    """Whether the space :func:`wrap` put in ``caption`` stands inside a run of one script."""
    i = caption.find(" ")
    return 0 < i < len(caption) - 1 and _script(caption[i - 1]) == _script(caption[i + 1])


def caption(base: str, tail: str = "") -> str:
    """The display name of a name without its legal form: whole up to :data:`KEEP_WIDTH`
    columns, else cut to :data:`DISPLAY_WIDTH` with … and ``tail``; wrapped for Browser
    (:func:`wrap`). A cut name that would wrap inside a word is cut at a change of script
    instead when it can be (NTTビジネスソリューションズ: "NTT ビジネスソ…", not "NTTビジネ スソリュ…")."""
    if not tail and width(base) <= KEEP_WIDTH:
        return wrap(base)
    wrapped = wrap(_cut(base, DISPLAY_WIDTH, tail))
    if not _breaks_a_word(wrapped):
        return wrapped
    best: tuple[int, str] | None = None
    for i in range(1, len(base)):
        first, rest = base[:i], base[i:]
        if _script(first[-1]) == _script(rest[0]) or not 2 <= width(first) <= LINE_WIDTH \
                or rest[0] in "ー・）)」』、。" or first[-1] in "・（(「『":
            continue
        second = _cut(rest, LINE_WIDTH, tail, keep=0 if tail else LINE_WIDTH)
        if width(second) > LINE_WIDTH or second.startswith(ELLIPSIS):
            continue
        shown = width(first) + width(second)
        if best is None or shown > best[0]:
            best = (shown, f"{first} {second}")
    return best[1] if best else wrapped


def display_names(nodes: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], str]:
    """Short display names, distinct within the given nodes: ``(label, id, name)`` → display.

    Each is the name without its legal form (:func:`short_name`), whole up to
    :data:`KEEP_WIDTH` columns (twelve Japanese characters), else cut at :data:`DISPLAY_WIDTH`
    (about ten) with … (:func:`caption`); names cut to the same start keep, after the …, as much
    of their ends as tells them apart (（株）ひまわり物流センター東日本第一 and …第二 become
    "ひまわり 物流セン…一" and "…二"); names still alike get their ids in parentheses. A space
    marks where Browser may wrap it (:func:`wrap`); two names differing only in that space are
    alike."""
    bases = {(label, node_id): short_name(name or node_id) for label, node_id, name in nodes}
    shown: dict[tuple[str, str], str] = {key: caption(base) for key, base in bases.items()}

    def clashes() -> list[list[tuple[str, str]]]:
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key, text in shown.items():
            groups[text.replace(" ", "")].append(key)
        return [keys for keys in groups.values() if len(keys) > 1]

    for keys in clashes():  # cut alike: keep the ends that tell them apart
        names = {bases[k] for k in keys}
        if len(names) < len(keys) or any(width(bases[k]) <= KEEP_WIDTH for k in keys):
            continue  # the same name twice, or one shown whole: ids below
        for columns in range(1, DISPLAY_WIDTH - width(ELLIPSIS)):
            tails = {k: _tail(bases[k], columns) for k in keys}
            if len(set(tails.values())) == len(keys):
                for k in keys:
                    shown[k] = caption(bases[k], tails[k])
                break
    for keys in clashes():  # the same name, or what is left alike: the id tells them apart
        for label, node_id in keys:
            shown[(label, node_id)] = f"{shown[(label, node_id)]}({node_id})"
    for keys in clashes():  # an organisation and a system with the same name and id
        for label, node_id in keys:
            shown[(label, node_id)] = f"{shown[(label, node_id)]}[{label}]"
    return shown


# ---------------------------------------------------------------------------------------------
# Rows

def _span(interval: W.Interval) -> str:
    """An interval as ISO 8601 (``2015-03-01/2023-12-31``; ``..`` for an unbounded end)."""
    start, end = W.bound_iso(interval[0], "start"), W.bound_iso(interval[1], "end")
    return f"{start or '..'}/{end or '..'}"


def _first(intervals: tuple[W.Interval, ...]) -> date | None:
    return intervals[0][0] if intervals and intervals[0][0] != W.MIN else None


def _last(intervals: tuple[W.Interval, ...]) -> date | None:
    return intervals[-1][1] if intervals and intervals[-1][1] != W.MAX else None


def _step_name(step: S.PathStep) -> str:
    return f"{step.type} {step.key}"


@dataclass
class FindingsRows:
    """What :func:`write_findings` writes, as rows for the files of ``cypher/findings``."""

    undisclosed: list[dict[str, Any]] = field(default_factory=list)  # UNDISCLOSED_TO
    other: list[dict[str, Any]] = field(default_factory=list)  # FINDING
    organizations: list[dict[str, Any]] = field(default_factory=list)  # labels and counts
    steps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by relationship type


def _relation(record: Record, finding: Finding) -> dict[str, Any]:
    """The properties of one consignor × handler finding's relationship (``finding`` is the
    record made a finding, with its messages)."""
    union = record_windows(record)
    routes = list(route_triples(record))
    certain = union.certain if union is not None else ()
    possible = union.possible if union is not None else ()
    rule_id = RULE_IDS[record.rule]
    return {
        "consignor": record.consignor, "handler": record.handler,
        "props": {
            "rule": rule_id, "severity": RULES[rule_id].severity.value,
            "consignor": record.consignor, "handler": record.handler,
            "routes": [route.id for route, _, _ in routes],
            "route_kinds": [route.kind for route, _, _ in routes],
            "route_certain": [" ".join(_span(i) for i in w.certain) for _, _, w in routes],
            "route_possible": [" ".join(_span(i) for i in w.possible) for _, _, w in routes],
            "path": [_step_name(s) for s in record.path],
            "certain": [_span(i) for i in certain], "possible": [_span(i) for i in possible],
            "certain_start": _first(certain), "certain_end": _last(certain),
            "possible_start": _first(possible), "possible_end": _last(possible),
            "unknown_period": bool(union.unknown) if union is not None else False,
            "evidence_unknown": record.evidence_unknown,
            "conduct_date": finding.conduct_date,
            "message": finding.message, "message_ja": finding.message_ja,
        },
    }


def findings_rows(analysis: Analysis) -> FindingsRows:
    """The rows of an analysis's findings (every rule's, every route of the path rules)."""
    records = analysis.findings.records
    findings = analysis.findings
    rows = FindingsRows()
    undisclosed_for: dict[tuple[str, str], set[str]] = defaultdict(set)
    entrustment_rules: dict[str, set[str]] = defaultdict(set)
    consignor_rules: dict[str, set[str]] = defaultdict(set)
    unknown_to: dict[str, set[str]] = defaultdict(set)  # handler → the consignors not told of it
    not_told: dict[str, set[str]] = defaultdict(set)  # consignor → the handlers it was not told of
    for index, record in enumerate(records):
        rule_id = RULE_IDS[record.rule]
        per = RULES[rule_id].per
        if per == Per.consignor_handler and record.handler is not None:
            row = _relation(record, findings[index])
            if rule_id == UNDISCLOSED_RULE:
                rows.undisclosed.append(row)
                unknown_to[record.handler].add(record.consignor)
                not_told[record.consignor].add(record.handler)
                for _, path, _ in route_triples(record):
                    for step in path:
                        undisclosed_for[(step.type, step.key)].add(record.consignor)
            else:
                row["rule"] = rule_id
                rows.other.append(row)
        elif per == Per.entrustment and record.entrustment is not None:
            entrustment_rules[record.entrustment].add(rule_id)
        else:
            consignor_rules[record.consignor].add(rule_id)
    order = {rule_id: i for i, rule_id in enumerate(RULE_IDS)}
    for org in sorted(set(unknown_to) | set(not_told) | set(consignor_rules)):
        rows.organizations.append({
            "id": org,
            "undisclosed_consignors": len(unknown_to[org]) if org in unknown_to else None,
            "undisclosed_handlers": len(not_told[org]) if org in not_told else None,
            "findings": sorted(consignor_rules[org], key=order.__getitem__) if org in consignor_rules else None,
        })
    for rel_type in STEP_TYPES:
        keys = {key for t, key in undisclosed_for if t == rel_type}
        if rel_type == S.ENTRUSTS:
            keys |= set(entrustment_rules)
        rows.steps[rel_type] = [
            {"key": key,
             "undisclosed_for": sorted(undisclosed_for[(rel_type, key)]) if (rel_type, key) in undisclosed_for else None,
             "findings": sorted(entrustment_rules[key], key=order.__getitem__)
             if rel_type == S.ENTRUSTS and key in entrustment_rules else None}
            for key in sorted(keys)]
    return rows


def fingerprint(analysis: Analysis, dataset_version: str | None, display: dict[tuple[str, str], str]) -> str:
    """The ``findings_version`` of an analysis written on a dataset version: a hash of the
    layout, the dataset's version, every finding record and the display names."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\n{dataset_version}\n".encode())
    for record in analysis.findings.records:
        digest.update(repr(tuple(record)).encode("utf-8"))
    digest.update(json.dumps(sorted(display.items()), ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Running cypher/findings

@lru_cache(maxsize=None)
def findings_query(name: str) -> queries.Query:
    """A file of ``cypher/findings`` (the same header and statements as every cypher/ file)."""
    folder = resources.files("entrustment_chain.cypher") / "findings"
    return queries.parse_query((folder / f"{name}.cypher").read_text(encoding="utf-8"), "findings")


def findings_queries() -> dict[str, queries.Query]:
    """Every file of ``cypher/findings``, by name."""
    folder = resources.files("entrustment_chain.cypher") / "findings"
    return {entry.name[:-len(".cypher")]: findings_query(entry.name[:-len(".cypher")])
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".cypher")}


def _run(store: Neo4jStore, name: str, read: bool = False, **params: Any) -> list[dict[str, Any]]:
    """Run a file of ``cypher/findings`` in one managed transaction; the rows of every statement."""
    query = findings_query(name)

    def work(tx: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for statement in query.statements:
            rows += [record.data() for record in tx.run(statement, params)]
        return rows

    rows: list[dict[str, Any]] = store._run_read(work) if read else store._run_write(work)
    return rows


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _prune(store: Neo4jStore, dataset: str, version: str, batch_size: int) -> int:
    """Remove what another findings_version wrote, ``batch_size`` elements per transaction."""
    removed = 0
    for name in ("prune_relations", "prune_steps", "prune_organizations"):
        while done := sum(r["removed"] for r in _run(store, name, dataset=dataset, version=version,
                                                      limit=batch_size)):
            removed += done
    return removed


def state(store: Neo4jStore, dataset: str) -> dict[str, Any]:
    """The dataset's loaded ``version`` and ``status``, and its findings: ``findings_version``
    and ``findings_of`` (the version they were written for); {} when there is no such dataset."""
    rows = _run(store, "state", read=True, dataset=dataset)
    return rows[0] if rows else {}


def dataset_display(store: Neo4jStore, dataset: str) -> dict[tuple[str, str], str]:
    """The display names of the dataset's organisations and systems, from their names as loaded."""
    return display_names((r["label"], r["id"], r["name"]) for r in _run(store, "names", read=True, dataset=dataset))


def write_display(store: Neo4jStore, dataset: str, display: dict[tuple[str, str], str] | None = None,
                  batch_size: int = DEFAULT_BATCH) -> dict[tuple[str, str], str]:
    """Write ``display`` on every organisation and system of the dataset (:func:`dataset_display`
    unless given); returns them. Cheap: one read and one write per node."""
    display = dataset_display(store, dataset) if display is None else display
    for label, name in ((S.ORGANIZATION, "display_organizations"), (S.SYSTEM, "display_systems")):
        rows = [{"id": node_id, "display": text} for (lbl, node_id), text in sorted(display.items()) if lbl == label]
        for batch in _batches(rows, batch_size):
            _run(store, name, dataset=dataset, rows=batch)
    return display


def write_findings(store: Neo4jStore, dataset: str, analysis: Analysis, batch_size: int = DEFAULT_BATCH,
                   force: bool = False) -> dict[str, Any]:
    """Record ``analysis`` (of the chain loaded as ``dataset``) in the dataset: see the module's
    docstring and docs/neo4j-findings.md. Replaces the dataset's previous findings; writes
    nothing when the same findings are there already (``reused``) unless ``force``. Returns
    counts: undisclosed (UNDISCLOSED_TO), other (FINDING), organizations, steps (relationships
    marked), removed (stale elements), version, reused."""
    if batch_size < 1:
        raise InputError([Problem("--batch-size", None, "batch_size", "must be at least 1")])
    found = state(store, dataset)
    if found.get("version") is None or found.get("status") != "ready":
        raise InputError([Problem("dataset", None, dataset, "no such dataset loaded: load the chain first "
                                  "(chain load FILE --dataset NAME)" if found.get("version") is None else
                                  "its last load did not finish: load the chain again first")])
    display = dataset_display(store, dataset)
    version = fingerprint(analysis, found["version"], display)
    if not force and found.get("findings_version") == version:
        return {"dataset": dataset, "version": version, "reused": True, "undisclosed": 0, "other": 0,
                "organizations": 0, "steps": 0, "removed": 0}
    rows = findings_rows(analysis)
    write_display(store, dataset, display, batch_size)
    for name, items in (("organizations", rows.organizations), ("undisclosed_to", rows.undisclosed),
                        ("finding", rows.other)):
        for batch in _batches(items, batch_size):
            _run(store, name, dataset=dataset, version=version, rows=batch)
    for rel_type, items in rows.steps.items():
        for batch in _batches(items, batch_size):
            _run(store, f"steps_{rel_type.lower()}", dataset=dataset, version=version, rows=batch)
    removed = _prune(store, dataset, version, batch_size)
    _run(store, "dataset", dataset=dataset, version=version, of=found["version"],
         undisclosed=len(rows.undisclosed), total=len(analysis.findings))
    return {"dataset": dataset, "version": version, "reused": False, "undisclosed": len(rows.undisclosed),
            "other": len(rows.other), "organizations": len(rows.organizations),
            "steps": sum(len(v) for v in rows.steps.values()), "removed": removed}


def clear_findings(store: Neo4jStore, dataset: str, batch_size: int = DEFAULT_BATCH) -> int:
    """Remove a dataset's findings and display names (those of an older version of the chain
    would be stale, and a caption missing is better than a wrong one); how many elements were
    changed."""
    removed = _prune(store, dataset, "", batch_size)
    while done := sum(r["removed"] for r in _run(store, "clear_display", dataset=dataset, limit=batch_size)):
        removed += done
    _run(store, "dataset", dataset=dataset, version=None, of=None, undisclosed=None, total=None)
    return removed


def undisclosed_pairs(store: Neo4jStore, dataset: str) -> set[tuple[str, str]]:
    """(consignor, handler) of every UNDISCLOSED_TO of the dataset, as written."""
    return {(r["consignor"], r["handler"]) for r in _run(store, "undisclosed_pairs", read=True, dataset=dataset)}
