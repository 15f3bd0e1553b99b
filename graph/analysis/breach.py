"""``breach``: when a handler leaks, who must report it, about how many people, and by when
(漏えい等報告, issue 13).

The seed case: NTTビジネスソリューションズ (BS), ProCX's maintenance contractor, whose employee took
data out of the call-centre system for ten years. Each of ProCX's 69 consignors then had to work
out whether its data was within BS's reach, how many of its people that was, and whether and by
when it had to report to the PPC and tell the people. This module answers that from the chain.

Reach. For every organisation C with routes (:mod:`.routes`) and every route r of C, the route's
walk (:func:`.flow.reach`, as the rules make it) either reaches the handler H, with r's canonical
path and windows, or it does not. Those (C, r, path, windows) are H's reaches: computed here on
networkx, or read from ``cypher/queries/handler_reach.cypher`` on Neo4j (the same routes, paths
and windows). Everything after that is judged here, in one place, so both backends give the same
report by construction.

Window. A reach counts when its held window meets [from, to] (either end may be open); it is
*certain* when its certain window does, else *possible*. With ``systems``, only reaches whose
path passes through one of them (or whose route is one of them) count. With ``as_of``, the chain
as it stood that day (:mod:`.asof`): the reaches that stood that day, windows cut at it.

Who. The reaches are grouped by organisation. One that holds data entrusted to it
(:meth:`.routes.Routes.is_intermediary`, e.g. ProCX) is an *intermediary*: it may notify its
consignors instead of reporting (APPI Art. 26(1) proviso). Any other is an end *consignor*: it
reports to the PPC and notifies the people when a threshold is met (Art. 26; Art. 68 for public
bodies). Along every path, each step's entrustment tells who notifies whom: its contractor
notifies its consignor (an access step's grant is under an entrustment, or under none).

How many people. Per end consignor, its routes are distinct contracts or systems: the figures
(``data_subjects``) of its entrustment routes are summed, the largest is a floor (the same
people may be in several contracts), and a route without a figure (a system route has none)
leaves the count open. Intermediaries carry no count of their own: the data they hold is their
consignors', counted there.

Never guess. A fact the chain does not hold (the data's categories, a count, the intent) makes
a threshold *unknown*, and the report says what would decide it. Legal statements carry their
references (:data:`.legal.BREACH_BASES`), chosen by kind and by the day the leak was known.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Iterable, Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.findings import LegalReference, RoutePath, Step, route_windows
from entrustment_chain.graph.analysis.flow import prepare_flow, reach
from entrustment_chain.graph.analysis.legal import (
    LegalBasis,
    leak_deadline_bases,
    leak_duty_bases,
    leak_reporting_in_force,
    leak_threshold_basis,
    my_number_leak_bases,
)
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, SYSTEM, Route, Routes
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.chain import ChainFile, DataCategory, DataSubjects, OrgKind
from entrustment_chain.graph.model.wareki import WarekiError, parse_date

BREACH_SCHEMA = "entrustment-chain/breach/v1"
INTENTS = ("wrongful", "accidental", "unknown")
KINDS = tuple(k.value for k in OrgKind)
# The PPC's reading of "promptly" for the preliminary report and for a contractor's notice to its
# consignor: about 3 to 5 days from knowing (Guidelines 3-5-3).
PROMPTLY = (3, 5)
FINAL_DAYS, FINAL_DAYS_WRONGFUL = 30, 60
PEOPLE_LIMIT = {OrgKind.private: 1000, OrgKind.local_government: 100, OrgKind.public_agency: 100}


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---------------------------------------------------------------------------------------------
# Reaches: the one shape both backends give


class HandlerReach(NamedTuple):
    """One route of one organisation whose data reaches the handler: the route, its canonical
    path to the handler and when the data was there (:mod:`.windows`)."""

    consignor: str
    route: Route
    path: tuple[S.PathStep, ...]
    windows: W.Windows


class ReachBackend(Protocol):
    """A backend that can list a handler's reaches itself (the Neo4j backend does, with
    ``cypher/queries/handler_reach.cypher``): rows of consignor, kind, route, path (steps as
    {type, key, source, target}), certain, held (lists of [first, last] days) and unknown."""

    name: str

    def handler_reach(self, chain: ChainFile, handler: str, as_of: date | None = None) -> list[dict[str, Any]]:
        ...


def networkx_reaches(chain: ChainFile, handler: str, routes: Routes | None = None) -> list[HandlerReach]:
    """Every route of every other organisation whose data reaches ``handler`` while it is held,
    with its canonical path and windows: one walk per route, as the rules walk them."""
    routes = routes or Routes(chain)
    prepared = prepare_flow(build_graph(chain))  # the graph itself is let go at once
    node = S.org_node(handler)
    found = []
    for c in routes.consignors():
        if c == handler:  # a route's walk never comes back to its own organisation
            continue
        for route in routes.routes[c]:
            walked = reach(None, c, prepared, route, routes.start(c, route))
            path = walked.paths.get(node)
            if path is None or walked.windows[node].empty:
                continue
            found.append(HandlerReach(c, route, path, walked.windows[node]))
    return found


def reaches_from_rows(rows: Iterable[dict[str, Any]]) -> list[HandlerReach]:
    """The reaches of ``handler_reach.cypher``'s rows, in the shape :func:`networkx_reaches` gives."""
    steps: dict[tuple, S.PathStep] = {}
    found = []
    for row in rows:
        path = []
        for raw in row["path"]:
            step = S.PathStep(raw["type"], raw["key"], raw["source"], raw["target"])
            path.append(steps.setdefault(step, step))
        found.append(HandlerReach(row["consignor"], Route(row["kind"], row["route"]), tuple(path),
                                  W.from_rows(row["certain"], row["held"], row["unknown"])))
    return found


# ---------------------------------------------------------------------------------------------
# The report


class Window(_Result):
    """The days asked about, both included (ISO; null = unbounded)."""

    from_: str | None = Field(None, alias="from")
    to: str | None = None


class Note(_Result):
    """A remark in English and Japanese, with the legal bases it rests on (if it states law)."""

    text: str
    text_ja: str
    references: list[LegalReference] = Field(default_factory=list)


class People(_Result):
    """本人数 of one end consignor over its routes that reach the handler: ``count`` sums the
    figures of its entrustment routes (null when none has one), ``at_least`` is the largest of
    them (the same people may be in several contracts), ``unknown`` counts its routes without a
    figure (a system route has none), ``approximate`` when a figure is (約), ``overlap_possible``
    when more than one route has a figure."""

    count: int | None
    at_least: int | None
    unknown: int
    approximate: bool
    overlap_possible: bool


class Threshold(_Result):
    """One of the thresholds that make a leak reportable (施行規則第7条; 第43条 for 行政機関等):
    ``met`` is met, possibly_met (only if the same people are not counted twice), not_met or
    unknown; ``reason`` says why, or what would decide it."""

    id: Literal["sensitive", "payment", "wrongful", "people", "ordinance_sensitive"]
    met: Literal["met", "possibly_met", "not_met", "unknown"]
    reason: str
    reason_ja: str
    reference: LegalReference


class AdditionalDuty(_Result):
    """A duty beside the APPI report: the My Number Act's report of a leak of specific personal
    information (番号法第29条の4)."""

    id: Literal["my_number"]
    text: str
    text_ja: str
    references: list[LegalReference]


class Duty(_Result):
    """What the organisation must do: report to the PPC and notify the people (an end consignor),
    notify its consignors instead of reporting (an intermediary), or — before the duty came in
    force on the day known — what applied instead (no statutory duty)."""

    kind: Literal["report_to_ppc", "notify_consignor", "no_statutory_duty"]
    statutory: bool
    text: str
    text_ja: str
    references: list[LegalReference]
    additional: list[AdditionalDuty] = Field(default_factory=list)


class DateRange(_Result):
    from_: str = Field(alias="from")
    to: str


class FinalDeadline(_Result):
    days: int
    by: str


class Deadlines(_Result):
    """Counted from the day the leak was known (``--known``): for an end consignor the
    preliminary report (速報, "promptly": about 3 to 5 days) and the final report (確報, 30 days;
    60 for a leak by wrongful intent, and ``final_if_wrongful`` when the intent is unknown); for
    an intermediary its notice to its consignors ("promptly", the same 3 to 5 days)."""

    what: Literal["report", "notify_consignor"]
    preliminary: DateRange
    final: FinalDeadline | None = None
    final_if_wrongful: FinalDeadline | None = None
    references: list[LegalReference]


