"""The Neo4j backend: connect, load a chain as a dataset (idempotent, batched), run cypher/ files.

One driver per store; every call names its database; reads are routed as reads, so the same code
works on a single server, a cluster (``neo4j://``) or Aura. Loads are ``UNWIND $rows … MERGE``
in batches, one managed write transaction each (the driver retries transient errors only).
Elements carry the dataset's *version*, the hash of the chain's content: loading the same file
twice writes identical properties, and after a new version has loaded completely, what it no
longer contains is pruned — never before, so a failed load leaves the old data in place.

Timeouts hold as configured (:mod:`.settings`): the URI is checked before anything is dialled;
connecting probes the Bolt handshake itself (plain ``bolt://`` and ``neo4j://``) and gives up
after ``connection_timeout``; every transaction is sent with ``transaction_timeout`` for the
server to enforce, and runs in a worker thread that the caller stops waiting for after that
time (the driver has no client-side limit on a server that stops answering mid-transaction).
The driver's own log records never reach the terminal; errors become one DatabaseError that
says what to check.
"""
from __future__ import annotations

import itertools
import logging
import os
import queue
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.errors import DatabaseError, InputError, Problem
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j import queries
from entrustment_chain.graph.neo4j.cyphergen import CREATE_WHEN_NEW, load_name
from entrustment_chain.graph.neo4j.rows import row_count, section_lists
from entrustment_chain.graph.neo4j.settings import Address, Settings, password_file, state_dir

DEFAULT_BATCH = 2000
# Write transactions a first load keeps running at once. Neo4j Community writes them in
# parallel; relationships CREATEd between nodes that exist take no locks that conflict.
WRITERS = 2

# The driver logs retries and connection failures as warnings; with no handler configured,
# Python would print them on standard error next to our own message. A library adds a
# NullHandler (an application that configures logging still receives the records).
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def quiet_driver_log() -> None:
    """For a command-line tool: the driver's own records ("Transaction failed and will be
    retried …", defunct connections) reach no handler, not even one the process configured; what
    went wrong reaches the user once, as the DatabaseError the store raises."""
    logging.getLogger("neo4j").propagate = False

# The Bolt handshake: the magic preamble, then four version proposals (4 bytes each, big-endian
# [0, range, minor, major]): 5.8 down to 5.0, 4.4 down to 4.2, none, none. A Bolt server answers
# with exactly 4 bytes (the version it chose, or zeros) and then waits for HELLO; the probe reads
# them and closes, which Neo4j does not log (offering the handshake manifest instead makes it
# send more and log a reset when we close). Any 4 bytes will do: the driver negotiates itself.
BOLT_MAGIC = bytes.fromhex("6060b017")
BOLT_PROPOSALS = bytes.fromhex("00080805" "00020404" "00000000" "00000000")

# How much longer than a timeout the client waits before it gives up by itself: a live server
# checks its transaction timeouts every 2 s, and its own report (which names the timeout) should
# arrive first. For connections it is only a backstop (a hung DNS look-up, say): the probe and the
# driver keep the connection timeout themselves.
GRACE = 2.5


class _Late(Exception):
    """A bounded call is still running after its limit."""


class _Abandoned(Exception):
    """Raised inside a transaction function whose caller has stopped waiting: no new attempt."""


