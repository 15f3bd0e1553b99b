"""Tables in and out, shared by the survey table (graph/io/survey_table.py) and the vendor
register (graph/io/ledger.py): CSV in UTF-8, UTF-8 with BOM or Shift_JIS/cp932, as Excel writes
them, or .xlsx; read strictly, written so that no spreadsheet runs a cell as a formula.

Tables are read strictly, since a spreadsheet is easily damaged without anyone noticing: every
CSV row has as many cells as the header, and an .xlsx row no value outside the header's columns;
at least one row below the header; one encoding for the whole CSV, decided by strict decoding (a
UTF-8 file with one Shift_JIS row is refused, naming that row, instead of being read wholly as
Shift_JIS); line ends CRLF or LF (a CR-only "CSV (Macintosh)" file is refused). An .xlsx archive
is checked before openpyxl parses it: its size expanded and its compression ratio, the cells of
every sheet, the XML elements of every part, and any DTD (no entity expansion, no external
entities). The limits are the constants below; environment variables raise them. Which columns a
table has, and what its cells mean, is the business of the module that reads it.

Formula injection: a cell that begins with = + - @, a tab or a CR is a formula to Excel and
LibreOffice when they open a CSV (``=HYPERLINK(…)`` as a consignor's name). The CSV export writes
such a cell with a leading apostrophe (the OWASP convention: the cell is then text, not a formula); the
.xlsx export stores it as a string, never a formula, with Excel's own quote-prefix style. Import
takes the apostrophe off again. The escape is reversible: a value that already begins with
apostrophes followed by one of those characters gets one more, so that every value, ``'=x``
included, comes back as it was. An .xlsx cell holding a formula is refused: formulas are not
evaluated, and the value a file caches for one may be stale or absent.
"""
from __future__ import annotations

import csv
import datetime
import io
import os
import re
import warnings
import zipfile
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from typing import Any, Callable

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import open_regular
from entrustment_chain.graph.io.output import replace_path
from entrustment_chain.graph.model.wareki import PartialDate

# Answers as survey tables write them (the survey reads these; the vendor register a few more).
YES = {"あり", "有", "有り", "yes", "true", "y", "○", "〇"}
NO = {"なし", "無", "無し", "no", "false", "n", "×"}
UNKNOWN = {"", "回答不能", "unknown", "不明", "-", "－"}
# A number of people: 約 (approximate), digits with commas, 万 (× 10,000, with up to four decimals:
# 1.2万), 人 or 名; full-width digits, commas and points too.
_SUBJECTS = re.compile(r"^(約)?([0-9,]+)(?:\.([0-9]+))?(万)?(人|名)?$")
_WIDE_NUMBER = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
_MAX_COUNT = 2 ** 63 - 1

# Limits on what is read, each raised by the environment variable named beside it. A survey
# table has a row per consignor and 16 columns: 200,000 cells are 12,500 consignors; a vendor
# register 24 columns, 8,000 entrustments.
MAX_TABLE_BYTES = 64 << 20            # a CSV or .xlsx file on disk; ENTRUSTMENT_CHAIN_MAX_TABLE_BYTES
MAX_TABLE_CELLS = 200_000             # cells of a CSV, or of any sheet's rows; ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS
MAX_XLSX_EXPANDED_BYTES = 64 << 20    # an .xlsx archive's parts, uncompressed; ENTRUSTMENT_CHAIN_MAX_XLSX_EXPANDED_BYTES
MAX_XLSX_RATIO = 100                  # expanded size / file size, once the parts exceed RATIO_FLOOR
XLSX_RATIO_FLOOR = 8 << 20            # below this an archive may be compressed any amount
XLSX_ELEMENTS_PER_CELL = 8            # XML elements of all parts ≤ this × the cell limit + 100,000
XLSX_MEMBERS = 10_000                 # parts in one archive
CSV_FIELD_BYTES = csv.field_size_limit()  # Python's csv module refuses longer cells (131,072 bytes)
HEADER_SEARCH = 20                    # rows (not empty) searched for the header, when a title may stand above it

# The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TableKind:
    """What a table is, as messages about it name it: ``what`` in "the limit for a survey
    table", ``row`` in "a row per consignor"."""

    what: str
    row: str


SURVEY_TABLE = TableKind("survey table", "consignor")


def _limit(variable: str, default: int) -> int:
    value = os.environ.get(variable)
    if value is None or value == "":
        return default
    try:
        number = int(value.replace("_", ""))
        if number <= 0:
            raise ValueError
        return number
    except ValueError:
        raise InputError([Problem(variable, None, "", f"expected a positive whole number, not {value!r}")]) from None