class Affected(_Result):
    """An organisation whose personal data the handler could reach in the window."""

    id: str
    name: str
    kind: str
    role: Literal["consignor", "intermediary"]
    status: Literal["certain", "possible"]
    routes: list[RoutePath]  # shortest first
    data_subjects: People | None  # null for an intermediary: its consignors' people are counted there
    data: list[str] | None  # the data categories; null = not recorded
    duty: Duty
    notifies: list[str]  # whom it notifies (its consignors, along the paths)
    notified_by: list[str]  # who notifies it (its contractors, along the paths)
    thresholds: list[Threshold]
    reporting: Literal["met", "unknown", "not_met"]
    deadlines: Deadlines | None
    notes: list[Note] = Field(default_factory=list)


class PeopleTotal(_Result):
    """The people of the end consignors: the sum of their counts, how many consignors have a
    route without a figure, and whether a figure is approximate or may count people twice."""

    count: int
    unknown: int
    approximate: bool
    overlap_possible: bool


class Totals(_Result):
    affected: int
    consignors: int
    intermediaries: int
    by_kind: dict[str, int]  # end consignors by kind
    intermediaries_by_kind: dict[str, int]
    by_duty: dict[str, int]
    by_status: dict[str, int]
    by_reporting: dict[str, int]  # end consignors by whether a threshold is met
    data_subjects: PeopleTotal


class BreachReport(_Result):
    schema_: str = Field(default=BREACH_SCHEMA, alias="schema")
    handler: str
    handler_name: str
    window: Window
    systems: list[str] | None
    known: str | None
    intent: Literal["wrongful", "accidental", "unknown"]
    as_of: str | None
    totals: Totals
    handler_notifies: list[str]  # whom the handler itself notifies (the consignors it holds the data for)
    affected: list[Affected]
    notes: list[Note] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def by_id(self, org_id: str) -> Affected:
        return next(a for a in self.affected if a.id == org_id)


# ---------------------------------------------------------------------------------------------
# Input


def _day(value: date | str | None, option: str, field: str, first: bool) -> date | None:
    """A day given as a date or as people write one (ISO or wareki); a month or a year means its
    first day (``first``) or its last."""
    if value is None or isinstance(value, date):
        return value
    try:
        parsed = parse_date(value)
    except WarekiError as exc:
        raise InputError([Problem(option, None, field, f"{value!r} is not a date: {exc}")]) from None
    return parsed.first_day() if first else parsed.last_day()


def _check(chain: ChainFile, handler: str, start: date | None, end: date | None,
           systems: Iterable[str] | None, intent: str) -> None:
    problems = []
    orgs = chain.organizations_by_id
    if handler not in orgs:
        known = ", ".join(sorted(orgs)[:8]) + (" …" if len(orgs) > 8 else "")
        problems.append(Problem("--handler", None, "handler",
                                f"no organisation {handler!r} in the chain file (organisations: {known or 'none'})"))
    for system in systems or ():
        if system not in chain.systems_by_id:
            problems.append(Problem("--systems", None, "systems", f"no system {system!r} in the chain file"))
    if start is not None and end is not None and start > end:
        problems.append(Problem("--from", None, "from", f"the window is reversed: --from {start.isoformat()} is "
                                f"after --to {end.isoformat()}"))
    if intent not in INTENTS:
        problems.append(Problem("--intent", None, "intent", f"{intent!r} is not one of {', '.join(INTENTS)}"))
    if problems:
        raise InputError(problems)


# ---------------------------------------------------------------------------------------------
# Judgement


def _ref(b: LegalBasis) -> LegalReference:
    return LegalReference(id=b.id, text=b.text, ja=b.ja, ref=b.ref)


def _refs(bases: Iterable[LegalBasis]) -> list[LegalReference]:
    return [_ref(b) for b in bases]


def _meets(intervals: tuple[W.Interval, ...], lo: date, hi: date) -> bool:
    return any(s <= hi and e >= lo for s, e in intervals)


def _on_systems(r: HandlerReach, systems: set[str]) -> bool:
    return any(step.system in systems for step in r.path) or (r.route.kind == SYSTEM and r.route.id in systems)


def _people(figures: list[DataSubjects | None]) -> People:
    known = [f for f in figures if f is not None]
    return People(count=sum(f.count for f in known) if known else None,
                  at_least=max((f.count for f in known), default=None), unknown=len(figures) - len(known),
                  approximate=any(f.approximate for f in known), overlap_possible=len(known) > 1)


