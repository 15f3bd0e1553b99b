"""`chain analyze`: the ProCX report in every format, and each teaching case's table."""
import json
import re
from importlib import metadata

import pytest

from .conftest import PROCX, TEACHING, run, teaching

ACCEPTED = "fixtures/procx-2024/accepted.yaml"


@pytest.mark.parametrize("fmt, name", [("table", "analyze-procx.table.txt"), ("json", "analyze-procx.json"),
                                       ("markdown", "analyze-procx.md"), ("html", "analyze-procx.html")])
def test_procx(golden, fmt, name):
    # the HTML report prints its time: fixed here by SOURCE_DATE_EPOCH, as reproducible builds fix it
    result = run("analyze", PROCX, "--format", fmt, env={"SOURCE_DATE_EPOCH": "1700000000"} if fmt == "html" else None)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(name, result.stdout if fmt != "html" else html_normalised(result.stdout))


def html_normalised(page: str) -> str:
    """The HTML report with the tool's version replaced by <version>, and the drawing's geometry
    (Graphviz's coordinates, which follow the fonts installed) by …: its boxes, arrows, labels and
    colours stay (tests/test_html_report.py checks the drawing itself)."""
    version = f"entrustment-chain {metadata.version('entrustment-chain')}<"
    assert version in page
    page = page.replace(version, "entrustment-chain <version><")
    head, rest = page.split('<svg xmlns="http://www.w3.org/2000/svg" class="chain"', 1)
    svg, tail = rest.split("</svg>", 1)
    svg = re.sub(r'\b(d|x|y|width|height|viewBox)="[^"]*"', r'\1="…"', svg)
    return head + '<svg xmlns="http://www.w3.org/2000/svg" class="chain"' + svg + "</svg>" + tail


def test_procx_fail_on_high_exits_1_with_the_same_report(golden):
    result = run("analyze", PROCX, "--fail-on", "high")
    assert result.exit_code == 1
    golden("analyze-procx.table.txt", result.stdout)


def test_procx_to_a_file(golden, tmp_path):
    target = tmp_path / "report.md"
    result = run("analyze", PROCX, "--format", "markdown", "-o", target)
    assert result.exit_code == 0 and result.output == ""
    golden("analyze-procx.md", target.read_bytes())


@pytest.mark.parametrize("case", TEACHING)
def test_teaching(golden, case):
    result = run("analyze", teaching(case))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(f"analyze-teaching-{case}.txt", result.stdout)


@pytest.mark.parametrize("fail_on, code", [("high", 0), ("medium", 1)])
def test_teaching_fail_on(fail_on, code):
    assert run("analyze", teaching("told-not-approved"), "--fail-on", fail_on).exit_code == code


@pytest.mark.neo4j
def test_procx_on_neo4j_gives_the_same_report(golden, dataset, neo4j_settings):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": neo4j_settings.database}
    result = run("analyze", PROCX, "--backend", "neo4j", "--dataset", dataset, env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    # The one line that differs by design: the summary names the backend.
    first, rest = result.stdout.split("\n", 1)
    assert first.endswith("; backend neo4j")
    golden("analyze-procx.table.txt", first.removesuffix("neo4j") + "networkx\n" + rest)


def test_procx_as_of_2023_01_31(golden):
    """The ProCX chain as it stood on 2023-01-31: how many contracts were in force, and whose data
    BS could still reach that day (F社's, from a contract of 平成27年3月～同年5月, possibly)."""
    result = run("analyze", PROCX, "--as-of", "R5.1.31", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "基準日 令和 5 年 1 月 31 日時点：委託 2 件が継続中、16 件が終了後も廃棄の記録なし" in result.stdout
    f_line = next(line for line in result.stdout.splitlines() if line.startswith("- F社: NTT"))
    assert "確実 平成 27 年 3 月～同年 5 月、可能性 平成 27 年 6 月～令和 5 年 1 月" in f_line
    golden("analyze-procx-as-of-2023-01-31.md", result.stdout)


@pytest.mark.parametrize("value", ["R5.13.1", "2023-02-30", "yesterday"])
def test_an_impossible_as_of_date_is_exit_2(value):
    result = run("analyze", PROCX, "--as-of", value)
    assert result.exit_code == 2 and "--as-of" in result.output and "Traceback" not in result.output


def sarif_golden_text(text: str) -> str:
    """A SARIF log with the tool's version replaced by <version>: the one part of it that changes
    with a release and not with the analysis (checked here against the package's metadata)."""
    log = json.loads(text)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["version"] == driver["semanticVersion"] == metadata.version("entrustment-chain")
    driver["version"] = driver["semanticVersion"] = "<version>"
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def test_procx_sarif(golden):
    result = run("analyze", PROCX, "--format", "sarif")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden("analyze-procx.sarif", sarif_golden_text(result.stdout))


def test_procx_junit(golden):
    result = run("analyze", PROCX, "--format", "junit")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden("analyze-procx.junit.xml", result.stdout)


def test_procx_with_the_sample_baseline(golden):
    """fixtures/procx-2024/accepted.yaml accepts four findings: the table leaves them out and
    standard error says so; --fail-on high still fails (BS is accepted nowhere)."""
    result = run("analyze", PROCX, "--baseline", ACCEPTED, "--fail-on", "high")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"{ACCEPTED}: 4 accepted finding(s) left out (summary.baseline in the JSON)\n"
    golden("analyze-procx-baseline.table.txt", result.stdout)
