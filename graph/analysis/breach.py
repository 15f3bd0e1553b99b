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
and windows, and the route's path and windows at every system its data is in). Everything after
that is judged here, in one place, so both backends give the same report by construction.

Window. A reach counts when its held window meets [from, to] (either end may be open); it is
*certain* when its certain window does and no period it rests on is unknown, else *possible*.
With ``systems``, a route counts by its shortest paths through one of them only: its windows at
the system, then on from the system to H (:func:`through_systems`). With ``as_of``, the records
as they stood that day (:mod:`.asof`), windows cut at it; the window decides the rest.

Who, per leak. An organisation's own data is what its own entrustments and own systems carry
(:meth:`.routes.Routes.start`): for those reaches it is an end *consignor*, which reports to the
PPC and notifies the people when a threshold is met (Art. 26; Art. 68 for public bodies). It is
an *intermediary* only for the data it holds for others: a reach whose route is a system where it
processes data entrusted to it, or a path on which it is the contractor of an entrustment. A
business intermediary may notify its consignor instead of reporting (APPI Art. 26(1) proviso)
when that consignor is a business or a 行政機関等 on the day known; a public intermediary reports
under Art. 68 itself. One organisation may be both, and is then listed once per role. The handler
has its own entry: it notifies the consignors it holds the data for (or reports, as above).

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
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Literal, Mapping, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.findings import LegalReference, RoutePath, Step, route_windows
from entrustment_chain.graph.analysis.flow import key_order, prepare_flow, reach
from entrustment_chain.graph.analysis.legal import (
    APPI_ART_26_1,
    APPI_ART_26_1_PROVISO,
    APPI_ART_26_2,
    APPI_ART_68_1,
    APPI_ART_68_2,
    APPI_RULE_9,
    GUIDELINES_3_5_3,
    LegalBasis,
    leak_deadline_bases,
    leak_duty_bases,
    leak_reporting_in_force,
    leak_threshold_basis,
    my_number_leak_bases,
    proviso_consignor,
)
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.routes import held_windows  # an entrustment's (certain, held, unknown)
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, SYSTEM, Route, Routes
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.chain import ChainFile, DataCategory, DataSubjects, Entrustment, OrgKind
from entrustment_chain.graph.model.wareki import WarekiError, parse_date

BREACH_SCHEMA = "entrustment-chain/breach/v1"
INTENTS = ("wrongful", "accidental", "unknown")
KINDS = tuple(k.value for k in OrgKind)
ROLES = ("consignor", "intermediary", "handler")
# The PPC's reading of "promptly" for the preliminary report and for a contractor's notice to its
# consignor: about 3 to 5 days from knowing (Guidelines 3-5-3).
PROMPTLY = (3, 5)
# The final report: within 30 days, 60 for a leak by wrongful intent, the day known not counted
# (民法第140条): known + 30 / + 60. A last day on a Saturday, a Sunday, a national holiday or in
# 29 December – 3 January moves to the next open day (Guidelines 3-5-3-4); holidays are not
# computed here.
FINAL_DAYS, FINAL_DAYS_WRONGFUL = 30, 60
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PEOPLE_LIMIT = {OrgKind.private: 1000, OrgKind.local_government: 100, OrgKind.public_agency: 100}


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---------------------------------------------------------------------------------------------
# Reaches: the one shape both backends give


class HandlerReach(NamedTuple):
    """One route of one organisation whose data reaches the handler: the route, its canonical
    path to the handler and when the data was there (:mod:`.windows`); and, for ``--systems``,
    the route's canonical path to each system its data is in, with its windows there."""

    consignor: str
    route: Route
    path: tuple[S.PathStep, ...]  # () when the rows hold no handling at the handler itself
    windows: W.Windows
    through: Mapping[str, tuple[tuple[S.PathStep, ...], W.Windows]] | None = None


class ReachBackend(Protocol):
    """A backend that can list a handler's reaches itself (the Neo4j backend does, with
    ``cypher/queries/handler_reach.cypher``): rows of consignor, kind, route, path (steps as
    {type, key, source, target}), certain, held (lists of [first, last] days) and unknown; a row
    whose path ends in a system (PLACES_DATA_IN) gives the route's path and windows there."""

    name: str

    def handler_reach(self, chain: ChainFile, handler: str, as_of: date | None = None) -> list[dict[str, Any]]:
        ...


def networkx_reaches(chain: ChainFile, handler: str, routes: Routes | None = None,
                     systems: Iterable[str] | None = None, prepared: dict | None = None) -> list[HandlerReach]:
    """Every route of every other organisation whose data reaches ``handler`` while it is held,
    with its canonical path and windows: one walk per route, as the rules walk them. With
    ``systems``, also the route's path and windows at each of them it reaches (a route that
    holds the data at one of them is kept even when its shortest paths to the handler do not)."""
    routes = routes or Routes(chain)
    prepared = prepared if prepared is not None else prepare_flow(build_graph(chain))  # the graph is let go
    node = S.org_node(handler)
    wanted = [(s, S.system_node(s)) for s in systems or ()]
    found = []
    for c in routes.consignors():
        if c == handler:  # a route's walk never comes back to its own organisation
            continue
        for route in routes.routes[c]:
            walked = reach(None, c, prepared, route, routes.start(c, route))
            path = walked.paths.get(node)
            if path is None:
                continue
            through = {s: (walked.paths[n], walked.windows[n]) for s, n in wanted
                       if n in walked.paths and not walked.windows[n].empty} or None
            if walked.windows[node].empty and through is None:
                continue
            found.append(HandlerReach(c, route, path, walked.windows[node], through))
    return found


def reaches_from_rows(rows: Iterable[dict[str, Any]]) -> list[HandlerReach]:
    """The reaches of ``handler_reach.cypher``'s rows, in the shape :func:`networkx_reaches`
    gives: a row whose path ends at the handler is the route's reach; one whose path ends in a
    system (its last step PLACES_DATA_IN) is the route's path and windows at that system."""
    steps: dict[tuple, S.PathStep] = {}
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        path = []
        for raw in row["path"]:
            step = S.PathStep(raw["type"], raw["key"], raw["source"], raw["target"])
            path.append(steps.setdefault(step, step))
        windows = W.from_rows(row["certain"], row["held"], row["unknown"])
        got = found.setdefault((row["consignor"], row["kind"], row["route"]),
                               {"path": (), "windows": W.NONE, "through": {}})
        if path and path[-1].type == S.PLACES_DATA_IN:
            got["through"][path[-1].target] = (tuple(path), windows)
        else:
            got["path"], got["windows"] = tuple(path), windows
    return [HandlerReach(c, Route(kind, route), got["path"], got["windows"], got["through"] or None)
            for (c, kind, route), got in found.items()]