def _data(categories: list[list[DataCategory] | None]) -> list[str] | None:
    """The union of the categories; None (not recorded) when any of them is."""
    if not categories or any(c is None for c in categories):
        return None
    found = {c.value for cats in categories for c in cats}
    return [c.value for c in DataCategory if c.value in found]


def _category(which: str, data: list[str] | None, basis: LegalBasis, number: int, ja: str,
              en: str) -> Threshold:
    """A threshold on what the data is (sensitive, payment data)."""
    if data is None:
        return Threshold(id=which, met="unknown", reference=_ref(basis),
                         reason=f"item {number}: whether the data includes {en} is not recorded "
                                "(entrustments[].data decides it)",
                         reason_ja=f"第{number}号：{ja}を含むかは記録がなく不明（entrustments[].data で決まる）")
    if which in data:
        return Threshold(id=which, met="met", reference=_ref(basis), reason=f"item {number}: the data includes {en}",
                         reason_ja=f"第{number}号：{ja}を含む")
    return Threshold(id=which, met="not_met", reference=_ref(basis),
                     reason=f"item {number}: the data is recorded without {en}",
                     reason_ja=f"第{number}号：{ja}を含まないと記録されている")


def _thresholds(kind: OrgKind, data: list[str] | None, people: People | None, intent: str) -> list[Threshold]:
    basis = leak_threshold_basis(kind)
    out = [_category("sensitive", data, basis, 1, "要配慮個人情報", "sensitive data (要配慮個人情報)"),
           _category("payment", data, basis, 2, "財産的被害が生じるおそれのある個人データ",
                     "data whose misuse can cause financial damage (payment)")]
    if intent == "wrongful":
        out.append(Threshold(id="wrongful", met="met", reference=_ref(basis),
                             reason="item 3: the leak was by an act with wrongful intent (--intent wrongful)",
                             reason_ja="第3号：不正の目的をもって行われた漏えい等である（--intent wrongful）"))
    elif intent == "accidental":
        out.append(Threshold(id="wrongful", met="not_met", reference=_ref(basis),
                             reason="item 3: the leak was accidental (--intent accidental)",
                             reason_ja="第3号：不正の目的によるものではない（--intent accidental）"))
    else:
        out.append(Threshold(id="wrongful", met="unknown", reference=_ref(basis),
                             reason="item 3: whether it was by wrongful intent depends on a fact the chain does not "
                                    "hold (--intent wrongful or accidental decides it)",
                             reason_ja="第3号：不正の目的によるものかは委託関係の記録からは分からない"
                                       "（--intent wrongful / accidental で決まる）"))
    limit = PEOPLE_LIMIT[kind]
    out.append(_people_threshold(basis, limit, people))
    if kind is OrgKind.local_government:
        item = _category("sensitive", data, basis, 5, "条例要配慮個人情報",
                         "sensitive information as its ordinance defines it (条例要配慮個人情報)")
        out.append(item.model_copy(update={
            "id": "ordinance_sensitive",
            "reason": item.reason + "; the chain file does not record 条例要配慮個人情報: judged as sensitive data is",
            "reason_ja": item.reason_ja + "（条例要配慮個人情報は記録されないため、要配慮個人情報と同じに判定）"}))
    return out


def _people_threshold(basis: LegalBasis, limit: int, p: People | None) -> Threshold:
    number, item = (4, f"more than {limit:,} people")
    ja_item = f"本人の数が{limit:,}人を超える"
    if p is None or p.count is None:
        return Threshold(id="people", met="unknown", reference=_ref(basis),
                         reason=f"item {number}: {item}? no count of the people is recorded (entrustments[].data_subjects "
                                "decides it)",
                         reason_ja=f"第{number}号：{ja_item}か不明（本人数の記録がない。entrustments[].data_subjects で決まる）")
    about = "about " if p.approximate else ""
    about_ja = "約" if p.approximate else ""
    if p.at_least is not None and p.at_least > limit:
        return Threshold(id="people", met="met", reference=_ref(basis),
                         reason=f"item {number}: {item}: at least {about}{p.at_least:,} in one contract",
                         reason_ja=f"第{number}号：{ja_item}（一つの契約だけで{about_ja}{p.at_least:,}人）")
    if p.count > limit:
        return Threshold(id="people", met="possibly_met", reference=_ref(basis),
                         reason=f"item {number}: {item} if the contracts hold different people: {about}{p.count:,} in "
                                f"all, at most {p.at_least:,} in one",
                         reason_ja=f"第{number}号：契約ごとの本人が重複しなければ{ja_item}（合計{about_ja}{p.count:,}人、"
                                   f"一つの契約では最大{p.at_least:,}人）")
    if p.unknown == 0:
        return Threshold(id="people", met="not_met", reference=_ref(basis),
                         reason=f"item {number}: {about}{p.count:,} people, not {item}",
                         reason_ja=f"第{number}号：本人数は{about_ja}{p.count:,}人で、{limit:,}人を超えない")
    return Threshold(id="people", met="unknown", reference=_ref(basis),
                     reason=f"item {number}: {about}{p.count:,} people where recorded, and {p.unknown} route(s) "
                            "without a figure: the count decides it",
                     reason_ja=f"第{number}号：記録のある範囲で{about_ja}{p.count:,}人。本人数の記録がない経路が"
                               f"{p.unknown}件あり、その人数で決まる")


