"""The graph schema, declared once: labels, relationship types, and how data flows along them.

Both backends read this: :mod:`network` builds the networkx graph with these names, the Neo4j
loader writes them, and a test checks that every ``cypher/`` file names only what is declared here.

Data of a consignor C flows:
- along ``ENTRUSTS`` (consignor → contractor), forwards, when the entrustment carries C's data;
- along ``PLACES_DATA_IN`` (consignor → system, one per entrustment and system it names),
  forwards, under the same condition: the system then holds C's data;
- along ``HAS_ACCESS`` (organization → system), backwards: whoever can reach a system holding
  C's data handles C's data, whatever its contract calls the work.
``OPERATES`` (organization → system) is recorded but carries nothing: operating a system is not by
itself access (the APPI "cloud exception").
"""
from __future__ import annotations

from dataclasses import dataclass

ORGANIZATION = "Organization"
SYSTEM = "System"
NODE_LABELS = (ORGANIZATION, SYSTEM)

ENTRUSTS = "ENTRUSTS"
PLACES_DATA_IN = "PLACES_DATA_IN"
HAS_ACCESS = "HAS_ACCESS"
OPERATES = "OPERATES"


@dataclass(frozen=True)
class RelType:
    name: str
    source: str
    target: str
    flow: str | None  # "forward", "backward" or None (carries no data)
    conditional: bool  # whether the flow depends on the consignor (personal_data, covers)


RELATIONSHIPS = {
    r.name: r
    for r in (
        RelType(ENTRUSTS, ORGANIZATION, ORGANIZATION, "forward", True),
        RelType(PLACES_DATA_IN, ORGANIZATION, SYSTEM, "forward", True),
        RelType(HAS_ACCESS, ORGANIZATION, SYSTEM, "backward", False),
        RelType(OPERATES, ORGANIZATION, SYSTEM, None, False),
    )
}
TRAVERSABLE = tuple(name for name, rel in RELATIONSHIPS.items() if rel.flow)

# Longest path (in steps) the Cypher rules look for; the networkx traversal has no bound, and
# the analysis reports an error if a finding's path would exceed this so the backends never
# silently disagree.
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
