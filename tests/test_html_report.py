"""The HTML report as a document for management (issue 14): a drawing laid out by Graphviz with
arrowheads and a label on every arrow, consignors grouped so that 100 of them stay readable, a
filter by consignor (inline script only, the page whole without it), a header with the time, the
tool's version and the input's SHA-256, and plain columns with a note when ``dot`` is missing.
Generated chains of 5, 30 and 100 consignors are rendered in headless Chromium."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from importlib import metadata

import pytest

from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.io.generate import generate
from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph.reports import layout
from entrustment_chain.graph.reports.html import SCRIPT, html

from conftest import PROCX
from test_exports_more import CHROMIUM_FLAGS

WHEN = datetime(2025, 4, 1, 9, 30, tzinfo=timezone(timedelta(hours=9)))
SIZES = (5, 30, 100)


@pytest.fixture(scope="module")
def generated():
    out = {}
    for n in SIZES:
        chain = chain_from_dict(generate(n, seed=0))
        out[n] = (chain, analyze(chain))
    return out


class Elements(HTMLParser):
    """Every element that carries data-c (boxes, arrows, findings rows), with its attributes, its
    paths, its tooltip (``title``) and its shown text (``text``: an SVG element's <text>, a row's
    cells); the markers, and whether the filter is hidden."""

    VOID = ("path", "rect", "meta", "br", "input")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[dict] = []
        self.stack: list[tuple[str, dict | None]] = []
        self.markers: set[str] = set()
        self.hidden_filter = None

    def _item(self):
        return next((item for _, item in reversed(self.stack) if item is not None), None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "marker":
            self.markers.add(a["id"])
        if a.get("id") == "filter":
            self.hidden_filter = "hidden" in a
        item = None
        if "data-c" in a:
            item = {"tag": tag, **a, "classes": set((a.get("class") or "").split()), "text": "", "title": "",
                    "paths": []}
            self.items.append(item)
        elif tag == "path" and self._item() is not None:
            self._item()["paths"].append(a)
        if tag not in self.VOID:
            self.stack.append((tag, item))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        item = self._item()
        if item is None:
            return
        if any(tag == "title" for tag, _ in self.stack):
            item["title"] += data
        elif item["tag"] == "tr" or any(tag == "text" for tag, _ in self.stack):
            item["text"] += data


def parse(page: str) -> Elements:
    parsed = Elements()
    parsed.feed(page)
    return parsed


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless Chromium is needed (apt-get install chromium; scripts/test installs it)"
    return found


def dump(path, tmp_path, fragment: str = "") -> str:
    result = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                             "--virtual-time-budget=5000", "--dump-dom", path.as_uri() + fragment],
                            capture_output=True, text=True, timeout=180)
    assert "<svg" in result.stdout, result.stderr[-2000:]
    return result.stdout


def test_graphviz_is_installed():
    assert layout.dot_program(), "Graphviz is needed (apt-get install graphviz; scripts/test installs it)"


@pytest.mark.parametrize("n", SIZES)
def test_the_drawing_has_arrowheads_and_a_label_on_every_arrow(generated, n, tmp_path):
    chain, analysis = generated[n]
    page = html(analysis, chain, generated_at=WHEN)
    svg = page.split('<svg xmlns="http://www.w3.org/2000/svg" class="chain"', 1)[1].split("</svg>", 1)[0]
    assert 'data-layout="graphviz"' in svg
    parsed = parse(page)
    arrows = [x for x in parsed.items if "e" in x["classes"]]
    boxes = [x for x in parsed.items if "n" in x["classes"]]
    assert {"ah", "ah-a", "ah-r"} <= parsed.markers
    assert arrows and boxes
    for arrow in arrows:
        (path,) = arrow["paths"]
        assert path["marker-end"] in ("url(#ah)", "url(#ah-a)", "url(#ah-r)")
        label = arrow["text"]
        assert re.match(r"(委託|再委託)：\S|データ格納|アクセス・保守|自社データ", label), label
    labels = " ".join(a["text"] for a in arrows)
    assert "委託：コールセンター業務" in labels and "再委託：データ入力" in labels and "データ格納" in labels
    assert "アクセス・保守" in labels
    # names, with the ids in parentheses
    assert any(b["text"] == "事業者k00000(k00000)" for b in boxes)
    # undisclosed routes red, handlers red
    assert any("hot" in a["classes"] and a["paths"][0]["marker-end"] == "url(#ah-r)" for a in arrows)
    assert any("hot" in b["classes"] for b in boxes)
    # readable at every size: the consignors grouped, so the boxes and arrows stay few
    assert len(boxes) <= 12 + n // 10 * 3 + 10 and len(arrows) <= 160
    if n >= 30:
        (group,) = [b for b in boxes if "group" in b["classes"]]
        assert f"委託元 {n} 者" in group["text"] and len(group["data-c"].split()) == n
        assert "1 つの箱にまとめて描いています" in page
        assert any(re.search(r"×\d+", a["text"]) for a in arrows)


def test_procx_groups_the_69_consignors_and_marks_the_route_to_bs(procx_chain, procx_analysis):
    page = html(procx_analysis, procx_chain, generated_at=WHEN)
    parsed = parse(page)
    boxes = {b["id"]: b for b in parsed.items if "n" in b["classes"]}
    arrows = [a for a in parsed.items if "e" in a["classes"]]
    (group,) = [b for b in boxes.values() if "group" in b["classes"]]
    assert "委託元 69 者" in group["text"] and len(group["data-c"].split()) == 69
    (bs,) = [b for b in boxes.values() if "(bs)" in b["text"]]
    assert "hot" in bs["classes"] and len(bs["data-r"].split()) == 69
    hot = {a["text"] for a in arrows if "hot" in a["classes"]}
    assert hot == {"委託：コールセンター業務 ×69", "データ格納 ×69", "アクセス・保守"}
    (maintenance,) = [a for a in arrows if "システム保守運用" in a["text"]]
    assert "dash" in maintenance["classes"] and "hot" not in maintenance["classes"]


def test_header_time_version_and_the_inputs_sha256(procx_chain, procx_analysis, tmp_path, monkeypatch):
    page = html(procx_analysis, procx_chain, input_file=PROCX, generated_at=WHEN)
    assert "<td>令和 7 年 4 月 1 日 9 時 30 分（2025-04-01T09:30:00+09:00）</td>" in page  # wareki, with the ISO time
    assert f"entrustment-chain {metadata.version('entrustment-chain')}" in page
    assert hashlib.sha256(PROCX.read_bytes()).hexdigest() in page and str(PROCX) in page
    assert "<code>abc</code>" in html(procx_analysis, procx_chain, input_file=PROCX, input_sha256="abc", generated_at=WHEN)
    assert "標準入力のため記録なし" in html(procx_analysis, procx_chain, input_file="-", generated_at=WHEN)
    # without a time given: SOURCE_DATE_EPOCH (reproducible builds), else now
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert "2023-11-14T22:13:20+00:00" in html(procx_analysis, procx_chain)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert datetime.now().astimezone().strftime("%Y-%m-%dT") in html(procx_analysis, procx_chain)


def test_the_same_inputs_give_the_same_page(procx_chain, procx_analysis):
    assert html(procx_analysis, procx_chain, generated_at=WHEN) == html(procx_analysis, procx_chain, generated_at=WHEN)


def test_without_javascript_everything_is_shown(generated):
    chain, analysis = generated[30]
    page = html(analysis, chain, generated_at=WHEN)
    parsed = parse(page)
    assert parsed.hidden_filter is True  # the select box appears only when the script runs
    assert not any("off" in x["classes"] for x in parsed.items)
    assert page.count("<script") == 1 and f"<script>{SCRIPT}</script>" in page


def _check_filtered(dom: str, index: str, consignor: str, name: str):
    parsed = parse(dom)
    assert parsed.hidden_filter is False
    shown = [x for x in parsed.items if "off" not in x["classes"]]
    hidden = [x for x in parsed.items if "off" in x["classes"]]
    assert hidden and shown
    for x in parsed.items:
        on = index in x["data-c"].split()
        assert on == ("off" not in x["classes"]), (x["tag"], x.get("id"), x["data-c"][:80], x["classes"])
        if "data-r" in x:  # red: undisclosed to this consignor
            assert ("hot" in x["classes"]) == (on and index in x["data-r"].split()), x.get("id")
    rows = [x for x in shown if x["tag"] == "tr" and "cmore" not in x["classes"]]
    assert rows and all(x["text"].startswith(name) for x in rows)
    assert any(x["tag"] == "tr" for x in hidden)
    assert re.search(r'id="shown" data-text="[^"]*" data-more="[^"]*">図：組織・システム \d+、矢印 \d+　'
                     r'(指摘：\d+ 件|この委託元の指摘 \d+ 件のうち \d+ 件を表示（残りは --format json または --consignor \S+）)<',
                     dom)
    assert re.search(rf'<option value="{index}" data-id="{re.escape(consignor)}" selected', dom) or \
        f'value="{index}" data-id="{consignor}"' in dom


@pytest.mark.parametrize("n", SIZES)
def test_the_filter_shows_one_consignors_routes_in_chromium(generated, n, tmp_path):
    chain, analysis = generated[n]
    report = tmp_path / f"report-{n}.html"
    report.write_text(html(analysis, chain, generated_at=WHEN), encoding="utf-8")
    everything = parse(dump(report, tmp_path))
    assert everything.hidden_filter is False  # the script ran: the filter is shown
    assert not any("off" in x["classes"] for x in everything.items)
    consignor = f"c{min(3, n - 1):06d}"
    options = re.findall(r'<option value="(\d+)" data-id="([^"]+)"[^>]*>', report.read_text(encoding="utf-8"))
    index = dict((c, i) for i, c in options)[consignor]
    dom = dump(report, tmp_path, f"#consignor={consignor}")
    _check_filtered(dom, index, consignor, chain.organizations_by_id[consignor].name)
    parsed = parse(dom)
    boxes = [x for x in parsed.items if "n" in x["classes"] and "off" not in x["classes"]]
    # the consignor's own box, or its group's, now carries its name
    assert any(consignor in b["text"] for b in boxes if "consignor" in b["classes"]) or \
        any("picked" in b["classes"] for b in boxes)


def test_the_filter_on_procx_shows_b_alone(procx_chain, procx_analysis, tmp_path):
    report = tmp_path / "procx.html"
    report.write_text(html(procx_analysis, procx_chain, generated_at=WHEN), encoding="utf-8")
    dom = dump(report, tmp_path, "#consignor=b")
    index = re.search(r'<option value="(\d+)" data-id="b"', dom)[1]
    _check_filtered(dom, index, "b", "B社")
    (group,) = [x for x in parse(dom).items if "group" in x["classes"]]
    assert "picked" in group["classes"]
    assert re.search(r'<text class="one"[^>]*>B社（b）</text>', dom)


def test_without_dot_the_drawing_falls_back_to_columns_and_says_so(generated, monkeypatch):
    chain, analysis = generated[5]
    said = []
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    page = html(analysis, chain, generated_at=WHEN, warn=said.append)
    assert 'data-layout="columns"' in page
    assert "Graphviz（<code>dot</code>）が見つからないため" in page
    assert said and "Graphviz 'dot' not found" in said[0]
    parsed = parse(page)
    arrows = [x for x in parsed.items if "e" in x["classes"]]
    assert arrows and all(a["paths"][0]["marker-end"].startswith("url(#ah") for a in arrows)
    # a dot that fails is reported the same way
    said.clear()
    page = html(analysis, chain, generated_at=WHEN, dot="/nonexistent/dot", warn=said.append)
    assert 'data-layout="columns"' in page and "Graphviz（<code>dot</code>）による配置に失敗した" in page and said


def test_dot_never_reads_a_name_as_syntax():
    """Every label goes to dot as one quoted, escaped string; ids are the drawing's own."""
    hostile = 'x" ]; a -> b [label="pwn"]; \\N \\l <b>&'
    text = hostile + "\nnext line"  # free text may hold a line break
    chain = chain_from_dict({
        "schema": "entrustment-chain/v1", "title": text,
        "organizations": [{"id": "c", "name": hostile}, {"id": "k", "name": "K"}, {"id": "v", "name": "V" + hostile}],
        "systems": [{"id": "s", "name": text}],
        "entrustments": [{"id": "e1", "consignor": "c", "contractor": "k", "personal_data": True, "work": text,
                          "systems": ["s"], "informed_subcontractors": [], "approved_subcontractors": []}],
        "access": [{"organization": "v", "system": "s", "kind": "maintenance"}],
    })
    model = layout.drawing_model(chain, analyze(chain))
    source = layout.dot_source(model)
    quoted = r'"(?:[^"\\\n]|\\.)*"'
    for line in source.splitlines()[4:-1]:
        assert re.fullmatch(rf"  n\d+ \[label={quoted}(?:, shape=cylinder)?\];"
                            rf"|  n\d+ -> n\d+ \[id=e\d+, label={quoted}\];", line), line
    placed = layout.graphviz_layout(model)
    assert set(placed.boxes) == {b.id for b in model.boxes} and set(placed.arrows) == {a.id for a in model.arrows}


