"""`chain analyze` output that keeps up with large chains (issue 16): --format jsonl, --messages,
--summary-only, --limit, and a markdown report that leaves out a drawing Mermaid would refuse."""
import json

import pytest

from entrustment_chain.graph.analysis.findings import FindingsDocument

from .conftest import PROCX, run

C_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C"}


def test_json_is_findings_v2_and_messages_are_asked_for():
    plain = run("analyze", PROCX, "--format", "json")
    full = run("analyze", PROCX, "--format", "json", "--messages")
    assert plain.exit_code == full.exit_code == 0, plain.output + full.output
    a, b = json.loads(plain.stdout), json.loads(full.stdout)
    FindingsDocument.model_validate(a)
    FindingsDocument.model_validate(b)
    assert a["schema"] == b["schema"] == "entrustment-chain/findings/v2"
    assert all("message_ja" in f for f in b["findings"]) and not any("message_ja" in f for f in a["findings"])
    assert "ProCX" in b["findings"][0]["message_ja"] or "NTT" in b["findings"][0]["message_ja"]
    assert len(full.stdout_bytes) > 2 * len(plain.stdout_bytes)


def test_jsonl_has_a_head_then_a_line_per_finding(tmp_path):
    out = tmp_path / "procx.jsonl"
    result = run("analyze", PROCX, "--format", "jsonl", "-o", out)
    assert result.exit_code == 0 and result.stdout == "", result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["record"] == "head" and lines[0]["schema"] == "entrustment-chain/findings/v2"
    findings = [x for x in lines if x["record"] == "finding"]
    assert len(findings) == lines[0]["summary"]["findings"] == 279
    document = json.loads(run("analyze", PROCX, "--format", "json").stdout)
    assert [{k: v for k, v in x.items() if k != "record"} for x in findings] == document["findings"]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_summary_only_has_the_counts_and_no_findings(fmt):
    result = run("analyze", PROCX, "--format", fmt, "--summary-only")
    assert result.exit_code == 0, result.output
    head = json.loads(result.stdout.splitlines()[0] if fmt == "jsonl" else result.stdout)
    assert "findings" not in head and head["summary"]["findings"] == 279
    assert head["summary"]["by_rule"]["undisclosed_subcontracting"] == 69


def test_summary_only_table_lists_each_rule_with_its_count():
    result = run("analyze", PROCX, "--summary-only", "--lang", "ja", env=C_LOCALE)
    assert result.exit_code == 0, result.output
    assert "委託元に知らされていない再委託（取扱者）　重大度 高　69 件" in result.stdout
    assert "B社（b）" not in result.stdout  # no finding's row
    assert "--limit で表示件数" not in result.stdout  # nor a line of rows left out


@pytest.mark.parametrize("fmt, more", [("table", "  ほか 67 件（--limit で表示件数を変えられます）"),
                                       ("markdown", "- ほか 67 件（--limit で表示件数を変えられます）")])
