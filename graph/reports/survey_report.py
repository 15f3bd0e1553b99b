"""The survey's reports (``chain survey``): the markdown laid out as the PPC's survey of
ProCX's consignors writes it (第1 and 第2) — in Japanese, numbers and dates as the survey writes
them (69 団体, 33 団体、58%, 令和5年10月), or in English with the same structure — and a terminal
table in either language, its columns padded by display width."""
from __future__ import annotations

from typing import Any, Literal

from entrustment_chain.graph.analysis.survey import ITEMS, METHOD_ITEM, Item, MethodItem, Survey
from entrustment_chain.graph.model.chain import KIND_JA
from entrustment_chain.graph.reports.columns import columns
from entrustment_chain.graph.reports.render import KIND_COUNTER, day_ja, md, subjects_ja

Lang = Literal["ja", "en"]


def kinds_ja(by_kind: dict[str, int]) -> str:
    """（全て民間事業者） or （民間事業者が 6 社、地方公共団体が 8 団体）, as the seed writes it."""
    if not by_kind:
        return ""
    if len(by_kind) == 1:
        return f"（全て{KIND_JA[next(iter(by_kind))]}）"
    return "（" + "、".join(f"{KIND_JA[k]}が {n} {KIND_COUNTER[k]}" for k, n in by_kind.items()) + "）"


def _share(count: int, pct: int | None) -> str:
    """「33 団体、58%」; with nothing evaluated there is no percentage to give (never "None%")."""
    return f"{count} 団体、{pct}%" if pct is not None else f"{count} 団体（評価対象なし）"


def _yes_no(item: Item) -> tuple[str, str]:
    return f"あり {_share(item.yes, item.yes_pct)}", f"なし {_share(item.no, item.no_pct)}"


def _exclusion_lines(item: Item | Any) -> list[str]:
    lines = []
    for ex in item.exclusions:
        note = f"：{'／'.join(md(n) for n in ex.notes)}" if ex.notes else ""
        lines.append(f"- 除外 {ex.count} 団体（回答不能の項目: {'・'.join(ex.unanswered)}）{note}")
    return lines