def test_a_chain_too_large_to_draw_gets_a_note(monkeypatch, generated):
    chain, analysis = generated[5]
    monkeypatch.setattr(layout, "MAX_BOXES", 3)
    page = html(analysis, chain, generated_at=WHEN)
    assert "図は 3 個" in page and "chain export --format graphml" in page and "<svg" in page  # the legend only
    assert 'class="chain"' not in page


def test_disclosed_access_is_amber_and_undisclosed_red():
    chain = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "told", "name": "説明を受けた市"}, {"id": "untold", "name": "説明のない町"},
                          {"id": "k", "name": "委託先"}, {"id": "v", "name": "保守業者"}],
        "systems": [{"id": "s1", "name": "システム1", "operator": "k"}, {"id": "s2", "name": "システム2", "operator": "k"}],
        "entrustments": [
            {"id": "e1", "consignor": "told", "contractor": "k", "personal_data": True, "work": "窓口", "systems": ["s1"],
             "informed_subcontractors": ["v"], "approved_subcontractors": ["v"]},
            {"id": "e2", "consignor": "untold", "contractor": "k", "personal_data": True, "work": "窓口",
             "systems": ["s2"], "informed_subcontractors": [], "approved_subcontractors": []}],
        "access": [{"organization": "v", "system": "s1", "kind": "maintenance"},
                   {"organization": "v", "system": "s2", "kind": "operation"}],
    })
    parsed = parse(html(analyze(chain), chain, generated_at=WHEN))
    arrows = {a["text"]: a for a in parsed.items if "e" in a["classes"]}
    assert arrows["アクセス・保守"]["classes"] >= {"acc"} and "hot" not in arrows["アクセス・保守"]["classes"]
    assert arrows["アクセス・保守"]["paths"][0]["marker-end"] == "url(#ah-a)"
    assert "hot" in arrows["アクセス・運用"]["classes"]
    (v,) = [b for b in parsed.items if b.get("text") == "保守業者(v)"]
    assert "hot" in v["classes"]  # a handler of the town's data it was not told of


