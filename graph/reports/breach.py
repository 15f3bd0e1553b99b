"""Render a breach report (:mod:`entrustment_chain.graph.analysis.breach`): Japanese markdown for
the people who must act (names, not ids; wareki dates; each legal statement with its citation and
link), an English table for the terminal, CSV for spreadsheets (Japanese headers and values, one
row per organisation and role, the handler first; UTF-8 with BOM, formula-like cells guarded as
the DORA export guards them), JSON.

The markdown groups the organisations as their duties group them: the handler's own duty first,
then the intermediaries (each on its own: whom it notifies differs), then the end consignors by
kind, whose duty and legal bases are the same within a kind and are stated once above their
table. An organisation with both roles appears in each, with a pointer to the other.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.breach import (
    Affected,
    BreachReport,
    Deadlines,
    FinalDeadline,
    People,
)
from entrustment_chain.graph.analysis.findings import LegalReference, RoutePath
from entrustment_chain.graph.model.chain import KIND_JA, ChainFile
from entrustment_chain.graph.reports.dora import cell
from entrustment_chain.graph.reports.render import KIND_COUNTER, day_ja, md, route_windows_ja, subjects_ja, to_json

KINDS = ("private", "local_government", "public_agency")
INTENT_JA = {"wrongful": "あり（--intent wrongful）", "accidental": "なし（--intent accidental）",
             "unknown": "不明（--intent で指定）"}
STATUS_JA = {"certain": "確実", "possible": "可能性"}
MET_JA = {"met": "該当", "possibly_met": "該当の可能性", "not_met": "非該当", "unknown": "不明"}
REPORTING_JA = {"met": "該当", "unknown": "不明", "not_met": "非該当", "not_judged": "判定しない"}
DUTY_JA = {"report_to_ppc": "個人情報保護委員会への報告", "notify_consignor": "委託元への通知",
           "no_statutory_duty": "法律上の義務なし"}
ROLE_JA = {"consignor": "委託元", "intermediary": "中間の受託者", "handler": "取扱者"}
DATA_JA = {"sensitive": "要配慮個人情報", "my_number": "特定個人情報", "payment": "財産的被害のおそれのあるデータ",
           "other": "その他"}
WEEKDAY_JA = {"Mon": "月", "Tue": "火", "Wed": "水", "Thu": "木", "Fri": "金", "Sat": "土", "Sun": "日"}
ITEM = {"sensitive": 1, "payment": 2, "wrongful": 3, "people": 4, "ordinance_sensitive": 5}


def breach_json(r: BreachReport) -> str:
    return to_json(r.to_json_dict())


# ---------------------------------------------------------------------------------------------
# Words shared by the formats


def _window_ja(r: BreachReport) -> str:
    start = date.fromisoformat(r.window.from_) if r.window.from_ else W.MIN
    end = date.fromisoformat(r.window.to) if r.window.to else W.MAX
    if start == W.MIN and end == W.MAX:
        return "全期間（--from、--to の指定なし）"
    return W.wareki((start, end)).replace("不明～", "～")


def _link(ref: LegalReference) -> str:
    return f"[{md(ref.ja)}]({ref.ref})"


def _links(refs: list[LegalReference]) -> str:
    return "、".join(_link(x) for x in refs)


def _names(ids: list[str], names: dict[str, str], limit: int = 0) -> str:
    shown = ids if not limit or len(ids) <= limit else ids[:limit]
    text = "、".join(md(names.get(i, i)) for i in shown)
    return text + (f" ほか {len(ids) - len(shown)} 者" if len(shown) < len(ids) else "")


def _path_nodes(route: RoutePath, names: dict[str, str], systems: dict[str, str]) -> list[str]:
    """The names along the route's path: 甲社, 顧客管理システム, 乙社 (a system route starts at the system)."""
    if not route.path:
        return []
    first = route.path[0]
    nodes = [systems.get(first.source, first.source) if first.type == S.ACCESSIBLE_BY
             else names.get(first.source, first.source)]
    for step in route.path:
        nodes.append(systems.get(step.target, step.target) if step.type == S.PLACES_DATA_IN
                     else names.get(step.target, step.target))
    return nodes


def _path_ja(route: RoutePath, names: dict[str, str], systems: dict[str, str]) -> str:
    return " → ".join(md(n) for n in _path_nodes(route, names, systems))


def _spans_ja(route: RoutePath) -> str:
    return "" if route.windows is None else route_windows_ja(route.windows, "（期間不明の記録があるため可能性）")


def _status_ja(a: Affected) -> str:
    return STATUS_JA[a.status] + ("（期間不明のため）" if a.unknown_period else "")


def _people_ja(p: People | None) -> str:
    if p is None:
        return "数えない（委託元ごとに数える）"
    if p.count is None:
        return "不明"
    text = subjects_ja(p.count, p.approximate)
    if p.overlap_possible:
        text += f"（上限。最大の契約で {subjects_ja(p.at_least, p.approximate)}）"
    if p.unknown:
        text += f"（ほか本人数不明の経路 {p.unknown} 件）"
    if p.may_include_others:
        text += "（他者の本人を含みうる）"
    return text


def _thresholds_ja(a: Affected) -> str:
    """該当（第3号、第4号）／不明（第1号、第2号）; 判定しない when no statutory duty applied."""
    if a.reporting == "not_judged":
        return "判定しない（知った日には法律上の義務なし）"
    groups = []
    for met in ("met", "possibly_met", "unknown", "not_met"):
        items = [f"第{ITEM[t.id]}号" for t in a.thresholds if t.met == met]
        if items:
            groups.append(f"{MET_JA[met]}（{'、'.join(items)}）")
    return "／".join(groups)


def _final_ja(f: FinalDeadline) -> str:
    counted = f"{day_ja(f.counted)}（{WEEKDAY_JA[f.weekday]}）"
    if not f.moved:
        return f"{counted}まで（{f.days} 日）"
    return f"{day_ja(f.by)}（{WEEKDAY_JA[f.by_weekday]}）まで（{f.days} 日。満了日の{counted}が休日のため翌開庁日）"


def _deadlines_ja(d: Deadlines | None) -> tuple[str, str]:
    """(速報 or the notice, 確報) in wareki."""
    if d is None:
        return "－", "－"
    start, end = date.fromisoformat(d.preliminary.from_), date.fromisoformat(d.preliminary.to)
    first = f"{W.wareki((start, end))}ごろまで（速やかに）"
    if d.final is None:
        return first, "－"
    final = _final_ja(d.final)
    if d.final_if_wrongful is not None:
        final += f"。不正の目的によるときは{_final_ja(d.final_if_wrongful)}"
    return first, final


def _kinds_ja(by_kind: dict[str, int]) -> str:
    return "、".join(f"{KIND_JA[k]} {n} {KIND_COUNTER[k]}" for k, n in by_kind.items() if n)


# ---------------------------------------------------------------------------------------------
# Markdown (Japanese)


