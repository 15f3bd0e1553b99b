"""``analyze``: run every rule on a chain, on networkx (default) or in Neo4j, same answer."""
from __future__ import annotations

from typing import Any, Iterable

from entrustment_chain.graph.findings import Analysis, HandlerExposure, SubjectCount, summarize
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.model import ChainFile
from entrustment_chain.graph.rules import Row, findings_from_rows, networkx_rows


def analyze(chain: ChainFile, backend: str = "networkx", *, source: str | None = None,
            store: Any = None, dataset: str | None = None) -> Analysis:
    """Analyse ``chain``. ``backend="neo4j"`` needs ``store`` (a :class:`Neo4jStore`) and loads
    the chain as ``dataset`` (default: its title or source) before running the Cypher rules."""
    with gc_paused():
        return _analyze(chain, backend, source=source, store=store, dataset=dataset)


def _analyze(chain: ChainFile, backend: str, *, source: str | None, store: Any, dataset: str | None) -> Analysis:
    if backend == "networkx":
        from entrustment_chain.graph.network import build_graph

        rows = networkx_rows(chain, build_graph(chain))
    elif backend == "neo4j":
        if store is None:
            raise ValueError("backend 'neo4j' needs a store")
        name = dataset or source or chain.title or "default"
        store.load(chain, dataset=name)
        rows = store.rule_rows(dataset=name)
    else:
        raise ValueError(f"unknown backend {backend!r} (networkx or neo4j)")
    return analysis_from_rows(chain, rows, backend=backend, source=source)


def analysis_from_rows(chain: ChainFile, rows: dict[str, list[Row]] | Iterable[tuple[str, Row]], *,
                       backend: str, source: str | None) -> Analysis:
    """An analysis from either backend's rows (a mapping rule → rows, or (rule, row) pairs)."""
    exposure_rows: list[Row] = []
    with gc_paused():
        findings = findings_from_rows(chain, rows, exposure_rows)
    exposure = exposure_from_rows(chain, exposure_rows)
    consignors = len({e.consignor for e in chain.entrustments})
    return Analysis(source=source, backend=backend, summary=summarize(findings, consignors, len(exposure)),
                    findings=findings, exposure=exposure)


def consignor_subjects(chain: ChainFile) -> dict[str, tuple[int, bool] | None]:
    """Data subjects each consignor entrusted (sum over its entrustments that carry personal data)."""
    totals: dict[str, tuple[int, bool] | None] = {}
    for e in chain.entrustments:
        if e.personal_data is False:
            continue
        current = totals.get(e.consignor)
        if e.data_subjects is None:
            totals.setdefault(e.consignor, None)
            continue
        count, approx = current if current else (0, False)
        totals[e.consignor] = (count + e.data_subjects.count, approx or e.data_subjects.approximate)
    return totals


def exposure_from_rows(chain: ChainFile, rows: list[Row]) -> list[HandlerExposure]:
    subjects = consignor_subjects(chain)
    orgs = chain.organizations_by_id
    result = []
    for row in rows:
        consignors = sorted(row["consignors"])
        count, approx, unknown = 0, False, 0
        for c in consignors:
            figure = subjects.get(c)
            if figure is None:
                unknown += 1
            else:
                count += figure[0]
                approx = approx or figure[1]
        result.append(HandlerExposure(
            handler=row["handler"], name=orgs[row["handler"]].name, consignors=consignors,
            consignor_count=len(consignors),
            data_subjects=SubjectCount(count=count, approximate=approx, unknown=unknown),
        ))
    result.sort(key=lambda x: (-x.consignor_count, -x.data_subjects.count, x.handler))
    return result
