"""The load rows of a chain, derived from the declared schema: one section per node label and
relationship type, in ``schema.LOAD_ORDER``, each row ``{id|key, source, target, props}``."""
from __future__ import annotations

from typing import Any, Iterator

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j.cyphergen import load_name

Row = dict[str, Any]


def section_rows(chain: ChainFile, name: str) -> Iterator[Row]:
    """The load rows of one node label or relationship type, produced as they are written (a
    million entrustments held as rows at once took over 3 GB)."""
    if name in S.NODES:
        node = S.NODES[name]
        for position, element in enumerate(node.elements(chain)):
            yield {"id": element.id, "props": S.node_properties(node, element, position=position)}
        return
    rel = S.RELATIONSHIPS[name]
    for r in rel.relationships(chain):
        yield {"key": r.key, "source": r.source, "target": r.target, "props": S.relationship_properties(rel, r)}


def graph_rows(chain: ChainFile) -> dict[str, list[Row]]:
    """The chain as load rows, by cypher/load file name (tests and tools; a load streams them)."""
    return {load_name(name): list(section_rows(chain, name)) for name in S.LOAD_ORDER}


def row_count(chain: ChainFile) -> int:
    """How many rows a load of ``chain`` writes (for progress bars), without building them."""
    return (len(chain.organizations) + 2 * len(chain.systems) + len(chain.entrustments)
            + sum(len(e.systems) for e in chain.entrustments) + 2 * len(chain.access)
            - sum(1 for s in chain.systems if not s.operator))
