import sys

import click

from entrustment_chain.cli.common import (
    EXIT_FINDINGS,
    as_of_option,
    check_output,
    emit,
    emit_stream,
    handle_errors,
    input_argument,
    neo4j_options,
    open_store,
    output_option,
    source_of,
)


@click.command("analyze")
@input_argument
@click.option("--backend", type=click.Choice(["networkx", "neo4j"]), default="networkx", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]), default="table",
              show_default=True)
@click.option("--fail-on", type=click.Choice(["low", "medium", "high"]),
              help="Exit 1 when any finding is at or above this severity.")
@click.option("--dataset", help="Neo4j dataset name (default: the file's path as given).")
@as_of_option
@output_option
@neo4j_options
@handle_errors
def command(file: str, backend: str, fmt: str, fail_on: str | None, dataset: str | None, as_of,
            output: str | None, uri: str, username: str, database: str) -> None:
    """Find undisclosed and unapproved handlers, who could not supervise, and weak contracts."""
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.analysis.registry import Severity
    from entrustment_chain.graph.io.loader import input_name, load_chain
    from entrustment_chain.graph.reports import render as report

    check_output(output, file)
    chain = load_chain(file)
    if backend == "neo4j":
        from entrustment_chain.graph.neo4j.backend import Neo4jBackend

        with open_store(uri, username, database) as store:
            result = analyze(chain, Neo4jBackend(store, dataset, source=source_of(file)), source=input_name(file),
                             as_of=as_of)
    else:
        result = analyze(chain, source=input_name(file), as_of=as_of)
    if as_of is not None:  # the drawings show the chain as it stood that day, as the findings do
        from entrustment_chain.graph.analysis.asof import chain_as_of

        chain = chain_as_of(chain, as_of)
    if fmt == "json":  # written finding by finding: large chains have millions
        emit_stream(result.write_json, output, (file,))
        text = None
    elif fmt == "markdown":
        text = report.analysis_markdown(result, chain)
    elif fmt == "html":
        from entrustment_chain.graph.reports.html import html

        text = html(result, chain)
    else:
        text = report.analysis_table(result)
    if text is not None:
        emit(text, output, (file,))
    bound = result.summary["step_bound"]
    if bound["truncated"]:  # never silent: say which routes go further than both backends follow
        routes = ", ".join(f"{x['consignor']} by {x['route']}" for x in bound["truncated"][:5])
        more = f" and {len(bound['truncated']) - 5} more" if len(bound["truncated"]) > 5 else ""
        click.echo(f"warning: {len(bound['truncated'])} route(s) pass data on beyond {bound['max_steps']} steps, "
                   f"which are not followed: {routes}{more} (summary.step_bound in the JSON)", err=True)
    if fail_on:
        worst = result.worst()
        if worst is not None and worst.order >= Severity(fail_on).order:
            sys.exit(EXIT_FINDINGS)