def through_systems(found: Iterable[HandlerReach], systems: Iterable[str], handler: str, prepared: dict,
                    as_of: date | None = None) -> list[HandlerReach]:
    """The reaches judged by their paths through ``systems`` only. A route counts when some
    shortest path of it through one of the systems carries the data to the handler: its windows
    at the system (cut at ``as_of``), then on from the system to the handler (a walk from the
    system with the route's windows there, as :func:`.flow.reach` walks a system route; one
    step when the handler has access to it). A system route through one of the systems is all
    of it. The windows are the union over the systems; the path shown is the shortest (then by
    the system's id); a path longer than ``schema.MAX_PATH_STEPS`` in all is not followed. Both
    backends give the inputs (``HandlerReach.through``); this walks the rest, in one place."""
    chosen = set(systems)
    ordered = sorted(chosen, key=key_order)
    node = S.org_node(handler)
    legs: dict[tuple, tuple] = {}
    out = []
    for r in found:
        candidates: list[tuple[int, bytes, tuple[S.PathStep, ...], W.Windows]] = []
        if r.route.kind == SYSTEM and r.route.id in chosen and r.path:
            w = r.windows.until(as_of) if as_of else r.windows
            if not w.empty:
                candidates.append((len(r.path), key_order(r.route.id), r.path, w))
        for s in ordered:
            got = (r.through or {}).get(s)
            if got is None:
                continue
            to_s, at_s = got
            if as_of is not None:
                at_s = at_s.until(as_of)
            if at_s.empty:
                continue
            key = (r.consignor, s, at_s)
            if key not in legs:
                walked = reach(None, r.consignor, prepared, Route(SYSTEM, s), at_s)
                legs[key] = (walked.paths.get(node), walked.windows.get(node))
            onward, w = legs[key]
            if onward is None or w.empty or len(to_s) + len(onward) > S.MAX_PATH_STEPS:
                continue
            candidates.append((len(to_s) + len(onward), key_order(s), to_s + onward, w))
        if candidates:
            best = min(candidates, key=lambda x: (x[0], x[1]))
            out.append(r._replace(path=best[2], windows=W.union(x[3] for x in candidates), through=None))
    return out


# ---------------------------------------------------------------------------------------------
# The report


class Window(_Result):
    """The days asked about, both included (ISO; null = unbounded)."""

    from_: str | None = Field(None, alias="from", description="First day of the window (ISO 8601, YYYY-MM-DD), "
                              "from --from (a month or a year: its first day); null = unbounded (no --from). A "
                              "handling counts when the days the handler could hold the data meet the window.")
    to: str | None = Field(None, description="Last day of the window, included (ISO 8601, YYYY-MM-DD), from --to "
                           "(a month or a year: its last day); null = unbounded (no --to).")


class Note(_Result):
    """A remark in English and Japanese, with the legal bases it rests on (if it states law)."""

    text: str = Field(description="The remark in English.")
    text_ja: str = Field(description="The same remark in Japanese.")
    references: list[LegalReference] = Field(
        default_factory=list, description="The legal bases the remark rests on, when it states law; empty "
        "otherwise.")


class People(_Result):
    """本人数 of one end consignor over its routes that reach the handler: ``count`` sums the
    figures of its entrustment routes (null when none has one), ``at_least`` is the largest of
    them (the same people may be in several contracts), ``unknown`` counts its routes without a
    figure (a system route has none), ``approximate`` when a figure is (約), ``overlap_possible``
    when more than one route has a figure, ``may_include_others`` when one of its entrustments
    also passes on data it holds for others (its figure may count their people)."""

    count: int | None = Field(
        description="Number of people (本人数): the sum of the recorded data_subjects of the consignor's "
        "entrustment routes that reach the handler in the window, each route counted once however many "
        "paths it reaches the handler by; an upper bound when overlap_possible. null when none of them "
        "records a figure.")
    at_least: int | None = Field(
        description="The largest single figure among those routes (本人数 of one contract): a floor, since the "
        "same people may be in several contracts; null when none records a figure.")
    unknown: int = Field(description="Number of its routes that reach the handler without a figure (本人数不明): "
                         "entrustments with no data_subjects, and every route through its own system (which "
                         "has none). count is then incomplete.")
    approximate: bool = Field(description="True when one of the summed figures is approximate (約).")
    overlap_possible: bool = Field(description="True when more than one route has a figure: the same people may "
                                   "be in several contracts, so count may count them twice.")
    may_include_others: bool = Field(
        False, description="True when one of its own entrustments on these routes may also carry data it holds "
        "for others in this leak (covers is all or names them): its figure may count their people as well "
        "as its own.")


class Threshold(_Result):
    """One of the thresholds that make a leak reportable (施行規則第7条; 第43条 for 行政機関等):
    ``met`` is met, possibly_met (only if the same people are not counted twice), not_met or
    unknown; ``reason`` says why, or what would decide it."""

    id: Literal["sensitive", "payment", "wrongful", "people", "ordinance_sensitive"] = Field(
        description="Which threshold (報告対象事態), by its item of Enforcement Rules Art. 7 (Art. 43 for "
        "行政機関等): sensitive = item 1, sensitive data (要配慮個人情報); payment = item 2, data whose misuse "
        "can cause financial damage (財産的被害のおそれ); wrongful = item 3, a leak by wrongful intent (不正の"
        "目的); people = item 4, more than 1,000 people (100 for a local government or public agency); "
        "ordinance_sensitive = item 5, 条例要配慮個人情報 (local governments only).")
    met: Literal["met", "possibly_met", "not_met", "unknown"] = Field(
        description="met (該当); possibly_met (該当の可能性: people only, when only the sum of several contracts "
        "exceeds the limit, so it is met only if they hold different people); not_met (非該当); unknown "
        "(不明: a fact the chain does not hold decides it; ordinance_sensitive is always unknown).")
    reason: str = Field(description="Why, in English, beginning with the item (item N; for people, with the "
                        "figures); for unknown, what would decide it (the chain-file field or the option).")
    reason_ja: str = Field(description="The same in Japanese, beginning with the item (第N号).")
    reference: LegalReference = Field(description="The rule that sets the threshold: Enforcement Rules Art. 7 "
                                      "(appi-rule-7) for a business, Art. 43 (appi-rule-43) for a local "
                                      "government or public agency.")


class AdditionalDuty(_Result):
    """A duty beside the APPI report: the My Number Act's report of a leak of specific personal
    information (番号法第29条の4), when the thresholds of its rule are met."""

    id: Literal["my_number"] = Field(description="Which duty: my_number, the report of a leak of specific "
                                     "personal information (特定個人情報) under 番号法第29条の4; given when the "
                                     "data includes my_number and the act's rule was in force on the day known "
                                     "(from 2016-01-01).")
    text: str = Field(description="What it requires, in English.")
    text_ja: str = Field(description="The same in Japanese.")
    references: list[LegalReference] = Field(description="Its legal bases: the My Number Act Art. 29-4 "
                                             "(bango-art29-4) and the PPC's rule (bango-rule-leak).")


class Duty(_Result):
    """What the organisation must do: report to the PPC and notify the people (an end consignor;
    a holder of others' data to which the proviso of Art. 26(1) does not apply), notify its
    consignors instead of reporting (a business holding their data), or — before the duty came
    in force on the day known — what applied instead (no statutory duty)."""

    kind: Literal["report_to_ppc", "notify_consignor", "no_statutory_duty"] = Field(
        description="report_to_ppc: when a threshold is met it reports to the PPC (個人情報保護委員会への報告) "
        "and notifies the people (本人への通知): an end consignor (APPI Art. 26 for a business, Art. 68 for a "
        "local government or public agency), a local government or public agency holding others' data (Art. "
        "68), or a business holding data for a consignor in reports_for; notify_consignor: a business "
        "holding data for its consignors notifies them instead (委託元への通知, Art. 26(1) proviso, Rules Art. "
        "9); no_statutory_duty: no statutory duty on the day known (before 2022-04-01 for businesses and "
        "public agencies, 2023-04-01 for local governments), text says what applied instead.")
    statutory: bool = Field(description="True when a statutory duty applied on the day known (today's law "
                            "without --known); false exactly when kind is no_statutory_duty.")
    text: str = Field(description="What it must do, in English, with the articles.")
    text_ja: str = Field(description="The same in Japanese.")
    references: list[LegalReference] = Field(description="The legal bases of the duty, as in force on the day "
                                             "known (today's without --known).")
    additional: list[AdditionalDuty] = Field(
        default_factory=list, description="Duties beside the APPI report (the My Number Act's, when the data "
        "includes my_number); empty otherwise, including when the data categories are not recorded.")


