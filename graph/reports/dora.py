"""The DORA Register of Information template B_05.02 (ICT service supply chains), as Commission
Implementing Regulation (EU) 2024/2956 (the ITS on the register of information) lays it out;
docs/dora.md gives the mapping and its sources.

One row per contractual arrangement and provider in its supply chain. The arrangements are the
financial entity's own ICT entrustments (B_02.01 holds only its contracts with its direct
providers; ICT: :func:`is_ict`, whatever ``personal_data`` says, for DORA is not about personal
data): by default those of every organisation that entrusts work and is no entrustment's contractor
(:func:`financial_entities`), or of the ``entities`` named; a provider's own subcontract is never
an arrangement, only a link of the entity's supply chain. For each, its contractor at rank 1 and
every further handler of the entity's data that the arrangement reaches, as an entrustment route is
followed (..analysis.routes, ..analysis.flow): onward entrustments that carry the entity's data (or
record an ``ict_service``, though marked ``personal_data: false``), the systems they place it in,
access to those systems. Every way a handler got the work or the access is kept (not one shortest
path): the consignor of the entrustment it was given; for access, the consignor of the entrustment
the grant is ``under``, else the system's operator (when it is in this supply chain) or the
contractors that process the data there. Its rank is one above the lowest-ranked of those (the
recipient, B_05.02.0060), computed once all are known (a fixed point over the recipient graph,
breadth-first from rank 1; a cycle ends). The entity is never a provider nor a recipient: access it
granted itself (under one of its own entrustments, or to a system it operates) is no link of this
chain, for whom it let in is its own direct provider. A handler no chain of work or access links to
rank 1 has no rank: it is left out and :attr:`SupplyChains.left_out` says so (``--strict``
refuses), never given a rank by default.

The coded columns hold only what the chain file records: B_05.02.0020 is the arrangement's
``ict_service`` (a code of Annex III, S01–S19); B_05.02.0030/0060 a provider's LEI (type ``LEI``)
or, without one, its EUID (type ``EUID``) in B_05.02.0040/0070. Nothing is invented: where the
chain file has no code, the cells are left empty (never ``OTHER``, never a chain-file id, never a
guess from the work's description), and :attr:`SupplyChains.missing` says which CSV line lacks
what, and which field of which entrustment or organisation would fill it.

A cell that begins with =, +, - or @ (or a tab or carriage return) is written with a leading
apostrophe ('=1+2), so that a spreadsheet opening the file shows it as text instead of running it
as a formula (CSV injection); every other cell is written as it is.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.chain import Access, ChainFile, Entrustment, Organization

HEADER = (
    "B_05.02.0010 Contractual arrangement reference number",
    "B_05.02.0020 Type of ICT services",
    "B_05.02.0030 Identification code of the ICT third-party service provider",
    "B_05.02.0040 Type of code to identify the ICT third-party service provider",
    "B_05.02.0050 Rank",
    "B_05.02.0060 Identification code of the recipient of sub-contracted ICT services",
    "B_05.02.0070 Type of code to identify the recipient of sub-contracted ICT services",
)
# The types of code this export writes, from the closed list the ITS gives for the type of code
# of an ICT third-party service provider (docs/dora.md): an LEI, else an EUID.
LEI = "LEI"
EUID = "EUID"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

SERVICE_COLUMNS = ("B_05.02.0020",)
PROVIDER_COLUMNS = ("B_05.02.0030", "B_05.02.0040")
RECIPIENT_COLUMNS = ("B_05.02.0060", "B_05.02.0070")


def cell(value: str) -> str:
    """``value`` as a spreadsheet shows it as text: with a leading apostrophe where it would be a
    formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def identification(organization: Organization) -> tuple[str, str]:
    """The organisation's identification code and its type: its LEI, else its EUID; ("", "") when
    the chain file records neither."""
    if organization.lei:
        return organization.lei, LEI
    if organization.euid:
        return organization.euid, EUID
    return "", ""


