"""`chain query`: the stored queries, and their rows on the ProCX dataset in the real Neo4j."""
import json

import pytest

from .conftest import PROCX, run

# The rows of each, on ProCX. `datasets` is left out: it lists every dataset in the database,
# including other tests' that come and go.
QUERIES = {
    "could_not_supervise": (), "misclassified_subcontract": (), "missing_safeguard_clause": (),
    "no_safeguard_clauses": (), "no_subcontract_restriction": (), "no_supervision": (),
    "subcontracting_not_checked": (), "unapproved_subcontracting": (), "undisclosed_subcontracting": (),
    "weak_supervision": (), "dataset_counts": (), "exposure": (), "handler_consignors": ("handler=bs",),
    "undisclosed_paths": ("consignor=b",),
}


def test_list(golden):
    result = run("query", "--list")
    assert result.exit_code == 0 and result.stderr == ""
    golden("query-list.txt", result.stdout)


def normalised(name, text, dataset):
    """The rows with what differs from run to run made the same, and nothing else."""
    # The dataset is a fresh random name per test (conftest's `dataset` fixture); only
    # undisclosed_paths prints it, as a property of the nodes on its paths.
    text = text.replace(dataset, "<dataset>")
    if name == "undisclosed_paths":
        # Its column p holds whole nodes, whose properties come back in the order the server's
        # store keeps them, which Cypher does not define (neither insertion nor key order here,
        # and free to differ with the store format or the database's history): each node's
        # properties are sorted by key.
        lines = text.splitlines(keepends=True)
        for i, line in enumerate(lines[1:], 1):
            *columns, path = line.rstrip("\n").split("\t")
            path = json.dumps(json.loads(path), sort_keys=True, ensure_ascii=False)
            lines[i] = "\t".join([*columns, path]) + "\n"
        text = "".join(lines)
    return text


@pytest.fixture
def procx_loaded(dataset, neo4j_settings):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": neo4j_settings.database}
    result = run("load", PROCX, "--dataset", dataset, env=env)
    assert result.exit_code == 0, result.output
    return dataset, env


@pytest.mark.neo4j
@pytest.mark.parametrize("name", QUERIES)
def test_rows_on_procx(golden, procx_loaded, name):
    dataset, env = procx_loaded
    params = [a for p in QUERIES[name] for a in ("--param", p)]
    result = run("query", name, "--param", f"dataset={dataset}", *params, env=env)
    assert result.exit_code == 0, result.output
    rows = result.stdout.count("\n") - 1
    assert result.stderr == f"({rows} rows)\n"
    golden(f"query-procx-{name}.tsv", normalised(name, result.stdout, dataset))


@pytest.mark.neo4j
def test_json_rows(golden, procx_loaded):
    dataset, env = procx_loaded
    result = run("query", "could_not_supervise", "--param", f"dataset={dataset}", "--format", "json", env=env)
    assert result.exit_code == 0 and result.stderr == ""
    golden("query-procx-could_not_supervise.json", result.stdout)


def test_unknown_query_exits_2(golden):
    result = run("query", "nosuch")
    assert result.exit_code == 2 and result.stdout == ""
    golden("query-unknown.txt", result.stderr)
