"""Hostile input, round 2 (issue 17): one id grammar, step keys that cannot collide, strict types.

The corpora tests/bad/ids/ and tests/bad/typing/ hold one bad file a case, each listed in its
folder's expected.yaml with the exit code, line, field and a fragment of the message that
`chain validate FILE` must print. The other tests hold what must stay valid (chain file v1 is a
public contract: the new strictness refuses what is wrong, not what was valid and meaningful),
the agreement of the readers (YAML, JSON read whole, JSON streamed), and the step keys.
"""
import json
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.jsonstream import Fallback, read_valid_chain
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain, parse_chain_text
from entrustment_chain.graph.model.chain import FORMAT_CHARACTERS, MAX_COUNT, id_of_key_part, key_part

BAD = Path(__file__).parent / "bad"
FOLDERS = ("ids", "typing")
CASES = [(folder, name, *expected)
         for folder in FOLDERS
         for name, expected in sorted(yaml.safe_load((BAD / folder / "expected.yaml").read_text("utf-8")).items())]


def case_id(case):
    return f"{case[0]}/{case[1]}"


def test_corpora_are_complete():
    for folder in FOLDERS:
        files = {p.name for p in (BAD / folder).iterdir() if p.name != "expected.yaml"}
        listed = {name for f, name, *_ in CASES if f == folder}
        assert files == listed, f"{folder}: every bad file needs an expectation, and every expectation a file"
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_cli_refuses_naming_file_line_and_field(case, tmp_path, monkeypatch):
    folder, name, code, line, field, fragment = case
    path = BAD / folder / name
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == code, result.output
    assert f"{path}:{line}:" in result.output, result.output
    if field:
        assert f" {field}:" in result.output, result.output
    assert fragment in result.output, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_library_names_line_and_field(case):
    folder, name, _, line, field, fragment = case
    with pytest.raises(InputError) as info:
        load_chain(BAD / folder / name)
    assert any(p.line == line and p.field == field and fragment in p.message for p in info.value.problems), \
        "; ".join(str(p) for p in info.value.problems)


@pytest.mark.parametrize("case", [c for c in CASES if c[1].endswith(".json")], ids=case_id)
def test_the_streamed_reader_refuses_what_the_whole_reader_refuses(case):
    """jsonstream reads valid files element by element and hands anything else to the whole-file
    reader: it must stop (Fallback), never crash and never accept."""
    with open(BAD / case[0] / case[1], "rb") as handle, pytest.raises(Fallback):
        read_valid_chain(handle)


def test_analyze_with_output_writes_nothing_for_a_bad_file(tmp_path):
    out = tmp_path / "report.json"
    for path in (BAD / "ids" / "trailing-space-impersonates.yaml", BAD / "typing" / "subjects-nan.json"):
        result = CliRunner().invoke(main, ["analyze", str(path), "--format", "json", "-o", str(out)])
        assert result.exit_code == 2 and "Traceback" not in result.output
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# What stays valid

HEAD = "schema: entrustment-chain/v1\norganizations:\n  - {id: a, name: A社}\n  - {id: b, name: B社}\n"


def _yaml(text: str):
    return parse_chain_text(HEAD + text, "good.yaml")


def test_ids_with_inner_spaces_japanese_and_punctuation_stay_valid():
    chain = parse_chain_text("""schema: entrustment-chain/v1
organizations:
  - {id: "call center", name: 受電センター}
  - {id: 株式会社甲, name: 甲}
  - {id: "x@y#z>w%40 'q' \\"r\\" ./:;=?!&*+", name: 記号}
  - {id: 𠮷野家, name: 𠮷野家}
  - {id: "=", name: "="}
entrustments:
  - {id: 甲→受電, consignor: 株式会社甲, contractor: "call center"}
""", "good.yaml")
    assert [o.id for o in chain.organizations] == ["call center", "株式会社甲", "x@y#z>w%40 'q' \"r\" ./:;=?!&*+",
                                                   "𠮷野家", "="]


def test_names_and_free_text_keep_what_they_allowed():
    """Names may hold what they held (emoji sequences with a zero-width joiner, a soft hyphen, a
    format character); names and free text are still trimmed."""
    chain = _yaml("""systems:
  - {id: s, name: "  基幹\u00adシステム\u200b  "}
entrustments:
  - {id: e, consignor: a, contractor: b, work: "  受電業務\\t  ", evidence: [{kind: " contract ", note: " 👨\u200d👩\u200d👧 "}]}
""")
    assert chain.systems[0].name == "基幹\u00adシステム\u200b"
    entrustment = chain.entrustments[0]
    assert entrustment.work == "受電業務"
    assert entrustment.evidence[0].kind == "contract" and entrustment.evidence[0].note == "👨\u200d👩\u200d👧"
    named = parse_chain_text("schema: entrustment-chain/v1\norganizations:\n  - {id: a, name: ' 👨\u200d👩\u200d👧 社 '}\n")
    assert named.organizations[0].name == "👨\u200d👩\u200d👧 社"


