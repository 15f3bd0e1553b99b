import click

from entrustment_chain.cli.common import handle_errors, input_argument


@click.command("validate")
@input_argument
@handle_errors
def command(file: str) -> None:
    """Check a chain file; report every problem with its file, line and field."""
    from entrustment_chain.graph.io.loader import input_name, load_chain

    chain = load_chain(file)

    def count(n: int, what: str) -> str:
        return f"{n} {what}" if n == 1 else f"{n} {what}s"

    click.echo(f"{input_name(file)}: valid ({count(len(chain.organizations), 'organization')}, "
               f"{count(len(chain.systems), 'system')}, {count(len(chain.entrustments), 'entrustment')}, "
               f"{count(len(chain.access), 'access grant')})")
