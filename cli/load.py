import click


@click.command("load")
def command() -> None:
    """(being built)"""
    raise click.ClickException("not available yet")
