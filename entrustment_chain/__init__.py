"""entrustment-chain: personal-data entrustment chains (委託元 → 委託先 → 再委託先) as a graph.

The library lives in :mod:`entrustment_chain.graph`; its public names are available here too
(``import entrustment_chain as ec; ec.load_chain(...)``), imported on first use so that the
command line starts without loading networkx or the Neo4j driver. The package is typed
(``py.typed``): type checkers see the same names through the star import below.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from entrustment_chain.graph import *  # noqa: F403 (graph's __all__: the public API)
else:
    def __getattr__(name: str) -> Any:  # PEP 562: lazy re-export of the library's public API
        import importlib

        graph = importlib.import_module("entrustment_chain.graph")
        if name in graph.__all__:
            return getattr(graph, name)
        raise AttributeError(f"module 'entrustment_chain' has no attribute {name!r}")
