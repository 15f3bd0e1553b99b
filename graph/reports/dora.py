"""The DORA Register of Information template B_05.02 (ICT service supply chains), as Commission
Implementing Regulation (EU) 2024/2956 (the ITS on the register of information) lays it out;
docs/dora.md gives the mapping and its sources.

One row per contractual arrangement and provider in its supply chain. The arrangements are the
financial entity's own entrustments (B_02.01 holds only its contracts with its direct providers):
by default those of every organisation that entrusts work and is no entrustment's contractor
(:func:`financial_entities`), or of the ``entities`` named; a provider's own subcontract is never
an arrangement, only a link of the entity's supply chain. For each, its contractor at rank 1 and
every further handler of the entity's data that the entrustment's route reaches (see
..analysis.routes), ranked by the
chain: a handler's rank is one more than the rank of the organisation it serves (the consignor
of the entrustment it was given, or, for access to a system, the organisation the access was
granted under or the system's operator).

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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.analysis.flow import prepare_flow, reach
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.routes import ENTRUSTMENT, Route
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.model.chain import ChainFile, Organization

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
class SupplyChains:
    """B_05.02 for a chain: its rows and every cell left empty for want of a code."""

    rows: tuple[Row, ...]
    missing: tuple[Missing, ...]

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
        of each named; :attr:`missing` has them all)."""
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
        organisation that lacks a code (for a caller that refuses an incomplete B_05.02)."""
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
        return out


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


def supply_chains(chain: ChainFile, as_of: date | None = None, entities: Iterable[str] | None = None) -> SupplyChains:
    """B_05.02 for ``chain`` (as it stood on ``as_of``, when given): the arrangements of the
    financial ``entities`` (organisation ids; by default :func:`financial_entities`), each with
    its supply chain. An id that names no organisation of the file is an :class:`InputError`."""
    chosen = _entities(chain, entities)
    if as_of is not None:
        chain = chain_as_of(chain, as_of)
    prepared = prepare_flow(build_graph(chain))
    entrustments = chain.entrustments_by_id
    organizations = chain.organizations_by_id
    operators = {s.id: s.operator for s in chain.systems}
    grants = dict(zip(chain.grant_keys, chain.access))
    org_index = {o.id: i for i, o in enumerate(chain.organizations)}
    entrustment_index = {e.id: i for i, e in enumerate(chain.entrustments)}
    own_by_consignor: dict[str, list] = defaultdict(list)
    for e in chain.entrustments:
        if e.personal_data is not False:
            own_by_consignor[e.consignor].append(e)
    rows: list[Row] = []
    missing: list[Missing] = []

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

    for c in chosen:
        for e in sorted(own_by_consignor[c], key=lambda x: x.id):
            service = e.ict_service.value if e.ict_service is not None else ""
            ranks = {e.contractor: 1}
            add(e, service, e.contractor, 1, None)
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
                add(e, service, handler, rank, recipient)
    return SupplyChains(tuple(rows), tuple(missing))


def to_csv(chain: ChainFile, analysis: Analysis | None = None) -> str:
    """B_05.02 of ``chain`` as CSV (``analysis`` is not needed; the argument is kept for callers
    that pass one)."""
    return supply_chains(chain).to_csv()
