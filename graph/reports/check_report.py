"""The report of ``chain check``: what a proposed vendor or access grant would change, as a
terminal table or markdown."""
from __future__ import annotations

from typing import Any

from entrustment_chain.graph.analysis.messages import path_text
from entrustment_chain.graph.reports.render import md


def check_text(result: Any, markdown: bool = False) -> str:
    blocking = result.blocking
    if not result.gained:
        return "The proposal gives no consignor's data to a new handler.\n"
    head = (f"{len(result.consignors_affected)} consignor(s) would gain a handler they were not told of "
            f"or did not approve" if blocking else "Every new handler is disclosed to and approved by its consignor")
    out = ["# 事前確認（chain check）\n" if markdown else "", head + ".", ""]
    bullet, sub = ("- ", "  - ") if markdown else ("  ", "      ")
    t = md if markdown else str  # names, ids and paths as text in markdown
    for g in result.gained:
        status = ["told" if g.disclosed else "NOT TOLD", "approved" if g.approved else "NOT APPROVED"]
        out.append(f"{bullet}{t(g.consignor)} ({t(g.consignor_name)}) ← {t(g.handler)} ({t(g.handler_name)}): "
                   f"{', '.join(status)}")
        for r in g.routes:
            marks = ["told" if r.disclosed else "not told", "approved" if r.approved else "not approved"]
            out.append(f"{sub}via {r.kind} {t(r.id)} ({', '.join(marks)}; brought in by {t(r.signer)}): "
                       f"{t(path_text(r.path))}")
        for action in g.actions:
            out.append(f"{sub}{t(action.text)}")
    return "\n".join(out).lstrip("\n") + "\n"