def survey_markdown(s: Survey, lang: Lang = "ja") -> str:
    """The survey as the PPC's report lays it out: Japanese (``ja``, the default) or English."""
    if lang == "en":
        return _markdown_en(s)
    it = s.items
    contractor_name = md(s.contractor_name)
    as_of = (f"（基準日 {day_ja(s.as_of)}時点で開始していた委託）"
             if s.as_of else "")
    out = [f"# 委託元に対する調査結果（{contractor_name}）", "",
           f"本件委託元 {s.consignors} 団体{as_of}", "",
           "## 第1 本件委託元の回答内容", "",
           "### 1(1) 委託契約書における個人情報の取扱いに関する安全管理条項の有無", ""]
    out += _three_items([it[k] for k in ("clauses.transfer_safety", "clauses.storage_safety",
                                         "clauses.disposal_safety")], "条項", "安全管理条項",
                        s.no_safeguard_clauses, s.no_safeguard_clauses_by_kind)
    out += ["", "### 1(2) 再委託の禁止又は制限に関する条項の有無", ""]
    out += _single(it["clauses.subcontract_restriction"])
    out += ["### 1(3) 契約の締結時又は役務提供時、個人情報の取扱いの再委託があるかについての確認の有無", ""]
    out += _single(it["supervision.subcontract_check"])
    method: MethodItem = it[METHOD_ITEM]  # type: ignore[assignment]
    out += ["### 1(4) 上記(3)で、再委託があるかについて確認を行っている場合の確認方法", "",
            f"（評価対象団体数：{method.evaluated} 団体）", "",
            f"- 書面 = {_share(method.written, method.written_pct)}",
            f"- 口頭 = {_share(method.oral, method.oral_pct)}", ""]
    out += [f"### 2(1) {contractor_name}の個人データ取扱状況の把握", ""]
    out += _three_items([it[k] for k in ("supervision.rules_confirmation", "supervision.written_reports",
                                         "supervision.onsite_inspection")], "監督", "監督状況",
                        s.no_supervision, s.no_supervision_by_kind)
    ni = s.not_informed
    out += ["", "### 2(2) 再委託先（取扱者）についての説明", "",
            f"（評価対象団体数：{ni.evaluated} 団体）", "",
            f"- 説明を受けていない取扱者がいる団体 = {ni.count} 団体"]
    for handler, count in ni.handlers.items():
        out.append(f"  - {md(ni.handler_names.get(handler, handler))}: {count} 団体に説明なし")
    out += [""] + _exclusion_lines(ni) + [""]
    out += ["## 第2 安全管理条項なし・監督なしの団体", ""]
    for kind in ("private", "local_government", "public_agency"):
        rows = [r for r in s.listed if r.kind == kind]
        if not rows:
            continue
        out += [f"【 {KIND_JA[kind]} 】", "",
                "| 名称 | 本人数 | 委託期間 | 委託契約書の安全管理条項なし | 委託先への監督なし |",
                "|---|---|---|---|---|"]
        for r in rows:
            out.append(f"| {md(r.name)} | {subjects_ja(r.data_subjects, r.approximate)} | {md(r.period or '不明')} | "
                       f"{'全てなし' if r.no_safeguard_clauses else 'あり'} | {'全てなし' if r.no_supervision else 'あり'} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _three_items(items: list[Item], column: str, what: str, all_none: list[str],
                 by_kind: dict[str, int]) -> list[str]:
    """The seed's three-column tables (1(1) clauses, 2(1) supervision) and the all-なし line."""
    lines = [f"（評価対象団体数：{items[0].evaluated} 団体）", "", f"| {column} | あり | なし |", "|---|---|---|"]
    for item in items:
        yes, no = _yes_no(item)
        lines.append(f"| {md(item.label)} | {yes} | {no} |")  # the label holds the contractor's name
    lines += [""] + _exclusion_lines(items[0]) + [""]
    lines.append(f"上記 3 つの{what}が、いずれも「なし」となっていた団体：{len(all_none)} 団体{kinds_ja(by_kind)}")
    return lines


def _single(item: Item) -> list[str]:
    lines = [f"（評価対象団体数：{item.evaluated} 団体）", "",
             f"- あり = {_share(item.yes, item.yes_pct)}",
             f"- なし = {_share(item.no, item.no_pct)}{kinds_ja(item.no_by_kind)}", ""]
    return lines + _exclusion_lines(item) + [""]


def survey_table(s: Survey, lang: Lang = "en") -> str:
    """The survey's numbers, one item a row, for a terminal: English (the default) or Japanese."""
    return _table_ja(s) if lang == "ja" else _table_en(s)


def _table_en(s: Survey) -> str:
    names = _names(s)
    out = [f"Survey of {s.contractor_name} ({s.contractor}): {s.consignors} consignors"
           + (f" (the contracts begun by {s.as_of})" if s.as_of else ""), ""]
    rows = [["item", "section", "evaluated", "yes", "no", "yes%", "no%", "excluded", ""]]
    for key, item in s.items.items():
        if isinstance(item, MethodItem):
            rows.append([key, item.section, str(item.evaluated), str(item.written), str(item.oral),
                         _p(item.written_pct), _p(item.oral_pct), str(item.excluded), " (written / oral)"])
        else:
            rows.append([key, item.section, str(item.evaluated), str(item.yes), str(item.no), _p(item.yes_pct),
                         _p(item.no_pct), str(item.excluded), ""])
    ni = s.not_informed
    rows.append(["not_informed", ni.section, str(ni.evaluated), str(ni.count), "", "", "", str(ni.excluded),
                 " (consignors with an undisclosed handler)"])
    out += columns(rows, right=range(2, 8))
    out += ["", f"all three safety clauses false ({len(s.no_safeguard_clauses)})"
            + (f"{kinds_en(s.no_safeguard_clauses_by_kind)}: {_ids_en(s.no_safeguard_clauses, names)}"
               if s.no_safeguard_clauses else ""),
            f"all three supervision measures false ({len(s.no_supervision)})"
            + (f"{kinds_en(s.no_supervision_by_kind)}: {_ids_en(s.no_supervision, names)}"
               if s.no_supervision else "")]
    for handler, count in ni.handlers.items():
        out.append(f"undisclosed handler {ni.handler_names.get(handler, handler)} ({handler}): "
                   f"{_consignors_en(count)} not told")
    return "\n".join(out) + "\n"


