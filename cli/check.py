import sys

import click

from entrustment_chain.cli.common import (
    EXIT_FINDINGS,
    as_of_option,
    check_output,
    emit,
    handle_errors,
    input_argument,
    lang_option,
    language,
    output_option,
)


@click.command("check")
@input_argument
@click.option("--add", "proposal", required=True, metavar="FILE_OR_YAML",
              help="The proposal: a chain-file fragment (a file, '-' for standard input, or inline YAML) of "
                   "new organizations, systems, entrustments and access grants.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "sarif", "junit"]), default="table",
              show_default=True,
              help="sarif: SARIF 2.1.0 for code scanning; junit: JUnit XML for CI test reports (docs/ci.md).")
@lang_option
@as_of_option
@output_option
@handle_errors
def command(file: str, proposal: str, fmt: str, lang: str | None, as_of, output: str | None) -> None:
    """What a proposed vendor or access grant would change, before it is signed.

    Exits 1 when a consignor would gain a handler it has not been told of or has not approved.
    """
    from entrustment_chain.graph.analysis.onboarding import check, read_proposal
    from entrustment_chain.graph.errors import InputError, Problem
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.reports import check_report, render as report

    if file == "-" and proposal == "-":
        raise InputError([Problem("--add", None, "", "standard input can be read once: give the chain file "
                                  "or the proposal as a file")])
    check_output(output, file, proposal)
    chain = load_chain(file)
    data, name, lines = read_proposal(proposal)
    result = check(chain, data, name, lines, as_of=as_of)
    if fmt == "json":
        text = report.to_json(result.to_json_dict())
    elif fmt in ("sarif", "junit"):  # located in the proposal where it is a file, else in the chain file
        from entrustment_chain.graph.reports import junit, sarif

        sources = sarif.SourceLines.read(file)
        added = sarif.SourceLines.of(name if name == proposal and proposal != "-" else None, data, lines)
        text = (sarif.to_text(sarif.check_sarif(result, sources, added)) if fmt == "sarif"
                else junit.check_junit(result, sources, added))
    else:
        text = check_report.check_text(result, markdown=fmt == "markdown", lang=language(lang, fmt),
                                       chain=check_report.with_proposal(chain, data), as_of=as_of)
    emit(text, output, (file, proposal))
    if result.blocking:
        sys.exit(EXIT_FINDINGS)