def test_findings_tables_show_their_first_rows_and_say_how_many_more(procx_chain, procx_analysis, monkeypatch):
    from entrustment_chain.graph.reports import html as report

    monkeypatch.setattr(report, "MAX_FINDING_ROWS", 3)
    page = report.html(procx_analysis, procx_chain, generated_at=WHEN)
    assert "委託元に知らされていない再委託（取扱者）（<code>undisclosed_subcontracting</code>、69 件）" in page
    assert "… ほか" not in page  # each of the 69 consignors keeps its one row of each rule
    rows = [x for x in parse(page).items if x["tag"] == "tr" and "cmore" not in x["classes"]]
    assert len(rows) == len(procx_analysis.findings)
    # without a filter (nothing drawn), the first rows alone, and how many more
    monkeypatch.setattr(layout, "MAX_BOXES", 3)
    page = report.html(procx_analysis, procx_chain, generated_at=WHEN)
    assert '<tr class="allmore"><td colspan=4>… ほか 66 件（すべての指摘は <code>--format json</code> で）' in page


def test_the_filter_counts_every_finding_of_the_last_consignor_in_chromium(generated, monkeypatch, tmp_path):
    """The rows of a rule are shared among the consignors: the last one keeps rows of every rule it
    has findings of, and the filter says its true count and how many the page shows."""
    from entrustment_chain.graph.reports import html as report

    chain, analysis = generated[100]
    monkeypatch.setattr(report, "MAX_FINDING_ROWS", 20)
    page = report.html(analysis, chain, generated_at=WHEN)
    last = "c000099"
    mine = [(r, f.rule) for r, f in zip(analysis.findings.records, analysis.findings) if r.consignor == last]
    rules = {rule for _, rule in mine}
    assert len(mine) > len(rules)  # some of its rows are left out
    options = dict((c, i) for i, c, _ in re.findall(r'<option value="(\d+)" data-id="([^"]+)" data-n="(\d+)">', page))
    assert f'data-id="{last}" data-n="{len(mine)}"' in page
    report_file = tmp_path / "cap.html"
    report_file.write_text(page, encoding="utf-8")
    dom = dump(report_file, tmp_path, f"#consignor={last}")
    _check_filtered(dom, options[last], last, chain.organizations_by_id[last].name)
    parsed = parse(dom)
    rows = [x for x in parsed.items if x["tag"] == "tr" and "off" not in x["classes"] and "cmore" not in x["classes"]]
    assert len(rows) < len(mine)
    assert f"この委託元の指摘 {len(mine)} 件のうち {len(rows)} 件を表示（残りは --format json または --consignor {last}）" in dom
    # every rule it has findings of stays on, with its own count
    on = re.findall(r'<details class="rule"[^>]*><summary>.*?<code>(\w+)</code>.*?（この委託元 (\d+) 件）', dom)
    assert {rule for rule, _ in on} == rules
    assert sum(int(n) for _, n in on) == len(mine)
    assert '<span class="whole">（全委託元の合計）</span>' in dom


