import click

from entrustment_chain.cli.common import (
    Day,
    backend_options,
    chain_argument,
    check_output,
    emit,
    handle_errors,
    lang_option,
    language,
    neo4j_options,
    open_chain,
    output_option,
)


@click.command("breach")
@chain_argument
@click.option("--handler", required=True, help="Id of the organisation that leaked (取扱者).")
@click.option("--from", "start", type=Day(first=True), default=None,
              help="First day of the window in which it could reach the data (a month or a year: its first day).")
@click.option("--to", "end", type=Day(), default=None,
              help="Last day of the window (a month or a year: its last day).")
@click.option("--systems", "systems", multiple=True, metavar="ID",
              help="Judge each route by its shortest paths through this system only: the data's windows at the "
                   "system, then on to the handler (repeatable).")
@click.option("--known", type=Day(first=True, whole_day="give the day the leak became known, e.g. 2023-10-17"), default=None,
              help="The day the leak became known (事態を知った日), e.g. 2023-10-17: deadlines count from it, and the "
                   "law of that day applies.")
@click.option("--intent", type=click.Choice(["wrongful", "accidental", "unknown"]), default="unknown",
              show_default=True, help="Whether the leak was by wrongful intent (不正の目的).")
@click.option("--as-of", "as_of", type=Day(), default=None,
              help="Take the records as they stood on this day (what had begun by then, disposals recorded by then; "
                   "windows end there); the window --from/--to decides which handlings count.")
@backend_options
@click.option("--format", "fmt", type=click.Choice(["markdown", "table", "json", "csv"]), default="markdown",
              show_default=True, help="markdown, table, json, or csv (UTF-8 with BOM; its headers and values are "
                                      "Japanese whatever --lang says, so that a sheet's columns never change).")
@lang_option
@output_option
@neo4j_options
@handle_errors
def command(file: str | None, handler: str, start, end, systems: tuple[str, ...], known, intent: str, as_of,
            backend: str, dataset: str | None, fmt: str, lang: str | None, output: str | None, uri: str,
            username: str, database: str) -> None:
    """When a handler leaks: who must report, about how many people, by when (漏えい等報告).

    The chain is FILE, or with --backend neo4j and no FILE the dataset --dataset NAME.
    """
    from entrustment_chain.graph.analysis.breach import breach, check_input
    from entrustment_chain.graph.reports import breach as report

    check_output(output, file)
    options = dict(systems=list(systems) or None, known=known, intent=intent, as_of=as_of)
    with open_chain(file, dataset, backend, uri, username, database) as source:
        chain = source.chain
        check_input(chain, handler, (start, end), **options)  # exit 2 before any work (with FILE, any connection)
        result = breach(chain, handler, (start, end), **options, backend=source.backend)
    text = {"json": lambda: report.breach_json(result),
            "table": lambda: report.breach_table(result, chain, language(lang, fmt)),
            "markdown": lambda: report.breach_markdown(result, chain, language(lang, fmt)),
            "csv": lambda: report.breach_csv(result, chain)}[fmt]()
    emit(text, output, (file,))
