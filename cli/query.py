import json

import click

from entrustment_chain.cli.common import handle_errors, neo4j_options, open_store


def _cell(value) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


@click.command("query")
@click.argument("name", required=False)
@click.option("--dataset", help="The dataset to query: fills the query's dataset parameter (as --param dataset=NAME).")
@click.option("--param", "params", multiple=True, metavar="K=V", help="A query parameter (repeatable).")
@click.option("--list", "list_", is_flag=True, help="List the stored queries and their parameters.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@neo4j_options
@handle_errors
def command(name: str | None, dataset: str | None, params: tuple[str, ...], list_: bool, fmt: str, uri: str,
            username: str, database: str) -> None:
    """Run a stored query of cypher/ (the rules and cypher/queries) against Neo4j.

    The same files work pasted into Neo4j Browser (set parameters there with :param).
    """
    from entrustment_chain.graph.neo4j import queries

    if list_ or not name:
        for query in queries.user_queries().values():
            click.echo(f"{query.name:<28} {query.group:<8} params: {', '.join(p + ('?' if p in query.optional else '') for p in query.parameters) or '-':<20} "
                       f"columns: {', '.join(query.columns)}")
        return
    query = queries.user_query(name)
    if dataset is not None:
        from entrustment_chain.graph.errors import InputError, Problem

        if "dataset" not in query.parameters:
            raise InputError([Problem("--dataset", None, "dataset", f"{query.name} takes no dataset")])
        given = [p.partition("=")[2] for p in params if p.partition("=")[0] == "dataset"]
        if any(value != dataset for value in given):
            raise InputError([Problem("--dataset", None, "dataset", f"--dataset {dataset!r} and --param "
                                      f"dataset={given[0]!r} name two datasets: give one")])
        params = (*params, f"dataset={dataset}") if not given else params
    values = queries.bind(query, params)
    with open_store(uri, username, database) as store:
        rows = store.read(query.group, query.name, **values)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    columns = list(query.columns)
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join(_cell(row.get(c)) for c in columns))
    click.echo(f"({len(rows)} rows)", err=True)
