"""Against the real Neo4j server: a dataset read back out of the database is the chain file that
was loaded (graph/neo4j/readback.py), its flow relationships are what the traversal prepares
from the file, and the default Neo4j backend (rules="read") and a dataset without its file give
the networkx backend's answer."""
from datetime import date

import pytest

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.breach import breach
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.flow import prepare_flow
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.errors import DatabaseError, InputError
from entrustment_chain.graph.io.ledger import import_ledger
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j import readback
from entrustment_chain.graph.neo4j.backend import Neo4jBackend
from entrustment_chain.graph.neo4j.readback import chain_of_dataset, read_chain, read_flow

from conftest import FIXTURES, PROCX, TEACHING
from randomchains import random_chain

pytestmark = pytest.mark.neo4j

LEDGER = FIXTURES / "ledger" / "sakura-ledger.cp932.csv"
DORA = sorted((FIXTURES / "dora").glob("*.yaml"))


def every_field() -> ChainFile:
    """A chain that uses every field of the file, in the forms it may take: evidence, a disposal
    with its documents, periods as text and as {start, end}, a count as a number and as
    {count, approximate}, covers as a list, empty lists beside unknown ones, DORA's codes."""
    return chain_from_dict({
        "schema": "entrustment-chain/v1", "title": "every field ’quoted’ \"here\"",
        "organizations": [
            {"id": "z", "name": "Zeta", "kind": "local_government", "country": "JP"},
            {"id": "a", "name": "Alpha", "country": "DE", "lei": "5299000J2N45DDNE4Y28", "euid": "DEK1101R.HRB116737"},
            {"id": "m", "name": "Mid 株式会社"},
            {"id": "x@y#z", "name": "Odd id"},
        ],
        "systems": [{"id": "s2", "name": "System two", "operator": "m", "personal_data": True, "location": "US"},
                    {"id": "s1", "name": "System one"}],
        "entrustments": [
            {"id": "e2", "consignor": "z", "contractor": "m", "work": "payroll", "ict_service": "S14",
             "personal_data": True, "period": {"start": "平成27年3月", "end": None}, "data_subjects": 1200,
             "data": ["my_number", "other"], "systems": ["s2", "s1"],
             "clauses": {"transfer_safety": True, "storage_safety": False},
             "supervision": {"subcontract_check": True, "subcontract_check_method": "oral"},
             "informed_subcontractors": [], "approved_subcontractors": None,
             "evidence": [{"kind": "contract", "date": "2015-03-01", "ref": "K-1"}, {"kind": "survey_answer"}],
             "disposal": {"date": "令和2年3月", "evidence": [{"kind": "certificate", "note": "shredded"}]}},
            {"id": "e1", "consignor": "m", "contractor": "x@y#z", "covers": ["z"], "personal_data": None,
             "period": "2016-01/2019-12", "data_subjects": {"count": 50000, "approximate": True},
             "informed_subcontractors": ["a"], "approved_subcontractors": ["a"], "data": []},
            {"id": "e0", "consignor": "m", "contractor": "a", "personal_data": False, "covers": [],
             "disposal": {"date": "2020-01-31"}},
        ],
        "access": [
            {"organization": "a", "system": "s2", "kind": "maintenance", "under": "e0",
             "period": {"start": "2017-04", "end": "2018-03"}},
            {"organization": "a", "system": "s2", "kind": "maintenance", "period": "2019-01～"},
            {"organization": "x@y#z", "system": "s1"},
        ],
    })


def cases():
    yield "procx", load_chain(PROCX)
    for t in TEACHING:
        yield t.name, load_chain(t / "chain.yaml")
    for path in DORA:
        yield f"dora-{path.stem}", load_chain(path)
    yield "ledger", chain_from_dict(import_ledger(LEDGER, "sakura"), "sakura-ledger")
    yield "every-field", every_field()
    for seed in range(30):
        yield f"random-{seed}", chain_from_dict(random_chain(seed))


CASES = list(cases())


def test_every_field_of_the_chain_file_is_a_property_or_the_dataset_title():
    """What the graph does not keep cannot be read back: every field of every element is read
    by some property of the schema (the fields' names, or the forms they are kept in)."""
    from entrustment_chain.graph.model.chain import Access, Entrustment, Organization, System

    props = {name: {p.name for p in schema.properties} for name, schema in {**S.NODES, **S.RELATIONSHIPS}.items()}
    kept = {
        Organization: props[S.ORGANIZATION], System: props[S.SYSTEM],
        Entrustment: props[S.ENTRUSTS] | {"id", "covers", "clauses", "supervision", "data_subjects"},
        Access: props[S.HAS_ACCESS] | {"organization", "system"},  # the relationship's two ends
    }
    for model, names in kept.items():
        assert set(model.model_fields) <= names, (model.__name__, set(model.model_fields) - names)
    for model, names in ((Entrustment, props[S.ENTRUSTS]), (Access, props[S.HAS_ACCESS])):
        assert {"position", "period", "period_ends"} <= names
    assert {"evidence", "disposal_written", "disposal_evidence"} <= props[S.ENTRUSTS]
    assert "position" in props[S.ORGANIZATION] and "position" in props[S.SYSTEM]