def test_yaml_booleans_and_decimal_integers_keep_their_meaning():
    chain = _yaml("""systems:
  - {id: s, name: S, personal_data: yes}
entrustments:
  - id: e
    consignor: a
    contractor: b
    personal_data: no
    data_subjects: 231_000
    clauses: {transfer_safety: True, storage_safety: off, disposal_safety: ~}
  - {id: f, consignor: a, contractor: b, data_subjects: {count: +12, approximate: on}}
  - {id: g, consignor: a, contractor: b, data_subjects: 1000.0, period: !!str 2015}
""")
    s, (e, f, g) = chain.systems[0], chain.entrustments
    assert s.personal_data is True and e.personal_data is False
    assert e.data_subjects.count == 231000 and f.data_subjects.count == 12 and f.data_subjects.approximate is True
    assert (e.clauses.transfer_safety, e.clauses.storage_safety, e.clauses.disposal_safety) == (True, False, None)
    assert g.data_subjects.count == 1000 and g.period == "2015"


def test_counts_up_to_neo4j_s_largest_integer():
    def subjects(value):
        return chain_from_dict({"schema": "entrustment-chain/v1", "organizations": [{"id": "a", "name": "A"},
                                {"id": "b", "name": "B"}], "entrustments": [
                                {"id": "e", "consignor": "a", "contractor": "b", "data_subjects": value}]})

    assert subjects(MAX_COUNT).entrustments[0].data_subjects.count == 2**63 - 1
    assert subjects({"count": 0}).entrustments[0].data_subjects.count == 0
    for bad in (2**63, {"count": 2**70}, True, "12", 1.5, float("nan"), float("inf"), -1):
        with pytest.raises(InputError):
            subjects(bad)


@pytest.mark.parametrize("bad", ["false", "t", "yes", 0, 1, 0.0, "null", ""])
def test_tri_states_are_true_false_or_null_only(bad):
    data = {"schema": "entrustment-chain/v1", "organizations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            "entrustments": [{"id": "e", "consignor": "a", "contractor": "b", "supervision": {"onsite_inspection": bad}}]}
    with pytest.raises(InputError) as info:
        chain_from_dict(data)
    assert [p.field for p in info.value.problems] == ["entrustments[0].supervision.onsite_inspection"]
    data["entrustments"][0]["supervision"]["onsite_inspection"] = None
    assert chain_from_dict(data).entrustments[0].supervision.onsite_inspection is None


def test_format_character_table_is_unicode_s_category_cf():
    """chain.py keeps the format characters as a table (scanning unicodedata at import costs a
    quarter of a second); if a Python with a newer Unicode fails this, extend the table."""
    table = {code for a, b in FORMAT_CHARACTERS for code in range(a, b + 1)}
    assert table == {code for code in range(0x110000) if unicodedata.category(chr(code)) == "Cf"}


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\U000e0041",
                                  "\ufdd0", "\uffff", "\U0010fffe", "\u202e", "\x07", "\u2028", "\ud800"])
def test_every_kind_of_forbidden_character_is_refused_in_an_id_on_both_json_readers(char, tmp_path):
    text = json.dumps({"schema": "entrustment-chain/v1", "organizations": [{"id": "a" + char + "b", "name": "A"}]})
    path = tmp_path / "chain.json"
    path.write_text(text, encoding="utf-8")  # json.dumps escapes each as \uXXXX
    with open(path, "rb") as handle, pytest.raises(Fallback):
        read_valid_chain(handle)
    with pytest.raises(InputError) as info:
        load_chain(path)
    assert [p.field for p in info.value.problems] == ["organizations[0].id"]
    message = info.value.problems[0].message
    assert f"U+{ord(char):04X}" in message or (char == "\ud800" and "valid string" in message)  # pydantic's


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "9" * 4301, "true", '"7"', "7.5"])
def test_json_readers_agree_on_numbers(value, tmp_path):
    path = tmp_path / "chain.json"
    path.write_text('{"schema": "entrustment-chain/v1", "organizations": [{"id": "a", "name": "A"}, '
                    '{"id": "b", "name": "B"}], "entrustments": [{"id": "e", "consignor": "a", '
                    f'"contractor": "b", "data_subjects": {value}}}]}}', encoding="utf-8")
    with open(path, "rb") as handle, pytest.raises(Fallback):
        read_valid_chain(handle)
    with pytest.raises(InputError) as info:
        load_chain(path)
    assert [p.field for p in info.value.problems] == ["entrustments[0].data_subjects"]


