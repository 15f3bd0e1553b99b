"""The Neo4j backend: the Cypher rules (``cypher/rules/<rule id>.cypher``) run on a dataset."""
from __future__ import annotations

from datetime import date

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.backend import Evaluation
from entrustment_chain.graph.analysis.registry import RULE_IDS
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j.store import Neo4jStore


class Neo4jBackend:
    """Evaluates the rules in Neo4j. The chain is loaded as ``dataset`` first (a no-op when the
    same version is loaded already); the dataset defaults to :func:`schema.default_dataset`."""

    name = "neo4j"

    def __init__(self, store: Neo4jStore, dataset: str | None = None, source: str | None = None):
        self.store = store
        self.dataset = dataset
        self.source = source

    def evaluate(self, chain: ChainFile, as_of: date | None = None) -> Evaluation:
        dataset = self.dataset or S.default_dataset(chain, self.source, as_of)
        self.store.load(chain, dataset=dataset)
        rows = ((rule_id, row) for rule_id in RULE_IDS
                for row in self.store.read("rules", rule_id, dataset=dataset, as_of=as_of))
        def truncated() -> list[dict]:
            return [{"consignor": r["consignor"], "route": r["route"]}
                    for r in self.store.read("queries", "step_bound", dataset=dataset)]

        return Evaluation(rows, lambda: self.store.read("queries", "exposure", dataset=dataset, as_of=as_of), None,
                          truncated)

    def handler_reach(self, chain: ChainFile, handler: str, as_of: date | None = None) -> list[dict]:
        """``chain breach`` on Neo4j: the rows of ``cypher/queries/handler_reach.cypher``, every route
        of every other organisation whose data ``handler`` can reach, with its canonical path and
        windows (graph/analysis/breach.py judges them, as it judges the networkx backend's). The
        chain is loaded as the dataset first, as :meth:`evaluate` loads it; with ``as_of``, only
        the reaches that stood that day."""
        dataset = self.dataset or S.default_dataset(chain, self.source, as_of)
        self.store.load(chain, dataset=dataset)
        return self.store.read("queries", "handler_reach", dataset=dataset, handler=handler, as_of=as_of)
