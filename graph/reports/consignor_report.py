"""The view per consignor (:mod:`entrustment_chain.graph.analysis.consignor`) as the privacy officer
reads it: markdown and a terminal table, in Japanese (names, ids only in parentheses, lists with
、, 説明あり／説明なし／不明, windows in wareki, legal bases with links) or English; and JSON."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from entrustment_chain.graph.analysis.consignor import (
    ConsignorAction,
    ConsignorView,
    NotToldUpstream,
    ViewFinding,
    ViewHandler,
    ViewRoute,
)
from entrustment_chain.graph.analysis.findings import LegalReference, RouteWindows
from entrustment_chain.graph.analysis.messages import Lang, Words
from entrustment_chain.graph.model.chain import KIND_JA
from entrustment_chain.graph.model.wareki import parse_date
from entrustment_chain.graph.reports.columns import columns
from entrustment_chain.graph.reports.render import SEVERITY_JA, day_ja, md, route_windows_ja, to_json

TOLD = {"ja": {True: "説明あり", False: "説明なし", None: "不明"},
        "en": {True: "told", False: "not told", None: "unknown"}}
APPROVED = {"ja": {True: "承認あり", False: "承認なし", None: "不明"},
            "en": {True: "approved", False: "not approved", None: "unknown"}}
RESTRICTED = {"ja": {True: "あり", False: "なし", None: "不明"}, "en": {True: "yes", False: "no", None: "unknown"}}
KIND_EN = {"private": "business", "local_government": "local government", "public_agency": "public agency"}
UNKNOWN_PERIOD_JA = "（期間不明の要素あり）"


def consignor_json(view: ConsignorView) -> str:
    """The view as ``entrustment-chain/consignor/v1`` JSON text."""
    return to_json(view.to_json_dict())


# ---------------------------------------------------------------------------------------------
# Words shared by the formats

def _named(name: str, org_id: str, lang: Lang, escape: bool = False) -> str:
    """A name with its id in parentheses (:meth:`Words.with_id`); as markdown text with ``escape``."""
    text = Words.with_id(name, org_id, lang)
    return md(text) if escape else text


def windows_text(w: RouteWindows, lang: Lang) -> str:
    """確実 令和 3 年 4 月～、可能性 … as the analysis report writes them; in English, ISO spans."""
    if lang == "ja":
        return route_windows_ja(w, UNKNOWN_PERIOD_JA) or "なし"

    def span(x: object) -> str:
        return f"{getattr(x, 'start') or 'unknown'} to {getattr(x, 'end') or 'open'}"

    parts = [f"certain {', '.join(map(span, w.certain))}" if w.certain else "",
             f"possible {', '.join(map(span, w.possible))}" if w.possible else ""]
    return "; ".join(filter(None, parts)) + (" (a period unknown)" if w.unknown_period else "") or "none"


def _restricted(kind: str, value: bool | None, lang: Lang) -> str:
    if kind != "entrustment":
        return "対象外（システム）" if lang == "ja" else "n/a (system)"
    return RESTRICTED[lang][value]


def _links(refs: Iterable[LegalReference], lang: Lang) -> str:
    if lang == "ja":
        return "、".join(f"[{md(r.ja)}]({r.ref})" for r in refs)
    return "; ".join(f"[{md(r.text)}]({r.ref})" for r in refs)


def _period(route: ViewRoute, lang: Lang) -> str:
    ja = lang == "ja"
    text = route.period if route.period is not None else ("不明" if ja else "unknown")
    if not ja and route.period_iso is not None:
        start, end = route.period_iso.split("/")
        text = f"{start or 'unknown'} to {end or 'open'}"
    if route.disposal is not None:
        day = parse_date(route.disposal)
        return text + (f"（{day.wareki()}に廃棄）" if ja else f" (disposed of {route.disposal})")
    return text + ("（廃棄の記録なし）" if ja else " (no disposal recorded)")


def _names(ids: list[str] | None, names: dict[str, str], lang: Lang, escape: bool) -> str:
    if ids is None:
        return "不明（記録なし）" if lang == "ja" else "unknown (not recorded)"
    if not ids:
        return "なし" if lang == "ja" else "none"
    return ("、" if lang == "ja" else ", ").join(_named(names.get(i, i), i, lang, escape) for i in ids)


def _entrustment(view: ConsignorView, entrustment_id: str, lang: Lang) -> str:
    """An entrustment to the consignor by names, its id in parentheses, as messages.Words.entrustment
    says it (the view knows the entrustments it holds, whose contractor is the consignor itself)."""
    held = next((h for h in view.holds if h.entrustment == entrustment_id), None)
    if held is None:
        return f"委託（{entrustment_id}）" if lang == "ja" else f"entrustment {entrustment_id}"
    if lang == "ja":
        return f"{held.consignor_name}から{view.consignor.name}への委託（{entrustment_id}）"
    return f"{held.consignor_name}'s entrustment to {view.consignor.name} ({entrustment_id})"


def _names_of(view: ConsignorView) -> dict[str, str]:
    """Every name the view knows, by id."""
    names = {view.consignor.id: view.consignor.name}
    for h in view.handlers:
        names[h.id] = h.name
        for r in h.routes:
            names[r.signer] = r.signer_name
    for route in view.routes:
        if route.contractor and route.contractor_name:
            names[route.contractor] = route.contractor_name
    for held in view.holds:
        names[held.consignor] = held.consignor_name
    for u in view.not_told_upstream:
        names.update({u.consignor: u.consignor_name, u.handler: u.handler_name, u.signer: u.signer_name})
    names.update((p.id, p.name) for p in view.handler_of)
    return names


def _handler_of_others(view: ConsignorView) -> list[str]:
    """Whose data it handles beyond what it holds under an entrustment to it (listed apart)."""
    held = {x.consignor for x in view.holds}
    return [p.id for p in view.handler_of if p.id not in held]


def _upstream_groups(view: ConsignorView) -> dict[tuple[str, str], list[NotToldUpstream]]:
    groups: dict[tuple[str, str], list[NotToldUpstream]] = defaultdict(list)
    for u in view.not_told_upstream:
        groups[(u.handler, u.signer)].append(u)
    return groups


def _action_text(a: ConsignorAction, lang: Lang) -> str:
    text = a.text_ja if lang == "ja" else a.text
    if not a.required:
        text += "（再委託の制限がある場合）" if lang == "ja" else " (if re-entrustment is restricted)"
    return text


def _action_lines(view: ConsignorView, lang: Lang, escape: bool) -> list[str]:
    """Every action, in words: the handlers', the findings', then, for an intermediary, one line
    per handler its consignors were not told of (one action per consignor in the JSON)."""
    t = md if escape else str
    lines = [t(_action_text(a, lang)) for h in view.handlers for a in h.actions]
    lines += [t(_action_text(a, lang)) for f in view.findings for a in f.actions]
    names = _names_of(view)
    for (handler, by), group in _upstream_groups(view).items():
        h, s = _named(names[handler], handler, lang, escape), _named(names[by], by, lang, escape)
        lines.append(f"{s}は、{h}がデータを取り扱っていることを、委託元 {len(group)} 者に説明する"
                     f"（受託者として。下記）。" if lang == "ja" else
                     f"{s} must inform {len(group)} consignors that {h} handles their data (as a contractor; "
                     f"listed below).")
    return lines


def _severities(view: ConsignorView, lang: Lang) -> str:
    s = view.summary.by_severity
    total = sum(s.values())
    if lang == "ja":
        return f"{total} 件（高 {s['high']}・中 {s['medium']}・低 {s['low']}）"
    return f"{total} (high {s['high']}, medium {s['medium']}, low {s['low']})"


# ---------------------------------------------------------------------------------------------
# Markdown

def consignor_markdown(view: ConsignorView, lang: Lang = "ja") -> str:
    """The view as markdown: a summary, every handler in one table, what to do, then each route
    and each handler in detail, the consignor's own findings, and what it holds for others."""
    ja = lang == "ja"
    c = view.consignor
    names = _names_of(view)
    who = _named(c.name, c.id, lang, escape=True)
    title = f" {md(view.title)}" if view.title else ""
    out: list[str] = []
    if ja:
        held = "（委託を受けて預かっているものを含む）" if view.intermediary else ""
        out += [f"# 個人データの行き先と対応：{md(c.name)}", "",
                f"{who}の個人データ{held}が、どの経路でどの取扱者に届いているか、経路ごとの説明・承認の有無、"
                f"取扱いの期間、対応すべきことを、委託関係の記録{f'（{title.strip()}）' if title else ''}から求めた"
                f"ものです。" + (f"基準日 {day_ja(view.as_of)}時点の委託関係によります。" if view.as_of else ""), ""]
    else:
        held = " (with the data entrusted to it)" if view.intermediary else ""
        out += [f"# Where the data goes: {md(c.name)}", "",
                f"Where the personal data of {who}{held} goes, by which route, whether it was told of and approved "
                f"each handler on each route, when each could reach the data, and what to do, from the chain"
                f"{f' ({title.strip()})' if title else ''}"
                + (f", as it stood on {view.as_of}." if view.as_of else "."), ""]
    out += _summary_md(view, lang)
    if view.handlers:
        out += _handler_table_md(view, lang)
    actions = _action_lines(view, lang, escape=True)
    if actions:
        out += ["## 対応すべきこと" if ja else "## What to do", ""]
        out += [f"{i}. {a}" for i, a in enumerate(actions, 1)] + [""]
    if view.routes:
        out += ["## 経路" if ja else "## Routes", ""]
        for route in view.routes:
            out += _route_md(route, names, lang, view)
    if view.handlers:
        out += ["## 取扱者ごとの詳細" if ja else "## Each handler", ""]
        for h in view.handlers:
            out += _handler_md(h, lang)
    if view.findings:
        out += [f"## {md(c.name)}自身についての指摘" if ja else f"## Findings about {md(c.name)} itself", ""]
        for f in view.findings:
            out += _finding_md(f, lang, own=True)
        out.append("")
    if view.intermediary or view.holds:
        out += _holds_md(view, names, lang)
    return "\n".join(out).rstrip() + "\n"


