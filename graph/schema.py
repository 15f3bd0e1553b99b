"""The graph schema, declared once: labels, relationship types, and how data flows along them.

Both backends read this: :mod:`network` builds the networkx graph with these names, the Neo4j
loader writes them, and a test checks that every ``cypher/`` file names only what is declared here.

Data of a consignor C flows, always forwards along a relationship:
- along ``ENTRUSTS`` (consignor → contractor) when the entrustment carries C's data;
- along ``PLACES_DATA_IN`` (consignor → system, one per entrustment and system it names), under
  the same condition: the system then holds C's data;
- along ``ACCESSIBLE_BY`` (system → organization), always: whoever can reach a system holding C's
  data handles C's data, whatever its contract calls the work. It is the data-flow twin of the
  recorded grant ``HAS_ACCESS`` (organization → system), with the same key; keeping every flow
  forwards lets Cypher check each hop's condition during its shortest-path search instead of
  after it (a pattern that must look at both ends of a hop cannot be checked during the search).
``HAS_ACCESS`` and ``OPERATES`` (organization → system) carry nothing themselves: operating a
system is not by itself access (the APPI "cloud exception").
"""
from __future__ import annotations

from dataclasses import dataclass

ORGANIZATION = "Organization"
SYSTEM = "System"
NODE_LABELS = (ORGANIZATION, SYSTEM)
# Role labels the Neo4j load adds to organisations, for Neo4j Browser's style sheet (which can
# only style by label): who entrusts, who is entrusted, who has access to systems.
CONSIGNOR, CONTRACTOR, DE_FACTO_HANDLER = "Consignor", "Contractor", "DeFactoHandler"
ROLE_LABELS = (CONSIGNOR, CONTRACTOR, DE_FACTO_HANDLER)

ENTRUSTS = "ENTRUSTS"
PLACES_DATA_IN = "PLACES_DATA_IN"
ACCESSIBLE_BY = "ACCESSIBLE_BY"
HAS_ACCESS = "HAS_ACCESS"
OPERATES = "OPERATES"


@dataclass(frozen=True)
class RelType:
    name: str
    source: str
    target: str
    flow: bool  # whether a consignor's data flows along it (source → target)
    conditional: bool  # whether the flow depends on the consignor (personal_data, covers)


RELATIONSHIPS = {
    r.name: r
    for r in (
        RelType(ENTRUSTS, ORGANIZATION, ORGANIZATION, True, True),
        RelType(PLACES_DATA_IN, ORGANIZATION, SYSTEM, True, True),
        RelType(ACCESSIBLE_BY, SYSTEM, ORGANIZATION, True, False),
        RelType(HAS_ACCESS, ORGANIZATION, SYSTEM, False, False),
        RelType(OPERATES, ORGANIZATION, SYSTEM, False, False),
    )
}
TRAVERSABLE = tuple(name for name, rel in RELATIONSHIPS.items() if rel.flow)

# The properties an unconditional flow carries, so one predicate serves every flow hop.
UNCONDITIONAL_FLOW = {"personal_data": True, "covers_all": True, "covers": (), "consignor": None}

# Longest path (in steps) either backend follows: the bound of the Cypher path patterns, which
# the networkx traversal keeps too so that the backends never disagree.
MAX_PATH_STEPS = 24


def org_node(org_id: str) -> str:
    return f"org:{org_id}"


def system_node(system_id: str) -> str:
    return f"system:{system_id}"


def node_id(node: str) -> str:
    return node.split(":", 1)[1]


def places_key(entrustment_id: str, system_id: str) -> str:
    return f"{entrustment_id}#{system_id}"


def access_key(org_id: str, system_id: str) -> str:
    return f"{org_id}@{system_id}"


def entrustment_of_step(rel_type: str, key: str) -> str | None:
    """The entrustment an ENTRUSTS or PLACES_DATA_IN step belongs to (None for access steps)."""
    if rel_type == ENTRUSTS:
        return key
    if rel_type == PLACES_DATA_IN:
        return key.rsplit("#", 1)[0]
    return None
