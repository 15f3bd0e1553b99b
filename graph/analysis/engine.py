"""``analyze``: every rule of the registry on a chain, on a backend (networkx by default, or
Neo4j through :class:`entrustment_chain.graph.neo4j.backend.Neo4jBackend`), the same answer."""
from __future__ import annotations

from entrustment_chain.graph.analysis.backend import Backend, Row
from entrustment_chain.graph.analysis.findings import (
    Analysis,
    HandlerExposure,
    SubjectCount,
    findings_from_rows,
    summarize,
)
from entrustment_chain.graph.analysis.rules import NetworkxBackend
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.model.chain import ChainFile


def analyze(chain: ChainFile, backend: Backend | None = None, *, source: str | None = None) -> Analysis:
    """Analyse ``chain`` on ``backend`` (default: the embedded networkx backend)."""
    backend = backend or NetworkxBackend()
    with gc_paused():
        evaluation = backend.evaluate(chain)
        findings = findings_from_rows(chain, evaluation.rows)
        exposure = exposure_from_rows(chain, evaluation.exposure())
    consignors = len({e.consignor for e in chain.entrustments})
    return Analysis(source=source, backend=backend.name,
                    summary=summarize(findings, consignors, len(exposure)), findings=findings, exposure=exposure)


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
