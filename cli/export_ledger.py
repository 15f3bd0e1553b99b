import click

from entrustment_chain.cli.common import check_output, handle_errors


@click.command("export-ledger")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--consignor", help="Id of the organisation whose register to write (委託元).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The register to write: .csv (UTF-8 with BOM, as Excel opens it) or .xlsx; '-' writes CSV "
                   "to standard output.")
@click.option("--encoding", type=click.Choice(["utf-8-sig", "utf-8", "cp932"]), default="utf-8-sig",
              show_default=True, help="For CSV.")
@click.option("--template", is_flag=True, help="Write an empty register (no FILE): the header, and in an .xlsx "
                                                "dropdown lists, a frozen header, a filter and a sheet explaining "
                                                "each column.")
@handle_errors
def command(file: str | None, consignor: str | None, output: str, encoding: str, template: bool) -> None:
    """The vendor register (委託先管理台帳) of a consignor, from a chain file (the inverse of
    import-ledger): its entrustments, their subcontracts and the access granted under them. A cell
    that a spreadsheet would run as a formula is written as text; import-ledger reads it back as it
    was. What the register has no column for is listed on standard error."""
    from entrustment_chain.graph.io.ledger import export_ledger, template_rows, write_ledger
    from entrustment_chain.graph.io.tables import csv_bytes

    if template:
        if file is not None or consignor is not None:
            raise click.UsageError("--template writes an empty register: give neither FILE nor --consignor")
        check_output(output)
        rows = template_rows()
        if output == "-":
            click.get_binary_stream("stdout").write(csv_bytes(rows, encoding))
        else:
            write_ledger(rows, output, encoding)
        click.echo(f"an empty register written to {'standard output' if output == '-' else output}", err=True)
        return
    if file is None or consignor is None:
        raise click.UsageError("give the chain FILE and --consignor (or --template for an empty register)")
    from entrustment_chain.graph.io.loader import load_chain

    check_output(output, file)
    ledger = export_ledger(load_chain(file), consignor, file)
    for sentence in ledger.left_out:
        click.echo(f"warning: not in the register: {sentence}", err=True)
    rows = ledger.rows
    if output == "-":
        click.get_binary_stream("stdout").write(csv_bytes(rows, encoding))
        click.echo(f"{len(rows) - 1} rows written to standard output", err=True)
        return
    write_ledger(rows, output, encoding, inputs=(file,))
    click.echo(f"{len(rows) - 1} rows written to {output}", err=True)
