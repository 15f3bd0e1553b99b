import click

from entrustment_chain.cli.common import (
    FORMATS,
    as_of_option,
    check_output,
    emit,
    handle_errors,
    input_argument,
    lang_option,
    language,
    output_option,
)


@click.command("survey")
@input_argument
@click.option("--contractor", required=True, help="Id of the surveyed contractor (委託先).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@lang_option
@as_of_option
@output_option
@handle_errors
def command(file: str, contractor: str, fmt: str, lang: str | None, as_of, output: str | None) -> None:
    """The regulator-style survey (第1 tables, 第2 lists) of one contractor's consignors."""
    from entrustment_chain.graph.analysis.survey import survey
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.reports import survey_report as report
    from entrustment_chain.graph.reports.render import to_json

    check_output(output, file)
    result = survey(load_chain(file), contractor, as_of=as_of)
    if fmt == "json":
        text = to_json(result.to_json_dict())
    else:
        render = report.survey_markdown if fmt == "markdown" else report.survey_table
        text = render(result, language(lang, fmt))
    emit(text, output, (file,))
