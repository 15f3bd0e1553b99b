"""Who handles whose data: one breadth-first traversal per consignor over the networkx graph.

For a consignor C the traversal walks the flow relationships of :mod:`schema` from C:
``ENTRUSTS`` and ``PLACES_DATA_IN`` when the entrustment carries C's data (``personal_data`` not
false; beyond C's own entrustments, ``covers`` includes C), and ``ACCESSIBLE_BY`` (system →
organization with access) always. Every organisation it reaches, other than C, handles C's data.

Each handler gets one *canonical* path, the one a tree of shortest paths gives: every node's
parent is its smallest-keyed incoming step from a node one step closer to C (keys compared as
UTF-16 code units, as Neo4j compares strings). The Cypher rules build the same tree, which is
what lets the two backends return identical findings, ties included. Choosing parents costs
nothing extra: each edge is looked at once.

Complexity: O(V_C + E_C) per consignor, where V_C and E_C are the nodes and edges reachable from
C (each node is settled once, each edge inspected once, plus a sort of each BFS level), so
O(sum over consignors of their reachable subgraph) for the whole file — linear in the graph each
consignor reaches. Simple paths are never enumerated; cycles terminate because a node is settled
the first time it is reached. Paths are followed up to ``schema.MAX_PATH_STEPS`` (24) steps, the
bound the Cypher rules carry, far beyond any real chain.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.schema import covers_consignor


@dataclass
class Reach:
    """What a consignor's data reaches: handlers and systems, each with its canonical path."""

    consignor: str
    paths: dict[str, tuple[S.PathStep, ...]]  # node ("org:…" or "system:…") -> canonical path
    truncated: bool = False  # the data goes on beyond schema.MAX_PATH_STEPS steps: not followed
    # node -> when the data is there, along its canonical path (:mod:`.windows`); may be empty
    windows: dict[str, W.Windows] | None = None

    def handlers(self) -> dict[str, tuple[S.PathStep, ...]]:
        return {S.node_id(n): p for n, p in self.paths.items() if n.startswith("org:")}


_FLOW = frozenset(S.TRAVERSABLE)
_NONE: frozenset = frozenset()


def _out(graph: nx.MultiDiGraph | None, node: str, cache: dict) -> list[tuple]:
    """The flow relationships leaving ``node`` that may carry personal data (``personal_data``
    not false), prepared once per graph (``cache``): target, the entrustment's own consignor,
    whether it covers all data, the consignors it covers, a cell [type, key] to which the
    path step is added the first time a path uses the relationship, and the entrustment it
    belongs to (None for access)."""
    found = cache.get(node)
    if found is None:
        found = []
        if graph is None:
            raise KeyError(f"{node} is not in the prepared relationships and no graph was given")
        for target, keyed in graph._succ[node].items():
            for key, data in keyed.items():
                if data["type"] in _FLOW and S.may_carry(data["personal_data"]):
                    found.append((target, data["consignor"], data["covers_all"],
                                  frozenset(data["covers"]) if data["covers"] else _NONE, [data["type"], key],
                                  S.entrustment_of_step(data["type"], key), _hop(data, cache)))
        cache[node] = found
    return found


def _hop(data: dict, cache: dict) -> W.Hop:
    """The relationship's :class:`~.windows.Hop`, one object per distinct value within a graph's
    cache (a few periods recur across a large file; the cache's None key holds them)."""
    hop = W.hop_of(data)
    return cache.setdefault(None, {}).setdefault(hop, hop)


def prepare_flow(graph: nx.MultiDiGraph) -> dict:
    """The flow relationships of every node, prepared as :func:`reach` uses them. With this as
    its ``cache``, :func:`reach` never reads ``graph`` again, so the caller may let the graph go
    (at 10^6 entrustments the networkx graph is ~1.3 GB; what the traversal needs of it, ~0.5)."""
    cache: dict = {}
    for node in graph:
        _out(graph, node, cache)
    return cache


_NODE_NAME = {S.ORGANIZATION: S.org_node, S.SYSTEM: S.system_node}
# The properties a Hop is made of (windows.hop_of): they depend on the element's ``period`` and,
# for an entrustment, on the date of its ``disposal`` only.
_HOP_PROPS = ("window_start", "window_end", "period_unknown", "disposal")