def show(value: str, width: int = 60) -> str:
    """``repr`` of a cell, cut short: a message quotes what it found, not a 100 KB cell."""
    return repr(value) if len(value) <= width else repr(value[:width]) + f"… ({len(value):,} characters)"


def letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_fields(table: Table, name: str, header_to_field: dict[str, str],
                  ja_header: dict[str, str]) -> tuple[list[str | None], dict[str, int], list[Problem]]:
    """Each column's field by its header (Japanese or English), the first column of each field,
    and the problems of the header: an unknown column (with a hint when the table was split on
    the wrong separator), a value under no header, a column given twice. The caller says which
    columns it cannot do without."""
    problems: list[Problem] = []
    fields: list[str | None] = []
    first_of: dict[str, int] = {}
    first_value: dict[int, int] = {}  # column → the first row with a value in it
    for line, row in table.rows:
        for i, cell in enumerate(row):
            if cell:
                first_value.setdefault(i, line)
    for col, title in enumerate(table.header):
        field = header_to_field.get(title)
        if field is None and title:
            separator = next((f" (the table seems separated by {sep!r}, not commas: save it as CSV)"
                              for sep in (";", "\t") if sep in title and len(table.header) == 1), "")
            problems.append(Problem(name, table.header_line, title if len(title) <= 40 else title[:40] + "…", (
                f"unknown column {show(title)} (column {letter(col)}); expected {', '.join(ja_header.values())} "
                f"(or their English names){separator}")))
        elif field is None and col in first_value:
            problems.append(Problem(name, first_value[col], f"column {letter(col)}", (
                f"a value in column {letter(col)}, which has no header (row {table.header_line} is empty there)")))
        elif field is not None and field in first_of:
            first = first_of[field]
            problems.append(Problem(name, table.header_line, title, (
                f"column {letter(col)} ({title}) repeats column {letter(first)} ({table.header[first]}): "
                "which of them holds the answers?")))
            field = None
        elif field is not None:
            first_of[field] = col
        fields.append(field)
    return fields, first_of, problems


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


# ---------------------------------------------------------------------------------------------
# Formula escape


def _is_formula_like(value: str) -> bool:
    """Whether the value, leading apostrophes aside, starts as a formula does."""
    return value.lstrip("'").startswith(FORMULA_STARTS)


def escape_csv_cell(value: str) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula: an apostrophe before ``=x``
    (and before ``'=x``, so that :func:`unescape_cell` can tell the two apart)."""
    return "'" + value if _is_formula_like(value) else value


def _escape_xlsx_cell(value: str) -> str:
    # An .xlsx string is never a formula: only a value that already starts with an apostrophe
    # needs one more, so that importing it does not take that one off.
    return "'" + value if value.startswith("'") and _is_formula_like(value) else value


# An .xlsx string holds any character as _xHHHH_ (ECMA-376 ST_Xstring): Excel writes a CR so,
# since XML reads a CR in text as LF, and writes a literal "_x0041_" as "_x005F_x0041_".
_OOXML_LITERAL = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_escape(value: str) -> str:
    return _OOXML_LITERAL.sub(r"_x005F_\1", value).replace("\r", "_x000D_")


def _ooxml_unescape(value: str) -> str:
    if "_x" not in value:
        return value

    def char(match: re.Match) -> str:
        code = int(match[1], 16)
        return match[0] if 0xD800 <= code <= 0xDFFF else chr(code)

    return _OOXML_ESCAPE.sub(char, value)


def unescape_cell(value: str) -> str:
    """The value written as ``value`` by :func:`escape_csv_cell` (or typed as ``'=x`` by hand)."""
    return value[1:] if value.startswith("'") and _is_formula_like(value) else value


# ---------------------------------------------------------------------------------------------
# Reading a table


@dataclass
class Table:
    """A table as read: the header, the rows below it (with their row numbers, empty rows
    left out) and the problems found in its shape (ragged rows, cells that cannot be values)."""

    name: str
    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]
    problems: list[Problem] = dataclass_field(default_factory=list)
    flagged: set[tuple[int, int]] = dataclass_field(default_factory=set)  # (row, column) already reported

    def column(self, index: int) -> str:
        """How a problem names a column: its title, or its letter when it has none."""
        title = self.header[index] if index < len(self.header) else ""
        return title or f"column {letter(index)}"


