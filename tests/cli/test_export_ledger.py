"""`chain export-ledger`: the imported sample register (the golden of import-ledger, used here as
the input) back as the table it came from, byte for byte in cp932; in UTF-8 and as .xlsx; what
a register has no column for; an unknown consignor; the empty template."""
import csv
import io

import pytest

from .conftest import EXPECTED, INPUTS, ROOT, run

CHAIN = "tests/cli/expected/import-ledger-sakura.yaml"
SAMPLE = ROOT / "fixtures" / "ledger" / "sakura-ledger.cp932.csv"


def export(tmp_path, name, *options, rows=6):
    target = tmp_path / name
    result = run("export-ledger", CHAIN, "--consignor", "sakura", "-o", target, *options)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    # the message names the file written, in pytest's temporary directory: only it is replaced
    assert result.stderr.replace(str(tmp_path), "<tmp>") == f"{rows} rows written to <tmp>/{name}\n"
    return target


def test_cp932_is_the_sample_byte_for_byte(golden, tmp_path):
    data = export(tmp_path, "table.csv", "--encoding", "cp932").read_bytes()
    golden("export-ledger-sakura.cp932.csv", data)
    golden.reference(SAMPLE, data)


def test_utf8_with_bom(golden, tmp_path):
    data = export(tmp_path, "table.csv").read_bytes()
    golden("export-ledger-sakura.csv", data)
    assert data.decode("utf-8-sig") == SAMPLE.read_bytes().decode("cp932")


def test_standard_output(golden):
    result = run("export-ledger", CHAIN, "--consignor", "sakura", "-o", "-", "--encoding", "cp932")
    assert result.exit_code == 0 and result.stderr == "6 rows written to standard output\n"
    golden.reference(SAMPLE, result.stdout_bytes)


def test_xlsx_holds_the_same_cells_and_imports_as_the_same_chain(tmp_path):
    from openpyxl import load_workbook

    table = export(tmp_path, "table.xlsx")
    book = load_workbook(table, read_only=True)
    assert book.sheetnames == ["委託先管理台帳", "記入方法"]
    cells = [["" if v is None else v for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    assert cells == list(csv.reader(io.StringIO(SAMPLE.read_bytes().decode("cp932"))))
    result = run("import-ledger", table, "--consignor", "sakura")
    assert result.exit_code == 0, result.output
    assert result.stdout == (EXPECTED / "import-ledger-sakura.yaml").read_text(encoding="utf-8")


def test_what_the_register_cannot_hold_is_listed(golden, tmp_path):
    target = tmp_path / "t.csv"
    result = run("export-ledger", "fixtures/teaching/my-number-payroll/chain.yaml", "--consignor", "town", "-o", target)
    assert result.exit_code == 0, result.output
    golden("export-ledger-left-out.txt", result.stderr.replace(str(tmp_path), "<tmp>"))


def test_access_the_register_cannot_hold_is_named(golden, tmp_path):
    """botan can reach a system holding sakura's data under no recorded contract: analyze reports
    it, and export-ledger, which has no row for it, says so (the table is still written)."""
    target = tmp_path / "t.csv"
    result = run("export-ledger", f"{INPUTS}/ledger-access-unrecorded.yaml", "--consignor", "sakura", "-o", target)
    assert result.exit_code == 0, result.output
    golden("export-ledger-access-unrecorded.txt", result.stderr.replace(str(tmp_path), "<tmp>"))
    assert target.read_bytes() == (EXPECTED / "export-ledger-sakura.csv").read_bytes()


@pytest.mark.parametrize("consignor", ["nobody", "kaede"])
def test_unknown_consignor_exits_2_and_writes_nothing(golden, tmp_path, consignor):
    target = tmp_path / "table.csv"
    result = run("export-ledger", CHAIN, "--consignor", consignor, "-o", target)
    assert result.exit_code == 2 and result.stdout == "" and not target.exists()
    golden(f"export-ledger-unknown-consignor-{consignor}.txt", result.stderr)


def test_template_csv(golden, tmp_path):
    target = tmp_path / "template.csv"
    result = run("export-ledger", "--template", "-o", target)
    assert result.exit_code == 0, result.output
    golden("export-ledger-template.csv", target.read_bytes())


def test_xlsx_import_then_export_is_the_sample_byte_for_byte(tmp_path, monkeypatch):
    """The sample workbook (fixtures/ledger/sakura-ledger.xlsx, written by scripts/ledger-sample)
    imported, then exported as .xlsx, is the same file (``cmp``): the writer dates the workbook's
    core properties and every zip entry at a fixed time, not now."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    chain = tmp_path / "chain.yaml"
    result = run("import-ledger", "fixtures/ledger/sakura-ledger.xlsx", "--consignor", "sakura", "-o", chain)
    assert result.exit_code == 0, result.output
    first = export(tmp_path, "back.xlsx").read_bytes()
    assert first == (ROOT / "fixtures" / "ledger" / "sakura-ledger.xlsx").read_bytes()
    result = run("export-ledger", chain, "--consignor", "sakura", "-o", tmp_path / "again.xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.xlsx").read_bytes() == first


def test_xlsx_dated_by_source_date_epoch(tmp_path, monkeypatch):
    import zipfile

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    with zipfile.ZipFile(export(tmp_path, "t.xlsx")) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2023-11-14T22:13:20Z") == 2
