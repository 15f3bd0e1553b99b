"""`chain schema`: the JSON Schema of chain file v1."""
from .conftest import run


def test_schema(golden):
    result = run("schema")
    assert result.exit_code == 0 and result.stderr == ""
    golden("schema.json", result.stdout)
