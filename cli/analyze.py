import sys

import click

from entrustment_chain.cli.common import (
    EXIT_FINDINGS,
    as_of_option,
    check_output,
    emit,
    emit_stream,
    backend_options,
    chain_argument,
    handle_errors,
    lang_option,
    language,
    neo4j_options,
    open_chain,
    output_option,
    require_chain,
    source_of,
)


@click.command("analyze")
@chain_argument
@backend_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "markdown", "html", "sarif", "junit"]),
              default="table", show_default=True,
              help="json: the findings/v2 document (docs/findings-json.md); jsonl: the same as JSON Lines, a head "
                   "line then a line per finding; sarif: SARIF 2.1.0 for code scanning; junit: JUnit XML for CI "
                   "test reports (docs/ci.md).")
@click.option("--messages", is_flag=True,
              help="json, jsonl: add each finding's message in English and Japanese (message, message_ja) and each "
                   "window's wareki; left out by default (a reader can build them from the rest).")
@click.option("--summary-only", is_flag=True,
              help="The counts without the findings: table, markdown and html show each rule's count; json and "
                   "jsonl leave out findings and exposure.")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="table, markdown, html: at most N findings of each rule (the counts stay whole, and the report "
                   "says how many are not shown; html holds at most 2,000 a rule whatever N).")
@click.option("--fail-on", type=click.Choice(["low", "medium", "high"]),
              help="Exit 1 when any finding is at or above this severity (findings a baseline accepts do not count).")
@click.option("--baseline", type=click.Path(), metavar="ACCEPTED.yaml",
              help="Findings accepted, with who accepted them, when and why: they are left out of the report "
                   "and of --fail-on (kept in SARIF as suppressed); stale and expired entries are warned of.")
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
def command(file: str | None, backend: str, fmt: str, messages: bool, summary_only: bool, limit: int | None, fail_on: str | None, baseline: str | None, dataset: str | None,
            write: bool, consignor: str | None, as_of, lang: str | None, output: str | None, uri: str,
            username: str, database: str) -> None:
    """Find undisclosed and unapproved handlers, who could not supervise, and weak contracts.

    The chain is FILE, or with --backend neo4j and no FILE the dataset --dataset NAME (a chain
    already in a shared database, analysed without its file)."""
    from entrustment_chain.graph.analysis.baseline import apply_baseline, load_baseline, match_baseline
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.analysis.registry import Severity
    from entrustment_chain.graph.errors import InputError, Problem
    from entrustment_chain.graph.reports import render as report

    if file == "-" and baseline == "-":
        raise InputError([Problem("--baseline", None, "", "standard input can be read once: give the chain file "
                                  "or the baseline as a file")])
    if write and backend != "neo4j":
        raise click.UsageError("--write records the findings in Neo4j: give --backend neo4j")
    if consignor is not None and fmt not in ("table", "markdown", "json"):
        raise click.UsageError(f"--consignor takes --format table, markdown or json, not {fmt}")
    if messages and fmt not in ("json", "jsonl"):
        raise click.UsageError(f"--messages is for --format json or jsonl (--format {fmt} has its messages)")
    if limit is not None and fmt not in ("table", "markdown", "html"):
        raise click.UsageError(f"--limit is for the formats people read (table, markdown, html), not {fmt}, "
                               "which keeps every finding" + (" (--summary-only leaves them out)"
                                                              if fmt in ("json", "jsonl") else ""))
    if summary_only and limit is not None:
        raise click.UsageError("--summary-only shows no findings: --limit does not go with it")
    if summary_only and fmt in ("sarif", "junit"):
        raise click.UsageError(f"--summary-only is for table, markdown, html, json and jsonl, not {fmt}")
    if consignor is not None and (messages or summary_only or limit is not None):
        raise click.UsageError("--consignor shows one organisation's view: --messages, --summary-only and --limit "
                               "do not apply to it")
    if summary_only:
        limit = 0
    require_chain(file, dataset, backend)
    if write and as_of is not None and file is None:
        # a dataset is analysed as of the day where it is; its findings that day are not the
        # dataset's own, which --write records (with FILE they go to NAME@as-of:DAY)
        raise click.UsageError("--write with --as-of records the findings of the chain as of that day in a dataset "
                               "of its own, loaded from FILE: give the chain FILE, or leave out --as-of")
    inputs = (file, baseline)  # what -o may not be
    check_output(output, *inputs)
    with open_chain(file, dataset, backend, uri, username, database) as source:
        chain = source.chain
        if consignor is not None and consignor not in chain.organizations_by_id:  # before analysing a large chain
            from entrustment_chain.graph.analysis.consignor import unknown_consignor

            raise unknown_consignor(chain, consignor)
        accepted = load_baseline(baseline) if baseline is not None else None
        result = analyze(chain, source.backend, source=source.name, as_of=as_of)
        if write:  # every finding, before any baseline: the graph shows what the analysis found
            from entrustment_chain.graph.neo4j.findings_graph import write_findings
            from entrustment_chain.graph.schema import default_dataset

            # the dataset the backend analysed: a dataset read as it is; a file loaded as NAME, or as
            # NAME@as-of:DAY for the chain as of a day
            name = dataset if file is None else default_dataset(chain, dataset or source_of(file), as_of)
            written = write_findings(source.store, name, result)
            click.echo(f"findings {written['version']} "
                       f"{'already recorded' if written['reused'] else 'recorded'} in dataset {name!r}", err=True)
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
    if fmt in ("json", "jsonl"):  # written finding by finding: large chains have millions
        write = result.write_json if fmt == "json" else result.write_jsonl
        emit_stream(lambda out: write(out, messages=messages, summary_only=summary_only), output, inputs)
        text = None
    elif fmt == "markdown":  # written finding by finding too
        emit_stream(lambda out: report.write_analysis_markdown(out, result, chain, language(lang, fmt), limit),
                    output, inputs)
        text = None
    elif fmt == "html":
        from entrustment_chain.graph.reports.html import html

        text = html(result, chain, input_file=file, lang=language(lang, fmt), limit=limit)
    elif fmt == "sarif":  # every finding, those the baseline accepts as suppressed results
        from entrustment_chain.graph.reports import sarif

        sources = sarif.SourceLines.of_input(file, chain)
        emit_stream(lambda out: sarif.write_analysis_sarif(out, full, chain, sources, match), output, inputs)
        text = None
    elif fmt == "junit":
        from entrustment_chain.graph.reports.junit import write_analysis_junit
        from entrustment_chain.graph.reports.sarif import SourceLines

        sources = SourceLines.of_input(file, chain)
        emit_stream(lambda out: write_analysis_junit(out, result, chain, sources), output, inputs)
        text = None
    else:
        text = report.analysis_table(result, chain, language(lang, fmt), limit=limit)
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

