"""An independent, deliberately naive reading of the semantics the rules rest on (docs/design.md),
for property tests: routes, a fixed point by relaxation per route (no BFS, no canonical paths),
and disclosure per route."""
from __future__ import annotations


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
