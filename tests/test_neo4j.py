"""Against the real Neo4j server (scripts/test starts it): load, idempotency, parity, failures."""
import json
import os
import random
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.neo4j.backend import Neo4jBackend
from entrustment_chain.graph.errors import DatabaseError
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.neo4j.settings import Settings
from entrustment_chain.graph.neo4j.store import Neo4jStore
from entrustment_chain.graph.schema import chain_version
from entrustment_chain.graph.analysis.onboarding import dump_chain
from entrustment_chain.graph.reports.export import export

from conftest import PROCX, TEACHING, dataset_node, dump, run_script
from randomchains import random_chain

pytestmark = pytest.mark.neo4j


def test_load_is_idempotent(store, dataset, procx_chain):
    first = store.load(procx_chain, dataset)
    assert first["written"] > 0 and not first["reused"]
    assert first["new"]  # a first load CREATEs (cypher/load/new_*.cypher) ...
    snapshot = dump(store, dataset)
    again = store.load(procx_chain, dataset, reuse=False, batch_size=7)
    assert not again["new"]  # ... a reload MERGEs, and both write the same graph
    assert again["removed"] == 0
    assert dump(store, dataset) == snapshot
    counts = store.counts(dataset)
    assert counts == {"organizations": 71, "systems": 1, "entrusts": 70, "places_data_in": 69,
                      "has_access": 1, "accessible_by": 1, "operates": 1}


def test_reload_of_changed_file_prunes_only_after_success(store, dataset, procx_chain):
    store.load(procx_chain, dataset)
    data = dump_chain(procx_chain)
    data["organizations"] = [o for o in data["organizations"] if o["id"] != "bs"]
    data["entrustments"] = [e for e in data["entrustments"] if e["contractor"] != "bs"]
    data["access"] = []
    smaller = chain_from_dict(data)
    result = store.load(smaller, dataset)
    assert result["removed"] == 4  # bs, procx-bs, its access and its flow twin
    assert store.counts(dataset)["organizations"] == 70
    assert analyze(smaller, Neo4jBackend(store, dataset)).summary["by_rule"]["undisclosed_subcontracting"] == 0


def test_datasets_live_side_by_side(store, procx_chain):
    a, b = "side-a", "side-b"
    try:
        store.load(procx_chain, a)
        before = dump(store, a)
        teaching = load_chain(TEACHING[0] / "chain.yaml")
        store.load(teaching, b)
        store.drop(b, batch_size=3)  # many small transactions
        assert store.counts(b) == dict.fromkeys(store.counts(b), 0)
        assert dump(store, a) == before
    finally:
        store.drop(a)
        store.drop(b)


def identities(result):
    return sorted(f.identity() for f in result.findings)


# The Neo4j backend's two ways (graph/neo4j/backend.py): "read" (the default) reads the flow
# relationships out and runs the traversal here; "cypher" runs the Cypher rules of cypher/rules/
# in the database. Both are held to the networkx backend.
RULES = ("cypher", "read")


@pytest.mark.parametrize("rules", RULES)
@pytest.mark.parametrize("path", [PROCX] + [t / "chain.yaml" for t in TEACHING], ids=lambda p: p.parent.name)
def test_parity_on_fixtures(store, dataset, path, rules):
    chain = load_chain(path)
    nx_result = analyze(chain)
    neo_result = analyze(chain, Neo4jBackend(store, dataset, rules=rules))
    assert identities(neo_result) == identities(nx_result)
    assert neo_result.model_dump(exclude={"backend"}) == nx_result.model_dump(exclude={"backend"})
    expected = path.parent / "expected.yaml"
    if expected.exists():  # the Cypher rules meet the hand-written expectation themselves
        from test_analysis import expectation_holds

        expectation_holds(list(neo_result.findings), yaml.safe_load(expected.read_text(encoding="utf-8")))


@pytest.mark.parametrize("rules", RULES)
def test_procx_through_the_database(store, dataset, procx_chain, rules):
    counts = analyze(procx_chain, Neo4jBackend(store, dataset, rules=rules)).summary["by_rule"]
    assert (counts["undisclosed_subcontracting"], counts["could_not_supervise"], counts["no_supervision"],
            counts["no_safeguard_clauses"], counts["unapproved_subcontracting"]) == (69, 69, 14, 7, 58)


def test_parity_on_50_random_chains(store):
    """The Cypher rules; the default rules on random chains: tests/test_neo4j_readback.py."""
    mismatches = []
    for seed in range(50):
        chain = chain_from_dict(random_chain(seed))
        name = f"parity-{seed}"
        try:
            nx_result = analyze(chain)
            neo_result = analyze(chain, Neo4jBackend(store, name, rules="cypher"))
            if neo_result.model_dump(exclude={"backend"}) != nx_result.model_dump(exclude={"backend"}):
                mismatches.append(seed)
        finally:
            store.drop(name)
    assert mismatches == []


