"""The rules of DESIGN.md: rows from the networkx backend, and findings from rows.

Each backend produces the same *rows* per rule (the Cypher files in ``cypher/rules/`` return
exactly these columns); :func:`findings_from_rows` turns rows into findings with severity,
messages and legal basis, so the two backends cannot differ in wording or judgement.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

import networkx as nx

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.findings import RULES, Finding, Step
from entrustment_chain.graph.flow import Edge, reach
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


def networkx_rows(chain: ChainFile, graph: nx.MultiDiGraph) -> dict[str, list[Row]]:
    """Every rule's rows, computed on the networkx graph."""
    rows: dict[str, list[Row]] = {rule: [] for rule in RULES}
    rows["exposure"] = []
    disclosure = Disclosure(chain)
    entrustments = chain.entrustments_by_id
    consignors = sorted({e.consignor for e in chain.entrustments})
    reached_by: dict[str, list[str]] = defaultdict(list)
    for c in consignors:
        handlers = reach(graph, c).handlers()
        undisclosed = []
        for h in sorted(handlers):
            reached_by[h].append(c)
            path = [step_row(edge) for edge in handlers[h]]
            if not disclosure.disclosed(c, h):
                undisclosed.append(h)
                rows["undisclosed_subcontracting"].append(
                    {"consignor": c, "handler": h, "path": path, "evidence_unknown": c in disclosure.told_unknown})
            through = first_entrustment(path)
            if (not disclosure.is_approved(c, h)
                    and entrustments[through].clauses.subcontract_restriction is True):
                rows["unapproved_subcontracting"].append(
                    {"consignor": c, "handler": h, "entrustment": through, "path": path,
                     "evidence_unknown": c in disclosure.approved_unknown})
        if undisclosed:
            rows["could_not_supervise"].append(
                {"consignor": c, "handlers": undisclosed, "evidence_unknown": c in disclosure.told_unknown})
    for h in sorted(reached_by):
        rows["exposure"].append({"handler": h, "consignors": sorted(reached_by[h])})
    rows["misclassified_subcontract"] = misclassified_rows(chain)
    for row in entrustment_rows(chain):
        rows[row.pop("rule")].append(row)
    return rows


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
    rows = []
    for e in chain.entrustments:
        if e.personal_data is not False:
            continue
        reachable = sorted(
            grant.system for grant in chain.access
            if grant.organization == e.contractor and grant.system in holding
            and (grant.under == e.id or grant.system in systems_of[e.consignor])
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


def path_text(path: list[Row] | list[Step]) -> str:
    """b →(b-procx) procx …; systems shown as [system], access as →(access)."""
    steps = [s if isinstance(s, dict) else s.model_dump() for s in path]
    if not steps:
        return ""
    out = steps[0]["source"]
    for s in steps:
        if s["type"] == S.ENTRUSTS:
            out += f" →({s['key']}) {s['target']}"
        elif s["type"] == S.PLACES_DATA_IN:
            out += f" →({S.entrustment_of_step(s['type'], s['key'])}) [{s['target']}]"
        else:
            out += f" →(access) {s['target']}"
    return out


def to_step(row: Row) -> Step:
    """A step of a path from a row {type, key, source, target}."""
    entrustment = S.entrustment_of_step(row["type"], row["key"])
    if row["type"] == S.ENTRUSTS:
        system = None
    elif row["type"] == S.PLACES_DATA_IN:
        system = row["target"]
    else:
        system = row["source"]
    return Step(type=row["type"], key=row["key"], source=row["source"], target=row["target"],
                entrustment=entrustment, system=system)


def findings_from_rows(chain: ChainFile, rows: dict[str, list[Row]]) -> list[Finding]:
    """Findings from either backend's rows. Rows come from our own queries, so findings are
    built without re-validation (``model_construct``); every path step and legal basis is one
    shared object, which keeps millions of findings affordable."""
    orgs = chain.organizations_by_id
    steps: dict[tuple, Step] = {}
    bases: dict[tuple[str, OrgKind], list[str]] = {}
    findings: list[Finding] = []

    def step(row: Row) -> Step:
        key = (row["type"], row["key"], row["source"], row["target"])
        found = steps.get(key)
        if found is None:
            found = steps[key] = to_step(row)
        return found

    for rule in RULES:
        severity, _ = RULES[rule]
        for row in rows.get(rule, []):
            c = row["consignor"]
            kind = orgs[c].kind if c in orgs else OrgKind.private
            basis = bases.get((rule, kind))
            if basis is None:
                basis = bases[(rule, kind)] = legal_basis(rule, kind)
            cname = orgs[c].name if c in orgs else c
            h = row.get("handler")
            hname = orgs[h].name if h in orgs else h
            en, ja = _messages(rule, row, cname, hname, orgs)
            findings.append(Finding.model_construct(
                rule=rule, severity=severity, consignor=c, handler=h, entrustment=row.get("entrustment"),
                path=[step(s) for s in row.get("path", [])], legal_basis=basis,
                message=en, message_ja=ja, evidence_unknown=bool(row.get("evidence_unknown", False)),
                handlers=list(row.get("handlers", [])),
            ))
    findings.sort(key=Finding.sort_key)
    return findings


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


def _messages(rule: str, row: Row, cname: str, hname: str | None, orgs: dict) -> tuple[str, str]:
    """The English and Japanese message of a finding."""
    e = row.get("entrustment")
    if rule in _ENTRUSTMENT_WORDS:
        en, ja = _ENTRUSTMENT_WORDS[rule]
        if "{" in en:
            missing = row.get("missing", [])
            en = en.format(missing=", ".join(missing))
            ja = ja.format(missing_ja="・".join(_FIELD_JA.get(f, f) for f in missing))
        return f"{cname}'s entrustment {e} to {hname} {en}.", f"{cname}から{hname}への委託{e}は{ja}。"
    unknown = bool(row.get("evidence_unknown"))
    unknown_en, unknown_ja = (_UNKNOWN_EN, _UNKNOWN_JA) if unknown else ("", "")
    if rule == "undisclosed_subcontracting":
        route = path_text(row["path"])
        return (f"{hname} handles the data {cname} entrusted ({route}), but {cname} was never told of it, "
                f"so it could not supervise it.{unknown_en}",
                f"{hname}が{cname}の個人データを取り扱っている（{route}）が、{cname}はその取扱いについて"
                f"説明を受けておらず、監督できない。{unknown_ja}")
    if rule == "unapproved_subcontracting":
        route = path_text(row["path"])
        return (f"{hname} handles {cname}'s data without {cname}'s approval, although entrustment {e} "
                f"restricts re-entrustment ({route}).",
                f"委託契約{e}は再委託を制限しているが、{hname}は{cname}の承認なく{cname}の個人データを取り扱っている（{route}）。")
    if rule == "could_not_supervise":
        names = ", ".join(orgs[h].name if h in orgs else h for h in row["handlers"])
        return (f"{cname} could not supervise {len(row['handlers'])} handler(s) of its data that it was never "
                f"told of: {names}.{unknown_en}",
                f"{cname}は、説明を受けていない取扱者{len(row['handlers'])}者（{names}）を監督できなかった。{unknown_ja}")
    if rule == "misclassified_subcontract":
        systems = ", ".join(row["systems"])
        return (f"Entrustment {e} to {hname} is marked as not handling personal data, but {hname} has access "
                f"to {systems}, which holds personal data: it is a re-entrustment of personal data.",
                f"委託{e}は個人データの取扱いなしとされているが、{hname}は個人データを保存する{systems}に"
                f"アクセスでき、個人データの取扱いの再委託に当たる。")
    raise KeyError(rule)
