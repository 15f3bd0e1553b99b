"""The self-contained HTML report (checked in headless Chromium). DORA B_05.02: tests/test_dora.py."""
import shutil
import subprocess

from click.testing import CliRunner

from entrustment_chain.cli.main import main

from conftest import PROCX

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_html_report_is_self_contained_and_renders_in_chromium(tmp_path):
    import re

    from entrustment_chain.graph.reports.html import SCRIPT

    report = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["analyze", str(PROCX), "--format", "html", "-o", str(report)])
    assert result.exit_code == 0 and result.stderr == ""  # Graphviz is there: no note on stderr
    text = report.read_text(encoding="utf-8")
    # one inline script, the report's own filter: no script, style sheet or font from elsewhere
    assert re.findall(r"<script[^>]*>", text) == ["<script>"] and f"<script>{SCRIPT}</script>" in text
    assert "<link" not in text and "@import" not in text and " src=" not in text
    assert "fetch(" not in SCRIPT and "XMLHttpRequest" not in SCRIPT and "import(" not in SCRIPT
    assert re.findall(r"url\((?!#)", text) == []  # only the drawing's own markers
    # nothing is fetched: the only addresses are links a reader may follow (the legal references)
    # and the SVG namespace
    loaded = re.sub(r'<a href="https://[^"]+">', "<a>", text)
    assert [u for u in re.findall(r"https?://[^\"' )]+", loaded) if "w3.org/2000/svg" not in u] == []
    links = set(re.findall(r'<a href="([^"]+)">', text))
    assert links and all(u.startswith(("https://laws.e-gov.go.jp/", "https://www.ppc.go.jp/")) for u in links)
    assert 'href="https://laws.e-gov.go.jp/' in text
    # the drawing: laid out by Graphviz, arrowheads, the 69 consignors' route to BS in red
    assert 'data-layout="graphviz"' in text and '<marker id="ah-r"' in text
    assert text.count('marker-end="url(#ah-r)"') >= 3  # consignors → ProCX → the system → BS
    assert "委託元 69 者" in text
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "headless Chromium is needed (apt-get install chromium; .ci/run installs it)"
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          report.as_uri()], capture_output=True, text=True, timeout=120)
    assert "<svg" in dom.stdout and "NTTビジネスソリューションズ株式会社" in dom.stdout
    assert '<div id="filter">' in dom.stdout  # the script ran and showed the filter
    shot = tmp_path / "report.png"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile2'}", "--window-size=1400,1100",
                    f"--screenshot={shot}", report.as_uri()], capture_output=True, timeout=120)
    assert shot.stat().st_size > 20000


def test_marks_tell_step_types_apart():
    """Keys are unique within a relationship type only: an entrustment whose id reads like an
    access key is not marked because the access is."""
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.io.loader import chain_from_dict
    from entrustment_chain.graph.reports.export import marked_graph

    chain = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "c", "name": "C"}, {"id": "a", "name": "A"}, {"id": "x", "name": "X"}],
        "systems": [{"id": "s", "name": "S", "operator": "a"}],
        "entrustments": [
            {"id": "x@s", "consignor": "c", "contractor": "a", "personal_data": True, "systems": ["s"],
             "informed_subcontractors": [], "approved_subcontractors": []},
        ],
        "access": [{"organization": "x", "system": "s", "kind": "maintenance"}],
    })
    graph = marked_graph(chain, analyze(chain))
    marked = {(d["type"], k) for _, _, k, d in graph.edges(keys=True, data=True) if d.get("undisclosed")}
    assert marked == {("PLACES_DATA_IN", "x%40s#s"), ("ACCESSIBLE_BY", "x@s")}
