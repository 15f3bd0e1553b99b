import click

from entrustment_chain.cli.common import check_output, handle_errors


@click.command("export-survey")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--contractor", required=True, help="Id of the surveyed contractor.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The table to write: .csv (UTF-8 with BOM, as Excel opens it) or .xlsx; '-' writes CSV "
                   "to standard output.")
@click.option("--encoding", type=click.Choice(["utf-8-sig", "utf-8", "cp932"]), default="utf-8-sig",
              show_default=True, help="For CSV.")
@handle_errors
def command(file: str, contractor: str, output: str, encoding: str) -> None:
    """The survey table of a contractor's consignors, from a chain file (the inverse of import-survey).
    A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written as text:
    with a leading apostrophe in CSV, as a string cell in .xlsx; import-survey reads it back as it was."""
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.io.survey_table import csv_bytes, export_survey, write_table

    check_output(output, file)
    rows = export_survey(load_chain(file), contractor, file)
    if output == "-":
        click.get_binary_stream("stdout").write(csv_bytes(rows, encoding))
        click.echo(f"{len(rows) - 1} rows written to standard output", err=True)
        return
    write_table(rows, output, encoding, inputs=(file,))
    click.echo(f"{len(rows) - 1} rows written to {output}", err=True)