def test_the_cases_use_the_forms_a_round_trip_must_keep():
    entrustments = [e for _, chain in CASES for e in chain.entrustments]
    assert any(e.evidence for e in entrustments) and any(e.disposal and e.disposal.evidence for e in entrustments)
    assert any(isinstance(e.period, str) for e in entrustments)
    assert any(e.period is not None and not isinstance(e.period, str) for e in entrustments)
    assert any(e.covers != "all" for e in entrustments)


@pytest.mark.parametrize("name, chain", CASES, ids=[name for name, _ in CASES])
def test_read_back_is_the_chain_loaded(store, dataset, name, chain):
    store.load(chain, dataset, batch_size=2)  # several pages of the load
    back = read_chain(store, dataset)
    assert back.model_dump() == chain.model_dump()
    assert back.model_dump(mode="json", by_alias=True, exclude_defaults=True) == \
        chain.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert S.chain_version(back) == S.chain_version(chain)
    # loading what was read back changes nothing: the same version
    assert store.load(back, dataset)["reused"] is True


def test_read_back_in_several_pages(store, dataset, monkeypatch):
    chain = chain_from_dict(random_chain(7, n_orgs=18))
    store.load(chain, dataset)
    monkeypatch.setattr(readback, "PAGE", 3)
    back = read_chain(store, dataset)
    assert back.model_dump() == chain.model_dump()
    assert normal(read_flow(store, dataset, chain)) == prepared(chain)


def prepared(chain: ChainFile) -> dict:
    """What the traversal reads of a chain's own graph, without the cache of shared hops, each
    node's relationships in one order."""
    return {node: sorted(out, key=lambda x: (x[4], x[0])) for node, out in prepare_flow(build_graph(chain)).items()
            if node is not None}


def normal(flow: dict) -> dict:
    return {node: sorted(out, key=lambda x: (x[4], x[0])) for node, out in flow.items() if node is not None}


def test_flow_read_out_is_the_flow_the_traversal_prepares(store):
    days = (date(2012, 6, 30), date(2014, 1, 1))
    mismatches = []
    for name, chain in [c for c in CASES if c[0] in ("procx", "every-field")] + CASES[-30:]:
        ds = f"flow-{name}"
        try:
            store.load(chain, ds)
            if normal(read_flow(store, ds, chain)) != prepared(chain):
                mismatches.append(name)
            for day in days:  # the chain as it stood on a day, read out of the whole dataset
                if normal(read_flow(store, ds, chain_as_of(chain, day), day)) != prepared(chain_as_of(chain, day)):
                    mismatches.append((name, day))
        finally:
            store.drop(ds)
    assert mismatches == []


def test_a_dataset_that_is_not_there_is_named_with_the_datasets_there_are(store, dataset, procx_chain):
    store.load(procx_chain, dataset)
    with pytest.raises(InputError) as caught:
        read_chain(store, dataset + "-nope")
    text = str(caught.value)
    assert f"no dataset '{dataset}-nope'" in text and f"'{dataset}' (ready)" in text


def test_a_dataset_not_ready_is_refused(store, dataset, procx_chain):
    store.load(procx_chain, dataset)
    store._run_write(lambda tx: tx.run("MATCH (d:Dataset {name: $n}) SET d.status = null", n=dataset).consume())
    with pytest.raises(DatabaseError, match="is not ready"):
        read_chain(store, dataset)


def test_a_dataset_edited_by_hand_is_refused_with_its_problems(store, dataset, procx_chain):
    store.load(procx_chain, dataset)
    store._run_write(lambda tx: tx.run(
        "MATCH ()-[r:ENTRUSTS {dataset: $n, key: 'procx-bs'}]->() SET r.personal_data = 'yes', "
        "r.contractor = 'nobody'", n=dataset).consume())
    with pytest.raises(InputError) as caught:
        read_chain(store, dataset)
    text = str(caught.value)
    assert f"dataset '{dataset}': entrustments[" in text and "personal_data" in text


def test_a_dataset_loaded_without_positions_asks_for_a_reload(store, dataset, procx_chain):
    store.load(procx_chain, dataset)
    store._run_write(lambda tx: tx.run("MATCH (o:Organization {dataset: $n}) REMOVE o.position", n=dataset).consume())
    with pytest.raises(DatabaseError, match="older version of chain"):
        read_chain(store, dataset)


# ---------------------------------------------------------------------------------------------
# The default Neo4j backend, and a dataset without its file

def dumped(result):
    return result.model_dump(exclude={"backend", "source"})