def _reporting(thresholds: list[Threshold]) -> str:
    if any(t.met == "met" for t in thresholds):
        return "met"
    if any(t.met in ("unknown", "possibly_met") for t in thresholds):
        return "unknown"
    return "not_met"


def _plus(day: date, days: int) -> str:
    return (day + timedelta(days)).isoformat()


def _duty(kind: OrgKind, intermediary: bool, known: date | None, notifies: list[str], data: list[str] | None) -> Duty:
    statutory = leak_reporting_in_force(kind, known)
    bases = leak_duty_bases(kind, intermediary, known)
    additional = []
    if data is not None and "my_number" in data:
        found = my_number_leak_bases(known)
        if found:
            additional.append(AdditionalDuty(
                id="my_number", references=_refs(found),
                text="the data includes My Number data: a leak of it is also reported to the PPC under the My Number "
                     "Act (Art. 29-4) and the PPC's rule on it",
                text_ja="特定個人情報（マイナンバー）を含むため、番号法第29条の4及び同条に基づく規則による報告も要する"))
    if not statutory:
        what = {OrgKind.private: ("no statutory duty on the day known: businesses were asked to report",
                                  "知った日には法律上の報告義務はなかった（報告は告示・ガイドラインに基づく努力義務）"),
                OrgKind.local_government: ("no duty under APPI on the day known: its own ordinance applied",
                                           "知った日には個人情報保護法上の報告義務はなく、当該団体の個人情報保護条例による"),
                OrgKind.public_agency: ("no statutory duty to report to the PPC on the day known",
                                        "知った日には個人情報保護委員会への法律上の報告義務はなかった")}[kind]
        return Duty(kind="no_statutory_duty", statutory=False, text=what[0], text_ja=what[1], references=_refs(bases),
                    additional=additional)
    if intermediary:
        return Duty(kind="notify_consignor", statutory=True, references=_refs(bases), additional=additional,
                    text=("it holds the data for its consignors: if it notifies them, it need not report to the PPC "
                          "itself (APPI Art. 26(1) proviso; 施行規則 Art. 9) nor notify the people (Art. 26(2))"
                          + (f"; it notifies {len(notifies)} consignor(s)" if notifies else "")),
                    text_ja=("委託を受けて個人データを取り扱っているため、委託元に通知すれば、自ら個人情報保護委員会に"
                             "報告することを要せず（個人情報保護法第26条第1項ただし書、施行規則第9条）、本人への通知も"
                             "要しない（同条第2項）"
                             + (f"。通知する委託元は {len(notifies)} 者" if notifies else "")))
    if kind is OrgKind.private:
        return Duty(kind="report_to_ppc", statutory=True, references=_refs(bases), additional=additional,
                    text="when a threshold is met, it reports the leak to the PPC (APPI Art. 26(1)) and notifies the "
                         "people concerned (Art. 26(2))",
                    text_ja="報告対象事態に該当するときは、個人情報保護委員会に報告し（個人情報保護法第26条第1項）、"
                            "本人に通知する（同条第2項）")
    return Duty(kind="report_to_ppc", statutory=True, references=_refs(bases), additional=additional,
                text="when a threshold is met, it reports the leak of its retained personal information to the PPC "
                     "(APPI Art. 68(1)) and notifies the people concerned (Art. 68(2))",
                text_ja="報告対象事態に該当するときは、保有個人情報の漏えい等を個人情報保護委員会に報告し"
                        "（個人情報保護法第68条第1項）、本人に通知する（同条第2項）")


