"""Shared fixtures. Tests marked ``neo4j`` run against the real server started by scripts/test
(scripts/neo4j-local); when it cannot be reached they fail, they never skip: an unreached Neo4j
is an untested Neo4j. Deselect them explicitly with ``-m "not neo4j"`` if you have no server."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PROCX = FIXTURES / "procx-2024" / "chain.yaml"
TEACHING = sorted(p.parent for p in (FIXTURES / "teaching").glob("*/chain.yaml"))


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch):
    """Tables follow the locale (cli.common.language): every test starts in the C locale, so that
    the suite reads the same on a machine whose LANG is ja_JP.UTF-8; a test of the locale sets it."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def procx_chain():
    from entrustment_chain.graph.io.loader import load_chain

    return load_chain(PROCX)


@pytest.fixture(scope="session")
def procx_analysis(procx_chain):
    from entrustment_chain.graph.analysis.engine import analyze

    return analyze(procx_chain)


@pytest.fixture(scope="session")
def neo4j_settings():
    from entrustment_chain.graph.neo4j.settings import Settings

    return Settings.resolve(uri=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:17687"))


@pytest.fixture(scope="session")
def store(neo4j_settings):
    from entrustment_chain.graph.errors import DatabaseError
    from entrustment_chain.graph.neo4j.store import Neo4jStore

    s = Neo4jStore(neo4j_settings)
    try:
        s.connect()
    except DatabaseError as exc:
        pytest.fail(f"Neo4j is not reachable ({exc}); start it with scripts/test or scripts/neo4j-local, "
                    "or deselect these tests with -m 'not neo4j'", pytrace=False)
    yield s
    s.close()


@pytest.fixture
def dataset(store):
    """A fresh dataset name, dropped afterwards."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    store.drop(name)


def dump(store, dataset, strip_dataset=False):
    """Every node and relationship of a dataset, with all properties, as sets of tuples."""
    import json

    def work(tx):
        nodes = tx.run("MATCH (n {dataset: $d}) RETURN labels(n) AS l, properties(n) AS p", d=dataset).data()
        rels = tx.run("MATCH (a {dataset: $d})-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, "
                      "properties(r) AS p", d=dataset).data()
        return nodes, rels

    with store._session(read=True) as session:
        nodes, rels = session.execute_read(work)

    def freeze(props):
        if strip_dataset:
            props = {k: v for k, v in props.items() if k != "dataset"}
        return json.dumps(props, sort_keys=True, default=str)

    return ({(tuple(n["l"]), freeze(n["p"])) for n in nodes},
            {(r["t"], r["a"], r["b"], freeze(r["p"])) for r in rels})


def run_script(store, script):
    """Run an exported Cypher script as cypher-shell would: statement by statement (its
    :begin/:commit and comments are for the shell)."""
    for statement in script.split(";\n"):
        lines = [line for line in statement.splitlines() if not line.startswith((":", "//"))]
        if lines:
            store._run_write(lambda tx, q="\n".join(lines): tx.run(q).consume())


def dataset_node(store, name):
    rows = store._run_read(lambda tx: tx.run("MATCH (d:Dataset {name: $n}) RETURN properties(d) AS p", n=name).data())
    return {k: v for k, v in rows[0]["p"].items() if k != "name"} if rows else None


def free_ports(count: int = 2) -> list[int]:
    """Loopback TCP ports nobody listens on now (all different), for a test's own Neo4j server:
    fixed ports clash with a server a developer runs there (the bench's, another test run's)."""
    import socket

    held = [socket.socket() for _ in range(count)]
    try:
        for s in held:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()
