"""The DORA Register of Information template B_05.02 (ICT service supply chains).

One row per contractual arrangement and provider in its supply chain: for each consignor's
entrustment (the arrangement), its contractor at rank 1 and every further handler of the
consignor's data that the entrustment's route reaches (see ..analysis.routes), ranked by the
chain: a handler's rank is one more than the rank of the organisation it serves (the consignor
of the entrustment it was given, or, for access to a system, the organisation the access was
granted under or the system's operator).
Providers are identified by their chain-file ids (code type "OTHER"): chain files carry no LEI.

A cell that begins with =, +, - or @ (or a tab or carriage return) is written with a leading
apostrophe ('=1+2), so that a spreadsheet opening the file shows it as text instead of running it
as a formula (CSV injection); every other cell is written as it is.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.analysis.flow import prepare_flow, reach
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, Route
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.analysis.network import build_graph

HEADER = (
    "B_05.02.0010 Contractual arrangement reference number",
    "B_05.02.0020 Type of ICT services",
    "B_05.02.0030 Identification code of the ICT third-party service provider",
    "B_05.02.0040 Type of code to identify the ICT third-party service provider",
    "B_05.02.0050 Rank",
    "B_05.02.0060 Identification code of the recipient of sub-contracted ICT services",
    "B_05.02.0070 Type of code to identify the recipient of sub-contracted ICT services",
)
CODE_TYPE = "OTHER"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """``value`` as a spreadsheet shows it as text: with a leading apostrophe where it would be a
    formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def rows(chain: ChainFile) -> list[tuple[str, ...]]:
    prepared = prepare_flow(build_graph(chain))
    entrustments = chain.entrustments_by_id
    operators = {s.id: s.operator for s in chain.systems}
    grants = dict(zip(chain.grant_keys, chain.access))
    own_by_consignor: dict[str, list] = defaultdict(list)
    for e in chain.entrustments:
        if e.personal_data is not False:
            own_by_consignor[e.consignor].append(e)
    out: list[tuple[str, ...]] = []
    for c in sorted({e.consignor for e in chain.entrustments}):
        own = own_by_consignor[c]
        for e in sorted(own, key=lambda x: x.id):
            ranks = {e.contractor: 1}
            out.append((e.id, e.work or "", e.contractor, CODE_TYPE, "1", "", ""))
            # every handler this arrangement's data reaches (its route), by its shortest path
            paths = reach(None, c, prepared, Route(ENTRUSTMENT, e.id)).handlers()
            chained = [(len(path), handler, path) for handler, path in paths.items() if handler != e.contractor]
            for _, handler, path in sorted(chained, key=lambda item: (item[0], item[1])):
                last = path[-1]
                if last.type == S.ENTRUSTS:
                    recipient = entrustments[last.key].consignor
                else:
                    grant = grants[last.key]
                    system = last.source
                    recipient = (entrustments[grant.under].consignor if grant.under
                                 else operators.get(system) or e.contractor)
                rank = ranks.get(recipient, 1) + 1
                ranks[handler] = rank
                out.append((e.id, e.work or "", handler, CODE_TYPE, str(rank), recipient, CODE_TYPE))
    return out


def to_csv(chain: ChainFile, analysis: Analysis | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(tuple(map(cell, row)) for row in rows(chain))
    return buffer.getvalue()