def _deadlines(kind: OrgKind, intermediary: bool, known: date | None, duty: Duty, reporting: str,
               intent: str) -> Deadlines | None:
    if known is None or not duty.statutory or reporting == "not_met":
        return None
    refs = _refs(leak_deadline_bases(kind, intermediary))
    preliminary = DateRange(from_=_plus(known, PROMPTLY[0]), to=_plus(known, PROMPTLY[1]))
    if intermediary:
        return Deadlines(what="notify_consignor", preliminary=preliminary, references=refs)
    days = FINAL_DAYS_WRONGFUL if intent == "wrongful" else FINAL_DAYS
    return Deadlines(what="report", preliminary=preliminary, final=FinalDeadline(days=days, by=_plus(known, days)),
                     final_if_wrongful=(FinalDeadline(days=FINAL_DAYS_WRONGFUL, by=_plus(known, FINAL_DAYS_WRONGFUL))
                                        if intent == "unknown" else None),
                     references=refs)


class _Edges:
    """Who notifies whom along the paths: each step's entrustment, its contractor notifying its
    consignor; an access step's grants ``under`` an entrustment (none: not recorded)."""

    def __init__(self, chain: ChainFile):
        self.entrustments = chain.entrustments_by_id
        self.grants: dict[tuple[str, str], list[str | None]] = defaultdict(list)
        for grant in chain.access:
            self.grants[(grant.organization, grant.system)].append(grant.under)

    def of(self, path: Iterable[S.PathStep]) -> tuple[list[tuple[str, str, str]], list[S.PathStep]]:
        """(notifier, notified, entrustment) for every step of ``path``, and the access steps
        granted under no recorded entrustment."""
        edges, loose = [], []
        for step in path:
            if step.type == S.ACCESSIBLE_BY:
                unders = sorted({u for u in self.grants.get((step.target, step.source), ()) if u is not None})
                if not unders:
                    loose.append(step)
            else:
                unders = [step.entrustment]
            for under in unders:
                e = self.entrustments.get(under)
                if e is not None:
                    edges.append((e.contractor, e.consignor, e.id))
        return edges, loose


def check_input(chain: ChainFile, handler: str, window: tuple[date | str | None, date | str | None] = (None, None),
                *, systems: Iterable[str] | None = None, known: date | str | None = None, intent: str = "unknown",
                as_of: date | str | None = None) -> tuple[date | None, date | None, date | None, date | None,
                                                          list[str] | None]:
    """The input of :func:`breach` read and checked before any work (the CLI calls it before it
    connects to a database): the window's days, the day known, the as-of day and the systems;
    an :class:`InputError` naming the option for an unknown handler or system, a reversed window,
    a date that is empty or no date, an intent not known."""
    start = _day(window[0], "--from", "from", first=True)
    end = _day(window[1], "--to", "to", first=False)
    known_day = _day(known, "--known", "known", first=True)
    as_of_day = _day(as_of, "--as-of", "as_of", first=False)
    chosen = None if systems is None else list(dict.fromkeys(systems))
    _check(chain, handler, start, end, chosen, intent)
    return start, end, known_day, as_of_day, chosen


def breach(chain: ChainFile, handler: str, window: tuple[date | str | None, date | str | None] = (None, None), *,
           systems: Iterable[str] | None = None, known: date | str | None = None, intent: str = "unknown",
           backend: Any = None, as_of: date | str | None = None) -> BreachReport:
    """When ``handler`` leaks data it could reach within ``window`` (from, to; either may be None
    = unbounded; dates or text as people write them): every organisation affected, with its
    role, duty, who notifies whom, the thresholds, the people and the deadlines counted from
    ``known`` (see the module doc). ``systems`` keeps the reaches through those systems only;
    ``intent`` is wrongful, accidental or unknown; ``backend`` is None (networkx) or one with
    ``handler_reach`` (:class:`ReachBackend`, the Neo4j backend); ``as_of`` takes the chain as it
    stood that day. Bad input is an :class:`InputError` naming the option."""
    start, end, known_day, as_of_day, chosen = check_input(chain, handler, window, systems=systems, known=known,
                                                           intent=intent, as_of=as_of)
    if as_of_day is not None:
        chain = chain_as_of(chain, as_of_day)
    routes = Routes(chain)
    if backend is None or getattr(backend, "name", None) == "networkx":
        found = networkx_reaches(chain, handler, routes)
        if as_of_day is not None:  # the reaches that stood that day (the Cypher query filters itself)
            found = [r for r in found if r.windows.on(as_of_day) is not None]
    else:
        found = reaches_from_rows(backend.handler_reach(chain, handler, as_of_day))
    if as_of_day is not None:
        found = [r._replace(windows=r.windows.until(as_of_day)) for r in found]
    lo, hi = start or W.MIN, end or W.MAX
    found = [r for r in found if _meets(r.windows.held, lo, hi)]
    if chosen:
        found = [r for r in found if _on_systems(r, set(chosen))]
    return _report(chain, routes, handler, found, (start, end), chosen, known_day, intent, as_of_day)


