"""The vendor register (委託先管理台帳) in and out: one consignor's own record of whom it entrusts
personal data to, one row per contract: its contractors (委託), their subcontractors as far as it
knows them (再委託), and organisations with access to a system holding the data (保守 and the
other kinds of access), each with the contract's clauses, the consignor's supervision, and
whether the consignor was told of (説明を受けた) and approved (承諾) each subcontractor.

It is the survey table (graph/io/survey_table.py) seen from the other end: the survey is the
regulator's view (one contractor, a row per consignor), the register a privacy officer's (one
consignor, a row per entrustment). Both are read and written by graph/io/tables.py (encodings,
strict CSV, .xlsx checks, formula escaping, answers); docs/ledger.md describes every column and
where it goes in the chain file.

``import_ledger`` checks every cell and reports every bad one with its row and column at once;
``export_ledger`` writes the same table back from a chain file (a table written as export writes
it comes back byte for byte), and checks that import would read what it writes.

Where the register's columns go (the chain file's own fields; none is invented):

- each row is one entrustment, ``{consignor}-{contractor}`` (``-2``, ``-3`` … when the pair has
  several contracts); 委託先ID/委託先 an organisation (the id is the name when no id is given);
  委託元 the entrustment's consignor, by name or id;
- 説明を受けた and 承諾 of a subcontract row put its contractor in ``informed_subcontractors`` and
  ``approved_subcontractors`` of the consignor's own entrustment at the top of its chain (per
  route, as docs/design.md judges disclosure); the consignor's own contracts say 該当なし;
- their dates, and 備考, are ``evidence`` of the row's entrustment (kinds ``ledger_informed``,
  ``ledger_approved`` with the date as written, ``ledger_note``): the chain file has no date for
  an entry of a list;
- an access row (保守 …) is an entrustment of its 委託元 to the organisation and, for each of the
  systems it names, an access grant of that kind ``under`` it, with the row's period; the
  systems of any other row are the entrustment's ``systems`` (where its data is placed).

What the register cannot say either way is said: export lists what it leaves out (access to a
system holding the consignor's data that no row can hold, an intermediary's own lists, fields
without a column), and import notes the intermediate contracts whose lists it cannot fill.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from typing import Any, Iterable

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph.io.tables import (
    NO,
    header_fields,
    UNKNOWN,
    YES,
    Table,
    TableKind,
    answer,
    append_text_rows,
    excel_serial_hint,
    format_subjects,
    letter,
    parse_subjects,
    read_table,
    show,
    write_table,
)
from entrustment_chain.graph.model.chain import AccessKind, ChainFile
from entrustment_chain.graph.model.wareki import WarekiError, parse_date, parse_period

LEDGER = TableKind("vendor register", "entrustment")
SHEET_TITLE = "委託先管理台帳"
HELP_SHEET_TITLE = "記入方法"


@dataclass(frozen=True)
class Column:
    """A column of the register: its Japanese header, its English name, what its cells hold
    (``kind``), and for the template and docs/ledger.md: the values it takes, the chain-file
    field it fills, an explanation, and its width in the workbook."""

    ja: str
    en: str
    kind: str
    values: str
    maps_to: str
    help: str
    width: int = 12
    required: bool = False


TRI = "あり / なし / 回答不能"
COLUMNS = (
    Column("区分", "entry", "entry", "委託 / 再委託 / 保守 / 運用 / 開発 / 支援 / 管理者権限 / その他のアクセス",
           "entrustments[]; 保守など: access[].kind",
           "委託 = 自社が委託した契約、再委託 = 委託先（又は再委託先）が更に委託した契約、保守など = 情報システムへの"
           "アクセス（その組織への委託と、システムごとのアクセス権限）", 10, True),
    Column("委託先ID", "contractor", "contractor_id", "ID（空欄なら委託先の名称を ID とします）",
           "entrustments[].contractor, organizations[].id",
           "委託先の ID。同じ組織は同じ ID（又は同じ名称）で書きます", 14),
    Column("委託先", "name", "contractor_name", "名称", "organizations[].name",
           "委託先（再委託先、保守会社など）の名称", 26, True),
    Column("業務", "work", "work", "自由記述", "entrustments[].work", "委託する業務", 22),
    Column("個人データの有無", "personal_data", "tri", TRI, "entrustments[].personal_data",
           "この契約で個人データを取り扱うか（当事者の分類）。保守契約を「なし」としていても、個人データを保存する"
           "システムにアクセスできれば指摘されます", 10),
    Column("委託元", "consignor", "consignor", "名称又は ID（自社は 当社・自社 でも可）", "entrustments[].consignor",
           "この契約の委託元。委託の行は自社、再委託の行は更に委託した委託先（他の行の委託先）", 26, True),
    Column("説明を受けた", "informed_subcontractors", "told", "あり / なし / 回答不能 / 該当なし",
           "自社の委託の entrustments[].informed_subcontractors",
           "自社がこの再委託先（保守会社など）について説明を受けたか。自社の委託の行は 該当なし", 10),
    Column("説明を受けた日", "informed_date", "date", "日付（令和3年4月1日、R3.4.1、2021-04-01 など）",
           "entrustments[].evidence（kind: ledger_informed）", "説明を受けた日。説明を受けた行にだけ書けます", 14),
    Column("承諾", "approved_subcontractors", "approved", "あり / なし / 回答不能 / 該当なし",
           "自社の委託の entrustments[].approved_subcontractors",
           "自社がこの再委託を承諾したか。承諾は説明を受けたことを含みます。自社の委託の行は 該当なし", 10),
    Column("承諾日", "approved_date", "date", "日付", "entrustments[].evidence（kind: ledger_approved）",
           "承諾した日。承諾した行にだけ書けます", 14),
    Column("システム", "systems", "systems", "名称（複数は 、 で区切る）",
           "委託・再委託: entrustments[].systems; 保守など: access[].system",
           "委託・再委託の行は個人データを置く（保存する）システム、保守などの行はアクセスできるシステム", 22),
    Column("期間", "period", "period", "平成27年3月～令和5年3月、R3.4～継続中、2021-04～2024-03 など",
           "entrustments[].period（保守など: access[].period も）", "契約の期間（アクセスの期間）", 22),
    Column("授受の安全管理", "transfer_safety", "clauses", TRI, "entrustments[].clauses.transfer_safety",
           "個人情報を含むデータの授受における安全管理措置に関する条項", 10),
    Column("保管の安全管理", "storage_safety", "clauses", TRI, "entrustments[].clauses.storage_safety",
           "委託先における個人情報の保管についての安全管理措置に関する条項", 10),
    Column("廃棄の安全管理", "disposal_safety", "clauses", TRI, "entrustments[].clauses.disposal_safety",
           "委託業務終了時の個人情報の廃棄についての安全管理措置に関する条項", 10),
    Column("再委託の制限", "subcontract_restriction", "clauses", TRI,
           "entrustments[].clauses.subcontract_restriction", "再委託の禁止又は制限に関する条項", 10),
    Column("規律の確認", "rules_confirmation", "supervision", TRI, "entrustments[].supervision.rules_confirmation",
           "契約の締結時等に、個人情報の取扱いに関する規律の確認を要求した", 10),
    Column("書面報告", "written_reports", "supervision", TRI, "entrustments[].supervision.written_reports",
           "役務提供時に、書面で報告を受けるなどして取扱状況を把握した", 10),
    Column("実地確認", "onsite_inspection", "supervision", TRI, "entrustments[].supervision.onsite_inspection",
           "役務提供時に、執務環境を実地確認等して取扱状況を把握した", 10),
    Column("再委託の確認", "subcontract_check", "supervision", TRI, "entrustments[].supervision.subcontract_check",
           "契約の締結時又は役務提供時に、再委託の有無を確認した", 10),
    Column("確認方法", "subcontract_check_method", "method", "書面 / 口頭",
           "entrustments[].supervision.subcontract_check_method", "再委託の確認の方法", 10),
    Column("本人数", "data_subjects", "subjects", "人数（約 120,000 人、85000 など）", "entrustments[].data_subjects",
           "この契約で取り扱う個人データの本人の数", 14),
    Column("備考", "note", "note", "自由記述", "entrustments[].evidence（kind: ledger_note）", "備考", 30),
)
BY_FIELD = {c.en: c for c in COLUMNS}
HEADER_TO_FIELD = {**{c.ja: c.en for c in COLUMNS}, **{c.en: c.en for c in COLUMNS}}
JA_HEADER = {c.en: c.ja for c in COLUMNS}
REQUIRED = [c.en for c in COLUMNS if c.required]

ENTRY_JA = {"entrustment": "委託", "subcontract": "再委託", "maintenance": "保守", "operation": "運用",
            "development": "開発", "support": "支援", "administration": "管理者権限", "other": "その他のアクセス"}
ENTRIES = {**{ja: en for en, ja in ENTRY_JA.items()}, **{en: en for en in ENTRY_JA}, "保守運用": "maintenance"}
ACCESS_KINDS = {k.value for k in AccessKind}

# Answers: the survey's, and はい/いいえ; 該当なし (not applicable) where a column may not apply.
LEDGER_YES = YES | {"はい"}
LEDGER_NO = NO | {"いいえ"}
NOT_APPLICABLE = {"該当なし", "not applicable", "n/a"}
# Answers that are no one's name: found in a name's column, the columns are probably shifted. (Not
# the ASCII ones: "n", "y" or "-" may well be an id.)
ANSWER_WORDS = {w for w in LEDGER_YES | LEDGER_NO | UNKNOWN | NOT_APPLICABLE if w and not w.isascii()}
OWN = {"当社", "自社"}  # the consignor itself, in 委託元
METHODS = {"書面": "written", "written": "written", "口頭": "oral", "oral": "oral"}
METHOD_JA = {"written": "書面", "oral": "口頭"}
SEPARATORS = "、,;，"

NOTE_KIND = "ledger_note"
# a name that reads like a local government's or a public body's (the note of --consignor-kind)
_PUBLIC_NAME = re.compile(r"(都|道|府|県|市|町|村|区)$|役所|役場|広域連合|事務組合|省$|庁$")
# --consignor-kind: the register has no column for the consignor's kind (private by default)
CONSIGNOR_KINDS = ("private", "local_government", "public_agency")
INFORMED_KIND = "ledger_informed"
APPROVED_KIND = "ledger_approved"
LEDGER_KINDS = (NOTE_KIND, INFORMED_KIND, APPROVED_KIND)

_TRI_EXPECTED = "expected あり, なし or 回答不能 (or はい/いいえ, 有/無, ○/×, 該当なし, yes/no/unknown)"


def _is_header(row: list[str]) -> bool:
    """The header row: the first with three of the register's column names (a title above it is
    skipped)."""
    return sum(cell in HEADER_TO_FIELD for cell in row) >= 3


def _is_answer(value: str) -> bool:
    return value.strip().lower() in ANSWER_WORDS


def _tri(value: str) -> tuple[bool | None, bool]:
    """A yes/no/unknown cell; 該当なし is null (not false: no rule reads it as a missing clause)."""
    if value.strip().lower() in NOT_APPLICABLE:
        return None, True
    return answer(value, LEDGER_YES, LEDGER_NO, UNKNOWN)


def _told(value: str) -> str | None:
    """説明を受けた/承諾 cells: "yes", "no", "unknown", "empty", "na", or None when not an answer."""
    v = value.strip().lower()
    if v == "":
        return "empty"
    if v in NOT_APPLICABLE:
        return "na"
    found, ok = answer(value, LEDGER_YES, LEDGER_NO, UNKNOWN)
    if not ok:
        return None
    return "unknown" if found is None else ("yes" if found else "no")


# Brackets inside which a separator does not separate: 顧客対応システム（受注、問合せ） is one system.
# Full-width and ASCII round brackets pair with each other, as they are often typed.
BRACKETS = {"（": "）", "(": ")", "「": "」", "『": "』", "【": "】"}
_CLOSES = {"）": "）", ")": "）", "」": "」", "』": "』", "】": "】"}


LONE_DAY = ("a single day is not a period: 期間は 令和4年4月1日～ のように書いてください (from that day on), or "
            "令和4年4月1日～令和5年3月31日; an Excel date cell is one day too: type the period as text; a contract "
            "of one day is written 令和4年4月1日～令和4年4月1日")


def _lone_day(value: str) -> bool:
    """Whether a 期間 cell is one day alone (2022-04-01, 令和4年4月1日, an Excel date cell): the chain
    file would read it as a contract of that day only, which a register's 期間 almost never means
    (a start date, or a date cell); a month, a year or a fiscal year alone is a period."""
    try:
        return parse_date(value).day is not None
    except WarekiError:
        return False


def split_list(value: str) -> list[str]:
    """The items of a cell, separated by 、 , ; or ， outside brackets (（）()「」『』【】). A
    bracket that is not closed, or closed without being opened, is a :class:`ValueError` saying so
    (the cell cannot be split with certainty)."""
    items, current, open_ = [], [], []
    for ch in value:
        if ch in BRACKETS:
            open_.append(ch)
        elif ch in _CLOSES:
            if not open_ or _CLOSES[BRACKETS[open_[-1]]] != _CLOSES[ch]:
                raise ValueError(f"{ch} closes a bracket that was not opened" if not open_ else
                                 f"{ch} closes the bracket {open_[-1]}")
            open_.pop()
        elif ch in SEPARATORS and not open_:
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    if open_:
        raise ValueError(f"the bracket {open_[-1]} is not closed")
    items.append("".join(current))
    return [v.strip() for v in items if v.strip()]


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    entry: str | None = None            # entrustment, subcontract, or an access kind
    contractor: str | None = None       # its id, once known
    consignor: str | None = None        # its id, once resolved
    told: str | None = None
    approved: str | None = None
    systems: list[str] = dataclass_field(default_factory=list)
    entrustment: dict[str, Any] = dataclass_field(default_factory=dict)
    entrustment_id: str | None = None   # once built
    roots: set[int] = dataclass_field(default_factory=set)

    @property
    def is_access(self) -> bool:
        return self.entry in ACCESS_KINDS


class _Reader:
    """Reads a table's rows into chain-file data, collecting every problem."""

    def __init__(self, table: Table, consignor: str, consignor_name: str | None, base: ChainFile | None,
                 consignor_kind: str | None = None):
        self.table = table
        self.consignor_kind = consignor_kind
        self.name = table.name
        self.problems: list[Problem] = list(table.problems)
        self.consignor = consignor
        self.consignor_name = consignor_name
        self.base = base
        self.titles: dict[str, str] = {}
        self.fields: list[str | None] = []

    # -- problems ---------------------------------------------------------------------------

    def bad(self, row: _Row, field: str, message: str, quote: bool = True) -> None:
        column = self.fields.index(field) if field in self.fields else None
        if column is not None and (row.line, column) in self.table.flagged:
            return  # the cell could not be read: that is said already
        got = f" (got {show(row.cells.get(field, ''))})" if quote else ""
        self.problems.append(Problem(self.name, row.line, self.titles.get(field, JA_HEADER[field]), message + got))

    def sorted(self) -> list[Problem]:
        """The problems by row, then column (those of the whole table first)."""
        order = {title: i for i, title in enumerate(self.table.header)}
        return sorted(self.problems, key=lambda p: (p.file == self.name, p.line or 0, order.get(p.field, -1)))

    # -- the header -------------------------------------------------------------------------

    def columns(self) -> None:
        table, name = self.table, self.name
        self.fields, first_of, problems = header_fields(table, name, HEADER_TO_FIELD, JA_HEADER)
        self.problems += problems
        self.titles.update((field, table.header[col]) for field, col in first_of.items())
        missing = [JA_HEADER[f] for f in REQUIRED if f not in first_of]
        if missing:
            self.problems.append(Problem(name, table.header_line, "", (
                f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)} (row {table.header_line} "
                f"is the header; the register needs {', '.join(JA_HEADER[f] for f in REQUIRED)})")))
            raise InputError(self.problems)

    # -- the rows ---------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        self.columns()
        rows = [self.cells_of(line, values) for line, values in self.table.rows]
        self.organisations(rows)
        self.consignors(rows)
        self.chains(rows)
        self.dates(rows)
        self.disclosure(rows)
        if self.problems:
            raise InputError(self.sorted())
        data = self.build(rows)
        self.notes = self.unanswered(rows) + self.ambiguous_notes(rows) + self.kind_note()
        return data

    def ambiguous_notes(self, rows: list[_Row]) -> list[str]:
        """A note on each row answered あり whose chain starts at several contracts of the
        consignor (:meth:`disclosure`): which contracts' lists it left unknown, and why."""
        notes = []
        for row, fields, roots in self.ambiguous:
            what = " and ".join(self.title(f) for f in fields)
            contracts = ", ".join(f"{rows[r].entrustment_id} (row {rows[r].line}"
                                  + (f", {rows[r].cells['work']}" if rows[r].cells.get("work") else "") + ")"
                                  for r in roots)
            lists = " and ".join(fields)
            notes.append(
                f"row {row.line} ({row.cells.get('name') or row.contractor}, under {row.consignor}): {what} あり, "
                f"but its chain starts at {len(roots)} contracts of {self.consignor}: {contracts}; the register "
                f"cannot say under which {self.consignor} was told of it (approved it), so the {lists} of "
                f"{'each' if len(roots) > 1 else 'it'} stay null (unknown), and chain analyze reports the "
                "organisations under them as undisclosed, the evidence unknown. The register has no column naming "
                "the parent contract: to make it certain, put the work under one contract with that contractor "
                "(one 委託 row), or write the lists in the imported chain file (docs/ledger.md#several-contracts)")
        return notes

    def kind_note(self) -> list[str]:
        """A note when the consignor's kind was left to the default (private) though its name reads
        like a local government's: the kind chooses the law the findings cite."""
        if self.consignor_kind is not None or (self.base and self.consignor in self.base_orgs):
            return []
        if not _PUBLIC_NAME.search(self.cname):
            return []
        return [f"{self.consignor} ({self.cname}) is imported as a private business (個人情報保護法第25条), the "
                "register having no column for its kind: if it is a local government or a public agency "
                "(第66条), give --consignor-kind local_government (public_agency)"]

    def unanswered(self, rows: list[_Row]) -> list[str]:
        """A note on the intermediate contracts (a contractor's own, with rows below it) whose
        lists the register cannot fill: they stay null, and analyze reports the organisations
        below them as undisclosed to that contractor, the evidence unknown (docs/ledger.md)."""
        passing = {row.consignor for row in rows if row.consignor}
        below = [row for row in rows if row.consignor not in (None, self.consignor) and row.contractor in passing
                 and row.entrustment_id]
        if not below:
            return []

        def some(items: list[str]) -> str:
            return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")

        ids = [row.entrustment_id or "" for row in below]
        whom = list(dict.fromkeys(row.consignor or "" for row in below))
        return [f"the register says what {self.consignor} was told of and approved, not what its contractors were: "
                f"the lists of {some(ids)} stay null (unknown), and chain analyze reports the organisations below "
                f"{'them' if len(ids) > 1 else 'it'} as undisclosed to {some(whom)}, the evidence unknown "
                "(docs/ledger.md#intermediaries)"]

    def cells_of(self, line: int, values: list[str]) -> _Row:
        row = _Row(line, {f: values[i] for i, f in enumerate(self.fields) if f})
        cells = row.cells
        e: dict[str, Any] = {}
        entry = cells.get("entry", "")
        row.entry = ENTRIES.get(entry, ENTRIES.get(entry.lower()))
        if row.entry is None:
            self.bad(row, "entry", "expected 委託, 再委託, or the kind of access: 保守, 運用, 開発, 支援, 管理者権限 or "
                                   "その他のアクセス (or entrustment, subcontract, maintenance …)" if entry else
                     "the kind of the row is required: 委託, 再委託 or 保守 (運用, 開発, 支援, 管理者権限, その他のアクセス)")
        answered = set()
        for field, what in (("name", "a contractor's name"), ("contractor", "a contractor's id"),
                            ("consignor", "the name or id of the consignor")):
            if _is_answer(cells.get(field, "")):
                self.bad(row, field, f"expected {what}, not an answer (are the columns shifted?)")
                cells[field] = ""
                answered.add(field)
        if not cells.get("name") and "name" not in answered:
            self.bad(row, "name", "the contractor's name is required")
        if not cells.get("consignor") and "consignor" not in answered:
            self.bad(row, "consignor", "the consignor (委託元) is required: the consignor's name, 当社, or the 委託先 "
                                       "of the row that entrusts this work")
        if cells.get("work"):
            e["work"] = cells["work"]
        clauses: dict[str, Any] = {}
        supervision: dict[str, Any] = {}
        for column in COLUMNS:  # a column the table does not have reads as empty cells (unknown)
            field, kind, value = column.en, column.kind, cells.get(column.en, "")
            if kind in ("tri", "clauses", "supervision"):
                found, ok = _tri(value)
                if kind == "tri" and value.strip().lower() in NOT_APPLICABLE:
                    self.bad(row, field, "該当なし says neither: なし (the contract handles no personal data) or 回答不能 "
                                         "(unknown)?")
                elif not ok:
                    self.bad(row, field, _TRI_EXPECTED)
                elif kind == "tri":
                    if found is not None:
                        e["personal_data"] = found
                else:
                    (clauses if kind == "clauses" else supervision)[field] = found
            elif kind == "method" and value:
                if value not in METHODS:
                    self.bad(row, field, "expected 書面 or 口頭 (or written/oral)")
                else:
                    supervision[field] = METHODS[value]
            elif kind in ("told", "approved"):
                state = _told(value)
                if state is None:
                    self.bad(row, field, "expected あり, なし, 回答不能 or 該当なし (or はい/いいえ, 有/無, ○/×, yes/no/unknown)")
                setattr(row, "told" if kind == "told" else "approved", state)
            elif kind == "period" and value:
                try:
                    parse_period(value)
                except WarekiError as exc:
                    self.bad(row, field, excel_serial_hint(value) or str(exc))
                else:
                    if _lone_day(value):
                        self.bad(row, field, LONE_DAY)
                    else:
                        e["period"] = value
            elif kind == "subjects" and value and value.strip().lower() not in UNKNOWN | NOT_APPLICABLE:
                subjects, message = parse_subjects(value)
                if message:
                    self.bad(row, field, message)
                else:
                    e["data_subjects"] = subjects
            elif kind == "systems" and value:
                try:
                    items = split_list(value)
                except ValueError as exc:
                    self.bad(row, field, f"{exc}: the systems are separated by {' '.join(SEPARATORS)} outside "
                                         "brackets, so where one ends is not certain; close the bracket, or leave it "
                                         "out")
                    items = []
                for item in items:
                    if _is_answer(item):
                        self.bad(row, field, f"expected the names of systems, not the answer {item!r} (are the columns "
                                             "shifted?)")
                repeated = sorted({i for i in items if items.count(i) > 1})
                if repeated:
                    self.bad(row, field, f"{repeated[0]!r} is named twice")
                row.systems = list(dict.fromkeys(i for i in items if not _is_answer(i)))
        if supervision.get("subcontract_check_method") and supervision.get("subcontract_check") is False:
            self.bad(row, "subcontract_check_method", f"a method is given but {self.title('subcontract_check')} is なし")
        if row.is_access and not row.systems and "systems" not in self.flagged_fields(row):
            self.bad(row, "systems", f"a {ENTRY_JA[row.entry or 'other']} row names the systems the organisation can "
                                     "reach (access is to a system)")
        if any(v is not None for v in clauses.values()):
            e["clauses"] = clauses
        if any(v is not None for v in supervision.values()):
            e["supervision"] = supervision
        row.entrustment = e
        return row

    def title(self, field: str) -> str:
        return self.titles.get(field, JA_HEADER[field])

    def flagged_fields(self, row: _Row) -> set[str]:
        return {self.fields[i] for i in range(len(self.fields))
                if self.fields[i] and (row.line, i) in self.table.flagged}

    # -- organisations ----------------------------------------------------------------------

    def organisations(self, rows: list[_Row]) -> None:
        """Every row's contractor id: 委託先ID, or the one organisation of that name, or the name."""
        self.base_orgs = {o.id: o.name for o in self.base.organizations} if self.base else {}
        self.orgs: dict[str, str] = dict(self.base_orgs)     # id → name
        self.org_line: dict[str, int] = {}                    # id → the row that named it first
        cid = self.consignor
        for row in rows:
            given, name = row.cells.get("contractor", ""), row.cells.get("name", "")
            if not given or not name:
                continue
            self.adopt(row, given, name)
        # the consignor's name: the option, BASE, or the 委託元 of the 委託 rows
        name = self.consignor_name
        if name is None and cid in self.base_orgs:
            name = self.base_orgs[cid]
        elif name is not None and cid in self.base_orgs and self.base_orgs[cid] != name:
            self.problems.append(Problem("--consignor-name", None, "", (
                f"{name!r}, but the base file names {cid!r} {self.base_orgs[cid]!r}")))
        kind = self.consignor_kind
        if kind is not None and kind not in CONSIGNOR_KINDS:
            self.problems.append(Problem("--consignor-kind", None, "", (
                f"{kind!r}: expected {', '.join(CONSIGNOR_KINDS)}")))
        elif kind is not None and self.base and cid in self.base_orgs:
            known = self.base.organizations_by_id[cid].kind.value
            if known != kind:
                self.problems.append(Problem("--consignor-kind", None, "", (
                    f"{kind!r}, but the base file makes {cid!r} {known!r}")))
        if name is None:
            seen: dict[str, int] = {}
            for row in rows:
                value = row.cells.get("consignor", "")
                if row.entry != "entrustment" or not value or value in OWN or value == cid or value in self.orgs \
                        or value in self.orgs.values():
                    continue
                seen.setdefault(value, row.line)
            if len(seen) > 1:
                (first, line), *others = seen.items()
                for value, other in others:
                    row = next(r for r in rows if r.line == other)
                    self.bad(row, "consignor", f"a 委託 row's 委託元 is the consignor, named {first!r} in row {line}: "
                                               "one consignor, one name (or give --consignor-name)")
            name = next(iter(seen), cid)
        self.cname = name
        if cid in self.org_line:
            row = next(r for r in rows if r.line == self.org_line[cid])
            self.bad(row, "contractor", f"{cid!r} is the consignor (--consignor): it is not its own contractor")
        self.orgs.setdefault(cid, name)
        for row in rows:
            given, name = row.cells.get("contractor", ""), row.cells.get("name", "")
            if given or not name:
                continue  # adopted above, or no name: said already
            same = [i for i, n in self.orgs.items() if n == name]
            if len(same) > 1:
                self.bad(row, "name", f"several organisations are named {name!r} ({', '.join(map(repr, same))}): give "
                                      f"{self.title('contractor')}")
            elif same:
                row.contractor = same[0]
                self.org_line.setdefault(same[0], row.line)
            elif name == cid:
                self.bad(row, "name", f"{cid!r} is the consignor (--consignor): it is not its own contractor")
            else:
                self.adopt(row, name, name)
            if row.contractor == cid:
                self.bad(row, "name", "this is the consignor itself: a consignor is not its own contractor")
                row.contractor = None

    def adopt(self, row: _Row, org_id: str, name: str) -> None:
        known = self.orgs.get(org_id)
        field = "contractor" if row.cells.get("contractor") else "name"
        if known is not None and known != name:
            where = f"row {self.org_line[org_id]}" if org_id in self.org_line else "the base file"
            self.bad(row, field, f"{org_id!r} is named {known!r} in {where}: one organisation, one name")
            return
        same = [i for i, n in self.base_orgs.items() if n == name and i != org_id]
        if same and org_id not in self.base_orgs:
            # a second organisation of that name, and the base's contracts with it not seen as the same
            these = (f"this organisation {same[0]!r}: write that id" if len(same) == 1 else
                     f"organisations of this name {', '.join(map(repr, same))}: write one of those ids")
            self.bad(row, field, f"the base file names {these} in {self.title('contractor')}, or, if it is another "
                                 f"organisation of the same name, tell the two apart in {self.title('name')}")
        self.orgs.setdefault(org_id, name)
        self.org_line.setdefault(org_id, row.line)
        row.contractor = org_id

    # -- consignors -------------------------------------------------------------------------

    def resolve(self, value: str) -> set[str]:
        hits = set()
        if value in OWN or value == self.consignor or value == self.cname:
            hits.add(self.consignor)
        if value in self.orgs:
            hits.add(value)
        hits.update(i for i, n in self.orgs.items() if n == value)
        return hits

    def consignors(self, rows: list[_Row]) -> None:
        cid = self.consignor
        contractors = {row.contractor for row in rows if row.contractor}
        unread = [str(row.line) for row in rows if row.contractor is None]
        hint = (f" (unless it is the 委託先 of row{'s' if len(unread) > 1 else ''} {', '.join(unread[:5])}, which could "
                "not be read)") if unread else ""
        for row in rows:
            value = row.cells.get("consignor", "")
            if not value:
                continue
            hits = self.resolve(value)
            if len(hits) > 1:
                self.bad(row, "consignor", f"it names several organisations ({', '.join(sorted(map(repr, hits)))}): "
                                           "write the id")
                continue
            if not hits:
                self.bad(row, "consignor", f"neither the consignor ({self.cname}, 当社) nor the 委託先 of any row of "
                                           f"the register{hint}")
                continue
            found = hits.pop()
            if row.entry == "entrustment" and found != cid:
                self.bad(row, "consignor", f"a 委託 row is the consignor's own contract: its 委託元 is {self.cname} "
                                           f"(or 当社); a contract of {found!r} is a 再委託 row")
                continue
            if row.entry == "subcontract" and found == cid:
                self.bad(row, "consignor", "a 再委託 row's 委託元 is the contractor that entrusts the work onwards; "
                                           "the consignor's own contract is a 委託 row")
                continue
            if found != cid and found not in contractors:
                self.bad(row, "consignor", f"{found!r} is the 委託先 of no row of the register: add the row of the "
                                           "contract that entrusted it the work")
                continue
            if found == row.contractor:
                self.bad(row, "consignor", "the 委託元 and the 委託先 are the same organisation")
                continue
            row.consignor = found

    def chains(self, rows: list[_Row]) -> None:
        """Each row's roots: the consignor's own contracts (rows) at the top of its chain, found
        by walking down from each of them."""
        cid = self.consignor
        by_consignor: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            if row.contractor and row.consignor and row.consignor != cid:
                by_consignor.setdefault(row.consignor, []).append(i)
        for r, root in enumerate(rows):
            if root.consignor != cid or root.contractor is None:
                continue
            root.roots.add(r)
            seen = {r}
            stack = [root.contractor]
            while stack:
                for i in by_consignor.get(stack.pop(), []):
                    if i not in seen:
                        seen.add(i)
                        rows[i].roots.add(r)
                        stack.append(rows[i].contractor or "")
        for row in rows:
            if row.consignor is not None and row.contractor is not None and not row.roots:
                self.bad(row, "consignor", f"{row.consignor!r} is not reached from the consignor: the rows above it "
                                           "form a circle that no 委託 row starts")

    def dates(self, rows: list[_Row]) -> None:
        """説明を受けた日 and 承諾日: a date where 説明を受けた (承諾) is あり on a row under a contract
        of the consignor; one problem per cell (a date where none belongs is not also read)."""
        for row in rows:
            for field, attr in (("informed_date", "told"), ("approved_date", "approved")):
                value, state = row.cells.get(field, ""), getattr(row, attr)
                if not value:
                    continue
                own = row.consignor == self.consignor
                if row.consignor is not None and state is not None and (own or state != "yes"):
                    column = "informed_subcontractors" if attr == "told" else "approved_subcontractors"
                    why = "the consignor's own contract has none" if own else f"{self.title(column)} is not あり"
                    self.bad(row, field, f"a date, but {why}")
                    continue
                try:
                    parse_date(value)
                except WarekiError as exc:
                    self.bad(row, field, excel_serial_hint(value) or str(exc))

    def disclosure(self, rows: list[_Row]) -> None:
        """説明を受けた and 承諾 against each row's place in the chain, and each root's lists."""
        cid = self.consignor
        self.lists: dict[int, dict[str, list[str] | None]] = {}
        for i, row in enumerate(rows):
            own = row.consignor == cid
            if row.consignor is None:
                continue
            for field, state in (("informed_subcontractors", row.told), ("approved_subcontractors", row.approved)):
                if state is None:
                    continue
                if own and state not in ("empty", "na", "yes"):
                    self.bad(row, field, "the consignor's own contract: its contractor is told and approved by the "
                                         "contract itself; write 該当なし")
                elif not own and state == "na":
                    self.bad(row, field, "該当なし is for the consignor's own contracts; was the consignor told of "
                                         "(did it approve) this one? あり, なし or 回答不能")
            if not own and row.approved == "yes" and row.told in ("no", "unknown", "empty"):
                self.bad(row, "informed_subcontractors", f"{self.title('approved_subcontractors')} is あり, and "
                                                         "approval implies being told: write あり")
        for r, root in enumerate(rows):
            if root.consignor != cid or root.contractor is None:
                continue
            under = [row for i, row in enumerate(rows) if r in row.roots and i != r]
            self.lists[r] = {}
            for field, attr in (("informed_subcontractors", "told"), ("approved_subcontractors", "approved")):
                states = [(row, getattr(row, attr)) for row in under if getattr(row, attr) is not None]
                unknown = [row for row, s in states if s in ("unknown", "empty")]
                known = [row for row, s in states if s in ("yes", "no")]
                if unknown and known:
                    for row in unknown:
                        self.bad(row, field, (
                            f"unknown, while row {known[0].line} ({known[0].cells.get('name', '')}) under the same "
                            f"contract of the consignor (row {root.line}) is known: the chain file keeps whom the "
                            "consignor was told of (approved) as one list per contract, known or unknown as a "
                            "whole; answer あり or なし (docs/ledger.md)"))
                answers: dict[str, tuple[str, int]] = {}
                for row, s in states:
                    if row.contractor is None:
                        continue
                    before = answers.setdefault(row.contractor, (s, row.line))
                    if before[0] != s and {before[0], s} != {"unknown", "empty"}:
                        self.bad(row, field, f"row {before[1]} answers otherwise for the same organisation under the "
                                             f"same contract of the consignor (row {root.line})")
                if unknown and not known:
                    self.lists[r][field] = None
                else:
                    self.lists[r][field] = list(dict.fromkeys(
                        row.contractor for row, s in states if s == "yes" and row.contractor))
        # あり on a row whose chain starts at several contracts of the consignor (two contracts with
        # one contractor, or two chains that meet): told (approved) under which? The register has no
        # column naming the parent contract, so none is assumed: those contracts' lists are unknown.
        self.ambiguous: list[tuple[_Row, list[str], list[int]]] = []
        for row in rows:
            fields = [f for f, a in (("informed_subcontractors", "told"), ("approved_subcontractors", "approved"))
                      if getattr(row, a) == "yes"]
            if len(row.roots) > 1 and fields and row.consignor != cid:
                for r in row.roots:
                    for field in fields:
                        self.lists[r][field] = None
                self.ambiguous.append((row, fields, sorted(row.roots)))

    # -- the chain file ---------------------------------------------------------------------

    def build(self, rows: list[_Row]) -> dict[str, Any]:
        base, cid = self.base, self.consignor
        data = base.model_dump(mode="json", by_alias=True, exclude_none=True) if base else {
            "schema": "entrustment-chain/v1", "title": f"{self.cname} 委託先管理台帳",
            "organizations": [], "systems": [], "entrustments": [], "access": []}
        for section in ("organizations", "systems", "entrustments", "access"):
            data.setdefault(section, [])
        self.sources: dict[tuple[str, int], tuple[int | None, str]] = {}
        present = {o["id"] for o in data["organizations"]}
        if cid not in present:
            self.sources[("organizations", len(data["organizations"]))] = (None, "--consignor")
            consignor_org = {"id": cid, "name": self.cname}
            if self.consignor_kind not in (None, "private"):
                consignor_org["kind"] = self.consignor_kind
            data["organizations"].append(consignor_org)
            present.add(cid)
        for row in rows:
            if row.contractor and row.contractor not in present:
                field = "contractor" if row.cells.get("contractor") else "name"
                self.sources[("organizations", len(data["organizations"]))] = (row.line, field)
                data["organizations"].append({"id": row.contractor, "name": self.orgs[row.contractor]})
                present.add(row.contractor)
        systems_by_id = {s["id"]: s for s in data["systems"]}
        by_name: dict[str, list[str]] = {}
        for s in data["systems"]:
            by_name.setdefault(s["name"], []).append(s["id"])
        pairs = {(e["consignor"], e["contractor"]): e["id"] for e in data["entrustments"]}
        taken = {e["id"] for e in data["entrustments"]}
        self.evidence_kinds: dict[int, list[str]] = {}
        problems = self.problems
        for r, row in enumerate(rows):
            system_ids = []
            for item in row.systems:
                if item in systems_by_id:
                    system_ids.append(item)
                elif len(by_name.get(item, [])) == 1:
                    system_ids.append(by_name[item][0])
                elif len(by_name.get(item, [])) > 1:
                    self.bad(row, "systems", f"several systems of the base file are named {item!r} "
                                             f"({', '.join(map(repr, by_name[item]))}): write the id")
                else:
                    self.sources[("systems", len(data["systems"]))] = (row.line, "systems")
                    system = {"id": item, "name": item}
                    data["systems"].append(system)
                    systems_by_id[item] = system
                    system_ids.append(item)
            if row.contractor is None or row.consignor is None:
                continue
            pair = (row.consignor, row.contractor)
            if pair in pairs:
                self.bad(row, "name", f"the base file already has the entrustment of {row.consignor!r} to "
                                      f"{row.contractor!r} ({pairs[pair]}): the register would add it again")
                continue
            stem = f"{row.consignor}-{row.contractor}"
            if len(stem) > 190:  # an id has at most 200 characters
                stem = f"{row.consignor[:90]}-{row.contractor[:90]}"
            eid, n = stem, 2
            while eid in taken:
                eid, n = f"{stem}-{n}", n + 1
            taken.add(eid)
            row.entrustment_id = eid
            e: dict[str, Any] = {"id": eid, "consignor": row.consignor, "contractor": row.contractor}
            fields = row.entrustment
            for key in ("work", "personal_data", "period", "data_subjects"):
                if key in fields:
                    e[key] = fields[key]
            if system_ids and not row.is_access:
                e["systems"] = system_ids
            for key in ("clauses", "supervision"):
                if key in fields:
                    e[key] = fields[key]
            if r in self.lists:
                for key, value in self.lists[r].items():
                    if value is not None:
                        e[key] = value
            evidence = []
            if row.cells.get("informed_date"):
                evidence.append({"kind": INFORMED_KIND, "date": row.cells["informed_date"]})
            if row.cells.get("approved_date"):
                evidence.append({"kind": APPROVED_KIND, "date": row.cells["approved_date"]})
            if row.cells.get("note"):
                evidence.append({"kind": NOTE_KIND, "note": row.cells["note"]})
            if evidence:
                e["evidence"] = evidence
            self.evidence_kinds[len(data["entrustments"])] = [ev["kind"] for ev in evidence]
            self.sources[("entrustments", len(data["entrustments"]))] = (row.line, "")
            data["entrustments"].append(e)
            if row.is_access:
                for system in system_ids:
                    grant: dict[str, Any] = {"organization": row.contractor, "system": system, "kind": row.entry,
                                             "under": eid}
                    if "period" in fields:
                        grant["period"] = fields["period"]
                    self.sources[("access", len(data["access"]))] = (row.line, "")
                    data["access"].append(grant)
        if problems:
            raise InputError(self.sorted())
        try:
            chain_from_dict(data, self.name)
        except InputError as exc:
            found = exc.problems
            # an id refused is refused once: not again in every entrustment and grant that names it
            if any(re.match(r"organizations\[\d+\]\.id", p.field) for p in found):
                found = [p for p in found if not re.match(
                    r"(entrustments\[\d+\]\.(id|consignor|contractor|informed_subcontractors|"
                    r"approved_subcontractors)|access\[\d+\]\.(organization|under))", p.field)]
            if any(re.match(r"systems\[\d+\]\.id", p.field) for p in found):
                found = [p for p in found if not re.match(r"(entrustments\[\d+\]\.systems|access\[\d+\]\.system)",
                                                          p.field)]
            self.problems = [self.cell_of(p) for p in found]
            raise InputError(self.sorted()) from None
        return data

    _PATH = re.compile(r"^(organizations|systems|entrustments|access)\[(\d+)\](?:\.([a-z_]+))?(?:\[(\d+)\])?"
                       r"(?:\.([a-z_]+))?")
    _ENTRUSTMENT_COLUMN = {"id": "name", "consignor": "consignor", "contractor": "name", "work": "work",
                           "personal_data": "personal_data", "period": "period", "data_subjects": "data_subjects",
                           "systems": "systems", "informed_subcontractors": "informed_subcontractors",
                           "approved_subcontractors": "approved_subcontractors", "clauses": "transfer_safety",
                           "supervision": "subcontract_check"}
    _ACCESS_COLUMN = {"organization": "name", "system": "systems", "kind": "entry", "under": "name",
                      "period": "period", "": "period"}

    def cell_of(self, problem: Problem) -> Problem:
        """A problem the chain file model found in the imported data, at the cell it came from (or
        the option, for the consignor)."""
        message = problem.message
        if problem.field == "title":
            return Problem("--consignor-name", None, "", message)
        match = self._PATH.match(problem.field)
        if match:
            section, index, key, item, sub = match[1], int(match[2]), match[3] or "", match[4], match[5] or ""
            source = self.sources.get((section, index))
            if source is not None:
                line, field = source
                if line is None:
                    return Problem("--consignor-name" if key == "name" else field, None, "", message)
                if section == "organizations":
                    field = "name" if key == "name" else field
                elif section == "entrustments":
                    if key == "evidence" and item is not None:
                        kinds = self.evidence_kinds.get(index, [])
                        kind = kinds[int(item)] if int(item) < len(kinds) else NOTE_KIND
                        field = {INFORMED_KIND: "informed_date", APPROVED_KIND: "approved_date"}.get(kind, "note")
                    else:
                        field = sub if sub in JA_HEADER else self._ENTRUSTMENT_COLUMN.get(key, "name")
                elif section == "access":
                    field = self._ACCESS_COLUMN.get(key, "name")
                if field not in self.titles and field == "contractor":
                    field = "name"
                return Problem(self.name, line, self.title(field), message)
        return Problem(self.name, None, problem.field, message)