def _bounded(fn: Callable[[], Any], limit: float | None, late: Callable[[Any], None],
             abandoned: threading.Event | None = None, deadline: Callable[[], float] | None = None,
             gone: Callable[[], bool] | None = None) -> Any:
    """``fn()`` in a daemon thread, waited for at most ``limit`` seconds (None: inline, no limit),
    or, with ``deadline``, until the monotonic time it returns when asked (it may move on while
    ``fn`` runs: a retried transaction gets its own time), or until ``gone()`` says the server has
    stopped (asked every half second). Returns its value or raises its exception. When it is
    still running then, sets ``abandoned``, raises :class:`_Late`, and lets the thread run on:
    when (if) it ends, it calls ``late(value or None)`` itself, to release what it holds."""
    if limit is None:
        return fn()
    if deadline is None:
        end = time.monotonic() + limit
        deadline = lambda: end  # noqa: E731
    lock = threading.Lock()
    done = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller, or dropped with the late call
            box["error"] = exc
        with lock:
            done.set()
            gone = box.get("late", False)
        if gone:
            try:
                late(box.get("value"))
            except Exception:
                pass

    thread = threading.Thread(target=target, name="neo4j-call", daemon=True)
    thread.start()
    while not done.wait(max(0.0, min(deadline() - time.monotonic(), 0.5))):
        if time.monotonic() < deadline() and not (gone is not None and gone()):
            continue
        with lock:
            if not done.is_set():
                box["late"] = True
                if abandoned is not None:
                    abandoned.set()
                raise _Late()
        break  # it ended just now
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _each_in_parallel(work: Iterable[tuple[Callable[[], Any], int]], writers: int) -> Iterator[int]:
    """Run each call of ``work`` (``(call, count)`` pairs) on a daemon thread of its own, at most
    ``writers`` at a time, taking the next pair from ``work`` while they run; yield each count
    when its call has ended. After the first error no call starts; it is raised once those
    running have ended."""
    ended: queue.Queue = queue.Queue()
    running, error = 0, None

    def run(call: Callable[[], Any], count: int) -> None:
        try:
            call()
            ended.put((count, None))
        except BaseException as exc:  # handed to the caller's thread
            ended.put((count, exc))

    def wait() -> int | None:
        nonlocal running, error
        count, exc = ended.get()
        running -= 1
        if exc is not None:
            error = error or exc
            return None
        return count

    for call, count in work:
        while running >= writers and error is None:
            if (finished := wait()) is not None:
                yield finished
        if error is not None:
            break
        threading.Thread(target=run, args=(call, count), name="neo4j-load", daemon=True).start()
        running += 1
    while running:
        if (finished := wait()) is not None and error is None:
            yield finished
    if error is not None:
        raise error


def probe_bolt(address: Address, deadline: float, settings: Settings) -> None:
    """Dial ``address`` ourselves before the driver does, within ``deadline`` (a monotonic time):
    TCP, then, on plain TCP, the Bolt handshake (the driver would wait 60 s for its reply whatever
    its connection timeout says). Raises a DatabaseError that says what happened when the server
    is silent, closes, or speaks HTTP or TLS; returns when it answers like a Bolt server, and when
    TCP fails at once (refused, unknown host), which the driver reports as well. On ``+s`` and
    ``+ssc`` schemes only TCP is probed: TLS comes first there, and the driver does it and the
    Bolt handshake inside it within its connection-acquisition deadline (the same timeout)."""
    uri, limit = settings.shown_uri, settings.connection_timeout
    knob = "NEO4J_CONNECTION_TIMEOUT"

    def remaining() -> float:
        return max(0.05, deadline - time.monotonic())

    try:
        sock = socket.create_connection((address.host, address.port), timeout=remaining())
    except (socket.timeout, TimeoutError):
        raise DatabaseError(f"cannot reach Neo4j at {uri}: {address} did not accept a connection within "
                            f"{limit:g} s ({knob}); is the host right, and is a firewall dropping the "
                            "packets?") from None
    except OSError:
        return  # refused, unknown host, no route: the driver fails at once and says so itself
    with sock:
        if address.encrypted:
            return
        reply = b""
        try:
            sock.settimeout(remaining())
            sock.sendall(BOLT_MAGIC + BOLT_PROPOSALS)
            while len(reply) < 4:
                sock.settimeout(remaining())
                chunk = sock.recv(4 - len(reply))
                if not chunk:
                    break
                reply += chunk
        except (socket.timeout, TimeoutError):
            if not reply:
                raise DatabaseError(
                    f"Neo4j at {uri} did not answer: {address} accepted the connection but sent no "
                    f"reply to the Bolt handshake within {limit:g} s ({knob}); is it a Neo4j Bolt port "
                    "(usually 7687), and is the server hung or overloaded?") from None
            raise DatabaseError(
                f"Neo4j at {uri} did not answer: {address} sent {len(reply)} of the 4 bytes of a Bolt "
                f"handshake reply and then nothing within {limit:g} s ({knob}); is it a Neo4j Bolt "
                "port?") from None
        except OSError as exc:  # reset by the peer
            raise DatabaseError(
                f"cannot reach Neo4j at {uri}: {address} dropped the connection during the Bolt "
                f"handshake ({exc.strerror or exc}); is it a Neo4j Bolt port, and does the server "
                "require encryption (bolt+s:// or bolt+ssc://)?") from None
    if reply.startswith(b"HTTP"):
        raise DatabaseError(
            f"{address} answered in HTTP, not Bolt: NEO4J_URI ({uri}) names an HTTP port (Neo4j "
            "serves HTTP on 7474 and Bolt, which this tool speaks, on 7687).")
    if reply[:1] in (b"\x15", b"\x16"):  # a TLS record: alert or handshake
        raise DatabaseError(
            f"{address} answered with TLS: the server requires encryption; use bolt+s:// or "
            f"bolt+ssc:// (self-signed) in NEO4J_URI instead of {uri}.")
    if len(reply) < 4:
        raise DatabaseError(
            f"cannot reach Neo4j at {uri}: {address} closed the connection during the Bolt handshake"
            f"{f' after {len(reply)} bytes' if reply else ''}; is it a Neo4j Bolt port, and does the "
            "server require encryption (bolt+s:// or bolt+ssc://)?")

