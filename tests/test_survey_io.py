"""Survey spreadsheets: ProCX's answers out to CSV/xlsx/cp932 and back in give the seed's numbers."""
import csv

import pytest
import yaml
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.analysis.onboarding import dump_chain
from entrustment_chain.graph.io.survey_table import export_survey
from entrustment_chain.graph.analysis.survey import survey

from conftest import PROCX
from test_survey import assert_seed_numbers


@pytest.fixture
def contractor_side(procx_chain, tmp_path):
    """ProCX's own side of the chain, without its consignors: itself, BS, the system, the access."""
    data = dump_chain(procx_chain)
    data["organizations"] = [o for o in data["organizations"] if o["id"] in ("procx", "bs")]
    data["entrustments"] = [e for e in data["entrustments"] if e["contractor"] != "procx"]
    path = tmp_path / "procx-side.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix, encoding", [(".csv", "utf-8-sig"), (".csv", "cp932"), (".xlsx", "utf-8-sig")])
def test_round_trip_gives_the_seed_numbers(procx_chain, contractor_side, tmp_path, suffix, encoding):
    table = tmp_path / f"answers{suffix}"
    runner = CliRunner()
    result = runner.invoke(main, ["export-survey", str(PROCX), "--contractor", "procx", "-o", str(table),
                                  "--encoding", encoding])
    assert result.exit_code == 0, result.output
    if encoding == "cp932":
        table.read_bytes().decode("cp932")  # really Shift_JIS
    imported = tmp_path / "imported.yaml"
    result = runner.invoke(main, ["import-survey", str(table), "--contractor", "procx", "--contractor-name",
                                  "株式会社NTTマーケティングアクトProCX", "--into", str(contractor_side), "-o", str(imported)])
    assert result.exit_code == 0, result.output
    chain = load_chain(imported)
    assert_seed_numbers(survey(chain, "procx"))
    assert export_survey(chain, "procx") == export_survey(procx_chain, "procx")  # exact round trip


def test_ten_bad_cells_are_all_reported_and_nothing_written(procx_chain, tmp_path):
    rows = export_survey(procx_chain, "procx")
    bad = [(1, 3, "たぶん"), (2, 4, "maybe"), (3, 2, "会社"), (4, 8, "電話"), (5, 13, "たくさん"),
           (6, 14, "平成32年"), (7, 9, "?"), (8, 10, "2"), (9, 11, "yes!"), (10, 0, "")]
    for row, col, value in bad:
        rows[row][col] = value
    table = tmp_path / "bad.csv"
    with open(table, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["import-survey", str(table), "--contractor", "procx", "--contractor-name",
                                       "ProCX", "-o", str(out)])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 10, result.output
    header = rows[0]
    for row, col, _ in bad:
        assert any(f"bad.csv:{row + 1}: {header[col]}:" in e for e in errors), (row, col)
    assert not out.exists()


def test_excel_date_cells_and_office_dates_are_read_as_periods(tmp_path):
    """A period typed as an Excel date (a date cell, not text) or as an office form writes it
    (R3.4.1～継続中, 令和3年度) imports as the period it means."""
    import datetime

    from openpyxl import Workbook, load_workbook

    table = tmp_path / "answers.xlsx"
    assert CliRunner().invoke(main, ["export-survey", str(PROCX), "--contractor", "procx", "-o",
                                     str(table)]).exit_code == 0
    book = load_workbook(table)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    column = header.index("委託期間") + 1
    sheet.cell(row=2, column=column).value = datetime.datetime(2015, 3, 1)  # a date cell
    sheet.cell(row=3, column=column).value = "R3.4.1～継続中"
    sheet.cell(row=4, column=column).value = "令和3年度"
    book.save(table)
    imported = tmp_path / "imported.yaml"
    result = CliRunner().invoke(main, ["import-survey", str(table), "--contractor", "procx",
                                       "--contractor-name", "ProCX", "-o", str(imported)])
    assert result.exit_code == 0, result.output
    periods = [e.parsed_period.iso() for e in load_chain(imported).entrustments[:3]]
    assert periods == ["2015-03-01/2015-03-01", "2021-04-01/", "2021-04/2022-03"]
