import sys

import click

from entrustment_chain.cli.common import EXIT_INPUT, handle_errors, neo4j_options


class Bytes(click.ParamType):
    """A number of bytes: 16777216, 16_777_216, or with a unit, 16MiB, 512KiB, 1GiB."""

    name = "BYTES"
    UNITS = {"": 1, "b": 1, "kib": 1 << 10, "kb": 1000, "mib": 1 << 20, "mb": 1000 ** 2, "gib": 1 << 30, "gb": 1000 ** 3}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip().replace("_", "").lower()
        digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = text[len(digits):]
        if not digits.isdigit() or unit not in self.UNITS:
            self.fail(f"{value!r} is not a number of bytes (16777216, 16MiB, 512KiB)", param, ctx)
        return int(digits) * self.UNITS[unit]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs a token (--token-file or "
                   "ENTRUSTMENT_CHAIN_TOKEN); without one, only requests for a loopback name (Host "
                   "127.0.0.1, localhost, [::1]) are answered.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--token-file", type=click.Path(dir_okay=False), default=None,
              help="A file holding the bearer token: your own, not a symbolic link, readable by you only "
                   "(chmod 600); else the environment variable ENTRUSTMENT_CHAIN_TOKEN. With a token, every "
                   "request but /v1/health and /openapi.json needs 'Authorization: Bearer <token>'.")
@click.option("--max-body", type=Bytes(), default="16MiB", show_default=True,
              help="Refuse larger request bodies (413), before reading them in full. YAML bodies also keep "
                   "YAML's own limit (2 MiB; ENTRUSTMENT_CHAIN_MAX_BYTES, which bounds JSON too when lower).")
@click.option("--body-timeout", type=click.FloatRange(min=0, min_open=True, max=86400), default=60,
              show_default=True, metavar="SECONDS",
              help="A body must arrive in full within this time (408 after).")
@click.option("--backend", type=click.Choice(["networkx", "neo4j"]), default="networkx", show_default=True,
              help="The backend of requests that name none; neo4j also lets requests use Neo4j "
                   "(backend=neo4j&dataset=NAME).")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Analyses run at once; further requests wait their turn (and at most twice as many "
                   "bodies are read or held at once).")
@neo4j_options
@handle_errors
def command(host: str, port: int, token_file: str | None, max_body: int, body_timeout: float, backend: str,
            jobs: int, uri: str, username: str, database: str) -> None:
    """Serve validate, analyze, check, survey and breach over HTTP (FastAPI; docs/serve.md).

    Answers are the documents of each command's --format json; the OpenAPI document is at
    /openapi.json. Stops on Ctrl-C or SIGTERM, giving the requests in progress a minute to
    finish, and exits 0.
    """
    from entrustment_chain.graph.errors import InputError
    from entrustment_chain.service import settings as serve

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        click.echo(f"error: chain serve needs FastAPI and uvicorn, which are not installed ({exc.name}): "
                   "install entrustment-chain[serve] (pip install 'entrustment-chain[serve]')", err=True)
        sys.exit(EXIT_INPUT)
    try:
        neo4j = None
        if backend == "neo4j":
            from entrustment_chain.graph.neo4j.settings import Settings

            neo4j = Settings.resolve(uri=uri, username=username, database=database)
        settings = serve.resolve(host=host, port=port, token_file=token_file, max_body=max_body,
                                 backend=backend, jobs=jobs, neo4j=neo4j, body_timeout=body_timeout)
        from entrustment_chain.service.server import run

        run(settings, announce=lambda message: click.echo(message, err=True))
    except InputError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("chain serve did not start.", err=True)
        sys.exit(EXIT_INPUT)
