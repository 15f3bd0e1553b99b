"""``check``: what a proposed vendor, entrustment or access grant would change, before it is signed.

The proposal is a chain-file fragment (organizations, systems, entrustments, access): a
:class:`Proposal`, or the same as plain data (a mapping, as parsed from YAML or JSON). It is
merged into the chain, validated like a chain file (problems name the proposal's own lines
when it was read from a file or text), and both versions are analysed: every (consignor, handler) pair the proposal creates is
reported with its path, whether the consignor was told of and approved the handler, and what to
do — inform the consignor, ask for its approval — before anything is signed.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.findings import Step
from entrustment_chain.graph.analysis.flow import Reach, prepare_flow, reach
from entrustment_chain.graph.analysis.messages import Words
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, SYSTEM, Route, Routes
from entrustment_chain.graph.analysis.windows import Windows
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import STDIN, pydantic_problems, chain_from_dict, input_name, read_text
from entrustment_chain.graph.io.sourcemap import SourceError, parse_yaml
from entrustment_chain.graph.model.chain import Access, ChainFile, Entrustment, Organization, System

CHECK_SCHEMA = "entrustment-chain/check/v2"
SECTIONS = ("organizations", "systems", "entrustments", "access")

LineMap = Mapping[tuple[str | int, ...], int]  # a field's path in the data -> its line in the file


class Proposal(BaseModel):
    """A proposed change to a chain, before it is signed: the organisations, systems,
    entrustments and access grants it would add, each as a chain file writes it (ids may refer
    to the chain's own elements). Build one in code, or read one from a file or inline YAML with
    :meth:`read`, which remembers the file's lines so that :func:`check` names them."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str | None = Field(default=None, alias="schema", description="Ignored: a proposal may carry the "
                                "chain file's schema line.")
    organizations: list[Organization] = Field(default_factory=list, description="New organisations "
                                              "(組織): the vendor, and any other new party.")
    systems: list[System] = Field(default_factory=list, description="New information systems (情報システム).")
    entrustments: list[Entrustment] = Field(default_factory=list, description="New entrustments "
                                            "(委託, 再委託): the contracts to be signed.")
    access: list[Access] = Field(default_factory=list, description="New access grants (アクセス権限).")

    _name: str = PrivateAttr("<proposal>")
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @classmethod
    def read(cls, source: str) -> "Proposal":
        """A proposal from a file's path, ``-`` (standard input) or inline YAML (as ``chain check
        --add`` takes it), validated; an :class:`InputError` names the file (or ``--add``), line
        and field of every problem. :func:`check` names its lines too."""
        data, name, lines = read_proposal(source)
        if not isinstance(data, dict):
            raise InputError([Problem(name, 1, "", _NOT_A_MAPPING)])
        try:
            proposal = cls.model_validate(data)
        except ValidationError as exc:
            raise InputError(list(pydantic_problems(exc, data, name, lines))) from None
        proposal._name, proposal._lines = name, dict(lines)
        return proposal

    @property
    def name(self) -> str:
        """What problems call it: the file it was read from, ``--add``, or ``<proposal>``."""
        return self._name

    def to_data(self) -> dict[str, Any]:
        """The proposal as plain data, as a proposal file would hold it."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"schema_"})


_NOT_A_MAPPING = "a proposal is a mapping with organizations, systems, entrustments and/or access"


class Action(BaseModel):
    """What must happen before the proposal is signed: ``inform`` — ``by`` (the party that signs
    the entrustment or grants the access that brings the handler in) tells ``to`` (the consignor)
    that ``about`` will handle its data on ``route``; ``approve`` — ``by`` (the consignor) approves
    ``about`` for ``route``, asked by ``to``. ``required`` is false when the route's contract
    does not say whether it restricts re-entrustment (check it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["inform", "approve"] = Field(description="inform (説明) or approve (承認).")
    by: str = Field(description="Who acts, by organisation id: the signer of the route (inform) or the "
                    "consignor (approve).")
    to: str = Field(description="Whom it concerns, by organisation id: the consignor (inform) or the signer "
                    "who asks for the approval (approve).")
    about: str = Field(description="The handler the action is about, by organisation id.")
    route: str = Field(description="The route (the consignor's entrustment or system) it is about, by id.")
    required: bool = Field(default=True, description="False when the route's contract does not say whether it "
                           "restricts re-entrustment: the approval is needed only if it does (check it).")
    text: str = Field(description="The action in English, with names and ids.")
    text_ja: str = Field(description="The action in Japanese.")


class GainedRoute(BaseModel):
    """One route of the consignor's data (an entrustment of the consignor, or a system holding
    its data) by which the proposal would bring the handler to the data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description='"entrustment" or "system".')
    id: str = Field(description="The entrustment's or the system's id.")
    path: list[Step] = Field(description="The shortest path from the consignor to the handler on this "
                             "route, in the direction the data flows.")
    signer: str = Field(description="Who brings the handler in on this route: the consignor of the "
                        "entrustment at the end of the path, or whoever grants the access.")
    disclosed: bool = Field(description="Whether the consignor was told of the handler for this route "
                            "(informed_subcontractors or approved_subcontractors).")
    approved: bool = Field(description="Whether the consignor approved the handler for this route.")
    restricted: bool | None = Field(description="The route entrustment's subcontract_restriction (null for "
                                    "a system route, or when unknown).")


class GainedHandler(BaseModel):
    """A consignor that would gain a handler: every route by which the handler would reach its
    data, whether it was told of and approved the handler on them, and the actions needed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    consignor: str = Field(description="The consignor, by organisation id.")
    consignor_name: str = Field(description="The consignor's name.")
    handler: str = Field(description="The handler it would gain, by organisation id.")
    handler_name: str = Field(description="The handler's name.")
    routes: list[GainedRoute] = Field(description="Every route of the consignor that would reach the handler.")
    disclosed: bool = Field(description="Whether the consignor was told of the handler on every route.")
    approved: bool = Field(description="Whether the consignor approved the handler on every route that "
                           "restricts re-entrustment (or may: restriction unknown).")
    actions: list[Action] = Field(description="What must happen before the proposal is signed; empty when "
                                  "nothing is needed.")


class CheckResult(BaseModel):
    """What a proposal would change (``entrustment-chain/check/v2`` JSON): the consignors that
    would gain a handler, and which of them must be told or asked before anything is signed."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(default=CHECK_SCHEMA, alias="schema", description="The document's version.")
    gained: list[GainedHandler] = Field(description="Each (consignor, handler) pair the proposal creates, "
                                        "by consignor then handler.")
    consignors_affected: list[str] = Field(description="The consignors with at least one action to take "
                                           "(``blocking``), by id, sorted; ``chain check`` exits 1 when "
                                           "there is any.")

    @property
    def blocking(self) -> list[GainedHandler]:
        """The gained handlers that need an action before the proposal is signed."""
        return [g for g in self.gained if g.actions]

    def to_json_dict(self) -> dict[str, Any]:
        """The result as ``entrustment-chain/check/v2`` JSON data."""
        return self.model_dump(mode="json", by_alias=True)


def dump_chain(chain: ChainFile) -> dict[str, Any]:
    """The chain as plain data, as a chain file would hold it."""
    return chain.model_dump(mode="json", by_alias=True, exclude_none=True)


def _plain(value: Any) -> Any:
    """Data as a chain file holds it: a model in a mapping's lists (e.g. an :class:`Organization`
    in ``{"organizations": [...]}``) dumped as the chain file writes it."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value


