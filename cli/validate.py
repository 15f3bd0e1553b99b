import click

from entrustment_chain.cli.common import handle_errors


@click.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@handle_errors
def command(file: str) -> None:
    """Check a chain file; report every problem with its file, line and field."""
    from entrustment_chain.graph.io.loader import load_chain

    chain = load_chain(file)
    click.echo(f"{file}: valid ({len(chain.organizations)} organizations, {len(chain.systems)} systems, "
               f"{len(chain.entrustments)} entrustments, {len(chain.access)} access grants)")
