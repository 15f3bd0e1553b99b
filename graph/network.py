"""Build the networkx graph of a chain file (the embedded backend).

Nodes are ``org:<id>`` and ``system:<id>`` with a ``label`` attribute; edges are keyed by their
step key (see :mod:`schema`) and carry ``type`` plus the properties the flow condition needs.
The same graph is what ``chain export`` writes out.
"""
from __future__ import annotations

import networkx as nx

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.model import ChainFile


def build_graph(chain: ChainFile) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(title=chain.title or "")
    for org in chain.organizations:
        graph.add_node(S.org_node(org.id), label=S.ORGANIZATION, id=org.id, name=org.name, kind=org.kind.value)
    for system in chain.systems:
        graph.add_node(S.system_node(system.id), label=S.SYSTEM, id=system.id, name=system.name)
        if system.operator:
            graph.add_edge(S.org_node(system.operator), S.system_node(system.id),
                           key=f"{system.operator}>{system.id}", type=S.OPERATES)
    for e in chain.entrustments:
        flow = {
            "entrustment": e.id,
            "consignor": e.consignor,
            "personal_data": e.personal_data,
            "covers_all": e.covers == "all",
            "covers": () if e.covers == "all" else tuple(e.covers),
        }
        graph.add_edge(S.org_node(e.consignor), S.org_node(e.contractor), key=e.id, type=S.ENTRUSTS, **flow)
        for system_id in e.systems:
            graph.add_edge(S.org_node(e.consignor), S.system_node(system_id),
                           key=S.places_key(e.id, system_id), type=S.PLACES_DATA_IN, system=system_id, **flow)
    for grant in chain.access:
        graph.add_edge(S.org_node(grant.organization), S.system_node(grant.system), key=grant.key,
                       type=S.HAS_ACCESS, kind=grant.kind.value, under=grant.under)
        graph.add_edge(S.system_node(grant.system), S.org_node(grant.organization), key=grant.key,
                       type=S.ACCESSIBLE_BY, kind=grant.kind.value, **S.UNCONDITIONAL_FLOW)
    return graph
