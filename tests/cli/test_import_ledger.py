"""`chain import-ledger`: the sample vendor register of 株式会社さくら通販 (fixtures/ledger/, cp932
CSV and .xlsx) into a chain file, alone and into a base file; what `chain analyze` finds in it;
and a register with bad cells, every one reported."""
import json

import pytest

from .conftest import INPUTS, run

CSV = "fixtures/ledger/sakura-ledger.cp932.csv"
XLSX = "fixtures/ledger/sakura-ledger.xlsx"


@pytest.mark.parametrize("table", [CSV, XLSX])
def test_sample(golden, table):
    result = run("import-ledger", table, "--consignor", "sakura")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden("import-ledger-sakura.yaml", result.stdout)


def test_sample_with_its_name_given_and_written_to_a_file(golden, tmp_path):
    target = tmp_path / "out.yaml"
    result = run("import-ledger", CSV, "--consignor", "sakura", "--consignor-name", "株式会社さくら通販", "-o", target)
    assert result.exit_code == 0 and result.output == "", result.output
    golden.reference(golden_path("import-ledger-sakura.yaml"), target.read_text(encoding="utf-8"))


def test_into_a_base_file(golden):
    result = run("import-ledger", CSV, "--consignor", "sakura", "--into", f"{INPUTS}/ledger-base.yaml")
    assert result.exit_code == 0, result.output
    golden("import-ledger-sakura-into.yaml", result.stdout)


def test_analyze_the_imported_register(golden):
    """The untold subcontractor (aoi) and the maintenance firm (kaede) with access to the call
    centre's system are undisclosed handlers; sumire, told and approved, is not."""
    result = run("analyze", "tests/cli/expected/import-ledger-sakura.yaml", "--lang", "en")
    assert result.exit_code == 0, result.output
    golden("analyze-ledger-sakura.txt", result.stdout)
    findings = result.stdout.split("exposure")[0]
    assert "(aoi)" in findings and "(kaede)" in findings and "(sumire)" not in findings


def test_a_register_of_three_levels_notes_what_it_cannot_say(golden, tmp_path):
    """kiku works for sumire, himawari's subcontractor; sakura was told of it and approved it. What
    himawari was told of under its contract with sumire the register does not say: the file keeps
    it unknown, and import says that analyze will report kiku against himawari."""
    target = tmp_path / "out.yaml"
    result = run("import-ledger", f"{INPUTS}/ledger-three-levels.csv", "--consignor", "sakura", "-o", target)
    assert result.exit_code == 0 and result.stdout == "", result.output
    golden("import-ledger-three-levels.txt", result.stderr)
    analysed = run("analyze", target, "--format", "json")
    undisclosed = {(f["consignor"], f["handler"], f.get("evidence_unknown", False))
                   for f in json.loads(analysed.stdout)["findings"]
                   if f["rule"] == "undisclosed_subcontracting"}
    assert ("himawari", "kiku", True) in undisclosed
    assert not [f for f in undisclosed if f[:2] == ("sakura", "kiku")]


def test_bad_cells_are_all_reported_and_nothing_written(golden, tmp_path):
    target = tmp_path / "out.yaml"
    result = run("import-ledger", f"{INPUTS}/ledger-bad-cells.csv", "--consignor", "sakura", "-o", target)
    assert result.exit_code == 2 and result.stdout == "" and not target.exists()
    golden("import-ledger-bad.txt", result.stderr)


def golden_path(name):
    from .conftest import EXPECTED

    return EXPECTED / name


def test_a_local_governments_register_cites_article_66(tmp_path):
    """The register has no column for the consignor's kind: export warns of it, and import takes it
    from --consignor-kind, so that the findings cite 第66条, not 第25条; without it, a name that
    reads like a city's is noted, and the consignor is private."""
    table = tmp_path / "city.csv"
    result = run("export-ledger", "fixtures/teaching/multi-level-untold/chain.yaml", "--consignor", "city",
                 "-o", table)
    assert result.exit_code == 0, result.output
    assert "kind local_government (the register has no column for it: import it with --consignor-kind " \
           "local_government)" in result.stderr
    chain = tmp_path / "city.yaml"
    result = run("import-ledger", table, "--consignor", "city", "--consignor-kind", "local_government", "-o", chain)
    assert result.exit_code == 0, result.output
    assert "--consignor-kind" not in result.stderr
    result = run("analyze", chain, "--format", "json")
    assert '"appi-art66"' in result.stdout  # (vendor, an intermediary, is private: 第25条 for its own)

    private = tmp_path / "private.yaml"
    result = run("import-ledger", table, "--consignor", "city", "-o", private)
    assert result.exit_code == 0, result.output
    assert "note: city (甲市) is imported as a private business (個人情報保護法第25条)" in result.stderr
    assert "give --consignor-kind local_government (public_agency)" in result.stderr
    assert '"appi-art66"' not in run("analyze", private, "--format", "json").stdout


def test_consignor_kind_against_the_base_file(tmp_path):
    result = run("import-ledger", CSV, "--consignor", "sakura", "--into", f"{INPUTS}/ledger-base.yaml",
                 "--consignor-kind", "local_government")
    assert result.exit_code != 0 and result.stdout == ""
    assert "'local_government', but the base file makes 'sakura' 'private'" in result.stderr
    result = run("import-ledger", CSV, "--consignor", "sakura", "--consignor-kind", "bogus")
    assert result.exit_code != 0 and "bogus" in result.stderr
