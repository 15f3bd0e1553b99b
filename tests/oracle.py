"""An independent, deliberately naive reading of DESIGN.md's semantics, for property tests:
a fixed point over sets (no BFS, no canonical paths), and distances by relaxation."""
from __future__ import annotations


def handled(chain) -> dict[str, dict[str, int]]:
    """consignor -> {handler: number of steps of a shortest path}."""
    holding_systems_of = {}
    result = {}
    consignors = {e.consignor for e in chain.entrustments}
    for c in consignors:
        dist = {("org", c): 0}
        changed = True
        while changed:
            changed = False
            for e in chain.entrustments:
                src = ("org", e.consignor)
                if src not in dist or e.personal_data is False:
                    continue
                if e.consignor != c and not (e.covers == "all" or c in e.covers):
                    continue
                targets = [("org", e.contractor)] + [("sys", s) for s in e.systems]
                for t in targets:
                    if dist.get(t, 10**9) > dist[src] + 1:
                        dist[t] = dist[src] + 1
                        changed = True
            for a in chain.access:
                s = ("sys", a.system)
                t = ("org", a.organization)
                if s in dist and dist.get(t, 10**9) > dist[s] + 1:
                    dist[t] = dist[s] + 1
                    changed = True
        holding_systems_of[c] = {k[1] for k in dist if k[0] == "sys"}
        result[c] = {k[1]: v for k, v in dist.items() if k[0] == "org" and k[1] != c}
    return result


def disclosed(chain, c: str, h: str) -> bool:
    for e in chain.entrustments:
        if e.consignor != c:
            continue
        if e.contractor == h or h in (e.informed_subcontractors or []) or h in (e.approved_subcontractors or []):
            return True
    return False
