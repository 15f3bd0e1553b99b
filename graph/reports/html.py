"""``chain analyze --format html``: one self-contained page to hand to management. Nothing is
loaded from anywhere (no script, font, style or image from elsewhere; the only addresses are the
links to the legal references), so it opens offline, prints and can be mailed as it is.

It holds: who made it, when, from which file (its SHA-256) with which version of the tool; the
summary, the exposure and the findings; and a drawing of the chain laid out by Graphviz ``dot``
(:mod:`.layout`) as static SVG, with arrowheads, a label on every arrow and the undisclosed routes
in red. Without ``dot`` the drawing falls back to plain columns, and the page and standard error say
so. One small inline script adds a filter: choose a consignor, and only its routes (boxes, arrows)
and its findings stay on the page. Without JavaScript the filter is not shown and everything is."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import datetime, timezone
from html import escape
from importlib import metadata
from typing import Callable

from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.analysis.messages import Lang, Words
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.reports.layout import (Model, Placed, column_layout, dot_program, drawing_model,
                                                     graphviz_layout, text_width)
from entrustment_chain.graph.reports.render import (backend_line, citation, exposure_subjects, notes, severity_word,
                                                     summary_line, time_ja, windows)

# rows of findings per rule; shared fairly among the filter's consignors, each of which keeps at
# least one row of every rule it has findings of (and a row saying how many of its own are left out)
MAX_FINDING_ROWS = 2000
STYLE = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.high{color:#b00;font-weight:bold}.medium{color:#a60}.low{color:#666}
details{margin:.4em 0}summary{cursor:pointer;font-weight:bold}.unknown{color:#777;font-size:.9em}
table.meta td,table.meta th{font-size:.85em;padding:.15em .6em}.meta code{word-break:break-all}
.note{background:#fff7e0;border-left:4px solid #d98c00;padding:.3em .8em}
#filter{position:sticky;top:0;background:#eef4fc;border:1px solid #9bbbe6;padding:.5em .8em;margin:1em 0;z-index:1}
#filter select{font-size:1em;max-width:40em}#shown{margin-left:1em;color:#444}
.drawing{overflow:auto;border:1px solid #ddd;background:#fff}
svg text{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif}
.n rect,.n path{fill:#f4f4f4;stroke:#777;stroke-width:1}.n text{font-size:13px;fill:#222}.n .id{font-size:11px;fill:#555}
.n.consignor rect,.n.group rect{fill:#e3eefc;stroke:#2f6fc4;stroke-width:1.5}
.n.system path{fill:#f2e6f5;stroke:#8a3d99}
.n.hot rect{fill:#fde0e0;stroke:#c00;stroke-width:3}
.n .one{display:none}.n.picked .one{display:inline}.n.picked .many{display:none}
.e path{fill:none;stroke:#8795a1;stroke-width:1.2;marker-end:url(#ah)}
.e.acc path{stroke:#d98c00;stroke-width:1.6;marker-end:url(#ah-a)}
.e.dash path{stroke-dasharray:5 4}
.e.hot path{stroke:#c00;stroke-width:2.6;marker-end:url(#ah-r)}
.e text{font-size:11px;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.e.hot text{fill:#a00;font-weight:bold}
.off{display:none}.filtered .e .cnt{display:none}
body:not(.filtered) tr.cmore,.filtered tr.allmore,.whole,.mine{display:none}.filtered .whole,.filtered .mine{display:inline}
tr.cmore td{color:#555}
.legend{margin:.3em 0}
@media print{#filter{display:none}.drawing{overflow:visible;border:none}svg.chain{max-width:100%;height:auto}}
"""
# The filter: the select box is shown only when this runs; it hides what is not on the chosen
# consignor's routes (data-c lists the consignors' indices), colours red what is undisclosed to
# that consignor (data-r), and hides the other consignors' findings.
SCRIPT = """
(function () {
  // printed, every rule's findings are open
  window.addEventListener('beforeprint', function () {
    var all = document.querySelectorAll('details.rule');
    for (var d = 0; d < all.length; d++) all[d].open = true;
  });
  var select = document.getElementById('consignor'), box = document.getElementById('filter');
  if (!select || !box) return;
  box.hidden = false;
  function has(list, v) { return (' ' + (list || '') + ' ').indexOf(' ' + v + ' ') >= 0; }
  function show() {
    var v = select.value, on = v !== '', i, el, nodes = 0, arrows = 0, rows = 0;
    document.body.classList.toggle('filtered', on);
    var els = document.querySelectorAll('[data-c]');
    for (i = 0; i < els.length; i++) {
      el = els[i];
      var keep = !on || has(el.getAttribute('data-c'), v);
      el.classList.toggle('off', !keep);
      if (el.hasAttribute('data-r')) {
        el.classList.toggle('hot', on ? has(el.getAttribute('data-r'), v) : el.getAttribute('data-r') !== '');
      }
      if (el.hasAttribute('data-one')) {
        el.classList.toggle('picked', on && keep);
        el.querySelector('.one').textContent = on ? select.options[select.selectedIndex].text : '';
      }
      if (keep && on) {
        if (el.classList.contains('n')) nodes++;
        else if (el.classList.contains('e')) arrows++;
        else if (!el.classList.contains('cmore')) rows++;
      }
    }
    var details = document.querySelectorAll('details.rule');
    for (i = 0; i < details.length; i++) {
      var mine = 0, left = details[i].querySelectorAll('tr[data-c]:not(.off)');
      for (var j = 0; j < left.length; j++) mine += left[j].classList.contains('cmore') ? +left[j].getAttribute('data-n') : 1;
      details[i].classList.toggle('off', on && !mine);
      var count = details[i].querySelector('.mine');  // the rule's findings of this consignor
      if (count) count.textContent = on ? count.getAttribute('data-text').replace('{n}', mine) : '';
    }
    // the consignor's true count (data-n), and how many of them the page holds
    var option = select.options[select.selectedIndex], total = on ? +(option.getAttribute('data-n') || rows) : 0;
    var shown = document.getElementById('shown');  // its data-text says it in the report's language
    shown.textContent = on ? shown.getAttribute(total > rows ? 'data-more' : 'data-text').replace('{nodes}', nodes)
      .replace('{arrows}', arrows).replace('{rows}', rows).replace('{total}', total)
      .replace('{id}', option.getAttribute('data-id')) : '';
  }
  // report.html#consignor=ID opens with that consignor chosen (a link to one consignor's view)
  var wanted = /^#consignor=(.*)$/.exec(window.location.hash);
  if (wanted) {
    for (var k = 0; k < select.options.length; k++) {
      if (select.options[k].getAttribute('data-id') === decodeURIComponent(wanted[1])) select.value = select.options[k].value;
    }
  }
  select.addEventListener('change', function () {
    var option = select.options[select.selectedIndex];
    try {
      window.history.replaceState(null, '', select.value === '' ? window.location.pathname :
        '#consignor=' + encodeURIComponent(option.getAttribute('data-id')));
    } catch (e) { /* a page opened from a file may refuse it */ }
    show();
  });
  show();
})();
"""


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tool_version() -> str:
    try:
        return metadata.version("entrustment-chain")
    except metadata.PackageNotFoundError:
        return "unknown"