def merge_proposal(chain: ChainFile, proposal: Proposal | Mapping[str, Any], name: str,
                   lines: LineMap | None = None) -> ChainFile:
    """The chain with the proposal's elements added, validated; problems point into the proposal."""
    data: object = proposal
    if isinstance(proposal, Proposal):
        data, lines = proposal.to_data(), lines or proposal._lines
    lines = lines or {}
    if not isinstance(data, Mapping):
        raise InputError([Problem(name, 1, "", _NOT_A_MAPPING)])
    problems = [Problem(name, lines.get((key,)), key, f"unknown key {key!r} (a proposal may add "
                        f"{', '.join(SECTIONS)})") for key in data if key not in (*SECTIONS, "schema")]
    if problems:
        raise InputError(problems)
    merged = dump_chain(chain)
    base = {section: len(merged.get(section, [])) for section in SECTIONS}
    shifted: dict[tuple[str | int, ...], int] = {}
    for path, line in lines.items():
        if path and path[0] in SECTIONS and len(path) > 1 and isinstance(path[1], int):
            shifted[(path[0], path[1] + base[path[0]], *path[2:])] = line
    for section in SECTIONS:
        added = data.get(section) or []
        if not isinstance(added, list):
            raise InputError([Problem(name, lines.get((section,)), section, "must be a list")])
        merged[section] = list(merged.get(section, [])) + [_plain(x) for x in added]
    try:
        return chain_from_dict(merged, name, shifted)
    except InputError as exc:
        def unshift(field: str) -> str:
            m = re.match(r"^(\w+)\[(\d+)\]", field)
            if m and m[1] in base and int(m[2]) >= base[m[1]]:
                return f"{m[1]}[{int(m[2]) - base[m[1]]}]" + field[m.end():]
            return field

        raise InputError([Problem(p.file, p.line, unshift(p.field), p.message) for p in exc.problems]) from None


def read_proposal(proposal: str) -> tuple[Any, str, dict[tuple[str | int, ...], int]]:
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


def check(chain: ChainFile, proposal: Proposal | Mapping[str, Any], name: str | None = None,
          lines: LineMap | None = None, as_of: date | None = None) -> CheckResult:
    """Which consignors would gain a handler on one of their routes (a handler already reaching
    the data on another route counts: disclosure is per route), whether they were told of and
    approved it there, and who must do what before anything is signed.

    ``proposal`` is a :class:`Proposal` or the same as plain data (a mapping with
    organizations, systems, entrustments and/or access); it is validated with the chain, and an
    :class:`InputError` names every problem. ``name`` is the file the problems name (default:
    the one :meth:`Proposal.read` read, else ``<proposal>``); ``lines`` maps a field's path (a
    tuple of keys and list indexes, as ``("access", 0, "system")``) to its line in that file
    (:meth:`Proposal.read` keeps them). A handler reaches the data while it is held (see
    ``windows`` in the findings); with ``as_of``, the chain is taken as it stood on that day
    before the proposal is added to it."""
    if as_of is not None:
        chain = chain_as_of(chain, as_of)
    if name is None:
        name = proposal.name if isinstance(proposal, Proposal) else "<proposal>"
    after = merge_proposal(chain, proposal, name, lines)
    before_flow, after_flow = prepare_flow(build_graph(chain)), prepare_flow(build_graph(after))
    before_routes, routes = Routes(chain), Routes(after)
    orgs = after.organizations_by_id
    words = Words(after)
    gained = []
    for c in routes.consignors():
        # judged per route: a handler already known on one route is new on another
        before: set[tuple[Route, str]] = set()
        for route in before_routes.routes.get(c, ()):
            reached = reach(None, c, before_flow, route, before_routes.start(c, route))
            held = _windows(reached)
            before.update((route, h) for h in reached.handlers() if not held[S.org_node(h)].empty)
        found: dict[str, list[GainedRoute]] = {}
        for route in routes.routes[c]:
            reached = reach(None, c, after_flow, route, routes.start(c, route))
            paths, held = reached.paths, _windows(reached)
            systems = {S.node_id(n) for n in paths if not n.startswith("org:")} | (
                {route.id} if route.kind == SYSTEM else set())
            for node, path in paths.items():
                h = S.node_id(node)
                if not node.startswith("org:") or (route, h) in before or held[node].empty:
                    continue
                judged = routes.judge(c, route, h, systems)
                restricted = (after.entrustments_by_id[route.id].clauses.subcontract_restriction
                              if route.kind == ENTRUSTMENT else None)
                found.setdefault(h, []).append(GainedRoute(
                    kind=route.kind, id=route.id, path=[Step.of(p) for p in path], signer=signer(after, path),
                    disclosed=judged.disclosed, approved=judged.approved, restricted=restricted))
        for h in sorted(found):
            on = sorted(found[h], key=lambda r: (len(r.path), Route(r.kind, r.id).order))
            if all(r.signer == c for r in on):
                continue  # the consignor brings the handler in itself: nobody needs to tell it
            actions = [a for r in on for a in route_actions(c, h, r, words)]
            gained.append(GainedHandler(
                consignor=c, consignor_name=orgs[c].name, handler=h, handler_name=orgs[h].name, routes=on,
                disclosed=all(r.disclosed for r in on),
                approved=all(r.approved for r in on if r.restricted is not False), actions=actions))
    affected = sorted({g.consignor for g in gained if g.actions})
    return CheckResult(gained=gained, consignors_affected=affected)


