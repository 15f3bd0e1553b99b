import click


@click.command("export")
def command() -> None:
    """(being built)"""
    raise click.ClickException("not available yet")
