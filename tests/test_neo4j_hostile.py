"""Injection and concurrency against the real Neo4j: user strings are data, never Cypher."""
import json
import os
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.neo4j.backend import Neo4jBackend
from entrustment_chain.graph.reports.export import export
from entrustment_chain.graph.io.loader import load_chain

from conftest import PROCX, dump, run_script

pytestmark = pytest.mark.neo4j

NASTY = ["x'}) DETACH DELETE n //", "`) MATCH (m) DETACH DELETE m //", "$dataset", "/* c */ RETURN 1",
         "x\\' OR 1=1 //", '"; DROP CONSTRAINT organization_dataset_id; //']


def nasty_chain(tmp_path):
    orgs = [{"id": f"c{i}-{text}", "name": f"委託元 {text}"} for i, text in enumerate(NASTY)]
    orgs += [{"id": "vendor`", "name": "`vendor` ${x}"}, {"id": "sub' //", "name": "MATCH (n) DELETE n"}]
    entrustments = [{"id": f"e{i} '; DELETE", "consignor": o["id"], "contractor": "vendor`", "personal_data": True,
                     "informed_subcontractors": []} for i, o in enumerate(orgs[:len(NASTY)])]
    entrustments.append({"id": "e-sub $rows", "consignor": "vendor`", "contractor": "sub' //", "work": "}) RETURN 1 //"})
    path = tmp_path / "nasty.yaml"
    path.write_text(yaml.safe_dump({"schema": "entrustment-chain/v1", "title": "'; MATCH (n) DETACH DELETE n //",
                                    "organizations": orgs, "entrustments": entrustments}, allow_unicode=True),
                    encoding="utf-8")
    return path


def test_injection_strings_are_stored_verbatim_and_delete_nothing(store, dataset, tmp_path, procx_chain):
    witness = dataset + "-witness"
    try:
        store.load(procx_chain, witness)
        before = dump(store, witness)
        path = nasty_chain(tmp_path)
        chain = load_chain(path)
        store.load(chain, dataset)
        assert dump(store, witness) == before
        ids = {row["id"] for row in store._run_read(
            lambda tx: tx.run("MATCH (o:Organization {dataset: $d}) RETURN o.id AS id", d=dataset).data())}
        assert ids == {o.id for o in chain.organizations}
        a, b = analyze(chain), analyze(chain, Neo4jBackend(store, dataset))
        assert a.model_dump(exclude={"backend"}) == b.model_dump(exclude={"backend"})
        assert len(a.by_rule("undisclosed_subcontracting")) == len(NASTY)
        constraints = store._run_read(lambda tx: tx.run("SHOW CONSTRAINTS YIELD name RETURN name").data())
        assert "organization_dataset_id" in {c["name"] for c in constraints}
        # the exported Cypher script recreates the same graph when run as it is
        run_script(store, export(chain, "cypher", dataset=dataset + "-script"))
        assert dump(store, witness) == before
        assert dump(store, dataset + "-script", strip_dataset=True) == dump(store, dataset, strip_dataset=True)
    finally:
        store.drop(witness)
        store.drop(dataset + "-script")


def test_two_loads_of_the_same_file_at_once_leave_one_copy(store, dataset, neo4j_settings, tmp_path):
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri}
    big = tmp_path / "chain.json"
    assert CliRunner().invoke(main, ["generate", "--consignors", "300", "-o", str(big)]).exit_code == 0
    command = [sys.executable, "-m", "entrustment_chain.cli.main", "load", str(big), "--dataset", dataset,
               "--batch-size", "200"]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    chain = load_chain(big)
    counts = store.counts(dataset)
    assert counts["organizations"] == len(chain.organizations)
    assert counts["entrusts"] == len(chain.entrustments)


def test_two_datasets_loaded_at_once_do_not_touch_each_other(store, neo4j_settings, tmp_path):
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri}
    files = []
    for seed in (1, 2):
        path = tmp_path / f"c{seed}.json"
        CliRunner().invoke(main, ["generate", "--consignors", "200", "--seed", str(seed), "-o", str(path)])
        files.append(path)
    names = ["conc-a", "conc-b"]
    try:
        procs = [subprocess.Popen([sys.executable, "-m", "entrustment_chain.cli.main", "load", str(f), "--dataset", n,
                                   "--batch-size", "100"], env=env, stderr=subprocess.PIPE, text=True)
                 for f, n in zip(files, names)]
        assert [p.wait(timeout=300) for p in procs] == [0, 0]
        for f, n in zip(files, names):
            chain = load_chain(f)
            clean = f"{n}-clean"
            store.load(chain, clean)
            assert dump(store, n, strip_dataset=True) == dump(store, clean, strip_dataset=True)
            store.drop(clean)
    finally:
        for n in names:
            store.drop(n)
