import io

import click

from entrustment_chain.cli.common import check_output, emit, handle_errors, output_option


@click.command("import-ledger")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--consignor", required=True, help="Id of the organisation whose register this is (委託元).")
@click.option("--consignor-name", help="Its name, e.g. 株式会社さくら通販 (default: the base file's, or the 委託元 "
                                       "of the 委託 rows).")
@click.option("--consignor-kind", type=click.Choice(["private", "local_government", "public_agency"]),
              help="Its kind, which the register has no column for and which chooses the law the findings cite "
                   "(private: 個人情報保護法第25条; local_government, public_agency: 第66条). Default: the base "
                   "file's, else private.")
@click.option("--into", "base", type=click.Path(dir_okay=False),
              help="A chain file to add the register to (e.g. with the consignor's own systems, or its "
                   "organisations' kinds and countries); its organisations and systems are named by id or name.")
@click.option("--sheet", help="The worksheet of an .xlsx to read (default: the first).")
@output_option
@handle_errors
def command(file: str, consignor: str, consignor_name: str | None, consignor_kind: str | None, base: str | None,
            sheet: str | None, output: str | None) -> None:
    """A chain file from a vendor register (委託先管理台帳: CSV in UTF-8 or Shift_JIS, or .xlsx), one
    row per entrustment: the consignor's contractors (委託), their subcontractors (再委託) and
    organisations with access to a system (保守 …). Every bad cell is reported with its row and
    column; nothing is written if any is bad. What the register does not say and the analysis will
    show (a contractor's own lists, in a register of three levels) is noted on standard error.
    docs/ledger.md describes the columns."""
    from entrustment_chain.graph.io.generate import dump_yaml
    from entrustment_chain.graph.io.ledger import read_ledger
    from entrustment_chain.graph.io.loader import load_chain

    check_output(output, file, base)
    # a valid chain file, or nothing is written: read_ledger validates what it builds
    imported = read_ledger(file, consignor, consignor_name, load_chain(base) if base else None, sheet,
                           consignor_kind)

    buffer = io.StringIO()
    dump_yaml(imported.data, buffer)
    emit(buffer.getvalue(), output, (file, base))
    for sentence in imported.notes:
        click.echo(f"note: {sentence}", err=True)