def breach_markdown(r: BreachReport, chain: ChainFile) -> str:
    names = {o.id: o.name for o in chain.organizations}
    systems = {s.id: s.name for s in chain.systems}
    works = {e.id: e.work for e in chain.entrustments}
    t = r.totals
    handler = md(r.handler_name)
    out = [f"# 漏えい等の影響範囲：{handler}", "",
           f"{handler}が取り扱うことのできた個人データに漏えい等があった場合に、影響を受ける組織、"
           "報告・通知の義務、本人数、期限を、委託関係の記録から求めたものです。", "",
           "## 条件", "",
           f"- 取扱者：{handler}",
           f"- 期間：{_window_ja(r)}",
           "- システム：" + (f"{_names(r.systems, systems)}（このシステムを通る道だけで判定）" if r.systems else "全て"),
           f"- 事態を知った日：{day_ja(r.known) if r.known else '指定なし（--known）'}",
           f"- 不正の目的：{INTENT_JA[r.intent]}"]
    if r.as_of:
        out.append(f"- 基準日：{day_ja(r.as_of)}時点の記録（その後の委託・廃棄の記録は含めない）")
    consignors = f"委託元 {t.consignors} 者" + (f"（{_kinds_ja(t.by_kind)}）" if t.consignors else "")
    middle = f"、中間の受託者 {t.intermediaries} 者" if t.intermediaries else ""
    both = f"。うち {t.both} 者は両方" if t.both else ""
    people = subjects_ja(t.data_subjects.count, t.data_subjects.approximate)
    if t.data_subjects.unknown:
        people += f"（ほか本人数不明の委託元 {t.data_subjects.unknown} 者）"
    if t.data_subjects.overlap_possible:
        people += "（重複を含みうる上限）"
    out += ["", "## 概要", ""]
    if not r.affected:
        out += [f"- 期間内に{handler}の手が届いた個人データはありません。"]
    else:
        s = t.by_status
        reporting = "、".join(f"{REPORTING_JA[k]} {n} 者" for k, n in t.by_reporting.items()
                             if n or k in ("met", "unknown", "not_met"))
        out += [f"- 影響を受ける組織：{t.affected} 者（{consignors}{middle}{both}）",
                f"- 取扱いの時期：確実 {s['certain']} 者、可能性 {s['possible']} 者、"
                f"期間不明のため可能性 {s['possible_unknown_period']} 者",
                "- 義務（役割ごと）：" + "、".join(f"{DUTY_JA[d]} {n} 者" for d, n in t.by_duty.items() if n),
                f"- 報告対象事態（委託元）：{reporting}",
                f"- 本人数（委託元の合計）：{people}"]
        if r.handler_notifies:
            out.append(f"- {handler}は、{_names(r.handler_notifies, names)}に通知する（委託を受けた者として）")
    for note in r.notes:
        out.append(f"- ※{md(note.text_ja)}" + (f"（根拠：{_links(note.references)}）" if note.references else ""))
    if r.handler_duty is not None:
        out += ["", f"## 取扱者自身の義務：{handler}", ""] + _holder_ja(r.handler_duty, names, systems, works)
    intermediaries = [a for a in r.affected if a.role == "intermediary"]
    if intermediaries:
        out += ["", "## 中間の受託者", ""]
        for a in intermediaries:
            out += [f"### {md(a.name)}（{KIND_JA[a.kind]}）", ""] + _holder_ja(a, names, systems, works) + [""]
    for kind in KINDS:
        group = [a for a in r.affected if a.role == "consignor" and a.kind == kind]
        if group:
            out += [""] + _consignors_ja(kind, group, names, systems, works)
    return "\n".join(out).rstrip() + "\n"