def report_time(generated_at: datetime | None = None) -> datetime:
    """The report's time: ``generated_at``; else SOURCE_DATE_EPOCH (reproducible builds), in UTC;
    else now, in local time."""
    if generated_at is not None:
        return generated_at
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now().astimezone()


def _ids(indices: set[int]) -> str:
    return " ".join(map(str, sorted(indices)))


def _box_svg(box, at: tuple[float, float, float, float]) -> str:
    x, y, w, h = at
    left, top = x - w / 2, y - h / 2
    hot = " hot" if box.hot else ""
    group = ' data-one=""' if box.kind == "group" else ""
    out = [f'<g class="n {box.kind}{hot}" id="{box.id}" data-c="{_ids(box.members)}" data-r="{_ids(box.hot)}"{group}>'
           f"<title>{escape(box.title)}</title>"]
    if box.kind == "system":  # a cylinder
        ry = min(6.0, h / 5)
        out.append(f'<path d="M{left:.1f},{top + ry:.1f} a{w / 2:.1f},{ry:.1f} 0 0 1 {w:.1f},0 v{h - 2 * ry:.1f} '
                   f'a{w / 2:.1f},{ry:.1f} 0 0 1 {-w:.1f},0 z M{left:.1f},{top + ry:.1f} '
                   f'a{w / 2:.1f},{ry:.1f} 0 0 0 {w:.1f},0" fill="#f2e6f5" stroke="#8a3d99"/>')
    else:
        out.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" '
                   f'fill="{"#fde0e0" if box.hot else "#f4f4f4"}" stroke="{"#c00" if box.hot else "#777"}"/>')
    lines = box.lines
    first = y - (len(lines) - 1) * 8 + 4.5
    spans = "".join(f'<tspan x="{x:.1f}" y="{first + k * 16:.1f}"{" class=" + chr(34) + "id" + chr(34) if k and line.startswith("(") else ""}>'
                    f"{escape(line)}</tspan>" for k, line in enumerate(lines))
    out.append(f'<text class="many" text-anchor="middle">{spans}</text>')
    if box.kind == "group":
        out.append(f'<text class="one" text-anchor="middle" x="{x:.1f}" y="{y + 4:.1f}"></text>')
    out.append("</g>")
    return "".join(out)


