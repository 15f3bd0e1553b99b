"""``analyze``: every rule of the registry on a chain, on a backend (networkx by default, or
Neo4j through :class:`entrustment_chain.graph.neo4j.backend.Neo4jBackend`), the same answer."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Iterable

from entrustment_chain.graph.analysis.asof import chain_as_of, standing
from entrustment_chain.graph.analysis.backend import Backend, Row
from entrustment_chain.graph.analysis.findings import (
    Analysis,
    HandlerExposure,
    SubjectCount,
    findings_from_rows,
    record_windows,
    summarize,
)
from entrustment_chain.graph.analysis.registry import RULE_INDEX
from entrustment_chain.graph.analysis.routes import Routes
from entrustment_chain.graph.analysis.rules import NetworkxBackend
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.schema import MAX_PATH_STEPS


def analyze(chain: ChainFile, backend: Backend | None = None, *, source: str | None = None,
            as_of: date | None = None) -> Analysis:
    """Analyse ``chain`` on ``backend`` (default: the embedded networkx backend); with ``as_of``,
    the chain as it stood on that day (:mod:`.asof`)."""
    backend = backend or NetworkxBackend()
    whole = chain
    if as_of is not None:
        chain = chain_as_of(chain, as_of)
    with gc_paused():
        evaluation = backend.evaluate(chain, as_of) if as_of is not None else backend.evaluate(chain)
        findings = findings_from_rows(chain, evaluation.rows, as_of)
        routes = evaluation.routes or Routes(chain)
        exposure = exposure_from_rows(chain, routes, evaluation.exposure())
    consignors = routes.consignors()
    intermediaries = sum(1 for c in consignors if routes.is_intermediary(c))
    summary = summarize(findings, len(consignors) - intermediaries, len(exposure))
    summary["intermediaries"] = intermediaries
    # paths are followed up to the bound both backends share; routes whose data goes further are
    # named (their handlers beyond the bound are not in the findings)
    summary["step_bound"] = {"max_steps": MAX_PATH_STEPS, "truncated": evaluation.truncated()}
    if as_of is not None:
        summary["as_of"] = standing(whole, as_of)
        # the undisclosed handlings on that day, by how they stood: certain or possible
        # (those resting on an unrecorded period, unbounded for want of a date, counted apart too)
        undisclosed = [record_windows(r) for r in findings.records if r.rule == RULE_INDEX["undisclosed_subcontracting"]]
        stood = Counter(w.on(as_of) for w in undisclosed)
        summary["as_of"]["undisclosed_handlings"] = {"certain": stood["certain"], "possible": stood["possible"],
                                                     "period_unknown": sum(1 for w in undisclosed if w.unknown)}
    return Analysis(source=source, backend=backend.name, summary=summary, findings=findings, exposure=exposure)


def exposure_from_rows(chain: ChainFile, routes: Routes, rows: Iterable[Row]) -> list[HandlerExposure]:
    """Concentration: per handler, the end consignors whose data it can reach and how many
    people that is, counted through the routes that reach it (an entrustment route counts its
    data subjects; a system route has no count). Intermediaries are listed apart: the data they
    hold is their consignors', counted there."""
    orgs = chain.organizations_by_id
    figures = {e.id: e.data_subjects for e in chain.entrustments}  # None: not recorded
    middle = routes.contracted
    result = []
    for row in rows:
        consignors, intermediaries = [], []
        count, approx, unknown, overlap = 0, False, 0, False
        reached = row["reached"]  # [{consignor, routes}] (the networkx backend: (consignor, routes) pairs)
        pairs = sorted((x["consignor"], x["routes"]) for x in reached) if reached and isinstance(reached[0], dict) \
            else reached
        for c, route_ids in pairs:
            if c in middle:
                intermediaries.append(c)
                continue
            consignors.append(c)
            found = [figures.get(r) for r in route_ids]
            if None in found:
                unknown += 1
                continue
            overlap = overlap or len(found) > 1
            for figure in found:
                count += figure.count
                approx = approx or figure.approximate
        if not consignors and not intermediaries:
            continue
        result.append(HandlerExposure(
            handler=row["handler"], name=orgs[row["handler"]].name, consignors=consignors,
            consignor_count=len(consignors), intermediaries=intermediaries,
            data_subjects=SubjectCount(count=count, approximate=approx, unknown=unknown,
                                       upper_bound=approx or unknown > 0 or overlap),
        ))
    result.sort(key=lambda x: (-x.consignor_count, -x.data_subjects.count, x.handler))
    return result