def _hop_key(element: object) -> tuple:
    """What an element's :class:`~.windows.Hop` depends on: its period (text or {start, end},
    both hashable: the models are frozen) and its disposal's date as written (None without one;
    an access grant has none)."""
    disposal = getattr(element, "disposal", None)
    return element.period, None if disposal is None else disposal.date  # type: ignore[attr-defined]


def chain_flow(chain: ChainFile) -> dict:
    """``prepare_flow(build_graph(chain))`` without building the graph: the same dict (per node,
    its outgoing flow relationships as :func:`_out` makes them, in the graph's order; the Hops
    under the None key), made straight from the schema's relationships of the chain.

    At 10^5 entrustments building the networkx graph and reading each relationship's properties
    through the schema was 11 of the analysis's 45 s (profiled), and at 10^6 the graph is ~1.3 GB
    for as long as it is being prepared. Here each element is read once, however many
    relationships it gives (an entrustment: its ENTRUSTS and one PLACES_DATA_IN per system), and
    its Hop once per distinct (period, disposal) across the file, through the schema's own
    window properties (most periods recur). tests/test_flow_prepare.py holds it to
    ``prepare_flow(build_graph(chain))`` on the fixtures and on random chains."""
    # each node's name made once, and shared by the dict's key and every entry that targets it
    names = {S.ORGANIZATION: {o.id: S.org_node(o.id) for o in chain.organizations},
             S.SYSTEM: {s.id: S.system_node(s.id) for s in chain.systems}}
    prepared: dict = {name: [] for name in names[S.ORGANIZATION].values()}
    prepared.update((name, []) for name in names[S.SYSTEM].values())
    hops: dict[W.Hop, W.Hop] = {}
    # (the window properties read, period, disposal date) -> its Hop: an entrustment's ENTRUSTS
    # and PLACES_DATA_IN read the same properties, so it is read once for both
    by_key: dict[tuple, W.Hop] = {}
    for rel in S.RELATIONSHIPS.values():
        if not rel.flow:
            continue
        source_name, target_name = _NODE_NAME[rel.source], _NODE_NAME[rel.target]
        source_names, target_names = names[rel.source], names[rel.target]
        flow_props = [p for p in rel.properties if p.flow]
        plain = [(p.name, p.value) for p in flow_props if p.name not in _HOP_PROPS]
        windowed = [(p.name, p.value) for p in flow_props if p.name in _HOP_PROPS]
        read_with = tuple(id(read) for _, read in windowed)
        element = None
        for r in rel.relationships(chain):
            if r.element is not element:  # an entrustment's relationships come in a row
                element = r.element
                data = {name: read(element) for name, read in plain}
                if not S.may_carry(data["personal_data"]):
                    data = None
                else:
                    key = (read_with, *_hop_key(element))
                    hop = by_key.get(key)
                    if hop is None:
                        hop = W.hop_of({name: read(element) for name, read in windowed})
                        hop = by_key[key] = hops.setdefault(hop, hop)
                    covers = frozenset(data["covers"]) if data["covers"] else _NONE
            source = source_names.get(r.source) or source_name(r.source)
            target = target_names.get(r.target) or target_name(r.target)
            out = prepared.get(source)
            if out is None:  # not in a valid chain (a relationship adds its nodes, as in networkx)
                out = prepared[source] = []
            if target not in prepared:
                prepared[target] = []
            if data is None:  # carries nothing: not traversed, but an edge of the graph all the same,
                out.append((target, None))  # which orders the node's targets (dropped below)
                continue
            owner = S.entrustment_of_step(rel.type, r.key)
            if owner is not None and owner == element.id:  # the element's own id: one str, not a copy
                owner = element.id
            # the cell holds the relationship's PathStep from the start (:func:`reach` makes it at
            # its first use otherwise; nearly every relationship is used), named by the element's
            # own id strings instead of two new ones cut from the node names
            out.append((target, data["consignor"], data["covers_all"], covers,
                        [rel.type, r.key, S.PathStep(rel.type, r.key, r.source, r.target)], owner, hop))
    for node, out in prepared.items():
        if len(out) > 1 or (out and len(out[0]) == 2):
            _as_networkx_orders(out)
    if hops:
        prepared[None] = hops
    return prepared


