"""What every command shares: error handling (exit codes), output, Neo4j settings, and the chain a
command reads: a file, or a Neo4j dataset (:func:`open_chain`)."""
from __future__ import annotations

import contextlib
import functools
import os
import sys
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

import click

if TYPE_CHECKING:  # the CLI imports neither the models nor the driver before a command runs
    from entrustment_chain.graph.model.chain import ChainFile
    from entrustment_chain.graph.neo4j.backend import Neo4jBackend
    from entrustment_chain.graph.neo4j.store import Neo4jStore

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


def open_store(uri: str, username: str, database: str) -> "Neo4jStore":
    """A store for the database the options name; it connects when entered (``with``) or first
    used."""
    from entrustment_chain.graph.neo4j.settings import Settings
    from entrustment_chain.graph.neo4j.store import Neo4jStore, quiet_driver_log

    quiet_driver_log()  # the driver's retry lines are not the user's: the error says what happened, once
    return Neo4jStore(Settings.resolve(uri=uri, username=username, database=database))


# ---------------------------------------------------------------------------------------------
# The chain a command analyses: a file, or a Neo4j dataset (issue 16, "a dataset is enough")

BACKENDS = click.Choice(["networkx", "neo4j"])


def chain_argument(fn: Callable) -> Callable:
    """The chain FILE of a command that can also read its chain from a Neo4j dataset
    (:func:`open_chain`): optional, a regular file or '-' for standard input. Use it with
    :func:`backend_options` and :func:`neo4j_options`; the command's docstring should say that
    ``--dataset NAME --backend neo4j`` may stand for FILE."""
    return click.argument("file", required=False, type=click.Path(allow_dash=True))(fn)


def backend_options(fn: Callable) -> Callable:
    """``--backend networkx|neo4j`` and ``--dataset NAME``, as :func:`open_chain` reads them."""
    fn = click.option("--dataset", metavar="NAME",
                      help="The Neo4j dataset (with --backend neo4j). Without FILE, the chain is read from it "
                           "(a dataset `chain load` wrote; `chain query datasets` lists them); with FILE, the "
                           "file is loaded as it first (default: the file's path as given).")(fn)
    fn = click.option("--backend", type=BACKENDS, default="networkx", show_default=True,
                      help="networkx: embedded, in this process. neo4j: the chain is, or is loaded as, a dataset "
                           "of the Neo4j database (--uri, --username, --database).")(fn)
    return fn


class ChainSource(NamedTuple):
    """What :func:`open_chain` gives a command: the chain, the backend to analyse it on (None:
    networkx, the embedded default), how reports name where the chain came from, and the store
    (None on networkx)."""

    chain: "ChainFile"
    backend: "Neo4jBackend | None"
    name: str  # the file as given ('<stdin>' for '-'), or 'dataset NAME' for a chain read from Neo4j
    store: "Neo4jStore | None"


def source_name(file: str | None, dataset: str | None) -> str:
    """How reports name the source of the chain: the file's path as given (``<stdin>`` for '-'),
    or ``dataset NAME`` when the chain was read from the dataset NAME (no file)."""
    if file is None:
        return f"dataset {dataset}"
    from entrustment_chain.graph.io.loader import input_name

    return input_name(file)


def require_chain(file: str | None, dataset: str | None, backend: str) -> None:
    """Exactly one source of the chain: FILE, or ``--dataset NAME`` with ``--backend neo4j``
    (FILE with --dataset: the file, loaded as that dataset when it is analysed on Neo4j).
    Anything else is a usage error (exit 2) saying what to give, before any work."""
    if file is not None:
        return
    if dataset is None:
        raise click.UsageError("give the chain FILE, or --dataset NAME with --backend neo4j to read the chain "
                               "from a Neo4j dataset")
    if backend != "neo4j":
        raise click.UsageError(f"--dataset {dataset} without a FILE reads the chain from Neo4j: give --backend "
                               "neo4j too (or the chain FILE)")


