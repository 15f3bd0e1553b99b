"""The Neo4j backend: connect, load a chain as a dataset (idempotent, batched), run cypher/ files.

One driver per store; every call names its database; reads are routed as reads, so the same code
works on a single server, a cluster (``neo4j://``) or Aura. Loads are ``UNWIND $rows … MERGE``
in batches, one managed write transaction each (the driver retries transient errors only).
Elements carry the dataset's *version*, the hash of the chain's content: loading the same file
twice writes identical properties, and after a new version has loaded completely, what it no
longer contains is pruned — never before, so a failed load leaves the old data in place.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from entrustment_chain.graph import queries, schema as S
from entrustment_chain.graph.errors import DatabaseError, InputError, Problem
from entrustment_chain.graph.model import ChainFile

DEFAULT_BATCH = 2000


def state_dir() -> Path:
    base = os.environ.get("ENTRUSTMENT_CHAIN_STATE") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "entrustment-chain")
    return Path(base)


def password_file() -> Path:
    """Where scripts/neo4j-local keeps the local server's password (mode 0600)."""
    return Path(os.environ.get("NEO4J_PASSWORD_FILE") or state_dir() / "neo4j" / "password")


@dataclass(frozen=True)
class Settings:
    uri: str
    username: str
    password: str | None
    database: str

    @classmethod
    def resolve(cls, uri: str | None = None, username: str | None = None, database: str | None = None,
                password: str | None = None) -> "Settings":
        """Options, then NEO4J_* variables, then the local server's password file."""
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        if password is None:
            path = password_file()
            if path.is_file():
                password = path.read_text(encoding="utf-8").strip()
        return cls(uri=uri or os.environ.get("NEO4J_URI") or "bolt://127.0.0.1:7687",
                   username=username or os.environ.get("NEO4J_USERNAME") or "neo4j",
                   password=password, database=database or os.environ.get("NEO4J_DATABASE") or "neo4j")

    def __repr__(self) -> str:  # never show the password
        return f"Settings(uri={self.uri!r}, username={self.username!r}, database={self.database!r})"


_SECTIONS = ("organizations", "systems", "entrustments", "access")


def chain_version(chain: ChainFile) -> str:
    """The hash of the chain's content: its top level, then each element's canonical JSON on a
    line of its own, section by section. Hashed element by element: the whole chain as one JSON
    text was a 1.2 GB string at 10^6 entrustments."""
    digest = hashlib.sha256()

    def add(data: Any) -> None:
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")

    add(chain.model_dump(mode="json", by_alias=True, exclude=set(_SECTIONS)))
    for section in _SECTIONS:
        add(section)
        for item in getattr(chain, section):
            add(item.model_dump(mode="json", by_alias=True))
    return digest.hexdigest()[:16]


def graph_rows(chain: ChainFile) -> dict[str, list[dict[str, Any]]]:
    """The chain as load rows, one list per cypher/load file (:func:`section_rows` yields them
    one at a time, which is what a load uses)."""
    return {name: list(section_rows(chain, name)) for name in LOAD_ORDER}


def section_rows(chain: ChainFile, name: str) -> Iterator[dict[str, Any]]:
    """The load rows of one cypher/load file, produced as they are written (a million
    entrustments held as rows at once took over 3 GB)."""
    if name == "organizations":
        for o in chain.organizations:
            yield {"id": o.id, "name": o.name, "kind": o.kind.value}
    elif name == "systems":
        for system in chain.systems:
            yield {"id": system.id, "name": system.name, "operator": system.operator}
    elif name in ("entrusts", "places_data_in"):
        for e in chain.entrustments:
            # what the flow condition reads, on both relationship types
            flow = {"entrustment": e.id, "consignor": e.consignor, "contractor": e.contractor,
                    "personal_data": e.personal_data, "covers_all": e.covers == "all",
                    "covers": [] if e.covers == "all" else list(e.covers)}
            if name == "places_data_in":
                for system_id in e.systems:
                    yield {"key": S.places_key(e.id, system_id), "source": e.consignor, "target": system_id,
                           "props": flow}
                continue
            period = e.parsed_period
            props = {
                **flow, "work": e.work,
                **e.clauses.model_dump(), **e.supervision.model_dump(mode="json"),
                "informed_subcontractors": e.informed_subcontractors,
                "approved_subcontractors": e.approved_subcontractors,
                "period": period.text if period else None,
                "period_start": period.start.iso() if period and period.start else None,
                "period_end": period.end.iso() if period and period.end else None,
                "data_subjects": e.data_subjects.count if e.data_subjects else None,
                "data_subjects_approximate": e.data_subjects.approximate if e.data_subjects else None,
                "systems": list(e.systems),
            }
            yield {"key": e.id, "source": e.consignor, "target": e.contractor, "props": props}
    elif name in ("has_access", "accessible_by"):
        for grant in chain.access:
            if name == "has_access":
                period = grant.parsed_period
                yield {"key": grant.key, "source": grant.organization, "target": grant.system,
                       "props": {"kind": grant.kind.value, "under": grant.under,
                                 "period": period.text if period else None}}
            else:
                yield {"key": grant.key, "source": grant.system, "target": grant.organization,
                       "props": {"kind": grant.kind.value, **S.UNCONDITIONAL_FLOW, "covers": []}}
    elif name == "operates":
        for system in chain.systems:
            if system.operator:
                yield {"key": f"{system.operator}>{system.id}", "source": system.operator, "target": system.id,
                       "props": {}}
    else:
        raise KeyError(name)


def row_count(chain: ChainFile) -> int:
    """How many rows a load of ``chain`` writes (for progress bars), without building them."""
    return (len(chain.organizations) + 2 * len(chain.systems) + len(chain.entrustments)
            + sum(len(e.systems) for e in chain.entrustments) + 2 * len(chain.access)
            - sum(1 for s in chain.systems if not s.operator))


LOAD_ORDER = ("organizations", "systems", "entrusts", "places_data_in", "has_access", "accessible_by", "operates")
# The bulk of a chain; a dataset's first load writes these with CREATE (cypher/load/new_*.cypher)
CREATE_WHEN_NEW = frozenset({"organizations", "systems", "entrusts", "places_data_in"})


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
        version = chain_version(chain)
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
        for name in LOAD_ORDER:
            # a dataset's first load creates; later loads merge (and replace what moved)
            query = f"new_{name}" if new and name in CREATE_WHEN_NEW else name
            rows = section_rows(chain, name)
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

    # -- analysis ----------------------------------------------------------------------------
    def rule_rows(self, dataset: str) -> dict[str, list[dict[str, Any]]]:
        from entrustment_chain.graph.findings import RULES

        rows = {rule: self.read("rules", rule, dataset=dataset) for rule in RULES}
        rows["exposure"] = self.read("rules", "exposure", dataset=dataset)
        return rows

    def counts(self, dataset: str) -> dict[str, int]:
        return self.read("queries", "dataset_counts", dataset=dataset)[0]
