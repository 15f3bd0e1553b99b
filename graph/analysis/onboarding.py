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
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.findings import Step
from entrustment_chain.graph.analysis.flow import prepare_flow, reach
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, SYSTEM, Route, Routes
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import STDIN, chain_from_dict, input_name, read_text
from entrustment_chain.graph.io.sourcemap import SourceError, parse_yaml
from entrustment_chain.graph.model.chain import ChainFile

CHECK_SCHEMA = "entrustment-chain/check/v2"
SECTIONS = ("organizations", "systems", "entrustments", "access")


class Action(BaseModel):
    """What must happen before the proposal is signed: ``inform`` — ``by`` (the party that signs
    the entrustment or grants the access that brings the handler in) tells ``to`` (the consignor)
    that ``about`` will handle its data on ``route``; ``approve`` — ``by`` (the consignor) approves
    ``about`` for ``route``, asked by ``to``. ``required`` is false when the route's contract
    does not say whether it restricts re-entrustment (check it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["inform", "approve"]
    by: str
    to: str
    about: str
    route: str
    required: bool = True
    text: str
    text_ja: str


class GainedRoute(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str  # "entrustment" or "system"
    id: str
    path: list[Step]
    signer: str  # who brings the handler in on this route: signs its entrustment or grants its access
    disclosed: bool
    approved: bool
    restricted: bool | None  # the route entrustment's subcontract_restriction (None for a system)


class GainedHandler(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    consignor: str
    consignor_name: str
    handler: str
    handler_name: str
    routes: list[GainedRoute]  # every route of the consignor that would reach the handler
    disclosed: bool  # on every route
    approved: bool  # on every route that restricts re-entrustment
    actions: list[Action]


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(default=CHECK_SCHEMA, alias="schema")
    gained: list[GainedHandler]
    consignors_affected: list[str]

    @property
    def blocking(self) -> list[GainedHandler]:
        return [g for g in self.gained if g.actions]

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
    """A proposal given as a file's path, as ``-`` (standard input) or as inline YAML: its data,
    its name for messages (the path, ``<stdin>`` or ``--add``) and its line map. A file is read
    as a chain file is (a regular file, within YAML's byte limit); inline YAML is a mapping, so
    one line without a colon or a bracket that names nothing is a missing file."""
    if proposal == STDIN or os.path.lexists(proposal) or (
            proposal.strip() and not any(c in proposal for c in ":\n{[")):
        name, text = input_name(proposal), read_text(proposal)
    else:
        name, text = "--add", proposal
    try:
        data, lines = parse_yaml(text)
    except SourceError as exc:
        raise InputError([Problem(name, exc.line, "", exc.message)]) from None
    return data, name, lines


def check(chain: ChainFile, proposal: Any, name: str = "<proposal>", lines: dict | None = None,
          as_of: date | None = None) -> CheckResult:
    """Which consignors would gain a handler on one of their routes (a handler already reaching
    the data on another route counts: disclosure is per route), whether they were told of and
    approved it there, and who must do what before anything is signed. A handler reaches the
    data while it is held (:mod:`.windows`); with ``as_of``, the chain is taken as it stood on
    that day (:mod:`.asof`) before the proposal is added to it."""
    if as_of is not None:
        chain = chain_as_of(chain, as_of)
    after = merge_proposal(chain, proposal, name, lines)
    before_flow, after_flow = prepare_flow(build_graph(chain)), prepare_flow(build_graph(after))
    before_routes, routes = Routes(chain), Routes(after)
    orgs = after.organizations_by_id
    gained = []
    for c in routes.consignors():
        # judged per route: a handler already known on one route is new on another
        before: set[tuple[Route, str]] = set()
        for route in before_routes.routes.get(c, ()):
            reached = reach(None, c, before_flow, route, before_routes.start(c, route))
            before.update((route, h) for h in reached.handlers() if not reached.windows[S.org_node(h)].empty)
        found: dict[str, list[GainedRoute]] = {}
        for route in routes.routes[c]:
            reached = reach(None, c, after_flow, route, routes.start(c, route))
            paths = reached.paths
            systems = {S.node_id(n) for n in paths if not n.startswith("org:")} | (
                {route.id} if route.kind == SYSTEM else set())
            for node, path in paths.items():
                h = S.node_id(node)
                if not node.startswith("org:") or (route, h) in before or reached.windows[node].empty:
                    continue
                judged = routes.judge(c, route, h, systems)
                restricted = (after.entrustments_by_id[route.id].clauses.subcontract_restriction
                              if route.kind == ENTRUSTMENT else None)
                found.setdefault(h, []).append(GainedRoute(
                    kind=route.kind, id=route.id, path=[Step.of(p) for p in path], signer=_signer(after, path),
                    disclosed=judged.disclosed, approved=judged.approved, restricted=restricted))
        for h in sorted(found):
            on = sorted(found[h], key=lambda r: (len(r.path), Route(r.kind, r.id).order))
            if all(r.signer == c for r in on):
                continue  # the consignor brings the handler in itself: nobody needs to tell it
            actions = [a for r in on for a in _actions(c, h, r, orgs)]
            gained.append(GainedHandler(
                consignor=c, consignor_name=orgs[c].name, handler=h, handler_name=orgs[h].name, routes=on,
                disclosed=all(r.disclosed for r in on),
                approved=all(r.approved for r in on if r.restricted is not False), actions=actions))
    affected = sorted({g.consignor for g in gained if g.actions})
    return CheckResult(gained=gained, consignors_affected=affected)


def _signer(chain: ChainFile, path: list) -> str:
    """Who brings the handler in at the end of ``path``: the consignor of the entrustment of its
    last step, or, for access, the consignor of the entrustment the grant is under (else the
    system's operator, else the organisation the data came from)."""
    last = path[-1]
    if last.type != S.ACCESSIBLE_BY:
        return chain.entrustments_by_id[last.entrustment].consignor
    for grant in chain.access:
        if grant.organization == last.target and grant.system == last.source:
            if grant.under:
                return chain.entrustments_by_id[grant.under].consignor
            operator = chain.systems_by_id[grant.system].operator
            if operator:
                return operator
    return path[-2].source if len(path) > 1 else last.source


def _actions(c: str, h: str, route: GainedRoute, orgs: dict) -> list[Action]:
    """The actions one route asks for; none where the consignor itself signs (it knows)."""
    if route.signer == c:
        return []
    name = {o: orgs[o].name if o in orgs else o for o in (c, h, route.signer)}
    out = []
    if not route.disclosed:
        out.append(Action(
            type="inform", by=route.signer, to=c, about=h, route=route.id,
            text=f"{name[route.signer]} ({route.signer}) must inform {name[c]} ({c}) that {name[h]} ({h}) "
                 f"will handle its data ({route.kind} {route.id}).",
            text_ja=f"{name[route.signer]}（{route.signer}）は、{name[h]}（{h}）がデータを取り扱うことを"
                    f"{name[c]}（{c}）に説明する（経路：{route.id}）。"))
    if not route.approved and route.restricted is not False and route.kind == ENTRUSTMENT:
        required = route.restricted is True
        out.append(Action(
            type="approve", by=c, to=route.signer, about=h, route=route.id, required=required,
            text=f"{name[c]} ({c}) must approve {name[h]} ({h}) for entrustment {route.id}"
                 + ("." if required else " if the contract restricts re-entrustment (check it)."),
            text_ja=f"{name[c]}（{c}）の{name[h]}（{h}）についての承認を得る（委託{route.id}"
                    + ("は再委託を制限している）。" if required else "の再委託制限の有無を確認する）。")))
    return out