def test_limit_shows_the_first_of_each_rule_and_says_how_many_more(fmt, more):
    result = run("analyze", PROCX, "--format", fmt, "--limit", "2", "--lang", "ja", env=C_LOCALE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert more in lines  # undisclosed_subcontracting: 69, 2 shown
    whole = run("analyze", PROCX, "--format", fmt, "--lang", "ja", env=C_LOCALE).stdout
    assert len(result.stdout) < len(whole)
    if fmt == "markdown":  # the findings shown are the whole report's first ones
        first = [line for line in whole.splitlines() if line.startswith("- B社（b）：")][0]
        assert first in lines


def test_limit_in_html_caps_every_rule():
    result = run("analyze", PROCX, "--format", "html", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("<tr data-c=") <= 3 * 12
    assert '<tr class="allmore">' in result.stdout


@pytest.mark.parametrize("args, says", [
    (("--format", "table", "--messages"), "--messages is for --format json or jsonl"),
    (("--format", "json", "--limit", "3"), "--limit is for the formats people read"),
    (("--format", "sarif", "--summary-only"), "--summary-only is for table, markdown, html, json and jsonl"),
    (("--consignor", "b", "--limit", "3"), "--consignor shows one organisation's view"),
    (("--limit", "-1"), "-1 is not in the range x>=0"),
])
def test_options_that_do_not_fit_the_format_are_usage_errors(args, says):
    result = run("analyze", PROCX, *args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr and "Traceback" not in result.output


def test_markdown_of_a_large_chain_leaves_out_the_drawing_mermaid_refuses(tmp_path):
    chain = tmp_path / "large.json"
    assert run("generate", "--consignors", "80", "-o", chain).exit_code == 0
    result = run("analyze", chain, "--format", "markdown", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert "```mermaid" not in result.stdout
    assert "Mermaid が描くのは 500 本まで" in result.stdout
    small = run("analyze", PROCX, "--format", "markdown")
    assert "```mermaid" in small.stdout


def test_html_limit_keeps_every_consignor_countable_in_the_filter():
    """With fewer rows than consignors, a consignor without a row keeps its "left out" row (not a
    finding's), so that selecting it in the filter still shows its count; the limit holds."""
    import re

    result = run("analyze", PROCX, "--format", "html", "--limit", "1")
    assert result.exit_code == 0, result.output
    section = result.stdout.split("undisclosed_subcontracting", 2)[2].split("</details>")[0]
    assert section.count('<tr data-c="') == 1  # the limit: one finding's row
    counted = {int(c): int(n) for c, n in re.findall(r'<tr class="cmore" data-c="(\d+)" data-n="(\d+)"', section)}
    rows = {int(c) for c in re.findall(r'<tr data-c="(\d+)"', section)}
    assert len(rows | set(counted)) == 69  # every consignor: a row, or how many of its own are left out
    assert sum(counted.values()) + len(rows) == 69


def test_html_limit_over_the_page_size_is_the_default():
    whole = run("analyze", PROCX, "--format", "html", env={"SOURCE_DATE_EPOCH": "1700000000"})
    big = run("analyze", PROCX, "--format", "html", "--limit", "5000", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert big.stdout == whole.stdout


def test_html_summary_only_heads_every_rule_with_its_count():
    result = run("analyze", PROCX, "--format", "html", "--summary-only")
    assert result.exit_code == 0, result.output
    assert result.stdout.count('<details class="rule"') == 10  # the rules with findings
    assert result.stdout.count('<tr class="allmore">') == 10 and "<tr data-c=" not in result.stdout


@pytest.mark.parametrize("args, says", [
    (("--summary-only", "--limit", "3"), "--summary-only shows no findings: --limit does not go with it"),
    (("--format", "junit", "--limit", "1"), "not junit, which keeps every finding\n"),
])
def test_more_options_that_do_not_fit(args, says):
    result = run("analyze", PROCX, *args)
    assert result.exit_code == 2 and says in result.stderr, result.output


def test_write_as_of_a_dataset_without_its_file_is_refused_before_any_connection():
    result = run("analyze", "--backend", "neo4j", "--dataset", "procx", "--write", "--as-of", "2020-01-31",
                 env={"NEO4J_URI": "bolt://127.0.0.1:9"})
    assert result.exit_code == 2, result.output
    assert "--write with --as-of records the findings of the chain as of that day" in result.stderr


def test_line_breaks_of_unicode_in_names_do_not_split_json_lines(tmp_path):
    import yaml

    chain = yaml.safe_load(open(PROCX, encoding="utf-8"))
    bs = next(o for o in chain["organizations"] if o["id"] == "bs")
    bs["name"] = "NTT\u2028ビジネス\u2029ソリューションズ"
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(chain, allow_unicode=True), encoding="utf-8")
    result = run("analyze", path, "--format", "jsonl", "--messages")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]  # str.splitlines breaks at U+2028
    assert len(lines) == 1 + 279 + 2
    assert lines[-1]["name"] == "NTT\u2028ビジネス\u2029ソリューションズ" or lines[-2]["name"] == bs["name"]
    assert any("\u2028" in x.get("message_ja", "") for x in lines)
