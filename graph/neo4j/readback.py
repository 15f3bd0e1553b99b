"""A dataset read back out of Neo4j: the chain file as it was loaded (:func:`read_chain`), and the
flow relationships as the traversal of :mod:`entrustment_chain.graph.analysis.flow` reads them
(:func:`read_flow`), so that a dataset can be analysed without its file and the Neo4j backend can
run the networkx backend's traversal on the database's graph.

Every read is paged: one query per page of ``PAGE`` elements, in the order of the (dataset, id)
or (dataset, key) uniqueness index (keyset paging: each page is an index seek after the last key
of the one before), each page one list built by the server (``cypher/read/*.cypher``). No
transaction holds the whole dataset, none runs long, and the client decodes each page at once
(one list is decoded several times faster than as many records).

The chain comes back exactly as it was loaded: every field of the chain file is a property of
the graph (:mod:`entrustment_chain.graph.schema`; what a property cannot hold, a list of maps or a
period written as ``{start, end}``, as JSON text), each element keeps its place in its list
(``position``), and the dataset's ``source`` is the file's title. Each element is validated as a
file's element is, and the references between them are checked, so that a dataset edited by hand
in Neo4j Browser is refused with its problems named, never analysed wrongly.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable, Iterator

from pydantic import ValidationError

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.errors import DatabaseError, InputError, Problem
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.model.chain import SCHEMA_V1, Access, ChainFile, Entrustment, Organization, System
from entrustment_chain.graph.model.references import reference_problems
from entrustment_chain.graph.neo4j import queries
from entrustment_chain.graph.neo4j.store import Neo4jStore

PAGE = 10000  # elements per query: a few MB per page, well within any transaction timeout
MAX_PROBLEMS = 50  # problems named before the rest are counted


# ---------------------------------------------------------------------------------------------
# Datasets

def datasets(store: Neo4jStore) -> list[dict[str, Any]]:
    """The datasets of the database (``cypher/queries/datasets.cypher``): dataset, source,
    version, status."""
    return store.read("queries", "datasets")


def _listed(found: list[dict[str, Any]]) -> str:
    if not found:
        return "the database holds no dataset (load one with `chain load FILE --dataset NAME`)"
    return "datasets: " + ", ".join(f"{d['dataset']!r} ({d['status'] or 'not ready'})" for d in found)


def ready_dataset(store: Neo4jStore, dataset: str) -> dict[str, Any]:
    """The row of ``dataset`` in :func:`datasets` when it is loaded and ready. A name that is not
    there is an :class:`InputError`, a dataset still loading (or whose load failed) a
    :class:`DatabaseError`; both list the datasets there are."""
    found = datasets(store)
    row = next((d for d in found if d["dataset"] == dataset), None)
    if row is None:
        raise InputError([Problem("--dataset", None, "dataset",
                                  f"no dataset {dataset!r} in Neo4j database {store.settings.database!r}; "
                                  + _listed(found))])
    if row["status"] != "ready" or not row["version"]:
        raise DatabaseError(f"dataset {dataset!r} is not ready (a load of it is running or did not finish): "
                            f"load its file again with `chain load FILE --dataset {dataset}`; " + _listed(found))
    return row


def _pages(store: Neo4jStore, name: str, key: int, params: dict[str, Any]) -> Iterator[list[list[Any]]]:
    """The pages of ``cypher/read/NAME.cypher``, each read in a transaction of its own; ``key``
    is where a row holds the id or key the pages are ordered by."""
    query = queries.get("read", name)
    statement = query.statements[-1]
    params = {**dict.fromkeys(query.optional), **params, "limit": PAGE}
    after = ""
    while True:
        page = store._run_read(lambda tx: tx.run(statement, {**params, "after": after}).single(strict=True)[0])
        if page:
            yield page
        if len(page) < PAGE:
            return
        after = page[-1][key]


# ---------------------------------------------------------------------------------------------
# The chain

def _json(text: str | None, default: Any) -> Any:
    return default if text is None else json.loads(text)


def _organization(row: list[Any]) -> dict[str, Any]:
    _, id_, name, kind, country, lei, euid = row
    return {"id": id_, "name": name, "kind": kind, "country": country, "lei": lei, "euid": euid}


def _system(row: list[Any]) -> dict[str, Any]:
    _, id_, name, operator, personal_data, location = row
    return {"id": id_, "name": name, "operator": operator, "personal_data": personal_data, "location": location}


def _entrustment(row: list[Any]) -> dict[str, Any]:
    (_, id_, consignor, contractor, work, ict_service, personal_data, covers_all, covers, period, period_ends,
     subjects, approximate, data, systems, transfer, storage, disposal_safety, restriction, rules, reports,
     inspection, check, method, informed, approved, evidence, disposal, disposal_evidence) = row
    return {
        "id": id_, "consignor": consignor, "contractor": contractor, "work": work, "ict_service": ict_service,
        "personal_data": personal_data,
        "covers": "all" if covers_all or (covers_all is None and covers is None) else list(covers or ()),
        "period": _json(period_ends, period),
        "data_subjects": None if subjects is None else {"count": subjects, "approximate": bool(approximate)},
        "data": data, "systems": list(systems or ()),
        "clauses": {"transfer_safety": transfer, "storage_safety": storage, "disposal_safety": disposal_safety,
                    "subcontract_restriction": restriction},
        "supervision": {"rules_confirmation": rules, "written_reports": reports, "onsite_inspection": inspection,
                        "subcontract_check": check, "subcontract_check_method": method},
        "informed_subcontractors": informed, "approved_subcontractors": approved,
        "evidence": _json(evidence, []),
        "disposal": None if disposal is None else {"date": disposal, "evidence": _json(disposal_evidence, [])},
    }


def _access(row: list[Any]) -> dict[str, Any]:
    _, _, organization, system, kind, under, period, period_ends = row
    return {"organization": organization, "system": system, "kind": kind, "under": under,
            "period": _json(period_ends, period)}


# section: (read file, where the key is in a row, row -> element data, model)
_SECTIONS: dict[str, tuple[str, int, Callable[[list[Any]], dict[str, Any]], Any]] = {
    "organizations": ("organizations", 1, _organization, Organization),
    "systems": ("systems", 1, _system, System),
    "entrustments": ("entrustments", 1, _entrustment, Entrustment),
    "access": ("access", 1, _access, Access),
}


class _View:
    """An element's model read like the dict it came from, for the reference checks."""

    __slots__ = ("model",)

    def __init__(self, model: Any):
        self.model = model

    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self.model, key, default)
        return value.value if hasattr(value, "value") and not isinstance(value, (list, str)) else value

    def __getitem__(self, key: str) -> Any:
        return self.get(key)


