"""A view per consignor (``chain analyze FILE --consignor ID``): where one organisation's data
goes, and what it must do.

For an organisation C, :func:`consignor_view` gives
- C's routes (DESIGN "Semantics the rules rest on"): each of its entrustments that may carry
  personal data, with the contractor, the work and the period, and each system holding its data
  (its own, or one where it processes data entrusted to it);
- every handler its data reaches — not only the undisclosed ones — by name, with, per route, the
  shortest path (steps, and in words by names), whether C was told of it there and whether C
  approved it (null: the chain does not record it), whether the route's contract restricts
  re-entrustment, when the handler could reach the data (certain / possible), the analysis's
  findings about C and that handler, and what to do;
- C's own findings (could not supervise; per entrustment: clauses, supervision, a contract
  marked as no personal data) with what to do;
- when C holds data entrusted to it (an intermediary, 中間の受託者): for whom, and the handlers
  beyond it that those organisations were not told of. An intermediary answers for the data it
  holds as a contractor (Art. 25 at each level), so it is shown, not refused: its routes are
  the systems where it processes that data and its onward entrustments.

The handlers and the per-route judgements are those of the rules (:class:`.routes.Routes`,
:func:`.flow.reach`), so the (consignor, handler) pairs with a route on which C was not told are
exactly the ``undisclosed_subcontracting`` findings of :func:`.engine.analyze` for C (a test
holds them so). Windows and ``as_of`` are as in the analysis: with ``as_of``, the chain as it
stood that day (:mod:`.asof`), the handlings that stood that day, windows cut at it.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.findings import (
    Analysis,
    Finding,
    LegalReference,
    RouteWindows,
    Step,
    route_triples,
    route_windows,
)
from entrustment_chain.graph.analysis.flow import key_order, prepare_flow, reach
from entrustment_chain.graph.analysis.messages import FIELD_JA, Lang, Words
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.onboarding import Action, GainedRoute, route_actions, signer
from entrustment_chain.graph.analysis.registry import RULES, Per, Severity
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, SYSTEM, Route, Routes
from entrustment_chain.graph.analysis.rules import Abroad, misclassified_rows
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.chain import (
    CLAUSE_SAFETY,
    SUPERVISION_MEASURES,
    ChainFile,
    DataCategory,
    Entrustment,
    OrgKind,
)

CONSIGNOR_SCHEMA = "entrustment-chain/consignor/v1"

ActionType = Literal["inform", "approve", "permit", "record_disclosure", "record_approval", "record_grant",
                     "check_abroad", "add_clauses", "restrict_subcontracting", "supervise",
                     "check_subcontracting", "reclassify"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(_Model):
    """An organisation as the view names it."""

    id: str = Field(description="The organisation's id in the chain file.")
    name: str = Field(description="Its name (名称).")
    kind: OrgKind = Field(description="Its kind: private (民間事業者), local_government (地方公共団体) or "
                          "public_agency (行政機関等).")


class ConsignorAction(_Model):
    """What someone must do, as ``chain check`` words it where it is the same act (``inform``,
    ``approve``: :func:`.onboarding.route_actions`), and the other acts a register calls for:
    ``permit`` (My Number data: the original consignor's permission, 番号法 Art. 10(1)),
    ``record_disclosure`` / ``record_approval`` (the register does not say whether the consignor
    was told of / approved the handler: find out and record it), ``record_grant`` (the consignor
    let the handler reach a system under none of its contracts: record the contract, or end the
    access), ``check_abroad`` (a handling outside Japan, the EEA and the UK), and, for an
    entrustment, ``add_clauses``, ``restrict_subcontracting``, ``supervise``,
    ``check_subcontracting`` and ``reclassify`` (a contract marked as no personal data whose
    contractor can reach personal data)."""

    type: ActionType = Field(description="What is to be done (see the model's description).")
    by: str = Field(description="Who acts, by organisation id.")
    to: str = Field(description="Whom it concerns, by organisation id: the consignor (inform), the signer who "
                    "brought the handler in (approve, permit, record_*), or the contractor (entrustment actions).")
    about: str = Field(description="The handler (or, for an entrustment action, the contractor) it is about, by "
                       "organisation id.")
    route: str = Field(description="The route (the consignor's entrustment or system) or the entrustment it is "
                       "about, by id.")
    required: bool = Field(default=True, description="False when it is needed only if the contract restricts "
                           "re-entrustment, which the register does not say (check it).")
    text: str = Field(description="The action in English, with names and ids.")
    text_ja: str = Field(description="The action in Japanese, with names (ids in parentheses).")

    @classmethod
    def of(cls, action: Action) -> "ConsignorAction":
        """The same act as ``chain check`` words it."""
        return cls(**action.model_dump())


class ViewRoute(_Model):
    """One route of the consignor's data: one of its entrustments that may carry personal data,
    or a system holding its data."""

    kind: Literal["entrustment", "system"] = Field(description='"entrustment" or "system".')
    id: str = Field(description="The entrustment's or the system's id.")
    text: str = Field(description="The route in English, by names (the entrustment by its parties).")
    text_ja: str = Field(description="The route in Japanese, by names.")
    contractor: str | None = Field(None, description="Entrustment: its contractor, by id.")
    contractor_name: str | None = Field(None, description="Entrustment: its contractor's name.")
    work: str | None = Field(None, description="Entrustment: the work entrusted (委託業務), as recorded.")
    period: str | None = Field(None, description="Entrustment: its period in wareki as reports write it "
                               "(令和 3 年 4 月～ has not ended); null = not recorded.")
    period_iso: str | None = Field(None, description="The same as ISO start/end (an empty side is open or "
                                   "unknown); null = not recorded.")
    disposal: str | None = Field(None, description="Entrustment: the recorded disposal of its data, ISO (to the "
                                 "precision written); null = none recorded (the data may still be there).")
    restricted: bool | None = Field(None, description="Entrustment: whether the contract restricts re-entrustment "
                                    "(subcontract_restriction); null = unknown, or a system route.")
    my_number: bool = Field(False, description="Entrustment: its data includes My Number data (特定個人情報).")
    informed_subcontractors: list[str] | None = Field(None, description="Entrustment: the handlers the consignor "
                                                      "was told of under it, as recorded; null = unknown.")
    approved_subcontractors: list[str] | None = Field(None, description="Entrustment: the handlers the consignor "
                                                      "approved under it, as recorded; null = unknown.")
    system_name: str | None = Field(None, description="System: its name.")
    operator: str | None = Field(None, description="System: who operates it, by id (null: not recorded).")
    own_system: bool = Field(False, description="System: the consignor operates it and keeps its own personal data "
                             "there (personal_data: true).")
    held_for: list[str] = Field(default_factory=list, description="System: the entrustments to the consignor that "
                                "place data in it (data it processes for others), by id.")
    handlers: list[str] = Field(description="The handlers this route reaches, by id, nearest first.")
    truncated: bool = Field(False, description="The route's data goes on beyond the step bound both backends "
                            "follow: handlers beyond it are not listed.")


class HandlerRoute(_Model):
    """How one handler stands on one route of the consignor."""

    kind: Literal["entrustment", "system"] = Field(description='"entrustment" or "system".')
    id: str = Field(description="The route: the entrustment's or the system's id.")
    text: str = Field(description="The route in English, by names.")
    text_ja: str = Field(description="The route in Japanese, by names.")
    path: list[Step] = Field(description="The shortest path from the consignor to the handler on this route, in "
                             "the direction the data flows (a system route's path starts at the system).")
    path_text: str = Field(description="The path by names, with the kind of each step, in English.")
    path_text_ja: str = Field(description="The path by names, with the kind of each step, in Japanese.")
    signer: str = Field(description="Who brings the handler in on this route, by id: the consignor of the last "
                        "entrustment of the path, or whoever granted the access. It is who must tell the consignor.")
    signer_name: str = Field(description="The signer's name.")
    disclosed: bool | None = Field(description="Whether the consignor was told of the handler for this route "
                                   "(説明); null = unknown: the list it rests on is not recorded (回答不能).")
    approved: bool | None = Field(description="Whether the consignor approved the handler for this route (承認); "
                                  "null = unknown: the list it rests on is not recorded.")
    restricted: bool | None = Field(description="Whether the route's contract restricts re-entrustment; null = "
                                    "unknown, or a system route (no contract of its own).")
    windows: RouteWindows = Field(description="When the handler could reach the data on this route.")


class ViewFinding(_Model):
    """A finding of the analysis about the consignor: about it and one handler (path rules), about
    the consignor (could_not_supervise), or about one of its entrustments."""

    rule: str = Field(description="The rule's id (docs/rules.md).")
    severity: Severity = Field(description="The rule's severity.")
    title: str = Field(description="The rule's title in English.")
    title_ja: str = Field(description="The rule's title in Japanese.")
    entrustment: str | None = Field(None, description="Entrustment rules: the entrustment, by id.")
    routes: list[str] = Field(default_factory=list, description="Path rules: the routes on which the rule holds, "
                              "by id.")
    message: str = Field(description="What was found, in English, with names.")
    message_ja: str = Field(description="What was found, in Japanese, with names.")
    evidence_unknown: bool = Field(False, description="Some evidence behind it is not recorded (回答不能).")
    conduct_date: str | None = Field(None, description="The day the legal basis is chosen by (ISO); null = unknown.")
    legal_references: list[LegalReference] = Field(description="The legal bases as the law stood on conduct_date.")
    actions: list[ConsignorAction] = Field(default_factory=list, description="The consignor's own findings: what "
                                           "to do about it (a handler's actions are on the handler).")


class ViewHandler(_Model):
    """One organisation the consignor's data reaches, and how it stands on every route."""

    id: str = Field(description="The handler, by id.")
    name: str = Field(description="Its name.")
    kind: OrgKind = Field(description="Its kind.")
    contractor: bool = Field(description="It is the contractor of one of the consignor's entrustments (委託先); "
                             "otherwise it is further down (再委託先以降) or reaches a system.")
    routes: list[HandlerRoute] = Field(description="Every route that reaches it, shortest path first.")
    disclosed: bool | None = Field(description="Told of it on every route: false if some route was not told, "
                                   "else null if some is unknown.")
    approved: bool | None = Field(description="Approved it on every route: false if some route was not approved, "
                                  "else null if some is unknown (approval is needed where re-entrustment is "
                                  "restricted; see the actions).")
    findings: list[ViewFinding] = Field(description="The analysis's findings about the consignor and this handler.")
    actions: list[ConsignorAction] = Field(description="What to do about it; empty when nothing is needed.")


class HeldEntrustment(_Model):
    """An entrustment to the consignor that may carry personal data: data it holds for another."""

    entrustment: str = Field(description="The entrustment, by id.")
    consignor: str = Field(description="Whose data it holds (the entrustment's consignor), by id.")
    consignor_name: str = Field(description="Its name.")
    work: str | None = Field(None, description="The work entrusted, as recorded.")
    period: str | None = Field(None, description="Its period in wareki; null = not recorded.")
    systems: list[str] = Field(default_factory=list, description="The systems the data is placed in, by id.")


class NotToldUpstream(_Model):
    """A handler beyond the consignor (as a contractor) that an organisation whose data it holds
    was not told of, on one of that organisation's routes: the consignor's own duty as a contractor."""

    consignor: str = Field(description="The organisation whose data it is, by id.")
    consignor_name: str = Field(description="Its name.")
    handler: str = Field(description="The handler it was not told of, by id.")
    handler_name: str = Field(description="Its name.")
    route: str = Field(description="That organisation's route, by id.")
    path_text: str = Field(description="The path by names, in English.")
    path_text_ja: str = Field(description="The path by names, in Japanese.")
    signer: str = Field(description="Who brought the handler in, by id.")
    signer_name: str = Field(description="Its name.")
    windows: RouteWindows = Field(description="When the handler could reach the data on that route.")
    actions: list[ConsignorAction] = Field(description="What to do: the signer informs that organisation.")


class ViewSummary(_Model):
    """The counts of the view."""

    routes: int = Field(description="Routes of the consignor's data.")
    handlers: int = Field(description="Handlers its data reaches.")
    not_told: int = Field(description="Handlers not told of on some route.")
    told_unknown: int = Field(description="Handlers told of on no route where it is false, but unknown on some.")
    not_approved: int = Field(description="Handlers not approved on some route that restricts re-entrustment.")
    actions: int = Field(description="Actions, on the handlers, the findings and what it holds for others.")
    by_severity: dict[str, int] = Field(description="Findings about the consignor per severity (low, medium, high).")


class ConsignorView(_Model):
    """One organisation's data (``entrustment-chain/consignor/v1`` JSON): its routes, every handler
    its data reaches with the per-route statuses and windows, the findings about it, and what to
    do."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(default=CONSIGNOR_SCHEMA, alias="schema", description="The document's version.")
    source: str | None = Field(None, description="The chain file, as given (null: not from a file).")
    title: str | None = Field(None, description="The chain file's title.")
    as_of: str | None = Field(None, description="With --as-of: the day the chain is taken as it stood (ISO).")
    consignor: Party = Field(description="The organisation whose data it is.")
    intermediary: bool = Field(description="It holds data entrusted to it (中間の受託者): it answers for the "
                               "handlers it passes that data to (`holds`, `not_told_upstream`).")
    routes: list[ViewRoute] = Field(description="The routes of its data: its entrustments first, then systems.")
    handlers: list[ViewHandler] = Field(description="Every handler its data reaches, by its nearest route.")
    findings: list[ViewFinding] = Field(description="Its own findings: could_not_supervise, and those about its "
                                        "entrustments, each with what to do.")
    holds: list[HeldEntrustment] = Field(description="Intermediary: the entrustments to it that may carry "
                                         "personal data (whose data it holds).")
    not_told_upstream: list[NotToldUpstream] = Field(description="Intermediary: handlers beyond it that the "
                                                     "organisations whose data it holds were not told of.")
    handler_of: list[Party] = Field(description="The organisations whose data it handles itself (it is a handler on "
                                    "their routes: their contractor, or further down); an organisation with no "
                                    "route of its own is shown by this alone.")
    summary: ViewSummary = Field(description="The counts.")

    def to_json_dict(self) -> dict[str, Any]:
        """The view as ``entrustment-chain/consignor/v1`` JSON data."""
        return self.model_dump(mode="json", by_alias=True)


def unknown_consignor(chain: ChainFile, consignor_id: str) -> InputError:
    """The error for an id that names no organisation: the closest ids, and ids whose name holds
    what was given (a name typed for an id)."""
    orgs = chain.organizations_by_id
    close = difflib.get_close_matches(consignor_id, list(orgs), n=3, cutoff=0.6)
    typed = consignor_id.casefold()
    close += [o.id for o in chain.organizations if typed and typed in o.name.casefold() and o.id not in close][:3]
    hint = " (did you mean " + ", ".join(f"{i!r} ({orgs[i].name})" for i in close) + "?)" if close else ""
    return InputError([Problem("--consignor", None, "consignor",
                               f"no organisation {consignor_id!r} in the chain file{hint}")])


def consignor_view(chain: ChainFile, consignor_id: str, analysis: Analysis | None = None,
                   as_of: date | None = None) -> ConsignorView:
    """Where ``consignor_id``'s data goes and what to do (see the module doc). ``analysis`` is
    :func:`.engine.analyze` of the same chain with the same ``as_of`` (on any backend), made here
    when None; its findings about the consignor are shown (a baseline applied to it leaves out
    the findings it accepts; the per-route statuses are the chain's). An id that names no
    organisation is an :class:`InputError` suggesting close ids."""
    if consignor_id not in chain.organizations_by_id:
        raise unknown_consignor(chain, consignor_id)
    day = as_of.isoformat() if as_of is not None else None
    if analysis is None:
        analysis = analyze(chain, as_of=as_of)
    elif (analysis.summary.get("as_of") or {}).get("date") != day:
        raise ValueError(f"the analysis is not of the chain as of {day or 'today'}: pass as_of to both")
    whole = chain
    if as_of is not None:
        chain = chain_as_of(chain, as_of)
    return _Builder(chain, consignor_id, analysis, as_of).view(whole)


class _Builder:
    """The view of one consignor, made once."""

    def __init__(self, chain: ChainFile, c: str, analysis: Analysis, as_of: date | None):
        self.chain, self.c, self.analysis, self.as_of = chain, c, analysis, as_of
        self.orgs = chain.organizations_by_id
        self.entrustments = chain.entrustments_by_id
        self.words = Words(chain)
        self.routes = Routes(chain)
        self.kind = self.orgs[c].kind
        # the analysis's findings about this consignor, built once
        self.findings: list[Finding] = [analysis.findings[i] for i, r in enumerate(analysis.findings.records)
                                        if r.consignor == c]

    def party(self, org_id: str) -> Party:
        org = self.orgs.get(org_id)
        return Party(id=org_id, name=org.name if org else org_id, kind=org.kind if org else OrgKind.private)

    def name(self, org_id: str) -> str:
        return self.words.org(org_id)

    def named(self, org_id: str, lang: Lang) -> str:
        """株式会社さくら通販（sakura） / 株式会社さくら通販 (sakura)."""
        return self.words.named(org_id, lang)

    # -------------------------------------------------------------------------------------
    def view(self, whole: ChainFile) -> ConsignorView:
        c = self.c
        own_routes = self.routes.routes.get(c, [])
        prepared = prepare_flow(build_graph(self.chain)) if own_routes else {}
        abroad = Abroad(self.chain)
        # handler -> [(route, path, windows, judgement)]
        found: dict[str, list[tuple[Route, tuple, Any, Any]]] = defaultdict(list)
        reached: dict[Route, list[tuple[int, str]]] = {}
        truncated: set[Route] = set()
        for route in own_routes:
            here = reach(None, c, prepared, route, self.routes.start(c, route))
            if here.truncated:
                truncated.add(route)
            windows = here.windows or {}
            systems = {S.node_id(n) for n in here.paths if not n.startswith("org:")} | (
                {route.id} if route.kind == SYSTEM else set())
            on_route = []
            for node, path in here.paths.items():
                if not node.startswith("org:"):
                    continue
                when = windows[node]
                if when.empty or (self.as_of is not None and when.on(self.as_of) is None):
                    continue
                h = S.node_id(node)
                if self.as_of is not None:
                    when = when.until(self.as_of)
                found[h].append((route, path, when, self.routes.judge(c, route, h, systems)))
                on_route.append((len(path), h))
            reached[route] = sorted(on_route, key=lambda x: (x[0], key_order(x[1])))
        handlers = [self.handler(h, sorted(on, key=lambda f: (len(f[1]), f[0].order)), abroad)
                    for h, on in found.items()]
        order = {route: i for i, route in enumerate(own_routes)}
        handlers.sort(key=lambda x: (order[Route(x.routes[0].kind, x.routes[0].id)], len(x.routes[0].path),
                                     key_order(x.id)))
        view_routes = [self.route(route, [h for _, h in reached[route]], route in truncated) for route in own_routes]
        own_findings = [self.own_finding(f) for f in self.findings if RULES[f.rule].per is not Per.consignor_handler]
        holds = self.holds()
        upstream = self.not_told_upstream() if holds else []
        n_actions = (sum(len(h.actions) for h in handlers) + sum(len(f.actions) for f in own_findings)
                     + sum(len(u.actions) for u in upstream))
        severities = {s.value: 0 for s in Severity}
        for f in self.findings:
            severities[f.severity.value] += 1
        summary = ViewSummary(
            routes=len(view_routes), handlers=len(handlers),
            not_told=sum(1 for h in handlers if h.disclosed is False),
            told_unknown=sum(1 for h in handlers if h.disclosed is None),
            not_approved=sum(1 for h in handlers if any(r.restricted and r.approved is False for r in h.routes)),
            actions=n_actions, by_severity=severities)
        return ConsignorView(
            source=self.analysis.source, title=whole.title, as_of=self.as_of.isoformat() if self.as_of else None,
            consignor=self.party(c), intermediary=self.routes.is_intermediary(c), routes=view_routes,
            handlers=handlers, findings=own_findings, holds=holds, not_told_upstream=upstream,
            handler_of=[self.party(o) for o in sorted((o for x in self.analysis.exposure if x.handler == c
                                                       for o in (*x.consignors, *x.intermediaries)), key=key_order)],
            summary=summary)

    # -------------------------------------------------------------------------------------
    def route(self, route: Route, handlers: list[str], truncated: bool) -> ViewRoute:
        common: dict[str, Any] = dict(kind=route.kind, id=route.id, text=self.words.route(route.kind, route.id, "en"),
                                      text_ja=self.words.route(route.kind, route.id, "ja"), handlers=handlers,
                                      truncated=truncated)
        if route.kind == ENTRUSTMENT:
            e = self.entrustments[route.id]
            period = e.parsed_period
            return ViewRoute(
                **common, contractor=e.contractor, contractor_name=self.name(e.contractor), work=e.work,
                period=period.wareki() if period else None, period_iso=period.iso() if period else None,
                disposal=e.disposal.parsed_date.iso() if e.disposal else None,
                restricted=e.clauses.subcontract_restriction, my_number=_my_number(e),
                informed_subcontractors=e.informed_subcontractors, approved_subcontractors=e.approved_subcontractors)
        system = self.chain.systems_by_id.get(route.id)
        return ViewRoute(
            **common, system_name=self.words.system(route.id), operator=system.operator if system else None,
            own_system=route.id in self.routes.own_systems.get(self.c, ()),
            held_for=sorted(e.id for e in self.routes.placed_with.get((self.c, route.id), ())))

    def handler(self, h: str, on: list[tuple[Route, tuple, Any, Any]], abroad: Abroad) -> ViewHandler:
        words = self.words
        routes = []
        actions: list[ConsignorAction] = []
        for route, path, when, judged in on:
            restricted = (self.entrustments[route.id].clauses.subcontract_restriction
                          if route.kind == ENTRUSTMENT else None)
            disclosed = True if judged.disclosed else (None if judged.told_unknown else False)
            approved = True if judged.approved else (None if judged.approved_unknown else False)
            by = signer(self.chain, path)
            routes.append(HandlerRoute(
                kind=route.kind, id=route.id, text=words.route(route.kind, route.id, "en"),
                text_ja=words.route(route.kind, route.id, "ja"), path=[Step.of(p) for p in path],
                path_text=words.path(path, "en"), path_text_ja=words.path(path, "ja"), signer=by,
                signer_name=self.name(by), disclosed=disclosed, approved=approved, restricted=restricted,
                windows=route_windows(when)))
            actions += self.route_actions(h, routes[-1], path, abroad.countries(h, route, path) if abroad.active
                                          else set())
        findings = [self.handler_finding(f) for f in self.findings
                    if f.handler == h and RULES[f.rule].per is Per.consignor_handler]
        contractor = any(r.kind == ENTRUSTMENT and self.entrustments[r.id].contractor == h for r in routes)
        return ViewHandler(id=h, name=self.name(h), kind=self.party(h).kind, contractor=contractor, routes=routes,
                           disclosed=_all(r.disclosed for r in routes), approved=_all(r.approved for r in routes),
                           findings=findings, actions=_unique(actions))

    def route_actions(self, h: str, r: HandlerRoute, path: tuple, countries: set[str]) -> list[ConsignorAction]:
        """What one route asks for (see :class:`ConsignorAction`)."""
        c = self.c
        out: list[ConsignorAction] = []
        named = self.named
        route_en, route_ja = r.text, r.text_ja
        my_number = r.kind == ENTRUSTMENT and _my_number(self.entrustments[r.id])
        # inform and approve, as check words them (for a handling that goes on)
        gained = GainedRoute(kind=r.kind, id=r.id, path=r.path, signer=r.signer, disclosed=r.disclosed is not False,
                             approved=r.approved is not False or my_number, restricted=r.restricted)
        out += [ConsignorAction.of(a) for a in route_actions(c, h, gained, self.words, present=True)]
        if r.disclosed is False and r.signer == c:
            system = path[-1].source if path[-1].type == S.ACCESSIBLE_BY else None
            where_en = self.words.system_named(system, "en") if system else route_en
            where_ja = self.words.system_named(system, "ja") if system else route_ja
            out.append(ConsignorAction(
                type="record_grant", by=c, to=c, about=h, route=r.id,
                text=f"{named(c, 'en')} lets {named(h, 'en')} reach {where_en} under none of its contracts: record "
                     f"the entrustment the access is granted under (access[].under), or end the access.",
                text_ja=f"{named(c, 'ja')}は、{named(h, 'ja')}に{where_ja}へのアクセスを委託契約によらずに認めている。"
                        f"アクセス権限の根拠となる委託を台帳に記録するか、アクセスを止める。"))
        if r.disclosed is None:
            out.append(ConsignorAction(
                type="record_disclosure", by=c, to=r.signer, about=h, route=r.id,
                text=f"The register does not say whether {named(c, 'en')} was told that {named(h, 'en')} handles its "
                     f"data on {route_en}: ask {named(r.signer, 'en')} and record the answer "
                     f"(informed_subcontractors); if it was not told, ask to be told.",
                text_ja=f"{named(c, 'ja')}は、{route_ja}について{named(h, 'ja')}の取扱いの説明を受けたかを"
                        f"{named(r.signer, 'ja')}に確認して台帳に記録する（説明を受けていなければ説明を求める）。"))
        if r.approved is None and r.kind == ENTRUSTMENT and (r.restricted is not False or my_number):
            out.append(ConsignorAction(
                type="record_approval", by=c, to=r.signer, about=h, route=r.id,
                required=r.restricted is True or my_number,
                text=f"The register does not say whether {named(c, 'en')} approved {named(h, 'en')} for {route_en}: "
                     f"find out and record it (approved_subcontractors); if it did not, approve or refuse it.",
                text_ja=f"{named(c, 'ja')}は、{route_ja}について{named(h, 'ja')}を承認したかを確認して台帳に記録する"
                        f"（承認していなければ、承認するか拒否する）。"))
        if my_number and r.approved is False:
            out.append(ConsignorAction(
                type="permit", by=c, to=r.signer, about=h, route=r.id,
                text=f"{named(c, 'en')} must permit {named(h, 'en')} to handle its My Number data under {route_en} "
                     f"(My Number Act Art. 10(1)), or refuse it and have {named(r.signer, 'en')} stop passing it "
                     f"the data.",
                text_ja=f"{named(c, 'ja')}は、{route_ja}の特定個人情報の{named(h, 'ja')}による取扱いを許諾するか、"
                        f"拒否して{named(r.signer, 'ja')}にデータを渡すのをやめさせる（番号法第10条第1項）。"))
        if countries:
            codes = sorted(countries)
            out.append(ConsignorAction(
                type="check_abroad", by=c, to=r.signer, about=h, route=r.id,
                text=f"{named(c, 'en')} must make sure that the handling of its data by {named(h, 'en')} in "
                     f"{Words.countries(codes, 'en')} has the people's consent or equivalent measures, or have it "
                     f"stopped.",
                text_ja=f"{named(c, 'ja')}は、{named(h, 'ja')}による国外（{Words.countries(codes, 'ja')}）での取扱いについて、"
                        f"本人の同意又は相当措置があることを確かめ、なければ取扱いをやめさせる。"))
        return out

    # -------------------------------------------------------------------------------------
    def _finding(self, f: Finding, actions: list[ConsignorAction]) -> ViewFinding:
        rule = RULES[f.rule]
        return ViewFinding(rule=f.rule, severity=f.severity, title=rule.title_en, title_ja=rule.title_ja,
                           entrustment=f.entrustment if rule.per is Per.entrustment else None,
                           routes=[r.id for r in f.routes], message=f.message, message_ja=f.message_ja,
                           evidence_unknown=f.evidence_unknown, conduct_date=f.conduct_date,
                           legal_references=list(f.legal_references), actions=actions)

    def handler_finding(self, f: Finding) -> ViewFinding:
        return self._finding(f, [])

    def own_finding(self, f: Finding) -> ViewFinding:
        if f.entrustment is None or f.entrustment not in self.entrustments:
            return self._finding(f, [])
        return self._finding(f, self.entrustment_actions(f.rule, self.entrustments[f.entrustment]))

    def entrustment_actions(self, rule_id: str, e: Entrustment) -> list[ConsignorAction]:
        """What the consignor does about a finding on one of its entrustments."""
        c, k, named = self.c, e.contractor, self.named
        about_en, about_ja = self.words.entrustment(e.id, "en"), self.words.entrustment(e.id, "ja")

        def act(kind: ActionType, en: str, ja: str) -> list[ConsignorAction]:
            return [ConsignorAction(type=kind, by=c, to=k, about=k, route=e.id, text=en, text_ja=ja)]

        def missing(group: Any, fields: tuple[str, ...]) -> tuple[str, str]:
            absent = [f for f in fields if getattr(group, f) is False]
            return ", ".join(f.replace("_", " ") for f in absent), "・".join(FIELD_JA[f] for f in absent)

        if rule_id in ("no_safeguard_clauses", "missing_safeguard_clause"):
            en, ja = missing(e.clauses, CLAUSE_SAFETY)
            return act("add_clauses",
                       f"{named(c, 'en')} must agree with {named(k, 'en')} on the safety clauses {about_en} lacks: "
                       f"{en}.",
                       f"{named(c, 'ja')}は、{about_ja}に欠けている安全管理条項（{ja}）を{named(k, 'ja')}と取り決める。")
        if rule_id == "no_subcontract_restriction":
            return act("restrict_subcontracting",
                       f"{named(c, 'en')} should agree with {named(k, 'en')} on a clause in {about_en} that restricts "
                       f"re-entrustment (for example, to the handlers it approves beforehand).",
                       f"{named(c, 'ja')}は、{about_ja}に再委託の禁止又は制限（事前の承認など）の条項を"
                       f"{named(k, 'ja')}と取り決める。")
        if rule_id in ("no_supervision", "weak_supervision"):
            en, ja = missing(e.supervision, SUPERVISION_MEASURES)
            return act("supervise",
                       f"{named(c, 'en')} must find out how {named(k, 'en')} handles the data of {about_en}: {en}.",
                       f"{named(c, 'ja')}は、{about_ja}について{named(k, 'ja')}の取扱状況を把握する（{ja}）。")
        if rule_id == "subcontracting_not_checked":
            return act("check_subcontracting",
                       f"{named(c, 'en')} must ask {named(k, 'en')}, in writing, whether it re-entrusts the work of "
                       f"{about_en}, and record the handlers in the register.",
                       f"{named(c, 'ja')}は、{about_ja}について{named(k, 'ja')}に再委託の有無を書面で確認し、"
                       f"再委託先を台帳に記録する。")
        if rule_id == "misclassified_subcontract":
            systems: list[str] = next((row["systems"] for row in misclassified_rows(self.chain)
                                       if row["entrustment"] == e.id), [])
            where_en = self.words.join((self.words.system_named(s, "en") for s in systems), "en")
            where_ja = self.words.join((self.words.system_named(s, "ja") for s in systems), "ja")
            held = self.routes.is_intermediary(c)
            return act("reclassify",
                       f"{named(c, 'en')} must treat {about_en} as an entrustment of personal data, since "
                       f"{named(k, 'en')} can reach {where_en}: agree on the safety clauses and supervise it"
                       + (f", and tell the organisations whose data is there of {named(k, 'en')}." if held else "."),
                       f"{named(k, 'ja')}は{where_ja}にアクセスできるため、{named(c, 'ja')}は{about_ja}を個人データの"
                       f"取扱いの委託として扱い、安全管理条項を取り決めて監督する"
                       + (f"。データを預けている委託元に{named(k, 'ja')}について説明する。" if held else "。"))
        return []

    # -------------------------------------------------------------------------------------
    def holds(self) -> list[HeldEntrustment]:
        """The entrustments to the consignor that may carry personal data."""
        out = []
        for e in self.chain.entrustments:
            if e.contractor != self.c or not S.may_carry(e.personal_data):
                continue
            period = e.parsed_period
            out.append(HeldEntrustment(entrustment=e.id, consignor=e.consignor, consignor_name=self.name(e.consignor),
                                       work=e.work, period=period.wareki() if period else None,
                                       systems=list(e.systems)))
        return out

    def not_told_upstream(self) -> list[NotToldUpstream]:
        """The analysis's undisclosed handlers of others' data whose path passes through the
        consignor as a contractor (an entrustment to it carries the data on), beyond it."""
        c = self.c
        undisclosed = RULES["undisclosed_subcontracting"]
        index = list(RULES).index(undisclosed.id)
        out = []
        for r in self.analysis.findings.records:
            if r.rule != index or r.consignor == c or r.handler == c or r.handler is None:
                continue
            for route, path, when in route_triples(r):
                through = [i for i, step in enumerate(path) if step.entrustment is not None
                           and step.entrustment in self.entrustments
                           and self.entrustments[step.entrustment].contractor == c]
                if not through:
                    continue
                by = signer(self.chain, path)
                steps = [Step.of(p) for p in path]
                gained = GainedRoute(kind=route.kind, id=route.id, path=steps, signer=by, disclosed=False,
                                     approved=True, restricted=None)
                out.append(NotToldUpstream(
                    consignor=r.consignor, consignor_name=self.name(r.consignor), handler=r.handler,
                    handler_name=self.name(r.handler), route=route.id, path_text=self.words.path(path, "en"),
                    path_text_ja=self.words.path(path, "ja"), signer=by, signer_name=self.name(by),
                    windows=route_windows(when),
                    actions=[ConsignorAction.of(a) for a in route_actions(r.consignor, r.handler, gained, self.words,
                                                                           present=True)]))
        return out


def _my_number(e: Entrustment) -> bool:
    return DataCategory.my_number in (e.data or ())


def _all(values: Any) -> bool | None:
    """True when every value is, False when any is False, else None (some unknown)."""
    values = list(values)
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _unique(actions: list[ConsignorAction]) -> list[ConsignorAction]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for a in actions:
        if (a.type, a.route, a.about) not in seen:
            seen.add((a.type, a.route, a.about))
            out.append(a)
    return out


def undisclosed_pairs(view: ConsignorView) -> Mapping[str, list[str]]:
    """handler → the routes on which the consignor was not told of it (false or unknown), as the
    ``undisclosed_subcontracting`` finding lists them."""
    return {h.id: [r.id for r in h.routes if r.disclosed is not True] for h in view.handlers
            if any(r.disclosed is not True for r in h.routes)}