@dataclass
class ImportedLedger:
    """A register as import reads it: the chain file (as data), and notes on what the register
    does not say that the analysis of that file will show (each a sentence)."""

    data: dict[str, Any]
    notes: list[str]


def read_ledger(path: str | Path, consignor: str, consignor_name: str | None = None,
                base: ChainFile | None = None, sheet: str | None = None,
                consignor_kind: str | None = None) -> ImportedLedger:
    """:func:`import_ledger`, with its notes: the intermediate contracts whose lists the register
    cannot fill (docs/ledger.md, "What the contractors were told"), and the rows whose answers it
    cannot place (a subcontract under several contracts of the consignor)."""
    table = read_table(path, LEDGER, sheet=sheet, is_header=_is_header)
    reader = _Reader(table, consignor, consignor_name, base, consignor_kind)
    data = reader.read()
    return ImportedLedger(data, reader.notes)


def import_ledger(path: str | Path, consignor: str, consignor_name: str | None = None,
                  base: ChainFile | None = None, sheet: str | None = None,
                  consignor_kind: str | None = None) -> dict[str, Any]:
    """A chain file (as data) from a vendor register of ``consignor``; with ``base``, merged into
    that chain. Every bad cell is reported at once, with its row and column (:class:`InputError`);
    the data is a valid chain file. ``consignor_kind`` (private, local_government, public_agency;
    the register has no column for it) is the consignor's kind when the base file does not give
    it: private when None."""
    return read_ledger(path, consignor, consignor_name, base, sheet, consignor_kind).data


