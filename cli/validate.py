import click

from entrustment_chain.cli.common import handle_errors, input_argument


@click.command("validate")
@input_argument
@handle_errors
def command(file: str) -> None:
    """Check a chain file; report every problem with its file, line and field."""
    from entrustment_chain.graph.io.loader import input_name, load_chain

    chain = load_chain(file)
    click.echo(f"{input_name(file)}: valid ({len(chain.organizations)} organizations, {len(chain.systems)} systems, "
               f"{len(chain.entrustments)} entrustments, {len(chain.access)} access grants)")