def _table_ja(s: Survey) -> str:
    names = _names(s)
    as_of = f"（基準日 {day_ja(s.as_of)}時点で開始していた委託）" if s.as_of else ""
    out = [f"委託元に対する調査結果：{s.contractor_name}（{s.contractor}）、本件委託元 {s.consignors} 団体{as_of}", ""]
    rows = [["項目", "区分", "評価対象", "あり", "なし", "あり（%）", "なし（%）", "除外", ""]]
    for key, item in s.items.items():
        if isinstance(item, MethodItem):
            rows.append(["再委託の確認方法", item.section, str(item.evaluated), str(item.written), str(item.oral),
                         _pct(item.written_pct), _pct(item.oral_pct), str(item.excluded), "（あり＝書面、なし＝口頭）"])
        else:
            rows.append([ITEM_JA[key], item.section, str(item.evaluated), str(item.yes), str(item.no),
                         _pct(item.yes_pct), _pct(item.no_pct), str(item.excluded), ""])
    ni = s.not_informed
    rows.append(["説明を受けていない取扱者", ni.section, str(ni.evaluated), str(ni.count), "", "", "", str(ni.excluded),
                 "（あり＝説明を受けていない取扱者がいる団体）"])
    out += columns(rows, right=range(2, 8))
    out += ["", "（数は団体数。評価対象は回答不能を除いた団体数）", "",
            f"上記 3 つの安全管理条項が、いずれも「なし」となっていた団体：{len(s.no_safeguard_clauses)} 団体"
            f"{kinds_ja(s.no_safeguard_clauses_by_kind)}"]
    if s.no_safeguard_clauses:
        out.append("  " + _ids_ja(s.no_safeguard_clauses, names))
    out.append(f"上記 3 つの監督状況が、いずれも「なし」となっていた団体：{len(s.no_supervision)} 団体"
               f"{kinds_ja(s.no_supervision_by_kind)}")
    if s.no_supervision:
        out.append("  " + _ids_ja(s.no_supervision, names))
    for handler, count in ni.handlers.items():
        out.append(f"説明を受けていない取扱者：{ni.handler_names.get(handler, handler)}（{handler}）、{count} 団体に説明なし")
    return "\n".join(out) + "\n"


