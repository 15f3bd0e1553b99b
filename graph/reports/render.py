"""Render analyses: terminal tables, Japanese markdown (with Mermaid), JSON; and the text helpers
every report shares (markdown escaping, people, days and windows in Japanese). The survey's
reports are in :mod:`.survey_report`."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.findings import Analysis, Finding
from entrustment_chain.graph.analysis.messages import path_text
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.model.chain import ChainFile

KIND_COUNTER = {"private": "社", "local_government": "団体", "public_agency": "機関"}
SEVERITY_JA = {"high": "高", "medium": "中", "low": "低"}


# ---------------------------------------------------------------------------------------------
# Escaping. Names, ids and free text go into markdown as text, never as markup: a CommonMark
# renderer (GitHub, an editor's preview, a wiki) must show `<img src=x onerror=…>` or
# `[x](javascript:…)` as the characters they are. Only ASCII punctuation that can start markup is
# touched, so ordinary names (Japanese or not) are written byte for byte as they are.

# Line breaks: a name cannot hold one, but free text (work, a system's name, the title, notes)
# can; in markdown it would end a list item or a table row, and in a Mermaid label inside the
# ```mermaid fence a line of ``` after it would close the fence.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_MD = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;",            # entities, raw HTML, autolinks
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "~": "\\~",  # escapes, code spans, emphasis
    "|": "\\|", "#": "\\#",                             # table cells, headings
})
# A link or image needs "](" (inline) or "][" (reference); a link reference definition needs
# "]:". A "]" is escaped there and at the end of the text (where the caller's next character
# is unknown); elsewhere, as in the paths' "[system]", it is left as it is: "[" alone links nothing.
_LINK_CLOSE = re.compile(r"\](?=[(\[:]|$)")
# What starts a block when the text opens a paragraph (a list item's first word): a list marker
# (-, +, "1." or "1)") or a setext underline (=). Backslash-escaped there, wherever the text goes.
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")


def md(text: Any) -> str:
    """``text`` as literal markdown text (CommonMark with GFM tables): one line, no markup."""
    text = _LINE_BREAK.sub(" ", str(text)).translate(_MD)
    text = _LINK_CLOSE.sub(r"\\]", text)
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def subjects_ja(count: int | None, approximate: bool) -> str:
    if count is None:
        return "不明"
    return f"{'約 ' if approximate else ''}{count:,} 人"


def summary_ja(s: dict[str, Any]) -> str:
    """委託元 69 者（このほか中間の受託者 1 者）、取扱者 … 者、指摘 … 件（高・中・低）."""
    middle = f"（このほか中間の受託者 {s['intermediaries']} 者）" if s.get("intermediaries") else ""
    return (f"委託元 {s['consignors']} 者{middle}、取扱者 {s['handlers']} 者、指摘 {s['findings']} 件"
            f"（高 {s['by_severity']['high']}・中 {s['by_severity']['medium']}・低 {s['by_severity']['low']}）")


def as_of_ja(s: dict[str, Any]) -> str:
    """基準日 令和 5 年 1 月 31 日時点: how the contracts stood and the undisclosed handlings that day."""
    a = s.get("as_of")
    if not a:
        return ""
    e, h = a["entrustments"], a["undisclosed_handlings"]
    day = day_ja(a["date"])
    return (f"基準日 {day}時点：委託 {e['in_force']} 件が継続中、{e['ended_data_held']} 件が終了後も廃棄の記録なし、"
            f"{e['disposed']} 件が廃棄済み、{e['not_begun']} 件が未開始、{e['period_unknown']} 件は期間不明。"
            f"説明を受けていない取扱者による取扱いは、その日に確実 {h['certain']} 件、可能性 {h['possible']} 件"
            f"（うち期間不明の要素によるもの {h['period_unknown']} 件）")


def as_of_en(s: dict[str, Any]) -> str:
    a = s.get("as_of")
    if not a:
        return ""
    e, h = a["entrustments"], a["undisclosed_handlings"]
    return (f"as of {a['date']}: entrustments in force {e['in_force']}, ended with the data still held "
            f"{e['ended_data_held']}, disposed of {e['disposed']}, not begun {e['not_begun']}, period unknown "
            f"{e['period_unknown']}; undisclosed handlings that day: certain {h['certain']}, possible {h['possible']} "
            f"({h['period_unknown']} of them resting on an unknown period)")


def exposure_subjects_ja(x: Any) -> str:
    """The people a handler can reach: 約 N 人, with the consignors whose count is unknown, and
    上限 when the figure may count people twice or rests on approximate counts."""
    text = subjects_ja(x.data_subjects.count, x.data_subjects.approximate)
    if x.data_subjects.unknown:
        text += f"（ほか不明 {x.data_subjects.unknown} 者）"
    if x.data_subjects.upper_bound:
        text += "（上限）"
    return text


# ---------------------------------------------------------------------------------------------
# Analysis

def day_ja(iso: str) -> str:
    """An ISO day in wareki: 令和 5 年 1 月 31 日."""
    day = date.fromisoformat(iso)
    return W.wareki((day, day))


def route_windows_ja(w: Any, unknown_note: str) -> str:
    """A route's windows (findings.RouteWindows): 確実 …、可能性 …, and ``unknown_note`` when a
    period on the path is not recorded."""
    text = "、".join(filter(None, [f"確実 {'、'.join(x.wareki for x in w.certain)}" if w.certain else "",
                                    f"可能性 {'、'.join(x.wareki for x in w.possible)}" if w.possible else ""]))
    return text + (unknown_note if w.unknown_period else "")


def windows_ja(f: Finding) -> str:
    """When the handler could reach the data, over the finding's routes: 確実 … ／ 可能性 …
    (期間不明を含む when an unrecorded period leaves a window unbounded); empty for findings
    without routes."""
    if not f.routes or f.routes[0].windows is None:
        return ""
    parts = [route_windows_ja(r.windows, "（期間不明の要素あり）") for r in f.routes]
    return parts[0] if len(parts) == 1 else "／".join(f"{r.id}: {text}" for r, text in zip(f.routes, parts))


def _span_en(x: Any) -> str:
    return f"{x.start or 'unknown'} to {x.end or 'open'}"


def windows_en(f: Finding) -> str:
    """The first route's windows in English, for the table."""
    if not f.routes or f.routes[0].windows is None:
        return ""
    w = f.routes[0].windows
    parts = [f"certain {', '.join(map(_span_en, w.certain))}" if w.certain else "",
             f"possible {', '.join(map(_span_en, w.possible))}" if w.possible else ""]
    return "; ".join(filter(None, parts)) + (" (a period unknown)" if w.unknown_period else "")


