"""The seed's numbers, computed from the ProCX fixture (never typed into the tool)."""
import random

import pytest

from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph.analysis.onboarding import dump_chain
from entrustment_chain.graph.reports.survey_report import survey_markdown, survey_table
from entrustment_chain.graph.analysis.survey import pct, survey

from conftest import ROOT

# The seed's 第1, as (evaluated, yes, no, yes%, no%) per item; excluded per DESIGN.md.
SEED = {
    "clauses.transfer_safety": (60, 49, 11, 82, 18, 9),
    "clauses.storage_safety": (60, 53, 7, 88, 12, 9),
    "clauses.disposal_safety": (60, 51, 9, 85, 15, 9),
    "clauses.subcontract_restriction": (60, 58, 2, 97, 3, 9),
    "supervision.subcontract_check": (57, 24, 33, 42, 58, 12),
    "supervision.rules_confirmation": (56, 31, 25, 55, 45, 13),
    "supervision.written_reports": (56, 33, 23, 59, 41, 13),
    "supervision.onsite_inspection": (56, 22, 34, 39, 61, 13),
}


def assert_seed_numbers(s):
    assert s.consignors == 69
    for key, (evaluated, yes, no, yes_pct, no_pct, excluded) in SEED.items():
        item = s.items[key]
        assert (item.evaluated, item.yes, item.no, item.yes_pct, item.no_pct, item.excluded) == \
            (evaluated, yes, no, yes_pct, no_pct, excluded), key
    method = s.items["supervision.subcontract_check_method"]
    assert (method.evaluated, method.written, method.oral, method.written_pct, method.oral_pct) == (24, 17, 7, 71, 29)
    assert len(s.no_safeguard_clauses) == 7 and s.no_safeguard_clauses_by_kind == {"private": 7}
    assert len(s.no_supervision) == 14
    assert s.no_supervision_by_kind == {"private": 6, "local_government": 8}
    assert s.items["clauses.subcontract_restriction"].no_by_kind == {"private": 2}
    assert (s.not_informed.evaluated, s.not_informed.count) == (57, 57)


def test_procx_survey_reproduces_the_seed(procx_chain):
    s = survey(procx_chain, "procx")
    assert_seed_numbers(s)
    # the footnotes: 9 could answer nothing, 3 more nothing from (3) on, 1 more not 2(1)
    assert [e.count for e in s.items["supervision.rules_confirmation"].exclusions] == [9, 3, 1]
    assert s.not_informed.handlers == {"bs": 57}
    assert [r.name for r in s.listed] == [
        "B社", "C社", "D社", "E社", "F社", "G社", "H社", "I社", "J社",
        "K団体", "L団体", "M団体", "N団体", "O団体", "P団体", "Q団体", "R団体"]


def test_markdown_golden(procx_chain):
    golden = ROOT / "tests" / "golden" / "procx-survey.md"
    assert survey_markdown(survey(procx_chain, "procx")) == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", range(5))
def test_same_numbers_after_shuffling_and_relabelling(procx_chain, seed):
    rng = random.Random(seed)
    data = dump_chain(procx_chain)
    rename = {o["id"]: f"org{rng.randrange(10**9)}-{i}" for i, o in enumerate(data["organizations"])}
    for o in data["organizations"]:
        o["id"] = rename[o["id"]]
        o["name"] = o["name"] + "（改）"
    for e in data["entrustments"]:
        e["consignor"], e["contractor"] = rename[e["consignor"]], rename[e["contractor"]]
        e["id"] = f"e{rng.randrange(10**9)}-{e['id']}"
    renamed_under = {}
    for e, orig in zip(data["entrustments"], dump_chain(procx_chain)["entrustments"]):
        renamed_under[orig["id"]] = e["id"]
    for s in data["systems"]:
        s["operator"] = rename[s["operator"]]
    for a in data["access"]:
        a["organization"] = rename[a["organization"]]
        a["under"] = renamed_under[a["under"]]
    for section in ("organizations", "entrustments", "systems", "access"):
        rng.shuffle(data[section])
    shuffled = chain_from_dict(data)
    assert_seed_numbers(survey(shuffled, rename["procx"]))


def test_percentages_round_half_up():
    assert pct(1, 8) == 13  # 12.5
    assert pct(1, 40) == 3  # 2.5
    assert pct(3, 8) == 38  # 37.5
    assert pct(0, 0) is None
    assert pct(49, 60) == 82


def test_any_contractor_any_file():
    from entrustment_chain.graph.io.loader import load_chain

    chain = load_chain(ROOT / "fixtures" / "teaching" / "maintenance-access" / "chain.yaml")
    s = survey(chain, "callcenter")
    assert s.consignors == 1
    assert s.items["clauses.storage_safety"].no == 1
    assert s.no_supervision == ["insurer"]
    assert (s.not_informed.evaluated, s.not_informed.count) == (1, 1)


def test_an_item_with_nothing_evaluated_prints_no_percentage():
    """Every consignor answered 回答不能: the report says nothing was evaluated, never "None%"."""
    chain = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "a", "name": "A社"}, {"id": "k", "name": "K社"}],
        "entrustments": [{"id": "a-k", "consignor": "a", "contractor": "k", "personal_data": True}],
    })
    text = survey_markdown(survey(chain, "k"))
    assert "None" not in text
    assert "あり = 0 団体（評価対象なし）" in text and "書面 = 0 団体（評価対象なし）" in text
    english = survey_markdown(survey(chain, "k"), "en")
    assert "None" not in english
    assert "- Yes = 0 consignors (none evaluated)" in english and "- In writing = 0 consignors (none evaluated)" in english
    for lang in ("ja", "en"):
        assert "None" not in survey_table(survey(chain, "k"), lang)


def _shape(line: str) -> str:
    """What a markdown line is: a heading of its level, a table row of its cells, a list item
    of its depth, a blank line or text."""
    if line.startswith("#"):
        return line.split(" ", 1)[0]
    if line.startswith("|"):
        return f"row of {line.count(' | ') + 1}"
    if line.lstrip().startswith("- "):
        return f"item at {len(line) - len(line.lstrip())}"
    return "blank" if not line else "text"


def test_english_markdown_mirrors_the_japanese_sections(procx_chain):
    """The same sections, tables and rows in the same order, with English labels."""
    s = survey(procx_chain, "procx")
    ja, en = survey_markdown(s).splitlines(), survey_markdown(s, "en").splitlines()
    assert list(map(_shape, ja)) == list(map(_shape, en))
    assert [line.split(" ", 2)[1] for line in en if line.startswith("### ")] == \
        ["1(1)", "1(2)", "1(3)", "1(4)", "2(1)", "2(2)"]
    assert "| B社 (b) | about 231,000 | 2015-03 to 2017-03 | all absent | present |" in en
    assert "- No = 33 consignors, 58% (6 businesses, 27 local governments)" in en
