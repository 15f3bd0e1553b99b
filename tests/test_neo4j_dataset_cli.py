"""Against the real Neo4j server: `chain survey`, `chain check` and `chain breach` take
`--dataset NAME --backend neo4j` instead of a chain FILE (issue 16, "a dataset is enough"). A
chain loaded with `chain load` is read back out of the database and analysed there, and every
report is the report of the file, byte for byte (SARIF alone differs: a chain read from a dataset
has no lines to point at). A dataset that is not there is exit 2 naming it and saying how to list
and load datasets; a server that cannot be reached is exit 3; a command given neither a FILE nor
a dataset, or a dataset without --backend neo4j, is a usage error (exit 2) before anything is
dialled. The one place this lives is cli/common.py (open_chain)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT

neo4j = pytest.mark.neo4j  # the tests that need the server; the usage errors dial nothing

# relative to ROOT, where every test runs (the outputs that name a file name it as given)
PROCX = "fixtures/procx-2024/chain.yaml"
WITHOUT_BS = "fixtures/procx-2024/chain-without-bs.yaml"  # the base of BS's proposal
PROPOSAL_BS = "fixtures/procx-2024/proposal-bs.yaml"
BREACH = ("--handler", "bs", "--from", "2013-07", "--to", "2023-10", "--known", "2023-10-17", "--intent", "wrongful")
NOBODY = {"NEO4J_URI": "bolt://127.0.0.1:9"}  # a URI nobody listens on: a test that must dial nothing


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture
def env(neo4j_settings):
    return {"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": neo4j_settings.database}


def run(*args, env: dict | None = None) -> Result:
    from entrustment_chain.cli.main import main

    return CliRunner(env=env).invoke(main, [str(a) for a in args])


def load(path: str, dataset: str, env: dict) -> None:
    result = run("load", path, "--dataset", dataset, env=env)
    assert result.exit_code == 0, result.output


@pytest.fixture
def procx(dataset, env):
    """The ProCX fixture loaded as a fresh dataset (dropped afterwards), as a user loads it."""
    load(PROCX, dataset, env)
    return dataset


@pytest.fixture
def without_bs(dataset, env):
    load(WITHOUT_BS, dataset, env)
    return dataset


def same(with_file: Result, from_dataset: Result) -> None:
    assert from_dataset.exit_code == with_file.exit_code, from_dataset.output
    assert from_dataset.stderr == with_file.stderr == ""
    assert from_dataset.stdout_bytes == with_file.stdout_bytes
    assert from_dataset.stdout_bytes


# ---------------------------------------------------------------------------------------------
# The report from a dataset is the report from its file

SURVEY_CASES = [("--format", "json"), ("--format", "markdown"), ("--format", "table", "--lang", "en"),
                ("--format", "table", "--lang", "ja"), ("--format", "json", "--as-of", "2023-01-31")]


@neo4j
@pytest.mark.parametrize("args", SURVEY_CASES, ids=[" ".join(a) for a in SURVEY_CASES])
def test_survey_of_a_dataset_is_the_survey_of_its_file(procx, env, store, args):
    with_file = run("survey", PROCX, "--contractor", "procx", *args)
    same(with_file, run("survey", "--backend", "neo4j", "--dataset", procx, "--contractor", "procx", *args, env=env))
    # the file on Neo4j, loaded as the dataset it already is (a no-op), gives it too; as of a day,
    # the file's chain that day is loaded as NAME@as-of:DAY, as `chain analyze` loads it
    try:
        same(with_file, run("survey", PROCX, "--backend", "neo4j", "--dataset", procx, "--contractor", "procx",
                            *args, env=env))
    finally:
        store.drop(f"{procx}@as-of:2023-01-31")


@neo4j
def test_the_survey_of_a_dataset_reproduces_the_ppc_tables(procx, env):
    result = run("survey", "--backend", "neo4j", "--dataset", procx, "--contractor", "procx", "--format", "json",
                 env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["consignors"] == 69
    assert (data["items"]["clauses.transfer_safety"]["yes"], data["items"]["clauses.transfer_safety"]["no"]) == (49, 11)


CHECK_CASES = [("--format", "json"), ("--format", "table", "--lang", "en"), ("--format", "markdown", "--lang", "ja"),
               ("--format", "junit"), ("--format", "json", "--as-of", "2020-01-31")]


@neo4j
@pytest.mark.parametrize("args", CHECK_CASES, ids=[" ".join(a) for a in CHECK_CASES])
def test_check_against_a_dataset_is_the_check_against_its_file(without_bs, env, args):
    with_file = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, *args)
    assert with_file.exit_code == 1, with_file.output  # BS would be a handler nobody was told of
    same(with_file, run("check", "--backend", "neo4j", "--dataset", without_bs, "--add", PROPOSAL_BS, *args, env=env))


@neo4j
def test_check_inline_proposal_against_a_dataset(procx, env):
    """The proposal stays a file or inline YAML; only the chain comes from the dataset."""
    proposal = ("organizations: [{id: newco, name: New Co}]\n"
                "access: [{organization: newco, system: procx-cc, kind: maintenance}]\n")
    with_file = run("check", PROCX, "--add", proposal, "--format", "json")
    same(with_file, run("check", "--backend", "neo4j", "--dataset", procx, "--add", proposal, "--format", "json",
                        env=env))


@neo4j
def test_check_sarif_of_a_dataset_has_the_same_results_located_by_name(without_bs, env):
    """A chain read from a dataset has no lines: SARIF names no chain file and locates what is in
    the chain logically; the results, their rules and messages are those of the file."""
    with_file = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--format", "sarif")
    from_dataset = run("check", "--backend", "neo4j", "--dataset", without_bs, "--add", PROPOSAL_BS,
                       "--format", "sarif", env=env)
    assert from_dataset.exit_code == with_file.exit_code == 1, from_dataset.output
    file_run, dataset_run = json.loads(with_file.stdout)["runs"][0], json.loads(from_dataset.stdout)["runs"][0]

    def results(run_):
        return [(r["ruleId"], r["level"], r["message"]["text"]) for r in run_["results"]]

    assert results(dataset_run) == results(file_run) and results(file_run)
    uris = [a["location"]["uri"] for a in dataset_run["artifacts"]]
    assert WITHOUT_BS not in uris and PROPOSAL_BS in uris
    assert WITHOUT_BS in [a["location"]["uri"] for a in file_run["artifacts"]]


BREACH_CASES = [("--format", "json"), ("--format", "markdown"), ("--format", "csv"),
                ("--format", "table", "--lang", "en"), ("--format", "json", "--as-of", "2020-06-30"),
                ("--format", "json", "--systems", "procx-cc")]


@neo4j
@pytest.mark.parametrize("args", BREACH_CASES, ids=[" ".join(a) for a in BREACH_CASES])
def test_breach_of_a_dataset_is_the_breach_of_its_file(procx, env, args):
    with_file = run("breach", PROCX, *BREACH, *args)
    same(with_file, run("breach", "--backend", "neo4j", "--dataset", procx, *BREACH, *args, env=env))


@neo4j
def test_a_dataset_is_read_and_never_written(procx, env, store):
    """Read back, analysed as of a day too: no dataset is loaded or changed (no NAME@as-of:DAY)."""
    from entrustment_chain.graph.neo4j.readback import datasets

    before = datasets(store)
    for command in (("survey", "--contractor", "procx", "--as-of", "2023-01-31"),
                    ("breach", *BREACH, "--as-of", "2020-06-30"),
                    ("check", "--add", "organizations: [{id: newco, name: New Co}]", "--as-of", "2020-06-30")):
        result = run(*command, "--backend", "neo4j", "--dataset", procx, env=env)
        assert result.exit_code == 0, result.output
    assert datasets(store) == before


# ---------------------------------------------------------------------------------------------
# FILE with --dataset keeps its meaning: the file, loaded as that dataset

@neo4j
@pytest.mark.parametrize("command", [("survey", "--contractor", "procx"), ("breach", *BREACH),
                                     ("check", "--add", "organizations: [{id: newco, name: New Co}]")],
                         ids=["survey", "breach", "check"])
def test_a_file_with_a_dataset_is_loaded_as_it(dataset, env, store, command):
    from entrustment_chain.graph import schema as S
    from entrustment_chain.graph.io.loader import load_chain

    assert store.dataset_state(dataset) in (None, {})
    result = run(command[0], PROCX, *command[1:], "--backend", "neo4j", "--dataset", dataset, env=env)
    assert result.exit_code == 0, result.output
    assert store.dataset_state(dataset)["version"] == S.chain_version(load_chain(PROCX))


ANALYZE_CASES = [("--format", "json"), ("--format", "json", "--messages"), ("--format", "jsonl"),
                 ("--format", "markdown"), ("--format", "table", "--lang", "ja"), ("--format", "html"),
                 ("--format", "json", "--as-of", "2020-01-31"), ("--consignor", "b", "--format", "markdown"),
                 ("--format", "table", "--summary-only")]


@neo4j
@pytest.mark.parametrize("args", ANALYZE_CASES, ids=[" ".join(a) for a in ANALYZE_CASES])
def test_analysis_of_a_dataset_is_the_analysis_of_its_file(procx, env, args):
    """The findings of a dataset are its file's, on either backend; only the source is named as
    the dataset (the JSON `source`, the HTML's input line)."""
    with_file = run("analyze", PROCX, *args)
    from_dataset = run("analyze", "--backend", "neo4j", "--dataset", procx, *args, env=env)
    assert from_dataset.exit_code == with_file.exit_code == 0, from_dataset.output
    expected = with_file.stdout
    if "json" in args or "jsonl" in args:
        expected = expected.replace(json.dumps(PROCX), json.dumps(f"dataset {procx}"), 1)
        expected = expected.replace('"backend": "networkx"', '"backend": "neo4j"').replace(
            '"backend":"networkx"', '"backend":"neo4j"')
    elif "html" in args:  # its time, its input line and the backend's line differ; the findings not
        assert from_dataset.stdout.count("<tr data-c=") == with_file.stdout.count("<tr data-c=") > 0
        return
    else:
        expected = expected.replace("networkx", "neo4j")
    assert from_dataset.stdout == expected


@neo4j
def test_analysis_of_a_dataset_writes_its_findings_there(procx, env, store):
    result = run("analyze", "--backend", "neo4j", "--dataset", procx, "--write", "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    assert f"recorded in dataset {procx!r}" in result.stderr
    found = store._run_read(lambda tx: tx.run(
        "MATCH (o:Organization:Undisclosed {dataset: $d}) RETURN collect(o.id) AS ids", d=procx).single()["ids"])
    assert found == ["bs"]


@neo4j
def test_sarif_of_a_dataset_locates_findings_by_name(procx, env):
    with_file = json.loads(run("analyze", PROCX, "--format", "sarif").stdout)
    from_dataset = run("analyze", "--backend", "neo4j", "--dataset", procx, "--format", "sarif", env=env)
    assert from_dataset.exit_code == 0, from_dataset.output
    results = json.loads(from_dataset.stdout)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [r["ruleId"] for r in with_file["runs"][0]["results"]]
    assert all("physicalLocation" not in loc for r in results for loc in r.get("locations", []))


# ---------------------------------------------------------------------------------------------
# Errors

COMMANDS = [("survey", "--contractor", "procx"), ("breach", "--handler", "bs"), ("check", "--add", PROPOSAL_BS),
            ("analyze",)]
IDS = ["survey", "breach", "check", "analyze"]


@neo4j
@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_a_dataset_that_is_not_there_is_named_with_what_to_do(procx, env, command):
    missing = procx + "-nope"
    result = run(*command, "--backend", "neo4j", "--dataset", missing, env=env)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    assert f"error: --dataset: no dataset {missing!r} in Neo4j database" in result.stderr
    assert "`chain query datasets` lists them" in result.stderr
    assert repr(procx) in result.stderr or " more; " in result.stderr  # the first ten are named
    assert f"`chain load FILE --dataset {missing}`" in result.stderr
    assert result.stderr.endswith("1 problem found; nothing was written.\n")


@neo4j
def test_a_dataset_still_loading_is_a_database_error(procx, env, store):
    store._run_write(lambda tx: tx.run("MATCH (d:Dataset {name: $n}) SET d.status = null", n=procx).consume())
    result = run("survey", "--backend", "neo4j", "--dataset", procx, "--contractor", "procx", env=env)
    assert result.exit_code == 3, result.output
    assert f"database error: dataset {procx!r} is not ready" in result.stderr


@neo4j
@pytest.mark.parametrize("command", [("survey", "--contractor", "nobody"), ("breach", "--handler", "nobody"),
                                     ("check", "--add", PROPOSAL_BS), ("analyze", "--consignor", "nobody")], ids=IDS)
def test_bad_input_against_a_dataset_is_the_error_of_its_file(procx, env, command):
    """An unknown contractor or handler, a proposal that clashes with the chain (BS is in ProCX's
    chain already): exit 2 with the file's problems, whichever the chain came from."""
    with_file = run(command[0], PROCX, *command[1:])
    from_dataset = run(*command, "--backend", "neo4j", "--dataset", procx, env=env)
    assert with_file.exit_code == from_dataset.exit_code == 2, from_dataset.output
    assert from_dataset.stdout == ""
    assert from_dataset.stderr == with_file.stderr and "nothing was written" in with_file.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_a_server_that_cannot_be_reached_is_exit_3(command):
    result = run(*command, "--backend", "neo4j", "--dataset", "procx", env=NOBODY)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("database error: cannot reach Neo4j at bolt://127.0.0.1:9")


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
@pytest.mark.parametrize("backend", [(), ("--backend", "networkx"), ("--backend", "neo4j")],
                         ids=["default", "networkx", "neo4j"])
def test_neither_a_file_nor_a_dataset_is_a_usage_error(command, backend):
    result = run(*command, *backend, env=NOBODY)
    assert result.exit_code == 2, result.output
    assert "Error: give the chain FILE, or --dataset NAME with --backend neo4j to read the chain from a Neo4j " \
           "dataset" in result.stderr
    assert f" {command[0]} [OPTIONS] [FILE]" in result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
@pytest.mark.parametrize("backend", [(), ("--backend", "networkx")], ids=["default", "networkx"])
def test_a_dataset_without_a_file_needs_the_neo4j_backend(command, backend):
    result = run(*command, *backend, "--dataset", "procx", env=NOBODY)
    assert result.exit_code == 2, result.output
    assert "Error: --dataset procx without a FILE reads the chain from Neo4j: give --backend neo4j too (or the " \
           "chain FILE)" in result.stderr


def test_a_bad_file_on_neo4j_is_exit_2_before_any_connection(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: entrustment-chain/v1\norganizations: 3\n", encoding="utf-8")
    for command in COMMANDS:
        result = run(command[0], bad, *command[1:], "--backend", "neo4j", "--dataset", "x", env=NOBODY)
        assert result.exit_code == 2 and "database error" not in result.stderr, (command, result.output)


def test_help_says_a_dataset_may_stand_for_the_file():
    for name in IDS:
        text = run(name, "--help").stdout
        assert text, name
        assert f" {name} [OPTIONS] [FILE]" in text
        assert "--backend neo4j and no FILE the dataset --dataset NAME" in " ".join(text.split())
        assert "--dataset NAME" in text and "--uri" in text
