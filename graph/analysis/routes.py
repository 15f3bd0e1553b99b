"""Routes: where a consignor's data starts, and who was told of and approved each handler on it.

A route of an organisation C (DESIGN: "Semantics the rules rest on") is
- one of C's own entrustments whose ``personal_data`` is not false, or
- one of C's own systems (``operator: C``) marked ``personal_data: true``, or
- a system where C processes data entrusted to it (named by an entrustment to C that carries
  personal data): every organisation that holds personal data, its own or entrusted to it,
  answers for the handlers it passes that data to.

Disclosure and approval are judged per route, never as the union over C's contracts: knowing a
firm under one contract is not being told that it handles the data of another.
- On an entrustment route e, H is disclosed when it is e's contractor or is listed in e's
  ``informed_subcontractors`` or ``approved_subcontractors``; approved when it is e's contractor
  or is in e's ``approved_subcontractors``.
- On a system route s, H is disclosed and approved when it is listed (informed / approved) on
  one of C's entrustments that names s; other handlers of an own system are disclosed to nobody.
- On any route, a handler that has a grant to a system the route's data is in, ``under`` one of
  C's own entrustments, was let in by C itself: disclosed and approved.
An unknown list (null) counts as not disclosed, and the finding says its evidence is unknown.
Being told is not approval. Only an entrustment route can restrict re-entrustment (its
``subcontract_restriction``).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, NamedTuple

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.flow import key_order
from entrustment_chain.graph.model.chain import ChainFile, Entrustment

ENTRUSTMENT, SYSTEM = "entrustment", "system"


class Route(NamedTuple):
    """Where C's data starts: one of C's entrustments, or a system (by id)."""

    kind: str  # "entrustment" or "system"
    id: str

    @property
    def order(self) -> tuple[int, bytes]:
        """Entrustments before systems, then by id as Neo4j compares strings."""
        return (0 if self.kind == ENTRUSTMENT else 1, key_order(self.id))


class RouteJudgement(NamedTuple):
    """How one handler stands on one route: told, approved, restricted, and whether the records
    those answers rest on are unknown."""

    disclosed: bool
    approved: bool
    restricted: bool
    told_unknown: bool
    approved_unknown: bool


_WINDOW_PROPS = tuple(p for p in S.RELATIONSHIPS[S.ENTRUSTS].properties
                      if p.name in ("window_start", "window_end", "disposal", "period_unknown"))


def held_windows(e: Entrustment) -> tuple[W.Interval, W.Interval, bool]:
    """(certain, held, unknown) of the data an entrustment hands over (:mod:`.windows`), read
    through the schema's own window properties, as the graph carries them."""
    hop = W.hop_of({p.name: p.value(e) for p in _WINDOW_PROPS})
    return (hop.start, min(hop.end, hop.disposal)), (hop.start, hop.disposal), hop.unknown


