import sys

import click

from entrustment_chain.cli.common import handle_errors, replace_atomically


@click.command("generate")
@click.option("--consignors", type=click.IntRange(min=1), required=True, help="How many consignors.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@handle_errors
def command(consignors: int, seed: int, fmt: str, output: str | None) -> None:
    """A synthetic chain file (about 10 entrustments per consignor), deterministic by seed."""
    import os
    import tempfile

    from entrustment_chain.graph import generate as g

    def write(handle) -> None:
        if fmt == "json":
            count = g.stream_json(consignors, seed, handle)
        else:
            data = g.generate(consignors, seed)
            g.dump_yaml(data, handle)
            count = len(data["entrustments"])
        click.echo(f"{count} entrustments", err=True)

    if not output or output == "-":
        write(sys.stdout)
        return
    directory = os.path.dirname(os.path.abspath(output))
    fd, tmp = tempfile.mkstemp(prefix=".generate.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            write(handle)
        replace_atomically(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise
