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
    """A group of consignors left out of an item's denominator (回答不能), grouped by the sections
    of the survey they could not answer, as the seed's footnotes group them."""

    count: int = Field(description="Number of consignors (委託元) in this group.")
    unanswered: list[str] = Field(
        description="Every section of the survey these consignors could not answer (回答不能), in survey "
        "order, each one of 1(1), 1(2), 1(3), 1(4), 2(1), 2(2): a section is unanswered when one of its "
        "answers is null (1(4): 1(3) is null, or 1(3) is yes and no method is recorded; 2(2): "
        "informed_subcontractors is null). It lists all of them, not only the item's own section.")
    notes: list[str] = Field(
        default_factory=list,
        description="The evidence notes (entrustments[].evidence[].note, 備考) recorded on these consignors' "
        "entrustments to the contractor, distinct and sorted: typically why they could not answer. "
        "Empty when none is recorded.")


class Item(_Out):
    """One yes/no item of the seed's 第1 tables over the consignors of the surveyed contractor. A
    consignor's answer combines its entrustments to the contractor: no if any answers false, else
    unknown (回答不能) if any is null, else yes."""

    section: str = Field(description="Section of the seed's 第1 this item belongs to: 1(1) safeguard clauses "
                         "(安全管理措置に関する条項), 1(2) restriction of re-entrustment (再委託の禁止又は制限), "
                         "1(3) check for re-entrustment (再委託の有無の確認), 2(1) supervision of the contractor "
                         "(取扱状況の把握).")
    label: str = Field(description="The item's Japanese label as the seed words it; where it names the "
                       "contractor, by its short name (the legal form such as 株式会社 dropped and 社 added, "
                       "e.g. NTTマーケティングアクトProCX社).")
    evaluated: int = Field(description="Number of consignors (委託元) whose answer is known, yes or no: the "
                           "denominator (評価対象団体数). evaluated + excluded = consignors.")
    yes: int = Field(description="Number of evaluated consignors answering yes (あり): every one of their "
                     "entrustments to the contractor answers true.")
    no: int = Field(description="Number of evaluated consignors answering no (なし): at least one of their "
                    "entrustments to the contractor answers false.")
    yes_pct: int | None = Field(description="yes as a percentage of evaluated, rounded half up to a whole "
                                "number (0–100); null when evaluated is 0. Rounded on its own, so yes_pct + "
                                "no_pct may be 101.")
    no_pct: int | None = Field(description="no as a percentage of evaluated, rounded half up to a whole "
                               "number (0–100); null when evaluated is 0.")
    excluded: int = Field(description="Number of consignors left out of the denominator because their answer "
                          "is unknown (回答不能): none of their entrustments to the contractor answers false "
                          "and at least one is null.")
    exclusions: list[Exclusion] = Field(
        description="The excluded consignors grouped by the sections they could not answer (the counts sum to "
        "excluded), the group with the most unanswered sections first; empty when none is excluded.")
    no_by_kind: dict[str, int] = Field(
        description="The consignors answering no, counted by kind (種別): keys private (民間事業者), "
        "local_government (地方公共団体), public_agency (行政機関等), in that order; a kind with none is "
        "left out.")


class MethodItem(_Out):
    """Item 1(4) of the seed's 第1: how the consignors that checked for re-entrustment (1(3) yes)
    checked it (確認方法), in writing (書面) or orally (口頭)."""

    section: str = Field("1(4)", description="Section of the seed's 第1: always 1(4).")
    label: str = Field("再委託があるかについての確認方法", description="The item's Japanese label: always "
                       "再委託があるかについての確認方法.")
    evaluated: int = Field(description="Number of consignors (委託元) that answered 1(3) yes and have a "
                           "recorded method: the denominator (評価対象団体数), written + oral.")
    written: int = Field(description="Number of those consignors that checked in writing (書面, "
                         "subcontract_check_method written).")
    oral: int = Field(description="Number of those consignors that checked orally (口頭, "
                      "subcontract_check_method oral).")
    written_pct: int | None = Field(description="written as a percentage of evaluated, rounded half up to a "
                                    "whole number (0–100); null when evaluated is 0.")
    oral_pct: int | None = Field(description="oral as a percentage of evaluated, rounded half up to a whole "
                                 "number (0–100); null when evaluated is 0.")
    excluded: int = Field(description="Number of consignors left out (回答不能): those whose 1(3) answer is "
                          "unknown, and those that answered 1(3) yes with no method recorded.")
    not_applicable: int = Field(description="Number of consignors that answered 1(3) no (made no check, so "
                                "have no method): not in the denominator. evaluated + excluded + "
                                "not_applicable = consignors.")


class NotInformed(_Out):
    """Item 2(2): among the consignors whose 説明を受けた再委託先 (informed_subcontractors) is known, how
    many have at least one handler of their data they were never told of."""

    section: str = Field("2(2)", description="Section of the survey: always 2(2) (再委託先（取扱者）についての説明).")
    evaluated: int = Field(description="Number of consignors (委託元) whose informed_subcontractors is known "
                           "(not null) on every one of their entrustments to the contractor: the "
                           "denominator (評価対象団体数).")
    count: int = Field(description="Number of evaluated consignors with at least one undisclosed handler "
                       "(説明を受けていない取扱者がいる団体): a finding undisclosed_subcontracting of the "
                       "analysis of the chain for that consignor, on any of its routes.")
    excluded: int = Field(description="Number of consignors left out because informed_subcontractors is null "
                          "(回答不能) on one of their entrustments to the contractor. evaluated + excluded = "
                          "consignors.")
    exclusions: list[Exclusion] = Field(
        description="The excluded consignors grouped by the sections they could not answer (the counts sum to "
        "excluded), the group with the most unanswered sections first; empty when none is excluded.")
    handlers: dict[str, int] = Field(
        description="Each undisclosed handler (取扱者) by organisation id → the number of evaluated consignors "
        "it is hidden from (has an undisclosed_subcontracting finding for); most first, then by id. Empty "
        "when count is 0.")
    handler_names: dict[str, str] = Field(
        description="The name of each handler in handlers, by the same organisation ids.")


class ListedConsignor(_Out):
    """A row of the 第2 tables: the consignor, its kind, data subjects and period."""

    consignor: str = Field(description="The consignor's (委託元) organisation id.")
    name: str = Field(description="The consignor's name, as the chain file gives it.")
    kind: str = Field(description="The consignor's kind (種別): private (民間事業者), local_government "
                      "(地方公共団体) or public_agency (行政機関等).")
    data_subjects: int | None = Field(
        description="Number of people (本人数) whose data the consignor entrusted to the contractor: the sum of "
        "the recorded data_subjects of its entrustments to the contractor (those without a figure add "
        "nothing); null when none of them records one.")
    approximate: bool = Field(description="True when one of the summed figures is approximate (約), so "
                              "data_subjects is too; false when exact or when there is no figure.")
    period: str | None = Field(
        description="The entrustment period (委託期間) in wareki (和暦), as the seed prints it, e.g. 平成 27 年 "
        "3 月～平成 29 年 3 月 or 平成 27 年 5 月～同年 7 月; the periods of several entrustments to the "
        "contractor joined by \"; \"; null when no entrustment to the contractor records a period.")
    period_iso: str | None = Field(
        description="The same period in ISO 8601 as start/end at the precision recorded (year, year-month or "
        "day; an open end left empty), e.g. 2015-03/2017-03; null unless exactly one entrustment to the "
        "contractor records a period.")
    no_safeguard_clauses: bool = Field(
        description="True when the consignor answered no to all three safeguard clauses of 1(1) (安全管理条項が"
        "いずれもなし): it is in no_safeguard_clauses.")
    no_supervision: bool = Field(
        description="True when the consignor answered no to all three supervision measures of 2(1) (監督がいずれも"
        "なし): it is in no_supervision.")


class Survey(_Out):
    schema_: str = Field(default=SURVEY_SCHEMA, alias="schema",
                         description="The document's format and version: always entrustment-chain/survey/v1.")
    contractor: str = Field(description="The surveyed contractor's (委託先) organisation id (--contractor).")
    contractor_name: str = Field(description="The surveyed contractor's name, as the chain file gives it.")
    consignors: int = Field(
        description="Number of consignors (委託元, 本件委託元の団体数): distinct organisations that are the consignor "
        "of at least one entrustment to the contractor (with as_of, one begun by that day). Every item counts "
        "them once, however many entrustments each has.")
    items: dict[str, Item | MethodItem] = Field(
        description="The items of the seed's 第1, in survey order, keyed clauses.transfer_safety, "
        "clauses.storage_safety, clauses.disposal_safety (1(1)), clauses.subcontract_restriction (1(2)), "
        "supervision.subcontract_check (1(3)), supervision.subcontract_check_method (1(4), the one "
        "MethodItem), supervision.rules_confirmation, supervision.written_reports, "
        "supervision.onsite_inspection (2(1)); each key names the entrustments[] field it is answered from.")
    no_safeguard_clauses: list[str] = Field(
        description="Ids of the consignors that answered no to all three safeguard clauses of 1(1) "
        "(transfer_safety, storage_safety, disposal_safety: 安全管理条項がいずれもなし), sorted.")
    no_safeguard_clauses_by_kind: dict[str, int] = Field(
        description="no_safeguard_clauses counted by kind (種別): keys private, local_government, "
        "public_agency, in that order; a kind with none is left out.")
    no_supervision: list[str] = Field(
        description="Ids of the consignors that answered no to all three supervision measures of 2(1) "
        "(rules_confirmation, written_reports, onsite_inspection: 監督がいずれもなし), sorted.")
    no_supervision_by_kind: dict[str, int] = Field(
        description="no_supervision counted by kind (種別): keys private, local_government, public_agency, in "
        "that order; a kind with none is left out.")
    not_informed: NotInformed = Field(
        description="Item 2(2): the consignors with a handler of their data they were never told of.")
    listed: list[ListedConsignor] = Field(
        description="The rows of the seed's 第2 tables: every consignor in no_safeguard_clauses or "
        "no_supervision, once, by kind (private, local_government, public_agency), then by data_subjects, "
        "most first (no figure counted as 0), then by name.")
    as_of: str | None = Field(
        None, description="The day (ISO 8601, YYYY-MM-DD; a month or year given to --as-of means its last day) "
        "the survey takes the chain as it stood: the entrustments begun by then, the undisclosed handlings "
        "that stood that day. chain survey leaves the key out when the survey is of the chain as recorded "
        "(no --as-of); null means the same.")

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