def read_table(path: str | Path, kind: TableKind = SURVEY_TABLE, *, sheet: str | None = None,
               is_header: Callable[[list[str]], bool] | None = None) -> Table:
    """The table in a CSV or .xlsx file (of its first worksheet, or of ``sheet``). Raises
    :class:`InputError` when it cannot be read as a table at all (missing, too large, not text,
    mixed encodings, no rows); problems of its shape are in ``Table.problems``.

    The header is the first row that is not empty, or with ``is_header`` the first of the first
    :data:`HEADER_SEARCH` rows that are not empty for which it is true (the rows above it, a
    title, are skipped); when none is, the first row that is not empty."""
    path = Path(path)
    name = str(path)
    raw_rows, cell_problems, fmt = _read_rows(path, name, kind, sheet)
    numbered = [(line, row) for line, row in raw_rows if any(row)]
    if not numbered:
        raise InputError([Problem(name, 1, "", f"the table is empty: a header row and a row per {kind.row} are expected")])
    start = 0
    if is_header is not None:
        start = next((i for i, (_, row) in enumerate(numbered[:HEADER_SEARCH]) if is_header(row)), 0)
    (header_line, header), body = numbered[start], numbered[start + 1:]
    if fmt == "xlsx":
        while header and not header[-1]:
            header = header[:-1]
    table = Table(name, header_line, header, [])
    for line, column, message in cell_problems:
        table.problems.append(Problem(name, line, table.column(column), message))
        table.flagged.add((line, column))
    width = len(header)
    for line, row in body:
        if fmt == "csv" and len(row) != width:
            if len(row) < width:
                table.problems.append(Problem(name, line, table.column(len(row)), (
                    f"the row has {len(row)} cells, the header {width}: {table.column(len(row))} "
                    f"(column {letter(len(row))}) and the columns after it are missing")))
            else:
                table.problems.append(Problem(name, line, f"column {letter(width)}", (
                    f"the row has {len(row)} cells, the header {width}: column {letter(width)} and the "
                    f"cells after it have no header (a comma too many, or a cell not quoted?)")))
            continue
        extra = next((i for i in range(width, len(row)) if row[i]), None)
        if extra is not None:
            table.problems.append(Problem(name, line, f"column {letter(extra)}", (
                f"a value in column {letter(extra)}, which has no header (got {show(row[extra])})")))
            continue
        table.rows.append((line, (row + [""] * width)[:width]))
    if not body:
        table.problems.append(Problem(name, header_line + 1, "", (
            f"the table has only its header (row {header_line}): no {kind.row} rows below it")))
    return table


def _read_rows(path: Path, name: str, kind: TableKind,
               sheet: str | None) -> tuple[list[tuple[int, list[str]]], list[tuple[int, int, str]], str]:
    """Rows of a file (every row with its 1-based number), problems of single cells (row,
    0-based column, message), and the format read."""
    max_bytes = _limit("ENTRUSTMENT_CHAIN_MAX_TABLE_BYTES", MAX_TABLE_BYTES)
    try:
        # a regular file only: a pipe would block, a device read on and on
        with open_regular(path, name) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise InputError([Problem(name, None, "", (
                    f"the file is {size:,} bytes, over the limit of {max_bytes:,} for a {kind.what}; "
                    "set ENTRUSTMENT_CHAIN_MAX_TABLE_BYTES to raise it"))])
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                magic = handle.read(8)
                raw = b""
            else:
                raw = handle.read(max_bytes + 1)
                magic = raw[:8]
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError([Problem(name, None, "", (
            "this is an Excel 97–2003 (.xls) or password-protected workbook, which is not read: save it as "
            ".xlsx without a password, or as CSV UTF-8"))])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not magic.startswith(b"PK"):
            raise InputError([Problem(name, None, "", "not an .xlsx workbook (an .xlsx file is a zip archive)")])
        rows, problems = _read_xlsx(path, name, kind, sheet)
        return rows, problems, "xlsx"
    if magic.startswith(b"PK\x03\x04"):
        raise InputError([Problem(name, None, "", "this is a zip archive (an .xlsx workbook?), not CSV text: "
                                  "name it .xlsx, or save it as CSV")])
    if len(raw) > max_bytes:  # it grew since it was measured
        raise InputError([Problem(name, None, "", f"the file is over the limit of {max_bytes:,} bytes")])
    if sheet is not None:
        raise InputError([Problem(name, None, "", f"--sheet {sheet!r} names a worksheet, but this is CSV text, "
                                  "which has none: leave --sheet out, or give the .xlsx workbook")])
    rows = _read_csv(raw, name, kind)
    return rows, [], "csv"