# -- the local server (scripts/neo4j-local) ---------------------------------------------------------
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# The line scripts/neo4j-local writes into the server's console log before each start.
_STARTED = re.compile(r"^# neo4j-local: starting .*$", re.M)
_OOM = "java.lang.OutOfMemoryError"


def _tail(path: Path, size: int = 1 << 20) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - size))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _running(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, ValueError):
        return False
    try:  # a zombie (killed, not yet reaped) serves nothing
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[:1] != ["Z"]
    except OSError:
        return True


def _local_home(settings: Settings) -> Path | None:
    """The state folder of the scripts/neo4j-local server ``settings`` name (its Bolt port, on
    loopback, in this state folder), if they name it."""
    home = state_dir() / "neo4j"
    try:
        bolt = int((home / "ports").read_text().split()[0])
        address = settings.address()
    except (OSError, ValueError, IndexError, InputError):
        return None
    return home if address.port == bolt and address.host.strip("[]") in LOOPBACK else None


def local_server_end(settings: Settings) -> str | None:
    """When ``settings`` name the server scripts/neo4j-local runs from this state folder (its
    Bolt port, on loopback) and that server is not running: what its console log says of how it
    ended, and what to do, in a sentence. None otherwise (another server, or it runs)."""
    home = _local_home(settings)
    if home is None or _running(home / "neo4j.pid"):
        return None
    log = home / "logs" / "console.log"
    text = _tail(log)
    starts = list(_STARTED.finditer(text))
    since = text[starts[-1].end():] if starts else text
    options = dict(re.findall(r"(--[\w-]+)(?:[ =]([^\s-][^\s]*))?", starts[-1][0])) if starts else {}
    heap = options.get("--heap")
    if _OOM in since:
        more = _more(heap) if heap else "8g"
        again = " ".join(f"{k} {v}" if v else k for k, v in {**options, "--heap": more}.items())
        return (f"the Neo4j server at {settings.shown_uri} ran out of memory{f' (heap {heap})' if heap else ''} "
                f"and stopped; start it with more: scripts/neo4j-local start {again}; its log: {log}")
    if "Stopped." in since:
        how = "was stopped"
    else:
        how = "ended without a word in its log (killed, or the machine ran out of memory?)"
    return (f"cannot reach Neo4j at {settings.shown_uri}: the local server (scripts/neo4j-local) {how}; "
            f"start it again with scripts/neo4j-local start; its log: {log}")


def _more(heap: str) -> str:
    """Twice a JVM heap size (64m → 128m, 4g → 8g)."""
    found = re.fullmatch(r"(\d+)([kKmMgG]?)", heap.strip())
    if not found:
        return "8g"
    number, unit = int(found[1]) * 2, found[2].lower()
    if unit == "m" and number >= 1024 and number % 1024 == 0:
        number, unit = number // 1024, "g"
    return f"{number}{unit}"



def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _all_text(exc: BaseException) -> str:
    """The messages of an error, its causes and (for exception groups) its sub-errors: the driver
    hides why a routing-table fetch failed in a group under a generic ServiceUnavailable."""
    seen: set[int] = set()
    todo, texts = [exc], []
    while todo and len(seen) < 50:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        texts.append(f"{type(error).__name__}: {error}")
        todo.extend(getattr(error, "exceptions", ()) or ())
        todo.extend((error.__cause__, error.__context__))
    return "\n".join(texts)


