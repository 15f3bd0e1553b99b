"""Render analyses: terminal tables and markdown (with Mermaid) in Japanese or English, JSON; and
the text helpers every report shares (markdown escaping, display widths, people, days and windows
in Japanese). The survey's reports are in :mod:`.survey_report`."""
from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from typing import IO, Any

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.findings import Analysis, Finding
from entrustment_chain.graph.analysis.messages import Lang, Words
from entrustment_chain.graph.analysis.registry import RULES, Per
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.reports.columns import columns, width

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
# Analysis. The table, the markdown and the HTML report (:mod:`.html`) speak Japanese or English
# (``lang``); organisations and systems by their names with their ids in parentheses
# (:class:`..analysis.messages.Words`), lists joined with 、 in Japanese.

def day_ja(iso: str) -> str:
    """An ISO day in wareki: 令和 5 年 1 月 31 日."""
    day = date.fromisoformat(iso)
    return W.wareki((day, day))


def time_ja(moment: datetime) -> str:
    """A moment in wareki, to the minute, in its own time zone: 令和 7 年 4 月 1 日 9 時 30 分 (the
    report's header gives the ISO time, with its offset, beside it)."""
    return f"{day_ja(moment.date().isoformat())} {moment.hour} 時 {moment.minute:02d} 分"


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
    # several routes: each labelled, its id in parentheses (the route's parties are in the message)
    return parts[0] if len(parts) == 1 else "／".join(f"経路（{r.id}）：{text}" for r, text in zip(f.routes, parts))


def _span_en(x: Any) -> str:
    return f"{x.start or 'unknown'} to {x.end or 'open'}"


def route_windows_en(w: Any) -> str:
    """A route's windows in English: certain 2015-03-01 to 2017-03-31; possible …"""
    parts = [f"certain {', '.join(map(_span_en, w.certain))}" if w.certain else "",
             f"possible {', '.join(map(_span_en, w.possible))}" if w.possible else ""]
    return "; ".join(filter(None, parts)) + (" (a period unknown)" if w.unknown_period else "")


def windows_en(f: Finding) -> str:
    """:func:`windows_ja` in English, with ISO days."""
    if not f.routes or f.routes[0].windows is None:
        return ""
    parts = [route_windows_en(r.windows) for r in f.routes]
    return parts[0] if len(parts) == 1 else " / ".join(f"route ({r.id}): {text}" for r, text in zip(f.routes, parts))


def windows(f: Finding, lang: Lang) -> str:
    return windows_ja(f) if lang == "ja" else windows_en(f)


def bases_ja(f: Finding) -> str:
    """The finding's legal bases as Japanese citations."""
    return "、".join(b.ja for b in f.legal_references) or "; ".join(f.legal_basis)


def bases(f: Finding, lang: Lang) -> str:
    """The finding's legal bases: Japanese citations (個人情報保護法第25条（委託先の監督）…), or the
    English texts."""
    return bases_ja(f) if lang == "ja" else "; ".join(b.text for b in f.legal_references) or "; ".join(f.legal_basis)


def citation(b: Any, lang: Lang) -> str:
    """A legal reference as the reader's language cites it."""
    return b.ja if lang == "ja" else b.text


def summary_en(s: dict[str, Any]) -> str:
    """279 findings for 69 consignors (+1 intermediary) (low 20, medium 99, high 160)."""
    n = s.get("intermediaries", 0)
    middle = f" (+{n} intermediar{'y' if n == 1 else 'ies'})" if n else ""
    return (f"{s['findings']} findings for {s['consignors']} consignors{middle} "
            f"({', '.join(f'{k} {v}' for k, v in s['by_severity'].items())})")


def summary_line(s: dict[str, Any], lang: Lang) -> str:
    return summary_ja(s) if lang == "ja" else summary_en(s)


def backend_line(backend: str, lang: Lang) -> str:
    """解析：networkx / backend networkx."""
    return f"解析：{backend}" if lang == "ja" else f"backend {backend}"


def as_of_line(s: dict[str, Any], lang: Lang) -> str:
    return as_of_ja(s) if lang == "ja" else as_of_en(s)


def baseline_line(s: dict[str, Any], lang: Lang) -> str:
    """What a baseline (``--baseline``) did, from ``summary["baseline"]``: the findings it left out,
    its entries that have expired (their findings reported again) and those whose finding no
    longer occurs; empty without a baseline."""
    b = s.get("baseline")
    if not b:
        return ""
    stale = len(b["stale"])
    expired = max(b["accepted"] - stale - b["suppressed"], 0)  # accepted, occurring, not suppressed
    if lang == "ja":
        return (f"受容リスト {b['file']}：指摘 {b['suppressed']:,} 件を受容済みとして除外"
                f"（期限切れで再び指摘 {expired:,} 件、もう生じない指摘の受容 {stale:,} 件）")
    return (f"baseline {b['file']}: {b['suppressed']:,} accepted finding(s) left out ({expired:,} expired and "
            f"reported again, {stale:,} no longer occurring)")


