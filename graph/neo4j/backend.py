"""The Neo4j backend: the rules evaluated on a dataset in Neo4j, two ways with one answer.

- ``rules="read"`` (the default): the dataset's flow relationships are read out of the database
  (:func:`.readback.read_flow`, paged by index) and the networkx backend's traversal and rules
  run on them in this process. It is what reaches the sizes Neo4j is for: at 10^6 entrustments,
  within a small factor of the networkx backend (docs/benchmarks.md, "Neo4j analysis at 10^6").
- ``rules="cypher"``: the Cypher rules (``cypher/rules/<rule id>.cypher``) run in the database,
  the same files people paste into Neo4j Browser; the parity tests hold them to the networkx
  rows. Each repeats the route traversal in Cypher, which takes hours at 10^6.

A chain given to :meth:`Neo4jBackend.evaluate` is loaded as the dataset first (a no-op when the
same version is loaded already); the dataset defaults to :func:`schema.default_dataset`. A
backend made with :meth:`Neo4jBackend.of_dataset` analyses a dataset without its file: its
:meth:`~Neo4jBackend.chain` is the chain read back (:func:`.readback.read_chain`), and evaluating
that chain (or that chain as of a day, as :func:`~entrustment_chain.graph.analysis.engine.analyze`
makes it) writes nothing.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.backend import Evaluation
from entrustment_chain.graph.analysis.flow import reach
from entrustment_chain.graph.analysis.registry import RULE_IDS
from entrustment_chain.graph.analysis.routes import Routes
from entrustment_chain.graph.analysis.rules import NetworkxBackend
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j.readback import read_chain, read_flow
from entrustment_chain.graph.neo4j.store import Neo4jStore

RULES = ("read", "cypher")
Rules = Literal["read", "cypher"]
DEFAULT_RULES: Rules = "read"  # what `chain analyze --backend neo4j` and `chain breach` use


class Neo4jBackend:
    """Evaluates the rules on a Neo4j dataset: ``rules="read"`` reads the flow relationships out
    and runs the traversal here, ``rules="cypher"`` runs the Cypher rules in the database (see
    the module doc)."""

    name = "neo4j"

    def __init__(self, store: Neo4jStore, dataset: str | None = None, source: str | None = None,
                 rules: Rules | None = None):
        rules = rules or DEFAULT_RULES
        if rules not in RULES:
            raise ValueError(f"rules must be one of {', '.join(RULES)}, not {rules!r}")
        self.store = store
        self.dataset = dataset
        self.source = source
        self.rules = rules
        self._chain: ChainFile | None = None  # the dataset's chain, read back (of_dataset)

    @classmethod
    def of_dataset(cls, store: Neo4jStore, dataset: str, rules: Rules | None = None) -> "Neo4jBackend":
        """A backend for a dataset without its file: ``backend.chain()`` reads the chain back,
        and ``analyze(backend.chain(), backend)`` analyses the dataset as it is in the database."""
        if not dataset:
            raise InputError([Problem("--dataset", None, "dataset", "name the dataset to analyse")])
        return cls(store, dataset, rules=rules)

    def chain(self) -> ChainFile:
        """The dataset's chain, read back once (:func:`.readback.read_chain`); an error that
        lists the datasets when it is not there or not ready."""
        if self._chain is None:
            if not self.dataset:
                raise InputError([Problem("--dataset", None, "dataset", "name the dataset to read")])
            self._chain = read_chain(self.store, self.dataset)
        return self._chain

    def _of_dataset(self, chain: ChainFile) -> bool:
        """Whether ``chain`` is the chain this backend read back, or that chain as of a day
        (:func:`~entrustment_chain.graph.analysis.asof.chain_as_of` copies it and keeps its
        organisations and systems, the very same lists)."""
        read = self._chain
        return read is not None and (chain is read or (chain.organizations is read.organizations
                                                        and chain.systems is read.systems))

    def _dataset(self, chain: ChainFile, as_of: date | None) -> tuple[str, date | None]:
        """The dataset that holds ``chain`` (loaded first when it comes from a file), and the day
        its flow relationships are read as of. A chain read back from the dataset is that
        dataset, and with ``rules="read"`` its snapshot on a day is read from it as of that day
        (nothing is written). Otherwise the chain as of a day (as ``analyze`` and ``breach`` give
        it) is loaded as a dataset of its own, ``NAME@as-of:DAY`` beside the whole chain's
        ``NAME`` (:func:`schema.default_dataset`): loading it as ``NAME`` would replace the whole
        chain with the part of it that had begun by that day."""
        if self._of_dataset(chain) and (as_of is None or self.rules == "read"):
            assert self.dataset is not None
            return self.dataset, as_of
        if as_of is None:
            dataset = self.dataset or S.default_dataset(chain, self.source)
        else:  # the chain as of a day is a dataset of its own, beside the whole: NAME@as-of:DAY
            dataset = S.default_dataset(chain, self.dataset or self.source, as_of)
        self.store.load(chain, dataset=dataset)
        return dataset, None

    def prepared_flow(self, chain: ChainFile, as_of: date | None = None) -> dict:
        """The flow relationships of the dataset holding ``chain``, read out of the database and
        prepared for :func:`~entrustment_chain.graph.analysis.flow.reach` (loading ``chain``
        first when it comes from a file)."""
        dataset, day = self._dataset(chain, as_of)
        return read_flow(self.store, dataset, chain, day)

    def evaluate(self, chain: ChainFile, as_of: date | None = None) -> Evaluation:
        if self.rules == "read":
            return NetworkxBackend().evaluate(chain, as_of, prepared=self.prepared_flow(chain, as_of))
        dataset, _ = self._dataset(chain, as_of)
        rows = ((rule_id, row) for rule_id in RULE_IDS
                for row in self.store.read("rules", rule_id, dataset=dataset, as_of=as_of))

        def truncated() -> list[dict]:
            return [{"consignor": r["consignor"], "route": r["route"]}
                    for r in self.store.read("queries", "step_bound", dataset=dataset)]

        return Evaluation(rows, lambda: self.store.read("queries", "exposure", dataset=dataset, as_of=as_of), None,
                          truncated)

    def handler_reach(self, chain: ChainFile, handler: str, as_of: date | None = None) -> list[dict]:
        """``chain breach`` on Neo4j: the rows of ``cypher/queries/handler_reach.cypher``, every
        route of every other organisation whose data ``handler`` can reach, with its canonical
        path and windows, and the route's path and windows at each system its data is in
        (graph/analysis/breach.py judges them, as it judges the networkx backend's). With
        ``rules="read"`` the same rows come from the traversal on the flow relationships read out
        of the database; with ``rules="cypher"``, from the query. With ``as_of``, only the
        reaches that stood that day (the Cypher query cuts the windows there; breach cuts them
        for both)."""
        if self.rules == "read":
            return reach_rows(chain, handler, self.prepared_flow(chain, as_of))
        dataset, _ = self._dataset(chain, as_of)
        return self.store.read("queries", "handler_reach", dataset=dataset, handler=handler, as_of=as_of)


def reach_rows(chain: ChainFile, handler: str, prepared: dict) -> list[dict[str, Any]]:
    """The rows ``handler_reach.cypher`` returns, made by the traversal on ``prepared`` flow
    relationships: per route of every other organisation whose walk reaches ``handler``, the
    route's canonical path to it and its windows there, and a row per system the route's data is
    in while it is held (the path to it ends in PLACES_DATA_IN), as
    :func:`~entrustment_chain.graph.analysis.breach.networkx_reaches` walks them."""
    routes = Routes(chain)
    node = S.org_node(handler)
    rows: list[dict[str, Any]] = []

    def row(c: str, route: Any, path: tuple, when: Any) -> dict[str, Any]:
        return {"consignor": c, "kind": route.kind, "route": route.id,
                "path": [{"type": s.type, "key": s.key, "source": s.source, "target": s.target} for s in path],
                "certain": [list(i) for i in when.certain], "held": [list(i) for i in when.held],
                "unknown": when.unknown}

    for c in routes.consignors():
        if c == handler:  # a route's walk never comes back to its own organisation
            continue
        for route in routes.routes[c]:
            walked = reach(None, c, prepared, route, routes.start(c, route))
            path = walked.paths.get(node)
            if path is None:
                continue
            through = [(n, p) for n, p in walked.paths.items()
                       if not n.startswith("org:") and not walked.windows[n].empty]
            if walked.windows[node].empty and not through:
                continue
            rows.append(row(c, route, path, walked.windows[node]))
            rows.extend(row(c, route, p, walked.windows[n]) for n, p in through)
    return rows
