"""The load rows of a chain, derived from the declared schema: one section per node label and
relationship type, in ``schema.LOAD_ORDER``.

A load sends each row as a list of plain values in the order of :func:`columns` (a node's
properties, its id first; a relationship's key, source and target ids, then its properties),
which the generated ``cypher/load`` statements read by position: the server decodes no map
keys and the driver packs none, and a statement that names each property (instead of
``SET r += row.props``) needs no Eager step. :func:`section_rows` gives the same rows as maps
``{id|key, source, target, props}``, for the export script and for tests."""
from __future__ import annotations

import functools
import itertools
from typing import Any, Callable, Iterator

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j.cyphergen import load_columns, load_name

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


columns = load_columns  # what each place of a load row holds, which the load statements read


def section_lists(chain: ChainFile, name: str) -> Iterator[list[Any]]:
    """The load rows of one node label or relationship type as lists in the order of
    :func:`columns`, produced as they are written; a date as ISO text (see ``Prop.date``)."""
    build = _row_builder(name)
    if name in S.NODES:
        return map(build, S.NODES[name].elements(chain), itertools.count())
    return map(build, S.RELATIONSHIPS[name].relationships(chain))


@functools.cache
def _row_builder(name: str) -> Callable[..., list[Any]]:
    """One function that makes a whole load row of ``name`` (``(element, position)`` for a node,
    ``(relationship)`` for a relationship), compiled once: a list display in the order of
    :func:`columns` of each reader's ``inline`` expression (``schema._inline``; the element's
    period worked out once for all of them) or, for a reader without one, of its call."""
    node = name in S.NODES
    props = S.NODES[name].properties if node else S.RELATIONSHIPS[name].properties
    scope: dict[str, Any] = {"_documents": S._documents, "_period_facts": S._period_facts}
    items = [] if node else ["r.key", "r.source", "r.target"]
    for i, prop in enumerate(props):
        if prop.positional:
            items.append("position" if node else "r.position")
            continue
        read = _reader(prop)
        inline = getattr(read, "inline", None)
        if inline is None:
            scope[f"_{i}"] = read
            inline = f"_{i}(e)"
        items.append(inline)
    lines = ["def row(e, position):" if node else "def row(r):\n    e = r.element"]
    if any("f." in item for item in items):
        lines.append("    f = _period_facts(e)")
    lines.append(f"    return [{', '.join(items)}]")
    exec(compile("\n".join(lines) + "\n", f"<load row of {name}>", "exec"), scope)  # noqa: S102 - our own text
    return scope["row"]


def _reader(prop: S.Prop) -> Callable[[Any], Any]:
    """How a load row reads ``prop`` (not a position) from its element; a date as ISO text."""
    if prop.date:
        if prop.iso is not None:
            return prop.iso

        def iso(element: Any, value: Callable[[Any], Any] = prop.value) -> Any:
            day = value(element)
            return None if day is None else day.isoformat()
        return iso
    return prop.value


def graph_rows(chain: ChainFile) -> dict[str, list[Row]]:
    """The chain as load rows, by cypher/load file name (tests and tools; a load streams them)."""
    return {load_name(name): list(section_rows(chain, name)) for name in S.LOAD_ORDER}


def row_count(chain: ChainFile) -> int:
    """How many rows a load of ``chain`` writes (for progress bars), without building them."""
    return (len(chain.organizations) + 2 * len(chain.systems) + len(chain.entrustments)
            + sum(len(e.systems) for e in chain.entrustments) + 2 * len(chain.access)
            - sum(1 for s in chain.systems if not s.operator))
