"""`chain survey`: ProCX's consignors as the regulator tabulated them (第1 tables, 第2 lists), in
Japanese and in English; markdown in Japanese by default, the table in the locale's language."""
import json

import pytest

from .conftest import EXPECTED, PROCX, ROOT, run

# The Japanese markdown has its golden file in tests/golden/ (the seed comparisons own it): it is
# compared here, never copied or rewritten.
SEED_GOLDEN = ROOT / "tests" / "golden" / "procx-survey.md"
C_LOCALE = {"LANG": "C", "LC_ALL": None, "LC_MESSAGES": None}
JA_LOCALE = {"LANG": "ja_JP.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}


def test_procx_json(golden):
    result = run("survey", PROCX, "--contractor", "procx", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden("survey-procx.json", result.stdout)


@pytest.mark.parametrize("fmt, lang, name", [("table", "en", "survey-procx.en.txt"),
                                             ("table", "ja", "survey-procx.ja.txt"),
                                             ("markdown", "en", "survey-procx.en.md")])
def test_procx_in_each_language(golden, fmt, lang, name):
    result = run("survey", PROCX, "--contractor", "procx", "--format", fmt, "--lang", lang)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(name, result.stdout)


@pytest.mark.parametrize("args", [(), ("--lang", "ja")])
def test_procx_markdown_is_the_seed_layout_in_japanese(golden, args):
    result = run("survey", PROCX, "--contractor", "procx", "--format", "markdown", *args, env=C_LOCALE)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden.reference(SEED_GOLDEN, result.stdout)


@pytest.mark.parametrize("env, args, expected", [
    (C_LOCALE, (), "survey-procx.en.txt"),
    (JA_LOCALE, (), "survey-procx.ja.txt"),
    ({"LANG": "C", "LC_ALL": "ja_JP.UTF-8", "LC_MESSAGES": None}, (), "survey-procx.ja.txt"),
    ({"LANG": None, "LC_ALL": None, "LC_MESSAGES": None}, (), "survey-procx.en.txt"),
    (JA_LOCALE, ("--lang", "en"), "survey-procx.en.txt"),
    (C_LOCALE, ("--lang", "ja"), "survey-procx.ja.txt"),
    (JA_LOCALE, ("--format", "markdown", "--lang", "en"), "survey-procx.en.md"),
])
def test_the_language_by_default_and_by_lang(golden, env, args, expected):
    result = run("survey", PROCX, "--contractor", "procx", *args, env=env)
    assert result.exit_code == 0, result.output
    golden.reference(EXPECTED / expected, result.stdout)


def spans(line: str) -> list[tuple[int, int, str]]:
    """The cells of a table's line (text between runs of two or more spaces) with the display
    columns each starts and ends at, as a terminal shows them (a kanji takes two)."""
    import re

    from entrustment_chain.graph.reports.columns import width

    return [(width(line[:m.start()]), width(line[:m.end()]), m.group()) for m in re.finditer(r"\S+(?: \S+)*", line)]


def columns_of(line: str) -> int:
    from entrustment_chain.graph.reports.columns import width

    return width(line)


def test_japanese_table_lines_up_by_display_width():
    """Every row's cells start (text) or end (numbers) where the header's do, as a terminal shows
    them (a kanji takes two columns), and the numbers are the seed's."""
    lines = run("survey", PROCX, "--contractor", "procx", "--lang", "ja").stdout.splitlines()
    assert lines[0] == "委託元に対する調査結果：株式会社NTTマーケティングアクトProCX（procx）、本件委託元 69 団体"
    header = spans(lines[2])
    assert [c[2] for c in header] == ["項目", "区分", "評価対象", "あり", "なし", "あり（%）", "なし（%）", "除外"]
    for line in lines[3:13]:
        row = spans(line)
        assert row[0][0] == header[0][0] and row[1][0] == header[1][0], line  # 項目, 区分: left
        numbers = [c for c in row[2:] if not c[2].startswith("（")]
        ends = {c[1] for c in header[2:]}
        assert all(c[1] in ends for c in numbers), line  # the numbers: right, under their headers
        assert len(line) < columns_of(line)  # wide characters: len() would misplace every column
    row = next(line for line in lines if line.startswith("再委託の有無の確認"))
    assert row.split()[1:8] == ["1(3)", "57", "24", "33", "42%", "58%", "12"]
    assert "上記 3 つの監督状況が、いずれも「なし」となっていた団体：14 団体（民間事業者が 6 社、地方公共団体が 8 団体）" in lines
    assert "  C社（c）、D社（d）、G社（g）、H社（h）、I社（i）、J社（j）、K団体（k）、L団体（l）、M団体（m）、N団体（n）、" \
           "O団体（o）、P団体（p）、Q団体（q）、R団体（r）" in lines


def test_unknown_contractor_exits_2(golden):
    result = run("survey", PROCX, "--contractor", "nobody")
    assert result.exit_code == 2 and result.stdout == ""
    golden("survey-unknown-contractor.txt", result.stderr)


def test_as_of_surveys_the_contracts_begun_by_then():
    result = run("survey", PROCX, "--contractor", "procx", "--as-of", "2015-01-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2015-01-01" and data["consignors"] == 55  # 14 contracts began later
    table = run("survey", PROCX, "--contractor", "procx", "--as-of", "H27.1.1", "--lang", "en")
    assert "55 consignors (the contracts begun by 2015-01-01)" in table.stdout
    table = run("survey", PROCX, "--contractor", "procx", "--as-of", "H27.1.1", "--lang", "ja")
    assert "本件委託元 55 団体（基準日 平成 27 年 1 月 1 日時点で開始していた委託）" in table.stdout
    markdown = run("survey", PROCX, "--contractor", "procx", "--as-of", "H27.1.1", "--format", "markdown", "--lang", "en")
    assert "Consignors surveyed: 55 (the contracts begun by 2015-01-01)" in markdown.stdout
    assert "as_of" not in json.loads(run("survey", PROCX, "--contractor", "procx", "--format", "json").stdout)