def test_streamed_and_whole_readers_read_the_same_chain(tmp_path):
    data = {"schema": "entrustment-chain/v1",
            "organizations": [{"id": i, "name": f" {i} "} for i in ("x", "x@y", "a>b", "%40", "株式会社甲")],
            "systems": [{"id": "s#1", "name": "S", "operator": "x", "personal_data": True}],
            "entrustments": [{"id": "e#1", "consignor": "x", "contractor": "x@y", "systems": ["s#1"],
                              "data_subjects": {"count": 2**63 - 1, "approximate": False}, "work": " 受電 "}],
            "access": [{"organization": "a>b", "system": "s#1"}]}
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with open(path, "rb") as handle:
        streamed = read_valid_chain(handle)
    whole = parse_chain_text(path.read_text("utf-8"), str(path), "json")
    assert streamed == whole and streamed.organizations[1].name == "x@y"


# ---------------------------------------------------------------------------------------------
# Step keys

ODD_IDS = ["x", "x@y", "y", "y@z", "s#1", "s", "1", "a>b", "a", "b", "%40", "@", "%", "%25", "#", ">", "%2540", "x%40y"]


def test_key_parts_are_reversible_and_ordinary_ids_keep_their_keys():
    for value in ODD_IDS:
        assert id_of_key_part(key_part(value)) == value
    for ordinary in ("procx", "bs", "procx-cc", "株式会社甲", "e-1.2_3 (4)"):
        assert key_part(ordinary) == ordinary
        assert S.places_key(ordinary, "s") == f"{ordinary}#s"
        assert S.access_key(ordinary, "s") == f"{ordinary}@s" and S.operates_key(ordinary, "s") == f"{ordinary}>s"


def test_keys_are_injective_and_read_back():
    pairs = [(a, b) for a in ODD_IDS for b in ODD_IDS]
    for make in (S.places_key, S.access_key, S.operates_key):
        keys = [make(a, b) for a, b in pairs]
        assert len(set(keys)) == len(keys), make.__name__
    for entrustment, system in pairs:
        assert S.entrustment_of_step(S.PLACES_DATA_IN, S.places_key(entrustment, system)) == entrustment
        assert S.entrustment_of_step(S.ENTRUSTS, entrustment) == entrustment


def odd_chain():
    """Ids with every punctuation character the grammar allows (all of ASCII's, inner spaces,
    Japanese punctuation), and pairs whose keys collided: organisations x and x@y with systems
    y@s and s; a system s#1; an organisation a>b; %40."""
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ 0"
    japanese = "（株）甲・乙「丙」、〜：＠＃％＞。"
    data = {
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": i, "name": i} for i in ("c", "k", "x", "x@y", "a>b", "%40", punctuation, "x%40y",
                                                           japanese)],
        "systems": [{"id": "y@s", "name": "Y@S", "operator": "k"}, {"id": "s", "name": "S", "operator": "k"},
                    {"id": "s#1", "name": "S#1", "operator": "x@y", "personal_data": True},
                    {"id": "%23", "name": "%23", "operator": punctuation}],
        "entrustments": [
            {"id": "e", "consignor": "c", "contractor": "k", "personal_data": True, "systems": ["y@s", "s", "s#1"],
             "informed_subcontractors": [], "clauses": {"transfer_safety": False}},
            {"id": "e#s", "consignor": "c", "contractor": "a>b", "personal_data": True, "systems": ["%23"],
             "informed_subcontractors": ["x"]},
            {"id": "k>%40", "consignor": "k", "contractor": "%40", "personal_data": True, "systems": ["s#1"]},
            {"id": punctuation, "consignor": "a>b", "contractor": punctuation, "personal_data": None,
             "covers": ["c"]},
            {"id": japanese, "consignor": "c", "contractor": japanese, "personal_data": True,
             "systems": ["s#1"], "informed_subcontractors": ["%40", "x@y"], "approved_subcontractors": ["x@y"],
             "clauses": {"subcontract_restriction": True}},
        ],
        "access": [{"organization": "x", "system": "y@s", "kind": "maintenance"},
                   {"organization": "x@y", "system": "s"},
                   {"organization": "x%40y", "system": "s#1", "under": None},
                   {"organization": "%40", "system": "%23", "under": "k>%40"}],
    }
    return chain_from_dict(data, "odd.yaml")


def test_the_networkx_backend_finds_every_handler_of_odd_ids():
    result = analyze(odd_chain())
    handlers = {f.handler for f in result.by_rule("undisclosed_subcontracting") if f.consignor == "c"}
    assert {"x", "x@y", "x%40y", "%40"} <= handlers  # x and x@y both; s#1 read back
    assert all(step.entrustment in (None, *odd_chain().entrustments_by_id)
               for f in result.findings for step in getattr(f, "path", None) or ())


def test_a_huge_integer_as_a_mapping_key_is_a_line_error(tmp_path):
    """Keys are checked as values are: a 5,000-digit integer key is exit 2 with its line, not an
    internal error (a review found it; simple keys are capped at 1024 characters, ? keys are not)."""
    from click.testing import CliRunner

    from entrustment_chain.cli.main import main

    bad = tmp_path / "bigkey.yaml"
    bad.write_text("schema: entrustment-chain/v1\n? " + "1" * 5000 + "\n: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2, result.output
    assert f"{bad}:2" in result.output and "internal error" not in result.output
