"""Render a breach report (:mod:`entrustment_chain.graph.analysis.breach`): markdown for the
people who must act, in Japanese (the default) or English (names, not ids alone; paths by names
with the kind of each step; wareki dates in Japanese, ISO in English; each legal statement with
its citation and link), a terminal table in either language (columns padded by display width,
each organisation by its name with its id in parentheses, the legal bases and their references
below), CSV for spreadsheets (Japanese headers and values whatever the language asked for, so
that a sheet's columns never change; one row per organisation and role, the handler first; UTF-8
with BOM, formula-like cells guarded as the DORA export guards them), JSON.

The markdown groups the organisations as their duties group them: the handler's own duty first,
then the intermediaries (each on its own: whom it notifies differs), then the end consignors by
kind, whose duty and legal bases are the same within a kind and are stated once above their
table. An organisation with both roles appears in each, with a pointer to the other. Options and
chain-file fields the analysis names in its remarks (``--known``, ``entrustments[].data``) are
written as code.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Literal

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.breach import (
    Affected,
    BreachReport,
    Deadlines,
    FinalDeadline,
    People,
)
from entrustment_chain.graph.analysis.findings import LegalReference, RoutePath, RouteWindows
from entrustment_chain.graph.analysis.messages import Words
from entrustment_chain.graph.model.chain import KIND_JA, ChainFile
from entrustment_chain.graph.reports.columns import columns, width
from entrustment_chain.graph.reports.dora import cell
from entrustment_chain.graph.reports.render import KIND_COUNTER, day_ja, md, route_windows_ja, subjects_ja, to_json

Lang = Literal["ja", "en"]
KINDS = ("private", "local_government", "public_agency")
INTENT_JA = {"wrongful": "あり（`--intent wrongful`）", "accidental": "なし（`--intent accidental`）",
             "unknown": "不明（`--intent` で指定）"}
INTENT_EN = {"wrongful": "yes (`--intent wrongful`)", "accidental": "no (`--intent accidental`)",
             "unknown": "unknown (give `--intent`)"}
STATUS_JA = {"certain": "確実", "possible": "可能性"}
MET_JA = {"met": "該当", "possibly_met": "該当の可能性", "not_met": "非該当", "unknown": "不明"}
MET_EN = {"met": "met", "possibly_met": "possibly met", "not_met": "not met", "unknown": "unknown"}
REPORTING_JA = {"met": "該当", "unknown": "不明", "not_met": "非該当", "not_judged": "判定しない"}
REPORTING_EN = {"met": "met", "unknown": "unknown", "not_met": "not met", "not_judged": "not judged"}
DUTY_JA = {"report_to_ppc": "個人情報保護委員会への報告", "notify_consignor": "委託元への通知",
           "no_statutory_duty": "法律上の義務なし"}
DUTY_EN = {"report_to_ppc": "report to the PPC", "notify_consignor": "notify the consignor",
           "no_statutory_duty": "no statutory duty"}
ROLE_JA = {"consignor": "委託元", "intermediary": "中間の受託者", "handler": "取扱者"}
DATA_JA = {"sensitive": "要配慮個人情報", "my_number": "特定個人情報", "payment": "財産的被害のおそれのあるデータ",
           "other": "その他"}
DATA_EN = {"sensitive": "sensitive personal information", "my_number": "My Number data",
           "payment": "data whose leak may cause financial damage", "other": "other"}
KIND_EN = {"private": ("business", "businesses"), "local_government": ("local government", "local governments"),
           "public_agency": ("public agency", "public agencies")}
WEEKDAY_JA = {"Mon": "月", "Tue": "火", "Wed": "水", "Thu": "木", "Fri": "金", "Sat": "土", "Sun": "日"}
ITEM = {"sensitive": 1, "payment": 2, "wrongful": 3, "people": 4, "ordinance_sensitive": 5}


def breach_json(r: BreachReport) -> str:
    return to_json(r.to_json_dict())


# ---------------------------------------------------------------------------------------------
# Words shared by the formats

# What the analysis's remarks name as they are typed: an option (with its value), a field of the
# chain file (entrustments[].data), a field alone in brackets (（covers）). Never a backtick.
_CODE = re.compile(r"--[a-z][a-z-]*(?: (?:wrongful|accidental|unknown)(?: / (?:wrongful|accidental|unknown))*)?"
                   r"|[a-z_]+\[\](?:\.[a-z_]+)+|(?<=（)[a-z_]+(?=）)|(?<=\()[a-z_]{2,}(?=\))")


def _code(text: str, markdown: bool = True) -> str:
    """``text`` with the options and fields it names as code spans, the rest as markdown text
    (``markdown``) or as it is."""
    out, at = [], 0
    for m in _CODE.finditer(text):
        out += [md(text[at:m.start()]) if markdown else text[at:m.start()], f"`{m.group()}`"]
        at = m.end()
    out.append(md(text[at:]) if markdown else text[at:])
    return "".join(out)


def _window_ja(r: BreachReport) -> str:
    start = date.fromisoformat(r.window.from_) if r.window.from_ else W.MIN
    end = date.fromisoformat(r.window.to) if r.window.to else W.MAX
    if start == W.MIN and end == W.MAX:
        return "全期間（`--from`、`--to` の指定なし）"
    return W.wareki((start, end)).replace("不明～", "～")


def _window_en(r: BreachReport) -> str:
    if not r.window.from_ and not r.window.to:
        return "the whole time (no `--from`, `--to`)"
    return f"{r.window.from_ or 'unbounded'} to {r.window.to or 'unbounded'}"


def _citation_en(ref: LegalReference) -> str:
    """The English citation without its gloss: APPI Art. 26(1) proviso (the link says the rest)."""
    return ref.text.split(": ", 1)[0]


def _link(ref: LegalReference, lang: Lang = "ja") -> str:
    return f"[{md(ref.ja if lang == 'ja' else _citation_en(ref))}]({ref.ref})"


def _links(refs: list[LegalReference], lang: Lang = "ja") -> str:
    return ("、" if lang == "ja" else "; ").join(_link(x, lang) for x in refs)


def _names(ids: list[str], names: dict[str, str], limit: int = 0, lang: Lang = "ja") -> str:
    shown = ids if not limit or len(ids) <= limit else ids[:limit]
    text = ("、" if lang == "ja" else ", ").join(md(names.get(i, i)) for i in shown)
    if len(shown) < len(ids):
        text += f" ほか {len(ids) - len(shown)} 者" if lang == "ja" else f" and {len(ids) - len(shown)} more"
    return text


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


def _path(route: RoutePath, words: Words, lang: Lang) -> str:
    """甲社 →（委託）乙社 →（データ格納）［顧客データベース］ →（アクセス・保守）丁社, as markdown text."""
    return md(words.path(route.path, lang))


def _span_en(x: object) -> str:
    return f"{getattr(x, 'start') or 'unknown'} to {getattr(x, 'end') or 'open'}"


def _route_windows_en(w: RouteWindows, unknown_note: str) -> str:
    text = "; ".join(filter(None, [f"certain {', '.join(map(_span_en, w.certain))}" if w.certain else "",
                                    f"possible {', '.join(map(_span_en, w.possible))}" if w.possible else ""]))
    return text + (unknown_note if w.unknown_period else "")


def _spans(route: RoutePath, lang: Lang = "ja") -> str:
    if route.windows is None:
        return ""
    if lang == "ja":
        return route_windows_ja(route.windows, "（期間不明の記録があるため可能性）")
    return _route_windows_en(route.windows, " (possible for want of a recorded period)")


def _status(a: Affected, lang: Lang = "ja") -> str:
    if lang == "ja":
        return STATUS_JA[a.status] + ("（期間不明のため）" if a.unknown_period else "")
    return a.status + (" (for want of a recorded period)" if a.unknown_period else "")


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


def _people_count_en(count: int | None, approximate: bool) -> str:
    if count is None:
        return "unknown"
    return f"{'about ' if approximate else ''}{count:,} {'person' if count == 1 else 'people'}"


def _people_words_en(p: People | None) -> str:
    if p is None:
        return "not counted (counted per consignor)"
    if p.count is None:
        return "unknown"
    text = _people_count_en(p.count, p.approximate)
    if p.overlap_possible:
        text += f" (an upper bound; the largest contract: {_people_count_en(p.at_least, p.approximate)})"
    if p.unknown:
        text += f" (and {p.unknown} route{'s' if p.unknown != 1 else ''} without a figure)"
    if p.may_include_others:
        text += " (may include others' people)"
    return text


def _thresholds(a: Affected, lang: Lang = "ja") -> str:
    """該当（第3号、第4号）／不明（第1号、第2号）; 判定しない when no statutory duty applied."""
    ja = lang == "ja"
    if a.reporting == "not_judged":
        return "判定しない（知った日には法律上の義務なし）" if ja else "not judged (no statutory duty on the day known)"
    groups = []
    for met in ("met", "possibly_met", "unknown", "not_met"):
        items = [f"第{ITEM[t.id]}号" if ja else f"item {ITEM[t.id]}" for t in a.thresholds if t.met == met]
        if items:
            groups.append(f"{MET_JA[met]}（{'、'.join(items)}）" if ja else f"{MET_EN[met]} ({', '.join(items)})")
    return ("／" if ja else "; ").join(groups)


def _final_ja(f: FinalDeadline) -> str:
    counted = f"{day_ja(f.counted)}（{WEEKDAY_JA[f.weekday]}）"
    if not f.moved:
        return f"{counted}まで（{f.days} 日）"
    return f"{day_ja(f.by)}（{WEEKDAY_JA[f.by_weekday]}）まで（{f.days} 日。満了日の{counted}が休日のため翌開庁日）"


def _final_en(f: FinalDeadline) -> str:
    if not f.moved:
        return f"by {f.counted} ({f.weekday}) ({f.days} days)"
    return (f"by {f.by} ({f.by_weekday}) ({f.days} days; the last day, {f.counted} ({f.weekday}), is not an open "
            "day, so the next open day)")


def _deadlines(d: Deadlines | None, lang: Lang = "ja") -> tuple[str, str]:
    """(速報 or the notice, 確報): in wareki (ja) or ISO (en)."""
    ja = lang == "ja"
    none = "－" if ja else "-"
    if d is None:
        return none, none
    if ja:
        start, end = date.fromisoformat(d.preliminary.from_), date.fromisoformat(d.preliminary.to)
        first = f"{W.wareki((start, end))}ごろまで（速やかに）"
    else:
        first = f"promptly: by about {d.preliminary.from_} to {d.preliminary.to}"
    if d.final is None:
        return first, none
    final = _final_ja(d.final) if ja else _final_en(d.final)
    if d.final_if_wrongful is not None:
        final += (f"。不正の目的によるときは{_final_ja(d.final_if_wrongful)}" if ja
                  else f"; if by wrongful intent, {_final_en(d.final_if_wrongful)}")
    return first, final


def _kinds_ja(by_kind: dict[str, int]) -> str:
    return "、".join(f"{KIND_JA[k]} {n} {KIND_COUNTER[k]}" for k, n in by_kind.items() if n)


def _kind_en(kind: str, n: int) -> str:
    one, many = KIND_EN[kind]
    return f"{n} {one if n == 1 else many}"


def _kinds_en(by_kind: dict[str, int]) -> str:
    return ", ".join(_kind_en(k, n) for k, n in by_kind.items() if n)


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# ---------------------------------------------------------------------------------------------
# Markdown


def breach_markdown(r: BreachReport, chain: ChainFile, lang: Lang = "ja") -> str:
    """The report as markdown: Japanese (the default) or English, with the same sections."""
    ja = lang == "ja"
    names = {o.id: o.name for o in chain.organizations}
    systems = {s.id: s.name for s in chain.systems}
    works = {e.id: e.work for e in chain.entrustments}
    words = Words(chain)
    t = r.totals
    handler = md(r.handler_name)
    if ja:
        out = [f"# 漏えい等の影響範囲：{handler}", "",
               f"{handler}が取り扱うことのできた個人データに漏えい等があった場合に、影響を受ける組織、"
               "報告・通知の義務、本人数、期限を、委託関係の記録から求めたものです。", "",
               "## 条件", "",
               f"- 取扱者：{handler}",
               f"- 期間：{_window_ja(r)}",
               "- システム：" + (f"{_names(r.systems, systems)}（このシステムを通る道だけで判定）" if r.systems else "全て"),
               f"- 事態を知った日：{day_ja(r.known) if r.known else '指定なし（`--known`）'}",
               f"- 不正の目的：{INTENT_JA[r.intent]}"]
        if r.as_of:
            out.append(f"- 基準日：{day_ja(r.as_of)}時点の記録（その後の委託・廃棄の記録は含めない）")
    else:
        out = [f"# The reach of a leak: {handler} ({md(r.handler)})", "",
               f"If the personal data {handler} could handle leaked: the organisations affected, their duties to "
               "report and to notify, the people, and the deadlines, from the records of the entrustments.", "",
               "## Conditions", "",
               f"- Handler: {handler} ({md(r.handler)})",
               f"- Window: {_window_en(r)}",
               "- Systems: " + (f"{_names(r.systems, systems, lang='en')} (only the paths through them are judged)"
                                if r.systems else "all"),
               f"- Day the leak became known: {r.known or 'not given (`--known`)'}",
               f"- Wrongful intent: {INTENT_EN[r.intent]}"]
        if r.as_of:
            out.append(f"- As of: the records as they stood on {r.as_of} (later entrustments and disposals left out)")
    people = (subjects_ja if ja else _people_count_en)(t.data_subjects.count, t.data_subjects.approximate)
    if t.data_subjects.unknown:
        people += (f"（ほか本人数不明の委託元 {t.data_subjects.unknown} 者）" if ja
                   else f" (and {_n(t.data_subjects.unknown, 'consignor')} without a figure)")
    if t.data_subjects.overlap_possible:
        people += "（重複を含みうる上限）" if ja else " (an upper bound: the same people may be counted twice)"
    out += ["", "## 概要" if ja else "## Summary", ""]
    if not r.affected:
        out += [f"- 期間内に{handler}の手が届いた個人データはありません。" if ja
                else f"- No personal data was within {handler}'s reach in the window."]
    elif ja:
        consignors = f"委託元 {t.consignors} 者" + (f"（{_kinds_ja(t.by_kind)}）" if t.consignors else "")
        middle = f"、中間の受託者 {t.intermediaries} 者" if t.intermediaries else ""
        both = f"。うち {t.both} 者は両方" if t.both else ""
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
    else:
        consignors = _n(t.consignors, "consignor") + (f" ({_kinds_en(t.by_kind)})" if t.consignors else "")
        middle = f", {_n(t.intermediaries, 'intermediary', 'intermediaries')}" if t.intermediaries else ""
        both = f"; {t.both} of them both" if t.both else ""
        s = t.by_status
        reporting = ", ".join(f"{REPORTING_EN[k]} {n}" for k, n in t.by_reporting.items()
                              if n or k in ("met", "unknown", "not_met"))
        out += [f"- Organisations affected: {t.affected} ({consignors}{middle}{both})",
                f"- When it could handle the data: certain {s['certain']}, possible {s['possible']}, "
                f"possible for want of a recorded period {s['possible_unknown_period']}",
                "- Duties (per role): " + ", ".join(f"{DUTY_EN[d]} {n}" for d, n in t.by_duty.items() if n),
                f"- Reporting thresholds (consignors): {reporting}",
                f"- People (the consignors' sum): {people}"]
        if r.handler_notifies:
            out.append(f"- {handler} notifies {_names(r.handler_notifies, names, lang='en')} (as a contractor)")
    for note in r.notes:
        text = _code(note.text_ja if ja else note.text)
        basis = (f"（根拠：{_links(note.references)}）" if ja else f" (basis: {_links(note.references, 'en')})"
                 ) if note.references else ""
        out.append(f"- ※{text}{basis}" if ja else f"- Note: {text}{basis}")
    if r.handler_duty is not None:
        out += ["", f"## 取扱者自身の義務：{handler}" if ja else f"## The handler's own duty: {handler}", ""]
        out += _holder(r.handler_duty, names, systems, works, words, lang)
    intermediaries = [a for a in r.affected if a.role == "intermediary"]
    if intermediaries:
        out += ["", "## 中間の受託者" if ja else "## Intermediaries", ""]
        for a in intermediaries:
            kind = KIND_JA[a.kind] if ja else KIND_EN[a.kind][0]
            out += [f"### {md(a.name)}（{kind}）" if ja else f"### {md(a.name)} ({md(a.id)}, {kind})", ""]
            out += _holder(a, names, systems, works, words, lang) + [""]
    for kind in KINDS:
        group = [a for a in r.affected if a.role == "consignor" and a.kind == kind]
        if group:
            out += [""] + _consignors(kind, group, names, systems, works, words, lang)
    return "\n".join(out).rstrip() + "\n"


def _holder(a: Affected, names: dict[str, str], systems: dict[str, str], works: dict[str, str | None],
            words: Words, lang: Lang) -> list[str]:
    """An organisation that holds others' data: an intermediary, or the handler itself."""
    ja = lang == "ja"
    basis = "根拠：" if ja else "basis: "
    out = [f"- 取扱いの時期：{_status(a)}" if ja else f"- When: {_status(a, 'en')}"]
    if a.also == "consignor":
        out.append("- 自らのデータについては委託元としても記載（下の委託元の表）" if ja
                   else "- For its own data it is listed as a consignor too (the consignors' table below)")
    for route in a.routes:
        out.append(f"- 経路（{_route_name(route, works, systems, lang)}）：{_path(route, words, lang)}（{_spans(route)}）"
                   if ja else f"- Route ({_route_name(route, works, systems, lang)}): {_path(route, words, lang)} "
                   f"({_spans(route, 'en')})")
    duty = _code(a.duty.text_ja if ja else a.duty.text)
    out.append(f"- 義務：{duty}（{basis}{_links(a.duty.references, lang)}）" if ja
               else f"- Duty: {duty} ({basis}{_links(a.duty.references, lang)})")
    for extra in a.duty.additional:
        text = _code(extra.text_ja if ja else extra.text)
        out.append(f"- 追加の義務：{text}（{basis}{_links(extra.references, lang)}）" if ja
                   else f"- Further duty: {text} ({basis}{_links(extra.references, lang)})")
    if a.notified_by:
        out.append(f"- 通知を受ける相手：{_names(a.notified_by, names)}" if ja
                   else f"- Notified by: {_names(a.notified_by, names, lang='en')}")
    if a.notifies:
        out.append(f"- 通知する相手：委託元 {len(a.notifies)} 者（{_names(a.notifies, names)}）" if ja
                   else f"- Notifies: {_n(len(a.notifies), 'consignor')} ({_names(a.notifies, names, lang='en')})")
    if a.reports_for:
        out.append(f"- 自ら報告する委託元のデータ：{_names(a.reports_for, names)}" if ja
                   else f"- Reports itself for the data of: {_names(a.reports_for, names, lang='en')}")
    if a.reporting == "not_judged":
        out.append("- 報告対象事態：判定しない（知った日には法律上の報告義務がない）" if ja
                   else "- Reporting thresholds: not judged (no statutory duty to report on the day known)")
    else:
        ref = _link(a.thresholds[0].reference, lang)
        out.append(f"- 報告対象事態：{REPORTING_JA[a.reporting]}（預かっているデータについて。根拠：{ref}）" if ja
                   else f"- Reporting thresholds: {REPORTING_EN[a.reporting]} (for the data it holds; basis: {ref})")
        for th in a.thresholds:
            out.append(f"  - {_code(th.reason_ja)}：{MET_JA[th.met]}" if ja else f"  - {_code(th.reason)}: {MET_EN[th.met]}")
    if a.deadlines is not None:
        first, final = _deadlines(a.deadlines, lang)
        refs = _links(a.deadlines.references, lang)
        if a.deadlines.what == "notify_consignor":
            out.append(f"- 期限：委託元への通知 {first}（根拠：{refs}）" if ja
                       else f"- Deadline: the notice to the consignors, {first} (basis: {refs})")
        else:
            out.append(f"- 期限：速報 {first}、確報 {final}（根拠：{refs}）" if ja
                       else f"- Deadlines: preliminary report {first}; final report {final} (basis: {refs})")
    for note in a.notes:
        refs = _links(note.references, lang)
        if ja:
            out.append(f"- 備考：{_code(note.text_ja)}" + (f"（根拠：{refs}）" if note.references else ""))
        else:
            out.append(f"- Note: {_code(note.text)}" + (f" (basis: {refs})" if note.references else ""))
    return out


