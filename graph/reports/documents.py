"""The JSON documents the tool reads and writes, and their JSON Schemas (draft 2020-12).

One table, :data:`DOCUMENTS`, names each document, the pydantic model it is made from and its
version string (the ``schema`` field every output carries). ``chain schema --of NAME`` prints
:func:`json_schema` of it, the HTTP service's OpenAPI document is generated from the same
models, and the tests validate every output against these schemas, so a model that changes
shape changes its published schema with it.

The chain file and the baseline file are read: theirs are *validation* schemas (what a file may
hold). The outputs are written: theirs are *serialisation* schemas (what a document holds), with
the ``schema`` field pinned to the document's version, so that a validator refuses a document of
another version instead of misreading it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the CLI reads the names at start-up: no pydantic import for that
    from pydantic import BaseModel

# The JSON Schema dialect pydantic v2 writes ($defs, anyOf with null, siblings of $ref); each
# document says so, so that validators pick it.
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://entrustment-chain.invalid/schema/"


@dataclass(frozen=True)
class Document:
    name: str
    model: str  # "module:Class" under entrustment_chain.graph, imported when asked for
    version: str | None  # the name of the module-level constant that holds the version string
    mode: Literal["validation", "serialization"]
    what: str

    def model_class(self) -> type[BaseModel]:
        module, _, cls = self.model.partition(":")
        return getattr(importlib.import_module(f"entrustment_chain.graph.{module}"), cls)

    def version_string(self) -> str | None:
        if self.version is None:
            return None
        module, _, name = self.version.partition(":")
        return getattr(importlib.import_module(f"entrustment_chain.graph.{module}"), name)


DOCUMENTS: dict[str, Document] = {d.name: d for d in (
    Document("chain", "model.chain:ChainFile", None, "validation",
             "chain file v1, the input (YAML or JSON)"),
    Document("baseline", "analysis.baseline:BaselineFile", None, "validation",
             "a baseline file (--baseline): the findings the organisation has accepted, each with who, when "
             "and why"),
    Document("findings", "analysis.findings:FindingsDocument", "analysis.findings:FINDINGS_SCHEMA", "serialization",
             "chain analyze --format json"),
    Document("check", "analysis.onboarding:CheckResult", "analysis.onboarding:CHECK_SCHEMA", "serialization",
             "chain check --format json"),
    Document("survey", "analysis.survey:Survey", "analysis.survey:SURVEY_SCHEMA", "serialization",
             "chain survey --format json"),
    Document("breach", "analysis.breach:BreachReport", "analysis.breach:BREACH_SCHEMA", "serialization",
             "chain breach --format json"),
    Document("consignor", "analysis.consignor:ConsignorView", "analysis.consignor:CONSIGNOR_SCHEMA", "serialization",
             "chain analyze --consignor ID --format json"),
)}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of document ``name`` (a key of :data:`DOCUMENTS`), with ``$schema`` and
    ``$id`` first. Raises :class:`KeyError` naming the documents for an unknown name."""
    try:
        document = DOCUMENTS[name]
    except KeyError:
        raise KeyError(f"no document {name!r}; the documents are: {', '.join(DOCUMENTS)}") from None
    generated = document.model_class().model_json_schema(by_alias=True, mode=document.mode)
    version = document.version_string()
    # "entrustment-chain/findings/v2" is published as .../findings-v2.json
    schema_id = generated.pop("$id", None) or (BASE_ID + "-".join(version.split("/")[1:]) + ".json" if version
                                                else f"{BASE_ID}{name}-v1.json")
    if version is not None:
        pin_version(generated, version)
    generated.setdefault("description", document.what)
    return {"$schema": DRAFT_2020_12, "$id": schema_id, **generated}


def pin_version(schema: dict[str, Any], version: str) -> None:
    """Make ``schema`` (of an output document's model) require its ``schema`` field to be
    ``version`` and no other; the HTTP service's OpenAPI document pins its components so too."""
    properties = schema["properties"]
    properties["schema"] = {**properties["schema"], "const": version}
    properties["schema"].pop("default", None)
    required = schema.setdefault("required", [])
    if "schema" not in required:
        required.insert(0, "schema")


def output_versions() -> dict[str, str]:
    """The version of each output document, by its model's class name (``{"FindingsDocument":
    "entrustment-chain/findings/v2", …}``)."""
    return {d.model_class().__name__: d.version_string() for d in DOCUMENTS.values() if d.version is not None}
