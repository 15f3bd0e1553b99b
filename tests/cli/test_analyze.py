"""`chain analyze`: the ProCX report in every format and both languages, each teaching case's
table, and the language chosen by --lang or, for a table, by the locale."""
import json
import re
from importlib import metadata

import pytest

from .conftest import EXPECTED, PROCX, TEACHING, run, teaching

ACCEPTED = "fixtures/procx-2024/accepted.yaml"
# the locale, as a terminal has it: the first of LC_ALL, LC_MESSAGES and LANG that is set decides
C_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C"}
JA_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "ja_JP.UTF-8"}
# the HTML report prints its time: fixed here by SOURCE_DATE_EPOCH, as reproducible builds fix it
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


@pytest.mark.parametrize("fmt, lang, name", [
    ("table", "en", "analyze-procx.table.txt"), ("table", "ja", "analyze-procx.ja.table.txt"),
    ("json", None, "analyze-procx.json"),
    ("markdown", "ja", "analyze-procx.md"), ("markdown", "en", "analyze-procx.en.md"),
    ("html", "ja", "analyze-procx.html"), ("html", "en", "analyze-procx.en.html")])
def test_procx(golden, fmt, lang, name):
    result = run("analyze", PROCX, "--format", fmt, *(["--lang", lang] if lang else []),
                 env={**C_LOCALE, **(EPOCH if fmt == "html" else {})})
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(name, result.stdout if fmt != "html" else html_normalised(result.stdout))


@pytest.mark.parametrize("fmt, golden_name", [("markdown", "analyze-procx.md"), ("html", "analyze-procx.html")])
def test_markdown_and_html_are_japanese_whatever_the_locale(golden, fmt, golden_name):
    result = run("analyze", PROCX, "--format", fmt, env={**C_LOCALE, **EPOCH})
    assert result.exit_code == 0, result.output
    text = result.stdout if fmt != "html" else html_normalised(result.stdout)
    golden.reference(EXPECTED / golden_name, text)


