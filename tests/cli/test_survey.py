"""`chain survey`: ProCX's consignors as the regulator tabulated them (第1 tables, 第2 lists)."""
import json

import pytest

from .conftest import PROCX, ROOT, run


@pytest.mark.parametrize("fmt, name", [("table", "survey-procx.txt"), ("json", "survey-procx.json")])
def test_procx(golden, fmt, name):
    result = run("survey", PROCX, "--contractor", "procx", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(name, result.stdout)


def test_procx_markdown(golden):
    # The Markdown survey already has a golden file, owned by tests/test_survey.py and
    # tests/test_cli.py; it is compared here, never copied or rewritten.
    result = run("survey", PROCX, "--contractor", "procx", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden.reference(ROOT / "tests" / "golden" / "procx-survey.md", result.stdout)


def test_unknown_contractor_exits_2(golden):
    result = run("survey", PROCX, "--contractor", "nobody")
    assert result.exit_code == 2 and result.stdout == ""
    golden("survey-unknown-contractor.txt", result.stderr)


def test_as_of_surveys_the_contracts_begun_by_then():
    result = run("survey", PROCX, "--contractor", "procx", "--as-of", "2015-01-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2015-01-01" and data["consignors"] == 55  # 14 contracts began later
    table = run("survey", PROCX, "--contractor", "procx", "--as-of", "H27.1.1")
    assert "55 consignors (the contracts begun by 2015-01-01)" in table.stdout
    assert "as_of" not in json.loads(run("survey", PROCX, "--contractor", "procx", "--format", "json").stdout)