def step_bound_line(s: dict[str, Any], words: Words, lang: Lang) -> str:
    """The routes whose data goes on beyond the step bound (not followed), as the CLI warns of
    them; empty when there are none."""
    bound = s.get("step_bound")
    if not bound or not bound["truncated"]:
        return ""
    routes = bound["truncated"]

    def route(x: dict) -> str:  # an entrustment names its consignor; a system's data is named with it
        if x["route"] in words.entrustments:
            return words.entrustment(x["route"], lang)
        return f"{words.named(x['consignor'], lang)}{'：' if lang == 'ja' else ': '}{words.route_of(x['route'], lang)}"

    shown = words.join(map(route, routes[:5]), lang)
    more = len(routes) - 5
    if lang == "ja":
        return (f"{bound['max_steps']} 段を超えてデータが渡る経路が {len(routes):,} 件あり、その先は追跡していない"
                f"（{shown}{f' ほか {more:,} 件' if more > 0 else ''}）")
    return (f"{len(routes):,} route(s) pass data on beyond {bound['max_steps']} steps, which are not followed: "
            f"{shown}{f' and {more:,} more' if more > 0 else ''}")


def notes(a: Analysis, words: Words, lang: Lang) -> list[str]:
    """The lines every report puts under its summary: the day judged (``--as-of``), what a
    baseline left out, the routes beyond the step bound."""
    s = a.summary
    return [line for line in (as_of_line(s, lang), baseline_line(s, lang), step_bound_line(s, words, lang)) if line]


def exposure_subjects_en(x: Any) -> str:
    """:func:`exposure_subjects_ja` in English: about 584,000 people (+52 consignors unknown) (upper bound)."""
    d = x.data_subjects
    text = f"{'about ' if d.approximate else ''}{d.count:,} people"
    if d.unknown:
        text += f" (+{d.unknown} consignor{'s' if d.unknown != 1 else ''} unknown)"
    return text + (" (upper bound)" if d.upper_bound else "")


def exposure_subjects(x: Any, lang: Lang) -> str:
    return exposure_subjects_ja(x) if lang == "ja" else exposure_subjects_en(x)


def severity_word(severity: str, lang: Lang) -> str:
    return SEVERITY_JA[severity] if lang == "ja" else severity


# Terminal tables: cells measured by display width (:mod:`.columns`: a CJK character takes two
# columns; East Asian "ambiguous" characters such as → and … one, as most terminals draw them).

def cut(text: str, size: int) -> str:
    """``text`` in at most ``size`` columns, ended with … when it is cut."""
    if width(text) <= size:
        return text
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > size - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


NAME_COLUMN = 46  # columns at most for a name with its id in a table; longer names are cut, never the id


def name_cell(name: str, ident: str | None, lang: Lang) -> str:
    """A name with its id in parentheses, in at most :data:`NAME_COLUMN` columns: the name is cut
    (with …), the id never."""
    if ident is None:
        return ""
    text = Words.with_id(name, ident, lang)
    if width(text) <= NAME_COLUMN or text == ident:
        return text
    tail = text[len(name):]
    return cut(name, NAME_COLUMN - width(tail)) + tail


TABLE_WORDS = {
    "ja": {"consignor": "委託元", "handler": "取扱者", "contractor": "委託先", "detail": "内容",
           "exposure": "取扱者ごとの影響範囲（集中度）", "consignors": "委託元数", "subjects": "本人数",
           "unknown": "※証跡不明"},
    "en": {"consignor": "consignor", "handler": "handler", "contractor": "contractor", "detail": "detail",
           "exposure": "exposure (handlers by consignors reached)", "consignors": "consignors",
           "subjects": "data subjects", "unknown": "(evidence unknown)"},
}


def _detail(f: Finding, words: Words, lang: Lang) -> str:
    """What a table row says of a finding: the first route's path (with how many more routes and
    the windows) for path rules, the undisclosed handlers for could_not_supervise, the message for
    the others."""
    ja = lang == "ja"
    flag = f" {TABLE_WORDS[lang]['unknown']}" if f.evidence_unknown else ""
    if f.routes:
        more = len(f.routes) - 1
        text = words.path(f.path, lang)
        if more:
            text += f"（ほか {more} 経路）" if ja else f"  (+{more} more route{'s' if more > 1 else ''})"
        when = windows(f, lang)
        return text + flag + ((f"　期間：{when}" if ja else f"  [{when}]") if when else "")
    if f.handlers:
        handlers = words.join((words.named(h, lang) for h in f.handlers), lang)
        return (f"説明を受けていない取扱者：{handlers}" if ja else f"undisclosed: {handlers}") + flag
    message = f.message_ja if ja else f.message
    return message + flag