@dataclass(frozen=True)
class Row:
    """One row of B_05.02, with the chain-file ids it was made from (the provider and the
    recipient are not written: only their codes are)."""

    arrangement: str
    ict_service: str
    provider: str
    provider_code: str
    provider_code_type: str
    rank: int
    recipient: str | None
    recipient_code: str
    recipient_code_type: str

    def cells(self) -> tuple[str, ...]:
        return (self.arrangement, self.ict_service, self.provider_code, self.provider_code_type, str(self.rank),
                self.recipient_code, self.recipient_code_type)


@dataclass(frozen=True)
class Missing:
    """Cells of one row left empty because the chain file has no code for them: the CSV ``line``
    (line 1 is the header), the ``columns``, the ``field`` that would fill them (its path in the
    file, as ``chain validate`` names fields) and the id of the entrustment or organisation
    (``subject``) that lacks it."""

    line: int
    columns: tuple[str, ...]
    field: str
    subject: str


@dataclass(frozen=True)
class LeftOut:
    """An organisation (or an entrustment) that is in no row of an ``arrangement`` although the
    chain file links it to it, and why (``reason``, a sentence); ``field`` is where the file
    records the link. ``refused``: the register would be wrong or incomplete for it, and
    ``--strict`` refuses it."""

    arrangement: str
    subject: str
    field: str
    reason: str
    refused: bool


@dataclass(frozen=True)
class SupplyChains:
    """B_05.02 for a chain: its rows, every cell left empty for want of a code, and whatever the
    chain file links to an arrangement that no row holds (:class:`LeftOut`)."""

    rows: tuple[Row, ...]
    missing: tuple[Missing, ...]
    left_out: tuple[LeftOut, ...] = ()

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(tuple(map(cell, row.cells())) for row in self.rows)
        return buffer.getvalue()

    def gaps(self) -> list[tuple[tuple[str, ...], str, list[str], list[int]]]:
        """The missing codes by columns and field (without its index): (columns, field, the
        subjects that lack it in order of first appearance, the CSV lines)."""
        grouped: dict[tuple[tuple[str, ...], str], tuple[dict[str, None], list[int]]] = {}
        for m in self.missing:
            subjects, lines = grouped.setdefault((m.columns, _unindexed(m.field)), ({}, []))
            subjects.setdefault(m.subject)
            if not lines or lines[-1] != m.line:
                lines.append(m.line)
        return [(columns, field, list(subjects), lines)
                for (columns, field), (subjects, lines) in sorted(grouped.items())]

    def warnings(self, limit: int = 20) -> list[str]:
        """One sentence per kind of missing code: which columns are empty on which CSV lines, and
        which field of which entrustments or organisations would fill them (at most ``limit``
        of each named; :attr:`missing` has them all); then one per organisation or entrustment
        left out of an arrangement, and why (at most ``limit``; :attr:`left_out` has them all)."""
        out = self._missing_warnings(limit)
        for x in self.left_out[:limit]:
            out.append(f"{x.field}: {x.reason}" if x.field else x.reason)
        if len(self.left_out) > limit:
            out.append(f"… and {len(self.left_out) - limit} more left out of the supply chains")
        return out

    def _missing_warnings(self, limit: int) -> list[str]:
        out = []
        for columns, field, subjects, lines in self.gaps():
            what = {SERVICE_COLUMNS: "arrangement", PROVIDER_COLUMNS: "provider", RECIPIENT_COLUMNS: "recipient"}[columns]
            fill = "organizations[].lei (or euid)" if field.startswith("organizations") else field
            out.append(f"{_columns(columns)} left empty on {len(lines)} of {_count(len(self.rows), 'row')} "
                       f"(CSV {'line' if len(lines) == 1 else 'lines'} {_lines(lines, limit)}): {fill} is not set on "
                       f"{_count(len(subjects), what)}: {_names(subjects, limit)}")
        return out

    def problems(self, source: str) -> list[Problem]:
        """The missing codes as input problems of ``source``, one per field of an entrustment or
        organisation that lacks a code, then whatever was left out for a reason that makes the
        register wrong or incomplete (for a caller that refuses an incomplete B_05.02)."""
        by_field: dict[tuple[str, str], tuple[set[tuple[str, ...]], list[int]]] = {}
        for m in self.missing:
            columns, lines = by_field.setdefault((m.field, m.subject), (set(), []))
            columns.add(m.columns)
            if not lines or lines[-1] != m.line:
                lines.append(m.line)
        out = []
        for (field, subject), (columns, lines) in sorted(by_field.items(), key=lambda item: _position(item[0][0])):
            what = ("no type of ICT services (S01–S19)" if field.endswith("ict_service")
                    else "neither an LEI nor an EUID")
            empty = " and ".join(_columns(c) for c in sorted(columns))
            out.append(Problem(source, None, field, f"{subject!r} has {what}: {empty} would be left empty on "
                               f"CSV {'line' if len(lines) == 1 else 'lines'} {_lines(lines, 20)} of B_05.02"))
        out += [Problem(source, None, x.field, x.reason) for x in self.left_out if x.refused]
        return out

    @property
    def refused(self) -> bool:
        """Whether ``--strict`` refuses this register: a code is missing, or something the file
        links to an arrangement could not be placed in its supply chain."""
        return bool(self.missing) or any(x.refused for x in self.left_out)


