"""The rules of DESIGN.md: rows from the networkx backend, and findings from rows.

Each backend produces the same *rows* per rule (the Cypher files in ``cypher/rules/`` return
exactly these columns); :func:`findings_from_rows` turns rows into findings with severity,
messages and legal basis, so the two backends cannot differ in wording or judgement.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any, Iterable, Iterator

import networkx as nx

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.findings import (
    RULE_IDS,
    RULE_INDEX,
    RULES,
    Finding,
    FindingList,
    PathStep,
    Record,
    Step,
    record_sort_key,
)
from entrustment_chain.graph.flow import Edge, prepare_flow, reach
from entrustment_chain.graph.legal import legal_basis
from entrustment_chain.graph.model import CLAUSE_SAFETY, SUPERVISION_MEASURES, ChainFile, OrgKind

Row = dict[str, Any]

PATH_RULES = ("undisclosed_subcontracting", "unapproved_subcontracting")
ENTRUSTMENT_RULES = (
    "no_safeguard_clauses", "missing_safeguard_clause", "no_subcontract_restriction",
    "no_supervision", "weak_supervision", "subcontracting_not_checked",
)


def step_row(edge: Edge) -> Row:
    row: Row = {"type": edge.type, "key": edge.key, "source": S.node_id(edge.source),
                "target": S.node_id(edge.target)}
    return row


class Disclosure:
    """Per consignor: who it was told of, who it approved, and whether those records are known."""

    def __init__(self, chain: ChainFile):
        self.own: dict[str, set[str]] = defaultdict(set)
        self.told: dict[str, set[str]] = defaultdict(set)
        self.approved: dict[str, set[str]] = defaultdict(set)
        self.told_unknown: set[str] = set()
        self.approved_unknown: set[str] = set()
        for e in chain.entrustments:
            c = e.consignor
            self.own[c].add(e.contractor)
            if e.informed_subcontractors is None:
                self.told_unknown.add(c)
            else:
                self.told[c].update(e.informed_subcontractors)
            if e.approved_subcontractors is None:
                self.approved_unknown.add(c)
            else:
                self.approved[c].update(e.approved_subcontractors)
                self.told[c].update(e.approved_subcontractors)

    def disclosed(self, consignor: str, handler: str) -> bool:
        return handler in self.own[consignor] or handler in self.told[consignor]

    def is_approved(self, consignor: str, handler: str) -> bool:
        return handler in self.own[consignor] or handler in self.approved[consignor]


def first_entrustment(path: list[Row]) -> str:
    """The consignor's entrustment a path leaves by (its first step is always one of them)."""
    return S.entrustment_of_step(path[0]["type"], path[0]["key"])


UNDISCLOSED, UNAPPROVED = PATH_RULES
UNDISCLOSED_INDEX, UNAPPROVED_INDEX = RULE_INDEX[UNDISCLOSED], RULE_INDEX[UNAPPROVED]


def networkx_rows(chain: ChainFile, graph: nx.MultiDiGraph) -> Iterator[tuple[str, Row]]:
    """Every rule's rows, computed on the networkx graph, as (rule, row) pairs, produced one
    consignor at a time (never all at once: a million entrustments give millions of rows).
    Paths are tuples of shared :class:`PathStep` tuples; the undisclosed and unapproved rows of
    one handler share one path."""
    disclosure = Disclosure(chain)
    restricts = {e.id: e.clauses.subcontract_restriction is True for e in chain.entrustments}
    consignors = sorted({e.consignor for e in chain.entrustments})
    reached_by: dict[str, list[str]] = defaultdict(list)
    prepared = prepare_flow(graph)
    del graph  # only the prepared relationships are read from here on: let the graph go

    def step(edge: Edge) -> PathStep:
        return PathStep(edge.type, edge.key, S.node_id(edge.source), S.node_id(edge.target))

    for c in consignors:
        handlers = reach(None, c, prepared, step).handlers()
        undisclosed = []
        told_unknown = c in disclosure.told_unknown
        approved_unknown = c in disclosure.approved_unknown
        for h in sorted(handlers):
            reached_by[h].append(c)
            path = handlers[h]
            # rows of the two path rules come already compact (a Record is a row too)
            if not disclosure.disclosed(c, h):
                undisclosed.append(h)
                yield UNDISCLOSED, Record(UNDISCLOSED_INDEX, c, h, None, path, told_unknown, (), ())
            through = S.entrustment_of_step(path[0].type, path[0].key)
            if not disclosure.is_approved(c, h) and restricts[through]:
                yield UNAPPROVED, Record(UNAPPROVED_INDEX, c, h, through, path, approved_unknown, (), ())
        if undisclosed:
            yield "could_not_supervise", {"consignor": c, "handlers": undisclosed, "evidence_unknown": told_unknown}
    for h in sorted(reached_by):
        yield "exposure", {"handler": h, "consignors": reached_by[h]}
    for row in misclassified_rows(chain):
        yield "misclassified_subcontract", row
    for row in entrustment_rows(chain):
        yield row.pop("rule"), row