def test_cli_analyze_neo4j_same_json(neo4j_settings, dataset):
    env = {"NEO4J_URI": neo4j_settings.uri}
    runner = CliRunner(env=env)
    a = runner.invoke(main, ["analyze", str(PROCX), "--format", "json"])
    b = runner.invoke(main, ["analyze", str(PROCX), "--format", "json", "--backend", "neo4j", "--dataset", dataset])
    assert b.exit_code == 0, b.output
    ja, jb = json.loads(a.output), json.loads(b.output)
    assert jb.pop("backend") == "neo4j" and ja.pop("backend") == "networkx"
    assert ja == jb


def test_cli_load_and_query(neo4j_settings, dataset):
    runner = CliRunner(env={"NEO4J_URI": neo4j_settings.uri})
    result = runner.invoke(main, ["load", str(PROCX), "--dataset", dataset])
    assert result.exit_code == 0 and "organizations 71" in result.output
    result = runner.invoke(main, ["query", "could_not_supervise", "--param", f"dataset={dataset}", "--format", "json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 69
    result = runner.invoke(main, ["query", "could_not_supervise"])
    assert result.exit_code == 2 and "needs --param dataset" in result.output


def test_server_down_is_exit_3():
    runner = CliRunner(env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    result = runner.invoke(main, ["load", str(PROCX)])
    assert result.exit_code == 3
    assert "cannot reach Neo4j at bolt://127.0.0.1:1" in result.output and "Traceback" not in result.output


def test_unknown_database_is_exit_3(neo4j_settings):
    runner = CliRunner(env={"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": "nosuchdb"})
    result = runner.invoke(main, ["load", str(PROCX)])
    assert result.exit_code == 3 and "database 'nosuchdb' does not exist" in result.output


def test_password_never_printed():
    settings = Settings(uri="bolt://x", username="u", password="s3cret-pw", database="neo4j")
    assert "s3cret-pw" not in repr(settings)


def test_version_is_content_hash(procx_chain):
    assert chain_version(procx_chain) == chain_version(load_chain(PROCX))


def test_row_count_matches_the_rows_written(procx_chain):
    from entrustment_chain.graph.neo4j.rows import graph_rows, row_count

    for chain in (procx_chain, *(load_chain(t / "chain.yaml") for t in TEACHING)):
        assert row_count(chain) == sum(len(rows) for rows in graph_rows(chain).values())


def test_counts_of_an_empty_or_missing_dataset_are_zero(store, dataset):
    assert store.counts(dataset) == {"organizations": 0, "systems": 0, "entrusts": 0, "places_data_in": 0,
                                     "has_access": 0, "accessible_by": 0, "operates": 0}


def test_exported_cypher_script_gives_exactly_the_graph_load_gives(store, dataset, procx_chain):
    """`chain export --format cypher` and `chain load` are made from one schema: the script,
    run as it is, writes the same labels (roles included), types and properties, the same
    dataset node, and the Cypher rules find the same on both."""
    store.load(procx_chain, dataset)
    scripted = dataset + "-script"
    try:
        run_script(store, export(procx_chain, "cypher", dataset=scripted))
        loaded_nodes, loaded_rels = dump(store, dataset, strip_dataset=True)
        assert dump(store, scripted, strip_dataset=True) == (loaded_nodes, loaded_rels)
        assert {labels for labels, _ in loaded_nodes} >= {("Organization", "Consignor"), ("System",)}
        assert dataset_node(store, scripted) == dataset_node(store, dataset)
        # the dataset node says this version is loaded and ready, so a load of the same chain
        # reuses the scripted graph as it is, and the rules run on what the script wrote
        assert store.load(procx_chain, scripted)["reused"] is True
        on_script = analyze(procx_chain, Neo4jBackend(store, scripted))
        on_load = analyze(procx_chain, Neo4jBackend(store, dataset))
        assert on_script.model_dump(exclude={"source"}) == on_load.model_dump(exclude={"source"})
        assert on_script.summary["by_rule"]["undisclosed_subcontracting"] == 69
    finally:
        store.drop(scripted)


@pytest.mark.parametrize("rules", RULES)
def test_step_bound_is_the_same_on_both_backends(store, dataset, rules):
    from test_analysis import long_chain

    chain = chain_from_dict(long_chain())
    nx_result, neo_result = analyze(chain), analyze(chain, Neo4jBackend(store, dataset, rules=rules))
    assert neo_result.summary["step_bound"] == nx_result.summary["step_bound"]
    assert len(neo_result.summary["step_bound"]["truncated"]) == 6
    assert neo_result.model_dump(exclude={"backend"}) == nx_result.model_dump(exclude={"backend"})


@pytest.mark.parametrize("rules", RULES)
def test_parity_as_of_a_day(store, procx_chain, rules):
    """--as-of on both backends: the Cypher rules filter by $as_of as the networkx rules do. The
    chain as of a day is loaded as NAME@as-of:DAY, beside NAME (which it never replaces)."""
    from datetime import date

    mismatches = []
    cases = [(f"as-of-procx-{rules}", procx_chain, day) for day in (date(2016, 1, 1), date(2023, 1, 31))]
    cases += [(f"as-of-{rules}-{seed}", chain_from_dict(random_chain(seed)), day)
              for seed in range(20) for day in (date(2012, 6, 30), date(2014, 1, 1))]
    try:
        for name, chain, day in cases:
            nx_result = analyze(chain, as_of=day)
            neo_result = analyze(chain, Neo4jBackend(store, name, rules=rules), as_of=day)
            if neo_result.model_dump(exclude={"backend"}) != nx_result.model_dump(exclude={"backend"}):
                mismatches.append((name, day))
            assert store.dataset_state(f"{name}@as-of:{day.isoformat()}")["status"] == "ready"
            assert store.dataset_state(name) is None
    finally:
        for name, _, day in cases:
            store.drop(f"{name}@as-of:{day.isoformat()}")
    assert mismatches == []


@pytest.mark.parametrize("case", [t for t in TEACHING if (t / "breach-expected.yaml").exists()],
                         ids=lambda p: p.name)
def test_breach_parity_of_the_cypher_query(store, dataset, case):
    """chain breach on the Cypher query (cypher/queries/handler_reach.cypher), as
    tests/test_breach.py holds the default rules to networkx."""
    import datetime

    from entrustment_chain.graph.analysis.breach import breach

    chain = load_chain(case / "chain.yaml")
    days = set()
    for run in yaml.safe_load((case / "breach-expected.yaml").read_text(encoding="utf-8")):
        options = {k: str(v) if isinstance(v, datetime.date) else v for k, v in run["options"].items()}
        window = tuple(str(x) if x is not None else None for x in options.pop("window", (None, None)))
        handler = options.pop("handler")
        try:
            on_cypher = breach(chain, handler, window, backend=Neo4jBackend(store, dataset, rules="cypher"), **options)
        finally:
            if options.get("as_of"):
                days.add(options["as_of"])
        assert on_cypher == breach(chain, handler, window, **options), (case.name, handler, options)
    from entrustment_chain.graph.model.wareki import parse_date

    for day in days:
        store.drop(f"{dataset}@as-of:{parse_date(day).last_day().isoformat()}")


def test_cli_load_as_of_and_query_as_of(neo4j_settings, dataset):
    """`chain load --as-of` loads the chain as it stood then; `chain query … --param as_of=` asks
    the Cypher rules for the handlings of one day (as_of is optional: null is every day)."""
    runner = CliRunner(env={"NEO4J_URI": neo4j_settings.uri})
    result = runner.invoke(main, ["load", str(PROCX), "--dataset", dataset, "--as-of", "2014-01-01"])
    assert result.exit_code == 0, result.output
    then = json.loads(runner.invoke(main, ["query", "could_not_supervise", "--param", f"dataset={dataset}",
                                           "--format", "json"]).stdout)
    assert len(then) == 53  # the consignors whose contracts had begun (or have no period)
    result = runner.invoke(main, ["load", str(PROCX), "--dataset", dataset])
    assert result.exit_code == 0, result.output
    after = json.loads(runner.invoke(main, ["query", "could_not_supervise", "--param", f"dataset={dataset}",
                                            "--param", "as_of=2024-01-01", "--format", "json"]).stdout)
    assert after == []  # BS's access had ended
    listed = runner.invoke(main, ["query", "--list"]).stdout
    assert "dataset, as_of?" in listed


def test_each_cypher_rule_for_one_consignor_at_a_time(store, dataset, procx_chain):
    """Every rule file takes $consignor (optional; null or '' = every consignor), as Neo4j Browser
    users run them for one consignor at a time: its rows are the networkx findings of that
    consignor, on ProCX and on random chains."""
    from entrustment_chain.graph.analysis.findings import findings_from_rows
    from entrustment_chain.graph.analysis.registry import RULE_IDS
    from entrustment_chain.graph.neo4j import queries

    assert all("consignor" in queries.get("rules", rule).optional for rule in RULE_IDS)
    cases = [(procx_chain, ["procx", "a", "k", "bs"])]
    for seed in (1, 3, 5):
        chain = chain_from_dict(random_chain(seed))
        cases.append((chain, sorted({e.consignor for e in chain.entrustments})[:4]))
    for chain, consignors in cases:
        store.load(chain, dataset)
        expected = analyze(chain).findings
        everyone = [(rule, row) for rule in RULE_IDS for row in store.read("rules", rule, dataset=dataset)]
        assert sorted(findings_from_rows(chain, everyone).identities()) == sorted(expected.identities())
        for consignor in consignors:
            rows = [(rule, row) for rule in RULE_IDS
                    for row in store.read("rules", rule, dataset=dataset, consignor=consignor)]
            assert {row["consignor"] for _, row in rows} <= {consignor}
            got = sorted(findings_from_rows(chain, rows).identities())
            assert got == sorted(f.identity() for f in expected if f.consignor == consignor), consignor
        empty = [(rule, row) for rule in RULE_IDS for row in store.read("rules", rule, dataset=dataset, consignor="")]
        assert len(empty) == len(everyone)