def _summary_md(view: ConsignorView, lang: Lang) -> list[str]:
    s = view.summary
    ja = lang == "ja"
    entrustments = sum(1 for r in view.routes if r.kind == "entrustment")
    systems = len(view.routes) - entrustments
    names = _names_of(view)
    others = _handler_of_others(view)
    out = ["## 概要" if ja else "## Summary", ""]
    if ja:
        out += [f"- 種別：{KIND_JA[view.consignor.kind.value]}",
                f"- 経路：{s.routes} 件（委託 {entrustments} 件、システム {systems} 件）",
                f"- 取扱者：{s.handlers} 者（説明なし {s.not_told} 者、説明の有無が不明 {s.told_unknown} 者、"
                f"承認なし {s.not_approved} 者）",
                f"- 指摘：{_severities(view, lang)}",
                f"- 対応すべきこと：{s.actions} 件"]
        if view.intermediary:
            out.append(f"- 中間の受託者：他の組織から預かっている個人データがある（委託 {len(view.holds)} 件）。"
                       f"預かっているデータの取扱者についても責任を負う")
        if not view.routes:
            out.append(f"- この組織のデータの経路は記録にない（個人データを含む委託も、個人データを保存する自らのシステム"
                       f"もない）")
        if others:
            out.append(f"- 取扱者として{'、ほかに' if view.holds else ''} {len(others)} 者のデータを取り扱っている："
                       f"{_names(others, names, lang, True)}")
    else:
        out += [f"- Kind: {KIND_EN[view.consignor.kind.value]}",
                f"- Routes: {s.routes} ({entrustments} entrustments, {systems} systems)",
                f"- Handlers: {s.handlers} (not told {s.not_told}, told unknown {s.told_unknown}, "
                f"not approved {s.not_approved})",
                f"- Findings: {_severities(view, lang)}",
                f"- Actions: {s.actions}"]
        if view.intermediary:
            out.append(f"- Intermediary: it holds personal data entrusted to it ({len(view.holds)} entrustments), "
                       f"and answers for the handlers of that data too")
        if not view.routes:
            out.append("- No route of its data is recorded (no entrustment that may carry personal data, no own "
                       "system holding it)")
        if others:
            out.append(f"- As a handler, it handles the data of {len(others)}{' more' if view.holds else ''}: "
                       f"{_names(others, names, lang, True)}")
    return out + [""]