def _arrow_svg(arrow, path: str, label: tuple[float, float] | None) -> str:
    classes = ["e", arrow.kind] + (["acc"] if arrow.kind == "access" else []) + (["dash"] if arrow.dashed else []) + \
        (["hot"] if arrow.hot else [])
    colour, marker = ("#c00", "ah-r") if arrow.hot else (("#d98c00", "ah-a") if arrow.kind == "access" else ("#8795a1", "ah"))
    dash = ' stroke-dasharray="5 4"' if arrow.dashed else ""
    out = [f'<g class="{" ".join(classes)}" id="{arrow.id}" data-c="{_ids(arrow.members)}" data-r="{_ids(arrow.hot)}">'
           f"<title>{escape(arrow.title)}</title>"
           f'<path d="{path}" stroke="{colour}" fill="none"{dash} marker-end="url(#{marker})"/>']
    if label is not None:
        count = f'<tspan class="cnt"> ×{arrow.count:,}</tspan>' if arrow.count else ""
        out.append(f'<text x="{label[0]:.1f}" y="{label[1] + 3:.1f}" text-anchor="middle">{escape(arrow.label)}{count}</text>')
    out.append("</g>")
    return "".join(out)


MARKERS = "".join(
    f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{size}" markerHeight="{size}" '
    f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    for name, colour, size in (("ah", "#8795a1", 9), ("ah-a", "#d98c00", 10), ("ah-r", "#c00", 12)))


def svg(model: Model, placed: Placed, lang: Lang = "ja") -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chain" width="{placed.width:.0f}" '
             f'height="{placed.height:.0f}" viewBox="0 0 {placed.width:.1f} {placed.height:.1f}" role="img" '
             f'aria-label="{WORDS[lang]["drawing"]}" data-layout="{placed.engine}"><defs>{MARKERS}</defs>']
    for a in model.arrows:
        path, label = placed.arrows[a.id]
        parts.append(_arrow_svg(a, path, label))
    for b in model.boxes:
        parts.append(_box_svg(b, placed.boxes[b.id]))
    parts.append("</svg>")
    return "".join(parts)



