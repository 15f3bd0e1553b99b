"""``chain export --format cypher``: a script that recreates, in any Neo4j, exactly the graph
``chain load`` writes (the same constraints, labels, types, properties, role labels and dataset
node), from the same schema and load rows, with every value a quoted literal instead of a
parameter. Paste it into Neo4j Browser or pipe it to cypher-shell."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j.cyphergen import constraint_statements, roles_statement
from entrustment_chain.graph.neo4j.rows import section_rows


# What ends a // comment in Cypher (and in the clients that split scripts into statements)
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x85\u2028\u2029]")


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a value from the file; strings are escaped, never interpolated raw."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, date):  # a period's bound or a disposal: a Neo4j date, as chain load stores it
        return f"date('{value.isoformat()}')"
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"


def _map(props: dict[str, Any]) -> str:
    # keys are the schema's own property names (identifiers), values are literals; a null is
    # left out, as `SET n += $props` leaves a null property unset
    return "{" + ", ".join(f"{k}: {cypher_literal(v)}" for k, v in props.items() if v is not None) + "}"


def to_cypher(chain: ChainFile, dataset: str) -> str:
    version = S.chain_version(chain)
    d, v = cypher_literal(dataset), cypher_literal(version)
    lines = ["// entrustment-chain export of " + _LINE_BREAKS.sub(" ", chain.title or dataset),
             "// Every value is a quoted literal; nothing from the file is executed. It writes what",
             "// `chain load` writes: constraints first, then the dataset in one transaction."]
    lines += [statement + ";" for statement in constraint_statements()]
    lines.append(":begin")
    lines.append(f"MERGE (d:{S.DATASET} {{name: {d}}}) SET d += "
                 f"{_map({'source': chain.title, 'version': version, 'status': 'ready'})};")
    for label, node in S.NODES.items():
        for row in section_rows(chain, label):
            lines.append(f"MERGE (n:{label} {{dataset: {d}, id: {cypher_literal(row['id'])}}}) "
                         f"SET n += {_map(row['props'])}, n.version = {v};")
    for rel_type, rel in S.RELATIONSHIPS.items():
        for row in section_rows(chain, rel_type):
            lines.append(
                f"MATCH (a:{rel.source} {{dataset: {d}, id: {cypher_literal(row['source'])}}}), "
                f"(b:{rel.target} {{dataset: {d}, id: {cypher_literal(row['target'])}}}) "
                f"MERGE (a)-[r:{rel_type} {{dataset: {d}, key: {cypher_literal(row['key'])}}}]->(b) "
                f"SET r += {_map(row['props'])}, r.version = {v};")
    lines.append(roles_statement(d).replace("\n", " ") + ";")
    lines.append(":commit")
    return "\n".join(lines) + "\n"
