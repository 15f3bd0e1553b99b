"""What every command shares: error handling (exit codes), output, Neo4j settings."""
from __future__ import annotations

import functools
import os
import sys
from typing import Callable

import click

EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_DATABASE = 3
EXIT_INTERNAL = 70

FORMATS = click.Choice(["table", "json", "markdown"])


def handle_errors(fn: Callable) -> Callable:
    """Library errors become messages and exit codes here, and nowhere else: 2 for bad input,
    3 for the database; never a traceback (unless CHAIN_DEBUG=1)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from entrustment_chain.graph.errors import DatabaseError, InputError

        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            count = len(exc.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True)
            sys.exit(EXIT_INPUT)
        except DatabaseError as exc:
            click.echo(f"database error: {exc}", err=True)
            sys.exit(EXIT_DATABASE)
        except BrokenPipeError:  # `chain … | head`: the reader left; not an error of ours
            sys.stderr = open(os.devnull, "w")
            sys.stdout = open(os.devnull, "w")
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, keep the traceback for those who ask
            if os.environ.get("CHAIN_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set CHAIN_DEBUG=1 for the traceback)",
                       err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper


def check_output(output: str | None, *inputs: str | None) -> None:
    """Refuse ``-o output`` at once (exit 2, before any work) when it must not be written: one of
    ``inputs``, a device, a folder, a missing folder (graph/io/output.py says what is checked).
    ``emit`` and ``emit_stream`` check again when they write."""
    from entrustment_chain.graph.io.output import check_output as check, is_stdout

    if not is_stdout(output):
        check(output, inputs)


def emit(text: str, output: str | None, inputs: tuple[str | None, ...] = ()) -> None:
    """Print, or write ``output`` atomically (a temporary file renamed into place); ``inputs`` are
    the files the command read, which ``output`` must not be."""
    from entrustment_chain.graph.io.output import is_stdout, to_stdout

    if is_stdout(output):
        to_stdout(lambda handle: click.echo(text, nl=False))
        return
    emit_stream(lambda handle: handle.write(text), output, inputs)


def emit_stream(write: Callable, output: str | None, inputs: tuple[str | None, ...] = ()) -> None:
    """Like :func:`emit`, for output written piece by piece (see graph/io/output.py)."""
    from entrustment_chain.graph.io.output import write_output

    write_output(write, output, inputs)


def output_option(fn: Callable) -> Callable:
    return click.option("-o", "--output", type=click.Path(allow_dash=True),
                        help="Write to this file (atomically; '-': standard output) instead of standard "
                             "output. Never one of the inputs, a device or a folder; an existing file "
                             "keeps its permissions.")(fn)


class Day(click.ParamType):
    """A day as people write it (2023-01-31, R5.1.31, 令和5年1月31日). A month or a year means
    its last day, or with ``first`` its first day (the start of a window); with ``whole_day``,
    a month or a year is refused with ``whole_day`` as the message."""

    name = "DATE"

    def __init__(self, first: bool = False, whole_day: str | None = None):
        self.first = first
        self.whole_day = whole_day

    def convert(self, value, param, ctx):
        from datetime import date

        if isinstance(value, date):
            return value
        from entrustment_chain.graph.model.wareki import WarekiError, parse_date

        try:
            parsed = parse_date(value)
        except WarekiError as exc:
            self.fail(str(exc), param, ctx)
        if self.whole_day and (parsed.month is None or parsed.day is None):
            self.fail(f"{value!r} names no day: {self.whole_day}", param, ctx)
        return parsed.first_day() if self.first else parsed.last_day()


def as_of_option(fn: Callable) -> Callable:
    return click.option("--as-of", "as_of", type=Day(), default=None,
                        help="Judge the chain as it stood on this day: what had begun by then, disposals "
                             "recorded by then, and the handlings that stood that day (2023-01-31, R5.1.31, "
                             "令和5年1月31日).")(fn)


def input_argument(fn: Callable) -> Callable:
    """The chain file a command reads: a regular file, or '-' for standard input (the loader
    refuses anything else, naming it)."""
    return click.argument("file", type=click.Path(allow_dash=True))(fn)


def source_of(file: str) -> str | None:
    """The name a file gives a dataset and a report: its path as given; None for standard input."""
    return None if file == "-" else file


def neo4j_options(fn: Callable) -> Callable:
    """Connection settings; the password comes only from NEO4J_PASSWORD or the local server's
    0600 password file, never from the command line (where `ps` would show it)."""
    fn = click.option("--uri", envvar="NEO4J_URI", default="bolt://127.0.0.1:7687", show_default=True,
                      help="Neo4j URI (bolt://, neo4j://, neo4j+s:// …); env NEO4J_URI.")(fn)
    fn = click.option("--username", envvar="NEO4J_USERNAME", default="neo4j", show_default=True,
                      help="Env NEO4J_USERNAME. The password is read from NEO4J_PASSWORD or the "
                           "password file of scripts/neo4j-local.")(fn)
    fn = click.option("--database", envvar="NEO4J_DATABASE", default="neo4j", show_default=True,
                      help="Database name; env NEO4J_DATABASE.")(fn)
    return fn


def open_store(uri: str, username: str, database: str):
    from entrustment_chain.graph.neo4j.settings import Settings
    from entrustment_chain.graph.neo4j.store import Neo4jStore, quiet_driver_log

    quiet_driver_log()  # the driver's retry lines are not the user's: the error says what happened, once
    return Neo4jStore(Settings.resolve(uri=uri, username=username, database=database))


def lang_option(fn: Callable) -> Callable:
    """``--lang ja|en`` for the formats people read; see :func:`language` for the default."""
    return click.option("--lang", "lang", type=click.Choice(["ja", "en"]), default=None,
                        help="Language of the formats people read (table, markdown, html). Default: "
                             "Japanese for markdown and html; for a table, Japanese when the locale "
                             "(LC_ALL, LC_MESSAGES or LANG) is Japanese, else English. JSON, SARIF and "
                             "JUnit carry both languages.")(fn)


def language(lang: str | None, fmt: str) -> str:
    """The language of a human format: ``lang`` when given; Japanese for markdown and html (the
    reports officers hand on); for a table (a terminal), Japanese when the locale is Japanese."""
    if lang is not None:
        return lang
    if fmt in ("markdown", "html"):
        return "ja"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:  # the first one set decides, as POSIX has it
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
