import click

from entrustment_chain.cli.common import emit, handle_errors, output_option


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["graphml", "mermaid", "dot", "cypher", "json", "dora-b0502"]),
              required=True)
@click.option("--dataset", help="Dataset name written into the Cypher script (default: the file's path as given, as `chain load` names it).")
@output_option
@handle_errors
def command(file: str, fmt: str, dataset: str | None, output: str | None) -> None:
    """Write the chain graph for yEd/Gephi, Graphviz, Markdown, any Neo4j, or as JSON (undisclosed
    paths are marked), or the DORA Register of Information B_05.02 rows (CSV)."""
    from entrustment_chain.graph.reports.export import export
    from entrustment_chain.graph.io.loader import load_chain

    from entrustment_chain.graph.schema import default_dataset

    chain = load_chain(file)
    emit(export(chain, fmt, dataset=dataset or default_dataset(chain, file)), output)