# The items as the Japanese table names them, short (the markdown gives the survey's full labels).
ITEM_JA = {
    "clauses.transfer_safety": "授受の安全管理条項", "clauses.storage_safety": "保管の安全管理条項",
    "clauses.disposal_safety": "廃棄の安全管理条項", "clauses.subcontract_restriction": "再委託の禁止又は制限の条項",
    "supervision.subcontract_check": "再委託の有無の確認", "supervision.rules_confirmation": "規律の確認の要求",
    "supervision.written_reports": "書面報告等による把握", "supervision.onsite_inspection": "実地確認等による把握",
}
# The items' labels in English, as the survey's Japanese labels say them ({contractor}: its name).
ITEM_EN = {
    "clauses.transfer_safety": "Safety management in handing over data that contains personal information",
    "clauses.storage_safety": "Safety management in storing personal information at {contractor}",
    "clauses.disposal_safety": "Safety management in disposing of personal information when the work ends",
    "clauses.subcontract_restriction": "A clause prohibiting or restricting re-entrustment",
    "supervision.subcontract_check": "Checking, when the contract is signed or the service is provided, whether the "
                                     "handling of personal information is re-entrusted",
    "supervision.rules_confirmation": "Requiring {contractor}, when the contract is signed, to confirm its rules for "
                                      "handling personal information",
    "supervision.written_reports": "During the service, learning how {contractor} handles personal information, "
                                   "e.g. by written reports",
    "supervision.onsite_inspection": "During the service, inspecting {contractor}'s premises on site to learn how it "
                                     "handles personal information",
}
assert set(ITEM_JA) == set(ITEMS) == set(ITEM_EN)
KIND_EN = {"private": ("business", "businesses"), "local_government": ("local government", "local governments"),
           "public_agency": ("public agency", "public agencies")}


def _names(s: Survey) -> dict[str, str]:
    """The names of the consignors the survey lists (第2), by id."""
    return {r.consignor: r.name for r in s.listed}


def _ids_ja(ids: list[str], names: dict[str, str]) -> str:
    return "、".join(f"{names[i]}（{i}）" if names.get(i, i) != i else i for i in ids)


def _ids_en(ids: list[str], names: dict[str, str]) -> str:
    return ", ".join(f"{names[i]} ({i})" if names.get(i, i) != i else i for i in ids)


def _pct(value: int | None) -> str:
    return "－" if value is None else f"{value}%"


def _kind_en(kind: str, n: int) -> str:
    one, many = KIND_EN[kind]
    return f"{n} {one if n == 1 else many}"


def kinds_en(by_kind: dict[str, int]) -> str:
    """ (all businesses) or  (6 businesses, 8 local governments), as kinds_ja says it."""
    if not by_kind:
        return ""
    if len(by_kind) == 1:
        return f" (all {KIND_EN[next(iter(by_kind))][1]})"
    return " (" + ", ".join(_kind_en(k, n) for k, n in by_kind.items()) + ")"


def _consignors_en(n: int) -> str:
    return f"{n} consignor{'' if n == 1 else 's'}"


def _share_en(count: int, pct: int | None) -> str:
    return f"{_consignors_en(count)}, {pct}%" if pct is not None else f"{_consignors_en(count)} (none evaluated)"


def _exclusion_lines_en(item: Item | Any) -> list[str]:
    lines = []
    for ex in item.exclusions:
        note = f": {' / '.join(md(n) for n in ex.notes)}" if ex.notes else ""
        lines.append(f"- Excluded: {_consignors_en(ex.count)} (sections they could not answer: "
                     f"{', '.join(ex.unanswered)}){note}")
    return lines