def _position(field: str) -> tuple[int, int]:
    """Where ``organizations[3].lei`` or ``entrustments[5].ict_service`` is in the file: the
    organisations come first."""
    head, _, tail = field.partition("[")
    return (0 if head == "organizations" else 1, int(tail.partition("]")[0]))


def _unindexed(field: str) -> str:
    """``organizations[3].lei`` → ``organizations[].lei``."""
    head, _, tail = field.partition("[")
    return f"{head}[]{tail[tail.index(']') + 1:]}" if tail else field


def _columns(columns: tuple[str, ...]) -> str:
    return columns[0] + "".join("/" + c.rsplit(".", 1)[1] for c in columns[1:])


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _names(names: list[str], limit: int) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" … ({len(names) - limit} more)" if len(names) > limit else "")


def _lines(lines: list[int], limit: int) -> str:
    """Ascending line numbers as ranges: 2-5, 9, 11-12; at most ``limit`` ranges."""
    ranges: list[list[int]] = []
    for line in lines:
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges]
    shown = ", ".join(parts[:limit])
    return shown + (f" … ({len(parts) - limit} more)" if len(parts) > limit else "")


def financial_entities(chain: ChainFile) -> list[str]:
    """The organisations whose arrangements B_05.02 lists unless told otherwise: those that entrust
    work and are no entrustment's contractor, in id order. They are the summary's end consignors
    (an intermediary holds data entrusted to it, :meth:`..analysis.routes.Routes.is_intermediary`),
    less any organisation contracted only for work marked ``personal_data: false``: DORA is not
    about personal data, and a contractor is a provider whatever the work handles."""
    contractors = {e.contractor for e in chain.entrustments}
    return sorted({e.consignor for e in chain.entrustments} - contractors)


def _entities(chain: ChainFile, entities: Iterable[str] | None) -> list[str]:
    if entities is None:
        return financial_entities(chain)
    named = list(dict.fromkeys(entities))
    unknown = [Problem("--entity", None, "entity", f"{x!r} is not an organization of this chain file")
               for x in named if x not in chain.organizations_by_id]
    if unknown:
        raise InputError(unknown)
    return sorted(named)


def is_ict(e: Entrustment) -> bool:
    """Whether the file makes ``e`` an ICT arrangement (or a link of one): it records its type of
    ICT services, whatever ``personal_data`` says (DORA is not about personal data), or it may carry
    personal data (``personal_data`` not false), as the chain's entrustments are followed. An
    entrustment marked ``personal_data: false`` with no ``ict_service`` is neither."""
    return e.ict_service is not None or S.may_carry(e.personal_data)


