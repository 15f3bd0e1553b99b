"""The library: chain-file models, loading and validation, analysis, survey tables, Neo4j store.

Public API (imported lazily, so ``chain --help`` loads neither networkx nor the Neo4j driver)::

    from entrustment_chain.graph import load_chain, analyze, check, survey
    chain = load_chain("fixtures/procx-2024/chain.yaml")
    result = analyze(chain)
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "ChainFile": "model.chain",
    "Organization": "model.chain",
    "System": "model.chain",
    "Entrustment": "model.chain",
    "Access": "model.chain",
    "load_chain": "io.loader",
    "chain_from_dict": "io.loader",
    "parse_chain_text": "io.loader",
    "analyze": "analysis.engine",
    "Analysis": "analysis.findings",
    "Finding": "analysis.findings",
    "Step": "analysis.findings",
    "RouteWindows": "analysis.findings",
    "LegalReference": "analysis.findings",
    "Disposal": "model.chain",
    "chain_as_of": "analysis.asof",
    "HandlerExposure": "analysis.findings",
    "check": "analysis.onboarding",
    "CheckResult": "analysis.onboarding",
    "breach": "analysis.breach",
    "BreachReport": "analysis.breach",
    "survey": "analysis.survey",
    "Survey": "analysis.survey",
    "InputError": "errors",
    "DatabaseError": "errors",
    "ChainError": "errors",
    "Problem": "errors",
    "parse_period": "model.wareki",
    "parse_date": "model.wareki",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