def ledger_from_table(table: Table, consignor: str, consignor_name: str | None = None,
                      base: ChainFile | None = None, consignor_kind: str | None = None) -> dict[str, Any]:
    """:func:`import_ledger` of a table already read."""
    return _Reader(table, consignor, consignor_name, base, consignor_kind).read()


# ---------------------------------------------------------------------------------------------
# Export


def _yes_no(value: bool | None) -> str:
    return "回答不能" if value is None else ("あり" if value else "なし")


@dataclass
class Ledger:
    """A register as export writes it: its rows (the header first), and what of the chain file
    the register has no column for (each a sentence), so that nothing is lost unseen."""

    rows: list[list[str]]
    left_out: list[str]


def export_ledger(chain: ChainFile, consignor: str, source: str = "<chain>") -> Ledger:
    """The register of ``consignor``: its own entrustments and, downstream, every entrustment that
    carries its data on (with the access granted under them), and the entrustments under which
    access to a system holding its data is granted (:func:`_scope`), in the file's order. The
    values themselves, before any escape (:func:`write_ledger` makes the cells safe). What the
    register cannot hold is an :class:`InputError` when it would change a row (access granted at
    another period), else listed in ``left_out`` (a handler without a row included); the rows are
    read back as import would read them."""
    orgs = chain.organizations_by_id
    if consignor not in orgs:
        raise InputError([Problem("--consignor", None, "consignor",
                                  f"{consignor!r} is not an organisation of {source}")])
    entrustments = chain.entrustments
    scope = _scope(chain, consignor)
    order = scope.order
    if not any(entrustments[i].consignor == consignor for i in order):
        raise InputError([Problem("--consignor", None, "consignor",
                                  f"{consignor!r} is the consignor of no entrustment in {source}")])
    grants = scope.grants
    problems: list[Problem] = []
    left_out: list[str] = list(scope.lost)

    def where(i: int) -> str:
        return f"entrustments[{i}] ({entrustments[i].id})"

    roots = _roots(chain, consignor, order)
    cname = orgs[consignor].name
    register = {consignor: cname, **{entrustments[i].contractor: orgs[entrustments[i].contractor].name
                                     for i in order}}

    def resolves(value: str) -> set[str]:  # as import reads a 委託元 cell
        hits = {consignor} if value in OWN or value in (consignor, cname) else set()
        return hits | ({value} & register.keys()) | {o for o, n in register.items() if n == value}

    def org_cell(i: int, org: str) -> str:
        for cell in (orgs[org].name, org):
            if resolves(cell) == {org}:
                return cell
        problems.append(Problem(source, None, where(i), (
            f"its consignor {org!r} cannot be named in the register's 委託元 without naming another organisation "
            "too (its name and its id are each the name or id of another)")))
        return org

    systems = chain.systems_by_id
    used = list(dict.fromkeys([s for i in order for s in entrustments[i].systems] +
                              [chain.access[k].system for ks in grants.values() for k in ks]))

    def system_cell(i: int, ids: Iterable[str]) -> str:
        cells = []
        for sid in ids:
            name = systems[sid].name
            alone = sum(systems[o].name == name for o in used) == 1 and not (name in used and name != sid)
            cell = name if alone else sid
            try:
                alone_in_a_cell = split_list(cell) == [cell]
            except ValueError:
                alone_in_a_cell = False
            if not alone_in_a_cell:
                problems.append(Problem(source, None, where(i), (
                    f"its system {cell!r} holds one of {' '.join(SEPARATORS)} outside brackets (which separate the "
                    "systems of a register's cell), a bracket not closed, or spaces at its ends: it cannot be "
                    "written in a register")))
            cells.append(cell)
        return "、".join(cells)

    rows = [[c.ja for c in COLUMNS]]
    for i in order:
        e = entrustments[i]
        own = e.consignor == consignor
        ks = grants.get(e.id, [])
        if ks:
            kinds = sorted({chain.access[k].kind.value for k in ks})
            if len(kinds) > 1:
                problems.append(Problem(source, None, where(i), (
                    f"access of several kinds ({', '.join(kinds)}) is granted under it: a register row has one kind")))
            if any(chain.access[k].period != e.period for k in ks):
                problems.append(Problem(source, None, where(i), (
                    "access granted under it has a period other than the entrustment's: a register row has one "
                    "period")))
            if e.systems:
                problems.append(Problem(source, None, where(i), (
                    "it both places data in systems and has access granted under it: a register row is one or "
                    "the other")))
            entry = ENTRY_JA[kinds[0]]
            system_ids = list(dict.fromkeys(chain.access[k].system for k in ks))
            if len(system_ids) != len(ks):
                problems.append(Problem(source, None, where(i), (
                    "several access grants under it reach one system: a register row has one period")))
        else:
            entry = ENTRY_JA["entrustment" if own else "subcontract"]
            system_ids = list(e.systems)
        told = approved = "該当なし"
        if not own:
            answers = set()
            for root in roots[i]:
                r = entrustments[root]
                informed, allowed = r.informed_subcontractors, r.approved_subcontractors
                t = "あり" if e.contractor in (informed or []) + (allowed or []) else (
                    "回答不能" if informed is None else "なし")
                a = "あり" if e.contractor in (allowed or []) else ("回答不能" if allowed is None else "なし")
                answers.add((t, a))
            if len(answers) > 1:
                problems.append(Problem(source, None, where(i), (
                    f"{e.contractor!r} is under several of the consignor's entrustments, which answer otherwise "
                    "whether the consignor was told of (approved) it: a register row has one answer")))
            told, approved = sorted(answers)[0]
        told_date = approved_date = ""
        notes = []
        for k, ev in enumerate(e.evidence):
            given = {key for key, value in ev.model_dump(exclude_none=True).items() if key != "kind"}
            if ev.kind == INFORMED_KIND and given == {"date"} and told == "あり" and not told_date:
                told_date = ev.date or ""
            elif ev.kind == APPROVED_KIND and given == {"date"} and approved == "あり" and not approved_date:
                approved_date = ev.date or ""
            elif ev.kind == NOTE_KIND and given == {"note"}:
                notes.append(ev.note or "")
            else:
                left_out.append(f"{where(i)}.evidence[{k}] (kind {ev.kind!r}): the register keeps notes ({NOTE_KIND}) "
                                f"and the dates of 説明を受けた and 承諾 ({INFORMED_KIND}, {APPROVED_KIND}) only")
        for key in ("covers", "data", "ict_service", "disposal"):
            if getattr(e, key) not in (None, "all"):
                left_out.append(f"{where(i)}.{key}: the register has no column for it")
        if isinstance(e.period, str) or e.period is None:
            period = e.period or ""
            if _lone_day(period):  # the chain file's one-day contract, as the register writes one
                left_out.append(f"{where(i)}.period {period!r}, one day: written {period}～{period}, as the register "
                                "refuses a lone day in 期間")
                period = f"{period}～{period}"
        else:  # {start, end}: the same period as one text
            period = f"{e.period.start or ''}～{e.period.end or ''}" if e.period.start or e.period.end else ""
        subjects = format_subjects(e.data_subjects.count, e.data_subjects.approximate) if e.data_subjects else ""
        sup = e.supervision
        rows.append([
            entry, e.contractor, orgs[e.contractor].name, e.work or "", _yes_no(e.personal_data),
            org_cell(i, e.consignor), told, told_date, approved, approved_date, system_cell(i, system_ids), period,
            *(_yes_no(getattr(e.clauses, f)) for f in ("transfer_safety", "storage_safety", "disposal_safety",
                                                       "subcontract_restriction")),
            *(_yes_no(getattr(sup, f)) for f in ("rules_confirmation", "written_reports", "onsite_inspection",
                                                  "subcontract_check")),
            METHOD_JA[sup.subcontract_check_method.value] if sup.subcontract_check_method else "",
            subjects, "／".join(notes),
        ])
    # what the consignor's lists say of organisations without a row under that entrustment
    for i in order:
        e = entrustments[i]
        if e.consignor != consignor:  # an intermediary's own lists: the register has no column for them
            for key, verb in (("informed_subcontractors", "was told of"), ("approved_subcontractors", "approved")):
                value = getattr(e, key)
                if value is not None:
                    left_out.append(f"{where(i)}.{key} is {value}: what {e.consignor!r} {verb} under its own "
                                    f"contract; the register records what {consignor!r} {verb} only, and reads it "
                                    "back as null (unknown)")
            continue
        under = {entrustments[j].contractor for j in order if j != i and i in roots[j]}
        for key in ("informed_subcontractors", "approved_subcontractors"):
            value = getattr(e, key)
            if value is None and not under:
                left_out.append(f"{where(i)}.{key} is null (unknown), and no row is under it to say so: it reads "
                                "back as [] (told of none)")
            for org in value or []:
                if org not in under:
                    left_out.append(f"{where(i)}.{key} names {org!r}, which has no row under it")
    for org in register:
        extra = [k for k, v in orgs[org].model_dump(mode="json", exclude_none=True).items()
                 if k not in ("id", "name") and not (k == "kind" and v == "private")]
        if extra == ["kind"] and org == consignor:
            left_out.append(f"organisation {org!r}: kind {orgs[org].kind.value} (the register has no column for it: "
                            f"import it with --consignor-kind {orgs[org].kind.value})")
        elif extra:
            left_out.append(f"organisation {org!r}: {', '.join(extra)} (the register has no column for it)")
    for sid in used:
        extra = [k for k in systems[sid].model_dump(exclude_none=True) if k not in ("id", "name")]
        if extra:
            left_out.append(f"system {sid!r}: {', '.join(extra)} (the register has no column for it)")
    if problems:
        raise InputError(problems)
    _check_readable(rows, order, consignor, cname, source)
    return Ledger(rows, left_out)