def read_chain(store: Neo4jStore, dataset: str) -> ChainFile:
    """The chain file loaded as ``dataset``, read back out of the database: equal to the file
    that was loaded (``model_dump`` and :func:`schema.chain_version` alike), lists in the
    file's order. A dataset that is not there or not ready is an error that lists the datasets
    (:func:`ready_dataset`); one that changes while it is read (a load of the same name) is
    read again; one whose elements do not validate, or whose references do not hold (edited by
    hand), is an :class:`InputError` naming each problem as ``dataset NAME: section[position]``."""
    for _ in range(3):
        row = ready_dataset(store, dataset)
        with gc_paused():  # millions of models: the collector would walk them again and again
            chain = _read_chain(store, dataset, row)
        after = ready_dataset(store, dataset)
        if after["version"] == row["version"]:
            return chain
    raise DatabaseError(f"dataset {dataset!r} changed three times while it was read (a load of it is "
                        "running): read it again when the load has finished")


def _read_chain(store: Neo4jStore, dataset: str, row: dict[str, Any]) -> ChainFile:
    where = f"dataset {dataset!r}"
    problems: list[Problem] = []
    sections: dict[str, list[Any]] = {}
    for section, (name, key, element, model) in _SECTIONS.items():
        placed: list[tuple[int, Any]] = []
        for page in _pages(store, name, key, {"dataset": dataset}):
            for values in page:
                position = values[0]
                if position is None:
                    raise DatabaseError(
                        f"{where} was loaded by an older version of chain, which did not keep the order of "
                        f"the file's elements (nor every field): load its file again (`chain load FILE "
                        f"--dataset {dataset}`) to read it back")
                try:
                    placed.append((position, model.model_validate(element(values))))
                except ValidationError as exc:
                    for error in exc.errors():
                        field = ".".join(str(part) for part in error["loc"])
                        problems.append(Problem(where, None, f"{section}[{position}]" + (f".{field}" if field else ""),
                                                f"{error['msg']} (the stored element has {values[key]!r})"))
        placed.sort(key=lambda x: x[0])
        if [p for p, _ in placed] != list(range(len(placed))):
            problems.append(Problem(where, None, section, "the positions of its elements are not 0, 1, 2 …: "
                                    "the dataset was changed by hand; load its file again"))
        sections[section] = [m for _, m in placed]
    if not problems:
        views = {k: [_View(m) for m in items] for k, items in sections.items()}
        for path, message, *_ in reference_problems(views):
            problems.append(Problem(where, None, f"{path[0]}[{path[1]}]" + "".join(f".{p}" for p in path[2:]),
                                    message))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(Problem(where, None, "", f"… and {len(problems) - MAX_PROBLEMS} more problems"))
        raise InputError(shown)
    shell = ChainFile.model_validate({"schema": SCHEMA_V1, "title": row["source"],
                                      **{section: [] for section in sections}})
    return shell.model_copy(update=sections)