@pytest.mark.parametrize("env, args, name", [
    (JA_LOCALE, [], "analyze-procx.ja.table.txt"),
    (C_LOCALE, [], "analyze-procx.table.txt"),
    ({"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}, [], "analyze-procx.table.txt"),  # no locale at all
    ({"LC_ALL": "ja_JP.UTF-8", "LC_MESSAGES": None, "LANG": "C"}, [], "analyze-procx.ja.table.txt"),  # LC_ALL first
    ({"LC_ALL": None, "LC_MESSAGES": "C", "LANG": "ja_JP.UTF-8"}, [], "analyze-procx.table.txt"),  # then LC_MESSAGES
    (JA_LOCALE, ["--lang", "en"], "analyze-procx.table.txt"),  # --lang overrides the locale
    (C_LOCALE, ["--lang", "ja"], "analyze-procx.ja.table.txt"),
])
def test_the_table_speaks_the_locales_language_unless_told(golden, env, args, name):
    result = run("analyze", PROCX, *args, env=env)
    assert result.exit_code == 0, result.output
    golden.reference(EXPECTED / name, result.stdout)


def test_the_japanese_table_is_aligned_by_display_width():
    """A wide character takes two columns in a terminal: the columns after the names line up on
    the screen, not in characters."""
    from entrustment_chain.graph.reports.columns import width as display_width

    lines = run("analyze", PROCX, "--lang", "ja").stdout.splitlines()
    rows = lines[lines.index(next(x for x in lines if "`undisclosed_subcontracting`" in x)) + 1:]
    rows = rows[:rows.index("")]
    assert rows[0].split() == ["委託元", "取扱者", "内容"]
    starts = {display_width(row[:row.index(marker)]) for row, marker in
              [(rows[0], "取扱者"), *((r, "NTTビジネスソリューションズ株式会社（bs）") for r in rows[1:])]}
    assert len(starts) == 1, starts  # the handler column starts at one screen column on every row
    assert rows[1].startswith("  B社（b）") and "→（アクセス・保守）" in rows[1] and "期間：確実 平成 27 年 3 月" in rows[1]


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
    result = run("analyze", PROCX, "--fail-on", "high", env=C_LOCALE)
    assert result.exit_code == 1
    golden("analyze-procx.table.txt", result.stdout)


def test_procx_to_a_file(golden, tmp_path):
    target = tmp_path / "report.md"
    result = run("analyze", PROCX, "--format", "markdown", "-o", target)
    assert result.exit_code == 0 and result.output == ""
    golden("analyze-procx.md", target.read_bytes())


@pytest.mark.parametrize("case", TEACHING)
def test_teaching(golden, case):
    """Each teaching case's table, in Japanese (as an officer's Japanese terminal shows it)."""
    result = run("analyze", teaching(case), "--lang", "ja")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(f"analyze-teaching-{case}.txt", result.stdout)


@pytest.mark.parametrize("fail_on, code", [("high", 0), ("medium", 1)])
def test_teaching_fail_on(fail_on, code):
    assert run("analyze", teaching("told-not-approved"), "--fail-on", fail_on).exit_code == code


@pytest.mark.neo4j
def test_procx_on_neo4j_gives_the_same_report(golden, dataset, neo4j_settings):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": neo4j_settings.database}
    result = run("analyze", PROCX, "--backend", "neo4j", "--dataset", dataset, env={**env, **C_LOCALE})
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
    f_line = next(line for line in result.stdout.splitlines() if line.startswith("- F社（f）：NTT"))
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
    says so, as standard error does; --fail-on high still fails (BS is accepted nowhere)."""
    result = run("analyze", PROCX, "--baseline", ACCEPTED, "--fail-on", "high", env=C_LOCALE)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"{ACCEPTED}: 4 accepted finding(s) left out (summary.baseline in the JSON)\n"
    assert result.stdout.splitlines()[1] == (f"baseline {ACCEPTED}: 4 accepted finding(s) left out (0 expired and "
                                             "reported again, 0 no longer occurring)")
    golden("analyze-procx-baseline.table.txt", result.stdout)


@pytest.mark.parametrize("fmt, lang, line", [
    ("table", "ja", f"受容リスト {ACCEPTED}：指摘 4 件を受容済みとして除外（期限切れで再び指摘 0 件、もう生じない指摘の受容 0 件）"),
    ("markdown", "ja", "- 受容リスト fixtures/procx-2024/accepted.yaml：指摘 4 件を受容済みとして除外"),
    ("markdown", "en", "- baseline fixtures/procx-2024/accepted.yaml: 4 accepted finding(s) left out"),
    ("html", "ja", f"<p>受容リスト {ACCEPTED}：指摘 4 件を受容済みとして除外"),
    ("html", "en", f"<p>baseline {ACCEPTED}: 4 accepted finding(s) left out"),
])
def test_every_report_says_what_the_baseline_left_out(fmt, lang, line):
    result = run("analyze", PROCX, "--baseline", ACCEPTED, "--format", fmt, "--lang", lang)
    assert result.exit_code == 0, result.output
    assert line in result.stdout


def test_expired_and_stale_acceptances_are_counted_in_the_report(tmp_path):
    """One acceptance that has expired (its finding is reported again) and one whose finding no
    longer occurs: the reports count them, standard error names them."""
    baseline = tmp_path / "accepted.yaml"
    baseline.write_text(
        "version: 1\naccepted:\n"
        "  - {rule: weak_supervision, consignor: b, entrustment: b-procx, accepted_by: 管理者, accepted_on: 2024-01-01,"
        " expires: 2024-12-31, reason: 期限付きの受容}\n"
        "  - {rule: no_supervision, consignor: b, entrustment: b-procx, accepted_by: 管理者, accepted_on: 2024-01-01,"
        " reason: 生じない指摘}\n", encoding="utf-8")
    ja = run("analyze", PROCX, "--baseline", baseline, "--lang", "ja").stdout
    assert f"受容リスト {baseline}：指摘 0 件を受容済みとして除外（期限切れで再び指摘 1 件、もう生じない指摘の受容 1 件）" in ja
    en = run("analyze", PROCX, "--baseline", baseline, "--format", "markdown", "--lang", "en").stdout
    assert "0 accepted finding(s) left out (1 expired and reported again, 1 no longer occurring)" in en


def test_a_long_name_is_cut_in_the_table_never_its_id(tmp_path):
    """A name wider than the column (46 screen columns) is cut with …; its id stays, and the
    column after it still lines up."""
    from entrustment_chain.graph.reports.columns import width

    long_name = "とても長い名前の株式会社" * 4
    chain = tmp_path / "long-name.yaml"
    chain.write_text(
        "schema: entrustment-chain/v1\norganizations:\n"
        f"  - {{id: c, name: {long_name}}}\n  - {{id: k, name: 委託先}}\n  - {{id: v, name: 再委託先}}\n"
        "entrustments:\n"
        "  - {id: c-k, consignor: c, contractor: k, personal_data: true, informed_subcontractors: [],"
        " approved_subcontractors: []}\n"
        "  - {id: k-v, consignor: k, contractor: v, personal_data: true}\n", encoding="utf-8")
    lines = run("analyze", chain, "--lang", "ja").stdout.splitlines()
    rows = [line for line in lines if line.startswith("  とても長い")]
    cells = {row[2:].split("  ")[0] for row in rows}
    assert len(rows) == 2 and len(cells) == 1  # undisclosed, could not supervise
    (cell,) = cells
    assert cell.endswith("…（c）") and long_name.startswith(cell.removesuffix("…（c）")) and 40 < width(cell) <= 46
    for row in rows:  # the widest cell of its column: the next column starts two spaces after it
        assert row[2 + len(cell):2 + len(cell) + 2] == "  " and row[2 + len(cell) + 2] != " "
    assert "  再委託先（v）  " in rows[0]  # the handler's column