# The page's own words, in each language (names, messages and legal bases come from the analysis).
WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "title": "委託関係の分析結果", "page_title": "委託関係の分析", "untitled": "委託関係",
        "drawing": "委託関係図", "legend": "凡例", "summary": "概要", "rule": "規則", "rule_title": "内容",
        "severity": "重大度", "count": "件数", "exposure": "取扱者ごとの影響範囲（集中度）", "handler": "取扱者",
        "consignors": "委託元数", "subjects": "本人数", "findings": "指摘", "consignor": "委託元",
        "message": "内容", "windows": "期間", "bases": "根拠", "unknown": "※証跡不明",
        "rule_head": "{title}（<code>{id}</code>、{count} 件）",
        "more": "… ほか {more} 件（すべての指摘は <code>--format json</code> で）",
        "made": "作成日時", "tool": "作成ツール", "input": "入力ファイル", "digest": "入力の SHA-256",
        "stdin": "標準入力", "stdin_digest": "標準入力のため記録なし", "none": "記録なし", "unreadable": "（読めません：{error}）",
        "filter": "委託元で絞り込む：", "all": "すべての委託元", "ends": "委託元", "others": "中間の受託者ほか",
        "shown": "図：組織・システム {nodes}、矢印 {arrows}　指摘：{rows} 件",
        "shown_more": "図：組織・システム {nodes}、矢印 {arrows}　この委託元の指摘 {total} 件のうち {rows} 件を表示"
                      "（残りは --format json または --consignor {id}）",
        "mine": "（この委託元 {n} 件）", "cmore": "… この委託元のほか {more} 件（すべては <code>--consignor {id}</code> で）",
        "whole": "（全委託元の合計）",
        "too_big": "{reason} <code>chain export --format graphml</code> を yEd や Gephi で開いてください。",
        "dot_failed": "Graphviz（<code>dot</code>）による配置に失敗したため（<code>{error}</code>）、簡易な配置で描いています。",
        "no_dot": "Graphviz（<code>dot</code>）が見つからないため、簡易な配置で描いています"
                  "（Graphviz を入れると読みやすい図になります：<code>apt-get install graphviz</code>）。",
        "lg_consignor": "委託元", "lg_org": "委託先・再委託先", "lg_hot": "知らされていない取扱者", "lg_system": "システム",
        "lg_route": "知らされていない経路", "lg_flow": "委託・データ格納", "lg_access": "アクセス",
        "lg_none": "個人データなし",
    },
    "en": {
        "title": "Entrustment chain analysis", "page_title": "Entrustment chain analysis",
        "untitled": "entrustment chain", "drawing": "The chain", "legend": "Legend", "summary": "Summary",
        "rule": "rule", "rule_title": "title", "severity": "severity", "count": "findings",
        "exposure": "Exposure by handler", "handler": "handler", "consignors": "consignors",
        "subjects": "data subjects", "findings": "Findings", "consignor": "consignor", "message": "finding",
        "windows": "when", "bases": "legal basis", "unknown": "(evidence unknown)",
        "rule_head": "{title} (<code>{id}</code>, {count})",
        "more": "… and {more} more (every finding: <code>--format json</code>)",
        "made": "Made", "tool": "Tool", "input": "Input file", "digest": "SHA-256 of the input",
        "stdin": "standard input", "stdin_digest": "not recorded for standard input", "none": "not recorded",
        "unreadable": " (unreadable: {error})",
        "filter": "Show one consignor: ", "all": "every consignor", "ends": "consignors",
        "others": "intermediaries and others", "shown": "drawing: {nodes} organisations and systems, {arrows} arrows; "
                                                       "findings: {rows}",
        "shown_more": "drawing: {nodes} organisations and systems, {arrows} arrows; {rows} of this consignor's "
                      "{total} findings shown (the rest: --format json or --consignor {id})",
        "mine": " (this consignor: {n})", "cmore": "… {more} more of this consignor's (all of them: "
                                                     "<code>--consignor {id}</code>)",
        "whole": " (all consignors)",
        "too_big": "{reason} Open <code>chain export --format graphml</code> in yEd or Gephi.",
        "dot_failed": "Graphviz (<code>dot</code>) failed (<code>{error}</code>): the drawing uses plain columns.",
        "no_dot": "Graphviz (<code>dot</code>) was not found: the drawing uses plain columns (install Graphviz for "
                  "a readable one: <code>apt-get install graphviz</code>).",
        "lg_consignor": "consignor", "lg_org": "contractor, subcontractor", "lg_hot": "handler not told of",
        "lg_system": "system", "lg_route": "route not told of", "lg_flow": "entrustment, data in",
        "lg_access": "access", "lg_none": "no personal data",
    },
}


def legend(lang: Lang = "ja") -> str:
    """The drawing's legend: each mark, then its words, laid out by the words' widths."""
    w = WORDS[lang]
    marks = [  # (mark at x, its width) -> SVG
        lambda x: f'<g class="n consignor"><rect x="{x + 2}" y="8" width="18" height="14" fill="#e3eefc" stroke="#2f6fc4"/></g>',
        lambda x: f'<g class="n org"><rect x="{x + 2}" y="8" width="18" height="14" fill="#f4f4f4" stroke="#777"/></g>',
        lambda x: f'<g class="n hot"><rect x="{x + 2}" y="8" width="18" height="14" fill="#fde0e0" stroke="#c00" '
                  'stroke-width="3"/></g>',
        lambda x: f'<g class="n system"><path d="M{x + 2},11 a9,3 0 0 1 18,0 v10 a9,3 0 0 1 -18,0 z M{x + 2},11 '
                  'a9,3 0 0 0 18,0" fill="#f2e6f5" stroke="#8a3d99"/></g>',
        lambda x: f'<path d="M{x},15 h34" stroke="#c00" stroke-width="2.6" marker-end="url(#lg-r)"/>',
        lambda x: f'<path d="M{x},15 h34" stroke="#8795a1" stroke-width="1.2" marker-end="url(#lg)"/>',
        lambda x: f'<path d="M{x},15 h34" stroke="#d98c00" stroke-width="1.6" marker-end="url(#lg-a)"/>',
        lambda x: f'<path d="M{x},15 h34" stroke="#8795a1" stroke-dasharray="5 4"/>',
    ]
    keys = ["lg_consignor", "lg_org", "lg_hot", "lg_system", "lg_route", "lg_flow", "lg_access", "lg_none"]
    widths = [24, 24, 24, 24, 40, 40, 40, 38]
    parts, x = [], 0
    for mark, key, width in zip(marks, keys, widths):
        parts.append(mark(x) + f'<text x="{x + width}" y="20" font-size="12">{escape(w[key])}</text>')
        x += width + round(text_width(w[key], 12)) + 20
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="legend" width="{x}" height="34" viewBox="0 0 {x} 34" '
            f'role="img" aria-label="{w["legend"]}"><defs>{MARKERS.replace(chr(34) + "ah", chr(34) + "lg")}</defs>'
            + "".join(parts) + "</svg>")