# CSV ----------------------------------------------------------------------------------------


class _Lines:
    """The physical lines of a text for csv.reader, remembering those of the record being read."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline=""))  # splits at CRLF, LF and a bare CR
        self.record: list[str] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        return line


def _read_csv(raw: bytes, name: str, kind: TableKind) -> list[tuple[int, list[str]]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(name, 1, "", "the file is UTF-16, which is not read: save it as CSV UTF-8 "
                                  "(or CSV in Shift_JIS)")])
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError([Problem(name, raw.count(b"\n", 0, nul) + 1, "", (
            f"a NUL byte at byte {nul:,}: this is not a CSV text file (UTF-16, or a binary file?)"))])
    bom = raw.startswith(_BOM)
    # Parse first, decode cell by cell after: latin-1 maps every byte to one character, and the
    # characters CSV is made of (comma, quote, CR, LF) are never part of a multi-byte character
    # in UTF-8 or Shift_JIS, so the cells come out as the bytes of their text.
    text = raw[len(_BOM):].decode("latin-1") if bom else raw.decode("latin-1")
    max_cells = _limit("ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS", MAX_TABLE_CELLS)
    if text.count(",") > 2 * max_cells:  # csv.reader would make a list of them all first, even in one row
        commas = 0
        for number, line in enumerate(io.StringIO(text, newline=""), start=1):
            commas += line.count(",")
            if commas > 2 * max_cells:
                raise InputError([Problem(name, number, "", (
                    f"the table has more than {max_cells:,} cells by its commas, the limit for a {kind.what}; "
                    "set ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS to raise it"))])
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    rows: list[tuple[int, list[str]]] = []
    cells = 0
    while True:
        number = len(rows) + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            header = next((r for _, r in rows if any(r)), [])
            raise InputError([_csv_error(name, number, header, "".join(lines.record), str(exc))]) from None
        ending = lines.record[-1] if lines.record else ""
        if ending.endswith("\r"):
            header = next((r for _, r in rows if any(r)), row)
            raise InputError([Problem(name, number, _raw_title(header, max(len(row) - 1, 0)), (
                "the row ends with a bare CR (carriage return) line end, as the old \"CSV (Macintosh)\" "
                "format writes: save the table as CSV UTF-8 (line ends CRLF or LF)"))])
        lines.record = []
        cells += len(row)
        if cells > max_cells:
            raise InputError([Problem(name, number, "", (
                f"the table has more than {max_cells:,} cells, the limit for a {kind.what}; set "
                "ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS to raise it"))])
        rows.append((number, row))
    encoding = _csv_encoding(rows, bom, name)
    return [(number, [unescape_cell(cell.encode("latin-1").decode(encoding).strip()) for cell in row])
            for number, row in rows]


def _raw_title(header: list[str], column: int) -> str:
    """The title of a column in a header not decoded yet (cells as latin-1), or its letter."""
    title = header[column] if column < len(header) else ""
    for encoding in ("utf-8", "cp932"):
        try:
            title = title.encode("latin-1").decode(encoding).strip()
            break
        except UnicodeDecodeError:
            title = ""
    return title or f"column {letter(column)}"


def _csv_error(name: str, row: int, header: list[str], record: str, message: str) -> Problem:
    """csv.Error says what, not where in the row: find the column by reading the row again."""
    column, quoted = _error_column(record, CSV_FIELD_BYTES)
    where = _raw_title(header, column)
    if "field larger than field limit" in message:
        hint = " (a quote at its start that is never closed?)" if quoted else ""
        text = f"a cell over {CSV_FIELD_BYTES:,} bytes, the longest a CSV cell can be here{hint}"
    elif "unexpected end of data" in message:
        text = "a quoted cell is never closed: its quote runs to the end of the file"
    elif "expected after" in message:
        text = 'a quote in the middle of a quoted cell: write a quote inside a quoted cell as two ("")'
    else:
        text = f"not CSV: {message}"
    return Problem(name, row, where, text)


def _error_column(record: str, limit: int) -> tuple[int, bool]:
    """The 0-based column at which strict CSV reading of ``record`` fails (too long a cell, a
    character after a closing quote, or the end of the text inside quotes), and whether that
    cell is quoted."""
    column = length = 0
    state = "start"  # start of a cell, in an unquoted cell, in quotes, after the closing quote
    i, n = 0, len(record)
    while i < n:
        ch = record[i]
        if state == "quoted":
            if ch == '"':
                if record[i + 1:i + 2] == '"':
                    i += 1
                    length += 1
                else:
                    state = "closed"
            else:
                length += 1
        elif state == "closed":
            if ch != ",":
                return column, True
            column, length, state = column + 1, 0, "start"
        elif ch == ",":
            column, length, state = column + 1, 0, "start"
        elif ch == '"' and state == "start":
            state = "quoted"
        elif ch in "\r\n":
            break
        else:
            state, length = "plain", length + 1
        if length > limit:
            return column, state == "quoted"
        i += 1
    return column, state in ("quoted", "closed")


def _csv_encoding(rows: list[tuple[int, list[str]]], bom: bool, name: str) -> str:
    """One encoding for the whole file: UTF-8 when every cell is UTF-8, else Shift_JIS (cp932)
    when no cell is UTF-8 text (beyond ASCII) and every cell is Shift_JIS. A file of both is
    refused at the first row that is not in the encoding most of its cells are in."""
    utf8: list[tuple[int, int]] = []
    other: list[tuple[int, int]] = []
    for number, row in rows:
        for column, cell in enumerate(row):
            if cell.isascii():
                continue
            try:
                cell.encode("latin-1").decode("utf-8")
                utf8.append((number, column))
            except UnicodeDecodeError:
                other.append((number, column))
    header = next((row for _, row in rows if any(row)), [])

    def column_name(column: int, encoding: str) -> str:
        title = header[column] if column < len(header) else ""
        try:
            title = title.encode("latin-1").decode(encoding).strip()
        except UnicodeDecodeError:
            title = ""
        return title or f"column {letter(column)}"

    if not other:
        return "utf-8"
    if bom:
        row, column = other[0]
        return _refuse(name, row, column_name(column, "utf-8"), (
            "not UTF-8, though the file starts with a UTF-8 byte order mark: the whole file must be in one "
            "encoding (save it again as CSV UTF-8)"))
    if not utf8:
        for number, row in rows:
            for column, cell in enumerate(row):
                try:
                    cell.encode("latin-1").decode("cp932")
                except UnicodeDecodeError:
                    return _refuse(name, number, column_name(column, "cp932"), (
                        "neither UTF-8 nor Shift_JIS (cp932): save the table as CSV UTF-8"))
        return "cp932"
    if len(utf8) >= len(other):
        (row, column), (example, _) = other[0], utf8[0]
        cell = rows[row - 1][1][column].encode("latin-1")
        try:
            cell.decode("cp932")
            guess = "Shift_JIS?"
        except UnicodeDecodeError:
            guess = "nor Shift_JIS"
        return _refuse(name, row, column_name(column, "utf-8"), (
            f"not UTF-8 ({guess}), while the rest of the file is UTF-8 (row {example}, for one): the whole "
            "file must be in one encoding; save it again as CSV UTF-8"))
    (row, column), (example, _) = utf8[0], other[0]
    return _refuse(name, row, column_name(column, "cp932"), (
        f"UTF-8, while the rest of the file is Shift_JIS (row {example}, for one): the whole file must be in "
        "one encoding; save it again as CSV UTF-8"))


def _refuse(name: str, row: int, column: str, message: str):
    raise InputError([Problem(name, row, column, message)])


# xlsx ---------------------------------------------------------------------------------------


def _read_xlsx(path: Path, name: str, kind: TableKind,
               sheet_name: str | None) -> tuple[list[tuple[int, list[str]]], list[tuple[int, int, str]]]:
    check_workbook(path, name, kind)
    from openpyxl import load_workbook

    rows: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, int, str]] = []
    try:
        with warnings.catch_warnings():  # "extension is not supported" and kin: nothing for the user to do
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=False)
            try:
                if not book.worksheets:
                    raise InputError([Problem(name, None, "", "the workbook has no worksheet")])
                if sheet_name is None:
                    sheet = book.worksheets[0]
                elif sheet_name in book.sheetnames and book[sheet_name] in book.worksheets:
                    sheet = book[sheet_name]
                else:
                    names = "、".join(repr(ws.title) for ws in book.worksheets)
                    raise InputError([Problem(name, None, "", (
                        f"the workbook has no worksheet {sheet_name!r}; its worksheets are {names}"))])
                sheet.reset_dimensions()  # rows as long as their cells, not as the sheet says it is
                for number, row in enumerate(sheet.iter_rows(min_row=1, min_col=1), start=1):
                    values = []
                    for column, cell in enumerate(row):
                        value, problem = _xlsx_value(cell)
                        if problem:
                            problems.append((number, column, problem))
                        values.append(value)
                    while values and not values[-1]:
                        values.pop()
                    rows.append((number, values))
            finally:
                book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError([Problem(name, None, "", f"cannot read the workbook: {type(exc).__name__}: {exc}")]) from None
    return rows, problems


def _xlsx_value(cell: Any) -> tuple[str, str | None]:
    value = cell.value
    if value is None:
        return "", None
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        shown = value if isinstance(value, str) else getattr(value, "text", None) or type(value).__name__
        return "", (f"the cell holds a formula ({show(str(shown))}), which is not evaluated: enter its value "
                    "instead (copy, then paste as values)")
    if kind == "e":
        return "", f"the cell shows the error {value}: enter a value"
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), None
    if isinstance(value, datetime.datetime):
        return (value.date().isoformat() if value.time() == datetime.time() else value.isoformat()), None
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat(), None
    if isinstance(value, datetime.timedelta):
        return "", f"the cell holds a duration ({value}), not a value of this table"
    return unescape_cell(_ooxml_unescape(str(value)).strip()), None


_CELL_COLUMN = re.compile(r"\$?([A-Za-z]{1,3})\$?\d")


def _row_number(r: str, otherwise: int) -> int:
    """A row's number as openpyxl reads its r attribute."""
    try:
        return int(r)
    except ValueError:
        try:
            number = float(r)
            return int(number) if number.is_integer() else otherwise
        except (ValueError, OverflowError):
            return otherwise


