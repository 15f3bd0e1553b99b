"""`chain analyze --consignor ID`: one organisation's view, from the sample vendor register imported
(the privacy officer's own question: where does my data go, and what must I do?)."""
import json

import pytest

from .conftest import run

SAMPLE = "fixtures/ledger/sakura-ledger.cp932.csv"


@pytest.fixture
def imported(tmp_path):
    chain = tmp_path / "sakura.yaml"
    result = run("import-ledger", SAMPLE, "--consignor", "sakura", "-o", str(chain))
    assert result.exit_code == 0, result.stderr
    return str(chain)


@pytest.mark.parametrize("fmt, lang, name", [("markdown", None, "analyze-consignor-sakura.ja.md"),
                                             ("markdown", "en", "analyze-consignor-sakura.en.md"),
                                             ("table", "ja", "analyze-consignor-sakura.ja.table.txt")])
def test_the_sample_register_per_consignor(golden, imported, fmt, lang, name):
    result = run("analyze", imported, "--consignor", "sakura", "--format", fmt, *(["--lang", lang] if lang else []))
    assert result.exit_code == 0 and result.stderr == ""
    golden(name, result.stdout)


def test_the_view_as_json_is_its_own_document(golden, imported):
    result = run("analyze", imported, "--consignor", "sakura", "--format", "json")
    assert result.exit_code == 0
    # the imported chain lives in a temporary folder: its path, as the document's source, is normalised
    # (tests/test_output_schemas.py validates the golden against the view's schema)
    golden("analyze-consignor-sakura.json", result.stdout.replace(imported, "sakura.yaml"))
    view = json.loads(result.stdout)
    assert view["schema"] == "entrustment-chain/consignor/v1"
    undisclosed = {h["id"] for h in view["handlers"] if h["disclosed"] is False}
    assert undisclosed == {"aoi", "kaede"}


def test_fail_on_judges_the_findings_about_it(imported):
    assert run("analyze", imported, "--consignor", "sakura", "--fail-on", "high").exit_code == 1
    assert run("analyze", imported, "--consignor", "sumire", "--fail-on", "low").exit_code == 0


def test_an_unknown_consignor_is_named_with_close_ids(imported):
    result = run("analyze", imported, "--consignor", "sakra")
    assert result.exit_code == 2
    assert "no organisation 'sakra'" in result.stderr and "'sakura' (株式会社さくら通販)" in result.stderr


def test_formats_without_a_view_are_refused(imported):
    result = run("analyze", imported, "--consignor", "sakura", "--format", "html")
    assert result.exit_code == 2 and "--consignor takes --format table, markdown or json" in result.stderr
