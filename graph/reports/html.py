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
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.reports.layout import (Model, Placed, column_layout, dot_program, drawing_model,
                                                     graphviz_layout)
from entrustment_chain.graph.reports.render import SEVERITY_JA, as_of_ja, exposure_subjects_ja, summary_ja, windows_ja

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
        else rows++;
      }
    }
    var details = document.querySelectorAll('details.rule');
    for (i = 0; i < details.length; i++) {
      details[i].classList.toggle('off', on && !details[i].querySelector('tr[data-c]:not(.off)'));
    }
    document.getElementById('shown').textContent = on ?
      '図: 組織・システム ' + nodes + '、矢印 ' + arrows + '　指摘: ' + rows + ' 件' : '';
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


def svg(model: Model, placed: Placed) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chain" width="{placed.width:.0f}" '
             f'height="{placed.height:.0f}" viewBox="0 0 {placed.width:.1f} {placed.height:.1f}" role="img" '
             f'aria-label="委託関係図" data-layout="{placed.engine}"><defs>{MARKERS}</defs>']
    for a in model.arrows:
        path, label = placed.arrows[a.id]
        parts.append(_arrow_svg(a, path, label))
    for b in model.boxes:
        parts.append(_box_svg(b, placed.boxes[b.id]))
    parts.append("</svg>")
    return "".join(parts)


LEGEND = ('<svg xmlns="http://www.w3.org/2000/svg" class="legend" width="1010" height="34" viewBox="0 0 1010 34" '
          f'role="img" aria-label="凡例"><defs>{MARKERS.replace(chr(34) + "ah", chr(34) + "lg")}</defs>'
          '<g class="n consignor"><rect x="2" y="8" width="18" height="14" fill="#e3eefc" stroke="#2f6fc4"/></g>'
          '<text x="26" y="20" font-size="12">委託元</text>'
          '<g class="n org"><rect x="80" y="8" width="18" height="14" fill="#f4f4f4" stroke="#777"/></g>'
          '<text x="104" y="20" font-size="12">委託先・再委託先</text>'
          '<g class="n hot"><rect x="212" y="8" width="18" height="14" fill="#fde0e0" stroke="#c00" stroke-width="3"/></g>'
          '<text x="236" y="20" font-size="12">知らされていない取扱者</text>'
          '<g class="n system"><path d="M372,11 a9,3 0 0 1 18,0 v10 a9,3 0 0 1 -18,0 z M372,11 a9,3 0 0 0 18,0" '
          'fill="#f2e6f5" stroke="#8a3d99"/></g><text x="396" y="20" font-size="12">システム</text>'
          '<path d="M462,15 h34" stroke="#c00" stroke-width="2.6" marker-end="url(#lg-r)"/>'
          '<text x="502" y="20" font-size="12">知らされていない経路</text>'
          '<path d="M628,15 h34" stroke="#8795a1" stroke-width="1.2" marker-end="url(#lg)"/>'
          '<text x="668" y="20" font-size="12">委託・データ格納</text>'
          '<path d="M770,15 h34" stroke="#d98c00" stroke-width="1.6" marker-end="url(#lg-a)"/>'
          '<text x="810" y="20" font-size="12">アクセス</text>'
          '<path d="M870,15 h34" stroke="#8795a1" stroke-dasharray="5 4"/>'
          '<text x="908" y="20" font-size="11">個人データなし</text></svg>')


