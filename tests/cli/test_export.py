"""`chain export`: the ProCX graph in every format. The Cypher script names the dataset after the
file's path as given (fixtures/procx-2024/chain.yaml, the tests run from the repository's root);
its version is the hash of the chain's content, the same on every machine."""
import json

import pytest

from .conftest import PROCX, run

FORMATS = {"graphml": "graphml", "dot": "dot", "mermaid": "mmd", "cypher": "cypher", "json": "json",
           "dora-b0502": "dora-b0502.csv"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_procx(golden, fmt):
    result = run("export", PROCX, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "dora-b0502":  # ProCX records no LEI and no type of ICT services: every code is empty
        golden("export-procx.dora-b0502.stderr.txt", result.stderr)
    else:
        assert result.stderr == ""
    golden(f"export-procx.{FORMATS[fmt]}", result.stdout)


def test_cypher_with_a_named_dataset(golden):
    result = run("export", PROCX, "--format", "cypher", "--dataset", "procx-2024")
    assert result.exit_code == 0, result.output
    golden("export-procx.dataset-procx-2024.cypher", result.stdout)


def test_as_of_exports_the_chain_as_it_stood():
    whole = json.loads(run("export", PROCX, "--format", "json").stdout)
    then = json.loads(run("export", PROCX, "--format", "json", "--as-of", "2014-01-01").stdout)
    entrusts = lambda graph: [e for e in graph["links"] if e.get("type") == "ENTRUSTS"]  # noqa: E731
    assert len(entrusts(then)) < len(entrusts(whole))
