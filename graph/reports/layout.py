"""The drawing of the HTML report, before it is drawn: which boxes and arrows (:func:`drawing_model`),
and where they go (:func:`graphviz_layout`, Graphviz ``dot`` run at report time; :func:`column_layout`,
the plain columns the report falls back to when ``dot`` is not installed).

What is drawn, for one chain:

- every organisation and system, named as ``name`` over ``(id)``; the end consignors (nobody's
  contractors) blue, the handlers some consignor was not told of red, systems as cylinders;
- an arrow per entrustment (委託, or 再委託 when its consignor is itself a contractor) labelled with
  its work, dashed when the parties marked it as handling no personal data; an arrow from the
  contractor to each system the entrustment places the data in (データ格納), and from a system to
  each organisation with access to it (アクセス・保守 …, amber), drawn once per pair;

in Japanese or English (``lang``: the arrows' words are :class:`..analysis.messages.Words`'s);
- the arrows on the consignors' undisclosed routes red.

Consignors of the same shape (the same arrows out, to the same places, of the same colour: the 69
consignors of ProCX, who all entrust the call centre to it) are drawn as one box, 委託元 69 者, and
its arrows say how many they stand for (×69). When even that leaves more boxes or arrows than a page
can hold (generated chains, where every consignor has a shape of its own), all the end consignors
become one box and the note says so. Every box and arrow knows whose routes it lies on (the
consignors' indices), so that the report can show one consignor's routes alone.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict, deque
from dataclasses import dataclass, field

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.analysis.messages import Lang, Words
from entrustment_chain.graph.model.chain import ChainFile, Entrustment
from entrustment_chain.graph.reports.export import _dot_id

# consignor boxes (one per shape) and their arrows beyond which the end consignors become one box
MAX_CONSIGNOR_BOXES = 12
MAX_CONSIGNOR_ARROWS = 40
# what is drawn at all, after grouping; larger chains get a note instead (graphml for yEd, Gephi)
MAX_BOXES = 400
MAX_ARROWS = 1500
# consignors the filter offers (each box and arrow lists the ones whose routes it lies on)
MAX_FILTERED = 2000
DOT_TIMEOUT = 60  # seconds
NAME_CHARS = 26  # a box's name is cut to this many characters (the full name is its tooltip)
WORK_CHARS = 14  # and an arrow's work

FONT = "Noto Sans CJK JP"


@dataclass
class Box:
    id: str  # n0, n1 … (what dot and the page call it; never a name from the file)
    lines: list[str]  # the label, line by line
    title: str  # the tooltip: the full names
    kind: str  # consignor | group | org | system
    members: set[int] = field(default_factory=set)  # consignors whose routes reach it
    hot: set[int] = field(default_factory=set)  # consignors for whom it is an undisclosed handler
    count: int = 1  # consignors a group stands for


@dataclass
class Arrow:
    id: str  # e0, e1 …
    source: str
    target: str
    label: str  # 委託：work, 再委託：work, データ格納, アクセス・保守
    kind: str  # entrust | place | access | own
    title: str
    steps: set[tuple[str, str]] = field(default_factory=set)  # (type, key) of the graph's relationships
    dashed: bool = False
    count: int = 0  # entrustments it stands for, when more than one (×n)
    members: set[int] = field(default_factory=set)
    hot: set[int] = field(default_factory=set)


@dataclass
class Model:
    boxes: list[Box]
    arrows: list[Arrow]
    consignors: list[tuple[str, str]]  # the filter's consignors: (id, name), by index
    end_consignors: int  # how many of them are end consignors (the first ones)
    notes: list[str] = field(default_factory=list)  # what the drawing leaves out or groups
    too_big: str | None = None  # why nothing is drawn


@dataclass
class Placed:
    """Where the boxes and arrows go, in the SVG's units, y downwards."""

    width: float
    height: float
    boxes: dict[str, tuple[float, float, float, float]]  # centre x, centre y, width, height
    arrows: dict[str, tuple[str, tuple[float, float] | None]]  # SVG path data, label centre
    engine: str


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _flows(chain: ChainFile) -> tuple[dict[str, list[Entrustment]], dict[str, list[tuple[str, str]]]]:
    by_consignor: dict[str, list[Entrustment]] = defaultdict(list)
    for e in chain.entrustments:
        by_consignor[e.consignor].append(e)
    grants: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, g in zip(chain.grant_keys, chain.access):
        grants[g.system].append((key, g.organization))
    return by_consignor, grants