LEGEND = legend("ja")


def drawing(chain: ChainFile, analysis: Analysis, dot: str | None = "dot",
            warn: Callable[[str], None] | None = None, lang: Lang = "ja") -> tuple[str, Model]:
    """The drawing (with its notes) as HTML, and its model; ``dot``: the Graphviz program (a name
    on PATH or a path), None to draw plain columns. Notes in ``lang``; warnings (``warn``, for
    standard error) in English, as the command's other diagnostics."""
    w = WORDS[lang]
    model = drawing_model(chain, analysis, lang)
    notes = [escape(n) for n in model.notes]
    if model.too_big:
        return "".join(f'<p class="note">{n}</p>' for n in notes) + \
            f'<p class="note">{w["too_big"].format(reason=escape(model.too_big))}</p>', model
    placed = None
    program = dot_program() if dot == "dot" else dot
    if program is not None:
        try:
            placed = graphviz_layout(model, program)
        except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError) as exc:
            notes.append(w["dot_failed"].format(error=escape(type(exc).__name__)))
            if warn:
                warn(f"warning: the HTML report's drawing uses plain columns: dot failed ({type(exc).__name__}: {exc})")
    elif dot is not None:
        notes.append(w["no_dot"])
        if warn:
            warn("warning: Graphviz 'dot' not found: the HTML report's drawing uses plain columns "
                 "(install graphviz for a layered drawing)")
    if placed is None:
        placed = column_layout(model)
    return "".join(f'<p class="note">{n}</p>' for n in notes) + \
        f'<div class="drawing">{svg(model, placed, lang)}</div>', model


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def html(analysis: Analysis, chain: ChainFile, *, input_file: str | os.PathLike[str] | None = None,
         input_sha256: str | None = None, generated_at: datetime | None = None, dot: str | None = "dot",
         warn: Callable[[str], None] | None = _stderr, lang: Lang = "ja", limit: int | None = None) -> str:
    """The report, in Japanese or English (``lang``). ``input_file``: the chain file read (its
    SHA-256 is computed from it unless ``input_sha256`` is given; ``-`` is standard input, which
    cannot be read again); ``generated_at``: the time to print (default :func:`report_time`);
    ``dot``: the Graphviz program, None for the plain columns; ``warn``: where a missing ``dot`` is
    reported (standard error by default); ``limit``: at most that many findings of each rule
    (``--limit``; by default MAX_FINDING_ROWS, shared fairly among the filter's consignors)."""
    w = WORDS[lang]
    words = Words(chain)
    title = escape(chain.title or analysis.source or w["untitled"])
    colon = "：" if lang == "ja" else ": "
    s = analysis.summary
    figure, model = drawing(chain, analysis, dot, warn, lang)
    index = {c: i for i, (c, _) in enumerate(model.consignors)}
    filtered = bool(model.consignors and model.boxes)  # as _filter: is there a filter
    totals: dict[str, int] = {}
    if filtered:  # every consignor's own count, for the filter to say
        for r in analysis.findings.records:
            if r.consignor in index:
                totals[r.consignor] = totals.get(r.consignor, 0) + 1
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{w['page_title']}{colon}{title}</title><style>{STYLE}</style></head><body>",
           f"<h1>{w['title']}{colon}{title}</h1>",
           _meta(analysis, input_file, input_sha256, generated_at, lang),
           f"<p>{escape(summary_line(s, lang))}{'。' if lang == 'ja' else ' — '}"
           f"{escape(backend_line(analysis.backend, lang))}</p>",
           *(f"<p>{escape(line)}</p>" for line in notes(analysis, words, lang)),
           _filter(model, lang, totals),
           f'<h2>{w["drawing"]}</h2><div class="legend">{legend(lang)}</div>',
           figure,
           f"<h2>{w['summary']}<span class=\"whole\">{w['whole']}</span></h2><table><tr><th>{w['rule']}</th><th>{w['rule_title']}</th>"
           f"<th>{w['severity']}</th><th>{w['count']}</th></tr>"]
    for rule in RULES.values():
        severity = rule.severity.value
        out.append(f'<tr><td><code>{rule.id}</code></td><td>{escape(rule.title_ja if lang == "ja" else rule.title_en)}'
                   f'</td><td class="{severity}">{severity_word(severity, lang)}</td><td>{s["by_rule"][rule.id]:,}</td></tr>')
    out.append("</table>")
    if analysis.exposure:
        out.append(f"<h2>{w['exposure']}<span class=\"whole\">{w['whole']}</span></h2><table><tr><th>{w['handler']}</th><th>{w['consignors']}</th>"
                   f"<th>{w['subjects']}</th></tr>")
        for x in analysis.exposure[:50]:
            out.append(f"<tr><td>{escape(Words.with_id(x.name, x.handler, lang))}</td><td>{x.consignor_count:,}</td>"
                       f"<td>{escape(exposure_subjects(x, lang))}</td></tr>")
        out.append("</table>")
    out.append(f"<h2>{w['findings']}</h2>")
    shown, left_out = _kept_rows(analysis, index if filtered else {}, limit)
    records = analysis.findings.records
    for rule in RULES.values():
        total = s["by_rule"][rule.id]
        if not total:
            continue
        head = w["rule_head"].format(title=escape(rule.title_ja if lang == "ja" else rule.title_en),
                                     id=rule.id, count=f"{total:,}")
        mine = f'<span class="mine" data-text="{escape(w["mine"])}"></span>' if filtered else ""
        out.append(f'<details class="rule"{" open" if rule.severity.value == "high" else ""}><summary>{head}{mine}</summary>'
                   f"<table><tr><th>{w['consignor']}</th><th>{w['message']}</th><th>{w['windows']}</th>"
                   f"<th>{w['bases']}</th></tr>")
        rows = set(shown[rule.id])
        more_of = left_out[rule.id]
        for k in sorted(rows | set(more_of)):
            if k in rows:
                f = analysis.findings[k]
                unknown = f' <span class="unknown">{w["unknown"]}</span>' if f.evidence_unknown else ""
                refs = words.join((f'<a href="{escape(b.ref)}">{escape(citation(b, lang))}</a>'
                                   for b in f.legal_references), lang)
                message = f.message_ja if lang == "ja" else f.message
                out.append(f'<tr data-c="{index.get(f.consignor, "")}"><td>{escape(words.named(f.consignor, lang))}</td>'
                           f"<td>{escape(message)}{unknown}</td><td>{escape(windows(f, lang))}</td><td>{refs}</td></tr>")
            if k in more_of:  # after the consignor's last row (or alone): how many of its own are left out
                c = records[k].consignor
                out.append(f'<tr class="cmore" data-c="{index[c]}" data-n="{more_of[k]}"><td colspan=4>'
                           f'{w["cmore"].format(more=f"{more_of[k]:,}", id=escape(c))}</td></tr>')
        if total > len(shown[rule.id]):
            out.append(f'<tr class="allmore"><td colspan=4>{w["more"].format(more=f"{total - len(shown[rule.id]):,}")}'
                       "</td></tr>")
        out.append("</table></details>")
    out.append(f"<script>{SCRIPT}</script>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _kept_rows(analysis: Analysis, index: dict[str, int],
               limit: int | None = None) -> tuple[dict[str, list[int]], dict[str, dict[int, int]]]:
    """The rows of each rule the page holds (positions in the findings, in order), and, for each
    rule, the consignors' rows after which some of its own are left out (position -> how many).
    The MAX_FINDING_ROWS of a rule are shared fairly among the consignors the filter offers
    (``index``; the rest share one part): each keeps its first ``q`` rows, ``q`` the largest that
    fits (one at least, so every consignor's findings of a rule are on the page), and the first
    ones one more while rows are left. A ``limit`` under MAX_FINDING_ROWS (``--limit``) caps the
    rows of a rule instead, and holds even where it leaves some consignors without a row: their
    "left out" row (not a finding's) is kept at the place of their first finding, so the filter
    still shows their count. A larger limit is the default."""
    if limit is not None and limit >= MAX_FINDING_ROWS:
        limit = None
    cap = MAX_FINDING_ROWS if limit is None else limit
    parts: dict[str, dict[object, list[int]]] = {rule_id: {} for rule_id in RULES}
    for k, (rule_id, r) in enumerate(zip(analysis.findings.rules(), analysis.findings.records)):
        key = index.get(r.consignor, -1) if index else -1
        parts[rule_id].setdefault(key, []).append(k)
    shown: dict[str, list[int]] = {}
    left_out: dict[str, dict[int, int]] = {}
    for rule_id, by in parts.items():
        sizes = sorted(len(v) for v in by.values())
        q, used = 1, 0
        if sizes:  # the largest q with sum(min(size, q)) <= cap
            q = cap // len(sizes) if limit is not None else max(1, cap // len(sizes))
            while q < sizes[-1] and sum(min(n, q + 1) for n in sizes) <= cap:
                q += 1
            used = sum(min(n, q) for n in sizes)
        spare = max(0, cap - used)
        rows, more = [], {}
        for key, ks in by.items():
            keep = q + (1 if spare and len(ks) > q else 0)
            if keep > q:
                spare -= 1
            rows += ks[:keep]
            if len(ks) > keep and key != -1:  # at its last row, or at its first finding when it has none
                more[ks[keep - 1] if keep else ks[0]] = len(ks) - keep
        shown[rule_id], left_out[rule_id] = sorted(rows), more
    return shown, left_out


