"""Japanese outputs hold no English left untranslated (issue 14): every Japanese report of
`chain analyze` (markdown, html, table) on the ProCX fixture, on every teaching case and on the
sample vendor register imported (fixtures/ledger/), read by tests/japanese.py's ``untranslated``,
which spares code, URLs, ids, the chain's own words and the input's path. The English reports of
the same chains are read too, to show that the check finds English where there is some.

(The check, survey and breach reports have their own file.)"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.io.loader import load_chain

from conftest import PROCX, ROOT, TEACHING
from japanese import untranslated

LEDGER = ROOT / "fixtures" / "ledger" / "sakura-ledger.cp932.csv"
ACCEPTED = ROOT / "fixtures" / "procx-2024" / "accepted.yaml"
FORMATS = ("markdown", "html", "table")
CASES = {"procx": PROCX, **{f"teaching/{p.name}": p / "chain.yaml" for p in TEACHING}}


def analyze(chain, *args: str) -> str:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1700000000"}).invoke(main, ["analyze", str(chain), *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture(scope="module")
def ledger_chain(tmp_path_factory):
    """The sample register as `chain import-ledger … --consignor sakura` writes it."""
    target = tmp_path_factory.mktemp("ledger") / "sakura.yaml"
    result = CliRunner().invoke(main, ["import-ledger", str(LEDGER), "--consignor", "sakura", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_japanese_reports_hold_no_english(case, fmt):
    path = CASES[case]
    text = analyze(path, "--format", fmt, "--lang", "ja")
    assert untranslated(text, load_chain(path), [str(path)]) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_imported_register_in_japanese_holds_no_english(ledger_chain, fmt):
    text = analyze(ledger_chain, "--format", fmt, "--lang", "ja")
    assert "株式会社さくら通販" in text
    assert untranslated(text, load_chain(ledger_chain), [str(ledger_chain)]) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_with_a_baseline_and_a_day_the_japanese_reports_hold_no_english(fmt):
    """The lines under the summary (the day judged, what the baseline left out) are Japanese too."""
    text = analyze(PROCX, "--format", fmt, "--lang", "ja", "--baseline", str(ACCEPTED), "--as-of", "R5.1.31")
    assert "受容済みとして除外" in text and "基準日 令和 5 年 1 月 31 日時点" in text
    assert untranslated(text, load_chain(PROCX), [str(PROCX), str(ACCEPTED)]) == []


def test_routes_beyond_the_step_bound_are_said_in_japanese(tmp_path):
    """A chain longer than the 24 steps both backends follow: every report says which routes go
    further, in the report's language."""
    import yaml

    from test_analysis import long_chain

    chain = tmp_path / "long.yaml"
    chain.write_text(yaml.safe_dump(long_chain(), allow_unicode=True), encoding="utf-8")
    for fmt in FORMATS:
        text = analyze(chain, "--format", fmt, "--lang", "ja")
        assert "24 段を超えてデータが渡る経路が 6 件あり、その先は追跡していない" in text, fmt
        assert untranslated(text, load_chain(chain), [str(chain)]) == [], fmt
        assert "route(s) pass data on beyond 24 steps" in analyze(chain, "--format", fmt, "--lang", "en")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_check_finds_the_english_of_the_english_reports(fmt):
    words = untranslated(analyze(PROCX, "--format", fmt, "--lang", "en"), load_chain(PROCX), [str(PROCX)])
    assert {"consignor", "handler"} <= {w.lower() for w in words}


def test_markdown_and_html_are_japanese_by_default():
    env = {k: None for k in ("LC_ALL", "LC_MESSAGES", "LANG")}
    for fmt in ("markdown", "html"):
        result = CliRunner(env={**env, "SOURCE_DATE_EPOCH": "1700000000"}).invoke(
            main, ["analyze", str(PROCX), "--format", fmt])
        assert result.exit_code == 0 and untranslated(result.stdout, load_chain(PROCX), [str(PROCX)]) == []


def test_markdown_escapes_are_read_as_the_screen_shows_them():
    """md() writes test_routes as test\\_routes: the check reads the word a reader sees, and an
    escaped backtick starts no code span."""
    assert untranslated("入力：/tmp/test\\_routes/long.yaml", allowed=["/tmp/test_routes/long.yaml"]) == []
    assert untranslated("名前 \\`handler\\` です") == ["handler"]