def _handler_table_md(view: ConsignorView, lang: Lang) -> list[str]:
    ja = lang == "ja"
    head = ("| 取扱者 | 経路 | 説明 | 承認 | 再委託の制限 | 期間 |" if ja
            else "| handler | path | told | approved | re-entrustment restricted | window |")
    out = ["## 取扱者の一覧" if ja else "## Every handler", "", head, "|---|---|---|---|---|---|"]
    for h in view.handlers:
        for r in h.routes:
            out.append(f"| {_named(h.name, h.id, lang, True)} | {md(r.path_text_ja if ja else r.path_text)} | "
                       f"{TOLD[lang][r.disclosed]} | {APPROVED[lang][r.approved]} | "
                       f"{_restricted(r.kind, r.restricted, lang)} | {md(windows_text(r.windows, lang))} |")
    return out + [""]


def _route_md(route: ViewRoute, names: dict[str, str], lang: Lang, view: ConsignorView) -> list[str]:
    ja = lang == "ja"
    out = [f"### {md(route.text_ja if ja else route.text)}", ""]
    if route.kind == "entrustment":
        work = md(route.work) if route.work else ("記録なし" if ja else "not recorded")
        if ja:
            out += [f"- 委託先：{_named(route.contractor_name or '', route.contractor or '', lang, True)}",
                    f"- 業務：{work}", f"- 期間：{_period(route, lang)}",
                    f"- 再委託の制限：{RESTRICTED[lang][route.restricted]}",
                    f"- 説明を受けた再委託先：{_names(route.informed_subcontractors, names, lang, True)}",
                    f"- 承認した再委託先：{_names(route.approved_subcontractors, names, lang, True)}"]
            if route.my_number:
                out.append("- 特定個人情報を含む")
        else:
            out += [f"- Contractor: {_named(route.contractor_name or '', route.contractor or '', lang, True)}",
                    f"- Work: {work}", f"- Period: {_period(route, lang)}",
                    f"- Restricts re-entrustment: {RESTRICTED[lang][route.restricted]}",
                    f"- Told of: {_names(route.informed_subcontractors, names, lang, True)}",
                    f"- Approved: {_names(route.approved_subcontractors, names, lang, True)}"]
            if route.my_number:
                out.append("- Carries My Number data")
    else:
        operator = _named(names.get(route.operator, route.operator), route.operator, lang, True) \
            if route.operator else ("記録なし" if ja else "not recorded")
        if ja:
            what = "自らの個人データを保存するシステム" if route.own_system else "委託を受けて個人データを取り扱うシステム"
            out += [f"- {what}（運用：{operator}）"]
            if route.held_for:
                out.append(f"- 預かっているデータの委託：{'、'.join(md(_entrustment(view, e, lang)) for e in route.held_for)}")
        else:
            what = "a system holding its own personal data" if route.own_system else \
                "a system where it processes personal data entrusted to it"
            out += [f"- {what.capitalize()} (operated by {operator})"]
            if route.held_for:
                out.append(f"- Data held there under: {', '.join(md(_entrustment(view, e, lang)) for e in route.held_for)}")
    reached = _names(route.handlers, names, lang, True) if route.handlers else ("なし" if ja else "none")
    out.append(f"- 取扱者：{reached}" if ja else f"- Handlers: {reached}")
    if route.truncated:
        out.append("- ※24 段階を超えて渡っている先は追っていない" if ja
                   else "- Note: the data goes on beyond 24 steps, which are not followed")
    return out + [""]