@dataclass
class _Scope:
    """What a consignor's register holds of a chain file: the entrustments written as rows (by
    index, in the file's order), the access grants written on each row (by the entrustment's id),
    and a sentence for each handler of the consignor's data that the register cannot hold."""

    order: list[int]
    grants: dict[str, list[int]]
    lost: list[str]


def _scope(chain: ChainFile, consignor: str) -> _Scope:
    """The register of ``consignor``: its own entrustments, those of every organisation they reach
    that carry its data on (``covers``), and the access to the systems that hold its data (the
    systems of those entrustments, and its own systems marked ``personal_data``).

    Access is written as the row of the entrustment it is granted ``under`` (whatever that
    entrustment covers), when a row of the register can name that entrustment's consignor (the
    consignor, or the contractor of another row). Access to a system holding the consignor's
    data that cannot be such a row (granted under no entrustment, or under the contract of an
    organisation the register does not have) is named in ``lost``, and so is every entrustment by
    which such a handler passes the data on: the register never drops a handler unseen."""
    entrustments = chain.entrustments
    index = {e.id: i for i, e in enumerate(entrustments)}
    by_consignor: dict[str, list[int]] = {}
    for i, e in enumerate(entrustments):
        by_consignor.setdefault(e.consignor, []).append(i)

    def carries(i: int) -> bool:
        e = entrustments[i]
        return e.contractor != consignor and (e.consignor == consignor or e.covers == "all" or consignor in e.covers)

    rows: set[int] = set()
    named = {consignor}     # what a row's 委託元 can name: the consignor and the contractor of a row
    reached = {consignor}   # who holds the consignor's data (as far as the file says)
    held = {s.id for s in chain.systems if s.operator == consignor and s.personal_data}
    changed = True
    while changed:
        changed = False
        for org in list(reached):
            for i in by_consignor.get(org, []):
                if i in rows or not carries(i):
                    continue
                e = entrustments[i]
                if org in named:
                    rows.add(i)
                    named.add(e.contractor)
                changed |= e.contractor not in reached or not held.issuperset(e.systems)
                reached.add(e.contractor)
                held.update(e.systems)
        for grant in chain.access:
            if grant.system not in held or grant.organization == consignor:
                continue
            i = index.get(grant.under or "")
            if i is not None and i not in rows and entrustments[i].consignor in named:
                rows.add(i)
                named.add(grant.organization)
                changed = True
            if grant.organization not in reached:
                reached.add(grant.organization)
                changed = True
    row_ids = {entrustments[i].id: i for i in rows}
    grants: dict[str, list[int]] = {}
    lost: list[str] = []
    for k, grant in enumerate(chain.access):
        if grant.under in row_ids:
            grants.setdefault(grant.under, []).append(k)
        elif grant.system in held and grant.organization != consignor:
            what = f"access[{k}] ({grant.organization} → {grant.system}, {grant.kind.value})"
            if grant.under is None:
                why = "is granted under no entrustment (under is null)"
            else:
                e = entrustments[index[grant.under]]
                why = (f"is granted under {e.id}, a contract of {e.consignor!r}, which is the 委託先 of no row of "
                       "the register")
            who = (f"this access of {grant.organization!r} (a 委託先 of other rows) to {grant.system!r}, a system "
                   f"holding the data of {consignor!r}, is not in the register" if grant.organization in named else
                   f"{grant.organization!r}, which can reach {grant.system!r}, a system holding the data of "
                   f"{consignor!r}, has no row for it")
            lost.append(f"{what} {why}: a register writes access as the row of the contract it is granted under, "
                        f"so {who}")
    for i, e in enumerate(entrustments):
        if e.consignor in reached and e.consignor not in named and carries(i):
            lost.append(f"entrustments[{i}] ({e.id}): {e.consignor!r} passes the data of {consignor!r} on to "
                        f"{e.contractor!r}, but is the 委託先 of no row of the register (it reaches the data "
                        "through access the register cannot hold), so no row can name it as the 委託元")
    return _Scope(sorted(rows), grants, lost)


