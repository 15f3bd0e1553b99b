import sys

import click

from entrustment_chain.cli.common import as_of_option, handle_errors, input_argument, neo4j_options, open_store, source_of


@click.command("load")
@input_argument
@click.option("--dataset", help="Name of the dataset in the database (default: the file's path as given).")
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Rows per write transaction.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: on large loads when standard error is a terminal).")
@click.option("--drop", is_flag=True, help="Remove the dataset instead of loading it.")
@click.option("--findings/--no-findings", default=False, show_default=True,
              help="Also analyse the chain and record its findings in the dataset for Neo4j Browser: "
                   ":Undisclosed handlers, UNDISCLOSED_TO and FINDING relationships, undisclosed_for on "
                   "path steps, display names (docs/neo4j-findings.md). Without it, findings of an "
                   "older version of the chain are removed.")
@as_of_option
@neo4j_options
@handle_errors
def command(file: str, dataset: str | None, batch_size: int, progress: bool | None, drop: bool, findings: bool,
            as_of, uri: str, username: str, database: str) -> None:
    """Load a chain file into Neo4j as a dataset (idempotent; other datasets untouched), with
    --findings its findings too."""
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.neo4j.rows import row_count
    from entrustment_chain.graph.schema import default_dataset

    if drop and file == "-" and not dataset:  # standard input names no dataset: say which
        from entrustment_chain.graph.errors import InputError, Problem

        raise InputError([Problem("--drop", None, "", "give --dataset NAME to drop a dataset loaded "
                                  "from standard input (it was named by the chain's title)")])
    chain = whole = None if drop else load_chain(file)  # a bad file is exit 2 before any connection
    if chain is not None and as_of is not None:  # the chain as it stood then: NAME@as-of:DAY unless named
        from entrustment_chain.graph.analysis.asof import chain_as_of

        chain = chain_as_of(chain, as_of)
    with open_store(uri, username, database) as store:
        if chain is None:
            name = dataset or file
            store.drop(name)
            click.echo(f"dataset {name!r} removed from {uri} ({database})")
            return
        name = dataset or default_dataset(chain, source_of(file), as_of)
        total = row_count(chain)
        show = progress if progress is not None else (total >= 20000 and sys.stderr.isatty())
        if show:
            with click.progressbar(length=total, label=f"loading {name}", file=sys.stderr) as bar:
                state = {"done": 0}

                def advance(done: int, _total: int) -> None:
                    bar.update(done - state["done"])
                    state["done"] = done

                result = store.load(chain, name, batch_size=batch_size, progress=advance)
        else:
            result = store.load(chain, name, batch_size=batch_size)
        counts = store.counts(name)
        recorded = record_findings(store, name, whole, as_of, batch_size, findings, result["version"])
    what = "already loaded, reused" if result["reused"] else (
        f"{result['written']} rows written, {result['removed']} stale elements removed")
    click.echo(f"dataset {name!r} version {result['version']} in {uri} ({database}): {what}; "
               + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if recorded:
        click.echo(recorded)


def record_findings(store, name: str, chain, as_of, batch_size: int, findings: bool, version: str) -> str | None:
    """With ``findings``, analyse the chain (as of ``as_of``, as the dataset holds it) and record
    its findings in the dataset; without, remove findings recorded for another version of the
    chain (they would be stale). What was done, to print, or None."""
    from entrustment_chain.graph.neo4j import findings_graph

    if not findings:
        state = findings_graph.state(store, name)
        if state.get("findings_version") is not None and state.get("findings_of") != version:
            findings_graph.clear_findings(store, name, batch_size)
            return f"findings of an older version of the chain removed from {name!r} (load with --findings " \
                   "to record the current ones)"
        return None
    from entrustment_chain.graph.analysis.engine import analyze

    written = findings_graph.write_findings(store, name, analyze(chain, as_of=as_of), batch_size=batch_size)
    if written["reused"]:
        return f"findings {written['version']}: already recorded, reused"
    return (f"findings {written['version']} recorded: {written['undisclosed']} UNDISCLOSED_TO, "
            f"{written['other']} FINDING, {written['organizations']} organisations and {written['steps']} "
            f"relationships marked, {written['removed']} stale elements removed")
