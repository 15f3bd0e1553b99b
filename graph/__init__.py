"""The library: chain-file models, loading and validation, analysis, survey tables, Neo4j store.

Public API (imported lazily, so ``chain --help`` loads neither networkx nor the Neo4j driver)::

    from entrustment_chain.graph import load_chain, analyze, check, survey
    chain = load_chain("fixtures/procx-2024/chain.yaml")
    result = analyze(chain)
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "ChainFile": "model",
    "Organization": "model",
    "System": "model",
    "Entrustment": "model",
    "Access": "model",
    "load_chain": "loader",
    "chain_from_dict": "loader",
    "parse_chain_text": "loader",
    "analyze": "analysis",
    "Analysis": "findings",
    "Finding": "findings",
    "Step": "findings",
    "HandlerExposure": "findings",
    "check": "onboarding",
    "CheckResult": "onboarding",
    "survey": "survey_tables",
    "Survey": "survey_tables",
    "InputError": "errors",
    "DatabaseError": "errors",
    "ChainError": "errors",
    "Problem": "errors",
    "parse_period": "wareki",
    "parse_date": "wareki",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
