"""Survey spreadsheets in and out: one row per consignor's entrustment to one contractor, with
あり/なし/回答不能 answers, as regulators and auditors collect them (CSV in UTF-8, UTF-8 with BOM or
Shift_JIS/cp932, as Excel writes them; or .xlsx).

``import_survey`` checks every cell and reports every bad one with its row and column at once;
``export_survey`` writes the same table back from a chain file, so a round trip is exact.

How tables are read (strictly: no column twice, none unknown, one encoding, .xlsx archives checked
before they are parsed) and written (no cell a spreadsheet would run as a formula) is shared with
the vendor register and described in :mod:`entrustment_chain.graph.io.tables`; the names below
from it stay importable from here.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph.io.tables import (  # noqa: F401 (re-exported: the survey's names before the move)
    header_fields,
    CSV_FIELD_BYTES,
    FORMULA_STARTS,
    MAX_TABLE_BYTES,
    MAX_TABLE_CELLS,
    MAX_XLSX_EXPANDED_BYTES,
    MAX_XLSX_RATIO,
    NO,
    SURVEY_TABLE,
    UNKNOWN,
    XLSX_ELEMENTS_PER_CELL,
    XLSX_MEMBERS,
    XLSX_RATIO_FLOOR,
    YES,
    Table,
    answer as _answer,
    check_workbook,
    csv_bytes,
    escape_csv_cell,
    format_subjects,
    parse_subjects,
    read_table,
    show as _show,
    unescape_cell,
    write_table,
)
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

NONE_INFORMED = {"なし", "none"}
KINDS = {"民間事業者": "private", "private": "private", "地方公共団体": "local_government",
         "local_government": "local_government", "行政機関等": "public_agency", "public_agency": "public_agency"}
METHODS = {"書面": "written", "written": "written", "口頭": "oral", "oral": "oral"}
METHOD_JA = {"written": "書面", "oral": "口頭"}
_INFORMED_SEPARATORS = "、,;，"


# ---------------------------------------------------------------------------------------------
# Import


def import_survey(path: str | Path, contractor: str, contractor_name: str,
                  base: ChainFile | None = None) -> dict[str, Any]:
    """A chain file (as data) from a survey table; with ``base``, merged into that chain, the
    imported entrustments naming the systems the contractor operates there. The data is a valid
    chain file: what the chain file model refuses (a control character in a name, an id too
    long) is reported at the row and column it came from."""
    name = str(path)
    table = read_table(path, SURVEY_TABLE)
    problems = table.problems
    fields, first_of, header_problems = header_fields(table, name, HEADER_TO_FIELD, JA_HEADER)
    problems += header_problems
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
                subjects, message = parse_subjects(value)
                if message:
                    bad(field, message)
                else:
                    entrustment["data_subjects"] = subjects
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
            subjects = format_subjects(e.data_subjects.count, e.data_subjects.approximate)
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