def drawing(chain: ChainFile, analysis: Analysis, dot: str | None = "dot",
            warn: Callable[[str], None] | None = None) -> tuple[str, Model]:
    """The drawing (with its notes) as HTML, and its model; ``dot``: the Graphviz program (a name
    on PATH or a path), None to draw plain columns."""
    model = drawing_model(chain, analysis)
    notes = list(model.notes)
    if model.too_big:
        return "".join(f'<p class="note">{escape(n)}</p>' for n in notes) + \
            f'<p class="note">{escape(model.too_big)} <code>chain export --format graphml</code> を yEd や Gephi で開いてください。</p>', \
            model
    placed = None
    program = dot_program() if dot == "dot" else dot
    if program is not None:
        try:
            placed = graphviz_layout(model, program)
        except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError) as exc:
            reason = f"Graphviz (dot) による配置に失敗したため（{type(exc).__name__}）、簡易な配置で描いています。"
            notes.append(reason)
            if warn:
                warn(f"warning: the HTML report's drawing uses plain columns: dot failed ({type(exc).__name__}: {exc})")
    elif dot is not None:
        notes.append("Graphviz (dot) が見つからないため、簡易な配置で描いています"
                     "（Graphviz を入れると読みやすい図になります: apt-get install graphviz）。")
        if warn:
            warn("warning: Graphviz 'dot' not found: the HTML report's drawing uses plain columns "
                 "(install graphviz for a layered drawing)")
    if placed is None:
        placed = column_layout(model)
    return "".join(f'<p class="note">{escape(n)}</p>' for n in notes) + \
        f'<div class="drawing">{svg(model, placed)}</div>', model


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def html(analysis: Analysis, chain: ChainFile, *, input_file: str | os.PathLike[str] | None = None,
         input_sha256: str | None = None, generated_at: datetime | None = None, dot: str | None = "dot",
         warn: Callable[[str], None] | None = _stderr) -> str:
    """The report. ``input_file``: the chain file read (its SHA-256 is computed from it unless
    ``input_sha256`` is given; ``-`` is standard input, which cannot be read again);
    ``generated_at``: the time to print (default :func:`report_time`); ``dot``: the Graphviz
    program, None for the plain columns; ``warn``: where a missing ``dot`` is reported
    (standard error by default)."""
    orgs = chain.organizations_by_id
    name = lambda i: escape(orgs[i].name if i in orgs else str(i))  # noqa: E731
    title = escape(chain.title or analysis.source or "entrustment chain")
    s = analysis.summary
    figure, model = drawing(chain, analysis, dot, warn)
    index = {c: i for i, (c, _) in enumerate(model.consignors)}
    out = ['<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>委託関係の分析: {title}</title><style>{STYLE}</style></head><body>",
           f"<h1>委託関係の分析結果：{title}</h1>",
           _meta(analysis, input_file, input_sha256, generated_at),
           f"<p>{escape(summary_ja(s))} — backend {escape(analysis.backend)}</p>",
           *([f"<p>{escape(as_of_ja(s))}</p>"] if s.get("as_of") else []),
           _filter(model),
           f'<h2>委託関係図</h2><div class="legend">{LEGEND}</div>',
           figure,
           "<h2>概要</h2><table><tr><th>規則</th><th>内容</th><th>重大度</th><th>件数</th></tr>"]
    for rule in RULES.values():
        severity = rule.severity.value
        out.append(f'<tr><td><code>{rule.id}</code></td><td>{escape(rule.title_ja)}</td>'
                   f'<td class="{severity}">{SEVERITY_JA[severity]}</td><td>{s["by_rule"][rule.id]}</td></tr>')
    out.append("</table>")
    if analysis.exposure:
        out.append("<h2>取扱者ごとの影響範囲（集中度）</h2><table><tr><th>取扱者</th><th>委託元数</th><th>本人数</th></tr>")
        for x in analysis.exposure[:50]:
            out.append(f"<tr><td>{escape(x.name)}</td><td>{x.consignor_count}</td>"
                       f"<td>{escape(exposure_subjects_ja(x))}</td></tr>")
        out.append("</table>")
    out.append("<h2>指摘</h2>")
    shown: dict[str, list[int]] = {rule_id: [] for rule_id in RULES}  # the rows of each rule, by position
    for k, rule_id in enumerate(analysis.findings.rules()):
        if len(shown[rule_id]) < MAX_FINDING_ROWS:
            shown[rule_id].append(k)
    for rule in RULES.values():
        total = s["by_rule"][rule.id]
        if not shown[rule.id]:
            continue
        out.append(f'<details class="rule"{" open" if rule.severity.value == "high" else ""}><summary>'
                   f'{escape(rule.title_ja)}（<code>{rule.id}</code>、{total} 件）</summary><table>'
                   "<tr><th>委託元</th><th>内容</th><th>期間</th><th>根拠</th></tr>")
        for f in (analysis.findings[k] for k in shown[rule.id]):
            unknown = ' <span class="unknown">※証跡不明</span>' if f.evidence_unknown else ""
            refs = "、".join(f'<a href="{escape(b.ref)}">{escape(b.ja)}</a>' for b in f.legal_references)
            out.append(f'<tr data-c="{index.get(f.consignor, "")}"><td>{name(f.consignor)}</td>'
                       f"<td>{escape(f.message_ja)}{unknown}</td><td>{escape(windows_ja(f))}</td><td>{refs}</td></tr>")
        if total > MAX_FINDING_ROWS:
            out.append(f"<tr><td colspan=4>… and {total - MAX_FINDING_ROWS} more (see --format json)</td></tr>")
        out.append("</table></details>")
    out.append(f"<script>{SCRIPT}</script>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _meta(analysis: Analysis, input_file, input_sha256: str | None, generated_at: datetime | None) -> str:
    when = report_time(generated_at)
    source = str(input_file) if input_file is not None else analysis.source
    if input_sha256 is None and input_file is not None and str(input_file) != "-":
        try:
            input_sha256 = file_sha256(input_file)
        except OSError as exc:
            input_sha256 = None
            source = f"{source}（読めません: {exc.strerror or exc}）"
    if input_sha256:
        digest = f"<code>{escape(input_sha256)}</code>"
    elif input_file is not None and str(input_file) == "-":
        source, digest = "標準入力", "標準入力のため記録なし"
    else:
        digest = "記録なし"
    return ('<table class="meta">'
            f"<tr><th>作成日時</th><td>{escape(when.isoformat(timespec='seconds'))}</td></tr>"
            f"<tr><th>作成ツール</th><td>entrustment-chain {escape(tool_version())}</td></tr>"
            f"<tr><th>入力ファイル</th><td>{escape(source or '記録なし')}</td></tr>"
            f"<tr><th>入力の SHA-256</th><td>{digest}</td></tr></table>")


def _filter(model: Model) -> str:
    """The consignor select box, hidden until the script shows it."""
    if not model.consignors or not model.boxes:
        return ""
    ends = model.consignors[:model.end_consignors]
    others = model.consignors[model.end_consignors:]
    options = []
    for label, group, start in (("委託元", ends, 0), ("中間の受託者ほか", others, len(ends))):
        if group:
            options.append(f'<optgroup label="{label}">' + "".join(
                f'<option value="{start + k}" data-id="{escape(c)}">{escape(n)} ({escape(c)})</option>' for k, (c, n) in enumerate(group))
                + "</optgroup>")
    return ('<div id="filter" hidden><label for="consignor">委託元で絞り込む: </label>'
            '<select id="consignor"><option value="">すべての委託元</option>' + "".join(options) +
            '</select><span id="shown"></span></div>')