def bases_ja(f: Finding) -> str:
    """The finding's legal bases as Japanese citations."""
    return "、".join(b.ja for b in f.legal_references) or "; ".join(f.legal_basis)


def analysis_table(a: Analysis) -> str:
    summary = a.summary
    n = summary.get("intermediaries", 0)
    middle = f" (+{n} intermediar{'y' if n == 1 else 'ies'})" if n else ""
    out = [f"{summary['findings']} findings for {summary['consignors']} consignors{middle} "
           f"({', '.join(f'{k} {v}' for k, v in summary['by_severity'].items())}); backend {a.backend}"]
    if summary.get("as_of"):
        out.append(as_of_en(summary))
    for rule in RULES:
        found = a.by_rule(rule)
        if not found:
            continue
        out += ["", f"{rule} [{found[0].severity.value}] — {len(found)}"]
        for f in found:
            if f.routes:
                detail = path_text(f.path) + (f"  (+{len(f.routes) - 1} more routes)" if len(f.routes) > 1 else "")
            elif f.handlers:
                detail = "undisclosed: " + ", ".join(f.handlers)
            else:
                detail = f"entrustment {f.entrustment} → {f.handler}"
            flag = "  (evidence unknown)" if f.evidence_unknown else ""
            when = windows_en(f)
            out.append(f"  {f.consignor:<12} {(f.handler or ''):<12} {detail}{flag}" + (f"  [{when}]" if when else ""))
    if a.exposure:
        out += ["", "exposure (handlers by consignors reached)"]
        for x in a.exposure[:10]:
            out.append(f"  {x.handler:<12} {x.consignor_count:>6} consignors  "
                       f"{subjects_ja(x.data_subjects.count, x.data_subjects.approximate)}"
                       f"{f' (+{x.data_subjects.unknown} unknown)' if x.data_subjects.unknown else ''}")
    return "\n".join(out) + "\n"


