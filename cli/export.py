import click

from entrustment_chain.cli.common import emit, handle_errors, output_option


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["graphml", "mermaid", "dot", "cypher", "json", "dora-b0502"]),
              required=True)
@click.option("--dataset", help="Dataset name written into the Cypher script (default: the title).")
@output_option
@handle_errors
def command(file: str, fmt: str, dataset: str | None, output: str | None) -> None:
    """Write the chain graph for yEd/Gephi, Graphviz, Markdown, any Neo4j, or as JSON (undisclosed
    paths are marked), or the DORA Register of Information B_05.02 rows (CSV)."""
    from entrustment_chain.graph.export import export
    from entrustment_chain.graph.loader import load_chain

    emit(export(load_chain(file), fmt, dataset=dataset), output)