def _handler_md(h: ViewHandler, lang: Lang) -> list[str]:
    ja = lang == "ja"
    told = TOLD[lang][h.disclosed]
    out = [f"### {_named(h.name, h.id, lang, True)}{'：' if ja else ': '}{told}", ""]
    for r in h.routes:
        if ja:
            out += [f"- 経路：{md(r.text_ja)}",
                    f"  - 経路図：{md(r.path_text_ja)}",
                    f"  - {TOLD[lang][r.disclosed]}、{APPROVED[lang][r.approved]}、再委託の制限 "
                    f"{_restricted(r.kind, r.restricted, lang)}",
                    f"  - 期間：{md(windows_text(r.windows, lang))}",
                    f"  - データを渡した者：{_named(r.signer_name, r.signer, lang, True)}"]
        else:
            out += [f"- Route: {md(r.text)}",
                    f"  - Path: {md(r.path_text)}",
                    f"  - {TOLD[lang][r.disclosed]}, {APPROVED[lang][r.approved]}, re-entrustment restricted: "
                    f"{_restricted(r.kind, r.restricted, lang)}",
                    f"  - Window: {md(windows_text(r.windows, lang))}",
                    f"  - Brought in by: {_named(r.signer_name, r.signer, lang, True)}"]
    if h.findings:
        out.append("- 指摘：" if ja else "- Findings:")
        out += ["  " + line for f in h.findings for line in _finding_md(f, lang)]
    if h.actions:
        out.append("- 対応：" if ja else "- What to do:")
        out += [f"  - {md(_action_text(a, lang))}" for a in h.actions]
    elif ja:
        out.append("- 対応：なし")
    else:
        out.append("- What to do: nothing")
    return out + [""]


