"""The survey's reports (``chain survey``): the Japanese markdown laid out as the PPC's survey
of ProCX's consignors writes it (第1 and 第2), and a terminal table."""
from __future__ import annotations

from typing import Any

from entrustment_chain.graph.analysis.survey import METHOD_ITEM, Item, MethodItem, Survey
from entrustment_chain.graph.model.chain import KIND_JA
from entrustment_chain.graph.reports.render import KIND_COUNTER, day_ja, md, subjects_ja


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


def survey_markdown(s: Survey) -> str:
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


def survey_table(s: Survey) -> str:
    width = max(len(k) for k in s.items) + 2
    out = [f"Survey of {s.contractor} ({s.contractor_name}): {s.consignors} consignors"
           + (f" (the contracts begun by {s.as_of})" if s.as_of else ""), "",
           f"{'item':<{width}}{'section':<9}{'evaluated':>10}{'yes':>6}{'no':>6}{'yes%':>6}{'no%':>6}{'excluded':>10}"]
    for key, item in s.items.items():
        if isinstance(item, MethodItem):
            out.append(f"{key:<{width}}{item.section:<9}{item.evaluated:>10}{item.written:>6}{item.oral:>6}"
                       f"{_p(item.written_pct):>6}{_p(item.oral_pct):>6}{item.excluded:>10}   (written / oral)")
        else:
            out.append(f"{key:<{width}}{item.section:<9}{item.evaluated:>10}{item.yes:>6}{item.no:>6}"
                       f"{_p(item.yes_pct):>6}{_p(item.no_pct):>6}{item.excluded:>10}")
    ni = s.not_informed
    out.append(f"{'not_informed':<{width}}{ni.section:<9}{ni.evaluated:>10}{ni.count:>6}{'':>6}{'':>6}{'':>6}"
               f"{ni.excluded:>10}   (consignors with an undisclosed handler)")
    out += ["", f"all three safety clauses false ({len(s.no_safeguard_clauses)}): {', '.join(s.no_safeguard_clauses)}",
            f"all three supervision measures false ({len(s.no_supervision)}): {', '.join(s.no_supervision)}"]
    return "\n".join(out) + "\n"


def _p(value: int | None) -> str:
    return "-" if value is None else str(value)


