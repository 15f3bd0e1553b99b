"""Ids with punctuation against the real Neo4j: step keys that cannot collide (issue 17).

Access keys were ``org@system``, places keys ``entrustment#system`` and operates keys
``org>system``, so organisations ``x`` and ``x@y`` with systems ``y@s`` and ``s`` made one key
for two grants: Neo4j kept one (its uniqueness constraint is on the key) while networkx kept
both, and a system ``s#1`` broke the networkx backend. Each id is now escaped inside a key.
"""
import json

import pytest

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.neo4j.backend import Neo4jBackend
from entrustment_chain.graph.reports.export import export

from conftest import dump, run_script
from test_bad_ids_typing import odd_chain

pytestmark = pytest.mark.neo4j


def test_parity_on_ids_with_every_punctuation_character(store, dataset):
    chain = odd_chain()
    nx_result = analyze(chain)
    neo_result = analyze(chain, Neo4jBackend(store, dataset))
    assert neo_result.model_dump(exclude={"backend"}) == nx_result.model_dump(exclude={"backend"})
    handlers = {f.handler for f in neo_result.by_rule("undisclosed_subcontracting") if f.consignor == "c"}
    assert {"x", "x@y", "x%40y", "%40"} <= handlers  # Neo4j once saw only x


def test_every_relationship_is_stored_under_its_own_key(store, dataset):
    chain = odd_chain()
    store.load(chain, dataset)
    counts = store.counts(dataset)
    wanted = {rel.load_name: len(list(rel.relationships(chain))) for rel in S.RELATIONSHIPS.values()}
    assert {name: counts[name] for name in wanted} == wanted == {
        "entrusts": 5, "places_data_in": 6, "has_access": 4, "accessible_by": 4, "operates": 4}
    _, rels = dump(store, dataset)
    stored = {(t, json.loads(props)["key"]) for t, _a, _b, props in rels}
    assert stored == {(rel.type, r.key) for rel in S.RELATIONSHIPS.values() for r in rel.relationships(chain)}
    assert ("HAS_ACCESS", "x@y%40s") in stored and ("HAS_ACCESS", "x%40y@s") in stored
    assert ("PLACES_DATA_IN", "e%23s#%2523") in stored and ("OPERATES", "x%40y>s%231") in stored


def test_the_exported_script_gives_the_graph_the_load_gives(store, dataset):
    chain = odd_chain()
    store.load(chain, dataset)
    scripted = dataset + "-script"
    try:
        run_script(store, export(chain, "cypher", dataset=scripted))
        assert dump(store, scripted, strip_dataset=True) == dump(store, dataset, strip_dataset=True)
    finally:
        store.drop(scripted)
