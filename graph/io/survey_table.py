"""Survey spreadsheets in and out: one row per consignor's entrustment to one contractor, with
あり/なし/回答不能 answers, as regulators and auditors collect them (CSV in UTF-8, UTF-8 with BOM or
Shift_JIS/cp932, as Excel writes them; or .xlsx).

``import_survey`` checks every cell and reports every bad one with its row and column at once;
``export_survey`` writes the same table back from a chain file, so a round trip is exact.

Tables are read strictly, since a spreadsheet is easily damaged without anyone noticing: every
CSV row has as many cells as the header, and an .xlsx row no value outside the header's columns;
no column twice, none unknown, at least one row below the header; one encoding for the whole CSV,
decided by strict decoding (a UTF-8 file with one Shift_JIS row is refused, naming that row,
instead of being read wholly as Shift_JIS); line ends CRLF or LF (a CR-only "CSV (Macintosh)"
file is refused). An .xlsx archive is checked before openpyxl parses it: its size expanded and
its compression ratio, the cells of every sheet, the XML elements of every part, and any DTD (no
entity expansion, no external entities). The limits are the constants below; environment
variables raise them.

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
from typing import Any

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import chain_from_dict, open_regular
from entrustment_chain.graph.io.output import replace_path
from entrustment_chain.graph.model.chain import KIND_JA, ChainFile
from entrustment_chain.graph.model.wareki import WarekiError, parse_period

# (Japanese header, English header, what it holds)
COLUMNS = (
    ("委託元ID", "consignor", "id"),
    ("委託元名", "name", "name"),
    ("種別", "kind", "kind"),
    ("授受の安全管理", "transfer_safety", "clauses"),
    ("保管の安全管理", "storage_safety", "clauses"),
    ("廃棄の安全管理", "disposal_safety", "clauses"),
    ("再委託の制限", "subcontract_restriction", "clauses"),
    ("再委託の確認", "subcontract_check", "supervision"),
    ("確認方法", "subcontract_check_method", "method"),
    ("規律の確認", "rules_confirmation", "supervision"),
    ("書面報告", "written_reports", "supervision"),
    ("実地確認", "onsite_inspection", "supervision"),
    ("再委託先の説明", "informed_subcontractors", "informed"),
    ("本人数", "data_subjects", "subjects"),
    ("委託期間", "period", "period"),
    ("備考", "note", "note"),
)
HEADER_TO_FIELD = {**{ja: en for ja, en, _ in COLUMNS}, **{en: en for _, en, _ in COLUMNS}}
JA_HEADER = {en: ja for ja, en, _ in COLUMNS}
FIELD_KIND = {en: kind for _, en, kind in COLUMNS}

YES = {"あり", "有", "有り", "yes", "true", "y", "○", "〇"}
NO = {"なし", "無", "無し", "no", "false", "n", "×"}
UNKNOWN = {"", "回答不能", "unknown", "不明", "-", "－"}
NONE_INFORMED = {"なし", "none"}
KINDS = {"民間事業者": "private", "private": "private", "地方公共団体": "local_government",
         "local_government": "local_government", "行政機関等": "public_agency", "public_agency": "public_agency"}
METHODS = {"書面": "written", "written": "written", "口頭": "oral", "oral": "oral"}
METHOD_JA = {"written": "書面", "oral": "口頭"}
_SUBJECTS = re.compile(r"^(約)?\s*([0-9０-９,，]+)\s*(人)?$")
_INFORMED_SEPARATORS = "、,;，"

# Limits on what is read, each raised by the environment variable named beside it. A survey
# table has a row per consignor and 16 columns: 200,000 cells are 12,500 consignors.
MAX_TABLE_BYTES = 64 << 20            # a CSV or .xlsx file on disk; ENTRUSTMENT_CHAIN_MAX_TABLE_BYTES
MAX_TABLE_CELLS = 200_000             # cells of a CSV, or of any sheet's rows; ENTRUSTMENT_CHAIN_MAX_TABLE_CELLS
MAX_XLSX_EXPANDED_BYTES = 64 << 20    # an .xlsx archive's parts, uncompressed; ENTRUSTMENT_CHAIN_MAX_XLSX_EXPANDED_BYTES
MAX_XLSX_RATIO = 100                  # expanded size / file size, once the parts exceed RATIO_FLOOR
XLSX_RATIO_FLOOR = 8 << 20            # below this an archive may be compressed any amount
XLSX_ELEMENTS_PER_CELL = 8            # XML elements of all parts ≤ this × the cell limit + 100,000
XLSX_MEMBERS = 10_000                 # parts in one archive
CSV_FIELD_BYTES = csv.field_size_limit()  # Python's csv module refuses longer cells (131,072 bytes)

# The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_BOM = b"\xef\xbb\xbf"


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


def _show(value: str, width: int = 60) -> str:
    """``repr`` of a cell, cut short: a message quotes what it found, not a 100 KB cell."""
    return repr(value) if len(value) <= width else repr(value[:width]) + f"… ({len(value):,} characters)"


def _letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
    """A survey table as read: the header, the rows below it (with their row numbers, empty rows
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
        return title or f"column {_letter(index)}"


def read_table(path: str | Path) -> Table:
    """The table in a CSV or .xlsx file. Raises :class:`InputError` when it cannot be read as a
    table at all (missing, too large, not text, mixed encodings, no rows); problems of its shape
    are in ``Table.problems``."""
    path = Path(path)
    name = str(path)
    raw_rows, cell_problems, fmt = _read_rows(path, name)
    numbered = [(line, row) for line, row in raw_rows if any(row)]
    if not numbered:
        raise InputError([Problem(name, 1, "", "the table is empty: a header row and a row per consignor are expected")])
    (header_line, header), body = numbered[0], numbered[1:]
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
                    f"(column {_letter(len(row))}) and the columns after it are missing")))
            else:
                table.problems.append(Problem(name, line, f"column {_letter(width)}", (
                    f"the row has {len(row)} cells, the header {width}: column {_letter(width)} and the "
                    f"cells after it have no header (a comma too many, or a cell not quoted?)")))
            continue
        extra = next((i for i in range(width, len(row)) if row[i]), None)
        if extra is not None:
            table.problems.append(Problem(name, line, f"column {_letter(extra)}", (
                f"a value in column {_letter(extra)}, which has no header (got {_show(row[extra])})")))
            continue
        table.rows.append((line, (row + [""] * width)[:width]))
    if not body:
        table.problems.append(Problem(name, header_line + 1, "", (
            f"the table has only its header (row {header_line}): no consignor rows below it")))
    return table


