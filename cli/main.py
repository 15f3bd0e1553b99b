"""The `chain` command: a click group whose subcommands live one per module and load lazily,
so `chain --help` imports neither networkx nor the Neo4j driver."""
from __future__ import annotations

import importlib

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


if __name__ == "__main__":
    main()
