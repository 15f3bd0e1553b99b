"""The library: chain-file models, loading and validation, analysis, survey tables, Neo4j store.

Public API (imported lazily, so ``chain --help`` loads neither networkx nor the Neo4j driver)::

    from entrustment_chain.graph import RuleId, load_chain, analyze, check, survey
    chain = load_chain("fixtures/procx-2024/chain.yaml")
    result = analyze(chain)
    hidden = result.by_rule(RuleId.UNDISCLOSED_SUBCONTRACTING)

The package is typed (``py.typed``): type checkers see the names below as imported under
``TYPE_CHECKING``; at run time each is imported from its module on first use. ``_EXPORTS``,
the ``TYPE_CHECKING`` imports and ``__all__`` name the same things (tests/test_typing.py checks
it), and ``docs/api.md`` is generated from them (``scripts/regen``).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> module below entrustment_chain.graph; the order is docs/api.md's
_EXPORTS = {
    # reading a chain
    "load_chain": "io.loader",
    "parse_chain_text": "io.loader",
    "chain_from_dict": "io.loader",
    "chain_as_of": "analysis.asof",
    # the chain file's models
    "ChainFile": "model.chain",
    "Organization": "model.chain",
    "System": "model.chain",
    "Entrustment": "model.chain",
    "Access": "model.chain",
    "Disposal": "model.chain",
    "OrgKind": "model.chain",
    "AccessKind": "model.chain",
    "DataCategory": "model.chain",
    # analysis
    "analyze": "analysis.engine",
    "Analysis": "analysis.findings",
    "Finding": "analysis.findings",
    "FindingsDocument": "analysis.findings",
    "Step": "analysis.findings",
    "RouteWindows": "analysis.findings",
    "LegalReference": "analysis.findings",
    "HandlerExposure": "analysis.findings",
    "RuleId": "analysis.registry",
    "Severity": "analysis.registry",
    "UnknownRule": "analysis.registry",
    # what a proposal would change
    "check": "analysis.onboarding",
    "Proposal": "analysis.onboarding",
    "CheckResult": "analysis.onboarding",
    # one organisation's data: where it goes, and what to do
    "consignor_view": "analysis.consignor",
    "ConsignorView": "analysis.consignor",
    # when a handler leaks
    "breach": "analysis.breach",
    "BreachReport": "analysis.breach",
    # the regulator's survey tables
    "survey": "analysis.survey",
    "Survey": "analysis.survey",
    # errors
    "InputError": "errors",
    "DatabaseError": "errors",
    "ChainError": "errors",
    "Problem": "errors",
    # dates and periods as chain files write them
    "parse_period": "model.wareki",
    "parse_date": "model.wareki",
}

__all__ = [
    "Access", "AccessKind", "Analysis", "BreachReport", "ChainError", "ChainFile", "CheckResult", "ConsignorView",
    "DataCategory", "DatabaseError", "Disposal", "Entrustment", "Finding", "FindingsDocument", "HandlerExposure",
    "InputError", "LegalReference", "OrgKind", "Organization", "Problem", "Proposal", "RouteWindows", "RuleId", "Severity", "Step", "Survey",
    "System", "UnknownRule", "analyze", "breach", "chain_as_of", "chain_from_dict", "check", "consignor_view",
    "load_chain", "parse_chain_text", "parse_date", "parse_period", "survey",
]

if TYPE_CHECKING:
    from entrustment_chain.graph.analysis.asof import chain_as_of
    from entrustment_chain.graph.analysis.breach import BreachReport, breach
    from entrustment_chain.graph.analysis.consignor import ConsignorView, consignor_view
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.analysis.findings import (
        Analysis,
        Finding,
        FindingsDocument,
        HandlerExposure,
        LegalReference,
        RouteWindows,
        Step,
    )
    from entrustment_chain.graph.analysis.onboarding import CheckResult, Proposal, check
    from entrustment_chain.graph.analysis.registry import RuleId, Severity, UnknownRule
    from entrustment_chain.graph.analysis.survey import Survey, survey
    from entrustment_chain.graph.errors import ChainError, DatabaseError, InputError, Problem
    from entrustment_chain.graph.io.loader import chain_from_dict, load_chain, parse_chain_text
    from entrustment_chain.graph.model.chain import (
        Access,
        AccessKind,
        ChainFile,
        DataCategory,
        Disposal,
        Entrustment,
        Organization,
        OrgKind,
        System,
    )
    from entrustment_chain.graph.model.wareki import parse_date, parse_period
else:
    def __getattr__(name: str) -> Any:  # PEP 562: hidden from type checkers, so a typo is an error
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