def _roots(chain: ChainFile, consignor: str, order: list[int]) -> dict[int, set[int]]:
    """For each entrustment of the register, the consignor's own entrustments above it."""
    entrustments = chain.entrustments
    by_consignor: dict[str, list[int]] = {}
    for i in order:
        if entrustments[i].consignor != consignor:
            by_consignor.setdefault(entrustments[i].consignor, []).append(i)
    roots: dict[int, set[int]] = {i: set() for i in order}
    for r in order:
        if entrustments[r].consignor != consignor:
            continue
        roots[r].add(r)
        seen = {r}
        stack = [entrustments[r].contractor]
        while stack:
            for i in by_consignor.get(stack.pop(), []):
                if i not in seen:
                    seen.add(i)
                    roots[i].add(r)
                    stack.append(entrustments[i].contractor)
    return roots


def _check_readable(rows: list[list[str]], order: list[int], consignor: str, name: str, source: str) -> None:
    """The rows as import-ledger would read them: what it would refuse is refused here, naming the
    entrustment the row is written from (never a register that cannot be read back)."""
    table = Table(f"<{source} as a register>", 1, rows[0], [(n, row) for n, row in enumerate(rows[1:], start=2)])
    try:
        ledger_from_table(table, consignor, name)
    except InputError as exc:
        raise InputError([Problem(source, None, (f"entrustments[{order[p.line - 2]}]" if p.line and
                                                 2 <= p.line < len(order) + 2 else p.field), (
            f"its register row {p.line} would not read back ({p.field}: {p.message})"
            if p.line else p.message)) for p in exc.problems]) from None


