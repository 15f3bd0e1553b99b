"""An independent, deliberately naive reading of the semantics the rules rest on (docs/design.md),
for property tests: routes, a fixed point by relaxation per route (no BFS, no canonical paths),
and disclosure per route."""
from __future__ import annotations

from datetime import date


def routes(chain) -> dict[str, list[tuple[str, str]]]:
    """organisation -> its routes, as (kind, id)."""
    found: dict[str, set] = {}
    for e in chain.entrustments:
        if e.personal_data is not False:
            found.setdefault(e.consignor, set()).add(("entrustment", e.id))
            for s in e.systems:
                found.setdefault(e.contractor, set()).add(("system", s))
    for s in chain.systems:
        if s.operator and s.personal_data is True:
            found.setdefault(s.operator, set()).add(("system", s.id))
    return {c: sorted(r) for c, r in found.items()}


def distances(chain, c: str, route: tuple[str, str]) -> dict[tuple[str, str], int]:
    """Nodes the route's data reaches ((kind, id) -> steps); c itself is never passed through."""
    kind, rid = route
    if kind == "entrustment":
        e = chain.entrustments_by_id[rid]
        dist = {("org", e.contractor): 1, **{("sys", s): 1 for s in e.systems}}
    else:
        dist = {("sys", rid): 0}
    changed = True
    while changed:
        changed = False
        for e in chain.entrustments:
            src = ("org", e.consignor)
            if src not in dist or e.personal_data is False or e.consignor == c:
                continue
            if not (e.covers == "all" or c in e.covers):
                continue
            for t in [("org", e.contractor)] + [("sys", s) for s in e.systems]:
                if t != ("org", c) and dist.get(t, 10**9) > dist[src] + 1:
                    dist[t] = dist[src] + 1
                    changed = True
        for a in chain.access:
            s, t = ("sys", a.system), ("org", a.organization)
            if s in dist and t != ("org", c) and dist.get(t, 10**9) > dist[s] + 1:
                dist[t] = dist[s] + 1
                changed = True
    return dist


def judged(chain, c: str, route: tuple[str, str], h: str, dist) -> tuple[bool, bool, bool]:
    """(disclosed, approved, restricted) of handler h on a route of c."""
    systems = {k[1] for k in dist if k[0] == "sys"}
    let_in = any(a.organization == h and a.system in systems and a.under is not None
                 and chain.entrustments_by_id[a.under].consignor == c for a in chain.access)
    kind, rid = route
    if kind == "entrustment":
        e = chain.entrustments_by_id[rid]
        told = h == e.contractor or h in (e.informed_subcontractors or []) or h in (e.approved_subcontractors or [])
        approved = h == e.contractor or h in (e.approved_subcontractors or [])
        return told or let_in, approved or let_in, e.clauses.subcontract_restriction is True
    placing = [e for e in chain.entrustments if e.consignor == c and rid in e.systems]
    told = any(h in (e.informed_subcontractors or []) or h in (e.approved_subcontractors or []) for e in placing)
    approved = any(h in (e.approved_subcontractors or []) for e in placing)
    return told or let_in, approved or let_in, False


def handled(chain) -> dict[str, dict[str, dict[tuple[str, str], tuple[int, bool, bool, bool]]]]:
    """consignor -> handler -> route -> (steps, disclosed, approved, restricted)."""
    result: dict = {}
    for c, rs in routes(chain).items():
        for route in rs:
            dist = distances(chain, c, route)
            for (kind, node), steps in dist.items():
                if kind == "org" and node != c:
                    result.setdefault(c, {}).setdefault(node, {})[route] = (
                        steps, *judged(chain, c, route, node, dist))
    return result


def intermediaries(chain) -> set[str]:
    return {e.contractor for e in chain.entrustments if e.personal_data is not False}


# ---------------------------------------------------------------------------------------------
# Windows, day by day (docs/design.md "Time"), over a bounded horizon: a set of days per node.

HORIZON = (date(2008, 1, 1), date(2020, 12, 31))
_DAYS = range(HORIZON[0].toordinal(), HORIZON[1].toordinal() + 1)


def _span(period) -> tuple[int, int]:
    """A parsed period as ordinal days, unbounded ends at the horizon."""
    lo, hi = _DAYS[0], _DAYS[-1]
    if period is None:
        return lo, hi
    return (period.start.first_day().toordinal() if period.start else lo,
            period.end.last_day().toordinal() if period.end else hi)


def _disposal(e) -> int:
    return e.disposal.parsed_date.last_day().toordinal() if e.disposal else _DAYS[-1]


def _pass_on(before: tuple[set, set], a: int, b: int, d: int) -> tuple[set, set]:
    """Through an entrustment: certain while in force and not disposed of; held on day t when it
    was passed on some day t0 <= t in force while held, and t is not after the disposal."""
    certain, held = before
    passed = [t for t in held if a <= t <= b]
    return ({t for t in certain if a <= t <= min(b, d)},
            set(range(min(passed), d + 1)) if passed and min(passed) <= d else set())


