import click

from entrustment_chain.cli.common import (
    as_of_option,
    check_output,
    emit,
    handle_errors,
    input_argument,
    output_option,
    source_of,
)


@click.command("export")
@input_argument
@click.option("--format", "fmt", type=click.Choice(["graphml", "mermaid", "dot", "cypher", "json", "dora-b0502"]),
              required=True)
@click.option("--dataset", help="Dataset name written into the Cypher script (default: the file's path as given, as `chain load` names it).")
@as_of_option
@output_option
@handle_errors
def command(file: str, fmt: str, dataset: str | None, as_of, output: str | None) -> None:
    """Write the chain graph for yEd/Gephi, Graphviz, Markdown, any Neo4j, or as JSON (undisclosed
    paths are marked), or the DORA Register of Information B_05.02 rows (CSV)."""
    from entrustment_chain.graph.reports.export import export
    from entrustment_chain.graph.io.loader import load_chain

    from entrustment_chain.graph.schema import default_dataset

    check_output(output, file)
    chain = load_chain(file)
    emit(export(chain, fmt, dataset=dataset or default_dataset(chain, source_of(file), as_of), as_of=as_of), output, (file,))