class Neo4jStore:
    """A connection to one Neo4j database. Use as a context manager."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._driver = None
        self._schema_ready = False
        # the pid file of the local server (scripts/neo4j-local) these settings name, when it ran
        # as we connected: a call stops waiting as soon as that server has stopped
        self._local_pid: Path | None = None

    # -- connection ------------------------------------------------------------------------
    def __enter__(self) -> "Neo4jStore":
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Check the URI (InputError, nothing dialled), probe the server, open the driver and
        run ``RETURN 1``; each step bounded by the settings' timeouts."""
        import neo4j

        s = self.settings
        address = s.address()
        self.close()
        auth = (s.username, s.password) if s.password is not None else None
        deadline = time.monotonic() + s.connection_timeout

        def open_driver():
            probe_bolt(address, deadline, s)
            driver = neo4j.GraphDatabase.driver(
                s.uri, auth=auth, connection_timeout=s.connection_timeout,
                connection_acquisition_timeout=s.connection_timeout,
                max_transaction_retry_time=s.max_retry_time, notifications_min_severity="OFF")
            try:
                driver.verify_connectivity()
            except BaseException:
                driver.close()
                raise
            return driver

        home = _local_home(s)
        self._local_pid = home / "neo4j.pid" if home is not None and _running(home / "neo4j.pid") else None
        try:
            self._driver = _bounded(open_driver, s.connection_timeout + GRACE,
                                    late=lambda driver: driver is not None and driver.close())
            self._run_read(lambda tx: tx.run("RETURN 1").consume())
        except _Late:
            raise DatabaseError(
                f"Neo4j at {s.shown_uri} did not answer: no usable connection to {address} within "
                f"{s.connection_timeout:g} s (NEO4J_CONNECTION_TIMEOUT; TCP, TLS, the Bolt handshake and "
                "the login); is the server hung or overloaded, and is NEO4J_URI right?") from None
        except Exception as exc:
            self.close()
            raise self._explain(exc) from None

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    def _explain(self, exc: Exception) -> DatabaseError:
        """Turn a driver error into a message that says what to check (never the password)."""
        import neo4j.exceptions as ne

        s = self.settings
        uri = s.shown_uri
        if isinstance(exc, DatabaseError):
            return exc
        if isinstance(exc, ne.AuthError) or getattr(exc, "code", "").startswith("Neo.ClientError.Security"):
            return DatabaseError(
                f"Neo4j at {uri} refused user {s.username!r}: check NEO4J_USERNAME and NEO4J_PASSWORD "
                f"(or the password file {password_file()}). {getattr(exc, 'message', '') or ''}".strip())
        code = getattr(exc, "code", "") or ""
        if "DatabaseNotFound" in code or "database does not exist" in str(exc).lower():
            return DatabaseError(f"database {s.database!r} does not exist on {uri}: check NEO4J_DATABASE "
                                 "(Neo4j Community has only 'neo4j' and 'system').")
        if "WriteOnReadOnlyAccessDbException" in code or "read-only" in str(exc).lower() or "ReadOnly" in code:
            return DatabaseError(f"database {s.database!r} on {uri} is read-only: load into a writable "
                                 "database or ask its administrator.")
        if "TransactionTimedOut" in code:  # …TimedOutClientConfiguration: the limit we sent
            return DatabaseError(
                f"Neo4j at {uri} ended a transaction that ran longer than {s.transaction_timeout:g} s "
                "(NEO4J_TRANSACTION_TIMEOUT): raise it for large datasets (0 = no limit), or check "
                "what else loads the server.")
        if "MemoryPoolOutOfMemoryError" in code or "MemoryLimitExceeded" in code:
            return DatabaseError(
                f"Neo4j at {uri} refused a transaction that needed more memory than the server lets "
                "transactions have (dbms.memory.transaction.total.max, by default 70 % of its heap): "
                "give the server a larger heap (scripts/neo4j-local start --heap …), or load with a "
                f"smaller --batch-size. ({_one_line(exc)})")
        if not code or isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired, ne.DriverError)):
            ended = local_server_end(s)  # the local server died under us: say why, not how we noticed
            if ended:
                return DatabaseError(ended)
        if isinstance(exc, ne.ConnectionAcquisitionTimeoutError):
            return DatabaseError(f"Neo4j at {uri} did not answer: no connection within "
                                 f"{s.connection_timeout:g} s (NEO4J_CONNECTION_TIMEOUT); is the server "
                                 "hung or overloaded?")
        text = _all_text(exc)
        if isinstance(exc, ne.ServiceUnavailable) and ("TimeoutError" in text or "timed out" in text
                                                       or "Deadline(" in text):
            return DatabaseError(
                f"Neo4j at {uri} did not answer: no connection within {s.connection_timeout:g} s "
                "(NEO4J_CONNECTION_TIMEOUT; TCP, TLS, the Bolt handshake and the login); is the server "
                "hung or overloaded, is it a Bolt port, and does its encryption match the scheme "
                "(bolt+s:// and bolt+ssc:// need TLS on the server)?")
        if isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired, OSError)) or "routing" in str(exc).lower():
            return DatabaseError(f"cannot reach Neo4j at {uri}: is the server running "
                                 "(scripts/neo4j-local status) and is NEO4J_URI right? "
                                 f"({type(exc).__name__}: {_one_line(exc)})")
        if isinstance(exc, ne.ConfigurationError | ValueError) and "uri" in str(exc).lower():
            return DatabaseError(f"NEO4J_URI {uri!r} is not a Neo4j URI: {exc}")
        error = DatabaseError(f"Neo4j at {uri} failed: {type(exc).__name__}: {_one_line(exc)}")
        error.constraint = isinstance(exc, ne.ConstraintError) or "ConstraintValidationFailed" in code
        return error

    def _session(self, read: bool):
        import neo4j

        if self._driver is None:
            self.connect()
        mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS
        return self._driver.session(database=self.settings.database, default_access_mode=mode)

    def _run(self, work: Callable, read: bool) -> Any:
        """Run ``work(tx)`` in a managed transaction (retried by the driver on transient errors
        only, so ``work`` is idempotent and consumes its results), routed as a read or a write.

        The server ends the transaction after ``transaction_timeout``; the caller stops waiting
        shortly after that (a frozen server answers nothing, and the driver would wait for the
        server's own keep-alive hint, 120 s, then retry): the call runs in a worker thread that is
        left to finish on its own, starts no new attempt, and closes its driver when it ends."""
        import neo4j

        if self._driver is None:
            self.connect()
        s, driver = self.settings, self._driver
        limit = s.transaction_timeout or None
        abandoned = threading.Event()
        # the driver retries transient errors: each attempt has the whole limit, counted from
        # its start (a healthy server's late retry is not taken for a frozen one), and no
        # attempt starts after the driver's retry time
        started = [time.monotonic()]
        last_start = started[0] + s.max_retry_time

        def attempt(tx):
            if abandoned.is_set():
                raise _Abandoned()
            started[0] = time.monotonic()
            return work(tx)

        unit = neo4j.unit_of_work(timeout=limit)(attempt) if limit else attempt
        mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS

        def call():
            with driver.session(database=s.database, default_access_mode=mode) as session:
                return session.execute_read(unit) if read else session.execute_write(unit)

        try:
            pid_file = self._local_pid
            return _bounded(call, limit + GRACE if limit else None, late=lambda _: driver.close(),
                            abandoned=abandoned,
                            deadline=lambda: min(started[0], last_start) + limit + GRACE if limit else 0.0,
                            gone=None if pid_file is None else lambda: not _running(pid_file))
        except _Late:
            self._driver = None  # the late call closes it when it ends
            ended = local_server_end(s)
            if ended:
                raise DatabaseError(ended) from None
            raise DatabaseError(
                f"Neo4j at {s.shown_uri} stopped answering: no reply within {limit:g} s "
                "(NEO4J_TRANSACTION_TIMEOUT); the server is frozen, overloaded or unreachable — check "
                "it (scripts/neo4j-local status) — or the work needs longer (raise "
                "NEO4J_TRANSACTION_TIMEOUT; 0 = no limit).") from None
        except DatabaseError:
            raise
        except Exception as exc:
            raise self._explain(exc) from None

    def _run_read(self, work: Callable) -> Any:
        return self._run(work, read=True)

    def _run_write(self, work: Callable) -> Any:
        return self._run(work, read=False)

    # -- running cypher/ files ---------------------------------------------------------------
    def _run_file(self, group: str, name: str, params: dict[str, Any], read: bool) -> list[dict[str, Any]]:
        query = queries.get(group, name)
        params = {**dict.fromkeys(query.optional), **params}  # an optional parameter not given is null

        def work(tx):
            rows: list[dict[str, Any]] = []
            for statement in query.statements:
                rows = [record.data() for record in tx.run(statement, params)]
            return rows

        return self._run(work, read=read)

    def read(self, group: str, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a cypher/ file as a read; the rows of its last statement."""
        return self._run_file(group, name, params, read=True)

    def write(self, group: str, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a cypher/ file as a write (MERGE/SET of the same values: safe to retry)."""
        return self._run_file(group, name, params, read=False)

    # -- load --------------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create the named constraints (once per store; they are IF NOT EXISTS anyway)."""
        if self._schema_ready:
            return
        query = queries.get("schema", "constraints")
        for statement in query.statements:  # schema changes cannot share a transaction
            self._run_write(lambda tx, st=statement: tx.run(st).consume())
        self._schema_ready = True

    def dataset_state(self, dataset: str) -> dict[str, Any] | None:
        rows = self.read("load", "state", dataset=dataset)
        return rows[0] if rows else None

    def load(self, chain: ChainFile, dataset: str, batch_size: int = DEFAULT_BATCH,
             progress: Callable[[int, int], None] | None = None, reuse: bool = True,
             writers: int = WRITERS) -> dict[str, Any]:
        """Load ``chain`` as ``dataset``. Returns counts. Skips the work when the same version is
        already loaded and ready (``reuse``).

        A dataset's first load CREATEs, ``writers`` batches at a time in transactions of their
        own (every node before any relationship); a reload MERGEs one batch at a time (and
        replaces what moved). Rows are lists of values (:func:`.rows.section_lists`), the next
        batch built while the server writes the last."""
        if batch_size < 1:
            raise InputError([Problem("--batch-size", None, "batch_size", "must be at least 1")])
        with gc_paused():  # rows by the million, none in a cycle: the collector would walk the chain each time
            return self._load(chain, dataset, batch_size, progress, reuse, writers)

    def _load(self, chain: ChainFile, dataset: str, batch_size: int, progress: Callable[[int, int], None] | None,
              reuse: bool, writers: int) -> dict[str, Any]:
        version = S.chain_version(chain)
        self.ensure_schema()
        state = self.dataset_state(dataset)
        total = row_count(chain)
        if reuse and state and state.get("version") == version and state.get("status") == "ready":
            if progress:
                progress(total, total)
            return {"dataset": dataset, "version": version, "written": 0, "removed": 0, "reused": True,
                    "new": False}
        new = bool(self.read("load", "is_new", dataset=dataset)[0]["new"])
        self.write("load", "begin", dataset=dataset, version=version, source=chain.title)
        creating = [new]

        def write(element: str, batch: list[list[Any]]) -> None:
            name = load_name(element)
            if creating[0] and element in CREATE_WHEN_NEW:
                try:
                    self.write("load", f"new_{name}", dataset=dataset, version=version, rows=batch)
                    return
                except DatabaseError as exc:
                    if not exc.constraint:
                        raise
                    # Another first load of this dataset is running at the same time and wrote
                    # these first: merge from here on, as a reload would.
                    creating[0] = False
            self.write("load", name, dataset=dataset, version=version, rows=batch)

        def batches(elements: Iterable[str]) -> Iterator[tuple[Callable[[], None], int]]:
            for element in elements:
                rows = section_lists(chain, element)
                while batch := list(itertools.islice(rows, batch_size)):
                    yield (lambda e=element, b=batch: write(e, b)), len(batch)

        done = 0
        try:
            # nodes first: a relationship's batch finds both its ends already written
            for phase in (S.NODES, S.RELATIONSHIPS):
                for count in _each_in_parallel(batches(phase), max(1, writers) if new else 1):
                    done += count
                    if progress:
                        progress(done, total)
            self.write("load", "roles", dataset=dataset)
            removed = self.prune(dataset, version)
        except DatabaseError as exc:
            unfinished = DatabaseError(
                f"{exc} (The dataset {dataset!r} is left unfinished: not marked ready, nothing pruned; "
                "load it again once this is fixed.)")
            unfinished.constraint = getattr(exc, "constraint", False)
            raise unfinished from None
        return {"dataset": dataset, "version": version, "written": done, "removed": removed, "reused": False,
                "new": creating[0]}

    def prune(self, dataset: str, version: str) -> int:
        query = queries.get("load", "prune")

        def work(tx):
            return sum(tx.run(st, dataset=dataset, version=version).single()["removed"]
                       for st in query.statements)

        return self._run_write(work)

    def drop(self, dataset: str, batch_size: int = 2000) -> None:
        """Remove a dataset, ``batch_size`` nodes (with their relationships) per transaction."""
        while self.write("load", "drop_batch", dataset=dataset, limit=batch_size)[0]["removed"]:
            pass
        self.write("load", "drop", dataset=dataset)

    # -- datasets ----------------------------------------------------------------------------
    def counts(self, dataset: str) -> dict[str, int]:
        return self.read("queries", "dataset_counts", dataset=dataset)[0]
