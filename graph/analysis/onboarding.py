"""``check``: what a proposed vendor, entrustment or access grant would change, before it is signed.

The proposal is a chain-file fragment (organizations, systems, entrustments, access). It is
merged into the chain, validated like a chain file (problems name the proposal's own lines),
and both versions are analysed: every (consignor, handler) pair the proposal creates is
reported with its path, whether the consignor was told of and approved the handler, and what to
do — inform the consignor, ask for its approval — before anything is signed.
"""
from __future__ import annotations

import os
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from entrustment_chain.graph.analysis.findings import Step
from entrustment_chain.graph.analysis.flow import prepare_flow, reach
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.rules import Disclosure
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import chain_from_dict, read_text
from entrustment_chain.graph.io.sourcemap import SourceError, parse_yaml
from entrustment_chain.graph.model.chain import ChainFile

CHECK_SCHEMA = "entrustment-chain/check/v1"
SECTIONS = ("organizations", "systems", "entrustments", "access")


class GainedHandler(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    consignor: str
    consignor_name: str
    handler: str
    handler_name: str
    through: str  # the consignor's entrustment the data leaves by
    contractor: str  # that entrustment's contractor, who must inform the consignor
    path: list[Step]
    disclosed: bool
    approved: bool
    restricted: bool | None  # subcontract_restriction of ``through``
    actions: list[str]


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(default=CHECK_SCHEMA, alias="schema")
    gained: list[GainedHandler]
    consignors_affected: list[str]

    @property
    def blocking(self) -> list[GainedHandler]:
        return [g for g in self.gained if not (g.disclosed and g.approved)]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def dump_chain(chain: ChainFile) -> dict[str, Any]:
    """The chain as plain data, as a chain file would hold it."""
    return chain.model_dump(mode="json", by_alias=True, exclude_none=True)


def merge_proposal(chain: ChainFile, proposal: Any, name: str, lines: dict | None = None) -> ChainFile:
    """The chain with the proposal's elements added, validated; problems point into the proposal."""
    lines = lines or {}
    if not isinstance(proposal, dict):
        raise InputError([Problem(name, 1, "", "a proposal is a mapping with organizations, systems, "
                                  "entrustments and/or access")])
    problems = [Problem(name, lines.get((key,)), key, f"unknown key {key!r} (a proposal may add "
                        f"{', '.join(SECTIONS)})") for key in proposal if key not in (*SECTIONS, "schema")]
    if problems:
        raise InputError(problems)
    merged = dump_chain(chain)
    base = {section: len(merged.get(section, [])) for section in SECTIONS}
    shifted: dict[tuple, int] = {}
    for path, line in lines.items():
        if path and path[0] in SECTIONS and len(path) > 1 and isinstance(path[1], int):
            shifted[(path[0], path[1] + base[path[0]], *path[2:])] = line
    for section in SECTIONS:
        added = proposal.get(section) or []
        if not isinstance(added, list):
            raise InputError([Problem(name, lines.get((section,)), section, "must be a list")])
        merged[section] = list(merged.get(section, [])) + added
    try:
        return chain_from_dict(merged, name, shifted)
    except InputError as exc:
        def unshift(field: str) -> str:
            m = re.match(r"^(\w+)\[(\d+)\]", field)
            if m and m[1] in base and int(m[2]) >= base[m[1]]:
                return f"{m[1]}[{int(m[2]) - base[m[1]]}]" + field[m.end():]
            return field

        raise InputError([Problem(p.file, p.line, unshift(p.field), p.message) for p in exc.problems]) from None


def read_proposal(proposal: str) -> tuple[Any, str, dict]:
    """A proposal given as a file's path or as inline YAML: its data, its name for messages
    (the path, or ``--add``) and its line map."""
    if os.path.exists(proposal):
        name, text = proposal, read_text(proposal)
    else:
        name, text = "--add", proposal
    try:
        data, lines = parse_yaml(text)
    except SourceError as exc:
        raise InputError([Problem(name, exc.line, "", exc.message)]) from None
    return data, name, lines


def check(chain: ChainFile, proposal: Any, name: str = "<proposal>", lines: dict | None = None) -> CheckResult:
    """Which consignors would gain a handler, and whether they were told of and approved it."""
    after = merge_proposal(chain, proposal, name, lines)
    before_flow, after_flow = prepare_flow(build_graph(chain)), prepare_flow(build_graph(after))
    orgs = after.organizations_by_id
    disclosure = Disclosure(after)
    entrustments = after.entrustments_by_id
    gained = []
    for c in sorted({e.consignor for e in after.entrustments}):
        before = set(reach(None, c, before_flow).handlers()) if c in chain.organizations_by_id else set()
        for h, path in sorted(reach(None, c, after_flow).handlers().items()):
            if h in before:
                continue
            through = path[0].entrustment
            told, approved = disclosure.disclosed(c, h), disclosure.is_approved(c, h)
            restricted = entrustments[through].clauses.subcontract_restriction
            actions = []
            if not told:
                actions.append(f"{entrustments[through].contractor} must inform {c} that {h} will handle its data")
            if not approved:
                actions.append(f"obtain {c}'s approval for {h}"
                               + (" (its contract restricts re-entrustment)" if restricted else
                                  " (check whether its contract restricts re-entrustment)" if restricted is None else ""))
            gained.append(GainedHandler(
                consignor=c, consignor_name=orgs[c].name, handler=h, handler_name=orgs[h].name,
                through=through, contractor=entrustments[through].contractor,
                path=[Step.of(p) for p in path], disclosed=told, approved=approved, restricted=restricted,
                actions=actions))
    affected = sorted({g.consignor for g in gained if not (g.disclosed and g.approved)})
    return CheckResult(gained=gained, consignors_affected=affected)