def chain_of_dataset(store: Neo4jStore, dataset: str) -> ChainFile:
    """The chain of a dataset, for the commands that take ``--dataset NAME`` instead of a file
    (:func:`read_chain`)."""
    return read_chain(store, dataset)


# ---------------------------------------------------------------------------------------------
# The flow relationships

# (read file, relationship type, node name of the source id, of the target id)
_FLOW = (
    ("flow_entrusts", S.ENTRUSTS, S.org_node, S.org_node),
    ("flow_places_data_in", S.PLACES_DATA_IN, S.org_node, S.system_node),
    ("flow_accessible_by", S.ACCESSIBLE_BY, S.system_node, S.org_node),
)
_NONE: frozenset = frozenset()


def read_flow(store: Neo4jStore, dataset: str, chain: ChainFile, as_of: date | None = None) -> dict:
    """The flow relationships of ``dataset`` that may carry personal data, prepared as
    :func:`entrustment_chain.graph.analysis.flow.prepare_flow` prepares those of a chain's
    networkx graph (the traversal then never asks for a graph): per node, its outgoing flow
    relationships. ``chain`` is the dataset's chain (it names the nodes: a node without flow
    relationships has none to read); with ``as_of``, the dataset's chain as it stood that day
    (:func:`entrustment_chain.graph.analysis.asof.chain_as_of`: relationships begun by then,
    disposals recorded before it)."""
    prepared: dict = {S.org_node(o.id): [] for o in chain.organizations}
    prepared.update((S.system_node(s.id), []) for s in chain.systems)
    hops: dict[W.Hop, W.Hop] = {}
    prepared[None] = hops  # where flow._hop keeps one Hop per distinct value
    days: dict[str | None, date | None] = {None: None}
    # An organisation's grants to one system are keyed by the pair alone when it has one grant to
    # it, else by kind and start too (ChainFile.grant_keys): as of a day the chain may hold one
    # where the dataset holds several, and the step is then keyed as that chain keys it.
    grants: dict[tuple[str, str], int] = {}
    for grant in chain.access:
        pair = (grant.organization, grant.system)
        grants[pair] = grants.get(pair, 0) + 1

    def day(text: str | None) -> date | None:
        found = days.get(text, days)
        if found is days:
            found = days[text] = date.fromisoformat(text)  # type: ignore[arg-type]
        return found  # type: ignore[return-value]

    with gc_paused():
        for name, rel_type, source, target in _FLOW:
            holding = rel_type != S.ACCESSIBLE_BY  # an access step only reaches what the system holds
            for page in _pages(store, name, 0, {"dataset": dataset, "as_of": as_of}):
                for key, a, b, owner, covers_all, covers, start, end, unknown, disposal in page:
                    hop = W.Hop(holding, day(start) or W.MIN, day(end) or W.MAX,
                                (day(disposal) or W.MAX) if holding else W.MAX, bool(unknown))
                    hop = hops.setdefault(hop, hop)
                    if rel_type == S.ACCESSIBLE_BY and grants.get((b, a)) == 1:
                        key = S.access_key(b, a)
                    out = prepared.get(source(a))
                    if out is None or target(b) not in prepared:
                        raise DatabaseError(f"dataset {dataset!r} does not hold the chain analysed: its "
                                            f"{rel_type} {key!r} links {a!r} and {b!r}, which the chain does "
                                            "not both have; load the file again")
                    out.append((target(b), owner, bool(covers_all), frozenset(covers) if covers else _NONE,
                                [rel_type, key], S.entrustment_of_step(rel_type, key), hop))
    return prepared

