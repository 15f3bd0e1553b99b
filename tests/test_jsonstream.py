"""The streamed JSON read (graph/jsonstream.py) must accept exactly the valid files, and give the
very chain the whole-file read gives; anything else falls back to the whole-file read, whose
messages the bad-file tests pin down."""
import io
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from entrustment_chain.graph.io.generate import generate
from entrustment_chain.graph.io.jsonstream import Fallback, read_valid_chain
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.io.sourcemap import parse_yaml

from conftest import FIXTURES, TEACHING
from strategies import chain_dicts

BAD = Path(__file__).parent / "bad"


def stream(text: str | bytes, chunk: int = 1 << 20):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return read_valid_chain(io.BytesIO(raw), chunk=chunk)


VALID = [FIXTURES / "procx-2024" / "chain.yaml", *(p / "chain.yaml" for p in TEACHING)]


@pytest.mark.parametrize("source", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_valid_files_stream_to_the_same_chain(source: Path, chunk: int):
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False, indent=1)  # Japanese split across chunks at chunk 1 and 7
    assert stream(text, chunk) == chain_from_dict(data)


def test_generated_file_streams_to_the_same_chain(tmp_path: Path):
    data = generate(300, seed=5)
    assert stream("\ufeff" + json.dumps(data, ensure_ascii=False), chunk=4096) == chain_from_dict(data)


@settings(max_examples=60, deadline=None)
@given(data=chain_dicts(), chunk=st.integers(min_value=1, max_value=300), indent=st.sampled_from([None, 0, 2]))
def test_random_valid_chains_stream_identically(data, chunk, indent):
    expected = chain_from_dict(data)
    assert stream(json.dumps(data, ensure_ascii=False, indent=indent), chunk) == expected


def _bad_yaml_as_json():
    for path in sorted(BAD.glob("*.yaml")):
        if path.name == "expected.yaml":
            continue
        try:  # our own YAML reader: it refuses aliases (alias-bomb.yaml) and duplicate keys
            data, _ = parse_yaml(path.read_text(encoding="utf-8"))
            text = json.dumps(data, ensure_ascii=False)
        except Exception:  # YAML-only faults (syntax, aliases, encodings)
            continue
        yield pytest.param(text, id=path.name)


@pytest.mark.parametrize("text", list(_bad_yaml_as_json()))
def test_every_bad_file_falls_back(text: str):
    with pytest.raises(Fallback):
        stream(text, chunk=16)


@pytest.mark.parametrize("path", sorted(BAD.glob("*.json")), ids=lambda p: p.name)
def test_bad_json_files_fall_back(path: Path):
    with pytest.raises(Fallback):
        stream(path.read_bytes(), chunk=5)


BASE = {"schema": "entrustment-chain/v1", "organizations": [{"id": "a", "name": "A", "kind": "private"},
                                                            {"id": "b", "name": "B", "kind": "private"}]}


@pytest.mark.parametrize("text", [
    # whitespace validation would strip: the whole-file read refuses the reference, so must this
    json.dumps({**BASE, "entrustments": [{"id": "e", "consignor": " a", "contractor": "b", "work": "x"}]}),
    json.dumps(BASE)[:-1] + ', "organizations": []}',  # duplicate top-level key
    json.dumps(BASE)[:-2] + ', "name": "A2"}]}',  # duplicate key inside an element
    json.dumps(BASE) + " []",  # text after the document
    json.dumps(BASE).replace('"private"', "'private'", 1),  # syntax
    json.dumps({**BASE, "title": 12345}),  # a number at a chunk boundary is read whole, then refused
    json.dumps({**BASE, "organizations": {"a": 1}}),
    '["not", "a", "mapping"]',
    "",
])
@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_problems_fall_back(text: str, chunk: int):
    with pytest.raises(Fallback):
        stream(text, chunk)


def test_invalid_utf8_falls_back():
    with pytest.raises(Fallback):
        stream(json.dumps(BASE).encode() + b"\xff", chunk=4)


def test_load_chain_reports_what_the_stream_refused(tmp_path: Path):
    """Through load_chain, a refused file gets the usual messages, with lines."""
    from entrustment_chain.graph.errors import InputError

    path = tmp_path / "c.json"
    path.write_text(json.dumps({**BASE, "entrustments": [{"id": "e", "consignor": " a", "contractor": "b"}]},
                               indent=2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_chain(path)
    assert any(p.field == "entrustments[0].consignor" and p.line for p in caught.value.problems), \
        caught.value.problems
