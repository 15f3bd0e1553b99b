import sys

import click

from entrustment_chain.cli.common import (
    EXIT_FINDINGS,
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
    source_of,
)


@click.command("check")
@chain_argument
@click.option("--add", "proposal", required=True, metavar="FILE_OR_YAML",
              help="The proposal: a chain-file fragment (a file, '-' for standard input, or inline YAML) of "
                   "new organizations, systems, entrustments and access grants.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "sarif", "junit"]), default="table",
              show_default=True,
              help="sarif: SARIF 2.1.0 for code scanning; junit: JUnit XML for CI test reports (docs/ci.md).")
@lang_option
@as_of_option
@backend_options
@output_option
@neo4j_options
@handle_errors
def command(file: str | None, proposal: str, fmt: str, lang: str | None, as_of, backend: str, dataset: str | None,
            output: str | None, uri: str, username: str, database: str) -> None:
    """What a proposed vendor or access grant would change, before it is signed.

    The chain is FILE, or with --backend neo4j and no FILE the dataset --dataset NAME (the
    proposal is always a file or inline YAML). The proposal is judged in this process on either
    backend; with FILE and --backend neo4j, the file is also loaded as the dataset, as
    `chain analyze` and `chain breach` load it.

    Exits 1 when a consignor would gain a handler it has not been told of or has not approved.
    """
    from entrustment_chain.graph.analysis.onboarding import check, read_proposal
    from entrustment_chain.graph.errors import InputError, Problem
    from entrustment_chain.graph.reports import check_report, render as report

    if file == "-" and proposal == "-":
        raise InputError([Problem("--add", None, "", "standard input can be read once: give the chain file "
                                  "or the proposal as a file")])
    check_output(output, file, proposal)
    data, name, lines = read_proposal(proposal)  # a proposal that does not parse: exit 2, nothing dialled
    with open_chain(file, dataset, backend, uri, username, database) as source:
        chain = source.chain
        result = check(chain, data, name, lines, as_of=as_of)
        if file is not None and source.store is not None:  # the dataset holds the chain checked, as analyze's does
            from entrustment_chain.graph.schema import default_dataset

            source.store.load(chain, default_dataset(chain, dataset or source_of(file)))
    if fmt == "json":
        text = report.to_json(result.to_json_dict())
    elif fmt in ("sarif", "junit"):  # located in the proposal where it is a file, else in the chain file
        from entrustment_chain.graph.reports import junit, sarif

        sources = sarif.SourceLines.of_input(file, chain)
        added = sarif.SourceLines.of(name if name == proposal and proposal != "-" else None, data, lines)
        text = (sarif.to_text(sarif.check_sarif(result, sources, added)) if fmt == "sarif"
                else junit.check_junit(result, sources, added))
    else:
        text = check_report.check_text(result, markdown=fmt == "markdown", lang=language(lang, fmt),
                                       chain=check_report.with_proposal(chain, data), as_of=as_of)
    emit(text, output, (file, proposal))
    if result.blocking:
        sys.exit(EXIT_FINDINGS)
