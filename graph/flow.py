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


@dataclass(frozen=True)
class Edge:
    """One step of a path: a relationship of the graph, as stored (source → target)."""

    type: str
    key: str
    source: str  # node id, e.g. "org:b"
    target: str


@dataclass
class Reach:
    """What a consignor's data reaches: handlers and systems, each with its canonical path."""

    consignor: str
    paths: dict[str, tuple[Edge, ...]]  # node ("org:…" or "system:…") -> canonical path

    def handlers(self) -> dict[str, tuple[Edge, ...]]:
        return {S.node_id(n): p for n, p in self.paths.items() if n.startswith("org:")}


def _carries(data: dict, consignor: str) -> bool:
    if data["personal_data"] is False:
        return False
    return data["consignor"] == consignor or data["covers_all"] or consignor in data["covers"]


_FLOW = frozenset(S.TRAVERSABLE)


def _steps(graph: nx.MultiDiGraph, node: str, consignor: str):
    """The steps C's data can take from ``node``: (step key, next node, edge)."""
    for target, keyed in graph._succ[node].items():
        for key, data in keyed.items():
            if data["type"] in _FLOW and _carries(data, consignor):
                yield key, target, Edge(data["type"], key, node, target)


def key_order(key: str) -> bytes:
    """Sort keys as Neo4j (Java) compares strings: by UTF-16 code units."""
    return key.encode("utf-16-be")


def reach(graph: nx.MultiDiGraph, consignor: str) -> Reach:
    """Every node C's data reaches, with its canonical path (see the module docstring)."""
    start = S.org_node(consignor)
    parent: dict[str, tuple[str, Edge] | None] = {start: None}
    level = [start]
    depth = 0
    while level and depth < S.MAX_PATH_STEPS:  # the Cypher rules' bound, so both agree
        depth += 1
        best: dict[str, tuple[tuple[bytes, str], str, Edge]] = {}
        for node in level:
            for key, target, edge in _steps(graph, node, consignor):
                if target in parent:
                    continue
                order = (key_order(key), edge.type)
                current = best.get(target)
                if current is None or order < current[0]:
                    best[target] = (order, node, edge)
        level = []
        for target, (_, node, edge) in best.items():
            parent[target] = (node, edge)
            level.append(target)
    paths: dict[str, tuple[Edge, ...]] = {}
    for node in parent:
        if node == start:
            continue
        steps: list[Edge] = []
        cursor = node
        while parent[cursor] is not None:
            cursor, edge = parent[cursor]  # type: ignore[misc]
            steps.append(edge)
        paths[node] = tuple(reversed(steps))
    return Reach(consignor, paths)