def _as_networkx_orders(out: list) -> None:
    """Put a node's relationships in the order the networkx graph keeps them (by target, in the
    order each target was first linked, then by key in the order added), once each: a key added
    again (a system listed twice by one entrustment) is one edge of the graph, and a relationship
    that carries nothing (``personal_data: false``) orders its target but is dropped. The order does not
    change what the traversal finds (a node's parent is the smallest key into it); keeping it
    keeps the prepared dict the same as prepare_flow's."""
    targets: dict[str, dict[str, tuple]] = {}
    for entry in out:
        keyed = targets.get(entry[0])
        if keyed is None:
            keyed = targets[entry[0]] = {}
        if len(entry) > 2 and entry[4][1] not in keyed:  # (target, None): an edge that carries nothing
            keyed[entry[4][1]] = entry
    out[:] = [entry for keyed in targets.values() for entry in keyed.values()]


def _order(cell: list) -> tuple[bytes, str]:
    return key_order(cell[1]), cell[0]


def key_order(key: str) -> bytes:
    """Sort keys as Neo4j (Java) compares strings: by UTF-16 code units."""
    return key.encode("utf-16-be")


def reach(graph: nx.MultiDiGraph | None, consignor: str, cache: dict | None = None,
          route: tuple[str, str] | None = None, start: W.Windows = W.EVERYWHERE) -> Reach:
    """Every node C's data reaches, with its canonical path (see the module docstring).

    With ``route`` (kind, id), only what one route of C reaches (see :mod:`.routes`): for an
    entrustment route, paths leave C by that entrustment's relationships only; for a system
    route, paths start at the system (so they begin with the access to it), and C itself is
    never passed through. Without it, everything any of C's own entrustments reaches.

    Pass the same ``cache`` (a dict) for every consignor of one graph: each node's outgoing
    flow relationships are then prepared once; ``graph`` may be None when the cache comes
    from :func:`prepare_flow`. Each relationship's :class:`PathStep` is made once, the first
    time a path uses it, and shared by every path through it.

    Each node also gets its windows (:mod:`.windows`): the union, over every relationship into
    it from a node one step closer (every shortest path, parallel grants and contracts
    included), of that node's windows one step further; the route starts with ``start``. The
    canonical parent is the smallest-keyed of those relationships that carry the data at some
    time (a non-empty held window), or of all of them when none does: the path shown is one by
    which the data could have come, whatever the ids are called."""
    if cache is None:
        cache = {}
    origin = S.org_node(consignor)
    paths: dict[str, tuple] = {origin: ()}
    windows: dict[str, W.Windows] = {origin: start}
    level = [origin]
    first = None  # the entrustment every path leaves C by, for an entrustment route
    if route is not None:
        if route[0] == "system":
            level = [S.system_node(route[1])]
            paths[level[0]] = ()
            windows[level[0]] = start
        else:
            first = route[1]
    depth = 0
    while level and depth < S.MAX_PATH_STEPS:  # the Cypher rules' bound, so both agree
        depth += 1
        # target -> every step into it from this level: (parent, cell, windows one step further)
        into: dict[str, list[tuple[str, list, W.Windows]]] = {}
        for node in level:
            out = _out(graph, node, cache)
            if first is not None and depth == 1:  # an entrustment route leaves by its own steps
                out = [x for x in out if x[5] == first]
            here = windows[node]
            for target, owner, covers_all, covers, cell, _, hop in out:
                if target in paths:
                    continue
                if not covers_consignor(owner, covers_all, covers, consignor):
                    continue
                found = (node, cell, W.step_one(here, hop))
                steps = into.get(target)
                if steps is None:
                    into[target] = [found]
                else:
                    steps.append(found)
        level = []
        for target, steps in into.items():
            if len(steps) == 1:  # the usual case: one way in
                node, cell, when = steps[0]
            else:
                carrying = [s for s in steps if not s[2].empty] or steps
                node, cell, _ = min(carrying, key=lambda s: _order(s[1]))
                when = W.union(s[2] for s in steps)
            if len(cell) == 2:  # first use of this relationship in a path: make its step once
                cell.append(S.PathStep(cell[0], cell[1], S.node_id(node), S.node_id(target)))
            paths[target] = paths[node] + (cell[2],)
            windows[target] = when
            level.append(target)
    # Stopped at the bound with nodes left to expand: is there anything further it would reach?
    truncated = bool(level) and any(
        target not in paths and covers_consignor(owner, covers_all, covers, consignor)
        for node in level for target, owner, covers_all, covers, _, _, _ in _out(graph, node, cache))
    del paths[origin]
    if route is not None and route[0] == "system":
        del paths[S.system_node(route[1])]
    return Reach(consignor, paths, truncated, windows)