def chain_source(file: str | None, dataset: str | None, backend: str, store: "Neo4jStore | None" = None
                 ) -> ChainSource:
    """The chain a command analyses, the backend to analyse it on, and its source's name.

    - FILE: the file is loaded (a bad file is an :class:`InputError`, exit 2); with ``backend``
      neo4j the backend is ``Neo4jBackend(store, dataset, source=FILE)``, which loads the file as
      ``dataset`` (default: the file's path as given) when it evaluates it, as ``chain breach
      FILE --backend neo4j`` always has. Nothing is asked of ``store`` here.
    - No FILE, ``--dataset NAME`` and neo4j: the dataset is read back
      (``Neo4jBackend.of_dataset(store, NAME).chain()``; evaluating that chain, even as of a day,
      writes nothing). A dataset that is not in the database is an :class:`InputError` naming it
      and saying how to list and load datasets; one still loading, or a server that cannot be
      reached, a :class:`DatabaseError` (exit 3).

    Usage errors are :func:`require_chain`'s. ``store`` is needed with neo4j only."""
    require_chain(file, dataset, backend)
    if backend == "neo4j" and store is None:
        raise ValueError("the neo4j backend needs a store")
    name = source_name(file, dataset)
    if file is not None:
        from entrustment_chain.graph.io.loader import load_chain

        chain = load_chain(file)
        if backend != "neo4j":
            return ChainSource(chain, None, name, None)
        from entrustment_chain.graph.neo4j.backend import Neo4jBackend

        return ChainSource(chain, Neo4jBackend(store, dataset, source=source_of(file)), name, store)
    from entrustment_chain.graph.neo4j.backend import Neo4jBackend

    assert dataset is not None and store is not None
    engine = Neo4jBackend.of_dataset(store, dataset)
    _require_dataset(store, dataset)
    return ChainSource(engine.chain(), engine, name, store)


def _require_dataset(store: "Neo4jStore", dataset: str) -> None:
    """An :class:`InputError` naming ``dataset`` when the database does not hold it, with how to
    load it and how to list the datasets there are (read_chain refuses it too, listing every
    dataset; this says what to do)."""
    from entrustment_chain.graph.errors import InputError, Problem
    from entrustment_chain.graph.neo4j.readback import datasets

    found = [d["dataset"] for d in datasets(store)]
    if dataset in found:
        return
    where = f"no dataset {dataset!r} in Neo4j database {store.settings.database!r}"
    load = f"load the chain file as it with `chain load FILE --dataset {dataset}`"
    if not found:
        message = f"{where}, which holds no dataset: {load}"
    else:
        shown = ", ".join(repr(d) for d in found[:10]) + (f" and {len(found) - 10} more" if len(found) > 10 else "")
        message = (f"{where}: name one of its {len(found)} dataset(s) ({shown}; `chain query datasets` lists "
                   f"them), or {load}")
    raise InputError([Problem("--dataset", None, "", message)])


@contextlib.contextmanager
def open_chain(file: str | None, dataset: str | None, backend: str, uri: str, username: str, database: str
               ) -> Iterator[ChainSource]:
    """:func:`chain_source` with the store opened on neo4j (``--uri``, ``--username``,
    ``--database``) and closed afterwards. The store connects when it is first used: a bad FILE,
    and whatever the command checks on the chain before it analyses it (an unknown handler, say),
    is exit 2 before any connection; a chain read from a dataset connects at once. Usage::

        with open_chain(file, dataset, backend, uri, username, database) as source:
            result = analyze(source.chain, source.backend, source=source.name, as_of=as_of)
    """
    require_chain(file, dataset, backend)  # before the store: a usage error dials nothing
    if backend != "neo4j":
        yield chain_source(file, dataset, backend)
        return
    store = open_store(uri, username, database)
    try:
        yield chain_source(file, dataset, backend, store)
    finally:
        store.close()


def lang_option(fn: Callable) -> Callable:
    """``--lang ja|en`` for the formats people read; see :func:`language` for the default."""
    return click.option("--lang", "lang", type=click.Choice(["ja", "en"]), default=None,
                        help="Language of the formats people read (table, markdown, html). Default: "
                             "Japanese for markdown and html; for a table, Japanese when the locale "
                             "(LC_ALL, LC_MESSAGES or LANG) is Japanese, else English. SARIF and JUnit "
                             "carry both languages, and so does JSON with --messages.")(fn)


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
