"""`chain schema`: the JSON Schema of chain file v1, and of each JSON output (`--of`)."""
import pytest

from .conftest import run


def test_schema(golden):
    result = run("schema")
    assert result.exit_code == 0 and result.stderr == ""
    golden("schema.json", result.stdout)


@pytest.mark.parametrize("of", ["baseline", "findings", "check", "survey", "breach", "consignor"])
def test_schema_of_an_output(golden, of):
    result = run("schema", "--of", of)
    assert result.exit_code == 0 and result.stderr == ""
    golden(f"schema-{of}.json", result.stdout)


def test_schema_of_the_chain_is_the_default(golden):
    assert run("schema", "--of", "chain").stdout == run("schema").stdout


def test_schema_of_an_unknown_document_is_a_usage_error():
    result = run("schema", "--of", "finding")
    assert result.exit_code == 2
    assert "'finding' is not one of 'chain', 'baseline', 'findings', 'check', 'survey', 'breach', 'consignor'" in result.stderr