def _meta(analysis: Analysis, input_file, input_sha256: str | None, generated_at: datetime | None,
          lang: Lang = "ja") -> str:
    w = WORDS[lang]
    when = report_time(generated_at)
    source = escape(str(input_file) if input_file is not None else analysis.source or "")
    if input_sha256 is None and input_file is not None and str(input_file) != "-":
        try:
            input_sha256 = file_sha256(input_file)
        except OSError as exc:
            input_sha256 = None
            source += escape(w["unreadable"].format(error=exc.strerror or exc))
    if input_sha256:
        digest = f"<code>{escape(input_sha256)}</code>"
    elif input_file is not None and str(input_file) == "-":
        source, digest = w["stdin"], w["stdin_digest"]
    else:
        digest = w["none"]
    stamp = when.isoformat(timespec="seconds")
    made = f"{escape(time_ja(when))}（{escape(stamp)}）" if lang == "ja" else escape(stamp)
    return ('<table class="meta">'
            f"<tr><th>{w['made']}</th><td>{made}</td></tr>"
            f"<tr><th>{w['tool']}</th><td>entrustment-chain {escape(tool_version())}</td></tr>"
            f"<tr><th>{w['input']}</th><td>{source or w['none']}</td></tr>"
            f"<tr><th>{w['digest']}</th><td>{digest}</td></tr></table>")


def _filter(model: Model, lang: Lang = "ja", totals: dict[str, int] | None = None) -> str:
    """The consignor select box, hidden until the script shows it."""
    if not model.consignors or not model.boxes:
        return ""
    w = WORDS[lang]
    ends = model.consignors[:model.end_consignors]
    others = model.consignors[model.end_consignors:]
    options = []
    for label, group, start in ((w["ends"], ends, 0), (w["others"], others, len(ends))):
        if group:
            options.append(f'<optgroup label="{label}">' + "".join(
                f'<option value="{start + k}" data-id="{escape(c)}"{_n(totals, c)}>{escape(Words.with_id(n, c, lang))}</option>'
                for k, (c, n) in enumerate(group)) + "</optgroup>")
    return (f'<div id="filter" hidden><label for="consignor">{w["filter"]}</label>'
            f'<select id="consignor"><option value="">{w["all"]}</option>' + "".join(options) +
            f'</select><span id="shown" data-text="{escape(w["shown"])}" data-more="{escape(w["shown_more"])}"></span></div>')


def _n(totals: dict[str, int] | None, c: str) -> str:
    return f' data-n="{totals.get(c, 0)}"' if totals is not None else ""
