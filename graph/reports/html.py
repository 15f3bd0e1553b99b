"""``chain analyze --format html``: one self-contained page (no scripts, fonts or styles from
anywhere else, so it opens offline) with the summary, the exposure, the findings, and a drawing of
the chain in which the steps of undisclosed paths and the undisclosed handlers are red."""
from __future__ import annotations

from collections import defaultdict, deque
from html import escape

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.reports.render import (SEVERITY_JA, as_of_ja, exposure_subjects_ja, summary_ja, undisclosed_marks,
                                                     windows_ja)

MAX_DRAWN_NODES = 600
STYLE = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.high{color:#b00;font-weight:bold}.medium{color:#a60}.low{color:#666}
details{margin:.4em 0}summary{cursor:pointer;font-weight:bold}.unknown{color:#777;font-size:.9em}
svg text{font-size:11px}.legend span{display:inline-block;margin-right:1.5em}
"""


def _layers(chain: ChainFile) -> dict[str, int]:
    """A column for every node: its distance, along data flows, from the nearest organisation
    that is nobody's contractor (or from anything left over, for cycles)."""
    flows: dict[str, list[str]] = defaultdict(list)
    incoming: set[str] = set()
    for e in chain.entrustments:
        flows[S.org_node(e.consignor)].append(S.org_node(e.contractor))
        incoming.add(S.org_node(e.contractor))
        for system_id in e.systems:
            flows[S.org_node(e.consignor)].append(S.system_node(system_id))
            incoming.add(S.system_node(system_id))
    for g in chain.access:
        flows[S.system_node(g.system)].append(S.org_node(g.organization))
        incoming.add(S.org_node(g.organization))
    nodes = [S.org_node(o.id) for o in chain.organizations] + [S.system_node(s.id) for s in chain.systems]
    layer: dict[str, int] = {}
    queue = deque()
    for n in nodes:
        if n not in incoming:
            layer[n] = 0
            queue.append(n)
    while True:
        while queue:
            n = queue.popleft()
            for m in flows[n]:
                if m not in layer:
                    layer[m] = layer[n] + 1
                    queue.append(m)
        rest = [n for n in nodes if n not in layer]
        if not rest:
            return layer
        layer[rest[0]] = 0
        queue.append(rest[0])


def drawing(chain: ChainFile, analysis: Analysis) -> str:
    nodes = len(chain.organizations) + len(chain.systems)
    if nodes > MAX_DRAWN_NODES:
        return f"<p>The chain has {nodes:,} organisations and systems; drawings stop at {MAX_DRAWN_NODES}. " \
               "Use <code>chain export --format graphml</code> with yEd or Gephi.</p>"
    hidden_steps, hidden_handlers = undisclosed_marks(analysis)
    layer = _layers(chain)
    names = {S.org_node(o.id): o.name for o in chain.organizations}
    names.update({S.system_node(s.id): s.name for s in chain.systems})
    columns: dict[int, list[str]] = defaultdict(list)
    for n in sorted(layer, key=lambda n: (layer[n], names[n])):
        columns[layer[n]].append(n)
    width, gap, row = 250, 110, 26
    pos = {}
    for col, members in columns.items():
        for i, n in enumerate(members):
            pos[n] = (20 + col * (width + gap), 20 + i * row)
    height = 40 + max(len(m) for m in columns.values()) * row
    total_width = 40 + len(columns) * (width + gap)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{height}" '
             f'role="img" aria-label="entrustment chain">']

    def edge(a: str, b: str, step: tuple[str, str, str | None], dashed: bool = False) -> None:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        key = step[1]
        red = step in hidden_steps
        colour, stroke = ("#c00", 3) if red else ("#9aa", 1)
        dash = ' stroke-dasharray="5,4"' if dashed else ""
        parts.append(f'<line x1="{x1 + width}" y1="{y1 + 9}" x2="{x2}" y2="{y2 + 9}" stroke="{colour}" '
                     f'stroke-width="{stroke}"{dash}><title>{escape(key)}</title></line>')

    for e in chain.entrustments:
        edge(S.org_node(e.consignor), S.org_node(e.contractor), (S.ENTRUSTS, e.id, None),
             dashed=e.personal_data is False)
        for system_id in e.systems:
            edge(S.org_node(e.consignor), S.system_node(system_id),
                 (S.PLACES_DATA_IN, S.places_key(e.id, system_id), system_id))
    for key, g in zip(chain.grant_keys, chain.access):
        edge(S.system_node(g.system), S.org_node(g.organization), (S.ACCESSIBLE_BY, key, g.system))
    for n, (x, y) in pos.items():
        is_system = n.startswith("system:")
        hidden = S.node_id(n) in hidden_handlers and not is_system
        fill = "#fdd" if hidden else ("#f2e6f5" if is_system else "#e8f0fb")
        border = "#c00" if hidden else ("#a06" if is_system else "#4c8eda")
        radius = 9 if is_system else 3
        parts.append(f'<rect x="{x}" y="{y}" width="{width}" height="19" rx="{radius}" fill="{fill}" '
                     f'stroke="{border}" stroke-width="{3 if hidden else 1}"/>'
                     f'<text x="{x + 6}" y="{y + 14}">{escape(names[n][:34])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html(analysis: Analysis, chain: ChainFile) -> str:
    orgs = chain.organizations_by_id
    name = lambda i: escape(orgs[i].name if i in orgs else str(i))  # noqa: E731
    title = escape(chain.title or analysis.source or "entrustment chain")
    s = analysis.summary
    out = ['<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
           f"<title>委託関係の分析: {title}</title><style>{STYLE}</style></head><body>",
           f"<h1>委託関係の分析結果：{title}</h1>",
           f"<p>{escape(summary_ja(s))} — backend {escape(analysis.backend)}</p>",
           *([f"<p>{escape(as_of_ja(s))}</p>"] if s.get("as_of") else []),
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
    out.append('<h2>委託関係図</h2><p class="legend"><span style="color:#c00">■ 知らされていない取扱者と経路</span>'
               '<span style="color:#4c8eda">■ 組織</span><span style="color:#a06">■ システム</span>'
               '<span>破線: 個人データの取扱いなしとされた委託</span></p>')
    out.append(f'<div style="overflow:auto;border:1px solid #ddd">{drawing(chain, analysis)}</div>')
    out.append("<h2>指摘</h2>")
    for rule in RULES.values():
        found = analysis.by_rule(rule.id)
        if not found:
            continue
        out.append(f'<details{" open" if rule.severity.value == "high" else ""}><summary>{escape(rule.title_ja)}'
                   f'（<code>{rule.id}</code>、{len(found)} 件）</summary><table>'
                   "<tr><th>委託元</th><th>内容</th><th>期間</th><th>根拠</th></tr>")
        for f in found[:2000]:
            unknown = ' <span class="unknown">※証跡不明</span>' if f.evidence_unknown else ""
            refs = "、".join(f'<a href="{escape(b.ref)}">{escape(b.ja)}</a>' for b in f.legal_references)
            out.append(f"<tr><td>{name(f.consignor)}</td><td>{escape(f.message_ja)}{unknown}</td>"
                       f"<td>{escape(windows_ja(f))}</td><td>{refs}</td></tr>")
        if len(found) > 2000:
            out.append(f"<tr><td colspan=4>… and {len(found) - 2000} more (see --format json)</td></tr>")
        out.append("</table></details>")
    out.append("</body></html>\n")
    return "\n".join(out)
