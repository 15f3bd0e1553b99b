"""The regulator-style survey of one contractor's consignors (the seed's 第1 tables, and 第2 lists).

Each tri-state answer of a consignor's entrustment to the surveyed contractor is an item. A
consignor whose answer is null (回答不能) is left out of that item's denominator; the survey says
how many were left out and why, grouping them by which parts of the survey they could not answer
(as the seed's footnotes do). Percentages are rounded half up to whole numbers.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.chain import CLAUSE_SAFETY, SUPERVISION_MEASURES, ChainFile, Entrustment

SURVEY_SCHEMA = "entrustment-chain/survey/v1"

# Item key -> (section of the seed, Japanese label). The section names the seed's numbering.
ITEMS: dict[str, tuple[str, str]] = {
    "clauses.transfer_safety": ("1(1)", "個人情報を含むデータの授受における安全管理措置に関する条項"),
    "clauses.storage_safety": ("1(1)", "{contractor}における個人情報の保管についての安全管理措置に関する条項"),
    "clauses.disposal_safety": ("1(1)", "委託業務終了時の個人情報の廃棄についての安全管理措置に関する条項"),
    "clauses.subcontract_restriction": ("1(2)", "再委託の禁止又は制限に関する条項"),
    "supervision.subcontract_check": ("1(3)", "契約の締結時又は役務提供時、個人情報の取扱いの再委託があるかについての確認"),
    "supervision.rules_confirmation": ("2(1)", "契約の締結時等に、{contractor}に対して、個人情報の取扱いに関する規律の確認を要求する"),
    "supervision.written_reports": ("2(1)", "契約の役務提供時に、書面で報告を受けるなど{contractor}における個人情報の取扱状況を把握する"),
    "supervision.onsite_inspection": ("2(1)", "契約の役務提供時に、{contractor}の執務環境を実地確認等し、{contractor}における個人情報の取扱状況を把握する"),
}
METHOD_ITEM = "supervision.subcontract_check_method"
SECTIONS = ("1(1)", "1(2)", "1(3)", "1(4)", "2(1)", "2(2)")


def pct(part: int, whole: int) -> int | None:
    """Percentage rounded half up (integer arithmetic: no float surprises at .5)."""
    if whole == 0:
        return None
    return (200 * part + whole) // (2 * whole)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exclusion(_Out):
    count: int
    unanswered: list[str]  # sections of the survey the consignors could not answer
    notes: list[str] = Field(default_factory=list)  # evidence notes given for those answers


class Item(_Out):
    section: str
    label: str
    evaluated: int
    yes: int
    no: int
    yes_pct: int | None
    no_pct: int | None
    excluded: int
    exclusions: list[Exclusion]
    no_by_kind: dict[str, int]  # kind of the consignors that answered no


class MethodItem(_Out):
    section: str = "1(4)"
    label: str = "再委託があるかについての確認方法"
    evaluated: int
    written: int
    oral: int
    written_pct: int | None
    oral_pct: int | None
    excluded: int
    not_applicable: int


class NotInformed(_Out):
    section: str = "2(2)"
    evaluated: int
    count: int
    excluded: int
    exclusions: list[Exclusion]
    handlers: dict[str, int]  # undisclosed handler -> how many evaluated consignors it is hidden from
    handler_names: dict[str, str]


class ListedConsignor(_Out):
    """A row of the 第2 tables: the consignor, its kind, data subjects and period."""

    consignor: str
    name: str
    kind: str
    data_subjects: int | None
    approximate: bool
    period: str | None
    period_iso: str | None
    no_safeguard_clauses: bool
    no_supervision: bool


class Survey(_Out):
    schema_: str = Field(default=SURVEY_SCHEMA, alias="schema")
    contractor: str
    contractor_name: str
    consignors: int
    items: dict[str, Item | MethodItem]
    no_safeguard_clauses: list[str]
    no_safeguard_clauses_by_kind: dict[str, int]
    no_supervision: list[str]
    no_supervision_by_kind: dict[str, int]
    not_informed: NotInformed
    listed: list[ListedConsignor]
    as_of: str | None = None  # the day the chain was taken as it stood (ISO), if any

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def to_json_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True)
        if data["as_of"] is None:  # the survey as recorded: survey/v1 as it always was
            del data["as_of"]
        return data


def _combine(values: list[bool | None]) -> bool | None:
    """One consignor's answer over its entrustments to the contractor: any no is no; else any
    unknown is unknown; else yes."""
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _answer(entrustments: list[Entrustment], key: str) -> bool | None:
    group, name = key.split(".")
    return _combine([getattr(getattr(e, group), name) for e in entrustments])


def survey(chain: ChainFile, contractor: str, analysis: Any = None, as_of: date | None = None) -> "Survey":
    """The survey of ``contractor``'s consignors. ``analysis`` (of the same chain) is computed on
    networkx when not given; item 2(2) needs to know each consignor's undisclosed handlers. With
    ``as_of``, the chain as it stood on that day (:mod:`.asof`): the contracts begun by then, and
    the undisclosed handlings that stood that day."""
    if as_of is not None:
        chain = chain_as_of(chain, as_of)
    orgs = chain.organizations_by_id
    if contractor not in orgs:
        raise InputError([Problem("--contractor", None, "contractor",
                                  f"{contractor!r} is not an organization of this chain file")])
    by_consignor: dict[str, list[Entrustment]] = defaultdict(list)
    for e in chain.entrustments:
        if e.contractor == contractor:
            by_consignor[e.consignor].append(e)
    if not by_consignor:
        raise InputError([Problem("--contractor", None, "contractor",
                                  f"{contractor!r} is the contractor of no entrustment in this file"
                                  + (f" that had begun by {as_of.isoformat()} (--as-of)" if as_of else ""))])
    if analysis is None:
        analysis = analyze(chain, as_of=as_of)
    consignors = sorted(by_consignor)
    answers = {c: {key: _answer(by_consignor[c], key) for key in ITEMS} for c in consignors}
    for c in consignors:
        checked = [e.supervision.subcontract_check_method for e in by_consignor[c]
                   if e.supervision.subcontract_check]
        answers[c][METHOD_ITEM] = checked[0].value if checked and checked[0] else None
        informed = [e.informed_subcontractors for e in by_consignor[c]]
        answers[c]["informed"] = None if any(i is None for i in informed) else True

    def unanswered(c: str) -> tuple[str, ...]:
        a = answers[c]
        sections = []
        for section in SECTIONS:
            if section == "1(4)":
                missing = a["supervision.subcontract_check"] is None or (
                    a["supervision.subcontract_check"] and a[METHOD_ITEM] is None)
            elif section == "2(2)":
                missing = a["informed"] is None
            else:
                keys = [k for k, (s, _) in ITEMS.items() if s == section]
                missing = any(a[k] is None for k in keys)
            if missing:
                sections.append(section)
        return tuple(sections)

    def exclusions(excluded: list[str]) -> list[Exclusion]:
        groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for c in excluded:
            groups[unanswered(c)].append(c)
        result = []
        for sections, members in sorted(groups.items(), key=lambda g: (-len(g[0]), g[0])):
            notes = sorted({ev.note for c in members for e in by_consignor[c] for ev in e.evidence if ev.note})
            result.append(Exclusion(count=len(members), unanswered=list(sections), notes=notes))
        return result

    name = orgs[contractor].name
    short = _short_name(name)
    items: dict[str, Item | MethodItem] = {}
    for key, (section, label) in ITEMS.items():
        known = [c for c in consignors if answers[c][key] is not None]
        yes = sum(1 for c in known if answers[c][key])
        excluded = [c for c in consignors if answers[c][key] is None]
        items[key] = Item(section=section, label=label.format(contractor=short), evaluated=len(known), yes=yes,
                          no=len(known) - yes, yes_pct=pct(yes, len(known)), no_pct=pct(len(known) - yes, len(known)),
                          excluded=len(excluded), exclusions=exclusions(excluded),
                          no_by_kind=_by_kind(orgs, [c for c in known if not answers[c][key]]))
    methods = Counter(answers[c][METHOD_ITEM] for c in consignors if answers[c]["supervision.subcontract_check"])
    evaluated = methods["written"] + methods["oral"]
    items[METHOD_ITEM] = MethodItem(
        evaluated=evaluated, written=methods["written"], oral=methods["oral"],
        written_pct=pct(methods["written"], evaluated), oral_pct=pct(methods["oral"], evaluated),
        excluded=sum(1 for c in consignors if answers[c]["supervision.subcontract_check"] is None) + methods[None],
        not_applicable=sum(1 for c in consignors if answers[c]["supervision.subcontract_check"] is False),
    )
    ordered = {key: items[key] for key in (*list(ITEMS)[:5], METHOD_ITEM, *list(ITEMS)[5:])}

    undisclosed: dict[str, set[str]] = defaultdict(set)
    for f in analysis.findings:
        if f.rule == "undisclosed_subcontracting":
            undisclosed[f.consignor].add(f.handler)
    known = [c for c in consignors if answers[c]["informed"] is not None]
    hidden = [c for c in known if undisclosed.get(c)]
    handler_counts = Counter(h for c in known for h in undisclosed.get(c, ()))
    not_informed = NotInformed(
        evaluated=len(known), count=len(hidden),
        excluded=len(consignors) - len(known),
        exclusions=exclusions([c for c in consignors if answers[c]["informed"] is None]),
        handlers=dict(sorted(handler_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        handler_names={h: orgs[h].name for h in handler_counts},
    )

    no_clauses = [c for c in consignors if all(answers[c][f"clauses.{f}"] is False for f in CLAUSE_SAFETY)]
    no_supervision = [c for c in consignors
                      if all(answers[c][f"supervision.{f}"] is False for f in SUPERVISION_MEASURES)]
    listed = [_listed(c, orgs[c], by_consignor[c], c in no_clauses, c in no_supervision)
              for c in consignors if c in no_clauses or c in no_supervision]
    listed.sort(key=lambda r: (KIND_ORDER.index(r.kind), -(r.data_subjects or 0), r.name))
    return Survey(contractor=contractor, contractor_name=name, consignors=len(consignors), items=ordered,
                  no_safeguard_clauses=sorted(no_clauses), no_safeguard_clauses_by_kind=_by_kind(orgs, no_clauses),
                  no_supervision=sorted(no_supervision), no_supervision_by_kind=_by_kind(orgs, no_supervision),
                  not_informed=not_informed, listed=listed, as_of=as_of.isoformat() if as_of else None)


KIND_ORDER = ("private", "local_government", "public_agency")


def _by_kind(orgs: dict, members: list[str]) -> dict[str, int]:
    counts = Counter(orgs[c].kind.value for c in members)
    return {kind: counts[kind] for kind in KIND_ORDER if counts[kind]}


def _short_name(name: str) -> str:
    """The contractor as the labels name it: the legal form dropped and 社 added
    (株式会社NTTマーケティングアクトProCX -> NTTマーケティングアクトProCX社)."""
    for form in ("株式会社", "有限会社", "合同会社"):
        name = name.replace(form, "")
    return name.strip() + "社" if not name.endswith(("社", "団体")) else name.strip()


def _listed(c: str, org: Any, entrustments: list[Entrustment], clauses: bool, supervision: bool) -> ListedConsignor:
    subjects = [e.data_subjects for e in entrustments if e.data_subjects is not None]
    periods = [e.parsed_period for e in entrustments if e.period is not None]
    period = periods[0] if len(periods) == 1 else None
    return ListedConsignor(
        consignor=c, name=org.name, kind=org.kind.value,
        data_subjects=sum(s.count for s in subjects) if subjects else None,
        approximate=any(s.approximate for s in subjects),
        period=period.wareki() if period else ("; ".join(p.wareki() for p in periods) or None),
        period_iso=period.iso() if period else None,
        no_safeguard_clauses=clauses, no_supervision=supervision,
    )