def _carries(e: Entrustment, entity: str) -> bool:
    """Whether ``e`` is a link of ``entity``'s supply chain where its consignor is reached: it is
    ICT (:func:`is_ict`) and serves the entity (``covers``)."""
    return is_ict(e) and S.covers_consignor(
        e.consignor, e.covers == "all", () if e.covers == "all" else e.covers, entity)


@dataclass
class _Reached:
    """One arrangement's supply chain before it is ranked: every organisation it reaches, with
    every way it got the work or the access (``givers``: the organisation that gave it, or
    ``("system", id)`` for access granted under no entrustment, resolved once everything is
    reached), the contractors that process the data in each system, and the access passed over
    because the entity let its holder in itself."""

    givers: dict[str, dict[object, str]]  # handler -> giver -> the field that records the step
    processors: dict[str, set[str]]  # system -> the contractors whose entrustments place data in it
    reached: set[str]
    let_in: list[tuple[str, str, str, str | None]]  # (holder, system, field, the entity's entrustment)


def _reach(entity: str, e: Entrustment, own: dict[str, list[Entrustment]],
           grants: dict[str, list[tuple[str, Access]]], operators: dict[str, str | None],
           entrustments: dict[str, Entrustment], field_of: dict[str, str]) -> _Reached:
    """Every organisation the arrangement ``e`` of ``entity`` reaches, as an entrustment route is
    followed (:func:`..analysis.flow.reach`): ``e``'s own steps, then each reached organisation's
    entrustments that carry the entity's data and the systems they place it in, and access to those
    systems; keeping every way in, not one shortest path. The entity is never entered, and access
    the entity granted itself (under one of its own entrustments, or to a system it operates under
    none) is no step: whom it let in is its own provider, not a subcontractor in this chain."""
    givers: dict[str, dict[object, str]] = defaultdict(dict)
    processors: dict[str, set[str]] = defaultdict(set)
    reached = {entity}
    systems: set[str] = set()
    let_in: list[tuple[str, str, str, str | None]] = []
    queue: deque[tuple[bool, str]] = deque()  # (is an organisation, id)

    def entrust(x: Entrustment, giver: str | None) -> None:
        h = x.contractor
        if h == entity:
            return
        if giver is not None:
            givers[h].setdefault(giver, field_of[x.id])
        if h not in reached:
            reached.add(h)
            queue.append((True, h))
        for system_id in x.systems:
            processors[system_id].add(h)
            if system_id not in systems:
                systems.add(system_id)
                queue.append((False, system_id))

    entrust(e, None)
    while queue:
        is_org, node = queue.popleft()
        if is_org:
            for x in own.get(node, ()):
                if _carries(x, entity):
                    entrust(x, node)
            continue
        for field, grant in grants.get(node, ()):
            h = grant.organization
            if h == entity:
                continue
            if grant.under is not None:  # given by the consignor of the entrustment it is under
                giver = entrustments[grant.under].consignor
                if giver == entity:
                    let_in.append((h, node, f"{field}.under", grant.under))
                    continue
                givers[h].setdefault(giver, f"{field}.under")
            elif operators.get(node) == entity:
                let_in.append((h, node, field, None))
                continue
            else:  # given by the system's operator or its processors: see _ranks
                givers[h].setdefault(("system", node), field)
            if h not in reached:
                reached.add(h)
                queue.append((True, h))
    return _Reached(givers, processors, reached, let_in)


def _candidates(h: str, giver: object, found: _Reached, operators: dict[str, str | None]) -> set[str]:
    """Who gave ``h`` the work or the access by ``giver``: the organisation; for access granted
    under no entrustment, the system's operator when it is in this supply chain, else the
    contractors that process the data there."""
    if isinstance(giver, str):
        return {giver}
    operator = operators.get(giver[1])
    if operator is not None and operator in found.reached and operator != h:
        return {operator}
    return found.processors.get(giver[1], set()) - {h}


