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
    lang_option,
    language,
    neo4j_options,
    open_store,
    output_option,
    source_of,
)


@click.command("analyze")
@input_argument
@click.option("--backend", type=click.Choice(["networkx", "neo4j"]), default="networkx", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "html", "sarif", "junit"]),
              default="table", show_default=True,
              help="sarif: SARIF 2.1.0 for code scanning; junit: JUnit XML for CI test reports (docs/ci.md).")
@click.option("--fail-on", type=click.Choice(["low", "medium", "high"]),
              help="Exit 1 when any finding is at or above this severity (findings a baseline accepts do not count).")
@click.option("--baseline", type=click.Path(), metavar="ACCEPTED.yaml",
              help="Findings accepted, with who accepted them, when and why: they are left out of the report "
                   "and of --fail-on (kept in SARIF as suppressed); stale and expired entries are warned of.")
@click.option("--dataset", help="Neo4j dataset name (default: the file's path as given).")
@click.option("--write", is_flag=True,
              help="With --backend neo4j: record the findings in the dataset for Neo4j Browser (:Undisclosed, "
                   "UNDISCLOSED_TO, FINDING, undisclosed_for, display names; docs/neo4j-findings.md).")
@click.option("--consignor", metavar="ID",
              help="One organisation's data: every handler its data reaches by name, the path by names, told / "
                   "approved per route, when, and what to do (docs/consignor.md); --format table, markdown or "
                   "json (entrustment-chain/consignor/v1); --fail-on judges the findings about it.")
@as_of_option
@lang_option
@output_option
@neo4j_options
@handle_errors
def command(file: str, backend: str, fmt: str, fail_on: str | None, baseline: str | None, dataset: str | None,
            write: bool, consignor: str | None, as_of, lang: str | None, output: str | None, uri: str,
            username: str, database: str) -> None:
    """Find undisclosed and unapproved handlers, who could not supervise, and weak contracts."""
    from entrustment_chain.graph.analysis.baseline import apply_baseline, load_baseline, match_baseline
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.analysis.registry import Severity
    from entrustment_chain.graph.errors import InputError, Problem
    from entrustment_chain.graph.io.loader import input_name, load_chain
    from entrustment_chain.graph.reports import render as report

    if file == "-" and baseline == "-":
        raise InputError([Problem("--baseline", None, "", "standard input can be read once: give the chain file "
                                  "or the baseline as a file")])
    if write and backend != "neo4j":
        raise click.UsageError("--write records the findings in Neo4j: give --backend neo4j")
    if consignor is not None and fmt not in ("table", "markdown", "json"):
        raise click.UsageError(f"--consignor takes --format table, markdown or json, not {fmt}")
    inputs = (file, baseline)  # what -o may not be
    check_output(output, *inputs)
    chain = load_chain(file)
    if consignor is not None and consignor not in chain.organizations_by_id:  # before analysing a large chain
        from entrustment_chain.graph.analysis.consignor import unknown_consignor

        raise unknown_consignor(chain, consignor)
    accepted = load_baseline(baseline) if baseline is not None else None
    if backend == "neo4j":
        from entrustment_chain.graph.neo4j.backend import Neo4jBackend

        with open_store(uri, username, database) as store:
            result = analyze(chain, Neo4jBackend(store, dataset, source=source_of(file)), source=input_name(file),
                             as_of=as_of)
            if write:  # every finding, before any baseline: the graph shows what the analysis found
                from entrustment_chain.graph.neo4j.findings_graph import write_findings
                from entrustment_chain.graph.schema import default_dataset

                # the dataset the backend analysed: NAME, or NAME@as-of:DAY for the chain as of a day
                name = default_dataset(chain, dataset or source_of(file), as_of)
                written = write_findings(store, name, result)
                click.echo(f"findings {written['version']} "
                           f"{'already recorded' if written['reused'] else 'recorded'} in dataset {name!r}", err=True)
    else:
        result = analyze(chain, source=input_name(file), as_of=as_of)
    full, match = result, None  # full: every finding (SARIF shows the accepted ones as suppressed)
    if accepted is not None:
        match = match_baseline(full, accepted)
        result = apply_baseline(full, accepted, match=match)
    if consignor is not None:  # one organisation's view of the analysis (of the whole chain: it takes the day itself)
        from entrustment_chain.graph.analysis.consignor import consignor_view
        from entrustment_chain.graph.reports import consignor_report

        view = consignor_view(chain, consignor, result, as_of=as_of)
        render = {"json": consignor_report.consignor_json,
                  "table": lambda v: consignor_report.consignor_table(v, language(lang, "table")),
                  "markdown": lambda v: consignor_report.consignor_markdown(v, language(lang, "markdown"))}[fmt]
        emit(render(view), output, inputs)
        findings = [f for f in result.findings if f.consignor == consignor]
        worst = max((f.severity for f in findings), key=lambda s: s.order, default=None)
        if fail_on and worst is not None and worst.order >= Severity(fail_on).order:
            sys.exit(EXIT_FINDINGS)
        return
    if as_of is not None:  # the drawings show the chain as it stood that day, as the findings do
        from entrustment_chain.graph.analysis.asof import chain_as_of

        chain = chain_as_of(chain, as_of)
    if fmt == "json":  # written finding by finding: large chains have millions
        emit_stream(result.write_json, output, inputs)
        text = None
    elif fmt == "markdown":
        text = report.analysis_markdown(result, chain, language(lang, fmt))
    elif fmt == "html":
        from entrustment_chain.graph.reports.html import html

        text = html(result, chain, input_file=file, lang=language(lang, fmt))
    elif fmt == "sarif":  # every finding, those the baseline accepts as suppressed results
        from entrustment_chain.graph.reports import sarif

        sources = sarif.SourceLines.read(file)
        emit_stream(lambda out: sarif.write_analysis_sarif(out, full, chain, sources, match), output, inputs)
        text = None
    elif fmt == "junit":
        from entrustment_chain.graph.reports.junit import write_analysis_junit
        from entrustment_chain.graph.reports.sarif import SourceLines

        sources = SourceLines.read(file)
        emit_stream(lambda out: write_analysis_junit(out, result, chain, sources), output, inputs)
        text = None
    else:
        text = report.analysis_table(result, chain, language(lang, fmt))
    if text is not None:
        emit(text, output, inputs)
    bound = result.summary["step_bound"]
    if bound["truncated"]:  # never silent: say which routes go further than both backends follow
        routes = ", ".join(f"{x['consignor']} by {x['route']}" for x in bound["truncated"][:5])
        more = f" and {len(bound['truncated']) - 5} more" if len(bound["truncated"]) > 5 else ""
        click.echo(f"warning: {len(bound['truncated'])} route(s) pass data on beyond {bound['max_steps']} steps, "
                   f"which are not followed: {routes}{more} (summary.step_bound in the JSON)", err=True)
    if match is not None:
        for line in match.warnings():
            click.echo(line, err=True)
        click.echo(f"{match.baseline.file}: {len(match.suppressed)} accepted finding(s) left out "
                   f"(summary.baseline in the JSON)", err=True)
    if fail_on:
        worst = result.worst()
        if worst is not None and worst.order >= Severity(fail_on).order:
            sys.exit(EXIT_FINDINGS)
