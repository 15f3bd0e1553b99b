"""Write a chain graph out for other tools: GraphML (yEd, Gephi), DOT (Graphviz), Mermaid and
node-link JSON, with the steps on undisclosed paths and the undisclosed handlers marked; a Cypher
script that recreates in any Neo4j exactly what ``chain load`` writes (:mod:`..neo4j.script`);
and the DORA B_05.02 rows."""
from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import networkx as nx

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j.script import to_cypher
from entrustment_chain.graph.reports.dora import to_csv
from entrustment_chain.graph.reports.render import mermaid, undisclosed_marks
from entrustment_chain.graph.schema import default_dataset

FORMATS = ("graphml", "mermaid", "dot", "cypher", "json", "dora-b0502")


def marked_graph(chain: ChainFile, analysis: Analysis) -> nx.MultiDiGraph:
    """The chain's graph with ``undisclosed`` on the edges and handlers of undisclosed paths."""
    graph = build_graph(chain, full=True)
    hidden_steps, hidden_handlers = undisclosed_marks(analysis)
    hidden_keys = {(kind, key) for kind, key, _ in hidden_steps}
    for node, data in graph.nodes(data=True):
        data["undisclosed_handler"] = data["label"] == S.ORGANIZATION and data["id"] in hidden_handlers
    for _, _, key, data in graph.edges(keys=True, data=True):
        data["undisclosed"] = (data["type"], key) in hidden_keys
    return graph


# What XML 1.0 does not allow in a document (C0 controls but tab, newline and carriage return;
# lone surrogates; U+FFFE and U+FFFF) or discourages (C1 controls; the other non-characters,
# U+FDD0–FDEF and U+xxFFFE/xxFFFF of every plane). networkx writes them as they are and the file
# then fails to parse, so they are replaced with U+FFFD (the replacement character): the file
# stays valid and shows where something was. The chain file refuses all of them in ids, and every
# one but tab, newline and carriage return in names and free text; this is the writer's own guard.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                      + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)) + "]")


def _xml_text(value: Any) -> Any:
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def _flat(value: Any) -> Any:
    """GraphML holds scalars only: lists become comma-separated text, None an empty string; text
    holds only what XML allows."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return _xml_text(",".join(map(str, value)))
    if isinstance(value, date):
        return value.isoformat()
    return _xml_text(value)


def to_graphml(graph: nx.MultiDiGraph) -> str:
    flat = nx.MultiDiGraph(**{k: _flat(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        flat.add_node(_xml_text(node), **{k: _flat(v) for k, v in data.items()})
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(_xml_text(u), _xml_text(v), key=_xml_text(key), **{k: _flat(val) for k, val in data.items()})
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def to_json(graph: nx.MultiDiGraph) -> str:
    data = nx.node_link_data(graph, edges="links")
    return json.dumps(data, ensure_ascii=False, indent=2,
                      default=lambda v: v.isoformat() if isinstance(v, date) else list(v)) + "\n"


def _dot_id(text: str) -> str:
    """A DOT quoted string: backslashes doubled first (so a name's own "\\l" or "\\N" stays text, not
    a Graphviz escape), quotes escaped, and each line break (a system's name or the title may hold
    one) written as \\n."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n") + '"'


def to_dot(graph: nx.MultiDiGraph) -> str:
    lines = ["digraph entrustment_chain {", "  rankdir=LR;", '  node [fontname="sans-serif"];']
    for node, data in graph.nodes(data=True):
        shape = "cylinder" if data["label"] == S.SYSTEM else "box"
        style = ', color="#cc0000", penwidth=3, style=filled, fillcolor="#ffdddd"' if data.get("undisclosed_handler") else ""
        lines.append(f"  {_dot_id(node)} [label={_dot_id(data.get('name') or data['id'])}, shape={shape}{style}];")
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data["type"] == S.ACCESSIBLE_BY:
            continue  # drawn once, as the HAS_ACCESS grant
        attrs = [f"label={_dot_id(data['type'] if data['type'] != S.ENTRUSTS else key)}"]
        if data["type"] == S.ENTRUSTS and data.get("personal_data") is False:
            attrs.append("style=dashed")
        if data["type"] == S.HAS_ACCESS:
            attrs.append("style=bold")
            hidden = graph.has_edge(v, u, key) and graph.edges[v, u, key].get("undisclosed")
        else:
            hidden = data.get("undisclosed")
        if hidden:
            attrs.append('color="#cc0000", penwidth=3')
        lines.append(f"  {_dot_id(u)} -> {_dot_id(v)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def export(chain: ChainFile, fmt: str, analysis: Analysis | None = None, dataset: str | None = None,
           as_of: date | None = None) -> str:
    """The chain in ``fmt``; with ``as_of``, the chain as it stood on that day and the handlings
    that stood then (:mod:`entrustment_chain.graph.analysis.asof`)."""
    if as_of is not None:
        if analysis is None and fmt not in ("dora-b0502", "cypher"):
            analysis = analyze(chain, as_of=as_of)
        chain = chain_as_of(chain, as_of)
    if fmt == "dora-b0502":
        return to_csv(chain)
    if fmt == "cypher":
        return to_cypher(chain, dataset or default_dataset(chain))
    if analysis is None:
        analysis = analyze(chain)
    graph = marked_graph(chain, analysis)
    if fmt == "graphml":
        return to_graphml(graph)
    if fmt == "json":
        return to_json(graph)
    if fmt == "dot":
        return to_dot(graph)
    if fmt == "mermaid":
        return "\n".join(mermaid(chain, analysis)) + "\n"
    raise ValueError(f"unknown export format {fmt!r}")
