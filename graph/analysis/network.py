"""Build the networkx graph of a chain file (the embedded backend), from the declared schema.

Nodes are ``org:<id>`` and ``system:<id>`` with a ``label`` attribute and the node properties of
:mod:`entrustment_chain.graph.schema`; edges are keyed by their relationship key and carry
``type`` plus the relationship's properties: all of them for exports (``full=True``), only what
the flow condition reads for the analysis (a million entrustments' full properties would double
the memory the traversal needs).
"""
from __future__ import annotations

import networkx as nx

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.model.chain import ChainFile

_NODE_NAME = {S.ORGANIZATION: S.org_node, S.SYSTEM: S.system_node}


def build_graph(chain: ChainFile, full: bool = False) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(title=chain.title or "")
    for label, node in S.NODES.items():
        name = _NODE_NAME[label]
        for position, element in enumerate(node.elements(chain)):
            graph.add_node(name(element.id), label=label, **S.node_properties(node, element, position=position))
    for rel in S.RELATIONSHIPS.values():
        source, target = _NODE_NAME[rel.source], _NODE_NAME[rel.target]
        if not (full or rel.flow):
            continue
        for r in rel.relationships(chain):
            graph.add_edge(source(r.source), target(r.target), key=r.key, type=rel.type,
                           **S.relationship_properties(rel, r, flow_only=not full))
    return graph