def _holder_ja(a: Affected, names: dict[str, str], systems: dict[str, str],
               works: dict[str, str | None]) -> list[str]:
    """An organisation that holds others' data: an intermediary, or the handler itself."""
    out = [f"- 取扱いの時期：{_status_ja(a)}"]
    if a.also == "consignor":
        out.append("- 自らのデータについては委託元としても記載（下の委託元の表）")
    for route in a.routes:
        out.append(f"- 経路（{_route_ja(route, works, systems)}）：{_path_ja(route, names, systems)}"
                   f"（{_spans_ja(route)}）")
    out.append(f"- 義務：{md(a.duty.text_ja)}（根拠：{_links(a.duty.references)}）")
    for extra in a.duty.additional:
        out.append(f"- 追加の義務：{md(extra.text_ja)}（根拠：{_links(extra.references)}）")
    if a.notified_by:
        out.append(f"- 通知を受ける相手：{_names(a.notified_by, names)}")
    if a.notifies:
        out.append(f"- 通知する相手：委託元 {len(a.notifies)} 者（{_names(a.notifies, names)}）")
    if a.reports_for:
        out.append(f"- 自ら報告する委託元のデータ：{_names(a.reports_for, names)}")
    if a.reporting == "not_judged":
        out.append("- 報告対象事態：判定しない（知った日には法律上の報告義務がない）")
    else:
        out.append(f"- 報告対象事態：{REPORTING_JA[a.reporting]}（預かっているデータについて。"
                   f"根拠：{_link(a.thresholds[0].reference)}）")
        for th in a.thresholds:
            out.append(f"  - {md(th.reason_ja)}：{MET_JA[th.met]}")
    if a.deadlines is not None:
        first, final = _deadlines_ja(a.deadlines)
        if a.deadlines.what == "notify_consignor":
            out.append(f"- 期限：委託元への通知 {first}（根拠：{_links(a.deadlines.references)}）")
        else:
            out.append(f"- 期限：速報 {first}、確報 {final}（根拠：{_links(a.deadlines.references)}）")
    for note in a.notes:
        out.append(f"- 備考：{md(note.text_ja)}" + (f"（根拠：{_links(note.references)}）" if note.references else ""))
    return out


def _route_ja(route: RoutePath, works: dict[str, str | None], systems: dict[str, str]) -> str:
    """A route as people tell it apart: 委託「会員への発送」, or the system by its name."""
    if route.kind == "system":
        return md(systems.get(route.id, route.id))
    work = works.get(route.id)
    return f"委託「{md(work)}」" if work else f"委託 {md(route.id)}"