class DateRange(_Result):
    """A range of days, both included (ISO 8601): in a deadline, the PPC's "promptly" (速やかに),
    about 3 to 5 days after the day known."""

    from_: str = Field(alias="from", description="First day (ISO 8601, YYYY-MM-DD): the day known + 3 days.")
    to: str = Field(description="Last day, included (ISO 8601, YYYY-MM-DD): the day known + 5 days.")


class FinalDeadline(_Result):
    """The final report's last day: ``counted`` is the day known plus ``days`` (the day known not
    counted), on ``weekday``; ``by`` is the deadline, moved to the next weekday outside 29
    December – 3 January when ``counted`` falls on a Saturday, a Sunday or in them (``moved``).
    National holidays are not computed: one moves the deadline too."""

    days: int = Field(description="The days allowed for the final report (確報): 30, or 60 for a leak by "
                      "wrongful intent; counted from the day after the day known (初日不算入, 民法第140条).")
    counted: str = Field(description="The last day of those days (満了日, ISO 8601): the day known + days.")
    weekday: str = Field(description="The weekday of counted: Mon, Tue, Wed, Thu, Fri, Sat or Sun.")
    by: str = Field(description="The deadline (期限, ISO 8601): counted, or when it falls on a Saturday, a Sunday "
                    "or in 29 December – 3 January, the next day that does not. National holidays are not "
                    "computed: one also moves the deadline.")
    by_weekday: str = Field(description="The weekday of by: Mon, Tue, Wed, Thu or Fri.")
    moved: bool = Field(description="True when by is later than counted (the last day fell on a weekend or in "
                        "the year's end).")


class Deadlines(_Result):
    """Counted from the day the leak was known (``--known``): for a report the preliminary
    report (速報, "promptly": about 3 to 5 days) and the final report (確報, 30 days; 60 for a
    leak by wrongful intent, and ``final_if_wrongful`` when the intent is unknown); for a
    notice to consignors instead of a report, "promptly", the same 3 to 5 days."""

    what: Literal["report", "notify_consignor"] = Field(
        description="report: the deadlines of the report to the PPC (速報 and 確報; duty report_to_ppc); "
        "notify_consignor: the deadline of the notice to the consignors instead (委託元への通知; duty "
        "notify_consignor), which has no final report.")
    preliminary: DateRange = Field(
        description="\"Promptly\" (速やかに), the PPC's about 3 to 5 days after the day known: for report the "
        "preliminary report (速報, Rules Art. 8(1); Art. 44 for 行政機関等), for notify_consignor the notice "
        "(Rules Art. 9).")
    final: FinalDeadline | None = Field(
        None, description="The final report (確報, Rules Art. 8(2); Art. 44 for 行政機関等): 60 days with "
        "--intent wrongful, else 30; null for notify_consignor.")
    final_if_wrongful: FinalDeadline | None = Field(
        None, description="With --intent unknown, the 60-day final report that applies if the leak proves to be "
        "by wrongful intent (final is then the 30-day one); null otherwise and for notify_consignor.")
    references: list[LegalReference] = Field(
        description="The legal bases of the deadlines: Rules Art. 8 (a business's report), Art. 44 (a 行政機関等's) "
        "or Art. 9 (a notice to consignors), and the PPC Guidelines 3-5-3 (the 3–5 days and the moved last "
        "day).")


class Affected(_Result):
    """An organisation in one role: an end consignor whose own data the handler could reach in
    the window, an intermediary holding others' data the handler reached, or the handler itself
    (``handler_duty``). ``also`` names its other role when it has both."""

    id: str = Field(description="The organisation's id.")
    name: str = Field(description="The organisation's name, as the chain file gives it.")
    kind: str = Field(description="The organisation's kind (種別): private (民間事業者, 個人情報取扱事業者), "
                      "local_government (地方公共団体) or public_agency (行政機関等).")
    role: Literal["consignor", "intermediary", "handler"] = Field(
        description="Its role in this leak: consignor (委託元: its own data, carried by its own entrustments and "
        "own systems, reached the handler); intermediary (中間の受託者: it holds others' data the handler "
        "reached, as the contractor of an entrustment on a path or in a system where it processes entrusted "
        "data); handler (取扱者: only in handler_duty).")
    also: Literal["consignor", "intermediary"] | None = Field(
        None, description="Its other role when the organisation is both a consignor and an intermediary in this "
        "leak (it then has one entry per role); null otherwise, and always for the handler.")
    status: Literal["certain", "possible"] = Field(
        description="certain (確実) when one of its reaches with no unknown period is certain within the window "
        "(the handling overlaps a recorded period of the entrustments and access); else possible (可能性: the "
        "data may have been there, e.g. after the contract ended and before a disposal was recorded).")
    unknown_period: bool = Field(
        False, description="True when status is possible only because a period it rests on is not recorded "
        "(期間不明): it would be certain otherwise.")
    routes: list[RoutePath] = Field(
        description="The routes by which its data reaches the handler, each with the canonical path and the "
        "windows (certain and possible, ISO and wareki); for an intermediary, the part of each path along "
        "which it passes the data on (its onward entrustment or the system the data is in). A window that "
        "rests on an unrecorded period is shown as possible only. Shortest path first; empty for the handler.")
    data_subjects: People | None = Field(
        description="The people (本人数) of its own data, for a consignor; null for an intermediary and the "
        "handler, whose data's people are counted at their consignors.")
    data: list[str] | None = Field(
        description="The categories the data may include (データの種類), among sensitive (要配慮個人情報), "
        "my_number (特定個人情報), payment and other, in that order: the union of entrustments[].data over its "
        "routes (a consignor) or over the entrustments whose data it holds (an intermediary or the handler); "
        "null = not recorded (one of them is null, a consignor has a route through its own system, or the "
        "data's entrustments are not known); [] = recorded with none.")
    duty: Duty = Field(description="What it must do about the leak, under the law of the day known.")
    notifies: list[str] = Field(
        description="Ids of the organisations it notifies of the leak (通知する相手), sorted: the consignors of "
        "the entrustments under which it holds the data on the paths (as their contractor, or in a system "
        "where it processes the data those entrustments place there). Always empty for a consignor entry, "
        "which reports and notifies the people instead.")
    notified_by: list[str] = Field(
        description="Ids of the organisations that notify it (通知を受ける相手), sorted: its contractors on the "
        "paths, i.e. the contractors of the entrustments on them of which it is the consignor (for an access "
        "step, the entrustment the grant is under).")
    reports_for: list[str] = Field(
        default_factory=list,
        description="Ids of the consignors for whose data it reports to the PPC itself instead of notifying "
        "them (an intermediary or the handler with a statutory duty): for a business, consignors that were "
        "neither a business nor a 行政機関等 on the day known (a local government, for a leak known "
        "2022-04-01 – 2023-03-31); for a local government or public agency, all its consignors. Empty for a "
        "consignor and when no statutory duty applied.")
    thresholds: list[Threshold] = Field(
        description="The thresholds (報告対象事態) in item order: sensitive, payment, wrongful, people, and "
        "ordinance_sensitive for a local government; judged on its own data (a consignor) or the data it "
        "holds (an intermediary or the handler). Empty when no statutory duty applied on the day known.")
    reporting: Literal["met", "unknown", "not_met", "not_judged"] = Field(
        description="The thresholds together: met when one is met (該当); unknown when none is met but one is "
        "unknown or possibly_met (不明); not_met when all are not met (非該当); not_judged when there are none "
        "(no statutory duty on the day known, 判定しない).")
    deadlines: Deadlines | None = Field(
        description="The deadlines counted from the day known; null without --known, without a statutory duty, "
        "or when reporting is not_met or not_judged.")
    notes: list[Note] = Field(default_factory=list, description="Remarks on this entry (how its people are "
                              "counted, proviso notices, access granted under no recorded entrustment …); "
                              "empty when none.")


