"""The findings/v2 document (`chain analyze --format json|jsonl`): every finding of the library
is in it, with nothing lost that the v1 document said (the messages with --messages), the shared
parts (rules, legal references) once, and a size that keeps up with millions of findings."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.findings import Analysis, Finding, FindingsDocument
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.io.generate import generate
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain

from conftest import FIXTURES, TEACHING

CASES = TEACHING + [FIXTURES / "procx-2024"]


def document(analysis: Analysis, **options) -> tuple[str, dict]:
    out = io.StringIO()
    analysis.write_json(out, **options)
    return out.getvalue(), json.loads(out.getvalue())


def steps_with_sources(route: dict, consignor: str) -> list[tuple[str, str, str, str]]:
    """A route's [type, key, target] steps with their sources put back, as the document says:
    the first leaves the consignor (kind entrustment) or the system (kind system), each next one
    leaves where the one before went."""
    source = consignor if route["kind"] == "entrustment" else route["id"]
    found = []
    for kind, key, target in route["path"]:
        found.append((kind, key, source, target))
        source = target
    return found


def same_finding(entry: dict, f: Finding, messages: bool, detail: tuple[str, ...]) -> None:
    assert entry["rule"] == f.rule
    assert entry["consignor"] == f.consignor
    assert entry.get("handler") == f.handler
    assert entry.get("entrustment") == f.entrustment
    assert entry.get("handlers", []) == f.handlers
    assert entry.get("evidence_unknown", False) == f.evidence_unknown
    assert entry.get("conduct_date") == f.conduct_date
    assert entry["legal_basis"] == [b.id for b in f.legal_references]
    routes = entry.get("routes", [])
    assert len(routes) == len(f.routes)
    for route, expected in zip(routes, f.routes):
        assert (route["kind"], route["id"]) == (expected.kind, expected.id)
        assert steps_with_sources(route, f.consignor) == [(s.type, s.key, s.source, s.target) for s in expected.path]
        w = expected.windows
        if w is None:
            assert "windows" not in route
            continue
        for side in ("certain", "possible"):
            spans = [(x.start, x.end, x.wareki) if messages else (x.start, x.end) for x in getattr(w, side)]
            assert [tuple(x) for x in route["windows"][side]] == spans
        assert route["windows"].get("unknown_period", False) == w.unknown_period
    if f.routes:  # v1's `path` was the first route's
        assert [(s.type, s.key) for s in f.path] == [(k, key) for k, key, _ in routes[0]["path"]]
    if messages:
        assert (entry["message"], entry["message_ja"]) == (f.message, f.message_ja)
    else:
        assert "message" not in entry and "message_ja" not in entry
    # what the message needs beyond the ids (the missing clauses, the systems, the countries) is
    # in the entry, named as the rule's column
    column = RULES[f.rule].detail
    if column in ("missing", "systems", "countries"):
        assert entry.get(column, []) == list(detail)
    assert not {"missing", "systems", "countries"} - {column} & set(entry)


@pytest.mark.parametrize("messages", [False, True], ids=["plain", "messages"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_finding_is_in_the_document(case: Path, messages: bool):
    analysis = analyze(load_chain(case / "chain.yaml"))
    text, doc = document(analysis, messages=messages)
    FindingsDocument.model_validate(doc)
    assert doc["schema"] == "entrustment-chain/findings/v2"
    assert doc["summary"] == json.loads(json.dumps(analysis.summary))
    assert list(doc["rules"]) == list(RULES)
    assert {k: v["severity"] for k, v in doc["rules"].items()} == {r.id: r.severity.value for r in RULES.values()}
    findings = list(analysis.findings)
    assert len(doc["findings"]) == len(findings) == doc["summary"]["findings"]
    cited = {}
    for entry, f, r in zip(doc["findings"], findings, analysis.findings.records):
        same_finding(entry, f, messages, r.detail)
        cited.update((b.id, b) for b in f.legal_references)
    # the references cited, each once, and no other
    assert set(doc["legal_references"]) == set(cited)
    for key, b in cited.items():
        assert {k: doc["legal_references"][key][k] for k in ("text", "ja", "ref")} == {"text": b.text, "ja": b.ja,
                                                                                       "ref": b.ref}
    assert doc["exposure"] == [x.model_dump(mode="json") for x in analysis.exposure]
    # a finding a line: grep and head work on it
    lines = text.splitlines()
    assert sum(1 for line in lines if line.startswith('    {"rule":')) == len(findings)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_jsonl_is_the_document_line_by_line(case: Path):
    analysis = analyze(load_chain(case / "chain.yaml"))
    _, doc = document(analysis, messages=True)
    out = io.StringIO()
    analysis.write_jsonl(out, messages=True)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0].pop("record") == "head"
    assert lines[0] == {k: v for k, v in doc.items() if k not in ("findings", "exposure")}
    assert all(line.pop("record") == "finding" for line in lines[1:1 + len(doc["findings"])])
    assert lines[1:1 + len(doc["findings"])] == doc["findings"]
    rest = lines[1 + len(doc["findings"]):]
    assert all(line.pop("record") == "exposure" for line in rest)
    assert rest == doc["exposure"]


def test_summary_only_keeps_the_counts(procx_chain):
    analysis = analyze(procx_chain)
    _, whole = document(analysis)
    _, head = document(analysis, summary_only=True)
    FindingsDocument.model_validate(head)
    assert "findings" not in head and "exposure" not in head
    assert head == {k: v for k, v in whole.items() if k not in ("findings", "exposure")}
    assert head["summary"]["findings"] == 279  # the seed's: every finding still counted
    out = io.StringIO()
    analysis.write_jsonl(out, summary_only=True)
    assert [json.loads(line)["record"] for line in out.getvalue().splitlines()] == ["head"]


def test_to_json_dict_is_what_is_written(procx_chain):
    analysis = analyze(procx_chain)
    assert analysis.to_json_dict(messages=True) == document(analysis, messages=True)[1]


@pytest.mark.parametrize("seed", [0, 1])
def test_a_finding_costs_at_most_400_bytes(seed: int):
    """Issue 16's bound on the document's size, on a generated chain (whose findings are mostly
    paths of several steps, the largest kind): the whole file, head and exposure included."""
    analysis = analyze(chain_from_dict(generate(400, seed)))
    text, _ = document(analysis)
    size = len(text.encode("utf-8"))
    assert len(analysis.findings) > 5000
    assert size / len(analysis.findings) <= 400, size / len(analysis.findings)
    # and what --messages adds is the messages: v1's size, about 1.4 KB a finding and more
    with_messages, _ = document(analysis, messages=True)
    assert len(with_messages.encode("utf-8")) > 2 * size