def holding_systems(chain: ChainFile) -> set[str]:
    """Systems that hold personal data: named by an entrustment whose personal_data is not false."""
    return {s for e in chain.entrustments if e.personal_data is not False for s in e.systems}


def misclassified_rows(chain: ChainFile) -> list[Row]:
    """Entrustments marked ``personal_data: false`` whose contractor can reach personal data:
    it has access, granted under this entrustment or to a system of the consignor (one the
    consignor operates or processes entrusted data in), to a system that holds personal data."""
    holding = holding_systems(chain)
    systems_of: dict[str, set[str]] = defaultdict(set)
    for system in chain.systems:
        if system.operator:
            systems_of[system.operator].add(system.id)
    for e in chain.entrustments:
        systems_of[e.contractor].update(e.systems)
        systems_of[e.consignor].update(e.systems)
    grants_of: dict[str, list] = defaultdict(list)
    for grant in chain.access:
        if grant.system in holding:
            grants_of[grant.organization].append(grant)
    rows = []
    for e in chain.entrustments:
        if e.personal_data is not False:
            continue
        reachable = sorted(
            grant.system for grant in grants_of.get(e.contractor, ())
            if grant.under == e.id or grant.system in systems_of[e.consignor]
        )
        if reachable:
            rows.append({"entrustment": e.id, "consignor": e.consignor, "handler": e.contractor,
                         "systems": reachable})
    return rows


def entrustment_rows(chain: ChainFile) -> Iterable[Row]:
    """Clause and supervision rules, one row per entrustment and rule. They judge every answer
    recorded as false, whatever the contract's own classification of the work: a contract
    classified as "no personal data" is exactly where misclassification hides (ProCX → BS)."""
    for e in chain.entrustments:
        base = {"entrustment": e.id, "consignor": e.consignor, "handler": e.contractor}
        clauses = e.clauses.model_dump()
        supervision = e.supervision.model_dump()
        missing = [f for f in CLAUSE_SAFETY if clauses[f] is False]
        if len(missing) == len(CLAUSE_SAFETY):
            yield {"rule": "no_safeguard_clauses", **base, "missing": missing}
        elif missing:
            yield {"rule": "missing_safeguard_clause", **base, "missing": missing}
        if clauses["subcontract_restriction"] is False:
            yield {"rule": "no_subcontract_restriction", **base, "missing": ["subcontract_restriction"]}
        missing = [f for f in SUPERVISION_MEASURES if supervision[f] is False]
        if len(missing) == len(SUPERVISION_MEASURES):
            yield {"rule": "no_supervision", **base, "missing": missing}
        elif missing:
            yield {"rule": "weak_supervision", **base, "missing": missing}
        if supervision["subcontract_check"] is False:
            yield {"rule": "subcontracting_not_checked", **base, "missing": ["subcontract_check"]}


# ---------------------------------------------------------------------------------------------
# Rows to findings: shared by both backends.

_FIELD_JA = {
    "transfer_safety": "授受の安全管理", "storage_safety": "保管の安全管理", "disposal_safety": "廃棄の安全管理",
    "subcontract_restriction": "再委託の制限", "rules_confirmation": "規律の確認", "written_reports": "書面報告",
    "onsite_inspection": "実地確認", "subcontract_check": "再委託の確認",
}