def _markdown_en(s: Survey) -> str:
    it = s.items
    contractor = md(s.contractor_name)
    label = {key: md(text.format(contractor=s.contractor_name)) for key, text in ITEM_EN.items()}
    as_of = f" (the contracts begun by {s.as_of})" if s.as_of else ""
    out = [f"# The survey of the consignors ({contractor} ({md(s.contractor)}))", "",
           f"Consignors surveyed: {s.consignors}{as_of}", "",
           "## Part 1: the consignors' answers", "",
           "### 1(1) Safety-management clauses on the handling of personal information in the entrustment contract", ""]
    out += _three_items_en(s, ("clauses.transfer_safety", "clauses.storage_safety", "clauses.disposal_safety"),
                           label, "Clause", "safety-management clauses", s.no_safeguard_clauses,
                           s.no_safeguard_clauses_by_kind)
    out += ["", "### 1(2) A clause prohibiting or restricting re-entrustment", ""]
    out += _single_en(it["clauses.subcontract_restriction"])
    out += ["### 1(3) Whether it was checked, when the contract was signed or the service provided, if the handling "
            "of personal information was re-entrusted", ""]
    out += _single_en(it["supervision.subcontract_check"])
    method: MethodItem = it[METHOD_ITEM]  # type: ignore[assignment]
    out += ["### 1(4) How it was checked, where (3) was checked", "",
            f"(consignors evaluated: {method.evaluated})", "",
            f"- In writing = {_share_en(method.written, method.written_pct)}",
            f"- Orally = {_share_en(method.oral, method.oral_pct)}", ""]
    out += [f"### 2(1) Learning how {contractor} handles the personal data", ""]
    out += _three_items_en(s, ("supervision.rules_confirmation", "supervision.written_reports",
                               "supervision.onsite_inspection"), label, "Supervision", "supervision measures",
                           s.no_supervision, s.no_supervision_by_kind)
    ni = s.not_informed
    out += ["", "### 2(2) Being told of the subcontractors (handlers)", "",
            f"(consignors evaluated: {ni.evaluated})", "",
            f"- Consignors with a handler they were not told of = {_consignors_en(ni.count)}"]
    for handler, count in ni.handlers.items():
        out.append(f"  - {md(ni.handler_names.get(handler, handler))} ({md(handler)}): not told to "
                   f"{_consignors_en(count)}")
    out += [""] + _exclusion_lines_en(ni) + [""]
    out += ["## Part 2: the consignors with no safety-management clauses or no supervision", ""]
    for kind in ("private", "local_government", "public_agency"):
        rows = [r for r in s.listed if r.kind == kind]
        if not rows:
            continue
        out += [f"【 {KIND_EN[kind][1].capitalize()} 】", "",
                "| Name | People | Period of the entrustment | No safety-management clauses in the contract | "
                "No supervision of the contractor |",
                "|---|---|---|---|---|"]
        for r in rows:
            people = ("unknown" if r.data_subjects is None
                      else f"{'about ' if r.approximate else ''}{r.data_subjects:,}")
            period = _period_en(r.period_iso) if r.period_iso else (r.period or "unknown")
            out.append(f"| {md(r.name)} ({md(r.consignor)}) | {people} | {md(period)} | "
                       f"{'all absent' if r.no_safeguard_clauses else 'present'} | "
                       f"{'all absent' if r.no_supervision else 'present'} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _period_en(iso: str) -> str:
    """2015-03/2017-03 as 2015-03 to 2017-03 (an open end: open; an unknown start: unknown)."""
    start, _, end = iso.partition("/")
    return f"{start or 'unknown'} to {end or 'open'}"


def _three_items_en(s: Survey, keys: tuple[str, ...], label: dict[str, str], column: str, what: str,
                    all_none: list[str], by_kind: dict[str, int]) -> list[str]:
    """The three-column tables of 1(1) and 2(1) in English, and the all-no line."""
    items: list[Item] = [s.items[k] for k in keys]  # type: ignore[misc]
    lines = [f"(consignors evaluated: {items[0].evaluated})", "", f"| {column} | Yes | No |", "|---|---|---|"]
    for key, item in zip(keys, items):
        lines.append(f"| {label[key]} | yes {_share_en(item.yes, item.yes_pct)} | "
                     f"no {_share_en(item.no, item.no_pct)} |")
    lines += [""] + _exclusion_lines_en(items[0]) + [""]
    lines.append(f"Consignors answering no to all three {what} above: {_consignors_en(len(all_none))}"
                 f"{kinds_en(by_kind)}")
    return lines


def _single_en(item: Item) -> list[str]:
    lines = [f"(consignors evaluated: {item.evaluated})", "",
             f"- Yes = {_share_en(item.yes, item.yes_pct)}",
             f"- No = {_share_en(item.no, item.no_pct)}{kinds_en(item.no_by_kind)}", ""]
    return lines + _exclusion_lines_en(item) + [""]


def _p(value: int | None) -> str:
    return "-" if value is None else str(value)