def not_shown(count: int, lang: Lang) -> str:
    """The line under a rule's findings cut by ``--limit``."""
    return (f"ほか {count:,} 件（--limit で表示件数を変えられます）" if lang == "ja"
            else f"and {count:,} more (--limit sets how many are shown)")


def analysis_table(a: Analysis, chain: ChainFile, lang: Lang = "en", limit: int | None = None) -> str:
    """The terminal table: the summary, then each rule's findings (consignor, handler or
    contractor, what was found; the first ``limit`` of each rule when given), then the handlers
    that reach the most consignors."""
    words = Words(chain)
    summary = a.summary
    t = TABLE_WORDS[lang]
    ja = lang == "ja"
    head = (f"{summary_ja(summary)}。{backend_line(a.backend, lang)}" if ja
            else f"{summary_en(summary)}; {backend_line(a.backend, lang)}")
    out = [head, *notes(a, words, lang)]
    for rule in RULES.values():
        total = summary["by_rule"][rule.id]
        if not total:
            continue
        found = a.by_rule(rule.id, limit)
        severity = severity_word(rule.severity.value, lang)
        if ja:
            out += ["", f"{rule.title_ja}　重大度 {severity}　{total:,} 件　`{rule.id}`"]
        else:
            out += ["", f"{rule.id} [{severity}] — {total}: {rule.title_en}"]
        if not found:
            continue
        # consignor, then the handler (path rules) or the contractor (entrustment rules), then what
        rows = [[t["consignor"], *([] if rule.per is Per.consignor else
                                  [t["contractor" if rule.per is Per.entrustment else "handler"]]), t["detail"]]]
        for f in found:
            rows.append([name_cell(words.org(f.consignor), f.consignor, lang),
                         *([] if rule.per is Per.consignor else [name_cell(words.org(f.handler), f.handler, lang)]),
                         _detail(f, words, lang)])
        out += [f"  {line}" for line in columns(rows)]
        if total > len(found):
            out.append(f"  {not_shown(total - len(found), lang)}")
    if a.exposure:
        out += ["", t["exposure"]]
        rows = [[t["handler"], t["consignors"], t["subjects"]]]
        for x in a.exposure[:10]:
            rows.append([name_cell(x.name, x.handler, lang), f"{x.consignor_count:,}", exposure_subjects(x, lang)])
        out += [f"  {line}" for line in columns(rows, right=[1])]
        if len(a.exposure) > 10:
            rest = len(a.exposure) - 10
            out.append(f"  ほか {rest:,} 者" if ja else f"  and {rest:,} more")
    return "\n".join(out) + "\n"


MARKDOWN_WORDS = {
    "ja": {"title": "委託関係の分析結果", "summary": "概要", "rules": "| 規則 | 内容 | 重大度 | 件数 |",
           "exposure": "取扱者ごとの影響範囲（集中度）", "exposure_head": "| 取扱者 | 委託元数 | 本人数 |",
           "chain": "委託関係図", "findings": "指摘", "unknown": "※証跡不明", "references": "法令等の参照先"},
    "en": {"title": "Entrustment chain analysis", "summary": "Summary",
           "rules": "| rule | title | severity | findings |", "exposure": "Exposure by handler",
           "exposure_head": "| handler | consignors | data subjects |", "chain": "The chain",
           "findings": "Findings", "unknown": " (evidence unknown)", "references": "Legal references"},
}


def analysis_markdown(a: Analysis, chain: ChainFile, lang: Lang = "ja", limit: int | None = None) -> str:
    """The markdown report as text: what :func:`write_analysis_markdown` writes."""
    out = io.StringIO()
    write_analysis_markdown(out, a, chain, lang, limit)
    return out.getvalue()


class _Lines:
    """Lines written as ``"\\n".join(lines).rstrip() + "\\n"`` would make them, one at a time: blank
    lines are held back until a line follows them, so none trails."""

    def __init__(self, out: IO[str]):
        self.out = out
        self.blank = 0
        self.started = False

    def add(self, *lines: str) -> None:
        for line in lines:
            if not line:
                self.blank += 1
                continue
            self.out.write(("\n" if self.started else "") + "\n" * self.blank + line)
            self.started, self.blank = True, 0

    def end(self) -> None:
        self.out.write("\n")