def _reach(consignor: str, by_consignor: dict, grants: dict, own_systems: dict) -> tuple[set, set]:
    """The nodes and the relationships (type, key) that carry ``consignor``'s data, as the
    analysis follows them (:mod:`..analysis.flow`): its own entrustments, onward entrustments that
    cover it, the systems they place it in, the access to those systems, and its own systems that
    hold personal data."""
    nodes = {S.org_node(consignor)}
    steps: set[tuple[str, str]] = set()
    queue = deque([S.org_node(consignor)])
    for system_id in own_systems.get(consignor, ()):
        steps.add(("OWN", system_id))
        if S.system_node(system_id) not in nodes:
            nodes.add(S.system_node(system_id))
            queue.append(S.system_node(system_id))
    while queue:
        node = queue.popleft()
        kind, ident = node.split(":", 1)
        targets = []
        if kind == "org":
            for e in by_consignor.get(ident, ()):
                if not S.may_carry(e.personal_data):
                    continue
                covers = e.covers if isinstance(e.covers, list) else ()
                if not S.covers_consignor(e.consignor, e.covers == "all", covers, consignor):
                    continue
                steps.add((S.ENTRUSTS, e.id))
                targets.append(S.org_node(e.contractor))
                for system_id in e.systems:
                    steps.add((S.PLACES_DATA_IN, S.places_key(e.id, system_id)))
                    targets.append(S.system_node(system_id))
        else:
            for key, org in grants.get(ident, ()):
                steps.add((S.ACCESSIBLE_BY, key))
                targets.append(S.org_node(org))
        for target in targets:
            if target not in nodes:
                nodes.add(target)
                queue.append(target)
    return nodes, steps