# ---------------------------------------------------------------------------------------------
# Writing: the workbook's formats, lists and explanations; the template


LISTS = {
    "entry": ["委託", "再委託", "保守", "運用", "開発", "支援", "管理者権限", "その他のアクセス"],
    "tri": ["あり", "なし", "回答不能"],
    "clauses": ["あり", "なし", "回答不能"],
    "supervision": ["あり", "なし", "回答不能"],
    "told": ["あり", "なし", "回答不能", "該当なし"],
    "approved": ["あり", "なし", "回答不能", "該当なし"],
    "method": ["書面", "口頭"],
}
LIST_ROWS = 1000  # rows below the header that the lists cover, at least


def decorate(book: Any, sheet: Any) -> None:
    """The register's workbook: a bold, frozen, filtered header with widths, a dropdown list on
    every answer column (other accepted answers are warned of, not refused), and a second sheet
    explaining each column in Japanese."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    last = max(sheet.max_row, 1)
    covered = max(LIST_ROWS, last + 500) + 1
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS):
        cell = sheet.cell(row=1, column=index + 1)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter(index)].width = column.width
        values = LISTS.get(column.kind)
        if values:
            validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                        showDropDown=False, showErrorMessage=True, errorStyle="warning",
                                        errorTitle=column.ja, error=f"{column.values} のいずれかを選んでください",
                                        promptTitle=column.ja, prompt=column.help[:255], showInputMessage=True)
            validation.add(f"{letter(index)}2:{letter(index)}{covered}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{letter(len(COLUMNS) - 1)}{last}"
    sheet.row_dimensions[1].height = 30
    help_sheet = book.create_sheet(HELP_SHEET_TITLE)
    append_text_rows(help_sheet, HELP_ROWS)
    for index, width in enumerate((6, 16, 26, 8, 40, 44, 60)):
        help_sheet.column_dimensions[letter(index)].width = width
    for cells in help_sheet.iter_rows():
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    help_sheet.freeze_panes = "A2"


HELP_ROWS = [["列", "列名", "英語名（見出しに使えます）", "必須", "記入する値", "委託関係ファイルの項目", "説明"]] + [
    [letter(i), c.ja, c.en, "必須" if c.required else "", c.values, c.maps_to, c.help] for i, c in enumerate(COLUMNS)
] + [
    [""] * 7,
    ["", "回答", "", "", "あり・はい・有・○ / なし・いいえ・無・× / 回答不能・不明・空欄", "true / false / null",
     "回答不能（不明）は「なし」ではありません。該当なしは、説明を受けた・承諾の欄では自社の委託の行に書き、その他の"
     "回答の欄では回答不能と同じ（null）に読みます"],
    ["", "再委託の行", "", "", "", "", "委託元には、その仕事を更に委託した委託先（他の行の委託先）を書きます。説明を受けた・"
     "承諾は、自社の委託（その連鎖の一番上の委託）について自社が説明を受け、承諾したかです。一つの契約の下の行は、"
     "全て回答するか、全て回答不能にします"],
    ["", "保守などの行", "", "", "", "", "委託元がその組織に委託した契約と、システム欄の各システムへのアクセス（区分の種類、"
     "期間の間）を表します。保守契約を個人データの取扱いなしとしていても、アクセスできれば取扱者です"],
    ["", "読み込み", "", "", "chain import-ledger 台帳.xlsx --consignor ID", "", "誤りのあるセルは行と列を示して全て"
     "報告され、一つでもあれば何も書き出されません。表題の行は読み飛ばします"],
]


def write_ledger(rows: list[list[str]], path: str | Path, encoding: str = "utf-8-sig",
                 inputs: tuple[str | Path, ...] = ()) -> None:
    """Write the register to ``path``: CSV in ``encoding``, or an .xlsx with the template's
    formats, lists and explanations (:func:`decorate`)."""
    write_table(rows, path, encoding, inputs, sheet_title=SHEET_TITLE, decorate=decorate)


def template_rows() -> list[list[str]]:
    """The empty register: its header."""
    return [[c.ja for c in COLUMNS]]

