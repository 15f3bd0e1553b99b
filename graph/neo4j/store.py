"""The Neo4j backend: connect, load a chain as a dataset (idempotent, batched), run cypher/ files.

One driver per store; every call names its database; reads are routed as reads, so the same code
works on a single server, a cluster (``neo4j://``) or Aura. Loads are ``UNWIND $rows … MERGE``
in batches, one managed write transaction each (the driver retries transient errors only).
Elements carry the dataset's *version*, the hash of the chain's content: loading the same file
twice writes identical properties, and after a new version has loaded completely, what it no
longer contains is pruned — never before, so a failed load leaves the old data in place.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.errors import DatabaseError, InputError, Problem
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j import queries
from entrustment_chain.graph.neo4j.cyphergen import CREATE_WHEN_NEW, load_name
from entrustment_chain.graph.neo4j.rows import row_count, section_rows
from entrustment_chain.graph.neo4j.settings import Settings, password_file

DEFAULT_BATCH = 2000


class Neo4jStore:
    """A connection to one Neo4j database. Use as a context manager."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._driver = None
        self._schema_ready = False

    # -- connection ------------------------------------------------------------------------
    def __enter__(self) -> "Neo4jStore":
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        import neo4j

        s = self.settings
        auth = (s.username, s.password) if s.password is not None else None
        try:
            self._driver = neo4j.GraphDatabase.driver(s.uri, auth=auth, connection_timeout=10,
                                                      max_transaction_retry_time=15,
                                                      notifications_min_severity="OFF")
            self._driver.verify_connectivity()
            self._run_read(lambda tx: tx.run("RETURN 1").consume())
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
        if isinstance(exc, DatabaseError):
            return exc
        if isinstance(exc, ne.AuthError) or getattr(exc, "code", "").startswith("Neo.ClientError.Security"):
            return DatabaseError(
                f"Neo4j at {s.uri} refused user {s.username!r}: check NEO4J_USERNAME and NEO4J_PASSWORD "
                f"(or the password file {password_file()}). {getattr(exc, 'message', '') or ''}".strip())
        code = getattr(exc, "code", "") or ""
        if "DatabaseNotFound" in code or "database does not exist" in str(exc).lower():
            return DatabaseError(f"database {s.database!r} does not exist on {s.uri}: check NEO4J_DATABASE "
                                 "(Neo4j Community has only 'neo4j' and 'system').")
        if "WriteOnReadOnlyAccessDbException" in code or "read-only" in str(exc).lower() or "ReadOnly" in code:
            return DatabaseError(f"database {s.database!r} on {s.uri} is read-only: load into a writable "
                                 "database or ask its administrator.")
        if isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired, OSError)) or "routing" in str(exc).lower():
            return DatabaseError(f"cannot reach Neo4j at {s.uri}: is the server running "
                                 "(scripts/neo4j-local status) and is NEO4J_URI right? "
                                 f"({type(exc).__name__}: {exc})")
        if isinstance(exc, ne.ConfigurationError | ValueError) and "uri" in str(exc).lower():
            return DatabaseError(f"NEO4J_URI {s.uri!r} is not a Neo4j URI: {exc}")
        error = DatabaseError(f"Neo4j at {s.uri} failed: {type(exc).__name__}: {exc}")
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
        only, so ``work`` is idempotent and consumes its results), routed as a read or a write."""
        try:
            with self._session(read=read) as session:
                return session.execute_read(work) if read else session.execute_write(work)
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
             progress: Callable[[int, int], None] | None = None, reuse: bool = True) -> dict[str, Any]:
        """Load ``chain`` as ``dataset``. Returns counts. Skips the work when the same version is
        already loaded and ready (``reuse``)."""
        if batch_size < 1:
            raise InputError([Problem("--batch-size", None, "batch_size", "must be at least 1")])
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
        done = 0
        for element in S.LOAD_ORDER:
            # a dataset's first load creates; later loads merge (and replace what moved)
            name = load_name(element)
            query = f"new_{name}" if new and element in CREATE_WHEN_NEW else name
            rows = section_rows(chain, element)
            while batch := list(itertools.islice(rows, batch_size)):
                try:
                    self.write("load", query, dataset=dataset, version=version, rows=batch)
                except DatabaseError as exc:
                    if not (exc.constraint and query != name):
                        raise
                    # Another first load of this dataset is running at the same time and wrote
                    # these first: merge from here on, as a reload would.
                    new, query = False, name
                    self.write("load", query, dataset=dataset, version=version, rows=batch)
                done += len(batch)
                if progress:
                    progress(done, total)
        self.write("load", "roles", dataset=dataset)
        removed = self.prune(dataset, version)
        return {"dataset": dataset, "version": version, "written": done, "removed": removed, "reused": False,
                "new": new}

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