def path_text(path: Iterable[Row] | Iterable[Step]) -> str:
    """b →(b-procx) procx …; systems shown as [system], access as →(access)."""
    steps = [(s["type"], s["key"], s["source"], s["target"]) if isinstance(s, dict)
             else (s.type, s.key, s.source, s.target) for s in path]
    if not steps:
        return ""
    out = steps[0][2]
    for rel, key, _, target in steps:
        if rel == S.ENTRUSTS:
            out += f" →({key}) {target}"
        elif rel == S.PLACES_DATA_IN:
            out += f" →({S.entrustment_of_step(rel, key)}) [{target}]"
        else:
            out += f" →(access) {target}"
    return out


def to_step(row: Row | PathStep) -> Step:
    """A step of a path from a row {type, key, source, target} (or a :class:`PathStep`)."""
    if isinstance(row, PathStep):
        row = row._asdict()
    entrustment = S.entrustment_of_step(row["type"], row["key"])
    if row["type"] == S.ENTRUSTS:
        system = None
    elif row["type"] == S.PLACES_DATA_IN:
        system = row["target"]
    else:
        system = row["source"]
    return Step(type=row["type"], key=row["key"], source=row["source"], target=row["target"],
                entrustment=entrustment, system=system)


_DETAIL = {"misclassified_subcontract": "systems"}


def findings_from_rows(chain: ChainFile, rows: dict[str, list[Row]] | Iterable[tuple[str, Row | Record]],
                       exposure: list[Row] | None = None) -> FindingList:
    """Findings from either backend's rows: a mapping rule → rows, or (rule, row) pairs as
    :func:`networkx_rows` produces them (a row may be a :class:`Record` already). Rows of ``exposure`` are appended to ``exposure``
    when given. Findings are kept as compact records (see :class:`FindingList`); every path
    step and every path is one shared object, so millions of findings stay affordable."""
    steps: dict[tuple, PathStep] = {}
    paths: dict[tuple, tuple[PathStep, ...]] = {}
    records: list[Record] = []

    def path_of(raw: Iterable[Row] | tuple[PathStep, ...]) -> tuple[PathStep, ...]:
        if isinstance(raw, tuple):  # networkx_rows: already a shared tuple of shared steps
            return raw
        shared = []
        for row in raw:
            found = PathStep(row["type"], row["key"], row["source"], row["target"])
            found = steps.setdefault(found, found)
            shared.append(found)
        ids = tuple(id(s) for s in shared)
        found_path = paths.get(ids)
        if found_path is None:
            found_path = paths[ids] = tuple(shared)
        return found_path

    pairs = ((rule, row) for rule, rule_rows in rows.items() for row in rule_rows) if isinstance(rows, dict) \
        else rows
    for rule, row in pairs:
        if type(row) is Record:
            records.append(row)
            continue
        if rule == "exposure":
            if exposure is not None:
                exposure.append(row)
            continue
        detail = row.get(_DETAIL.get(rule, "missing"), ())
        records.append(Record(
            RULE_INDEX[rule], row["consignor"], row.get("handler"), row.get("entrustment"),
            path_of(row["path"]) if row.get("path") else (), bool(row.get("evidence_unknown", False)),
            tuple(row.get("handlers", ())), tuple(detail),
        ))
    try:  # records compare in report order as they are (no key tuples: millions of them)
        records.sort()
    except TypeError:  # a rule whose rows mix None and ids in one column (not produced by our rules)
        records.sort(key=record_sort_key)
    return FindingList(records, finding_maker(chain))


