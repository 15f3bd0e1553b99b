"""The `chain` command: a click group whose subcommands live one per module and load lazily,
so `chain --help` imports neither networkx nor the Neo4j driver."""
from __future__ import annotations

import importlib
import os
import sys

import click

COMMANDS = {
    "validate": "validate", "analyze": "analyze", "survey": "survey", "check": "check", "breach": "breach",
    "load": "load", "query": "query", "export": "export", "schema": "schema", "generate": "generate", "import-survey": "import_survey", "export-survey": "export_survey",
    "serve": "serve",
    "import-ledger": "import_ledger", "export-ledger": "export_ledger",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return importlib.import_module(f"entrustment_chain.cli.{module}").command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="entrustment-chain")
def main() -> None:
    """Personal-data entrustment chains (委託元 → 委託先 → 再委託先) as a graph: find the handlers
    a consignor was never told of, and who therefore could not supervise them.

    Exit codes: 0 fine; 1 findings at or above --fail-on (or `check` found a consignor that would
    gain an undisclosed or unapproved handler); 2 invalid input or usage; 3 database failure.
    """


def run(prog_name: str | None = None) -> None:
    """The console script: :func:`main`, then, with its output flushed, the end of the process
    without tearing down what the command built (``os._exit``). A million-entrustment analysis
    leaves tens of millions of objects behind; freeing them one by one at interpreter exit took
    about 100 s at 10^6 entrustments (more than writing the findings) and changes nothing. Every
    command closes its files and connections itself, and writes its outputs atomically before it
    returns; what is skipped is only the freeing. In-process callers (CliRunner, the HTTP service)
    call :func:`main`, which returns as click commands do."""
    try:
        main(prog_name=prog_name)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # as Python prints a non-integer exit value
        print(code, file=sys.stderr)
        code = 1
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, as `chain … | head` closes it
            if stream is sys.stdout and code == 0:
                code = 120  # what Python exits with when it cannot flush standard output
    os._exit(code)


if __name__ == "__main__":
    run()
