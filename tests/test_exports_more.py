"""DORA B_05.02 rows and the self-contained HTML report (checked in headless Chromium)."""
import csv
import io
import shutil
import subprocess

from click.testing import CliRunner

from entrustment_chain.cli.main import main

from conftest import PROCX, ROOT

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_dora_b0502_ranks_procx_1_and_bs_2_for_every_consignor():
    result = CliRunner().invoke(main, ["export", str(PROCX), "--format", "dora-b0502"])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.output)))
    header, body = rows[0], rows[1:]
    assert header[0].startswith("B_05.02.0010") and header[4].startswith("B_05.02.0050")
    by_arrangement = {}
    for ref, _service, provider, _type, rank, recipient, _rtype in body:
        by_arrangement.setdefault(ref, {})[provider] = (rank, recipient)
    consignor_arrangements = {ref: v for ref, v in by_arrangement.items() if ref.endswith("-procx")}
    assert len(consignor_arrangements) == 69
    assert all(v == {"procx": ("1", ""), "bs": ("2", "procx")} for v in consignor_arrangements.values())


def test_dora_ranks_follow_the_chain():
    chain = ROOT / "fixtures" / "teaching" / "multi-level-untold" / "chain.yaml"
    rows = list(csv.reader(io.StringIO(CliRunner().invoke(main, ["export", str(chain), "--format", "dora-b0502"]).output)))
    city = [(r[2], r[4], r[5]) for r in rows[1:] if r[0] == "city-vendor"]
    assert city == [("vendor", "1", ""), ("sub1", "2", "vendor"), ("sub2", "3", "sub1")]


def test_html_report_is_self_contained_and_renders_in_chromium(tmp_path):
    report = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["analyze", str(PROCX), "--format", "html", "-o", str(report)]).exit_code == 0
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text and "<link" not in text and "@import" not in text
    # nothing is fetched: the only addresses are links a reader may follow (the legal references)
    # and the SVG namespace
    loaded = __import__("re").sub(r'<a href="https://[^"]+">', "<a>", text)
    assert [u for u in __import__("re").findall(r"https?://[^\"' )]+", loaded) if "w3.org/2000/svg" not in u] == []
    assert 'href="https://laws.e-gov.go.jp/' in text
    assert text.count('stroke="#c00"') >= 70  # 69 placements into the system and BS's access
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "headless Chromium is needed (apt-get install chromium; .ci/run installs it)"
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          report.as_uri()], capture_output=True, text=True, timeout=120)
    assert "<svg" in dom.stdout and "NTTビジネスソリューションズ株式会社" in dom.stdout
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
