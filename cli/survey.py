import functools

import click

from entrustment_chain.cli.common import (
    FORMATS,
    as_of_option,
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


@click.command("survey")
@chain_argument
@click.option("--contractor", required=True, help="Id of the surveyed contractor (委託先).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@lang_option
@as_of_option
@backend_options
@output_option
@neo4j_options
@handle_errors
def command(file: str | None, contractor: str, fmt: str, lang: str | None, as_of, backend: str, dataset: str | None,
            output: str | None, uri: str, username: str, database: str) -> None:
    """The regulator-style survey (第1 tables, 第2 lists) of one contractor's consignors.

    The chain is FILE, or with --backend neo4j and no FILE the dataset --dataset NAME. Item
    2(2) (consignors with a handler they were never told of) rests on the analysis on the backend.
    """
    from entrustment_chain.graph.analysis.survey import survey
    from entrustment_chain.graph.reports import survey_report as report
    from entrustment_chain.graph.reports.render import to_json

    check_output(output, file)
    with open_chain(file, dataset, backend, uri, username, database) as source:
        analysis = None if source.backend is None else _Analysis(source, as_of)
        result = survey(source.chain, contractor, analysis=analysis, as_of=as_of)
    if fmt == "json":
        text = to_json(result.to_json_dict())
    else:
        render = report.survey_markdown if fmt == "markdown" else report.survey_table
        text = render(result, language(lang, fmt))
    emit(text, output, (file,))


class _Analysis:
    """The analysis ``survey`` rests on, on the source's backend, made when survey first reads it:
    after it has checked the contractor (an unknown one is exit 2 before any analysis, and with
    FILE before any connection). Reads as the :class:`Analysis` it stands for."""

    def __init__(self, source, as_of):
        self._source, self._as_of = source, as_of

    @functools.cached_property
    def _analysis(self):
        from entrustment_chain.graph.analysis.engine import analyze

        return analyze(self._source.chain, self._source.backend, source=self._source.name, as_of=self._as_of)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._analysis, name)