def drawing_model(chain: ChainFile, analysis: Analysis, lang: Lang = "ja") -> Model:
    """The boxes and arrows of ``chain``'s drawing, coloured by ``analysis``, their words and notes
    in ``lang``."""
    ja = lang == "ja"
    orgs = chain.organizations_by_id
    systems = chain.systems_by_id
    contractors = {e.contractor for e in chain.entrustments} | {g.organization for g in chain.access}
    entrusting = {e.consignor for e in chain.entrustments}
    # the end consignors (as the summary counts them), then whoever else a finding is about
    ends = sorted((o for o in entrusting if o not in contractors and o in orgs), key=lambda o: (orgs[o].name, o))
    # (the findings' records: a large chain has millions of findings, not built here)
    others = sorted({r.consignor for r in analysis.findings.records} - set(ends) & orgs.keys(),
                    key=lambda o: (orgs[o].name, o))
    filtered = (ends + others)[:MAX_FILTERED]
    index = {c: i for i, c in enumerate(filtered)}
    notes = []
    options = [(c, orgs[c].name) for c in filtered]
    n_ends = len([c for c in filtered if c in ends])
    # Too large even with every end consignor in one box: say so before any work
    ends_set = set(ends)
    at_least = 1 + len(chain.organizations) - len(ends_set) + len(chain.systems)
    if at_least > MAX_BOXES:
        return Model([], [], options, n_ends, notes,
                     too_big=f"委託元をまとめても {at_least:,} 個の組織・システムになり、図は {MAX_BOXES} 個までです。" if ja
                     else f"Even with the consignors in one box there would be {at_least:,} organisations and "
                          f"systems; the drawing holds {MAX_BOXES}.")
    if len(ends) + len(others) > MAX_FILTERED:
        notes.append(f"委託元の絞り込みは先頭の {MAX_FILTERED:,} 者のみ（全 {len(ends) + len(others):,} 者）。" if ja
                     else f"The consignor filter offers the first {MAX_FILTERED:,} consignors "
                          f"(of {len(ends) + len(others):,}).")

    hot_steps: dict[int, set[tuple[str, str]]] = defaultdict(set)
    hot_handlers: dict[str, set[int]] = defaultdict(set)
    records = analysis.findings.records
    for k, rule_id in enumerate(analysis.findings.rules()):  # only the findings of the filter's consignors
        if rule_id != "undisclosed_subcontracting" or records[k].consignor not in index:
            continue
        f = analysis.findings[k]
        i = index[f.consignor]
        hot_handlers[f.handler].add(i)
        for route in f.routes:
            hot_steps[i].update((step.type, step.key) for step in route.path)

    by_consignor, grants = _flows(chain)
    own_systems: dict[str, list[str]] = defaultdict(list)
    for s in chain.systems:
        if s.operator and s.personal_data:
            own_systems[s.operator].append(s.id)
    reach_nodes: dict[str, set[int]] = defaultdict(set)
    reach_steps: dict[tuple[str, str], set[int]] = defaultdict(set)
    for c, i in index.items():
        nodes, steps = _reach(c, by_consignor, grants, own_systems)
        for n in nodes:
            reach_nodes[n].add(i)
        for step in steps:
            reach_steps[step].add(i)

    # the arrows, before consignors are grouped: (source node, target node, label, kind, dashed) -> steps
    raw: dict[tuple[str, str, str, str, bool], list[tuple[str, str, set]]] = defaultdict(list)
    for e in chain.entrustments:
        source, target = S.org_node(e.consignor), S.org_node(e.contractor)
        verb = Words.entrusts(e.consignor not in contractors, lang)
        label = f"{verb}{'：' if ja else ': '}{_cut(e.work, WORK_CHARS)}" if e.work else verb
        # the entrustment's arrow stands for its placements too: the data reaches the system by it
        steps = {(S.ENTRUSTS, e.id)} | {(S.PLACES_DATA_IN, S.places_key(e.id, s)) for s in e.systems}
        raw[(source, target, label, "entrust", e.personal_data is False)].append((e.id, e.work or "", steps))
        for system_id in e.systems:
            raw[(target, S.system_node(system_id), Words.places(lang), "place", False)].append(
                (e.id, "", {(S.PLACES_DATA_IN, S.places_key(e.id, system_id))}))
    for key, g in zip(chain.grant_keys, chain.access):
        label = Words.access(g.kind.value, lang)
        raw[(S.system_node(g.system), S.org_node(g.organization), label, "access", False)].append(
            (key, "", {(S.ACCESSIBLE_BY, key)}))
    for operator, system_ids in own_systems.items():
        if operator in orgs:
            for system_id in system_ids:
                raw[(S.org_node(operator), S.system_node(system_id), "自社データ" if ja else "own data", "own",
                     False)].append(
                    (system_id, "", {("OWN", system_id)}))

    def hot_of(steps: set) -> set[int]:
        return {i for i in set().union(*(reach_steps.get(s, ()) for s in steps)) if steps & hot_steps[i]}

    # consignor shapes: the arrows out of an end consignor, with their colour for it
    shape_of: dict[str, tuple] = {}
    out_of: dict[str, list] = defaultdict(list)
    for arrow_key, items in raw.items():
        source_id = S.node_id(arrow_key[0])
        if arrow_key[0].startswith("org:") and source_id in ends:
            out_of[source_id].append((arrow_key, items))
    for c in ends:
        i = index.get(c)
        shape_of[c] = tuple(sorted((k[1:], len(items), bool(i is not None and set().union(*(s for *_, s in items))
                                                           & hot_steps[i]))
                                   for k, items in out_of[c]))
    shapes: dict[tuple, list[str]] = defaultdict(list)
    for c in ends:
        shapes[shape_of[c]].append(c)
    arrows_out = sum(len(shape) for shape in shapes)
    collapse = len(shapes) > MAX_CONSIGNOR_BOXES or arrows_out > MAX_CONSIGNOR_ARROWS
    group_of: dict[str, str] = {}  # end consignor -> the node that draws it
    group_members: dict[str, list[str]] = {}
    if collapse:
        group_of = {c: "group:all" for c in ends}
        group_members["group:all"] = ends
        notes.append(f"委託元 {len(ends):,} 者は 1 つの箱にまとめて描いています（矢印の ×数 は委託の件数）。"
                     "委託元を選ぶと、その委託元の経路だけを表示します。" if ja
                     else f"The {len(ends):,} consignors are drawn as one box (an arrow's ×n counts its "
                          "entrustments). Choose a consignor to see its routes alone.")
    else:
        for n, members in enumerate(sorted(shapes.values(), key=lambda m: (orgs[m[0]].name, m[0]))):
            if len(members) > 1:
                for c in members:
                    group_of[c] = f"group:{n}"
                group_members[f"group:{n}"] = members
        if group_members:
            notes.append("同じ形の委託元（同じ委託先・同じ経路）は 1 つの箱にまとめて描いています"
                         "（矢印の ×数 は委託の件数）。" if ja
                         else "Consignors of the same shape (the same contractors, the same routes) are drawn as "
                              "one box (an arrow's ×n counts its entrustments).")

    def drawn(node: str) -> str:
        return group_of.get(S.node_id(node), node) if node.startswith("org:") else node

    # merge the arrows that grouping lays on top of each other
    merged: dict[tuple[str, str, str, str, bool], list[tuple[str, str, set]]] = defaultdict(list)
    for (source, target, label, kind, dashed), items in raw.items():
        merged[(drawn(source), drawn(target), label, kind, dashed)].extend(items)
    if collapse:  # red and grey arrows of the same label stay apart: the group is some of each
        split: dict[tuple, list] = defaultdict(list)
        for arrow_key, items in merged.items():
            if arrow_key[0] == "group:all":
                for item in items:
                    split[arrow_key + (bool(hot_of(item[2])),)].append(item)
            else:
                split[arrow_key + (None,)] = items
        keyed = split
    else:
        keyed = {k + (None,): v for k, v in merged.items()}

    nodes_used: list[str] = []
    seen_nodes: set[str] = set()
    for (source, target, *_), _items in keyed.items():
        for n in (source, target):
            if n not in seen_nodes:
                seen_nodes.add(n)
                nodes_used.append(n)
    # organisations and systems with no arrow at all are left out, and counted
    alone = sum(drawn(S.org_node(o.id)) not in seen_nodes for o in chain.organizations) + \
        sum(S.system_node(s.id) not in seen_nodes for s in chain.systems)
    if alone:
        notes.append(f"委託にもアクセスにも現れない組織・システム {alone:,} 個は描いていません。" if ja
                     else f"{alone:,} organisations and systems with no entrustment or access are not drawn.")

    if len(nodes_used) > MAX_BOXES or len(keyed) > MAX_ARROWS:
        return Model([], [], options, n_ends, notes,
                     too_big=f"{len(nodes_used):,} 個の組織・システムと {len(keyed):,} 本の矢印になり、"
                             f"図は {MAX_BOXES} 個・{MAX_ARROWS} 本までです。" if ja
                     else f"There would be {len(nodes_used):,} organisations and systems and {len(keyed):,} "
                          f"arrows; the drawing holds {MAX_BOXES} and {MAX_ARROWS}.")

    box_id = {n: f"n{i}" for i, n in enumerate(nodes_used)}
    boxes = []
    for n in nodes_used:
        if n.startswith("group:"):
            members = group_members[n]
            names = [orgs[c].name for c in members]
            shown = Words.join((_cut(x, 10) for x in names[:2]), lang)
            more = len(members) - 2
            lines = [f"委託元 {len(members):,} 者" if ja else f"{len(members):,} consignors",
                     shown + ((f" ほか {more:,} 者" if ja else f" and {more:,} more") if more > 0 else "")]
            ids = {index[c] for c in members if c in index}
            boxes.append(Box(box_id[n], lines, "\n".join(Words.with_id(orgs[c].name, c, lang) for c in members[:200])
                             + ("\n…" if len(members) > 200 else ""), "group", ids, set(), len(members)))
        elif n.startswith("org:"):
            o = orgs[S.node_id(n)]
            kind = "consignor" if o.id in ends else "org"
            boxes.append(Box(box_id[n], [_cut(o.name, NAME_CHARS), f"({_cut(o.id, NAME_CHARS)})"],
                             Words.with_id(o.name, o.id, lang), kind, set(reach_nodes.get(n, ())),
                             set(hot_handlers.get(o.id, ()))))
        else:
            s = systems[S.node_id(n)]
            boxes.append(Box(box_id[n], [_cut(s.name, NAME_CHARS), f"({_cut(s.id, NAME_CHARS)})"],
                             Words.with_id(s.name, s.id, lang), "system", set(reach_nodes.get(n, ()))))
    member_sets = {b.id: b.members for b in boxes}

    arrows = []
    for i, ((source, target, label, kind, dashed, _hot), items) in enumerate(keyed.items()):
        steps = set().union(*(s for *_, s in items))
        members = set().union(*(reach_steps.get(s, ()) for s in steps))
        if not members or kind == "entrust" and dashed:
            # an arrow no consignor's data travels (marked as handling no personal data): shown
            # with a consignor's routes when both its ends are on them
            members |= member_sets[box_id[source]] & member_sets[box_id[target]]
        count = len(items) if len(items) > 1 else 0
        ids = [key for key, *_ in items]
        title = f"{label}" + (f" ×{count}" if count else "") + "\n" + Words.join(ids[:50], lang) + \
            ((f" …（ほか {len(ids) - 50}）" if ja else f" … (+{len(ids) - 50})") if len(ids) > 50 else "")
        arrows.append(Arrow(f"e{i}", box_id[source], box_id[target], label, kind, title, steps, dashed, count,
                            members, hot_of(steps)))
    return Model(boxes, arrows, options, n_ends, notes)