def _route_name(route: RoutePath, works: dict[str, str | None], systems: dict[str, str], lang: Lang = "ja") -> str:
    """A route as people tell it apart: 委託「会員への発送」, or the system by its name."""
    if route.kind == "system":
        return md(systems.get(route.id, route.id))
    work = works.get(route.id)
    if lang == "ja":
        return f"委託「{md(work)}」" if work else f"委託（{md(route.id)}）"
    return f"the entrustment “{md(work)}”" if work else f"the entrustment ({md(route.id)})"


def _consignors(kind: str, group: list[Affected], names: dict[str, str], systems: dict[str, str],
                works: dict[str, str | None], words: Words, lang: Lang) -> list[str]:
    ja = lang == "ja"
    first = group[0]
    out = [f"## 委託元（{KIND_JA[kind]} {len(group)} {KIND_COUNTER[kind]}）" if ja
           else f"## Consignors ({_kind_en(kind, len(group))})", ""]
    duties = {(a.duty.text_ja, tuple(x.id for x in a.duty.references)) for a in group}
    if len(duties) == 1:
        out.append(f"義務：{_code(first.duty.text_ja)}（根拠：{_links(first.duty.references)}）。" if ja
                   else f"Duty: {_code(first.duty.text)} (basis: {_links(first.duty.references, 'en')}).")
    judged = next((a for a in group if a.thresholds), None)
    if judged is not None:
        ref = _link(judged.thresholds[0].reference, lang)
        if ja:
            items = "、".join(f"第{ITEM[t.id]}号 {_ITEM_JA[t.id](kind)}" for t in judged.thresholds)
            out.append(f"報告対象事態は{ref}による（{items}）。")
        else:
            items = ", ".join(f"item {ITEM[t.id]} {_ITEM_EN[t.id](kind)}" for t in judged.thresholds)
            out.append(f"The reporting thresholds are those of {ref} ({items}).")
    if any(not a.thresholds for a in group):
        out.append("知った日に法律上の報告義務がなかった組織については、報告対象事態を判定しない"
                   "（当時よっていたものを義務の根拠に示す）。" if ja else
                   "For an organisation with no statutory duty to report on the day known, the thresholds are not "
                   "judged (what applied instead is given as the basis of its duty).")
    deadline = next((a.deadlines for a in group if a.deadlines is not None), None)
    if deadline is not None:
        refs = _links(deadline.references, lang)
        if ja:
            indication = ("目安は知った日から 3～5 日" if kind == "private"
                          else "日付は事業者向けガイドラインの目安（知った日から 3～5 日）で示す")
            out.append(f"期限は{refs}による（速報は速やかに。{indication}。確報は知った日の翌日から"
                       "数え、満了日が土日・年末年始に当たるときは翌開庁日。祝日は計算していない）。")
        else:
            indication = ("about 3 to 5 days from the day known" if kind == "private"
                          else "the dates given are the businesses' guideline of about 3 to 5 days from the day known")
            out.append(f"The deadlines are those of {refs} (the preliminary report promptly: {indication}; the final "
                       "report counted from the day after the day known, a last day on a weekend or in the year's "
                       "end moving to the next open day; national holidays are not computed).")
    if ja:
        out += ["", "| 名称 | 状況 | 時期 | 経路 | 本人数 | 報告対象事態 | 速報 | 確報 | 通知元 | 備考 |",
                "|---|---|---|---|---|---|---|---|---|---|"]
    else:
        out += ["", "| Name | Status | When | Path | People | Reporting thresholds | Preliminary report | "
                "Final report | Notified by | Remarks |", "|---|---|---|---|---|---|---|---|---|---|"]
    slash = "／" if ja else " / "
    colon = "：" if ja else ": "
    for a in group:
        def label(route: RoutePath) -> str:
            return "" if len(a.routes) == 1 else _route_name(route, works, systems, lang) + colon

        paths = slash.join(label(route) + _path(route, words, lang) for route in a.routes)
        when = slash.join(label(route) + _spans(route, lang) for route in a.routes)
        prelim, final = _deadlines(a.deadlines, lang)
        remarks = [_code(n.text_ja if ja else n.text) for n in a.notes]
        if a.also == "intermediary":
            remarks.insert(0, "中間の受託者としても記載" if ja else "listed as an intermediary too")
        if len(duties) > 1:
            duty = _code(a.duty.text_ja if ja else a.duty.text)
            refs = _links(a.duty.references, lang)
            remarks.insert(0, f"義務：{duty}（根拠：{refs}）" if ja else f"duty: {duty} (basis: {refs})")
        remarks += [f"{_code(x.text_ja)}（根拠：{_links(x.references)}）" if ja
                    else f"{_code(x.text)} (basis: {_links(x.references, 'en')})" for x in a.duty.additional]
        if a.data:
            remarks.append("データ：" + "、".join(DATA_JA[d] for d in a.data) if ja
                           else "data: " + ", ".join(DATA_EN[d] for d in a.data))
        name = md(a.name) if ja else f"{md(a.name)} ({md(a.id)})"
        people = _people_ja(a.data_subjects) if ja else _people_words_en(a.data_subjects)
        none = "－" if ja else "-"
        out.append(f"| {name} | {_status(a, lang)} | {when} | {paths} | {people} | "
                   f"{_thresholds(a, lang)} | {prelim} | {final} | "
                   f"{_names(a.notified_by, names, lang=lang) or none} | {('。' if ja else '; ').join(remarks) or none} |")
    return out


