"""The rules on the embedded backend (networkx): rows per rule, the same columns the Cypher
rules in ``cypher/rules/`` return (see :mod:`.registry`). :mod:`.findings` turns either backend's
rows into findings.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.backend import Evaluation
from entrustment_chain.graph.analysis.findings import Record, Row
from entrustment_chain.graph.analysis.flow import prepare_flow, reach
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.registry import RULE_INDEX
from entrustment_chain.graph.model.chain import CLAUSE_SAFETY, SUPERVISION_MEASURES, ChainFile

class Disclosure:
    """Per consignor: who it was told of, who it approved, and whether those records are known."""

    def __init__(self, chain: ChainFile):
        self.own: dict[str, set[str]] = defaultdict(set)
        self.told: dict[str, set[str]] = defaultdict(set)
        self.approved: dict[str, set[str]] = defaultdict(set)
        self.told_unknown: set[str] = set()
        self.approved_unknown: set[str] = set()
        for e in chain.entrustments:
            c = e.consignor
            self.own[c].add(e.contractor)
            if e.informed_subcontractors is None:
                self.told_unknown.add(c)
            else:
                self.told[c].update(e.informed_subcontractors)
            if e.approved_subcontractors is None:
                self.approved_unknown.add(c)
            else:
                self.approved[c].update(e.approved_subcontractors)
                self.told[c].update(e.approved_subcontractors)

    def disclosed(self, consignor: str, handler: str) -> bool:
        return handler in self.own[consignor] or handler in self.told[consignor]

    def is_approved(self, consignor: str, handler: str) -> bool:
        return handler in self.own[consignor] or handler in self.approved[consignor]


UNDISCLOSED, UNAPPROVED = "undisclosed_subcontracting", "unapproved_subcontracting"
UNDISCLOSED_INDEX, UNAPPROVED_INDEX = RULE_INDEX[UNDISCLOSED], RULE_INDEX[UNAPPROVED]


class NetworkxBackend:
    """The embedded backend: the rules evaluated in this process on a networkx graph."""

    name = "networkx"

    def evaluate(self, chain: ChainFile) -> Evaluation:
        reached_by: dict[str, list[str]] = defaultdict(list)

        def exposure() -> list[Row]:
            return [{"handler": h, "consignors": reached_by[h]} for h in sorted(reached_by)]

        return Evaluation(networkx_rows(chain, reached_by), exposure)


def networkx_rows(chain: ChainFile, reached_by: dict[str, list[str]] | None = None) -> Iterator[tuple[str, Row]]:
    """Every rule's rows, computed on the networkx graph, as (rule, row) pairs, produced one
    consignor at a time (never all at once: a million entrustments give millions of rows).
    Paths are tuples of shared :class:`PathStep` tuples; the undisclosed and unapproved rows of
    one handler share one path. The consignors each handler is reached from are added to
    ``reached_by`` (the exposure) as they are found."""
    if reached_by is None:
        reached_by = defaultdict(list)
    disclosure = Disclosure(chain)
    restricts = {e.id: e.clauses.subcontract_restriction is True for e in chain.entrustments}
    consignors = sorted({e.consignor for e in chain.entrustments})
    # only the prepared flow relationships are read: the graph itself is let go at once
    prepared = prepare_flow(build_graph(chain))
    for c in consignors:
        handlers = reach(None, c, prepared).handlers()
        undisclosed = []
        told_unknown = c in disclosure.told_unknown
        approved_unknown = c in disclosure.approved_unknown
        for h in sorted(handlers):
            reached_by[h].append(c)
            path = handlers[h]
            # rows of the two path rules come already compact (a Record is a row too)
            if not disclosure.disclosed(c, h):
                undisclosed.append(h)
                yield UNDISCLOSED, Record(UNDISCLOSED_INDEX, c, h, None, path, told_unknown, (), ())
            through = path[0].entrustment
            if not disclosure.is_approved(c, h) and restricts[through]:
                yield UNAPPROVED, Record(UNAPPROVED_INDEX, c, h, through, path, approved_unknown, (), ())
        if undisclosed:
            yield "could_not_supervise", {"consignor": c, "handlers": undisclosed, "evidence_unknown": told_unknown}
    for row in misclassified_rows(chain):
        yield "misclassified_subcontract", row
    for row in entrustment_rows(chain):
        yield row.pop("rule"), row


def holding_systems(chain: ChainFile) -> set[str]:
    """Systems that hold personal data: named by an entrustment whose personal_data is not false."""
    return {s for e in chain.entrustments if S.may_carry(e.personal_data) for s in e.systems}


def misclassified_rows(chain: ChainFile) -> list[Row]:
    """Entrustments marked ``personal_data: false`` whose contractor can reach personal data:
    it has access, granted under this entrustment or to a system of the consignor (one the
    consignor operates or processes entrusted data in), to a system that holds personal data."""
    holding = holding_systems(chain)
    systems_of: dict[str, set[str]] = defaultdict(set)
    for system in chain.systems:
        if system.operator:
            systems_of[system.operator].add(system.id)
    for e in chain.entrustments:
        systems_of[e.contractor].update(e.systems)
        systems_of[e.consignor].update(e.systems)
    grants_of: dict[str, list] = defaultdict(list)
    for grant in chain.access:
        if grant.system in holding:
            grants_of[grant.organization].append(grant)
    rows = []
    for e in chain.entrustments:
        if e.personal_data is not False:
            continue
        reachable = sorted(
            grant.system for grant in grants_of.get(e.contractor, ())
            if grant.under == e.id or grant.system in systems_of[e.consignor]
        )
        if reachable:
            rows.append({"entrustment": e.id, "consignor": e.consignor, "handler": e.contractor,
                         "systems": reachable})
    return rows


# The entrustment rules: (the answers they read, the fields, the rule when all of them are false,
# the rule when some are).
ENTRUSTMENT_JUDGEMENTS = (
    ("clauses", CLAUSE_SAFETY, "no_safeguard_clauses", "missing_safeguard_clause"),
    ("clauses", ("subcontract_restriction",), "no_subcontract_restriction", None),
    ("supervision", SUPERVISION_MEASURES, "no_supervision", "weak_supervision"),
    ("supervision", ("subcontract_check",), "subcontracting_not_checked", None),
)


def entrustment_rows(chain: ChainFile) -> Iterable[Row]:
    """Clause and supervision rules, one row per entrustment and rule. They judge every answer
    recorded as false, whatever the contract's own classification of the work: a contract
    classified as "no personal data" is exactly where misclassification hides (ProCX → BS)."""
    for e in chain.entrustments:
        base = {"entrustment": e.id, "consignor": e.consignor, "handler": e.contractor}
        for group, fields, all_false, some_false in ENTRUSTMENT_JUDGEMENTS:
            answers = getattr(e, group)
            missing = [f for f in fields if getattr(answers, f) is False]
            if len(missing) == len(fields):
                yield {"rule": all_false, **base, "missing": missing}
            elif missing and some_false:
                yield {"rule": some_false, **base, "missing": missing}