def _read_rows(path: Path, name: str) -> tuple[list[tuple[int, list[str]]], list[tuple[int, int, str]], str]:
    """Rows of a file (every row with its 1-based number), problems of single cells (row,
    0-based column, message), and the format read."""
    max_bytes = _limit("ENTRUSTMENT_CHAIN_MAX_TABLE_BYTES", MAX_TABLE_BYTES)
    try:
        # a regular file only: a pipe would block, a device read on and on
        with open_regular(path, name) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise InputError([Problem(name, None, "", (
                    f"the file is {size:,} bytes, over the limit of {max_bytes:,} for a survey table; "
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
        rows, problems = _read_xlsx(path, name)
        return rows, problems, "xlsx"
    if magic.startswith(b"PK\x03\x04"):
        raise InputError([Problem(name, None, "", "this is a zip archive (an .xlsx workbook?), not CSV text: "
                                  "name it .xlsx, or save it as CSV")])
    if len(raw) > max_bytes:  # it grew since it was measured
        raise InputError([Problem(name, None, "", f"the file is over the limit of {max_bytes:,} bytes")])
    rows = _read_csv(raw, name)
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


def _read_csv(raw: bytes, name: str) -> list[tuple[int, list[str]]]:
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
                    f"the table has more than {max_cells:,} cells by its commas, the limit for a survey table; "
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
                f"the table has more than {max_cells:,} cells, the limit for a survey table; set "
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
    return title or f"column {_letter(column)}"


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
        return title or f"column {_letter(column)}"

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


def _read_xlsx(path: Path, name: str) -> tuple[list[tuple[int, list[str]]], list[tuple[int, int, str]]]:
    check_workbook(path, name)
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
                sheet = book.worksheets[0]
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
        return "", (f"the cell holds a formula ({_show(str(shown))}), which is not evaluated: enter its value "
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


def check_workbook(path: str | Path, name: str | None = None) -> None:
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
                    refuse(f"the sheet's rows span more than {max_cells:,} cells, the limit for a survey "
                           f"table (row {extent.row:,} reaches column {_letter(max(extent.widest, 1) - 1)}; "
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
# Import


def _answer(value: str) -> tuple[bool | None, bool]:
    v = value.strip().lower()
    if v in YES:
        return True, True
    if v in NO:
        return False, True
    if v in UNKNOWN:
        return None, True
    return None, False


def import_survey(path: str | Path, contractor: str, contractor_name: str,
                  base: ChainFile | None = None) -> dict[str, Any]:
    """A chain file (as data) from a survey table; with ``base``, merged into that chain, the
    imported entrustments naming the systems the contractor operates there. The data is a valid
    chain file: what the chain file model refuses (a control character in a name, an id too
    long) is reported at the row and column it came from."""
    name = str(path)
    table = read_table(path)
    problems = table.problems
    fields: list[str | None] = []
    first_of: dict[str, int] = {}
    first_value: dict[int, int] = {}  # column → the first row with a value in it
    for line, row in table.rows:
        for i, cell in enumerate(row):
            if cell:
                first_value.setdefault(i, line)
    for col, title in enumerate(table.header):
        field = HEADER_TO_FIELD.get(title)
        if field is None and title:
            separator = next((f" (the table seems separated by {sep!r}, not commas: save it as CSV)"
                              for sep in (";", "\t") if sep in title and len(table.header) == 1), "")
            problems.append(Problem(name, table.header_line, title if len(title) <= 40 else title[:40] + "…", (
                f"unknown column {_show(title)} (column {_letter(col)}); expected {', '.join(JA_HEADER.values())} "
                f"(or their English names){separator}")))
        elif field is None and col in first_value:
            problems.append(Problem(name, first_value[col], f"column {_letter(col)}", (
                f"a value in column {_letter(col)}, which has no header (row {table.header_line} is empty there)")))
        elif field is not None and field in first_of:
            first = first_of[field]
            problems.append(Problem(name, table.header_line, title, (
                f"column {_letter(col)} ({title}) repeats column {_letter(first)} ({table.header[first]}): "
                "which of them holds the answers?")))
            field = None
        elif field is not None:
            first_of[field] = col
        fields.append(field)
    missing = [JA_HEADER[f] for f in ("consignor", "name") if f not in first_of]
    if missing:
        problems.append(Problem(name, table.header_line, "", f"missing columns: {', '.join(missing)}"))
        raise InputError(problems)
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True) if base else {
        "schema": "entrustment-chain/v1", "title": f"{contractor_name} 委託元調査",
        "organizations": [], "systems": [], "entrustments": [], "access": []}
    orgs = {o["id"] for o in data["organizations"]}
    # where each organisation and entrustment came from, to name the cell the model refuses
    org_source: dict[int, tuple[int | None, str]] = {}
    entrustment_source: dict[int, int] = {}
    if contractor not in orgs:
        org_source[len(data["organizations"])] = (None, "--contractor")
        data["organizations"].append({"id": contractor, "name": contractor_name, "kind": "private"})
        orgs.add(contractor)
    systems = [s["id"] for s in data.get("systems", []) if s.get("operator") == contractor]
    seen: dict[str, int] = {}
    for line, row in table.rows:
        cells = {field: row[i] for i, field in enumerate(fields) if field}
        reported = {fields[i] for i in range(len(fields)) if (line, i) in table.flagged}

        def bad(field: str, message: str) -> None:
            if field in reported:  # the cell could not be read: that is said already
                return
            problems.append(Problem(name, line, JA_HEADER[field], f"{message} (got {_show(cells.get(field, ''))})"))

        consignor = cells.get("consignor", "")
        if not consignor:
            bad("consignor", "a consignor id is required")
            continue
        if consignor in seen:
            bad("consignor", f"consignor {_show(consignor)} already has a row ({seen[consignor]})")
            continue
        seen[consignor] = line
        entrustment: dict[str, Any] = {"id": f"{consignor}-{contractor}", "consignor": consignor,
                                       "contractor": contractor, "personal_data": True}
        if systems:
            entrustment["systems"] = systems
        clauses, supervision = {}, {}
        for field, value in cells.items():
            kind = FIELD_KIND[field]
            if kind in ("clauses", "supervision"):
                answer, ok = _answer(value)
                if not ok:
                    bad(field, "expected あり, なし or 回答不能 (or yes/no/unknown)")
                (clauses if kind == "clauses" else supervision)[field] = answer
            elif kind == "method" and value:
                if value not in METHODS:
                    bad(field, "expected 書面 or 口頭 (or written/oral)")
                else:
                    supervision[field] = METHODS[value]
            elif kind == "informed":
                if value in NONE_INFORMED:
                    entrustment["informed_subcontractors"] = []
                elif value and value not in UNKNOWN:
                    entrustment["informed_subcontractors"] = [
                        v.strip() for v in re.split(f"[{_INFORMED_SEPARATORS}]", value) if v.strip()]
            elif kind == "subjects" and value and value not in UNKNOWN:
                m = _SUBJECTS.match(value.replace(" ", ""))
                if not m:
                    bad(field, "expected a number of people, e.g. 約 231,000 人 or 231000")
                else:
                    digits = m[2].translate(str.maketrans("０１２３４５６７８９，", "0123456789,")).replace(",", "")
                    if not digits:
                        bad(field, "expected a number of people, e.g. 約 231,000 人 or 231000")
                    elif len(digits.lstrip("0")) > 19:  # beyond any int64 (and int()'s digit limit)
                        bad(field, f"a number of {len(digits):,} digits is more people than can be counted "
                                   "(at most 9,223,372,036,854,775,807)")
                    else:
                        entrustment["data_subjects"] = {"count": int(digits), "approximate": bool(m[1])}
            elif kind == "period" and value:
                try:
                    parse_period(value)
                    entrustment["period"] = value
                except WarekiError as exc:
                    bad(field, str(exc))
            elif kind == "note" and value:
                entrustment["evidence"] = [{"kind": "survey_answer", "note": value}]
        if supervision.get("subcontract_check_method") and supervision.get("subcontract_check") is False:
            bad("subcontract_check_method", "a method is given but 再委託の確認 is なし")
        kind_value = cells.get("kind", "")
        if kind_value and kind_value not in KINDS:
            bad("kind", "expected 民間事業者, 地方公共団体 or 行政機関等")
        if not cells.get("name"):
            bad("name", "a consignor name is required")
        if consignor not in orgs:
            org_source[len(data["organizations"])] = (line, "")
            data["organizations"].append({"id": consignor, "name": cells.get("name", ""),
                                          "kind": KINDS.get(kind_value, "private")})
            orgs.add(consignor)
        if any(v is not None for v in clauses.values()):
            entrustment["clauses"] = clauses
        if any(v is not None for v in supervision.values()):
            entrustment["supervision"] = supervision
        if "informed_subcontractors" in entrustment:
            entrustment["approved_subcontractors"] = []
        entrustment_source[len(data["entrustments"])] = line
        data["entrustments"].append(entrustment)
    if problems:
        raise InputError(problems)
    try:
        chain_from_dict(data, name)
    except InputError as exc:
        cells = [_cell_of(p, name, org_source, entrustment_source) for p in exc.problems]
        raise InputError(sorted(cells, key=lambda p: (p.file != name, p.line or 0))) from None
    return data


_MODEL_PATH = re.compile(r"^(organizations|entrustments)\[(\d+)\](?:\.([a-z_]+))?(?:\[\d+\])?(?:\.([a-z_]+))?")
_ORG_COLUMN = {"id": "consignor", "name": "name", "kind": "kind"}
_ENTRUSTMENT_COLUMN = {"id": "consignor", "consignor": "consignor", "contractor": "consignor",
                       "informed_subcontractors": "informed_subcontractors",
                       "approved_subcontractors": "informed_subcontractors", "data_subjects": "data_subjects",
                       "period": "period", "evidence": "note", "clauses": "transfer_safety",
                       "supervision": "subcontract_check"}


def _cell_of(problem: Problem, name: str, org_source: dict[int, tuple[int | None, str]],
             entrustment_source: dict[int, int]) -> Problem:
    """A problem the chain file model found in the imported data, at the table cell it came from
    (or the option, for the contractor and its name)."""
    message = problem.message
    if problem.field == "title":
        return Problem("--contractor-name", None, "", message)
    match = _MODEL_PATH.match(problem.field)
    if match:
        section, index, key, sub = match[1], int(match[2]), match[3] or "", match[4] or ""
        if section == "organizations" and index in org_source:
            line, option = org_source[index]
            if line is None:
                return Problem("--contractor-name" if key == "name" else option, None, "", message)
            return Problem(name, line, JA_HEADER[_ORG_COLUMN.get(key, "consignor")], message)
        if section == "entrustments" and index in entrustment_source:
            column = sub if sub in JA_HEADER else _ENTRUSTMENT_COLUMN.get(key, "consignor")
            return Problem(name, entrustment_source[index], JA_HEADER[column], message)
    return Problem(name, None, problem.field, message)


# ---------------------------------------------------------------------------------------------
# Export


def _yes_no(value: bool | None) -> str:
    return "回答不能" if value is None else ("あり" if value else "なし")


def export_survey(chain: ChainFile, contractor: str, source: str = "<chain>") -> list[list[str]]:
    """The survey table (header first) of ``contractor``'s consignors, in the file's order: the
    values themselves, before any escape (:func:`write_table` makes the cells safe)."""
    orgs = chain.organizations_by_id
    rows = [[ja for ja, _, _ in COLUMNS]]
    problems = []
    for index, e in enumerate(chain.entrustments):
        if e.contractor != contractor:
            continue
        org = orgs[e.consignor]
        subjects = ""
        if e.data_subjects is not None:
            subjects = f"約 {e.data_subjects.count:,} 人" if e.data_subjects.approximate else str(e.data_subjects.count)
        if e.informed_subcontractors is None:
            informed = "回答不能"
        elif not e.informed_subcontractors:
            informed = "なし"
        else:
            for handler in e.informed_subcontractors:
                if any(ch in handler for ch in _INFORMED_SEPARATORS):
                    problems.append(Problem(source, None, f"entrustments[{index}].informed_subcontractors", (
                        f"the id {handler!r} holds one of {' '.join(_INFORMED_SEPARATORS)}, which separate the "
                        f"ids of the column {JA_HEADER['informed_subcontractors']}: it cannot be written in a "
                        "survey table")))
            informed = "、".join(e.informed_subcontractors)
            if informed in UNKNOWN or informed in NONE_INFORMED:
                informed += "、"  # one id called なし or -: a list still, not the answer
        period = e.period if isinstance(e.period, str) else (e.parsed_period.iso() if e.period else "")
        rows.append([
            e.consignor, org.name, KIND_JA[org.kind.value],
            *(_yes_no(getattr(e.clauses, f)) for f in ("transfer_safety", "storage_safety", "disposal_safety",
                                                       "subcontract_restriction")),
            _yes_no(e.supervision.subcontract_check),
            METHOD_JA.get(e.supervision.subcontract_check_method.value, "") if e.supervision.subcontract_check_method else "",
            *(_yes_no(getattr(e.supervision, f)) for f in ("rules_confirmation", "written_reports", "onsite_inspection")),
            informed, subjects, period or "",
            "／".join(ev.note for ev in e.evidence if ev.note),
        ])
    if problems:
        raise InputError(problems)
    if len(rows) == 1:
        raise InputError([Problem("--contractor", None, "contractor",
                                  f"{contractor!r} is the contractor of no entrustment in this file")])
    return rows


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
                    f"{cell[exc.start:exc.end]!r} in {_show(cell)} cannot be written in {encoding}: "
                    "choose --encoding utf-8-sig")))
    if problems:
        raise InputError(problems)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def write_table(rows: list[list[str]], path: str | Path, encoding: str = "utf-8-sig",
                inputs: tuple[str | Path, ...] = ()) -> None:
    """Write the table to ``path`` (.xlsx, else CSV in ``encoding``: :func:`csv_bytes`),
    atomically, never onto one of ``inputs`` (see graph/io/output.py). In an .xlsx every value is
    a string cell, never a formula. Nothing is written when a cell cannot be."""
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
                    f"U+{ord(found.group()):04X} in {_show(cell)} cannot be written in an .xlsx (XML does "
                    "not allow it): write CSV instead")))
    if problems:
        raise InputError(problems)
    replace_path(path, lambda tmp: _write_xlsx(rows, Path(tmp)), inputs)


def _write_xlsx(rows: list[list[str]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "委託元調査"
    for row in rows:
        sheet.append([_ooxml_escape(_escape_xlsx_cell(cell)) for cell in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula ("=…") nor an error value ("#N/A")
                if _is_formula_like(cell.value):
                    cell.quotePrefix = True  # as Excel stores text typed as '=…
    book.save(path)