_ITEM_JA = {
    "sensitive": lambda kind: "要配慮個人情報",
    "payment": lambda kind: "財産的被害のおそれ",
    "wrongful": lambda kind: "不正の目的",
    "people": lambda kind: f"{'1,000' if kind == 'private' else '100'} 人超",
    "ordinance_sensitive": lambda kind: "条例要配慮個人情報",
}
_ITEM_EN = {
    "sensitive": lambda kind: "sensitive personal information",
    "payment": lambda kind: "possible financial damage",
    "wrongful": lambda kind: "wrongful intent",
    "people": lambda kind: f"more than {'1,000' if kind == 'private' else '100'} people",
    "ordinance_sensitive": lambda kind: "information an ordinance makes sensitive",
}


# ---------------------------------------------------------------------------------------------
# Table


def breach_table(r: BreachReport, chain: ChainFile | None = None, lang: Lang = "en") -> str:
    """The report for a terminal: English (the default) or Japanese; each organisation by its
    name (from ``chain``, else the report's) with its id in parentheses, columns padded by display
    width, the legal bases cited and their references at the end."""
    ja = lang == "ja"
    names = {o.id: o.name for o in chain.organizations} if chain is not None else {}
    names.setdefault(r.handler, r.handler_name)
    for a in r.affected:
        names.setdefault(a.id, a.name)

    def org(i: str) -> str:
        name = names.get(i) or i
        if name == i:
            return i
        return f"{name}（{i}）" if ja else f"{name} ({i})"

    def orgs(ids: list[str], limit: int = 8) -> str:
        shown = ", ".join(map(org, ids[:limit])) if not ja else "、".join(map(org, ids[:limit]))
        more = len(ids) - min(len(ids), limit)
        return shown + ((f" ほか {more} 者" if ja else f" and {more} more") if more else "")

    t = r.totals
    p = t.data_subjects
    s = t.by_status
    cited: dict[str, LegalReference] = {}
    if ja:
        known = day_ja(r.known) if r.known else "指定なし（`--known`）"
        head = (f"漏えい等の影響範囲：{org(r.handler)}、期間 {_window_ja(r)}"
                + (f"、システム {'、'.join(r.systems)}" if r.systems else "")
                + f"、事態を知った日 {known}、不正の目的 {INTENT_JA[r.intent]}"
                + (f"、基準日 {day_ja(r.as_of)}" if r.as_of else ""))
        people = subjects_ja(p.count, p.approximate) + (
            f"（ほか本人数不明の委託元 {p.unknown} 者）" if p.unknown else "") + (
            "（重複を含みうる上限）" if p.overlap_possible else "")
        out = [head,
               f"影響を受ける組織 {t.affected} 者：委託元 {t.consignors} 者（{_kinds_ja(t.by_kind) or 'なし'}）、"
               f"中間の受託者 {t.intermediaries} 者" + (f"（うち {t.both} 者は両方）" if t.both else "")
               + f"。確実 {s['certain']} 者、可能性 {s['possible']} 者、期間不明のため可能性 {s['possible_unknown_period']} 者",
               "義務（役割ごと）：" + "、".join(f"{DUTY_JA[d]} {n} 者" for d, n in t.by_duty.items()),
               "報告対象事態（委託元）：" + "、".join(f"{REPORTING_JA[k]} {n} 者" for k, n in t.by_reporting.items()),
               f"本人数（委託元の合計）：{people}"]
        if r.handler_notifies:
            out.append(f"{org(r.handler)}は、{orgs(r.handler_notifies)}に通知する（委託を受けた者として）")
    else:
        kinds = _kinds_en(t.by_kind)
        people = _people_count_en(p.count, p.approximate) + (
            f" (+{_n(p.unknown, 'consignor')} without a figure)" if p.unknown else "") + (
            " (an upper bound: contracts may overlap)" if p.overlap_possible else "")
        out = [f"Breach by {org(r.handler)}, window {_window_en(r)}"
               + (f", systems {', '.join(r.systems)}" if r.systems else "")
               + f", known {r.known or 'not given'}, intent {r.intent}" + (f", as of {r.as_of}" if r.as_of else ""),
               f"{_n(t.affected, 'organisation')} affected: {_n(t.consignors, 'consignor')} ({kinds or 'none'}), "
               f"{_n(t.intermediaries, 'intermediary', 'intermediaries')}" + (f" ({t.both} both)" if t.both else "")
               + f"; certain {s['certain']}, possible {s['possible']}, possible for an unknown period "
                 f"{s['possible_unknown_period']}",
               "duties (per role): " + ", ".join(f"{DUTY_EN[d]} {n}" for d, n in t.by_duty.items()),
               "consignors meeting a threshold: " + ", ".join(f"{REPORTING_EN[k]} {n}" for k, n in t.by_reporting.items()),
               f"people: {people}"]
        if r.handler_notifies:
            out.append(f"{org(r.handler)} notifies {orgs(r.handler_notifies)}")
    for note in r.notes:
        text = _code(note.text_ja if ja else note.text, markdown=False)
        cited.update((x.id, x) for x in note.references)
        refs = ("、" if ja else ", ").join(x.ja if ja else x.id for x in note.references)
        out.append((f"※{text}" + (f"（根拠：{refs}）" if refs else "")) if ja
                   else f"note: {text}" + (f" [{refs}]" if refs else ""))
    entries = ([r.handler_duty] if r.handler_duty else []) + r.affected
    if entries:
        header = (("組織", "種別", "役割", "時期", "本人数", "報告対象事態", "速報", "確報", "義務") if ja else
                  ("organisation", "kind", "role", "status", "people", "reporting", "preliminary", "final", "duty"))
        rows: list[tuple[str, ...]] = [header]
        below: dict[int, list[str]] = {}
        for a in entries:
            cited.update((x.id, x) for x in a.duty.references)
            rows.append(_row(a, org, lang))
            lines = []
            if a.notifies:
                lines.append((f"通知する相手 {len(a.notifies)} 者：{orgs(a.notifies)}" if ja
                              else f"notifies {len(a.notifies)}: {orgs(a.notifies)}")
                             + ((f"。自ら報告する委託元のデータ：{orgs(a.reports_for)}" if ja
                                 else f"; reports itself for {orgs(a.reports_for)}") if a.reports_for else ""))
            below[len(rows) - 1] = lines
        lines = columns(rows, right=(4,))
        indent = " " * (max(width(row[0]) for row in rows) + 2)
        out.append("")
        for index, line in enumerate(lines):
            out.append(line)
            out += [indent + x for x in below.get(index, [])]
    if cited:
        out += ["", "根拠：" if ja else "legal bases:"]
        out += [f"  {x.ja}  {x.ref}" if ja else f"  {x.id}  {_citation_en(x)}  {x.ref}" for x in cited.values()]
    return "\n".join(out) + "\n"


