"""Who handles whose data: one breadth-first traversal per consignor over the networkx graph.

For a consignor C the traversal walks the flow relationships of :mod:`schema` from C:
``ENTRUSTS`` and ``PLACES_DATA_IN`` when the entrustment carries C's data (``personal_data`` not
false; beyond C's own entrustments, ``covers`` includes C), and ``ACCESSIBLE_BY`` (system →
organization with access) always. Every organisation it reaches, other than C, handles C's data.

Each handler gets one *canonical* path: among the shortest (fewest steps), the one whose sequence
of step keys is lexicographically smallest. The Cypher rules choose the same path, which is what
lets the two backends return identical findings. Canonical paths cost nothing extra: nodes of a
BFS level are ranked by (rank of the parent, step key), so each edge is looked at once.

Complexity: O(V_C + E_C) per consignor, where V_C and E_C are the nodes and edges reachable from
C (each node is settled once, each edge inspected once, plus a sort of each BFS level), so
O(sum over consignors of their reachable subgraph) for the whole file — linear in the graph each
consignor reaches. Simple paths are never enumerated; cycles terminate because a node is settled
the first time it is reached.
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


def reach(graph: nx.MultiDiGraph, consignor: str) -> Reach:
    """Every node C's data reaches, with its canonical (shortest, then smallest-keyed) path."""
    start = S.org_node(consignor)
    parent: dict[str, tuple[str, Edge] | None] = {start: None}
    level = [start]
    rank = {start: 0}
    while level:
        best: dict[str, tuple[int, str, str, Edge]] = {}
        for node in level:
            node_rank = rank[node]
            for key, target, edge in _steps(graph, node, consignor):
                if target in parent:
                    continue
                candidate = (node_rank, key, node, edge)
                current = best.get(target)
                if current is None or candidate[:2] < current[:2]:
                    best[target] = candidate
        ordered = sorted(best.items(), key=lambda item: item[1][:2])
        level = []
        for position, (target, (_, _, node, edge)) in enumerate(ordered):
            parent[target] = (node, edge)
            rank[target] = position
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