def _report(chain: ChainFile, routes: Routes, handler: str, found: list[HandlerReach],
            window: tuple[date | None, date | None], systems: list[str] | None, known: date | None, intent: str,
            as_of: date | None) -> BreachReport:
    orgs = chain.organizations_by_id
    names = {o.id: o.name for o in chain.organizations}
    entrustments = chain.entrustments_by_id
    lo, hi = window[0] or W.MIN, window[1] or W.MAX
    by_org: dict[str, list[HandlerReach]] = defaultdict(list)
    for r in found:
        by_org[r.consignor].append(r)
    edges_of = _Edges(chain)
    notifies: dict[str, set[str]] = defaultdict(set)
    notified_by: dict[str, set[str]] = defaultdict(set)
    held_under: dict[str, set[str]] = defaultdict(set)  # intermediary -> the entrustments to it on the paths
    loose: dict[str, list[S.PathStep]] = defaultdict(list)
    for r in found:
        edges, unrecorded = edges_of.of(r.path)
        for notifier, notified, under in edges:
            notifies[notifier].add(notified)
            notified_by[notified].add(notifier)
            held_under[notifier].add(under)
        loose[r.consignor].extend(unrecorded)
    affected = []
    for c, reaches in by_org.items():
        org = orgs[c]
        kind = org.kind
        intermediary = routes.is_intermediary(c)
        reaches.sort(key=lambda r: (len(r.path), r.route.order))
        status = "certain" if any(_meets(r.windows.certain, lo, hi) for r in reaches) else "possible"
        notes: list[Note] = []
        if intermediary:
            people = None
            # the data entrusted to it that the handler reached: the entrustments to it on the paths
            held = [entrustments[u] for u in sorted(held_under.get(c, ())) if entrustments[u].contractor == c]
            data = _data([e.data for e in held])
            threshold_people = _people([e.data_subjects for e in held]) if held else None
            notes.append(Note(text="an intermediary has no count of its own: the people of the data it holds are "
                                   "counted at its consignors",
                              text_ja="中間の受託者の本人数は数えない（預かっているデータの本人は委託元ごとに数える）"))
            if any(r.route.kind == SYSTEM and r.route.id in routes.own_systems.get(c, ()) for r in reaches):
                notes.append(Note(text="its own personal data is in a system the handler reached: for that data it "
                                       "reports itself, as an end consignor does",
                                  text_ja="自らの個人データを保存するシステムにも取扱者の手が届くため、その分は自ら"
                                          "報告する（委託元と同じ）",
                                  references=_refs(leak_duty_bases(kind, False, known))))
            elif any(r.route.kind == ENTRUSTMENT for r in reaches):
                notes.append(Note(text="it passed data on under its own entrustment: if its own personal data was "
                                       "among it, it reports that itself; the chain does not tell its own data from "
                                       "what it holds for its consignors",
                                  text_ja="自らの委託を通じてデータを渡している。その中に自らの個人データがあれば、"
                                          "その分は自ら報告する（委託関係の記録からは区別できない）",
                                  references=_refs(leak_duty_bases(kind, False, known))))
        else:
            figures = [entrustments[r.route.id].data_subjects if r.route.kind == ENTRUSTMENT else None
                       for r in reaches]
            people = threshold_people = _people(figures)
            data = None if any(r.route.kind == SYSTEM for r in reaches) else _data(
                [entrustments[r.route.id].data for r in reaches])
            if any(r.route.kind == SYSTEM for r in reaches):
                notes.append(Note(text="a route through its own system has no count of people and no recorded data "
                                       "categories",
                                  text_ja="自らのシステムを通じた経路には本人数とデータの種類の記録がない"))
            if people.overlap_possible:
                notes.append(Note(text="several contracts reach the handler: the same people may be in more than "
                                       "one, so the sum is an upper bound and the largest figure a floor",
                                  text_ja="複数の契約のデータに手が届く。同じ本人が複数の契約に含まれうるため、合計は上限、"
                                          "最大の契約の人数は下限"))
        if loose.get(c):
            systems_loose = sorted({s.source for s in loose[c]})
            notes.append(Note(
                text=f"access to {', '.join(systems_loose)} was granted under no recorded entrustment: who must tell "
                     "whom at that step is not recorded (access[].under decides it)",
                text_ja=f"{'、'.join(chain.systems_by_id[s].name for s in systems_loose)}へのアクセス権限の根拠となる委託の"
                        "記録がなく、その段階で誰が誰に通知するかは不明（access[].under で決まる）"))
        told = sorted(notifies.get(c, ()))
        duty = _duty(kind, intermediary, known, told, data)
        thresholds = _thresholds(kind, data, threshold_people, intent)
        reporting = _reporting(thresholds)
        deadlines = _deadlines(kind, intermediary, known, duty, reporting, intent)
        affected.append(Affected(
            id=c, name=org.name, kind=kind.value, role="intermediary" if intermediary else "consignor", status=status,
            routes=[RoutePath(kind=r.route.kind, id=r.route.id, path=[Step.of(s) for s in r.path],
                              windows=route_windows(r.windows))
                    for r in reaches],
            data_subjects=people, data=data, duty=duty, notifies=told, notified_by=sorted(notified_by.get(c, ())),
            thresholds=thresholds, reporting=reporting, deadlines=deadlines, notes=notes))
    affected.sort(key=lambda a: (a.role != "intermediary", a.id))
    return BreachReport(
        handler=handler, handler_name=orgs[handler].name,
        window=Window(from_=window[0].isoformat() if window[0] else None, to=window[1].isoformat() if window[1] else None),
        systems=systems, known=known.isoformat() if known else None, intent=intent,
        as_of=as_of.isoformat() if as_of else None, totals=_totals(affected),
        handler_notifies=sorted(notifies.get(handler, ())), affected=affected, notes=_notes(affected, known))


