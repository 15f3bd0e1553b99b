"""Every file under tests/bad/ is refused with exit 2, naming its file, line and field, and
without a traceback; expected.yaml says what each must report."""
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.loader import load_chain

BAD = Path(__file__).parent / "bad"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def test_corpus_is_complete():
    # chain files at the top; the folders beside them hold the corpora of other inputs (each with
    # its own expected.yaml and test module)
    files = {p.name for p in BAD.iterdir() if p.is_file() and p.name != "expected.yaml"}
    assert files == set(EXPECTED), "every bad file needs an expectation, and every expectation a file"
    assert len(files) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_library_names_line_and_field(name):
    line, field, fragment = EXPECTED[name]
    with pytest.raises(InputError) as info:
        load_chain(BAD / name)
    matches = [p for p in info.value.problems if p.line == line and p.field == field and fragment in p.message]
    assert matches, f"{name}: wanted line {line} field {field!r} with {fragment!r}; got " + \
        "; ".join(str(p) for p in info.value.problems)
    assert all(p.file == str(BAD / name) for p in info.value.problems)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_exit_2_without_traceback(name):
    line, field, fragment = EXPECTED[name]
    result = CliRunner().invoke(main, ["validate", str(BAD / name)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    location = f"{BAD / name}:{line}:"
    assert location in result.output and fragment in result.output
    if field:
        assert f" {field}:" in result.output


def test_all_problems_reported_at_once(tmp_path):
    bad = tmp_path / "many.yaml"
    bad.write_text("""schema: entrustment-chain/v1
organizations:
  - {id: a, name: A, kind: nope}
  - {id: a, name: B}
entrustments:
  - {id: e, consignor: a, contractor: zz, period: 平成32年}
  - {id: f, consignor: a, contractor: a, color: red}
""", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_chain(bad)
    fields = {p.field for p in info.value.problems}
    assert {"organizations[0].kind", "organizations[1].id", "entrustments[0].contractor",
            "entrustments[0].period", "entrustments[1].color", "entrustments[1].contractor"} <= fields


def test_bom_is_accepted(tmp_path):
    good = tmp_path / "bom.yaml"
    good.write_bytes(b"\xef\xbb\xbf" + "schema: entrustment-chain/v1\norganizations:\n  - {id: a, name: 甲}\n".encode())
    assert load_chain(good).organizations[0].name == "甲"


def test_missing_file_is_input_error(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "cannot read the file" in result.output


def test_a_list_where_an_id_belongs_is_a_problem_not_a_crash():
    """Found by the fuzzer: a consignor given as a list once crashed the reference checks."""
    from entrustment_chain.graph.io.loader import chain_from_dict

    data = {"schema": "entrustment-chain/v1", "organizations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            "entrustments": [{"id": "e", "consignor": [], "contractor": "b"}]}
    with pytest.raises(InputError) as info:
        chain_from_dict(data, "x.yaml")
    assert [p.field for p in info.value.problems] == ["entrustments[0].consignor"]