def _row(a: Affected, org, lang: Lang) -> tuple[str, ...]:
    ja = lang == "ja"
    d = a.deadlines
    if ja:
        prelim = "－" if d is None else W.wareki((date.fromisoformat(d.preliminary.from_),
                                                 date.fromisoformat(d.preliminary.to)))
        final = _final_table_ja(d.final) if d and d.final else "－"
        if d and d.final_if_wrongful:
            final += f"（不正の目的のときは{_final_table_ja(d.final_if_wrongful)}）"
        status = STATUS_JA[a.status] + ("（期間不明）" if a.unknown_period else "")
        duty = f"{DUTY_JA[a.duty.kind]}（{'、'.join(x.ja for x in a.duty.references)}）"
        return (org(a.id), KIND_JA[a.kind], ROLE_JA[a.role], status, _people_table_ja(a.data_subjects),
                REPORTING_JA[a.reporting], prelim, final, duty)
    prelim = f"{d.preliminary.from_}..{d.preliminary.to}" if d else "-"
    final = _final_table_en(d.final) if d and d.final else "-"
    if d and d.final_if_wrongful:
        final += f" ({_final_table_en(d.final_if_wrongful)} if wrongful)"
    status = a.status + (" (unknown period)" if a.unknown_period else "")
    return (org(a.id), KIND_EN[a.kind][0], a.role, status, _people_en(a.data_subjects), REPORTING_EN[a.reporting],
            prelim, final, f"{DUTY_EN[a.duty.kind]} [{', '.join(x.id for x in a.duty.references)}]")