def _totals(affected: list[Affected]) -> Totals:
    consignors = [a for a in affected if a.role == "consignor"]
    middle = [a for a in affected if a.role == "intermediary"]
    count, unknown, approx, overlap = 0, 0, False, False
    for a in consignors:
        p = a.data_subjects
        count += p.count or 0
        unknown += 1 if p.unknown else 0
        approx = approx or p.approximate
        overlap = overlap or p.overlap_possible
    return Totals(
        affected=len(affected), consignors=len(consignors), intermediaries=len(middle),
        by_kind={k: sum(1 for a in consignors if a.kind == k) for k in KINDS},
        intermediaries_by_kind={k: sum(1 for a in middle if a.kind == k) for k in KINDS},
        by_duty={d: sum(1 for a in affected if a.duty.kind == d)
                 for d in ("report_to_ppc", "notify_consignor", "no_statutory_duty")},
        by_status={s: sum(1 for a in affected if a.status == s) for s in ("certain", "possible")},
        by_reporting={r: sum(1 for a in consignors if a.reporting == r) for r in ("met", "unknown", "not_met")},
        data_subjects=PeopleTotal(count=count, unknown=unknown, approximate=approx, overlap_possible=overlap))


def _notes(affected: list[Affected], known: date | None) -> list[Note]:
    notes = []
    if known is None:
        notes.append(Note(text="no deadlines: they count from the day the leak was known (--known); today's law is "
                               "cited",
                          text_ja="期限は事態を知った日から数えるため、--known がなければ示せない（法令は現行のものを示す）"))
    else:
        notes.append(Note(text="deadlines count from --known for every organisation; one that learns of the leak "
                               "later (when it is notified) counts from its own day",
                          text_ja="期限は --known の日から数えている。通知を受けて後から知る組織は、自らが知った日から数える"))
    unrecorded = sum(1 for a in affected if a.data is None)
    if unrecorded:
        bases = my_number_leak_bases(known)
        notes.append(Note(
            text=f"{unrecorded} organisation(s) have no recorded data categories: whether the data includes My Number "
                 "data, which the My Number Act also requires to be reported, is unknown (entrustments[].data decides "
                 "it)",
            text_ja=f"{unrecorded} 者はデータの種類の記録がなく、番号法による報告も要する特定個人情報（マイナンバー）を"
                    "含むかは不明（entrustments[].data で決まる）",
            references=_refs(bases)))
    return notes

