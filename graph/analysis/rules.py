"""The rules on the embedded backend (networkx): rows per rule, the same columns the Cypher
rules in ``cypher/rules/`` return (see :mod:`.registry`). :mod:`.findings` turns either backend's
rows into findings.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable, Iterator

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.backend import Evaluation
from entrustment_chain.graph.analysis.findings import Record, Row
from entrustment_chain.graph.analysis.flow import chain_flow, reach
from entrustment_chain.graph.analysis.registry import RULE_INDEX
from entrustment_chain.graph.analysis.legal import ADEQUATE_COUNTRIES
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, SYSTEM, Route, RouteJudgement, Routes
from entrustment_chain.graph.analysis.windows import Windows
from entrustment_chain.graph.model.chain import CLAUSE_SAFETY, SUPERVISION_MEASURES, ChainFile, DataCategory

UNDISCLOSED, UNAPPROVED = "undisclosed_subcontracting", "unapproved_subcontracting"
MY_NUMBER, CROSS_BORDER = "my_number_without_permission", "cross_border_handling"
_NO_SYSTEMS: frozenset = frozenset()
UNDISCLOSED_INDEX, UNAPPROVED_INDEX = RULE_INDEX[UNDISCLOSED], RULE_INDEX[UNAPPROVED]
MY_NUMBER_INDEX, CROSS_BORDER_INDEX = RULE_INDEX[MY_NUMBER], RULE_INDEX[CROSS_BORDER]


class NetworkxBackend:
    """The embedded backend: the rules evaluated in this process on a networkx graph."""

    name = "networkx"

    def evaluate(self, chain: ChainFile, as_of: date | None = None, prepared: dict | None = None) -> Evaluation:
        """The rules on ``chain``; ``prepared``: its flow relationships as :func:`.flow.prepare_flow`
        gives them, when they come from elsewhere (the Neo4j backend reads them from the database)."""
        reached: dict[str, tuple[list[str], list[int]]] = {}
        truncated: list[Row] = []
        routes = Routes(chain)

        def exposure() -> Iterator[Row]:
            ids = {c: [r.id for r in rs] for c, rs in routes.routes.items()}
            for h in sorted(reached):
                consignors, masks = reached[h]
                # (consignor, route ids) pairs in consignor order; a single route is the usual case
                yield {"handler": h, "reached": [
                    (c, [ids[c][mask.bit_length() - 1]] if mask & (mask - 1) == 0
                     else [rid for i, rid in enumerate(ids[c]) if mask >> i & 1])
                    for c, mask in zip(consignors, masks)]}

        return Evaluation(networkx_rows(chain, routes, reached, truncated, as_of, prepared), exposure, routes,
                          lambda: truncated)


def networkx_rows(chain: ChainFile, routes: Routes | None = None,
                  reached: dict[str, tuple[list[str], list[int]]] | None = None,
                  truncated: list[Row] | None = None, as_of: date | None = None,
                  prepared: dict | None = None) -> Iterator[tuple[str, Row]]:
    """Every rule's rows, computed on the networkx graph, as (rule, row) pairs, produced one
    consignor at a time (never all at once: a million entrustments give millions of rows).

    For each organisation with routes (see :mod:`.routes`), one breadth-first walk per route;
    each handler is judged on every route that reaches it. Paths are tuples of shared
    :class:`PathStep` tuples. Which routes of which consignor reach each handler is added to
    ``reached`` (handler → consignors and, per consignor, a bit mask of its routes) for the
    exposure, compactly: there is an entry for every consignor × handler pair. Routes whose data
    goes on beyond the step bound are added to ``truncated``. A handling counts while the data is
    held (:mod:`.windows`), and with ``as_of`` only when it stood on that day."""
    routes = routes or Routes(chain)
    if reached is None:
        reached = {}
    if truncated is None:
        truncated = []
    # only the flow relationships are read, prepared straight from the chain (as
    # prepare_flow(build_graph(chain)) would prepare them, without building the graph)
    if prepared is None:
        prepared = chain_flow(chain)
    entrustments = chain.entrustments_by_id
    grants = routes.grants
    # A handler's windows on a route are kept with its findings; equal windows are one object
    # (at 10^5 entrustments 187,000 windows of ~260 bytes were kept, 14,000 of them different)
    shared_windows: dict[Windows, Windows] = {}
    abroad = Abroad(chain)
    for c in routes.consignors():
        # the consignor's routes that carry My Number data (my_number_without_permission)
        my_number = {r.id for r in routes.routes[c] if r.kind == ENTRUSTMENT
                     and DataCategory.my_number in (entrustments[r.id].data or ())}
        found: dict[str, list[tuple[Route, tuple, Windows, RouteJudgement]]] = defaultdict(list)
        masks: dict[str, int] = defaultdict(int)
        for index, route in enumerate(routes.routes[c]):
            found_here = reach(None, c, prepared, route, routes.start(c, route))
            if found_here.truncated:
                truncated.append({"consignor": c, "route": route.id})
            paths, windows = found_here.paths, found_here.windows
            systems = None  # the systems the route's data is in: only needed for a handler with grants
            judge = routes.judge_on(c, route)
            bit = 1 << index
            for node, path in paths.items():
                if not node.startswith("org:"):
                    continue
                when = windows[node]
                if not when.held:  # empty: the data was never there while it could reach it: no handling
                    continue
                if as_of is not None and when.on(as_of) is None:
                    continue
                when = shared_windows.setdefault(when, when)
                h = node[4:]
                if systems is None and h in grants:
                    systems = {S.node_id(n) for n in paths if not n.startswith("org:")}
                    if route.kind == SYSTEM:
                        systems.add(route.id)
                masks[h] |= bit
                found[h].append((route, path, when, judge(h, systems or _NO_SYSTEMS)))
        undisclosed = []
        told_unknown_any = False
        for h in sorted(found):
            entry = reached.get(h)
            if entry is None:
                entry = reached[h] = ([], [])
            entry[0].append(c)
            entry[1].append(masks[h])
            on = found[h]
            if len(on) > 1:
                on.sort(key=lambda f: (len(f[1]), f[0].order))
            hidden = [f for f in on if not f[3].disclosed]
            flat = None
            if hidden:
                undisclosed.append(h)
                unknown = any(f[3].told_unknown for f in hidden)
                told_unknown_any = told_unknown_any or unknown
                flat = tuple(part for f in hidden for part in f[:3])
                yield UNDISCLOSED, Record(UNDISCLOSED_INDEX, c, h, None, hidden[0][1], unknown, (), (), flat)
            unapproved = [f for f in on if f[3].restricted and not f[3].approved]
            if unapproved:
                if flat is None or unapproved != hidden:  # usually the same routes: one tuple for both
                    flat = tuple(part for f in unapproved for part in f[:3])
                yield UNAPPROVED, Record(UNAPPROVED_INDEX, c, h, unapproved[0][0].id, unapproved[0][1],
                                         any(f[3].approved_unknown for f in unapproved), (), (), flat)
            if my_number:
                unpermitted = [f for f in on if f[0].id in my_number and not f[3].approved]
                if unpermitted:
                    yield MY_NUMBER, Record(MY_NUMBER_INDEX, c, h, unpermitted[0][0].id, unpermitted[0][1],
                                            any(f[3].approved_unknown for f in unpermitted), (), (),
                                            tuple(part for f in unpermitted for part in f[:3]))
            if abroad.active:
                where = [(f, abroad.countries(h, f[0], f[1])) for f in on]
                where = [(f, found_in) for f, found_in in where if found_in]
                if where:
                    yield CROSS_BORDER, Record(
                        CROSS_BORDER_INDEX, c, h, None, where[0][0][1], False, (),
                        tuple(sorted(set().union(*(found_in for _, found_in in where)))),
                        tuple(part for f, _ in where for part in f[:3]))
        if undisclosed:
            yield "could_not_supervise", {"consignor": c, "handlers": undisclosed, "evidence_unknown": told_unknown_any}
    for row in misclassified_rows(chain):
        yield "misclassified_subcontract", row
    for row in entrustment_rows(chain):
        yield row.pop("rule"), row


class Abroad:
    """Where a handling is outside Japan, the EEA and the UK (cross_border_handling): the
    handler's country, and the location of every system on its path (the route's own system
    included). A country not recorded is not reported."""

    def __init__(self, chain: ChainFile):
        self.orgs = {o.id: o.country for o in chain.organizations
                     if o.country is not None and o.country not in ADEQUATE_COUNTRIES}
        self.systems = {s.id: s.location for s in chain.systems
                        if s.location is not None and s.location not in ADEQUATE_COUNTRIES}
        self.active = bool(self.orgs or self.systems)

    def countries(self, handler: str, route: Route, path: tuple) -> set[str]:
        found = {self.orgs[handler]} if handler in self.orgs else set()
        if self.systems:
            on_path = [step.system for step in path] + ([route.id] if route.kind == SYSTEM else [])
            found.update(self.systems[s] for s in on_path if s in self.systems)
        return found


def holding_systems(chain: ChainFile) -> set[str]:
    """Systems that hold personal data: named by an entrustment whose personal_data is not
    false, or marked as keeping their operator's own personal data."""
    return ({s for e in chain.entrustments if S.may_carry(e.personal_data) for s in e.systems}
            | {s.id for s in chain.systems if s.personal_data is True})