def _finding_md(f: ViewFinding, lang: Lang, own: bool = False) -> list[str]:
    ja = lang == "ja"
    note = ("（証跡不明）" if ja else " (evidence unknown)") if f.evidence_unknown else ""
    if ja:
        line = (f"- {md(f.title_ja)}（`{f.rule}`、重大度 {SEVERITY_JA[f.severity.value]}）：{md(f.message_ja)}{note}"
                f" 根拠：{_links(f.legal_references, lang)}")
    else:
        line = (f"- {md(f.title)} (`{f.rule}`, {f.severity.value}): {md(f.message)}{note}"
                f" Legal basis: {_links(f.legal_references, lang)}")
    out = [line]
    if own:
        if f.actions:
            out += [f"  - {'対応：' if ja else 'What to do: '}{md(_action_text(a, lang))}" for a in f.actions]
        elif f.rule == "could_not_supervise":
            out.append("  - 対応：取扱者ごとの対応を参照" if ja else "  - What to do: see each handler")
    return out


def _holds_md(view: ConsignorView, names: dict[str, str], lang: Lang) -> list[str]:
    ja = lang == "ja"
    c = view.consignor
    out = ["## 受託者として預かっているデータ" if ja else "## Data it holds as a contractor", ""]
    if ja:
        out += [f"{md(c.name)}は、次の委託を受けて個人データを預かっている。預かっているデータを渡した取扱者について、"
                f"委託元が説明を受けられるようにする責任がある。", "",
                "| 委託元 | 委託 | 業務 | 期間 |", "|---|---|---|---|"]
    else:
        out += [f"{md(c.name)} holds personal data under these entrustments to it. It answers for the handlers it "
                f"passes that data to, and must see that its consignors are told of them.", "",
                "| consignor | entrustment | work | period |", "|---|---|---|---|"]
    for held in view.holds:
        out.append(f"| {_named(held.consignor_name, held.consignor, lang, True)} | {md(_entrustment(view, held.entrustment, lang))} | "
                   f"{md(held.work or '')} | {md(held.period or ('不明' if ja else 'unknown'))} |")
    out.append("")
    for (handler, by), group in _upstream_groups(view).items():
        h, s = _named(names[handler], handler, lang, True), _named(names[by], by, lang, True)
        if ja:
            out += [f"### 委託元が説明を受けていない取扱者：{h}", "",
                    f"{s}が加えた{h}について、次の {len(group)} 者は説明を受けていない。", "",
                    f"- 対応：{s}は、{h}がデータを取り扱っていることを、次の {len(group)} 者に説明する"
                    f"（各委託元の台帳の説明を受けた再委託先に記録される）。", "",
                    "| 委託元 | 経路 | 期間 |", "|---|---|---|"]
        else:
            out += [f"### A handler its consignors were not told of: {h}", "",
                    f"{s} brought in {h}; these {len(group)} were not told of it.", "",
                    f"- What to do: {s} must inform these {len(group)} that {h} handles their data.", "",
                    "| consignor | route | window |", "|---|---|---|"]
        for u in group:
            out.append(f"| {_named(u.consignor_name, u.consignor, lang, True)} | {md(Words.with_id(u.path_text_ja if lang == 'ja' else u.path_text, u.route, lang))} | "
                       f"{md(windows_text(u.windows, lang))} |")
        out.append("")
    return out


# ---------------------------------------------------------------------------------------------
# Terminal table

def consignor_table(view: ConsignorView, lang: Lang = "ja") -> str:
    """The view for the terminal: the handlers route by route (told, approved, window, path),
    what to do, the consignor's own findings, and what it holds for others."""
    ja = lang == "ja"
    c, s = view.consignor, view.summary
    names = _names_of(view)
    who = _named(c.name, c.id, lang)
    if ja:
        out = [f"{who}のデータの取扱者 {s.handlers} 者（説明なし {s.not_told} 者、説明の有無が不明 {s.told_unknown} 者、"
               f"承認なし {s.not_approved} 者）、指摘 {_severities(view, lang)}、対応 {s.actions} 件"
               + (f"（基準日 {day_ja(view.as_of)}時点）" if view.as_of else "")]
    else:
        out = [f"{who}: {s.handlers} handlers of its data (not told {s.not_told}, told unknown {s.told_unknown}, "
               f"not approved {s.not_approved}), findings {_severities(view, lang)}, actions {s.actions}"
               + (f" (as of {view.as_of})" if view.as_of else "")]
    if view.intermediary:
        out.append(f"中間の受託者：委託 {len(view.holds)} 件で他の組織の個人データを預かっている" if ja
                   else f"intermediary: holds others' personal data under {len(view.holds)} entrustments")
    if not view.routes:
        out.append("このデータの経路は記録にない" if ja else "no route of its data is recorded")
    others = _handler_of_others(view)
    if others:
        out.append((f"取扱者として{'、ほかに' if view.holds else ''} {len(others)} 者のデータを取り扱っている：" if ja
                    else f"as a handler, it handles the data of {len(others)}{' more' if view.holds else ''}: ")
                   + _names(others, names, lang, False))
    head = (["取扱者", "説明", "承認", "期間", "経路図"] if ja else ["handler", "told", "approved", "window", "path"])
    for route in view.routes:
        restricted = _restricted(route.kind, route.restricted, lang)
        out += ["", (f"経路：{route.text_ja}、再委託の制限 {restricted}" if ja
                     else f"route: {route.text}, re-entrustment restricted: {restricted}")]
        rows = [head]
        for h in view.handlers:
            for r in h.routes:
                if r.id == route.id and r.kind == route.kind:
                    rows.append([_named(h.name, h.id, lang), TOLD[lang][r.disclosed], APPROVED[lang][r.approved],
                                 windows_text(r.windows, lang), r.path_text_ja if ja else r.path_text])
        out += ["  " + line for line in columns(rows)] if len(rows) > 1 else ["  取扱者なし" if ja else "  no handler"]
    actions = _action_lines(view, lang, escape=False)
    if actions:
        out += ["", "対応すべきこと" if ja else "what to do"]
        out += [f"  {i}. {a}" for i, a in enumerate(actions, 1)]
    if view.findings:
        out += ["", f"{c.name}自身についての指摘" if ja else f"findings about {c.name} itself"]
        for f in view.findings:
            severity = SEVERITY_JA[f.severity.value] if ja else f.severity.value
            out.append(f"  [{severity}] {f.message_ja if ja else f.message}")
    groups = _upstream_groups(view)
    if groups:
        out += ["", "委託元が説明を受けていない取扱者（受託者としての責任）" if ja
                else "handlers its consignors were not told of (its duty as a contractor)"]
        for (handler, by), group in groups.items():
            whom = ("、" if ja else ", ").join(_named(u.consignor_name, u.consignor, lang) for u in group)
            out.append(f"  {_named(names[handler], handler, lang)}（{_named(names[by], by, lang)}が加えた）："
                       f"{len(group)} 者 {whom}" if ja else
                       f"  {_named(names[handler], handler, lang)} (brought in by {_named(names[by], by, lang)}): "
                       f"{len(group)}: {whom}")
    return "\n".join(out) + "\n"
