import json

import click


@click.command("schema")
def command() -> None:
    """Print the JSON Schema of chain file v1, for tools that validate files before handing them over."""
    from entrustment_chain.graph.model.chain import ChainFile

    click.echo(json.dumps(ChainFile.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))
