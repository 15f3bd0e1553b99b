import click

from entrustment_chain.cli.common import check_output, emit_stream, handle_errors


@click.command("generate")
@click.option("--consignors", type=click.IntRange(min=1), required=True, help="How many consignors.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(allow_dash=True),
              help="Write here (atomically; '-': standard output) instead of standard output.")
@handle_errors
def command(consignors: int, seed: int, fmt: str, output: str | None) -> None:
    """A synthetic chain file (about 10 entrustments per consignor), deterministic by seed."""
    from entrustment_chain.graph.io import generate as g

    check_output(output)

    def write(handle) -> None:
        if fmt == "json":
            count = g.stream_json(consignors, seed, handle)
        else:
            data = g.generate(consignors, seed)
            g.dump_yaml(data, handle)
            count = len(data["entrustments"])
        click.echo(f"{count} entrustments", err=True)

    emit_stream(write, output)