class _Extent:
    """What openpyxl will make of a sheet's rows, counted as its XML streams by: it yields every
    row up to the highest row number (those without cells as empty rows), each as long as the
    column of its last cell. The sheet's own <dimension> is not trusted (and is reset)."""

    def __init__(self) -> None:
        self.rows = 0      # the highest row number so far
        self.row = 0       # the current one, as openpyxl numbers rows without r
        self.column = 0    # the current cell's column, as openpyxl numbers cells without r
        self.widest = 0    # the widest column of the current row
        self.cells = 0     # cells of the rows before the current one

    def start_row(self, r: str | None) -> None:
        self.cells += self.widest
        self.row = self.row + 1 if r is None else _row_number(r, self.row + 1)
        self.rows = max(self.rows, self.row)
        self.column = self.widest = 0

    def start_cell(self, r: str | None) -> None:
        match = _CELL_COLUMN.match(r or "")
        self.column = _column_number(match[1].upper()) if match else self.column + 1
        self.widest = max(self.widest, self.column)

    @property
    def size(self) -> int:
        return self.cells + self.widest + self.rows


def check_workbook(path: str | Path, name: str | None = None, kind: TableKind = SURVEY_TABLE) -> None:
    """Refuse an .xlsx archive that would take openpyxl too much memory or time, before it
    parses anything: too large expanded, or compressed too far (a zip bomb); a sheet whose rows
    span more cells than the limit, or too many XML elements, counted as the XML streams by
    (through expat, which builds nothing); or a DTD in any part (no spreadsheet needs one: it is
    how entity-expansion bombs and external entities come in)."""
    import xml.parsers.expat

    name = name or str(path)
    max_cells = _limit("ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS", MAX_TABLE_CELLS)
    max_expanded = _limit("ENTRUSTMENT_CHAIN_MAX_XLSX_EXPANDED_BYTES", MAX_XLSX_EXPANDED_BYTES)
    max_elements = XLSX_ELEMENTS_PER_CELL * max_cells + 100_000

    def refuse(message: str, part: str | None = None) -> None:
        where = f"{part}: " if part else ""
        raise InputError([Problem(name, None, "", f"refused before reading: {where}{message}")])

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InputError([Problem(name, None, "", f"not an .xlsx workbook (not a readable zip archive: {exc})")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > XLSX_MEMBERS:
            refuse(f"the archive holds {len(infos):,} parts, over the limit of {XLSX_MEMBERS:,}")
        expanded = sum(info.file_size for info in infos)
        if expanded > max_expanded:
            refuse(f"its parts expand to {expanded:,} bytes, over the limit of {max_expanded:,} "
                   "(set ENTRUSTMENT_CHAIN_MAX_XLSX_EXPANDED_BYTES to raise it)")
        size = max(os.path.getsize(path), 1)
        if expanded > XLSX_RATIO_FLOOR and expanded / size > MAX_XLSX_RATIO:
            refuse(f"its {size:,} bytes expand to {expanded:,}, {expanded // size:,} times as many, over the "
                   f"limit of {MAX_XLSX_RATIO} times (a zip bomb?)")
        if any(info.flag_bits & 0x1 for info in infos):
            refuse("the archive is encrypted")
        elements = 0
        for info in infos:
            if info.is_dir():
                continue
            extent = _Extent()

            def start(tag: str, attrs: dict[str, str]) -> None:
                nonlocal elements
                elements += 1
                if elements > max_elements:
                    refuse(f"the workbook has more than {max_elements:,} XML elements, the most "
                           f"{max_cells:,} cells can need (set ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS to raise it)",
                           info.filename)
                local = tag.rpartition(":")[2]  # no namespace processing: "c" or "x:c"
                if local == "c":
                    extent.start_cell(attrs.get("r"))
                elif local == "row":
                    extent.start_row(attrs.get("r"))
                else:
                    return
                if extent.size > max_cells:
                    refuse(f"the sheet's rows span more than {max_cells:,} cells, the limit for a {kind.what} "
                           f"(row {extent.row:,} reaches column {letter(max(extent.widest, 1) - 1)}; "
                           "set ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS to raise it)", info.filename)

            def doctype(*_: Any) -> None:
                refuse("it declares a DTD (<!DOCTYPE …>), which no spreadsheet needs: entity expansion and "
                       "external entities are not allowed", info.filename)

            parser = xml.parsers.expat.ParserCreate()
            parser.StartElementHandler = start
            parser.StartDoctypeDeclHandler = doctype
            parser.EntityDeclHandler = doctype
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 20):
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
            except InputError:
                raise
            except xml.parsers.expat.ExpatError:
                continue  # not XML (an image, a VBA project) or broken: openpyxl reports what it needs
            except Exception as exc:  # zlib.error, a bad CRC, an unsupported compression: a damaged archive
                refuse(f"the part cannot be read: {type(exc).__name__}: {exc}", info.filename)



# ---------------------------------------------------------------------------------------------
# Answers


def answer(value: str, yes: set[str] = YES, no: set[str] = NO, unknown: set[str] = UNKNOWN) -> tuple[bool | None, bool]:
    """A yes/no/unknown answer: (True, False or None, whether the value is one of the answers)."""
    v = value.strip().lower()
    if v in yes:
        return True, True
    if v in no:
        return False, True
    if v in unknown:
        return None, True
    return None, False


_SERIAL = re.compile(r"^[0-9]{5}(\.[0-9]+)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's 1900-02-29


def excel_serial_hint(value: str) -> str | None:
    """When ``value``, which is not a date, looks like an Excel date serial (a date cell that lost
    its date format, e.g. 44515): a message saying so, with the date it would be. Five digits,
    1927-05-18 to 2173-10-14: a table's dates fall there, and shorter numbers are years or
    counts. The number is never taken for the date: the cell is to be formatted as one."""
    text = value.strip().translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if not _SERIAL.match(text):
        return None
    day = _EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    wareki = PartialDate(day.year, day.month, day.day).wareki().replace(" ", "")
    return (f"{value.strip()!r} looks like an Excel date serial, which would be {day.isoformat()} ({wareki}): the "
            "cell has lost its date format. Format the cell as a date (セルの書式設定 → 日付), or write the date "
            f"({wareki}); a number is not read as a date")


def parse_subjects(value: str) -> tuple[dict[str, Any] | None, str | None]:
    """A number of people as a table writes it (``約 231,000 人``, ``231000``, ``60,000名``,
    ``約12万人``, ``1.2万``): the chain file's ``data_subjects`` ({count, approximate}: approximate
    when 約 is written), or the message saying why it is not one."""
    expected = "expected a number of people, e.g. 約 231,000 人 or 231000"
    m = _SUBJECTS.match(re.sub(r"\s", "", value).translate(_WIDE_NUMBER))
    if not m:
        return None, expected
    digits, decimals, man = m[2].replace(",", ""), m[3], bool(m[4])
    if not digits:
        return None, expected
    if decimals is not None and (not man or len(decimals) > 4):
        return None, f"{expected} (a whole number of people{': 万 with at most four decimals' if man else ''})"
    size = len(digits.lstrip("0")) + (4 if man else 0)
    if size > 19:  # beyond any int64 (and int()'s digit limit)
        return None, (f"a number of {size:,} digits is more people than can be counted "
                      f"(at most {_MAX_COUNT:,})")
    count = int(digits) * 10_000 + int((decimals or "").ljust(4, "0")) if man else int(digits)
    return {"count": count, "approximate": bool(m[1])}, None


def format_subjects(count: int, approximate: bool) -> str:
    """``data_subjects`` as a table writes it: ``約 231,000 人`` when approximate, else the digits."""
    return f"約 {count:,} 人" if approximate else str(count)


# ---------------------------------------------------------------------------------------------
# Writing a table

# Characters XML 1.0 does not allow (openpyxl would write them, and no reader could open the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", name: str = "<stdout>") -> bytes:
    """The table as CSV in ``encoding``, cells that a spreadsheet would run as formulas escaped
    (see the module's docstring). A cell that ``encoding`` cannot hold is an :class:`InputError`
    naming ``name``, its row and its column."""
    rows = [[escape_csv_cell(cell) for cell in row] for row in rows]
    problems = []
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            try:
                cell.encode(encoding)
            except UnicodeEncodeError as exc:
                problems.append(Problem(name, number, rows[0][column], (
                    f"{cell[exc.start:exc.end]!r} in {show(cell)} cannot be written in {encoding}: "
                    "choose --encoding utf-8-sig")))
    if problems:
        raise InputError(problems)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def write_table(rows: list[list[str]], path: str | Path, encoding: str = "utf-8-sig",
                inputs: tuple[str | Path, ...] = (), *, sheet_title: str = "委託元調査",
                decorate: Callable[[Any, Any], None] | None = None) -> None:
    """Write the table to ``path`` (.xlsx, else CSV in ``encoding``: :func:`csv_bytes`),
    atomically, never onto one of ``inputs`` (see graph/io/output.py). In an .xlsx every value is
    a string cell, never a formula, on a sheet called ``sheet_title``; ``decorate(book, sheet)``,
    when given, adds to the workbook (formats, lists, a sheet of explanations) before it is saved.
    Nothing is written when a cell cannot be."""
    if Path(path).suffix.lower() != ".xlsx":
        data = csv_bytes(rows, encoding, str(path))
        replace_path(path, lambda tmp: Path(tmp).write_bytes(data), inputs)
        return
    problems = []
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            found = _NOT_XML.search(cell)
            if found:
                problems.append(Problem(str(path), number, rows[0][column], (
                    f"U+{ord(found.group()):04X} in {show(cell)} cannot be written in an .xlsx (XML does "
                    "not allow it): write CSV instead")))
    if problems:
        raise InputError(problems)
    replace_path(path, lambda tmp: _write_xlsx(rows, Path(tmp), sheet_title, decorate), inputs)


def _write_xlsx(rows: list[list[str]], path: Path, sheet_title: str = "委託元調査",
                decorate: Callable[[Any, Any], None] | None = None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    append_text_rows(sheet, rows)
    if decorate is not None:
        decorate(book, sheet)
    path.write_bytes(xlsx_bytes(book))


# The time an .xlsx says it was made (docProps/core.xml, and each zip entry): SOURCE_DATE_EPOCH when
# set (reproducible builds), else this constant, so that the same table is the same bytes.
FIXED_XLSX_TIME = datetime.datetime(2000, 1, 1)


def _xlsx_time() -> datetime.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).replace(tzinfo=None)
        return max(moment, datetime.datetime(1980, 1, 1))  # a zip entry cannot be dated earlier
    return FIXED_XLSX_TIME


def xlsx_bytes(book: Any) -> bytes:
    """An openpyxl workbook as the bytes of its .xlsx, deterministically: its core properties
    created and modified at :func:`_xlsx_time` (openpyxl's ``save`` sets now), and every zip entry
    dated then, with the same permissions, so that writing the same workbook twice gives the same
    file (``cmp``)."""
    from openpyxl.writer.excel import ExcelWriter

    moment = _xlsx_time()
    book.properties.created = moment
    book.properties.modified = moment
    raw = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def append_text_rows(sheet: Any, rows: list[list[str]]) -> None:
    """Append ``rows`` to an openpyxl worksheet as string cells (never a formula nor an error
    value), escaped as :func:`unescape_cell` and the .xlsx reader undo."""
    for row in rows:
        sheet.append([_ooxml_escape(_escape_xlsx_cell(cell)) for cell in row])
    for cells in sheet.iter_rows(min_row=max(sheet.max_row - len(rows) + 1, 1)):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula ("=…") nor an error value ("#N/A")
                if _is_formula_like(cell.value):
                    cell.quotePrefix = True  # as Excel stores text typed as '=…