def test_the_english_report_draws_and_says_everything_in_english(procx_chain, procx_analysis, tmp_path):
    """--lang en: the same page in English: arrows, boxes, legend, notes, filter, headings; the
    names as they are, with their ids in parentheses."""
    page = html(procx_analysis, procx_chain, generated_at=WHEN, lang="en")
    assert page.startswith('<!DOCTYPE html><html lang="en">')
    parsed = parse(page)
    arrows = {a["text"] for a in parsed.items if "e" in a["classes"]}
    assert {"entrusts: コールセンター業務 ×69", "data in ×69", "maintenance access"} <= arrows
    assert "re-entrusts: システム保守運用" in arrows
    (group,) = [b for b in parsed.items if "group" in b["classes"]]
    assert group["text"].startswith("69 consignors")
    for words in ("consignor", "handler not told of", "route not told of", "maintenance access"):
        assert words in page
    assert "Consignors of the same shape" in page and "Show one consignor" in page
    assert "<h2>Findings</h2>" in page and "(<code>undisclosed_subcontracting</code>, 69)" in page
    assert "B社 (b)" in page and "backend networkx" in page
    assert "APPI Art. 22 as in force until 2022-03-31" in page  # the legal bases' English texts
    # no word of the Japanese page's own (names and legal citations aside)
    for japanese in ("委託元で絞り込む", "凡例", "取扱者ごとの影響範囲", "作成日時", "解析", "アクセス・保守", "委託：", "※証跡不明"):
        assert japanese not in page, japanese
    report = tmp_path / "procx-en.html"
    report.write_text(page, encoding="utf-8")
    dom = dump(report, tmp_path, "#consignor=b")
    assert re.search(r'id="shown" data-text="[^"]*" data-more="[^"]*">drawing: \d+ organisations and systems, \d+ arrows; findings: \d+<',
                     dom)
    assert re.search(r'<text class="one"[^>]*>B社 \(b\)</text>', dom)