# ---------------------------------------------------------------------------------------------
# Graphviz

def dot_source(model: Model) -> str:
    """The model in DOT: ids are the model's own (n0, e0), every label a quoted, escaped string
    (:func:`..export._dot_id`): nothing from the chain file is read by dot as syntax."""
    lines = ["digraph chain {", "  rankdir=LR; nodesep=0.25; ranksep=0.9; newrank=true;",
             f"  node [shape=box, fontname={_dot_id(FONT)}, fontsize=13, margin=\"0.14,0.06\"];",
             f"  edge [fontname={_dot_id(FONT)}, fontsize=11, arrowsize=0.9];"]
    for b in model.boxes:
        shape = ", shape=cylinder" if b.kind == "system" else ""
        lines.append(f"  {b.id} [label={_dot_id(chr(10).join(b.lines))}{shape}];")
    for a in model.arrows:
        label = a.label + (f" ×{a.count:,}" if a.count else "")
        lines.append(f"  {a.source} -> {a.target} [id={a.id}, label={_dot_id(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_program() -> str | None:
    return shutil.which("dot")


def graphviz_layout(model: Model, program: str | None = None, timeout: float = DOT_TIMEOUT) -> Placed:
    """Lay the model out with Graphviz ``dot`` (layered, left to right); raises OSError,
    subprocess.SubprocessError or ValueError when dot is missing, fails or times out."""
    program = program or dot_program()
    if program is None:
        raise FileNotFoundError("dot")
    result = subprocess.run([program, "-Tjson"], input=dot_source(model).encode("utf-8"), capture_output=True,
                            timeout=timeout, check=False)
    if result.returncode != 0:
        raise ValueError(f"dot exited with {result.returncode}: {result.stderr.decode('utf-8', 'replace')[:300]}")
    data = json.loads(result.stdout)
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    height = y1 - y0
    pad = 8.0

    def flip(x: float, y: float) -> tuple[float, float]:
        return x - x0 + pad, height - (y - y0) + pad

    boxes = {}
    for obj in data.get("objects", []):
        if "pos" not in obj:
            continue
        x, y = (float(v) for v in obj["pos"].split(","))
        boxes[obj["name"]] = (*flip(x, y), float(obj["width"]) * 72, float(obj["height"]) * 72)
    arrows = {}
    for edge in data.get("edges", []):
        points = edge["pos"].split()
        end = None
        if points and points[0].startswith("e,"):
            end = flip(*map(float, points.pop(0)[2:].split(",")))
        if points and points[0].startswith("s,"):
            points.pop(0)
        coords = [flip(*map(float, p.split(","))) for p in points]
        path = f"M{coords[0][0]:.1f},{coords[0][1]:.1f}"
        for k in range(1, len(coords) - 2, 3):
            (ax, ay), (bx, by), (cx, cy) = coords[k:k + 3]
            path += f" C{ax:.1f},{ay:.1f} {bx:.1f},{by:.1f} {cx:.1f},{cy:.1f}"
        if end is not None:  # the arrowhead's tip: the marker sits at the end of the path
            path += f" L{end[0]:.1f},{end[1]:.1f}"
        label = flip(*map(float, edge["lp"].split(","))) if "lp" in edge else None
        arrows[edge["id"]] = (path, label)
    return Placed(x1 - x0 + 2 * pad, height + 2 * pad, boxes, arrows, "graphviz")


# ---------------------------------------------------------------------------------------------
# The plain columns, without Graphviz

def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is at ``size``: CJK and full-width characters a full em, others half."""
    return sum(size if ord(ch) > 0x2e7f else size * 0.6 for ch in text)


def column_layout(model: Model) -> Placed:
    """Columns by distance from the consignors along the arrows, straight lines between them: what
    the report draws when Graphviz is not installed."""
    out: dict[str, list[str]] = defaultdict(list)
    incoming: set[str] = set()
    for a in model.arrows:
        out[a.source].append(a.target)
        incoming.add(a.target)
    layer: dict[str, int] = {}
    queue = deque()
    for b in model.boxes:
        if b.id not in incoming:
            layer[b.id] = 0
            queue.append(b.id)
    while True:
        while queue:
            n = queue.popleft()
            for m in out[n]:
                if m not in layer:
                    layer[m] = layer[n] + 1
                    queue.append(m)
        rest = [b.id for b in model.boxes if b.id not in layer]
        if not rest:
            break
        layer[rest[0]] = 0
        queue.append(rest[0])
    sizes = {b.id: (max(text_width(line, 13) for line in b.lines) + 20, 18 * len(b.lines) + 10) for b in model.boxes}
    columns: dict[int, list[str]] = defaultdict(list)
    for b in model.boxes:
        columns[layer[b.id]].append(b.id)
    # each column in the order of its boxes' sources in the column before (fewer crossings)
    into: dict[str, list[str]] = defaultdict(list)
    for a in model.arrows:
        into[a.target].append(a.source)
    row: dict[str, float] = {}
    for col in sorted(columns):
        def centre(n: str) -> float:
            before = [row[m] for m in into[n] if m in row]
            return sum(before) / len(before) if before else float("inf")
        columns[col].sort(key=centre)
        row.update((n, k) for k, n in enumerate(columns[col]))
    gap = 170.0
    x = 10.0
    boxes = {}
    height = 0.0
    for col in sorted(columns):
        width = max(sizes[n][0] for n in columns[col])
        y = 10.0
        for n in columns[col]:
            w, h = sizes[n]
            boxes[n] = (x + width / 2, y + h / 2, w, h)
            y += h + 22
        height = max(height, y)
        x += width + gap
    arrows = {}
    for a in model.arrows:
        (sx, sy, sw, _), (tx, ty, tw, _) = boxes[a.source], boxes[a.target]
        x1, x2 = sx + sw / 2, tx - tw / 2 - 2
        if x2 < x1:  # backwards or within a column
            x1, x2 = sx - sw / 2, tx + tw / 2 + 2
        arrows[a.id] = (f"M{x1:.1f},{sy:.1f} L{x2:.1f},{ty:.1f}", (x1 + (x2 - x1) * 0.3, sy + (ty - sy) * 0.3 - 2))
    return Placed(x - gap + 10, height + 10, boxes, arrows, "columns")