def _ranks(first: str, found: _Reached, operators: dict[str, str | None]) -> tuple[dict[str, int], dict[str, str]]:
    """Rank and recipient of every handler that has them: ``first`` (the direct provider) 1, every
    other handler one above the lowest-ranked organisation that gave it the work or the access:
    the least fixed point of rank(h) = 1 + min rank(giver), found breadth-first from ``first`` over
    the recipient graph once every giver is known (a giver reached later than its handler still
    counts; a cycle ends, each member at its lowest rank). The recipient is the giver of lowest
    rank, then of smallest id. A handler none of whose givers has a rank gets none."""
    taken: dict[str, set[str]] = defaultdict(set)  # giver -> the handlers it gave work or access
    for h, ways in found.givers.items():
        for giver in ways:
            for g in _candidates(h, giver, found, operators):
                taken[g].add(h)
    ranks = {first: 1}
    recipients: dict[str, str] = {}
    level = [first]
    while level:
        following: dict[str, str] = {}
        for g in sorted(level):
            for h in taken.get(g, ()):
                if h not in ranks:
                    following.setdefault(h, g)
        for h, g in following.items():
            ranks[h] = ranks[g] + 1
            recipients[h] = g
        level = list(following)
    return ranks, recipients


def _cycle(h: str, gave: dict[str, set[str]]) -> list[str]:
    """The handlers without a rank that ``h`` is in a cycle with (``h`` included, in id order),
    following who gave whom the work or the access (``gave``: handler -> its givers); [] when
    ``h`` is in none."""
    def closure(start: str, step) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in step(todo.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    upstream = closure(h, lambda x: gave.get(x, ()))
    if h not in upstream:
        return []
    downstream = closure(h, lambda x: (y for y, givers in gave.items() if x in givers))
    return sorted(upstream & downstream)


def _field_order(field: str) -> tuple[int, int]:
    """``organizations[3].lei``, ``entrustments[5]``, ``access[0].under``: in that order of the
    file's sections, then by index."""
    head, _, tail = field.partition("[")
    return (("organizations", "systems", "entrustments", "access").index(head), int(tail.partition("]")[0]))


def supply_chains(chain: ChainFile, as_of: date | None = None, entities: Iterable[str] | None = None) -> SupplyChains:
    """B_05.02 for ``chain`` (as it stood on ``as_of``, when given): the arrangements of the
    financial ``entities`` (organisation ids; by default :func:`financial_entities`), each with
    its supply chain. An id that names no organisation of the file is an :class:`InputError`."""
    chosen = _entities(chain, entities)
    # fields are named by their place in the file as written, also where --as-of leaves some out
    org_index = {o.id: i for i, o in enumerate(chain.organizations)}
    entrustment_index = {e.id: i for i, e in enumerate(chain.entrustments)}
    access_index: dict[tuple, int] = {}
    for i, grant in enumerate(chain.access):
        access_index.setdefault((grant.organization, grant.system, grant.kind, str(grant.period)), i)
    if as_of is not None:
        chain = chain_as_of(chain, as_of)
    entrustments = chain.entrustments_by_id
    organizations = chain.organizations_by_id
    operators = {s.id: s.operator for s in chain.systems}
    field_of = {e.id: f"entrustments[{entrustment_index[e.id]}]" for e in chain.entrustments}
    own: dict[str, list[Entrustment]] = defaultdict(list)
    for e in sorted(chain.entrustments, key=lambda x: x.id):
        own[e.consignor].append(e)
    grants: dict[str, list[tuple[str, Access]]] = defaultdict(list)
    for grant in chain.access:
        i = access_index[(grant.organization, grant.system, grant.kind, str(grant.period))]
        grants[grant.system].append((f"access[{i}]", grant))
    rows: list[Row] = []
    missing: list[Missing] = []
    left_out: list[LeftOut] = []

    def add(e, service: str, provider: str, rank: int, recipient: str | None) -> None:
        line = len(rows) + 2  # line 1 is the header; no cell holds a line break
        code, code_type = identification(organizations[provider])
        r_code, r_type = identification(organizations[recipient]) if recipient is not None else ("", "")
        rows.append(Row(e.id, service, provider, code, code_type, rank, recipient, r_code, r_type))
        if not service:
            missing.append(Missing(line, SERVICE_COLUMNS, f"entrustments[{entrustment_index[e.id]}].ict_service", e.id))
        if not code:
            missing.append(Missing(line, PROVIDER_COLUMNS, f"organizations[{org_index[provider]}].lei", provider))
        if recipient is not None and not r_code:
            missing.append(Missing(line, RECIPIENT_COLUMNS, f"organizations[{org_index[recipient]}].lei", recipient))

    if entities is None and not chosen and chain.entrustments:
        left_out.append(LeftOut(
            "", "", "entrustments",
            "every organisation that entrusts work is also some entrustment's contractor (the work goes "
            "round in a cycle): no financial entity to write the arrangements of; name it with --entity",
            True))
    for c in chosen:
        if not own.get(c):
            left_out.append(LeftOut("", c, "", f"{c} has no entrustment of its own: it has no arrangement "
                                    "to write", False))
        arrangements = [e for e in own.get(c, ()) if is_ict(e)]
        for e in own.get(c, ()):
            if not is_ict(e):
                left_out.append(LeftOut(
                    e.id, e.id, f"entrustments[{entrustment_index[e.id]}].ict_service",
                    f"{e.id} ({c} → {e.contractor}) is marked personal_data: false and records no "
                    "ict_service: nothing in the file makes it an ICT arrangement, so it is not written; "
                    "record its type of ICT services (S01–S19) if it is one", False))
        written: set[str] = set()
        let_in: dict[str, tuple[str, str, str, str | None]] = {}
        for e in arrangements:
            service = e.ict_service.value if e.ict_service is not None else ""
            found = _reach(c, e, own, grants, operators, entrustments, field_of)
            ranks, recipients = _ranks(e.contractor, found, operators)
            for h in sorted(ranks, key=lambda x: (ranks[x], x)):
                add(e, service, h, ranks[h], recipients.get(h))
                written.add(h)
            unranked = found.reached - ranks.keys() - {c}
            gave = {h: {g for giver in found.givers[h] for g in _candidates(h, giver, found, operators)}
                    for h in unranked}
            for h in sorted(unranked):
                ways = found.givers[h]
                names = sorted(gave[h] | {f"whoever processes the data in {giver[1]}" for giver in ways
                                          if not _candidates(h, giver, found, operators)})
                cycle = _cycle(h, gave)
                left_out.append(LeftOut(
                    e.id, h, min(ways.values(), key=_field_order),
                    f"{h} reaches {e.id}'s data, but got the work or the access only from "
                    f"{_names(names, 5)}, and no chain of work or access leads there from {e.contractor}, "
                    f"rank 1" + (f" (a cycle: {_names(cycle, 5)} gave each other the work or the access)"
                                 if cycle else "")
                    + f": its rank is unknown, and it is left out of {e.id}'s supply chain; record how it "
                    "serves this arrangement", True))
            for h, system_id, field, under in found.let_in:
                let_in.setdefault(h, (e.id, system_id, field, under))
        for h, (arrangement, system_id, field, under) in sorted(let_in.items()):
            if h in written:
                continue
            how = (f"under {under}, {c}'s own entrustment, which is not one of the arrangements written"
                   if under is not None else f"which {c} operates, under no entrustment")
            left_out.append(LeftOut(
                arrangement, h, field,
                f"{h} has access to {system_id} {how}: {c} let it in itself, so it is no subcontractor "
                f"in {arrangement}'s supply chain, and no arrangement of {c}'s has it as provider: it is "
                f"in no row", False))
    return SupplyChains(tuple(rows), tuple(missing), tuple(left_out))


def to_csv(chain: ChainFile, analysis: Analysis | None = None) -> str:
    """B_05.02 of ``chain`` as CSV (``analysis`` is not needed; the argument is kept for callers
    that pass one)."""
    return supply_chains(chain).to_csv()
