"""What a backend is: something that evaluates the rules of the registry on a chain and returns
their rows. The networkx backend (:class:`.rules.NetworkxBackend`) runs in this process; the Neo4j
backend (:class:`entrustment_chain.graph.neo4j.backend.Neo4jBackend`) runs the Cypher rules in a
database. Both return the same rows, so :mod:`.findings` makes the same findings of them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Protocol

from entrustment_chain.graph.model.chain import ChainFile

Row = dict[str, Any]


@dataclass
class Evaluation:
    """A backend's answer: the rule rows as (rule id, row) pairs, read once, and the exposure
    rows (handler, consignors), available once ``rows`` has been read to its end."""

    rows: Iterable[tuple[str, Any]]
    exposure: Callable[[], Iterable[Row]]
    routes: Any = None  # the backend's Routes of the chain, when it made them (saves making them twice)
    # the routes whose data goes on beyond the step bound, [{consignor, route}], available once
    # ``rows`` has been read to its end
    truncated: Callable[[], list[Row]] = lambda: []


class Backend(Protocol):
    name: str

    def evaluate(self, chain: ChainFile, as_of: date | None = None) -> Evaluation:
        """Evaluate every rule of the registry on ``chain``; with ``as_of``, the path rules and
        the exposure keep only the handlings that stood on that day (:mod:`.asof`)."""
        ...
