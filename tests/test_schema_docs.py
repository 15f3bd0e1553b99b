"""The chain file is documented where users look: every property of `chain schema` has a
description, the schema says which JSON Schema dialect it is, docs/chain-file.md names every
field of every model and its example is a valid chain file that gives the findings it describes,
and docs/design.md names every label and relationship type of the graph schema."""
import json
import re

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from conftest import ROOT
from entrustment_chain.cli.main import main
from entrustment_chain.graph.model import chain as model

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def printed_schema() -> dict:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def properties_without_description(node, where="#") -> list[str]:
    """Every property, anywhere in the document (top level, $defs, nested schemas), that has no
    non-empty description."""
    missing = []
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            text = prop.get("description") if isinstance(prop, dict) else None
            if not (isinstance(text, str) and text.strip()):
                missing.append(f"{where}/properties/{name}")
        for key, value in node.items():
            missing += properties_without_description(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            missing += properties_without_description(value, f"{where}/{index}")
    return missing


def test_every_property_of_the_schema_has_a_description():
    schema = printed_schema()
    assert "$defs" in schema and schema["properties"]  # the walk below has something to walk
    assert properties_without_description(schema) == []


def test_the_walk_finds_a_missing_description():
    schema = {"properties": {"a": {"description": "x"}},
              "$defs": {"M": {"properties": {"b": {"type": "string"}, "c": {"description": " "}}}}}
    assert properties_without_description(schema) == ["#/$defs/M/properties/b", "#/$defs/M/properties/c"]


def test_schema_declares_draft_2020_12_and_keeps_its_id():
    schema = printed_schema()
    assert schema["$schema"] == DRAFT_2020_12
    assert schema["$id"] == "https://entrustment-chain.invalid/schema/v1.json"
    assert list(schema)[:2] == ["$schema", "$id"]


def test_clause_and_supervision_descriptions_reach_the_graph_schema():
    from entrustment_chain.graph import schema as S

    props = {p.name: p.description for p in S.RELATIONSHIPS[S.ENTRUSTS].properties}
    for group in (model.Clauses, model.Supervision):
        for name, field in group.model_fields.items():
            assert props[name] == field.description and props[name] != name


def models() -> list[type[BaseModel]]:
    return [value for value in vars(model).values()
            if isinstance(value, type) and issubclass(value, BaseModel)
            and value.__module__ == model.__name__ and value.model_fields]


def test_chain_file_doc_names_every_field():
    text = (ROOT / "docs" / "chain-file.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", text))
    assert len(models()) >= 10
    missing = [f"{m.__name__}.{field.alias or name}" for m in models()
               for name, field in m.model_fields.items() if (field.alias or name) not in named]
    assert missing == []


def chain_file_example() -> str:
    text = (ROOT / "docs" / "chain-file.md").read_text(encoding="utf-8")
    examples = [block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if block.startswith("schema:")]
    assert len(examples) == 1
    return examples[0]


def test_chain_file_example_is_valid_and_gives_the_findings_it_describes():
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.io.loader import parse_chain_text

    result = analyze(parse_chain_text(chain_file_example(), "docs/chain-file.md", "yaml"))
    found = {(f.rule, f.consignor, f.handler) for f in result.findings}
    assert found == {
        ("undisclosed_subcontracting", "insurer", "maint"),
        ("undisclosed_subcontracting", "city", "maint"),
        ("unapproved_subcontracting", "insurer", "mailer"),
        ("unapproved_subcontracting", "insurer", "maint"),
        ("could_not_supervise", "insurer", None),
        ("could_not_supervise", "city", None),
        ("misclassified_subcontract", "callcenter", "maint"),
        ("missing_safeguard_clause", "insurer", "callcenter"),
    }
    unknown = {f.consignor for f in result.by_rule("undisclosed_subcontracting") if f.evidence_unknown}
    assert unknown == {"city"}


def test_design_doc_names_the_graph_schema():
    from entrustment_chain.graph import schema as S

    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    names = [*S.NODES, S.DATASET, *S.ROLES, *S.RELATIONSHIPS]
    assert [name for name in names if f"`{name}`" not in text] == []


def test_procx_fixture_is_valid_against_the_printed_schema():
    import jsonschema  # a test dependency (pyproject's test extra): never skipped
    schema = printed_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load((ROOT / "fixtures" / "procx-2024" / "chain.yaml").read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []
