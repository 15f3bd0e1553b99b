import json

import click

from entrustment_chain.cli.common import handle_errors
from entrustment_chain.graph.reports.documents import DOCUMENTS


@click.command("schema")
@click.option("--of", "of", type=click.Choice(list(DOCUMENTS)), default="chain", show_default=True,
              help="Which document: the chain file or a baseline file (inputs), or the JSON output of analyze "
                   "(findings), check, survey, breach or analyze --consignor (consignor).")
@handle_errors
def command(of: str) -> None:
    """Print the JSON Schema (draft 2020-12) of a document: the chain file v1 (by default), for
    tools that validate files before handing them over, or an output of `--format json`, for
    tools that read it. Every property of the chain file has a description; docs/chain-file.md
    explains each field in Japanese and English."""
    from entrustment_chain.graph.reports.documents import json_schema

    click.echo(json.dumps(json_schema(of), ensure_ascii=False, indent=2))