def analysis_markdown(a: Analysis, chain: ChainFile) -> str:
    orgs = chain.organizations_by_id
    name = lambda i: md(orgs[i].name if i in orgs else i)  # noqa: E731
    out = [f"# 委託関係の分析結果：{md(chain.title or a.source or '')}".rstrip("："), "",
           "## 概要", "",
           f"- {summary_ja(a.summary)}",
           *([f"- {as_of_ja(a.summary)}"] if a.summary.get("as_of") else []),
           "", "| 規則 | 内容 | 重大度 | 件数 |", "|---|---|---|---|"]
    for rule in RULES.values():
        out.append(f"| `{rule.id}` | {rule.title_ja} | {SEVERITY_JA[rule.severity.value]} | "
                   f"{a.summary['by_rule'][rule.id]} |")
    if a.exposure:
        out += ["", "## 取扱者ごとの影響範囲（集中度）", "", "| 取扱者 | 委託元数 | 本人数 |", "|---|---|---|"]
        for x in a.exposure:
            out.append(f"| {md(x.name)} | {x.consignor_count} | {exposure_subjects_ja(x)} |")
    out += ["", "## 委託関係図", "", "```mermaid", *mermaid(chain, a), "```", ""]
    out += ["## 指摘", ""]
    for rule in RULES.values():
        found = a.by_rule(rule.id)
        if not found:
            continue
        out += [f"### {rule.title_ja}（`{rule.id}`、{len(found)} 件）", ""]
        for f in found:
            note = " ※証跡不明" if f.evidence_unknown else ""
            when = windows_ja(f)
            out.append(f"- {name(f.consignor)}: {md(f.message_ja)}{note}" + (f"（期間: {md(when)}）" if when else "")
                       + f" 根拠: {md(bases_ja(f))}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def undisclosed_marks(a: Analysis | None) -> tuple[set[tuple[str, str, str | None]], set[str]]:
    """What the drawings mark: the steps, as (type, key, system) — keys are unique within a type
    only — on every route of every undisclosed finding, and the undisclosed handlers."""
    steps: set[tuple[str, str, str | None]] = set()
    handlers: set[str] = set()
    for f in a.by_rule("undisclosed_subcontracting") if a is not None else ():
        handlers.add(f.handler)
        for route in f.routes:
            steps.update((step.type, step.key, step.system) for step in route.path)
    return steps, handlers


def mermaid(chain: ChainFile, a: Analysis | None = None) -> list[str]:
    """A Mermaid flowchart; steps on undisclosed paths are drawn thick and red."""
    hidden_steps, hidden_handlers = undisclosed_marks(a)
    ids: dict[str, str] = {}

    def node(raw: str) -> str:
        return ids.setdefault(raw, f"n{len(ids)}")

    lines = ["flowchart LR"]
    for org in chain.organizations:
        lines.append(f'  {node(S.org_node(org.id))}["{_mm(org.name)}"]')
    for system in chain.systems:
        lines.append(f'  {node(S.system_node(system.id))}[("{_mm(system.name)}")]')
    edge_index = 0
    red = []
    for e in chain.entrustments:
        style = "-.->" if e.personal_data is False else "-->"
        lines.append(f'  {node(S.org_node(e.consignor))} {style}|"{_mm(e.work or e.id)}"| {node(S.org_node(e.contractor))}')
        if (S.ENTRUSTS, e.id, None) in hidden_steps:
            red.append(edge_index)
        edge_index += 1
    hidden_systems = {system for kind, _, system in hidden_steps if kind == S.PLACES_DATA_IN}
    drawn_systems: set[tuple[str, str]] = set()
    for e in chain.entrustments:
        for system_id in e.systems:
            pair = (e.contractor, system_id)
            if pair in drawn_systems:
                continue
            drawn_systems.add(pair)
            lines.append(f"  {node(S.org_node(e.contractor))} --- {node(S.system_node(system_id))}")
            if system_id in hidden_systems:
                red.append(edge_index)
            edge_index += 1
    for key, grant in zip(chain.grant_keys, chain.access):
        lines.append(f'  {node(S.org_node(grant.organization))} ==>|"{grant.kind.value} access"| '
                     f"{node(S.system_node(grant.system))}")
        if (S.ACCESSIBLE_BY, key, grant.system) in hidden_steps:
            red.append(edge_index)
        edge_index += 1
    for h in sorted(hidden_handlers):
        lines.append(f"  style {node(S.org_node(h))} fill:#fdd,stroke:#c00,stroke-width:3px")
    if red:
        lines.append(f"  linkStyle {','.join(map(str, red))} stroke:#c00,stroke-width:3px")
    return lines


# Mermaid labels are written quoted ("…"), and Mermaid reads #name; and #123; as entities before
# it parses anything, so "#" itself is written as an entity first. Then what would end the label
# or change how it is read: the quote, a backtick (a "`…`" label is markdown), "<", ">" and "&"
# (labels become HTML), "|" (edge labels stand between pipes), "%" (%%{init: …}%% directives and
# %% comments). A line break becomes <br>, Mermaid's own: nothing can end the ``` fence.
_MERMAID = str.maketrans({"#": "#35;", '"': "#quot;", "`": "#96;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
                          "|": "#124;", "%": "#37;"})


def _mm(text: str) -> str:
    return _LINE_BREAK.sub("<br>", text.translate(_MERMAID))