class Routes:
    """Every organisation's routes, and the judgement of each handler on each of them."""

    def __init__(self, chain: ChainFile):
        self.entrustments = chain.entrustments_by_id
        self._held_by_period: dict[tuple, tuple[W.Interval, W.Interval, bool]] = {}
        own: dict[str, list[Entrustment]] = defaultdict(list)
        processing: dict[str, set[str]] = defaultdict(set)
        self.placed_by: dict[tuple[str, str], list[Entrustment]] = defaultdict(list)
        self.contracted: set[str] = set()  # contractors of entrustments that carry personal data
        # (contractor, system) -> the entrustments to it that place data in the system
        self.placed_with: dict[tuple[str, str], list[Entrustment]] = defaultdict(list)
        for e in chain.entrustments:
            own[e.consignor].append(e)
            if S.may_carry(e.personal_data):
                self.contracted.add(e.contractor)
                processing[e.contractor].update(e.systems)
                for system_id in e.systems:
                    self.placed_with[(e.contractor, system_id)].append(e)
        own_systems: dict[str, set[str]] = defaultdict(set)
        for system in chain.systems:
            if system.operator and system.personal_data is True:
                own_systems[system.operator].add(system.id)
        # (consignor, system) -> the consignor's entrustments that name the system, for the
        # systems that are routes of that consignor (the only ones judge_on reads): most
        # entrustments name their contractor's systems, routes of the contractor, not of the
        # consignor (at 10^5 entrustments, 18 MB kept for nothing)
        none: frozenset = frozenset()
        for e in chain.entrustments:
            if e.systems:
                routed, held = own_systems.get(e.consignor, none), processing.get(e.consignor, none)
                for system_id in e.systems:
                    if system_id in routed or system_id in held:
                        self.placed_by[(e.consignor, system_id)].append(e)
        self.own = own
        self.own_systems = own_systems
        self.routes: dict[str, list[Route]] = {}
        for org in chain.organizations:
            found = [Route(ENTRUSTMENT, e.id) for e in own.get(org.id, ()) if S.may_carry(e.personal_data)]
            found += [Route(SYSTEM, s) for s in own_systems.get(org.id, set()) | processing.get(org.id, set())]
            if found:
                self.routes[org.id] = sorted(found, key=lambda r: r.order)
        # grants by organisation: (system, the entrustment it was granted under)
        self.grants: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        for grant in chain.access:
            self.grants[grant.organization].append((grant.system, grant.under))

    def start(self, consignor: str, route: Route) -> W.Windows:
        """When the route's data is at its origin (:mod:`.windows`): always for one of C's own
        entrustments (its own data) or own systems; for a system where C processes data entrusted
        to it, while those entrustments hold it (from their start to their disposal)."""
        if route.kind == ENTRUSTMENT or route.id in self.own_systems.get(consignor, ()):
            return W.EVERYWHERE
        return W.origin(self._held(e) for e in self.placed_with.get((consignor, route.id), ()))

    def _held(self, e: Entrustment) -> tuple[W.Interval, W.Interval, bool]:
        """:func:`held_windows`, read once per distinct (period, disposal date): an intermediary's
        system route starts with every entrustment that places data in it (thousands, for a large
        contractor), and their periods recur."""
        key = (e.period, None if e.disposal is None else e.disposal.date)
        found = self._held_by_period.get(key)
        if found is None:
            found = self._held_by_period[key] = held_windows(e)
        return found

    def consignors(self) -> list[str]:
        """Every organisation with a route, in id order."""
        return sorted(self.routes)

    def is_intermediary(self, org_id: str) -> bool:
        """Whether the organisation holds data entrusted to it (it is the contractor of an
        entrustment that carries personal data): it is counted apart from end consignors."""
        return org_id in self.contracted

    def let_in(self, consignor: str, handler: str, systems: set[str]) -> bool:
        """Whether ``consignor`` let ``handler`` into one of ``systems`` itself: a grant under one
        of the consignor's own entrustments."""
        for system_id, under in self.grants.get(handler, ()):
            if system_id in systems and under is not None:
                e = self.entrustments.get(under)
                if e is not None and e.consignor == consignor:
                    return True
        return False

    def judge(self, consignor: str, route: Route, handler: str, systems: set[str]) -> RouteJudgement:
        """How ``handler`` stands on ``route`` of ``consignor``; ``systems`` are the systems the
        route's data reaches (for the let-in test)."""
        return self.judge_on(consignor, route)(handler, systems)

    def judge_on(self, consignor: str, route: Route) -> Callable[[str, set[str]], RouteJudgement]:
        """:meth:`judge` for every handler of one route: what the route's entrustments say is
        read once (the lists as sets), and equal judgements are one shared tuple (a route has at
        most a few distinct ones, and hundreds of handlers at 10^5 entrustments)."""
        made: dict[tuple, RouteJudgement] = {}

        def shared(*answers: bool) -> RouteJudgement:
            found = made.get(answers)
            if found is None:
                found = made[answers] = RouteJudgement(*answers)
            return found

        let_in = self.let_in
        if route.kind == ENTRUSTMENT:
            e = self.entrustments[route.id]
            informed = frozenset(e.informed_subcontractors or ())
            approved = frozenset(e.approved_subcontractors or ())
            contractor = e.contractor
            restricted = e.clauses.subcontract_restriction is True
            told_unknown, approved_unknown = e.informed_subcontractors is None, e.approved_subcontractors is None

            def on_entrustment(handler: str, systems: set[str]) -> RouteJudgement:
                # its contractor, or let in by the consignor itself: disclosed and approved
                own = handler == contractor or let_in(consignor, handler, systems)
                return shared(own or handler in informed or handler in approved,  # disclosed
                              own or handler in approved,  # approved
                              restricted, told_unknown, approved_unknown)

            return on_entrustment
        # a system route: listed on any of the consignor's entrustments that place data in it
        placing = self.placed_by.get((consignor, route.id), ())
        approved_any = frozenset(h for e in placing for h in e.approved_subcontractors or ())
        told_any = approved_any | frozenset(h for e in placing for h in e.informed_subcontractors or ())
        told_unknown = any(e.informed_subcontractors is None for e in placing)
        approved_unknown = any(e.approved_subcontractors is None for e in placing)

        def on_system(handler: str, systems: set[str]) -> RouteJudgement:
            inside = let_in(consignor, handler, systems)
            return shared(inside or handler in told_any, inside or handler in approved_any, False,
                          told_unknown, approved_unknown)

        return on_system
