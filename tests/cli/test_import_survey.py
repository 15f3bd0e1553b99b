"""`chain import-survey`: the survey table that export-survey wrote (its golden file,
tests/cli/expected/export-survey-procx.csv, used here as the input) back into a chain file,
alone and added to ProCX's own side; and a table with bad cells, every one reported."""
import pytest
import yaml

from .conftest import INPUTS, PROCX, run

TABLE = "tests/cli/expected/export-survey-procx.csv"
NAME = "株式会社NTTマーケティングアクトProCX"


@pytest.fixture
def contractor_side(tmp_path):
    """ProCX's own side of the chain, without its consignors: itself, BS, the system, the access."""
    from entrustment_chain.graph.analysis.onboarding import dump_chain
    from entrustment_chain.graph.io.loader import load_chain

    data = dump_chain(load_chain(PROCX))
    data["organizations"] = [o for o in data["organizations"] if o["id"] in ("procx", "bs")]
    data["entrustments"] = [e for e in data["entrustments"] if e["contractor"] != "procx"]
    path = tmp_path / "procx-side.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_table_alone(golden):
    result = run("import-survey", TABLE, "--contractor", "procx", "--contractor-name", NAME)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden("import-survey-procx.yaml", result.stdout)


def test_into_the_contractor_side(golden, contractor_side):
    result = run("import-survey", TABLE, "--contractor", "procx", "--contractor-name", NAME,
                 "--into", contractor_side)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden("import-survey-procx-into.yaml", result.stdout)


@pytest.mark.parametrize("suffix, encoding", [(".csv", "cp932"), (".xlsx", "utf-8-sig")])
def test_other_encodings_give_the_same_chain(golden, tmp_path, suffix, encoding):
    table = tmp_path / f"table{suffix}"
    assert run("export-survey", PROCX, "--contractor", "procx", "-o", table, "--encoding", encoding).exit_code == 0
    result = run("import-survey", table, "--contractor", "procx", "--contractor-name", NAME)
    assert result.exit_code == 0, result.output
    golden("import-survey-procx.yaml", result.stdout)


def test_bad_cells_are_all_reported_and_nothing_written(golden, tmp_path):
    target = tmp_path / "out.yaml"
    result = run("import-survey", f"{INPUTS}/bad-cells.csv", "--contractor", "procx", "--contractor-name", NAME,
                 "-o", target)
    assert result.exit_code == 2 and result.stdout == "" and not target.exists()
    golden("import-survey-bad.txt", result.stderr)
