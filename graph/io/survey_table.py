"""Survey spreadsheets in and out: one row per consignor's entrustment to one contractor, with
あり/なし/回答不能 answers, as regulators and auditors collect them (CSV in UTF-8, UTF-8 with BOM or
Shift_JIS/cp932, as Excel writes them; or .xlsx).

``import_survey`` checks every cell and reports every bad one with its row and column at once;
``export_survey`` writes the same table back from a chain file, so a round trip is exact.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from entrustment_chain.graph.errors import InputError, Problem
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

YES = {"あり", "有", "有り", "yes", "true", "y", "○", "〇"}
NO = {"なし", "無", "無し", "no", "false", "n", "×"}
UNKNOWN = {"", "回答不能", "unknown", "不明", "-", "－"}
KINDS = {"民間事業者": "private", "private": "private", "地方公共団体": "local_government",
         "local_government": "local_government", "行政機関等": "public_agency", "public_agency": "public_agency"}
METHODS = {"書面": "written", "written": "written", "口頭": "oral", "oral": "oral"}
METHOD_JA = {"written": "書面", "oral": "口頭"}
_SUBJECTS = re.compile(r"^(約)?\s*([0-9０-９,，]+)\s*(人)?$")


def read_table(path: str | Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows (with their 1-based row numbers) of a CSV or .xlsx file."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise InputError([Problem(str(path), None, "", f"cannot read the workbook: {exc}")]) from None
        rows = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError([Problem(str(path), None, "", "the file is neither UTF-8 nor Shift_JIS (cp932)")])
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(cell for cell in row)]
    if not numbered:
        raise InputError([Problem(str(path), 1, "", "the table is empty")])
    (_, header), body = numbered[0], numbered[1:]
    return header, body


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
    imported entrustments naming the systems the contractor operates there."""
    name = str(path)
    header, body = read_table(path)
    problems: list[Problem] = []
    fields = []
    for col, title in enumerate(header):
        field = HEADER_TO_FIELD.get(title)
        if field is None and title:
            problems.append(Problem(name, 1, title, f"unknown column {title!r} (expected {', '.join(JA_HEADER.values())})"))
        fields.append(field)
    missing = [JA_HEADER[f] for f in ("consignor", "name") if f not in fields]
    if missing:
        problems.append(Problem(name, 1, "", f"missing columns: {', '.join(missing)}"))
    if problems:
        raise InputError(problems)
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True) if base else {
        "schema": "entrustment-chain/v1", "title": f"{contractor_name} 委託元調査",
        "organizations": [], "systems": [], "entrustments": [], "access": []}
    orgs = {o["id"] for o in data["organizations"]}
    if contractor not in orgs:
        data["organizations"].append({"id": contractor, "name": contractor_name, "kind": "private"})
        orgs.add(contractor)
    systems = [s["id"] for s in data.get("systems", []) if s.get("operator") == contractor]
    seen: dict[str, int] = {}
    for line, row in body:
        cells = {fields[i]: (row[i] if i < len(row) else "") for i in range(len(fields)) if fields[i]}

        def bad(field: str, message: str) -> None:
            problems.append(Problem(name, line, JA_HEADER[field], f"{message} (got {cells.get(field, '')!r})"))

        consignor = cells.get("consignor", "")
        if not consignor:
            bad("consignor", "a consignor id is required")
            continue
        if consignor in seen:
            bad("consignor", f"consignor {consignor!r} already has a row ({seen[consignor]})")
            continue
        seen[consignor] = line
        entrustment: dict[str, Any] = {"id": f"{consignor}-{contractor}", "consignor": consignor,
                                       "contractor": contractor, "personal_data": True}
        if systems:
            entrustment["systems"] = systems
        clauses, supervision = {}, {}
        for field, value in cells.items():
            kind = next(k for _, en, k in COLUMNS if en == field)
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
                if value in ("なし", "none"):
                    entrustment["informed_subcontractors"] = []
                elif value and value not in UNKNOWN:
                    entrustment["informed_subcontractors"] = [v.strip() for v in re.split(r"[、,;，]", value) if v.strip()]
            elif kind == "subjects" and value and value not in UNKNOWN:
                m = _SUBJECTS.match(value.replace(" ", ""))
                if not m:
                    bad(field, "expected a number of people, e.g. 約 231,000 人 or 231000")
                else:
                    digits = m[2].translate(str.maketrans("０１２３４５６７８９，", "0123456789,")).replace(",", "")
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
            data["organizations"].append({"id": consignor, "name": cells.get("name", ""),
                                          "kind": KINDS.get(kind_value, "private")})
            orgs.add(consignor)
        if any(v is not None for v in clauses.values()):
            entrustment["clauses"] = clauses
        if any(v is not None for v in supervision.values()):
            entrustment["supervision"] = supervision
        if "informed_subcontractors" in entrustment:
            entrustment["approved_subcontractors"] = []
        data["entrustments"].append(entrustment)
    if problems:
        raise InputError(problems)
    return data


def _yes_no(value: bool | None) -> str:
    return "回答不能" if value is None else ("あり" if value else "なし")


def export_survey(chain: ChainFile, contractor: str) -> list[list[str]]:
    """The survey table (header first) of ``contractor``'s consignors, in the file's order."""
    orgs = chain.organizations_by_id
    rows = [[ja for ja, _, _ in COLUMNS]]
    for e in chain.entrustments:
        if e.contractor != contractor:
            continue
        org = orgs[e.consignor]
        subjects = ""
        if e.data_subjects is not None:
            subjects = f"約 {e.data_subjects.count:,} 人" if e.data_subjects.approximate else str(e.data_subjects.count)
        informed = "回答不能" if e.informed_subcontractors is None else (
            "、".join(e.informed_subcontractors) if e.informed_subcontractors else "なし")
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
    if len(rows) == 1:
        raise InputError([Problem("--contractor", None, "contractor",
                                  f"{contractor!r} is the contractor of no entrustment in this file")])
    return rows


def write_table(rows: list[list[str]], path: str | Path, encoding: str = "utf-8-sig") -> None:
    """Write the table to ``path`` (.xlsx, else CSV in ``encoding``), atomically."""
    replace_path(path, lambda tmp: _write_table(rows, Path(tmp), encoding))


def _write_table(rows: list[list[str]], path: Path, encoding: str) -> None:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "委託元調査"
        for row in rows:
            sheet.append(row)
        book.save(path)
        return
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