def finding_maker(chain: ChainFile):
    """The function that turns a :class:`Record` of this chain into a :class:`Finding`."""
    orgs = chain.organizations_by_id
    bases: dict[tuple[str, OrgKind], list[str]] = {}
    step = functools.lru_cache(maxsize=1 << 16)(to_step)  # findings read in order share their steps

    def make(r: Record) -> Finding:
        rule = RULE_IDS[r.rule]
        org = orgs.get(r.consignor)
        kind = org.kind if org is not None else OrgKind.private
        basis = bases.get((rule, kind))
        if basis is None:
            basis = bases[(rule, kind)] = legal_basis(rule, kind)
        en, ja = _messages(rule, r, orgs)
        return Finding.model_construct(
            rule=rule, severity=RULES[rule][0], consignor=r.consignor, handler=r.handler,
            entrustment=r.entrustment, path=[step(p) for p in r.path], legal_basis=basis, message=en, message_ja=ja,
            evidence_unknown=r.evidence_unknown, handlers=list(r.handlers),
        )

    return make


_ENTRUSTMENT_WORDS = {
    "no_safeguard_clauses": ("has none of the three safety clauses", "安全管理条項が全てない"),
    "missing_safeguard_clause": ("lacks safety clauses: {missing}", "安全管理条項の一部がない（{missing_ja}）"),
    "no_subcontract_restriction": ("does not restrict re-entrustment", "再委託の禁止又は制限に関する条項がない"),
    "no_supervision": ("has none of the three supervision measures", "取扱状況を把握する監督措置が全てない"),
    "weak_supervision": ("lacks supervision measures: {missing}", "監督措置の一部がない（{missing_ja}）"),
    "subcontracting_not_checked": ("never checked whether the work was re-entrusted", "再委託の有無を確認していない"),
}
_UNKNOWN_EN = " Whether it was told is unknown: some of its entrustments record no informed subcontractors."
_UNKNOWN_JA = "（説明の有無の記録がない委託があり、確認できない）"


def _name(orgs: dict, org_id: str | None) -> str | None:
    org = orgs.get(org_id) if org_id is not None else None
    return org.name if org is not None else org_id


def _messages(rule: str, r: Record, orgs: dict) -> tuple[str, str]:
    """The English and Japanese message of a finding."""
    e = r.entrustment
    cname = _name(orgs, r.consignor)
    hname = _name(orgs, r.handler)
    if rule in _ENTRUSTMENT_WORDS:
        en, ja = _ENTRUSTMENT_WORDS[rule]
        if "{" in en:
            en = en.format(missing=", ".join(r.detail))
            ja = ja.format(missing_ja="・".join(_FIELD_JA.get(f, f) for f in r.detail))
        return f"{cname}'s entrustment {e} to {hname} {en}.", f"{cname}から{hname}への委託{e}は{ja}。"
    unknown_en, unknown_ja = (_UNKNOWN_EN, _UNKNOWN_JA) if r.evidence_unknown else ("", "")
    if rule == "undisclosed_subcontracting":
        route = path_text(r.path)
        return (f"{hname} handles the data {cname} entrusted ({route}), but {cname} was never told of it, "
                f"so it could not supervise it.{unknown_en}",
                f"{hname}が{cname}の個人データを取り扱っている（{route}）が、{cname}はその取扱いについて"
                f"説明を受けておらず、監督できない。{unknown_ja}")
    if rule == "unapproved_subcontracting":
        route = path_text(r.path)
        return (f"{hname} handles {cname}'s data without {cname}'s approval, although entrustment {e} "
                f"restricts re-entrustment ({route}).",
                f"委託契約{e}は再委託を制限しているが、{hname}は{cname}の承認なく{cname}の個人データを取り扱っている（{route}）。")
    if rule == "could_not_supervise":
        names = ", ".join(_name(orgs, h) or h for h in r.handlers)
        return (f"{cname} could not supervise {len(r.handlers)} handler(s) of its data that it was never "
                f"told of: {names}.{unknown_en}",
                f"{cname}は、説明を受けていない取扱者{len(r.handlers)}者（{names}）を監督できなかった。{unknown_ja}")
    if rule == "misclassified_subcontract":
        systems = ", ".join(r.detail)
        return (f"Entrustment {e} to {hname} is marked as not handling personal data, but {hname} has access "
                f"to {systems}, which holds personal data: it is a re-entrustment of personal data.",
                f"委託{e}は個人データの取扱いなしとされているが、{hname}は個人データを保存する{systems}に"
                f"アクセスでき、個人データの取扱いの再委託に当たる。")
    raise KeyError(rule)
