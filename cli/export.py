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
@click.option("--strict", is_flag=True,
              help="dora-b0502: write nothing and exit 2 when a row would lack a code (an arrangement without "
                   "entrustments[].ict_service, a provider without organizations[].lei or euid); without it, "
                   "such cells are left empty and a warning names them.")
@click.option("--entity", "entities", multiple=True, metavar="ID",
              help="dora-b0502: the financial entity whose arrangements to write, by organisation id "
                   "(repeat for several); by default every organisation that entrusts work and is no "
                   "entrustment's contractor.")
@as_of_option
@output_option
@handle_errors
def command(file: str, fmt: str, dataset: str | None, strict: bool, entities: tuple[str, ...], as_of,
            output: str | None) -> None:
    """Write the chain graph for yEd/Gephi, Graphviz, Markdown, any Neo4j, or as JSON (undisclosed
    paths are marked), or the DORA Register of Information B_05.02 rows (CSV)."""
    from entrustment_chain.graph.io.loader import input_name, load_chain

    from entrustment_chain.graph.schema import default_dataset

    for flag, given in (("--strict", strict), ("--entity", entities)):
        if given and fmt != "dora-b0502":
            raise click.UsageError(f"{flag} applies to --format dora-b0502 only")
    check_output(output, file)
    chain = load_chain(file)
    if fmt == "dora-b0502":
        from entrustment_chain.graph.errors import InputError
        from entrustment_chain.graph.reports.dora import supply_chains

        register = supply_chains(chain, as_of, entities or None)
        if strict and register.refused:
            raise InputError(register.problems(input_name(file)))
        emit(register.to_csv(), output, (file,))
        for warning in register.warnings():
            click.echo(f"warning: {warning}", err=True)
        if register.missing:
            click.echo("warning: no code was invented for these cells (not OTHER, not a chain-file id); "
                       "record the fields above (docs/dora.md), or use --strict to refuse an incomplete "
                       "B_05.02", err=True)
        elif register.refused:
            click.echo("warning: nothing was guessed for what is left out above (docs/dora.md); record it, or "
                       "use --strict to refuse an incomplete B_05.02", err=True)
        return
    from entrustment_chain.graph.reports.export import export

    emit(export(chain, fmt, dataset=dataset or default_dataset(chain, source_of(file), as_of), as_of=as_of), output, (file,))