def _consignors_ja(kind: str, group: list[Affected], names: dict[str, str], systems: dict[str, str],
                   works: dict[str, str | None]) -> list[str]:
    first = group[0]
    out = [f"## 委託元（{KIND_JA[kind]} {len(group)} {KIND_COUNTER[kind]}）", ""]
    duties = {(a.duty.text_ja, tuple(x.id for x in a.duty.references)) for a in group}
    if len(duties) == 1:
        out.append(f"義務：{md(first.duty.text_ja)}（根拠：{_links(first.duty.references)}）。")
    judged = next((a for a in group if a.thresholds), None)
    if judged is not None:
        items = "、".join(f"第{ITEM[t.id]}号 {_ITEM_JA[t.id](kind)}" for t in judged.thresholds)
        out.append(f"報告対象事態は{_link(judged.thresholds[0].reference)}による（{items}）。")
    if any(not a.thresholds for a in group):
        out.append("知った日に法律上の報告義務がなかった組織については、報告対象事態を判定しない"
                   "（当時よっていたものを義務の根拠に示す）。")
    deadline = next((a.deadlines for a in group if a.deadlines is not None), None)
    if deadline is not None:
        indication = ("目安は知った日から 3～5 日" if kind == "private"
                      else "日付は事業者向けガイドラインの目安（知った日から 3～5 日）で示す")
        out.append(f"期限は{_links(deadline.references)}による（速報は速やかに。{indication}。確報は知った日の翌日から"
                   "数え、満了日が土日・年末年始に当たるときは翌開庁日。祝日は計算していない）。")
    out += ["", "| 名称 | 状況 | 時期 | 経路 | 本人数 | 報告対象事態 | 速報 | 確報 | 通知元 | 備考 |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for a in group:
        label = (lambda route: "") if len(a.routes) == 1 else (lambda route: _route_ja(route, works, systems) + "：")
        paths = "／".join(label(route) + _path_ja(route, names, systems) for route in a.routes)
        when = "／".join(label(route) + _spans_ja(route) for route in a.routes)
        prelim, final = _deadlines_ja(a.deadlines)
        remarks = [md(n.text_ja) for n in a.notes]
        if a.also == "intermediary":
            remarks.insert(0, "中間の受託者としても記載")
        if len(duties) > 1:
            remarks.insert(0, f"義務：{md(a.duty.text_ja)}（根拠：{_links(a.duty.references)}）")
        remarks += [f"{md(x.text_ja)}（根拠：{_links(x.references)}）" for x in a.duty.additional]
        if a.data:
            remarks.append("データ：" + "、".join(DATA_JA[d] for d in a.data))
        out.append(f"| {md(a.name)} | {_status_ja(a)} | {when} | {paths} | {_people_ja(a.data_subjects)} | "
                   f"{_thresholds_ja(a)} | {prelim} | {final} | {_names(a.notified_by, names) or '－'} | "
                   f"{'。'.join(remarks) or '－'} |")
    return out


_ITEM_JA = {
    "sensitive": lambda kind: "要配慮個人情報",
    "payment": lambda kind: "財産的被害のおそれ",
    "wrongful": lambda kind: "不正の目的",
    "people": lambda kind: f"{'1,000' if kind == 'private' else '100'} 人超",
    "ordinance_sensitive": lambda kind: "条例要配慮個人情報",
}


# ---------------------------------------------------------------------------------------------
# Table (English)


def breach_table(r: BreachReport) -> str:
    t = r.totals
    window = f"{r.window.from_ or 'unbounded'} to {r.window.to or 'unbounded'}"
    kinds = ", ".join(f"{k} {n}" for k, n in t.by_kind.items() if n)
    p = t.data_subjects
    people = f"{'about ' if p.approximate else ''}{p.count:,} people" + (
        f" (+{p.unknown} consignors without a figure)" if p.unknown else "") + (
        " (an upper bound: contracts may overlap)" if p.overlap_possible else "")
    s = t.by_status
    out = [f"Breach by {r.handler} ({r.handler_name}), window {window}"
           + (f", systems {', '.join(r.systems)}" if r.systems else "")
           + f", known {r.known or 'not given'}, intent {r.intent}" + (f", as of {r.as_of}" if r.as_of else ""),
           f"{_n(t.affected, 'organisation')} affected: {_n(t.consignors, 'consignor')} ({kinds or 'none'}), "
           f"{_n(t.intermediaries, 'intermediary', 'intermediaries')}" + (f" ({t.both} both)" if t.both else "")
           + f"; certain {s['certain']}, possible {s['possible']}, possible for an unknown period "
             f"{s['possible_unknown_period']}",
           "duties (per role): " + ", ".join(f"{d} {n}" for d, n in t.by_duty.items()),
           "consignors meeting a threshold: " + ", ".join(f"{k} {n}" for k, n in t.by_reporting.items()),
           f"people: {people}"]
    if r.handler_notifies:
        out.append(f"{r.handler} notifies: {', '.join(r.handler_notifies)}")
    for note in r.notes:
        out.append(f"note: {note.text}" + (f" [{', '.join(x.id for x in note.references)}]" if note.references else ""))
    entries = ([r.handler_duty] if r.handler_duty else []) + r.affected
    if entries:
        header = ("organisation", "kind", "role", "status", "people", "reporting", "preliminary", "final", "duty")
        rows = [header] + [_row_en(a) for a in entries]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
        out.append("")
        for index, row in enumerate(rows):
            cells = [row[i].rjust(widths[i]) if i == 4 else row[i].ljust(widths[i]) for i in range(len(widths))]
            out.append("  ".join(cells + [row[-1]]).rstrip())
            a = entries[index - 1] if index else None
            if a is not None and a.notifies:
                out.append(f"{'':<{widths[0]}}  notifies {len(a.notifies)}: {', '.join(a.notifies[:8])}"
                           + (" …" if len(a.notifies) > 8 else "")
                           + (f"; reports itself for {', '.join(a.reports_for)}" if a.reports_for else ""))
    return "\n".join(out) + "\n"


def _row_en(a: Affected) -> tuple[str, ...]:
    d = a.deadlines
    prelim = f"{d.preliminary.from_}..{d.preliminary.to}" if d else "-"
    final = _final_en(d.final) if d and d.final else "-"
    if d and d.final_if_wrongful:
        final += f" ({_final_en(d.final_if_wrongful)} if wrongful)"
    status = a.status + (" (unknown period)" if a.unknown_period else "")
    return (a.id, a.kind, a.role, status, _people_en(a.data_subjects), a.reporting, prelim, final,
            f"{a.duty.kind} [{', '.join(x.id for x in a.duty.references)}]")


def _final_en(f: FinalDeadline) -> str:
    return f"{f.by} {f.by_weekday}" + (f" (day {f.days}: {f.counted} {f.weekday})" if f.moved else "")


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _people_en(p: People | None) -> str:
    if p is None:
        return "-"
    if p.count is None:
        return "unknown"
    text = f"{'~' if p.approximate else ''}{p.count:,}"
    return text + ("+?" if p.unknown else "")


# ---------------------------------------------------------------------------------------------
# CSV (one row per organisation and role; the handler first)

CSV_HEADER = ("組織ID", "名称", "種別", "役割", "他の役割", "時期", "期間不明のため可能性", "経路", "本人数",
              "本人数（最大の契約）", "本人数不明の経路", "概数", "重複の可能性", "他者の本人を含みうる", "データの種類",
              "義務", "根拠", "通知する相手", "通知を受ける相手", "自ら報告する委託元のデータ", "報告対象事態",
              "該当する号", "不明の号", "速報（から）", "速報（まで）", "確報（日数）", "確報（期限）", "確報（満了日）",
              "確報（満了日の曜日）", "不正の目的のときの確報（期限）", "備考")


def breach_csv(r: BreachReport, chain: ChainFile) -> str:
    """UTF-8 with a BOM (spreadsheets then read it as UTF-8), a cell that would be a formula
    written with a leading apostrophe."""
    names = {o.id: o.name for o in chain.organizations}
    systems = {s.id: s.name for s in chain.systems}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    yes = {True: "はい", False: "いいえ"}
    for a in ([r.handler_duty] if r.handler_duty else []) + r.affected:
        p, d = a.data_subjects, a.deadlines
        paths = " / ".join(" → ".join(_path_nodes(route, names, systems)) for route in a.routes)
        row = [a.id, a.name, KIND_JA[a.kind], ROLE_JA[a.role], ROLE_JA[a.also] if a.also else "",
               STATUS_JA[a.status], yes[a.unknown_period], paths,
               "" if p is None or p.count is None else str(p.count),
               "" if p is None or p.at_least is None else str(p.at_least),
               "" if p is None else str(p.unknown), "" if p is None else yes[p.approximate],
               "" if p is None else yes[p.overlap_possible], "" if p is None else yes[p.may_include_others],
               "不明" if a.data is None else "、".join(DATA_JA[x] for x in a.data),
               a.duty.text_ja, "、".join(x.ja for x in a.duty.references + [y for e in a.duty.additional
                                                                            for y in e.references]),
               " ".join(a.notifies), " ".join(a.notified_by), " ".join(a.reports_for), REPORTING_JA[a.reporting],
               "、".join(f"第{ITEM[t.id]}号" for t in a.thresholds if t.met == "met"),
               "、".join(f"第{ITEM[t.id]}号" for t in a.thresholds if t.met in ("unknown", "possibly_met")),
               d.preliminary.from_ if d else "", d.preliminary.to if d else "",
               str(d.final.days) if d and d.final else "", d.final.by if d and d.final else "",
               d.final.counted if d and d.final else "", WEEKDAY_JA[d.final.weekday] if d and d.final else "",
               d.final_if_wrongful.by if d and d.final_if_wrongful else "",
               " ".join(n.text_ja for n in a.notes)]
        writer.writerow([cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()