@pytest.mark.parametrize("name, chain", [c for c in CASES if not c[0].startswith("random")],
                         ids=[n for n, _ in CASES if not n.startswith("random")])
def test_a_dataset_without_its_file_gives_the_networkx_answer(store, dataset, name, chain):
    store.load(chain, dataset)
    backend = Neo4jBackend.of_dataset(store, dataset)
    assert backend.rules == "read"
    expected = analyze(chain)
    assert dumped(analyze(backend.chain(), backend)) == dumped(expected)
    assert dumped(analyze(chain, Neo4jBackend(store, dataset))) == dumped(expected)  # with the file


def test_a_dataset_without_its_file_as_of_a_day_writes_nothing(store, dataset, procx_chain):
    store.load(procx_chain, dataset)
    before = readback.datasets(store)
    for day in (date(2016, 1, 1), date(2023, 1, 31)):
        backend = Neo4jBackend.of_dataset(store, dataset)
        got = analyze(backend.chain(), backend, as_of=day)
        assert dumped(got) == dumped(analyze(procx_chain, as_of=day))
    assert readback.datasets(store) == before  # no NAME@as-of:DAY dataset was loaded


def test_the_read_rules_on_random_chains_as_of_days(store):
    mismatches = []
    for seed in range(30):
        chain = chain_from_dict(random_chain(seed))
        name = f"read-{seed}"
        try:
            store.load(chain, name)
            backend = Neo4jBackend.of_dataset(store, name)
            for day in (None, date(2012, 6, 30), date(2014, 1, 1)):
                if dumped(analyze(backend.chain(), backend, as_of=day)) != dumped(analyze(chain, as_of=day)):
                    mismatches.append((seed, day))
        finally:
            store.drop(name)
    assert mismatches == []


def test_breach_on_the_read_rules_is_the_networkx_report(store, dataset):
    try:
        for path in (PROCX, FIXTURES / "teaching" / "breach-four-levels" / "chain.yaml",
                     FIXTURES / "teaching" / "breach-two-routes" / "chain.yaml"):
            chain = load_chain(path)
            store.load(chain, dataset)
            backend = Neo4jBackend.of_dataset(store, dataset)
            for org in chain.organizations[:12]:
                for options in ({}, {"as_of": "2020-06-30"},
                                {"systems": [s.id for s in chain.systems[:1]] or None}):
                    expected = breach(chain, org.id, **options)
                    assert breach(backend.chain(), org.id, **options, backend=backend) == expected, (path, org.id)
                    # with the file: the chain as of the day is loaded as NAME@as-of:DAY, never as NAME
                    assert breach(chain, org.id, **options, backend=Neo4jBackend(store, dataset)) == expected
            assert store.dataset_state(dataset)["version"] == S.chain_version(chain)
    finally:
        store.drop(f"{dataset}@as-of:2020-06-30")


def test_chain_of_dataset_is_read_chain(store, dataset, procx_chain):
    store.load(procx_chain, dataset)
    assert chain_of_dataset(store, dataset).model_dump() == procx_chain.model_dump()


def test_rules_must_be_named():
    with pytest.raises(ValueError, match="read, cypher"):
        Neo4jBackend(None, "x", rules="python")  # type: ignore[arg-type]


def test_read_files_are_not_offered_as_user_queries():
    from entrustment_chain.graph.neo4j import queries

    reads = {q.name for (group, _), q in queries.all_queries().items() if group == "read"}
    assert reads == {"organizations", "systems", "entrustments", "access", "flow_entrusts",
                     "flow_places_data_in", "flow_accessible_by"}
    assert not reads & set(queries.user_queries())


def test_chain_query_takes_the_dataset_by_name(neo4j_settings, store, dataset, procx_chain):
    """`chain query NAME --dataset D` is `--param dataset=D`; a rule file takes --param consignor."""
    import json

    from click.testing import CliRunner

    from entrustment_chain.cli.main import main

    store.load(procx_chain, dataset)
    runner = CliRunner(env={"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": neo4j_settings.database})

    def rows(*args):
        result = runner.invoke(main, ["query", *args, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    everyone = rows("undisclosed_subcontracting", "--dataset", dataset)
    assert len(everyone) == 69
    assert rows("undisclosed_subcontracting", "--param", f"dataset={dataset}") == everyone
    assert rows("undisclosed_subcontracting", "--dataset", dataset, "--param", f"dataset={dataset}") == everyone
    one = rows("undisclosed_subcontracting", "--dataset", dataset, "--param", "consignor=b")
    assert [(r["consignor"], r["handler"]) for r in one] == [("b", "bs")]
    clash = runner.invoke(main, ["query", "no_supervision", "--dataset", dataset, "--param", "dataset=other"])
    assert clash.exit_code == 2 and "name two datasets" in clash.output
    none = runner.invoke(main, ["query", "datasets", "--dataset", dataset])
    assert none.exit_code == 2 and "datasets takes no dataset" in none.output