def windows_along(chain, c: str, route: tuple[str, str], nodes: list[tuple[str, str]]) -> tuple[set, set]:
    """(certain days, held days) at the end of a path, given as its nodes (("org", id) or
    ("sys", id)) from the route's origin, passing each step through every relationship between
    its two nodes that carries c's data on this route."""
    everything = set(_DAYS)
    kind, rid = route
    own_system = kind == "system" and chain.systems_by_id[rid].operator == c and \
        chain.systems_by_id[rid].personal_data is True
    if kind == "entrustment" or own_system:
        state = (set(everything), set(everything))
    else:
        state = (set(), set())
        for e in chain.entrustments:
            if e.contractor == c and e.personal_data is not False and rid in e.systems:
                a, b = _span(e.parsed_period)
                d = _disposal(e)
                state[0].update(range(a, min(b, d) + 1))
                state[1].update(range(a, d + 1))
    for i, (u, v) in enumerate(zip(nodes, nodes[1:])):
        state = _hop(chain, c, route, state, u, v, i == 0)
    return state


def _start(chain, c: str, route: tuple[str, str]) -> tuple[set, set]:
    """The days the route's data is at its origin."""
    return windows_along(chain, c, route, [("org", c) if route[0] == "entrustment" else ("sys", route[1])])


def carries(chain, c: str, route: tuple[str, str], u: tuple[str, str], v: tuple[str, str]) -> bool:
    """Whether the data held at ``u`` (over every shortest path to it) passes on to ``v`` on some day."""
    origin = ("org", c) if route[0] == "entrustment" else ("sys", route[1])
    state = _start(chain, c, route) if u == origin else windows_over_shortest_paths(chain, c, route, u)
    return bool(_hop(chain, c, route, state, u, v, u == origin and route[0] == "entrustment")[1])


def _hop(chain, c: str, route: tuple[str, str], state: tuple[set, set], u, v, first_step: bool) -> tuple[set, set]:
    """One step from ``u`` to ``v`` through every relationship between them carrying c's data
    (``first_step``: the route's first step, which for an entrustment route is its own)."""
    kind, rid = route
    first = first_step and kind == "entrustment"
    certain, held = set(), set()
    for e in chain.entrustments:
        if e.personal_data is False or ("org", e.consignor) != u:
            continue
        if not (v == ("org", e.contractor) or (v[0] == "sys" and v[1] in e.systems)):
            continue
        if (first and e.id != rid) or (not first and (e.consignor == c or not (e.covers == "all" or c in e.covers))):
            continue
        a, b = _span(e.parsed_period)
        got = _pass_on(state, a, b, _disposal(e))
        certain |= got[0]
        held |= got[1]
    for g in chain.access:
        if u == ("sys", g.system) and v == ("org", g.organization):
            a, b = _span(g.parsed_period)
            certain |= {t for t in state[0] if a <= t <= b}
            held |= {t for t in state[1] if a <= t <= b}
    return certain, held


def _edges(chain, c: str, route: tuple[str, str]):
    """The route's flow edges between nodes (("org"|"sys", id) pairs), with depth-1 edges apart
    for an entrustment route (it leaves c by its own entrustment only)."""
    kind, rid = route
    for e in chain.entrustments:
        if e.personal_data is False:
            continue
        targets = [("org", e.contractor)] + [("sys", s) for s in e.systems]
        if kind == "entrustment" and e.id == rid:
            for t in targets:
                yield ("org", c), t, True
        elif e.consignor != c and (e.covers == "all" or c in e.covers):
            for t in targets:
                yield ("org", e.consignor), t, False
    for a in chain.access:
        yield ("sys", a.system), ("org", a.organization), False


def shortest_node_paths(chain, c: str, route: tuple[str, str], target: tuple[str, str]) -> list[list]:
    """Every shortest path from the route's origin to ``target``, as node lists (parallel
    relationships between the same nodes are one node path: windows_along takes them all)."""
    dist = distances(chain, c, route)
    if target not in dist:
        return []
    origin = ("org", c) if route[0] == "entrustment" else ("sys", route[1])
    depth = {**dist, origin: 0}
    edges = {(s, t) for s, t, first in _edges(chain, c, route)
             if t != ("org", c) and (first or s != ("org", c))}
    found: list[list] = []

    def walk(path: list) -> None:
        node = path[-1]
        if node == target:
            found.append(path)
            return
        for s, t in edges:
            if s == node and depth.get(t) == depth[node] + 1 and depth[t] <= depth[target]:
                walk(path + [t])

    walk([origin])
    return found


def windows_over_shortest_paths(chain, c: str, route: tuple[str, str], target: tuple[str, str]) -> tuple[set, set]:
    certain, held = set(), set()
    for path in shortest_node_paths(chain, c, route, target):
        got = windows_along(chain, c, route, path)
        certain |= got[0]
        held |= got[1]
    return certain, held
