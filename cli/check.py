import os
import sys

import click

from entrustment_chain.cli.common import EXIT_FINDINGS, emit, handle_errors, output_option


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--add", "proposal", required=True, metavar="FILE_OR_YAML",
              help="The proposal: a chain-file fragment (file or inline YAML) of new organizations, "
                   "systems, entrustments and access grants.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@output_option
@handle_errors
def command(file: str, proposal: str, fmt: str, output: str | None) -> None:
    """What a proposed vendor or access grant would change, before it is signed.

    Exits 1 when a consignor would gain a handler it has not been told of or has not approved.
    """
    from entrustment_chain.graph import report
    from entrustment_chain.graph.loader import decode, load_chain
    from entrustment_chain.graph.onboarding import check
    from entrustment_chain.graph.sourcemap import SourceError, parse_yaml
    from entrustment_chain.graph.errors import InputError, Problem

    chain = load_chain(file)
    if os.path.exists(proposal):
        name = proposal
        with open(proposal, "rb") as handle:
            text = decode(handle.read(), name)
    else:
        name, text = "--add", proposal
    try:
        data, lines = parse_yaml(text)
    except SourceError as exc:
        raise InputError([Problem(name, exc.line, "", exc.message)]) from None
    result = check(chain, data, name, lines)
    if fmt == "json":
        text = report.to_json(result.to_json_dict())
    else:
        text = report.check_text(result, markdown=fmt == "markdown")
    emit(text, output)
    if result.blocking:
        sys.exit(EXIT_FINDINGS)
