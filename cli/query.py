import click


@click.command("query")
def command() -> None:
    """(being built)"""
    raise click.ClickException("not available yet")
