"""Every JSON document the tool writes validates against the schema `chain schema --of` prints.

The schemas are generated from the result models (graph/reports/documents.py), so these tests check
that what is written is what the models say: the streamed findings writer (which does not go
through pydantic), the typed summary dicts, and every optional part (as-of, baselines). A
document of another version is refused by its `schema` const."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from conftest import PROCX, ROOT, TEACHING
from entrustment_chain.cli.main import main
from entrustment_chain.graph.reports.documents import DOCUMENTS, json_schema

EXPECTED = ROOT / "tests" / "cli" / "expected"
BREACH_CASES = [p for p in TEACHING if (p / "breach-expected.yaml").exists()]


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    out = {}
    for name in DOCUMENTS:
        schema = json_schema(name)
        Draft202012Validator.check_schema(schema)  # the schema itself is a valid draft 2020-12 schema
        out[name] = Draft202012Validator(schema)
    return out


def assert_valid(validator: Draft202012Validator, document: object) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def document_name(document: dict) -> str:
    """The document name of a written document, by its `schema` field
    ("entrustment-chain/findings/v1" is "findings"; "entrustment-chain/v1" is a chain file)."""
    parts = document["schema"].split("/")
    return parts[1] if len(parts) == 3 else "chain"


def test_every_document_has_a_schema_and_its_version():
    for name, document in DOCUMENTS.items():
        schema = json_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].startswith("https://entrustment-chain.invalid/schema/")
        if document.version is not None:
            assert schema["properties"]["schema"]["const"] == document.version_string()
            assert "schema" in schema["required"]
    assert json_schema("findings")["$id"].endswith("/findings-v2.json")


def test_an_unknown_document_names_the_documents():
    with pytest.raises(KeyError, match="the documents are: chain, baseline, findings, check, survey, breach, consignor"):
        json_schema("finding")


def written_documents() -> list[Path]:
    """The JSON goldens that are documents of ours (not a query's rows or an export)."""
    out = []
    for path in sorted(EXPECTED.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and str(document.get("schema", "")).startswith("entrustment-chain/"):
            out.append(path)
    return out


@pytest.mark.parametrize("golden", [p.name for p in written_documents()])
def test_json_goldens_validate(validators, golden):
    document = json.loads((EXPECTED / golden).read_text(encoding="utf-8"))
    assert_valid(validators[document_name(document)], document)


def test_goldens_cover_every_output():
    names = {document_name(json.loads(p.read_text(encoding="utf-8"))) for p in written_documents()}
    assert set(DOCUMENTS) - {"baseline"} <= names  # a baseline is read, never written: see below


@pytest.mark.parametrize("case", TEACHING, ids=lambda p: p.name)
def test_analyze_of_every_teaching_case_validates(validators, case, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = str(case.relative_to(ROOT) / "chain.yaml")
    assert_valid(validators["findings"], cli_json("analyze", path))
    assert_valid(validators["findings"], cli_json("analyze", path, "--as-of", "2023-01-31"))


def test_procx_outputs_validate_with_their_optional_parts(validators, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = str(PROCX.relative_to(ROOT))
    findings = cli_json("analyze", path, "--as-of", "R5.1.31")
    assert "undisclosed_handlings" in findings["summary"]["as_of"]
    assert_valid(validators["findings"], findings)
    survey = cli_json("survey", path, "--contractor", "procx", "--as-of", "R5.1.31")
    assert "as_of" in survey
    assert_valid(validators["survey"], survey)
    check = cli_json("check", "fixtures/procx-2024/chain-without-bs.yaml", "--add", "fixtures/procx-2024/proposal-bs.yaml", "--as-of", "2023-01-31")
    assert_valid(validators["check"], check)


@pytest.mark.parametrize("case", BREACH_CASES, ids=lambda p: p.name)
def test_breach_of_the_teaching_cases_validates(validators, case, monkeypatch):
    monkeypatch.chdir(ROOT)
    runs = yaml.safe_load((case / "breach-expected.yaml").read_text(encoding="utf-8"))
    for run in runs:
        options = run["options"]
        args = ["--handler", options["handler"]]
        if "known" in options:
            args += ["--known", str(options["known"])]
        document = cli_json("breach", str(case.relative_to(ROOT) / "chain.yaml"), *args)
        assert_valid(validators["breach"], document)


def test_every_chain_file_validates_against_the_chain_schema(validators):
    for path in [PROCX, *(p / "chain.yaml" for p in TEACHING)]:
        assert_valid(validators["chain"], yaml.safe_load(path.read_text(encoding="utf-8")))


def test_a_document_of_another_version_or_shape_is_refused(validators):
    document = json.loads((EXPECTED / "analyze-procx.json").read_text(encoding="utf-8"))
    assert_valid(validators["findings"], document)
    assert not validators["findings"].is_valid({**document, "schema": "entrustment-chain/findings/v1"})
    assert not validators["findings"].is_valid({**document, "extra": 1})
    summary = {**document["summary"], "by_rule": {**document["summary"]["by_rule"], "x": "many"}}
    assert not validators["findings"].is_valid({**document, "summary": summary})
    finding = {**document["findings"][0]}
    del finding["legal_basis"]
    assert not validators["findings"].is_valid({**document, "findings": [finding]})
    # v1's shapes are refused: a path step as an object, a finding with its legal texts
    route = document["findings"][0]["routes"][0]
    step = dict(zip(("type", "key", "target"), route["path"][0]), source="b")
    assert not validators["findings"].is_valid(
        {**document, "findings": [{**document["findings"][0], "routes": [{**route, "path": [step]}]}]})
    assert not validators["findings"].is_valid(
        {**document, "findings": [{**document["findings"][0], "legal_references": []}]})


def test_random_chains_validate(validators):
    from randomchains import random_chain
    from io import StringIO

    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.io.loader import chain_from_dict

    for seed in range(15):
        chain = random_chain(seed)
        for as_of in (None, date(2020, 6, 30)):
            out = StringIO()
            analyze(chain_from_dict(chain), as_of=as_of).write_json(out)
            assert_valid(validators["findings"], json.loads(out.getvalue()))


def test_the_sample_baseline_validates(validators):
    document = yaml.safe_load((ROOT / "fixtures" / "procx-2024" / "accepted.yaml").read_text(encoding="utf-8"))
    assert_valid(validators["baseline"], json.loads(json.dumps(document, default=str)))
    assert not validators["baseline"].is_valid({**document, "version": 2})
    assert not validators["baseline"].is_valid({"version": 1, "accepted": [{**document["accepted"][0], "rule": "typo"}]})


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_property_is_described(name):
    """Tools and their developers read these schemas (and the service's OpenAPI, made from the same
    models): every property says what it holds."""
    schema = json_schema(name)
    missing = [f"{name}.{key}" for key, value in schema["properties"].items() if "description" not in value]
    missing += [f"{model}.{key}" for model, definition in schema.get("$defs", {}).items()
                for key, value in definition.get("properties", {}).items() if "description" not in value]
    assert missing == []