def misclassified_rows(chain: ChainFile) -> list[Row]:
    """Entrustments marked ``personal_data: false`` whose contractor has access to a system that
    holds personal data, granted under this entrustment or, with no ``under``, to a system the
    consignor operates: likely a re-entrustment of personal data (access alone is not always
    handling, so the finding says 当たるおそれ)."""
    holding = holding_systems(chain)
    operator = {s.id: s.operator for s in chain.systems}
    grants_of: dict[str, list] = defaultdict(list)
    for grant in chain.access:
        if grant.system in holding:
            grants_of[grant.organization].append(grant)
    rows = []
    for e in chain.entrustments:
        if e.personal_data is not False:
            continue
        reachable = sorted({
            grant.system for grant in grants_of.get(e.contractor, ())
            if grant.under == e.id or (grant.under is None and operator.get(grant.system) == e.consignor)
        })
        if reachable:
            rows.append({"entrustment": e.id, "consignor": e.consignor, "handler": e.contractor,
                         "systems": reachable})
    return rows


# The entrustment rules: (the answers they read, the fields, the rule when all of them are false,
# the rule when some are).
ENTRUSTMENT_JUDGEMENTS = (
    ("clauses", CLAUSE_SAFETY, "no_safeguard_clauses", "missing_safeguard_clause"),
    ("clauses", ("subcontract_restriction",), "no_subcontract_restriction", None),
    ("supervision", SUPERVISION_MEASURES, "no_supervision", "weak_supervision"),
    ("supervision", ("subcontract_check",), "subcontracting_not_checked", None),
)


def entrustment_rows(chain: ChainFile) -> Iterable[Row]:
    """Clause and supervision rules, one row per entrustment and rule. They judge every answer
    recorded as false, whatever the contract's own classification of the work: a contract
    classified as "no personal data" is exactly where misclassification hides (ProCX → BS)."""
    for e in chain.entrustments:
        base = {"entrustment": e.id, "consignor": e.consignor, "handler": e.contractor}
        for group, fields, all_false, some_false in ENTRUSTMENT_JUDGEMENTS:
            answers = getattr(e, group)
            missing = [f for f in fields if getattr(answers, f) is False]
            if len(missing) == len(fields):
                yield {"rule": all_false, **base, "missing": missing}
            elif missing and some_false:
                yield {"rule": some_false, **base, "missing": missing}
