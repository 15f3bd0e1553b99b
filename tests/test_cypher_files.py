"""Every cypher/ file has a header, names only labels and relationship types of graph/schema.py,
binds every parameter it declares, and returns the columns it declares."""
import re

import pytest

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.neo4j import queries
from entrustment_chain.graph.analysis.registry import EXPOSURE_COLUMNS, RULES

ALL = sorted(queries.all_queries().values(), key=lambda q: (q.group, q.name))


def test_every_rule_has_a_query_file_returning_the_registry_columns():
    by_name = {q.name: q for q in ALL if q.group == "rules"}
    assert set(RULES) == set(by_name)
    for rule in RULES.values():
        assert by_name[rule.id].columns == rule.columns, rule.id
    assert queries.get("queries", "exposure").columns == EXPOSURE_COLUMNS


@pytest.mark.parametrize("query", ALL, ids=lambda q: f"{q.group}/{q.name}")
def test_names_only_declared_schema(query):
    text = "\n".join(query.statements)
    labels = set(re.findall(r"[(\s]\w*:([A-Z][A-Za-z]+)", text))
    labels |= {label for chain_ in re.findall(r"\w:((?:[A-Z][A-Za-z]+:?)+)", text) for label in chain_.split(":")}
    labels = {label for label in labels if not label.isupper()}  # UPPER_CASE are relationship types
    rel_types = set(re.findall(r"\[\w*:([A-Z_|]+)", text))
    rel_types = {t for group in rel_types for t in group.split("|") if t}
    assert labels <= set(S.NODES) | set(S.ROLES) | {S.DATASET}, labels
    assert rel_types <= set(S.RELATIONSHIPS), rel_types


@pytest.mark.parametrize("query", ALL, ids=lambda q: f"{q.group}/{q.name}")
def test_parameters_declared_and_used(query):
    text = "\n".join(query.statements)
    used = set(re.findall(r"\$(\w+)", text))
    assert used == set(query.parameters), (used, query.parameters)


@pytest.mark.parametrize("query", [q for q in ALL if q.columns], ids=lambda q: f"{q.group}/{q.name}")
def test_declared_columns_are_returned(query):
    last = query.statements[-1]
    returned = last[last.rindex("RETURN"):]
    for column in query.columns:
        assert re.search(rf"\bAS {column}\b|\b{column}\s*$|\b{column}\s*\n|, {column}\b|RETURN {column}\b",
                         returned), (column, returned)


@pytest.mark.parametrize("query", [q for q in ALL if "*1..24" in q.text], ids=lambda q: q.name)
def test_path_patterns_are_bounded_and_typed(query):
    assert "*1..24]" in query.text, "path patterns carry an explicit bound"
    assert f"*1..{S.MAX_PATH_STEPS}]" in query.text
    assert "ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY" in query.text


def test_no_query_is_built_from_strings():
    """Statements are file contents; the store runs them as they are, values as parameters."""
    import inspect

    from entrustment_chain.graph.neo4j import store as neo4j_store

    source = inspect.getsource(neo4j_store)
    assert "tx.run(f\"" not in source and "tx.run(f'" not in source
    assert ".format(" not in source