def _windows(reached: Reach) -> dict[str, Windows]:
    """The windows of what ``reach`` reached (it always computes them)."""
    if reached.windows is None:
        raise AssertionError("reach() gives the windows of what it reaches")
    return reached.windows


def signer(chain: ChainFile, path: Sequence[S.PathStep]) -> str:
    """Who brings the handler in at the end of ``path`` (a path of :func:`.flow.reach`), by
    organisation id: the consignor of the entrustment of its last step, or, for access, the
    consignor of the entrustment the grant is under (else the system's operator, else the
    organisation the data came from). It is who must tell the route's consignor of the handler
    (``inform``), and whom the consignor answers when it approves or refuses it."""
    last = path[-1]
    entrustment = last.entrustment  # set on every step but access
    if entrustment is not None:
        return chain.entrustments_by_id[entrustment].consignor
    for grant in chain.access:
        if grant.organization == last.target and grant.system == last.source:
            if grant.under:
                return chain.entrustments_by_id[grant.under].consignor
            operator = chain.systems_by_id[grant.system].operator
            if operator:
                return operator
    return path[-2].source if len(path) > 1 else last.source


def route_actions(c: str, h: str, route: GainedRoute, words: Words, *, present: bool = False) -> list[Action]:
    """What one route of consignor ``c`` asks for about handler ``h``, in ``words`` (names with
    their ids in parentheses; the route by its parties): ``inform`` when ``route.disclosed`` is
    false (its signer tells the consignor), ``approve`` when ``route.approved`` is false on an
    entrustment route that restricts re-entrustment, or may (``required`` false: check the
    contract); none where the consignor itself brings the handler in (it knows). ``present``: the
    handler already handles the data (a view of the chain as it is, :mod:`.consignor`), so the
    texts say that it does, and that the consignor approves or refuses it; by default it would (a
    proposal, :func:`check`)."""
    if route.signer == c:
        return []
    en = {o: words.named(o, "en") for o in (c, h, route.signer)}
    ja = {o: words.named(o, "ja") for o in (c, h, route.signer)}
    on_en, on_ja = words.route(route.kind, route.id, "en"), words.route(route.kind, route.id, "ja")
    out = []
    if not route.disclosed:
        out.append(Action(
            type="inform", by=route.signer, to=c, about=h, route=route.id,
            text=f"{en[route.signer]} must inform {en[c]} that {en[h]} "
                 f"{'handles' if present else 'will handle'} its data ({on_en}).",
            text_ja=f"{ja[route.signer]}は、{ja[h]}がデータを{'取り扱っている' if present else '取り扱う'}ことを"
                    f"{ja[c]}に説明する（経路：{on_ja}）。"))
    if not route.approved and route.restricted is not False and route.kind == ENTRUSTMENT:
        required = route.restricted is True
        restriction_ja = "は再委託を制限している" if required else "の再委託制限の有無を確認する"
        if present:
            # a handler by access is stopped by ending its access; one by re-entrustment by not passing the data
            access = bool(route.path) and route.path[-1].type == S.ACCESSIBLE_BY
            stop_en = "end its access" if access else "stop passing it the data"
            stop_ja = "アクセスをやめさせる" if access else "データを渡すのをやめさせる"
            text = (f"{en[c]} must approve {en[h]} for {on_en}, or refuse it and have {en[route.signer]} {stop_en}"
                    + ("." if required else ", if the contract restricts re-entrustment (check it)."))
            text_ja = (f"{ja[c]}は、{ja[h]}を承認するか、拒否して{ja[route.signer]}に{stop_ja}"
                       f"（{on_ja}{restriction_ja}）。")
        else:
            text = (f"{en[c]} must approve {en[h]} for {on_en}"
                    + ("." if required else " if the contract restricts re-entrustment (check it)."))
            text_ja = f"{ja[c]}の{ja[h]}についての承認を得る（{on_ja}{restriction_ja}）。"
        out.append(Action(type="approve", by=c, to=route.signer, about=h, route=route.id, required=required,
                          text=text, text_ja=text_ja))
    return out