def write_analysis_markdown(out: IO[str], a: Analysis, chain: ChainFile, lang: Lang = "ja",
                            limit: int | None = None) -> None:
    """The markdown report, written to ``out`` finding by finding (a large chain's report is
    larger than the analysis): summary, rules, exposure, the chain as a Mermaid flowchart (when it
    is small enough for Mermaid to draw: :data:`MERMAID_MAX_EDGES`), every finding (the first
    ``limit`` of each rule when given) with its windows and legal basis, and the legal
    references cited with their addresses (e-Gov, PPC). Names and free text are written as text
    (:func:`md`)."""
    words = Words(chain)
    t = MARKDOWN_WORDS[lang]
    ja = lang == "ja"
    colon = "：" if ja else ": "
    title = md(chain.title or a.source or "")
    lines = _Lines(out)
    lines.add(f"# {t['title']}{colon + title if title else ''}", "",
              f"## {t['summary']}", "",
              f"- {md(summary_line(a.summary, lang))}",
              f"- {md(backend_line(a.backend, lang))}",
              *(f"- {md(line)}" for line in notes(a, words, lang)),
              "", t["rules"], "|---|---|---|---|")
    for rule in RULES.values():
        lines.add(f"| `{rule.id}` | {rule.title_ja if ja else md(rule.title_en)} | "
                  f"{severity_word(rule.severity.value, lang)} | {a.summary['by_rule'][rule.id]:,} |")
    if a.exposure:
        lines.add("", f"## {t['exposure']}", "", t["exposure_head"], "|---|---|---|")
        for x in a.exposure:
            lines.add(f"| {md(Words.with_id(x.name, x.handler, lang))} | {x.consignor_count:,} | "
                      f"{md(exposure_subjects(x, lang))} |")
    drawing = mermaid(chain, a, lang)
    edges = sum(1 for line in drawing if _EDGE.match(line))
    if edges <= MERMAID_MAX_EDGES:
        lines.add("", f"## {t['chain']}", "", "```mermaid", *drawing, "```", "")
    else:  # Mermaid refuses to draw more (its maxEdges): a page of text nobody can read
        lines.add("", f"## {t['chain']}", "",
                  (f"（矢印 {edges:,} 本の図は省略：Mermaid が描くのは {MERMAID_MAX_EDGES:,} 本まで。"
                   "--format html は Graphviz で描きます）" if ja else
                   f"(The drawing of {edges:,} arrows is left out: Mermaid draws up to {MERMAID_MAX_EDGES:,}. "
                   "--format html draws it with Graphviz.)"), "")
    del drawing
    lines.add(f"## {t['findings']}", "")
    cited: dict[str, str] = {}
    for rule in RULES.values():
        total = a.summary["by_rule"][rule.id]
        if not total:
            continue
        lines.add(f"### {rule.title_ja}（`{rule.id}`、{total:,} 件）" if ja
                  else f"### {md(rule.title_en[:1].upper() + rule.title_en[1:])} (`{rule.id}`, {total:,})", "")
        shown = 0
        for f in a.iter_rule(rule.id, limit):  # one finding built at a time
            shown += 1
            note = t["unknown"] if f.evidence_unknown else ""
            when = windows(f, lang)
            message = f.message_ja if ja else f.message
            if ja:
                lines.add(f"- {md(words.named(f.consignor, lang))}：{md(message)}{note}"
                          + (f"（期間：{md(when)}）" if when else "") + f"　根拠：{md(bases(f, lang))}")
            else:
                lines.add(f"- {md(words.named(f.consignor, lang))}: {md(message)}{note}"
                          + (f" (when: {md(when)})" if when else "") + f" Legal basis: {md(bases(f, lang))}")
            for b in f.legal_references:
                cited.setdefault(citation(b, lang), b.ref)
        if shown and total > shown:  # with none shown (--summary-only, --limit 0) the heading counts them
            lines.add(f"- {not_shown(total - shown, lang)}")
        lines.add("")
    if cited:
        # the addresses are the tool's own (graph/analysis/legal.py), written as they are so that
        # a renderer that links bare URLs (GitHub) links them; the citations are text
        lines.add(f"## {t['references']}", "")
        lines.add(*(f"- {md(name)}{colon.strip()} {url}" for name, url in cited.items()))
    lines.end()


# Mermaid's own limit (its maxEdges setting, 500 by default): a larger flowchart is refused by the
# renderers people read markdown in (GitHub, GitLab, editors).
MERMAID_MAX_EDGES = 500
_EDGE = re.compile(r"\s*n\d+ ")  # an arrow's line (a node's is `nX[`)


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


def mermaid(chain: ChainFile, a: Analysis | None = None, lang: Lang = "en") -> list[str]:
    """A Mermaid flowchart; steps on undisclosed paths are drawn thick and red. Access arrows are
    labelled in ``lang`` (アクセス・保守 / maintenance access)."""
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
        lines.append(f'  {node(S.org_node(grant.organization))} ==>|"{_mm(Words.access(grant.kind.value, lang))}"| '
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