class PeopleTotal(_Result):
    """The people of the end consignors: the sum of their counts, how many consignors have a
    route without a figure, and whether a figure is approximate or may count people twice."""

    count: int = Field(description="Number of people (本人数): the sum of the consignors' data_subjects.count "
                       "(a consignor without one adds 0); their own data only, intermediaries' and the "
                       "handler's not counted. 0 when no figure is recorded.")
    unknown: int = Field(description="Number of consignors with at least one route without a figure (本人数不明"
                         "の委託元), so count leaves them out in part or in whole.")
    approximate: bool = Field(description="True when one of the figures is approximate (約).")
    overlap_possible: bool = Field(description="True when a consignor's figures may count the same people twice "
                                   "(overlap_possible or may_include_others): count is then an upper bound.")


class Totals(_Result):
    """``affected`` counts organisations; ``consignors`` and ``intermediaries`` count roles (an
    organisation with both is in each, and in ``both``); ``by_duty`` counts roles; ``by_status``
    counts organisations: certain, possible, and possible only for want of a recorded period."""

    affected: int = Field(description="Number of organisations affected, each once whatever its roles; the "
                          "handler's own entry (handler_duty) is not counted.")
    consignors: int = Field(description="Number of consignor entries (委託元) in affected.")
    intermediaries: int = Field(description="Number of intermediary entries (中間の受託者) in affected.")
    both: int = Field(description="Number of organisations that are both a consignor and an intermediary "
                      "(counted in each).")
    by_kind: dict[str, int] = Field(
        description="Consignor entries by kind (種別): keys private, local_government, public_agency, always all "
        "three (0 when none).")
    intermediaries_by_kind: dict[str, int] = Field(
        description="Intermediary entries by kind: keys private, local_government, public_agency, always all "
        "three.")
    by_duty: dict[str, int] = Field(
        description="Entries of affected (roles; the handler's not counted) by duty kind: keys report_to_ppc, "
        "notify_consignor, no_statutory_duty, always all three.")
    by_status: dict[str, int] = Field(
        description="Organisations by status: certain (one of its entries is certain), possible_unknown_period "
        "(none is, and one is possible only for want of a recorded period, 期間不明のため可能性), possible (the "
        "rest); keys certain, possible, possible_unknown_period, always all three.")
    by_reporting: dict[str, int] = Field(
        description="Consignor entries by reporting: keys met, unknown, not_met, not_judged, always all four.")
    data_subjects: PeopleTotal = Field(description="The people (本人数) of the consignors' own data.")


class BreachReport(_Result):
    schema_: str = Field(default=BREACH_SCHEMA, alias="schema",
                         description="The document's format and version: always entrustment-chain/breach/v1.")
    handler: str = Field(description="The id of the organisation that leaked (取扱者, --handler).")
    handler_name: str = Field(description="The handler's name, as the chain file gives it.")
    window: Window = Field(description="The days the handler could reach the data that are asked about "
                           "(--from, --to).")
    systems: list[str] | None = Field(
        description="The system ids of --systems, in the order given without repeats: each route is judged by "
        "its paths through them only; null without --systems.")
    known: str | None = Field(
        description="The day the leak became known (事態を知った日, ISO 8601, YYYY-MM-DD; --known): deadlines "
        "count from it and the law is that of this day. null without --known: no deadlines, today's law.")
    intent: Literal["wrongful", "accidental", "unknown"] = Field(
        description="Whether the leak was by wrongful intent (不正の目的, --intent): wrongful, accidental or "
        "unknown (the default). It decides threshold item 3 and the final report's 30 or 60 days.")
    as_of: str | None = Field(
        description="The day (ISO 8601, YYYY-MM-DD; a month or year means its last day) whose records the report "
        "judges (--as-of): the entrustments and access begun by then, the disposals recorded by then, windows "
        "cut at it; the window still decides which handlings count. null without --as-of: the records as "
        "they are.")
    totals: Totals = Field(description="Counts over affected (集計).")
    handler_notifies: list[str] = Field(
        description="Ids of the organisations the handler itself notifies (the consignors it holds the data "
        "for, on the paths), sorted: handler_duty.notifies; empty when handler_duty is null.")
    handler_duty: Affected | None = Field(
        None, description="The handler's own entry (role handler), when it holds the data for a consignor: the "
        "contractor of an entrustment on a path (the last one, or the one its access grant is under). null "
        "when no recorded entrustment makes it hold the data for anyone.")
    affected: list[Affected] = Field(
        description="Every organisation whose data the handler could reach in the window or that holds such "
        "data for others, one entry per role (the handler apart): intermediaries first, then consignors, each "
        "by id.")
    notes: list[Note] = Field(default_factory=list, description="Remarks on the whole report: how deadlines are "
                              "counted (or why there are none), national holidays, unrecorded data categories "
                              "and My Number, the handler's own data, a handler that holds the data for no "
                              "recorded consignor.")

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def by_id(self, org_id: str, role: str | None = None) -> Affected:
        """The organisation's entry (in ``role``; without one, its only entry: an organisation with
        both roles needs it)."""
        found = [a for a in self.affected if a.id == org_id and role in (None, a.role)]
        if not found:
            raise KeyError(f"{org_id!r} is not affected" + (f" as {role}" if role else ""))
        if len(found) > 1:
            raise KeyError(f"{org_id!r} is affected as {' and '.join(a.role for a in found)}: give role=")
        return found[0]

    def entries(self, org_id: str) -> list[Affected]:
        return [a for a in self.affected if a.id == org_id]


# ---------------------------------------------------------------------------------------------
# Input


def _plain(value: Any) -> Any:
    """A datetime as its day (the API takes dates, datetimes or text)."""
    return value.date() if isinstance(value, datetime) else value


def _text(value: Any, option: str, field: str):
    if not isinstance(value, str):
        raise InputError([Problem(option, None, field, f"{value!r} is not a date")])
    try:
        return parse_date(value)
    except WarekiError as exc:
        raise InputError([Problem(option, None, field, f"{value!r} is not a date: {exc}")]) from None


def _day(value: date | datetime | str | None, option: str, field: str, first: bool) -> date | None:
    """A day given as a date or as people write one (ISO or wareki); a month or a year means its
    first day (``first``) or its last."""
    value = _plain(value)
    if value is None or isinstance(value, date):
        return value
    parsed = _text(value, option, field)
    return parsed.first_day() if first else parsed.last_day()


# The last day known whose deadlines are days: the last deadline (the final report of a wrongful
# leak) is FINAL_DAYS_WRONGFUL days later, moved past at most a week of closed days.
LAST_KNOWN = date.max - timedelta(FINAL_DAYS_WRONGFUL + 7)


def known_day(value: date | datetime | str | None) -> date | None:
    """The day the leak became known: a day, not a month or a year (deadlines count from it),
    early enough that its deadlines are days (not after 9999-12-31)."""
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, date):
        day = value
    else:
        parsed = _text(value, "--known", "known")
        if parsed.month is None or parsed.day is None:
            raise InputError([Problem("--known", None, "known", f"{value!r} names no day: give the day the leak "
                                      "became known, e.g. 2023-10-17")])
        day = parsed.first_day()
    if day > LAST_KNOWN:
        raise InputError([Problem("--known", None, "known", f"{str(value)!r} is too late: its deadlines would "
                                  f"fall after {date.max.isoformat()}, the last day there is (give a day up to "
                                  f"{LAST_KNOWN.isoformat()})")])
    return day


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