def _final_table_ja(f: FinalDeadline) -> str:
    text = f"{day_ja(f.by)}（{WEEKDAY_JA[f.by_weekday]}）"
    return text + (f"（{f.days} 日目の{day_ja(f.counted)}（{WEEKDAY_JA[f.weekday]}）は休日）" if f.moved else "")


def _final_table_en(f: FinalDeadline) -> str:
    return f"{f.by} {f.by_weekday}" + (f" (day {f.days}: {f.counted} {f.weekday})" if f.moved else "")


def _people_table_ja(p: People | None) -> str:
    if p is None:
        return "－"
    if p.count is None:
        return "不明"
    return subjects_ja(p.count, p.approximate) + ("＋不明" if p.unknown else "")


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
    written with a leading apostrophe; Japanese whatever the language of the other formats (its
    columns never change), the options and fields the remarks name in backticks, as code."""
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
               _code(a.duty.text_ja, markdown=False), "、".join(x.ja for x in a.duty.references + [y for e in a.duty.additional
                                                                            for y in e.references]),
               " ".join(a.notifies), " ".join(a.notified_by), " ".join(a.reports_for), REPORTING_JA[a.reporting],
               "、".join(f"第{ITEM[t.id]}号" for t in a.thresholds if t.met == "met"),
               "、".join(f"第{ITEM[t.id]}号" for t in a.thresholds if t.met in ("unknown", "possibly_met")),
               d.preliminary.from_ if d else "", d.preliminary.to if d else "",
               str(d.final.days) if d and d.final else "", d.final.by if d and d.final else "",
               d.final.counted if d and d.final else "", WEEKDAY_JA[d.final.weekday] if d and d.final else "",
               d.final_if_wrongful.by if d and d.final_if_wrongful else "",
               " ".join(_code(n.text_ja, markdown=False) for n in a.notes)]
        writer.writerow([cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()
