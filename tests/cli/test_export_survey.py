"""`chain export-survey`: ProCX's 69 answers as the survey table, in each encoding and as .xlsx."""
import csv
import io

import pytest

from .conftest import EXPECTED, PROCX, run


def export(tmp_path, name, *options):
    target = tmp_path / name
    result = run("export-survey", PROCX, "--contractor", "procx", "-o", target, *options)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    # The message names the file written, here in pytest's temporary directory, which differs
    # from run to run: that directory, and only it, is replaced by <tmp>.
    assert result.stderr.replace(str(tmp_path), "<tmp>") == f"69 rows written to <tmp>/{name}\n"
    return target


@pytest.mark.parametrize("encoding, name", [("utf-8-sig", "export-survey-procx.csv"),
                                            ("cp932", "export-survey-procx.cp932.csv")])
def test_csv(golden, tmp_path, encoding, name):
    golden(name, export(tmp_path, "table.csv", "--encoding", encoding).read_bytes())


def test_xlsx_holds_the_same_cells_as_the_csv(tmp_path):
    """An .xlsx is a zip with timestamps, never the same bytes twice: its cells are compared with
    the golden CSV's instead."""
    from openpyxl import load_workbook

    book = load_workbook(export(tmp_path, "table.xlsx"), read_only=True)
    assert book.sheetnames == ["委託元調査"]
    cells = [["" if v is None else v for v in row] for row in book.active.iter_rows(values_only=True)]
    expected = list(csv.reader(io.StringIO((EXPECTED / "export-survey-procx.csv").read_text(encoding="utf-8-sig"))))
    assert cells == expected


def test_unknown_contractor_exits_2_and_writes_nothing(golden, tmp_path):
    target = tmp_path / "table.csv"
    result = run("export-survey", PROCX, "--contractor", "nobody", "-o", target)
    assert result.exit_code == 2 and result.stdout == "" and not target.exists()
    golden("export-survey-unknown-contractor.txt", result.stderr)
