import json

import click

# The JSON Schema dialect of the printed document. Pydantic v2 writes schemas in this dialect
# ($defs, anyOf with null, siblings of $ref); the document says so, so that validators pick it.
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


@click.command("schema")
def command() -> None:
    """Print the JSON Schema (draft 2020-12) of chain file v1, for tools that validate files before
    handing them over. Every property has a description; docs/chain-file.md explains each field
    in Japanese and English."""
    from entrustment_chain.graph.model.chain import ChainFile

    generated = ChainFile.model_json_schema(by_alias=True)
    # "$schema" and "$id" first, as a reader expects them; the rest as pydantic writes it
    document = {"$schema": DRAFT_2020_12, "$id": generated.pop("$id"), **generated}
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