def check_input(chain: ChainFile, handler: str, window: tuple[Any, Any] = (None, None),
                *, systems: Iterable[str] | str | None = None, known: date | datetime | str | None = None,
                intent: str = "unknown", as_of: date | datetime | str | None = None
                ) -> tuple[date | None, date | None, date | None, date | None, list[str] | None]:
    """The input of :func:`breach` read and checked before any work (the CLI calls it before it
    connects to a database): the window's days, the day known, the as-of day and the systems;
    an :class:`InputError` naming the option for an unknown handler or system, a reversed window,
    a date that is empty or no date, a day known that names no day, an intent not known.
    Dates may be dates, datetimes (their day) or text (ISO or wareki); ``systems`` one id or
    several."""
    start = _day(window[0], "--from", "from", first=True)
    end = _day(window[1], "--to", "to", first=False)
    known_ = known_day(known)
    as_of_day = _day(as_of, "--as-of", "as_of", first=False)
    if isinstance(systems, str):
        systems = [systems]
    chosen = None if systems is None else list(dict.fromkeys(systems))
    _check(chain, handler, start, end, chosen, intent)
    return start, end, known_, as_of_day, chosen


def breach(chain: ChainFile, handler: str, window: tuple[Any, Any] = (None, None), *,
           systems: Iterable[str] | str | None = None, known: date | datetime | str | None = None,
           intent: str = "unknown", backend: Any = None, as_of: date | datetime | str | None = None) -> BreachReport:
    """When ``handler`` leaks data it could reach within ``window`` (from, to; either may be None
    = unbounded; dates, datetimes or text as people write them): every organisation affected,
    in each of its roles, with its duty, who notifies whom, the thresholds, the people and the
    deadlines counted from ``known`` (a day; see the module doc), and the handler's own duty.
    ``systems`` (one id or several) judges each route by its paths through those systems only;
    ``intent`` is wrongful, accidental or unknown; ``backend`` is None (networkx) or one with
    ``handler_reach`` (:class:`ReachBackend`, the Neo4j backend); ``as_of`` takes the records as
    they stood that day (the window decides which handlings count). Bad input is an
    :class:`InputError` naming the option."""
    start, end, known_, as_of_day, chosen = check_input(chain, handler, window, systems=systems, known=known,
                                                        intent=intent, as_of=as_of)
    if as_of_day is not None:
        chain = chain_as_of(chain, as_of_day)
    routes = Routes(chain)
    prepared = None
    if backend is None or getattr(backend, "name", None) == "networkx":
        prepared = prepare_flow(build_graph(chain))
        found = networkx_reaches(chain, handler, routes, chosen, prepared)
    else:
        found = reaches_from_rows(backend.handler_reach(chain, handler, as_of_day))
    if chosen:
        # the legs from the systems on are walked here for both backends, on the file's graph
        found = through_systems(found, chosen, handler, prepared or prepare_flow(build_graph(chain)), as_of_day)
    elif as_of_day is not None:  # the records as they stood that day: nothing after it
        found = [r._replace(windows=r.windows.until(as_of_day)) for r in found]
    lo, hi = start or W.MIN, end or W.MAX
    found = [r for r in found if r.path and _meets(r.windows.held, lo, hi)]
    return _report(chain, routes, handler, found, (start, end), chosen, known_, intent, as_of_day)


# ---------------------------------------------------------------------------------------------
# Judgement


def _ref(b: LegalBasis) -> LegalReference:
    return LegalReference(id=b.id, text=b.text, ja=b.ja, ref=b.ref)


def _refs(bases: Iterable[LegalBasis]) -> list[LegalReference]:
    return [_ref(b) for b in bases]


def _meets(intervals: tuple[W.Interval, ...], lo: date, hi: date) -> bool:
    return any(s <= hi and e >= lo for s, e in intervals)


def _shown(w: W.Windows) -> W.Windows:
    """The windows as a breach report shows them: a handling that rests on an unknown period is
    possible only, never certain."""
    return W.Windows((), w.held, True) if w.unknown else w


def _status(reaches: Iterable[HandlerReach], lo: date, hi: date) -> tuple[str, bool]:
    """certain when a reach with no unknown period is certain within [lo, hi]; else possible,
    and ``unknown_period`` when one would be certain but for an unknown period."""
    reaches = list(reaches)
    if any(not r.windows.unknown and _meets(r.windows.certain, lo, hi) for r in reaches):
        return "certain", False
    return "possible", any(r.windows.unknown and _meets(r.windows.certain, lo, hi) for r in reaches)


def _people(figures: list[DataSubjects | None], may_include_others: bool = False) -> People:
    known = [f for f in figures if f is not None]
    return People(count=sum(f.count for f in known) if known else None,
                  at_least=max((f.count for f in known), default=None), unknown=len(figures) - len(known),
                  approximate=any(f.approximate for f in known), overlap_possible=len(known) > 1,
                  may_include_others=may_include_others)


def _data(categories: list[list[DataCategory] | None]) -> list[str] | None:
    """The union of the categories; None (not recorded) when any of them is, or there are none."""
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
    out.append(_people_threshold(basis, PEOPLE_LIMIT[kind], people))
    if kind is OrgKind.local_government:
        out.append(Threshold(
            id="ordinance_sensitive", met="unknown", reference=_ref(basis),
            reason="item 5: whether the data includes sensitive information as the body's ordinance defines it "
                   "(条例要配慮個人情報) depends on the ordinance of that body; the chain does not record it",
            reason_ja="第5号：条例要配慮個人情報を含むかは当該団体の条例によるため不明（委託関係の記録にはない）"))
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
    if not thresholds:
        return "not_judged"
    if any(t.met == "met" for t in thresholds):
        return "met"
    if any(t.met in ("unknown", "possibly_met") for t in thresholds):
        return "unknown"
    return "not_met"


def _plus(day: date, days: int) -> str:
    return (day + timedelta(days)).isoformat()


def _closed(day: date) -> bool:
    """A Saturday, a Sunday or a day of 29 December – 3 January (national holidays are not known here)."""
    return day.weekday() >= 5 or (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def final_deadline(known: date, days: int) -> FinalDeadline:
    """The final report's last day: ``known`` + ``days`` (the day known not counted, 民法第140条),
    moved to the next open day when it falls on a Saturday, a Sunday or in 29 December – 3
    January (Guidelines 3-5-3-4; national holidays are not computed)."""
    counted = known + timedelta(days)
    by = counted
    while _closed(by):
        by += timedelta(1)
    return FinalDeadline(days=days, counted=counted.isoformat(), weekday=WEEKDAYS[counted.weekday()],
                         by=by.isoformat(), by_weekday=WEEKDAYS[by.weekday()], moved=by != counted)


def _no_statutory_duty(kind: OrgKind, known: date | None, additional: list[AdditionalDuty]) -> Duty:
    what = {OrgKind.private: ("no statutory duty on the day known: businesses were asked to report",
                              "知った日には法律上の報告義務はなかった（報告は告示・ガイドラインに基づく努力義務）"),
            OrgKind.local_government: ("no duty under APPI on the day known: its own ordinance applied",
                                       "知った日には個人情報保護法上の報告義務はなく、当該団体の個人情報保護条例による"),
            OrgKind.public_agency: ("no statutory duty to report to the PPC on the day known",
                                    "知った日には個人情報保護委員会への法律上の報告義務はなかった")}[kind]
    return Duty(kind="no_statutory_duty", statutory=False, text=what[0], text_ja=what[1],
                references=_refs(leak_duty_bases(kind, False, known)), additional=additional)


def _additional(data: list[str] | None, known: date | None) -> list[AdditionalDuty]:
    if data is None or "my_number" not in data:
        return []
    found = my_number_leak_bases(known)
    if not found:
        return []
    return [AdditionalDuty(
        id="my_number", references=_refs(found),
        text="the data includes My Number data: the leak may also have to be reported under the My Number Act "
             "(Art. 29-4) when the thresholds of its rule are met",
        text_ja="特定個人情報（マイナンバー）を含むため、番号法第29条の4に基づく規則の報告対象事態に当たるときは、"
                "同条による報告も要する")]


def _consignor_duty(kind: OrgKind, known: date | None, data: list[str] | None) -> Duty:
    additional = _additional(data, known)
    if not leak_reporting_in_force(kind, known):
        return _no_statutory_duty(kind, known, additional)
    bases = leak_duty_bases(kind, False, known)
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


def _holder_duty(kind: OrgKind, known: date | None, notifies: list[str], proviso: list[str],
                 reports_for: list[str], data: list[str] | None, names: dict[str, str]) -> Duty:
    """The duty of an organisation holding others' data (an intermediary, or the handler)."""
    additional = _additional(data, known)
    if not leak_reporting_in_force(kind, known):
        return _no_statutory_duty(kind, known, additional)
    if kind is not OrgKind.private:
        return Duty(kind="report_to_ppc", statutory=True, references=_refs([APPI_ART_68_1, APPI_ART_68_2]),
                    additional=additional,
                    text="it holds the data for others, but the proviso of APPI Art. 26(1) is a business's only: "
                         "when a threshold is met, it reports the leak of its retained personal information to the "
                         "PPC itself (Art. 68(1)) and notifies the people concerned (Art. 68(2))",
                    text_ja="委託を受けて取り扱っているが、委託元への通知による報告の免除（個人情報保護法第26条第1項"
                            "ただし書）は事業者に限られるため、報告対象事態に該当するときは、自ら保有個人情報の漏えい等を"
                            "個人情報保護委員会に報告し（第68条第1項）、本人に通知する（同条第2項）")
    if not reports_for:
        return Duty(kind="notify_consignor", statutory=True, references=_refs(leak_duty_bases(kind, True, known)),
                    additional=additional,
                    text=("it holds the data for its consignors: if it notifies them, it need not report to the PPC "
                          "itself (APPI Art. 26(1) proviso; 施行規則 Art. 9) nor notify the people (Art. 26(2))"
                          + (f"; it notifies {len(notifies)} consignor(s)" if notifies else "")),
                    text_ja=("委託を受けて個人データを取り扱っているため、委託元に通知すれば、自ら個人情報保護委員会に"
                             "報告することを要せず（個人情報保護法第26条第1項ただし書、施行規則第9条）、本人への通知も"
                             "要しない（同条第2項）"
                             + (f"。通知する委託元は {len(notifies)} 者" if notifies else "")))
    refs = [APPI_ART_26_1, APPI_ART_26_2] + ([APPI_ART_26_1_PROVISO, APPI_RULE_9] if proviso else [])
    text = (f"the data of {', '.join(reports_for)} it holds as a business for a consignor that was not a business or a "
            "行政機関等 on the day known (a local government became one on 2023-04-01): the proviso of APPI Art. "
            "26(1) does not apply, so when a threshold is met it reports the leak to the PPC itself (Art. 26(1)) and "
            "notifies the people (Art. 26(2))")
    text_ja = (f"{'、'.join(names.get(y, y) for y in reports_for)}のデータは、知った日に個人情報取扱事業者でも行政機関等"
               "でもない委託元（地方公共団体は 2023-04-01 から行政機関等）のために取り扱っているため、第26条第1項ただし書"
               "は適用されず、報告対象事態に該当するときは、自ら個人情報保護委員会に報告し（個人情報保護法第26条第1項）、"
               "本人に通知する（同条第2項）")
    if proviso:
        text += (f"; for the data of {', '.join(proviso)} it may notify them instead (Art. 26(1) proviso, 施行規則 "
                 "Art. 9)")
        text_ja += (f"。{'、'.join(names.get(y, y) for y in proviso)}のデータについては、委託元に通知すれば報告を要しない"
                    "（同項ただし書、施行規則第9条）")
    return Duty(kind="report_to_ppc", statutory=True, references=_refs(refs), additional=additional, text=text,
                text_ja=text_ja)


def _deadlines(kind: OrgKind, known: date | None, duty: Duty, reporting: str, intent: str) -> Deadlines | None:
    if known is None or not duty.statutory or reporting not in ("met", "unknown"):
        return None
    notify = duty.kind == "notify_consignor"
    refs = _refs(leak_deadline_bases(kind, notify))
    preliminary = DateRange(from_=_plus(known, PROMPTLY[0]), to=_plus(known, PROMPTLY[1]))
    if notify:
        return Deadlines(what="notify_consignor", preliminary=preliminary, references=refs)
    days = FINAL_DAYS_WRONGFUL if intent == "wrongful" else FINAL_DAYS
    return Deadlines(what="report", preliminary=preliminary, final=final_deadline(known, days),
                     final_if_wrongful=final_deadline(known, FINAL_DAYS_WRONGFUL) if intent == "unknown" else None,
                     references=refs)


class _Edges:
    """Who notifies whom along the paths: each step's entrustment, its contractor notifying its
    consignor; an access step's grants ``under`` an entrustment (none: not recorded)."""

    def __init__(self, chain: ChainFile):
        self.entrustments = chain.entrustments_by_id
        self.grants: dict[tuple[str, str], list[str | None]] = defaultdict(list)
        for grant in chain.access:
            self.grants[(grant.organization, grant.system)].append(grant.under)

    def of(self, path: Iterable[S.PathStep]) -> tuple[list[tuple[int, str, str, str]], list[S.PathStep]]:
        """(step index, notifier, notified, entrustment) for every step of ``path``, and the
        access steps granted under no recorded entrustment."""
        edges, loose = [], []
        for index, step in enumerate(path):
            if step.type == S.ACCESSIBLE_BY:
                unders = sorted({u for u in self.grants.get((step.target, step.source), ()) if u is not None})
                if not unders:
                    loose.append(step)
            else:
                unders = [step.entrustment]
            for under in unders:
                e = self.entrustments.get(under)
                if e is not None:
                    edges.append((index, e.contractor, e.consignor, e.id))
        return edges, loose


def _tail(path: tuple[S.PathStep, ...], index: int, holder: str) -> tuple[Route | None, tuple[S.PathStep, ...]]:
    """The part of ``path`` along which ``holder``, the contractor of step ``index``'s entrustment,
    passes the data on, as its route: its onward entrustment, or the system the data is in."""
    step = path[index]
    if step.type == S.PLACES_DATA_IN:
        tail = path[index + 1:]
        return Route(SYSTEM, step.target), tail
    if step.type == S.ACCESSIBLE_BY and step.target != holder:
        return Route(SYSTEM, step.source), path[index:]
    tail = path[index + 1:]
    if not tail:
        return None, ()
    if tail[0].type == S.ACCESSIBLE_BY:
        return Route(SYSTEM, tail[0].source), tail
    return Route(ENTRUSTMENT, tail[0].entrustment), tail


def _work_ja(e: Entrustment) -> str:
    return f"「{e.work}」" if e.work else e.id


def _path_order(path: tuple[S.PathStep, ...]) -> tuple:
    return len(path), tuple((key_order(s.key), s.type) for s in path)


class _Entry:
    """One organisation in one role, as the reaches are read: the reaches it is in that role for,
    the routes to show, the entrustments it holds the data under, whom it notifies and who
    notifies it."""

    def __init__(self, org: str, role: str):
        self.org, self.role = org, role
        self.reaches: dict[tuple[str, Route], HandlerReach] = {}
        self.shown: dict[Route, list] = {}  # route -> [path, [windows …], walked]
        self.held: set[str] = set()  # the entrustments whose data it holds for others
        self.held_unknown = False  # and data of which no record tells (an own system's, reached by access)
        self.notifies: set[str] = set()
        self.notified_by: set[str] = set()

    def add(self, r: HandlerReach) -> None:
        self.reaches[(r.consignor, r.route)] = r

    def show(self, route: Route, path: tuple[S.PathStep, ...], windows: W.Windows, walked: bool) -> None:
        got = self.shown.get(route)
        if got is None or (walked and not got[2]):
            self.shown[route] = [path, [windows], walked]
        elif not got[2] and not walked:
            got[1].append(windows)
            if _path_order(path) < _path_order(got[0]):
                got[0] = path


def _report(chain: ChainFile, routes: Routes, handler: str, found: list[HandlerReach],
            window: tuple[date | None, date | None], systems: list[str] | None, known: date | None, intent: str,
            as_of: date | None) -> BreachReport:
    orgs = chain.organizations_by_id
    names = {o.id: o.name for o in chain.organizations}
    lo, hi = window[0] or W.MIN, window[1] or W.MAX
    edges_of = _Edges(chain)
    entries: dict[tuple[str, str], _Entry] = {}
    loose: dict[tuple[str, str], list[S.PathStep]] = defaultdict(list)

    def entry(org: str, role: str) -> _Entry:
        got = entries.get((org, role))
        if got is None:
            got = entries[(org, role)] = _Entry(org, role)
        return got

    for r in found:
        c = r.consignor
        # its own data (Routes.start): its own entrustments and own systems; else a system where it
        # processes data entrusted to it
        own = r.route.kind == ENTRUSTMENT or r.route.id in routes.own_systems.get(c, ())
        mine = entry(c, "consignor" if own else "intermediary")
        mine.add(r)
        mine.show(r.route, r.path, r.windows, walked=True)
        # the records of the route's data: its entrustment, or the entrustments placing data in the
        # system where c processes it (those whose data was there in the window); an own system: none
        placed = () if own else routes.placed_with.get((c, r.route.id), ())
        placed = [e for e in placed if _meets((held_windows(e)[1],), lo, hi)] or list(placed)
        route_data = ({r.route.id} if r.route.kind == ENTRUSTMENT else {e.id for e in placed})
        for e in placed:
            mine.held.add(e.id)
            mine.notifies.add(e.consignor)
        edges, unrecorded = edges_of.of(r.path)
        loose[(c, mine.role)].extend(unrecorded)
        for index, notifier, notified, under in edges:
            # the contractor of an entrustment on the path holds the data under it for its consignor
            holder = entry(notifier, "handler" if notifier == handler else "intermediary")
            holder.add(r)
            holder.notifies.add(notified)
            # what it holds: what the step's entrustment carries to it; through access, what the
            # system holds, the route's data (not recorded for an own system)
            if r.path[index].type == S.ACCESSIBLE_BY:
                holder.held |= route_data
                holder.held_unknown = holder.held_unknown or not route_data
            else:
                holder.held.add(under)
            if notifier != handler:
                route, tail = _tail(r.path, index, notifier)
                # a system where it processes entrusted data is a route of its own, walked as such
                walked_apart = (route is not None and route.kind == SYSTEM and route in routes.routes.get(notifier, ())
                                and route.id not in routes.own_systems.get(notifier, ()))
                if route is not None and not walked_apart:
                    holder.show(route, tail, r.windows, walked=False)
            told = mine if notified == c else entry(notified, "intermediary")
            told.add(r)
            told.notified_by.add(notifier)
    affected, handler_duty = [], None
    for (org_id, role), ent in entries.items():
        other = {"consignor": "intermediary", "intermediary": "consignor"}.get(role)
        a = _affected(chain, routes, entries, ent, other if (org_id, other) in entries else None, names,
                      loose.get((org_id, role), []), known, intent, lo, hi)
        if role == "handler":
            handler_duty = a
        else:
            affected.append(a)
    affected.sort(key=lambda a: (a.role != "intermediary", a.id))
    return BreachReport(
        handler=handler, handler_name=orgs[handler].name,
        window=Window(from_=window[0].isoformat() if window[0] else None, to=window[1].isoformat() if window[1] else None),
        systems=systems, known=known.isoformat() if known else None, intent=intent,
        as_of=as_of.isoformat() if as_of else None, totals=_totals(affected),
        handler_notifies=handler_duty.notifies if handler_duty else [], handler_duty=handler_duty,
        affected=affected, notes=_notes(affected, handler_duty, found, routes, handler, names, known))


def _affected(chain: ChainFile, routes: Routes, entries: dict[tuple[str, str], _Entry], ent: _Entry,
              also: str | None, names: dict[str, str], loose: list[S.PathStep], known: date | None, intent: str,
              lo: date, hi: date) -> Affected:
    org = chain.organizations_by_id[ent.org]
    kind = org.kind
    entrustments = chain.entrustments_by_id
    reaches = sorted(ent.reaches.values(), key=lambda r: (len(r.path), r.route.order, r.consignor))
    status, unknown_period = _status(reaches, lo, hi)
    shown = sorted(ent.shown.items(), key=lambda kv: (len(kv[1][0]), kv[0].order))
    paths = [RoutePath(kind=route.kind, id=route.id, path=[Step.of(s) for s in path],
                       windows=route_windows(_shown(W.union(ws))))
             for route, (path, ws, _) in shown]
    notes: list[Note] = []
    reports_for: list[str] = []
    proviso: list[str] = []
    notifies = sorted(ent.notifies)
    if ent.role == "consignor":
        # its own entrustments that may also carry the data it holds for others in this leak
        middle = entries.get((ent.org, "intermediary"))
        others = {c for c, _ in middle.reaches} - {ent.org} if middle is not None else set()
        shared = sorted(r.route.id for r in reaches if r.route.kind == ENTRUSTMENT and others and (
            entrustments[r.route.id].covers == "all" or others & set(entrustments[r.route.id].covers)))
        figures = [entrustments[r.route.id].data_subjects if r.route.kind == ENTRUSTMENT else None for r in reaches]
        people = threshold_people = _people(figures, bool(shared))
        system_route = any(r.route.kind == SYSTEM for r in reaches)
        data = None if system_route else _data([entrustments[r.route.id].data for r in reaches])
        if system_route:
            notes.append(Note(text="a route through its own system has no count of people and no recorded data "
                                   "categories",
                              text_ja="自らのシステムを通じた経路には本人数とデータの種類の記録がない"))
        if people.overlap_possible:
            notes.append(Note(text="several contracts reach the handler: the same people may be in more than "
                                   "one, so the sum is an upper bound and the largest figure a floor",
                              text_ja="複数の契約のデータに手が届く。同じ本人が複数の契約に含まれうるため、合計は上限、"
                                      "最大の契約の人数は下限"))
        if shared:
            notes.append(Note(
                text=f"its own entrustment {', '.join(shared)} may also carry the data it holds for others (covers): "
                     "its figure may count their people as well as its own (the chain does not tell them apart)",
                text_ja=f"自らの委託（{'、'.join(_work_ja(entrustments[x]) for x in shared)}）は、預かっている他者の"
                        "データも渡しうる（covers）。その本人数には"
                        "他者の本人が含まれうる（委託関係の記録からは区別できない）"))
        duty = _consignor_duty(kind, known, data)
    else:
        held = [entrustments[u] for u in sorted(ent.held) if u in entrustments]
        data = _data([e.data for e in held] + ([None] if ent.held_unknown else []))
        threshold_people = _people([e.data_subjects for e in held] + ([None] if ent.held_unknown else [])) \
            if held or ent.held_unknown else None
        people = None
        if kind is OrgKind.private:
            orgs = chain.organizations_by_id
            proviso = [y for y in notifies if proviso_consignor(orgs[y].kind, known)]
            reports_for = [y for y in notifies if y not in proviso]
        else:
            reports_for = list(notifies)
        duty = _holder_duty(kind, known, notifies, proviso, reports_for, data, names)
        if not duty.statutory:
            reports_for = []
        notes.append(Note(text="the data it holds for others is not counted here: their people are counted at their "
                               "consignors",
                          text_ja="預かっている他者のデータの本人数はここでは数えない（委託元ごとに数える）"))
    thresholds = _thresholds(kind, data, threshold_people, intent) if duty.statutory else []
    reporting = _reporting(thresholds)
    deadlines = _deadlines(kind, known, duty, reporting, intent)
    if not duty.statutory:
        notes.append(Note(text="the thresholds of the Enforcement Rules (Art. 7; Art. 43 for public bodies) are not "
                               "judged: no statutory duty applied on the day known, and what applied instead is cited",
                          text_ja="知った日には法律上の報告義務がなかったため、施行規則第7条（行政機関等は第43条）の"
                                  "報告対象事態は判定しない（当時よっていたものを示す）",
                          references=duty.references))
    if proviso and reports_for and deadlines is not None and known is not None:
        notes.append(Note(
            text=f"it notifies {', '.join(proviso)} promptly, about {_plus(known, PROMPTLY[0])} to "
                 f"{_plus(known, PROMPTLY[1])}, and need not report their data itself",
            text_ja=f"{'、'.join(names.get(y, y) for y in proviso)}には速やかに（目安は{_plus(known, PROMPTLY[0])}～"
                    f"{_plus(known, PROMPTLY[1])}）通知し、そのデータについては自ら報告することを要しない",
            references=_refs([APPI_ART_26_1_PROVISO, APPI_RULE_9, GUIDELINES_3_5_3])))
    if loose:
        systems_loose = sorted({s.source for s in loose})
        notes.append(Note(
            text=f"access to {', '.join(systems_loose)} was granted under no recorded entrustment: who must tell "
                 "whom at that step is not recorded (access[].under decides it)",
            text_ja=f"{'、'.join(chain.systems_by_id[s].name for s in systems_loose)}へのアクセス権限の根拠となる委託の"
                    "記録がなく、その段階で誰が誰に通知するかは不明（access[].under で決まる）"))
    return Affected(
        id=ent.org, name=org.name, kind=kind.value, role=ent.role, also=also, status=status,
        unknown_period=unknown_period, routes=paths if ent.role != "handler" else [], data_subjects=people,
        data=data, duty=duty, notifies=notifies, notified_by=sorted(ent.notified_by), reports_for=reports_for,
        thresholds=thresholds, reporting=reporting, deadlines=deadlines, notes=notes)


def _totals(affected: list[Affected]) -> Totals:
    consignors = [a for a in affected if a.role == "consignor"]
    middle = [a for a in affected if a.role == "intermediary"]
    count, unknown, approx, overlap = 0, 0, False, False
    for a in consignors:
        p = a.data_subjects
        count += p.count or 0
        unknown += 1 if p.unknown else 0
        approx = approx or p.approximate
        overlap = overlap or p.overlap_possible or p.may_include_others
    by_org: dict[str, list[Affected]] = defaultdict(list)
    for a in affected:
        by_org[a.id].append(a)
    status = ["certain" if any(a.status == "certain" for a in entries)
              else "possible_unknown_period" if any(a.unknown_period for a in entries) else "possible"
              for entries in by_org.values()]
    return Totals(
        affected=len(by_org), consignors=len(consignors), intermediaries=len(middle),
        both=len({a.id for a in consignors} & {a.id for a in middle}),
        by_kind={k: sum(1 for a in consignors if a.kind == k) for k in KINDS},
        intermediaries_by_kind={k: sum(1 for a in middle if a.kind == k) for k in KINDS},
        by_duty={d: sum(1 for a in affected if a.duty.kind == d)
                 for d in ("report_to_ppc", "notify_consignor", "no_statutory_duty")},
        by_status={s: status.count(s) for s in ("certain", "possible", "possible_unknown_period")},
        by_reporting={r: sum(1 for a in consignors if a.reporting == r)
                      for r in ("met", "unknown", "not_met", "not_judged")},
        data_subjects=PeopleTotal(count=count, unknown=unknown, approximate=approx, overlap_possible=overlap))


def _notes(affected: list[Affected], handler_duty: Affected | None, found: list[HandlerReach], routes: Routes,
           handler: str, names: dict[str, str], known: date | None) -> list[Note]:
    notes = []
    everyone = affected + ([handler_duty] if handler_duty else [])
    if known is None:
        notes.append(Note(text="no deadlines: they count from the day the leak was known (--known); today's law is "
                               "cited",
                          text_ja="期限は事態を知った日から数えるため、--known がなければ示せない（法令は現行のものを示す）"))
    else:
        notes.append(Note(text="deadlines count from --known for every organisation; one that learns of the leak "
                               "later (when it is notified) counts from its own day",
                          text_ja="期限は --known の日から数えている。通知を受けて後から知る組織は、自らが知った日から数える"))
    if any(a.deadlines is not None and a.deadlines.final is not None for a in everyone):
        notes.append(Note(
            text="the final report's days are counted from the day after the day known (30 or 60 days); a last day "
                 "on a Saturday, a Sunday, a national holiday or in 29 December – 3 January moves to the next open "
                 "day: weekends and the year's end are moved here, national holidays are not computed",
            text_ja="確報の期限は知った日の翌日から数える（30 日又は 60 日）。期限の日が土曜日、日曜日、国民の祝日又は"
                    "12月29日～1月3日に当たるときは、その翌日以降の最初の開庁日が期限となる。ここでは土日と年末年始だけを"
                    "繰り越し、祝日は計算していない",
            references=_refs([GUIDELINES_3_5_3])))
    unrecorded = sum(1 for a in affected if a.data is None)
    if unrecorded:
        bases = my_number_leak_bases(known)
        notes.append(Note(
            text=f"{unrecorded} entr{'y has' if unrecorded == 1 else 'ies have'} no recorded data categories: if the "
                 "data includes My Number data, the leak may also have to be reported under the My Number Act "
                 "(Art. 29-4) when the thresholds of its rule are met (entrustments[].data decides it)",
            text_ja=f"{unrecorded} 件はデータの種類の記録がない。特定個人情報（マイナンバー）を含むときは、番号法第29条の4に"
                    "基づく規則の報告対象事態に当たれば同条による報告も要する（entrustments[].data で決まる）",
            references=_refs(bases)))
    own = [r for r in routes.routes.get(handler, ())
           if r.kind == ENTRUSTMENT or r.id in routes.own_systems.get(handler, ())]
    if own:
        notes.append(Note(
            text=f"{handler}'s own personal data (its own entrustments and systems) is not covered: if it leaked, "
                 f"{handler} reports it itself, as an end consignor does",
            text_ja=f"{names.get(handler, handler)}自身の個人データ（自らの委託・システムのデータ）は対象外。それが漏えいした"
                    "ときは、委託元と同じく自ら報告する"))
    if found and handler_duty is None:
        notes.append(Note(
            text=f"no recorded entrustment makes {handler} hold the data for anyone: whom it tells is not recorded "
                 "(access[].under decides it)",
            text_ja=f"{names.get(handler, handler)}がデータを取り扱う根拠となる委託の記録がなく、誰に通知するかは不明"
                    "（access[].under で決まる）"))
    return notes
