import io

import click

from entrustment_chain.cli.common import check_output, emit, handle_errors, output_option


@click.command("import-survey")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--contractor", required=True, help="Id of the surveyed contractor.")
@click.option("--contractor-name", required=True, help="Its name, e.g. 株式会社NTTマーケティングアクトProCX.")
@click.option("--into", "base", type=click.Path(dir_okay=False),
              help="A chain file to add the answers to (e.g. with the contractor's systems, its own "
                   "subcontractors and their access); imported entrustments name the contractor's systems.")
@output_option
@handle_errors
def command(file: str, contractor: str, contractor_name: str, base: str | None, output: str | None) -> None:
    """A chain file from a survey table (CSV in UTF-8 or Shift_JIS, or .xlsx) with あり/なし/回答不能
    answers. Every bad cell is reported with its row and column; nothing is written if any is bad.
    Cells written as '=…, '+…, '-…, '@… (formulas escaped, as export-survey writes them) are read
    without the apostrophe; formulas in an .xlsx are refused."""
    from entrustment_chain.graph.io.generate import dump_yaml
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.io.survey_table import import_survey

    check_output(output, file, base)
    # a valid chain file, or nothing is written: import_survey validates what it builds
    data = import_survey(file, contractor, contractor_name, load_chain(base) if base else None)

    buffer = io.StringIO()
    dump_yaml(data, buffer)
    emit(buffer.getvalue(), output, (file, base))
