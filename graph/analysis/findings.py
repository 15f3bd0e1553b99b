"""Typed results of an analysis: findings, path steps, exposure; and the findings/v2 JSON document
the CLI writes of them (:class:`FindingsDocument`, written by :meth:`Analysis.write_json`).

The library's :class:`Finding` carries everything a report shows, messages and legal citations
included. The JSON document does not repeat what findings share: the rules and the legal
references are listed once at the top and findings name them by id; path steps are the graph's
relationships by type and key; the messages (and the wareki of each window), which a reader can
build from the rest, are written only when asked for (``--messages``). A field whose value is
null, empty or false is left out of a finding (``jq '.handler'`` reads null either way)."""
from __future__ import annotations

import functools
import io
from array import array
import itertools
import json
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import IO, Annotated, Any, Callable, Iterable, Iterator, Literal, NamedTuple, overload

from typing_extensions import NotRequired, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_serializer, with_config

from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.asof import disposed_by
from entrustment_chain.graph.analysis.routes import Route
from entrustment_chain.graph.analysis.windows import Windows
from entrustment_chain.graph.analysis.registry import RULE_IDS, RULE_INDEX, RULES, RuleId, Severity, rule
from entrustment_chain.graph.analysis.backend import Row
from entrustment_chain.graph.analysis.legal import LegalBasis, legal_bases
from entrustment_chain.graph.analysis.messages import Words, messages
from entrustment_chain.graph.model.chain import ChainFile, OrgKind
from entrustment_chain.graph.schema import PathStep

FINDINGS_SCHEMA = "entrustment-chain/findings/v2"


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Result):
    """One step of a path as reports and JSON show it, in the direction the data flows: ENTRUSTS
    (consignor → contractor), PLACES_DATA_IN (consignor → system), ACCESSIBLE_BY (system →
    organization with access). Made from the library's one inner step type, :class:`PathStep`."""

    type: str = Field(description="The relationship: ENTRUSTS, PLACES_DATA_IN or ACCESSIBLE_BY.")
    key: str = Field(description="The chain file's key of the step: the entrustment's id for ENTRUSTS and "
                                 "PLACES_DATA_IN, the access grant's key (`org@system`, or "
                                 "`org@system@kind@start` when the organisation has several grants to the "
                                 "system) for ACCESSIBLE_BY.")
    source: str = Field(description="Where the data comes from: an organisation id (ENTRUSTS, PLACES_DATA_IN) "
                                    "or a system id (ACCESSIBLE_BY).")
    target: str = Field(description="Where the data goes: an organisation id (ENTRUSTS, ACCESSIBLE_BY) or a "
                                    "system id (PLACES_DATA_IN).")
    entrustment: str | None = Field(None, description="The entrustment the step belongs to (ENTRUSTS, "
                                                      "PLACES_DATA_IN; for ACCESSIBLE_BY, the one the access was "
                                                      "granted under, if any).")
    system: str | None = Field(None, description="The system of a PLACES_DATA_IN or ACCESSIBLE_BY step.")

    @classmethod
    def of(cls, step: PathStep) -> "Step":
        """The step as reports show it, from the library's inner step."""
        return cls(type=step.type, key=step.key, source=step.source, target=step.target,
                   entrustment=step.entrustment, system=step.system)


class Span(_Result):
    """Days from ``start`` to ``end``, both included (ISO; null = unbounded: an unknown start, an
    open end), and the same in wareki as the seed writes periods."""

    start: str | None = Field(description="First day (ISO 8601 date); null = unknown (unbounded).")
    end: str | None = Field(description="Last day (ISO 8601 date); null = open (still going on, or unknown).")
    wareki: str = Field(description="The same span in wareki (和暦), at the precision the periods were "
                                    "written in, e.g. 平成27年3月～令和5年12月.")


class RouteWindows(_Result):
    """When the handler could reach the data on this route (:mod:`.windows`): *certain* while
    every step of the path was in force, *possible* while the data was still held (not yet
    disposed of) but not certainly; ``unknown_period`` when a period on the path is not recorded,
    so that a window is unbounded for want of a date."""

    certain: list[Span] = Field(description="When every step of the path was in force (確実).")
    possible: list[Span] = Field(description="When the data was still held (not disposed of) but not certainly "
                                             "reachable (可能性).")
    unknown_period: bool = Field(False, description="A period on the path is not recorded, so some window is "
                                                    "unbounded for want of a date.")


class RoutePath(_Result):
    """One route of the consignor that reaches the handler (its entrustment, or a system), with
    its canonical path and its windows. A finding about a consignor and a handler lists every
    such route."""

    kind: str = Field(description='"entrustment": one of the consignor\'s entrustments; "system": a system '
                                  "holding its data (its own, or one where it processes data entrusted to it).")
    id: str = Field(description="The entrustment's or the system's id.")
    path: list[Step] = Field(description="The canonical shortest path from the consignor to the handler on "
                                         "this route, in the direction the data flows.")
    windows: RouteWindows | None = Field(None, description="When the handler could reach the data on this route.")


class LegalReference(_Result):
    """One legal basis with its stable id, its Japanese citation and where to read it (an e-Gov
    article or a PPC document), as in force on the date of the conduct."""

    id: str = Field(description="Stable id of the legal basis, e.g. appi-2022-art25 (docs/rules.md lists them).")
    text: str = Field(description="The citation in English, with the Japanese name.")
    ja: str = Field(description="The citation in Japanese, e.g. 個人情報保護法第25条（委託先の監督）.")
    ref: str = Field(description="Where to read it: an e-Gov article URL or a PPC document.")


class Finding(_Result):
    """One finding of one rule. Path rules (one per consignor × handler) fill ``handler``, ``path``
    and ``routes``; ``could_not_supervise`` (one per consignor) fills ``handlers``; entrustment
    rules (one per entrustment) fill ``entrustment``."""

    rule: str = Field(description="The rule's id (docs/rules.md).")
    severity: Severity = Field(description="The rule's severity.")
    consignor: str = Field(description="The organisation whose data it is (委託元), by id.")
    handler: str | None = Field(None, description="Path rules: the organisation that handles the data, by id.")
    entrustment: str | None = Field(None, description="Entrustment rules: the entrustment, by id.")
    path: list[Step] = Field(default_factory=list, description="Path rules: the first route's canonical path.")
    legal_basis: list[str] = Field(description="The legal bases as English citations (the texts of "
                                               "`legal_references`).")
    # the date the legal basis is chosen by (ISO): the first day of the handling's windows, or
    # of the entrustment's period; null = unknown, today's law cited
    conduct_date: str | None = Field(None, description="The day the legal basis is chosen by (ISO 8601): the "
                                                       "first day of the handling's windows, or of the "
                                                       "entrustment's period; null = unknown, today's law cited.")
    legal_references: list[LegalReference] = Field(default_factory=list,
                                                   description="The legal bases as the law stood on `conduct_date`.")
    message: str = Field(description="What was found, in English, with names.")
    message_ja: str = Field(description="What was found, in Japanese, with names.")
    evidence_unknown: bool = Field(False, description="Some evidence behind the finding is not known "
                                                      "(null in the chain file, 回答不能).")
    handlers: list[str] = Field(default_factory=list, description="could_not_supervise: the undisclosed "
                                                                  "handlers, by id.")
    routes: list[RoutePath] = Field(default_factory=list, description="Path rules: every route of the "
                                    "consignor's data on which the rule holds, each with its path and windows.")

    def sort_key(self) -> tuple:
        """Report order: by rule (as the registry lists them), consignor, handler, entrustment."""
        return (RULE_INDEX[self.rule], self.consignor, self.handler or "", self.entrustment or "")

    def identity(self) -> tuple:
        """What the parity test compares: rule, consignor, handler/entrustment, path length,
        and each route with the length of its path and its windows."""
        return (self.rule, self.consignor, self.handler, self.entrustment, len(self.path),
                tuple(self.handlers), tuple((r.kind, r.id, len(r.path), _spans(r.windows)) for r in self.routes))


def _spans(w: RouteWindows | None) -> tuple:
    if w is None:
        return ()
    return (tuple((x.start, x.end) for x in w.certain), tuple((x.start, x.end) for x in w.possible),
            w.unknown_period)


# A summary is a plain dict at run time; these typed dicts declare its shape for the published
# schema (``chain schema --of findings``), and it is checked when an Analysis is made. Each refuses
# keys it does not declare (with_config: a config attribute would be a key to type checkers).
_SUMMARY = with_config(ConfigDict(extra="forbid"))


@_SUMMARY
class TruncatedRoute(TypedDict):
    """A route whose data goes on beyond the step bound both backends share."""

    consignor: Annotated[str, Field(description="The consignor, by id.")]
    route: Annotated[str, Field(description="The route (an entrustment's or a system's id).")]


@_SUMMARY
class StepBound(TypedDict):
    """Paths are followed up to this many steps by both backends; the routes whose data goes further."""

    max_steps: Annotated[int, Field(description="The step bound both backends share.")]
    truncated: Annotated[list[TruncatedRoute], Field(description=
        "The routes whose data is passed on beyond it (their handlers beyond it are not in the findings).")]


@_SUMMARY
class EntrustmentsStanding(TypedDict):
    """How the entrustments stood on the as-of day."""

    in_force: Annotated[int, Field(description="Begun and not ended.")]
    ended_data_held: Annotated[int, Field(description=
        "Ended, with no disposal recorded by then: the data is still held.")]
    disposed: Annotated[int, Field(description="Its data disposed of before that day.")]
    not_begun: Annotated[int, Field(description="Begun after that day.")]
    period_unknown: Annotated[int, Field(description="With no period recorded.")]


@_SUMMARY
class UndisclosedHandlings(TypedDict):
    """The undisclosed handlings on the as-of day: certain or possible, and how many of them rest
    on an unrecorded period."""

    certain: Annotated[int, Field(description="Certainly going on that day.")]
    possible: Annotated[int, Field(description="Possibly going on that day (the data still held).")]
    period_unknown: Annotated[int, Field(description="Of those, resting on an unrecorded period.")]


@_SUMMARY
class AsOfSummary(TypedDict):
    """The chain as it stood on one day (``--as-of``)."""

    date: Annotated[str, Field(description="The day (ISO 8601).")]
    entrustments: Annotated[EntrustmentsStanding, Field(description="How the entrustments stood that day.")]
    undisclosed_handlings: NotRequired[Annotated[UndisclosedHandlings, Field(description=
        "The undisclosed handlings that day.")]]


@_SUMMARY
class AcceptedFinding(TypedDict):
    """An accepted finding of a baseline (``--baseline``) that no longer occurs."""

    rule: Annotated[str, Field(description="The rule's id.")]
    consignor: Annotated[str, Field(description="The consignor, by id.")]
    handler: Annotated[str | None, Field(description="The handler, by id (path rules).")]
    entrustment: Annotated[str | None, Field(description="The entrustment, by id (entrustment rules).")]
    accepted_by: Annotated[str, Field(description="Who accepted it.")]
    accepted_on: Annotated[str, Field(description="When (ISO 8601).")]
    reason: Annotated[str, Field(description="Why.")]


@_SUMMARY
class BaselineSummary(TypedDict):
    """What a baseline did: the findings it suppressed, and its entries that no longer occur."""

    file: Annotated[str, Field(description="The baseline file, as given.")]
    accepted: Annotated[int, Field(description="Its entries.")]
    suppressed: Annotated[int, Field(description="Findings suppressed by it (not in `findings`).")]
    stale: Annotated[list[AcceptedFinding], Field(description="Its entries that no longer occur.")]


@_SUMMARY
class Summary(TypedDict):
    """The counts of an analysis. ``consignors`` counts end consignors, ``intermediaries`` the
    contractors that answer for data they hold for others; ``by_rule`` has every rule."""

    consignors: Annotated[int, Field(description="End consignors: organisations whose own data has a route.")]
    handlers: Annotated[int, Field(description=
        "Organisations that handle some consignor's data (the `exposure` list).")]
    findings: Annotated[int, Field(description="Findings in `findings`.")]
    by_rule: Annotated[dict[str, int], Field(description="Findings per rule id, every rule listed.")]
    by_severity: Annotated[dict[str, int], Field(description="Findings per severity (low, medium, high).")]
    intermediaries: NotRequired[Annotated[int, Field(description=
        "Contractors that answer for data they hold for others.")]]
    step_bound: NotRequired[Annotated[StepBound, Field(description=
        "The step bound, and the routes that go beyond it.")]]
    as_of: NotRequired[Annotated[AsOfSummary, Field(description="With --as-of: the chain as it stood that day.")]]
    baseline: NotRequired[Annotated[BaselineSummary, Field(description=
        "With --baseline: what the baseline suppressed.")]]


class SubjectCount(_Result):
    """A sum of data subjects (本人数): ``unknown`` counts the consignors with no figure;
    ``upper_bound`` says the sum may count people more than once or counts approximate
    figures (a consignor whose data reaches the handler by several routes, which may hold the
    same people; an approximate count)."""

    count: int = Field(description="People (本人数), summed over the consignors with a figure.")
    approximate: bool = Field(description="Some figure summed is approximate (約).")
    unknown: int = Field(0, description="Consignors with no figure, not in `count`.")
    upper_bound: bool = Field(False, description="The sum may count people more than once, or counts "
                                                 "approximate figures: read it as at most.")


class HandlerExposure(_Result):
    """How many consignors' data one handler can reach (concentration), and how many people."""

    handler: str = Field(description="The handler, by id.")
    name: str = Field(description="The handler's name.")
    consignors: list[str] = Field(description="The end consignors whose data it can reach, by id.")
    consignor_count: int = Field(description="How many they are.")
    data_subjects: SubjectCount = Field(description="The people of those consignors, through the routes that "
                                                    "reach it.")
    intermediaries: list[str] = Field(default_factory=list, description="The contractors whose held data "
                                                                        "(for others) it can reach, by id.")


# ---------------------------------------------------------------------------------------------
# findings/v2: the JSON document ``chain analyze --format json`` writes (``chain schema --of
# findings``). Its shape is declared here and written by :class:`_DocumentWriter`; the tests
# validate what is written against the schema made of these declarations.

_ENTRY = with_config(ConfigDict(extra="forbid"))


# A path step as the document writes it: [type, key, target]. Its source is where the step before
# it went; the first step leaves the consignor (a route of kind "entrustment") or the system (kind
# "system").
StepEntry = Annotated[tuple[
    Annotated[Literal["ENTRUSTS", "PLACES_DATA_IN", "ACCESSIBLE_BY"], Field(description="The relationship: ENTRUSTS (organisation → contractor), PLACES_DATA_IN "
                                     "(organisation → system) or ACCESSIBLE_BY (system → organisation with "
                                     "access).")],
    Annotated[str, Field(description="Its key in the chain: the entrustment's id (ENTRUSTS), "
                                     "`entrustment#system` (PLACES_DATA_IN), the access grant's `org@system` "
                                     "(ACCESSIBLE_BY; `org@system@kind@start` when the organisation has several "
                                     "grants to the system).")],
    Annotated[str, Field(description="Where the data goes: an organisation's or a system's id.")],
], Field(description="A step of the path: [type, key, target], in the direction the data flows. Its source is "
                     "the target of the step before it; the first step's is the consignor (a route of kind "
                     "entrustment) or the system (kind system).")]

# Days from start to end, both included, as [start, end] (ISO 8601; null = unbounded: an unknown
# start, an open end); with --messages, [start, end, wareki].
_Bound = Annotated[str | None, Field(description="A day (ISO 8601); null = unbounded (an unknown start, an open end).")]
SpanEntry = Annotated[
    tuple[_Bound, _Bound] | tuple[_Bound, _Bound, Annotated[str, Field(description="The span in wareki (和暦).")]],
    Field(description="Days from start to end, both included: [start, end] (ISO 8601; null = unbounded: an "
                      "unknown start, an open end); with --messages, [start, end, wareki], the wareki (和暦) at "
                      "the precision the periods were written in.")]


@_ENTRY
class WindowsEntry(TypedDict):
    """When the handler could reach the data on a route: *certain* while every step of the path
    was in force, *possible* while the data was still held but not certainly reachable."""

    certain: Annotated[list[SpanEntry], Field(description="When every step of the path was in force (確実).")]
    possible: Annotated[list[SpanEntry], Field(description=
        "When the data was still held (not disposed of) but not certainly reachable (可能性).")]
    unknown_period: NotRequired[Annotated[Literal[True], Field(description=
        "Present (true) when a period on the path is not recorded, so some window is unbounded for want of "
        "a date.")]]


@_ENTRY
class RouteEntry(TypedDict):
    """One route of the consignor's data that reaches the handler, with its path and windows."""

    kind: Annotated[Literal["entrustment", "system"], Field(description='"entrustment": one of the consignor\'s '
                                                                        'entrustments; "system": a '
                                           "system holding its data.")]
    id: Annotated[str, Field(description="The entrustment's or the system's id.")]
    path: Annotated[list[StepEntry], Field(description=
        "The canonical shortest path to the handler on this route, from the consignor (kind entrustment) or "
        "from the system (kind system), as [type, key, target] steps.")]
    windows: NotRequired[Annotated[WindowsEntry, Field(description="When the handler could reach the data on it.")]]


@_ENTRY
class FindingEntry(TypedDict):
    """One finding (its severity is its rule's: `rules` of the document). A field that would be
    null, empty or false is left out. Path rules (one
    finding per consignor × handler) have ``handler`` and ``routes``; ``could_not_supervise``
    (one per consignor) has ``handlers``; entrustment rules (one per entrustment) have
    ``entrustment``, ``handler`` (the contractor) and what is missing."""

    rule: Annotated[RuleId, Field(description="The rule's id; its severity and titles are in the document's `rules`.")]
    consignor: Annotated[str, Field(description="The organisation whose data it is (委託元), by id.")]
    handler: NotRequired[Annotated[str, Field(description=
        "The organisation that handles the data (path rules) or the contractor (entrustment rules), by id.")]]
    entrustment: NotRequired[Annotated[str, Field(description="The entrustment, by id.")]]
    handlers: NotRequired[Annotated[list[str], Field(description=
        "could_not_supervise: the undisclosed handlers, by id.")]]
    missing: NotRequired[Annotated[list[str], Field(description=
        "What the entrustment lacks: the contract clauses or supervision measures, by their chain-file names.")]]
    systems: NotRequired[Annotated[list[str], Field(description=
        "misclassified_subcontract: the systems reached, by id.")]]
    countries: NotRequired[Annotated[list[str], Field(description=
        "cross_border_handling: the countries the data is handled in (ISO 3166-1 alpha-2).")]]
    evidence_unknown: NotRequired[Annotated[Literal[True], Field(description=
        "Present (true) when some evidence behind the finding is not known (null in the chain file, 回答不能).")]]
    conduct_date: NotRequired[Annotated[str, Field(description=
        "The day the legal basis is chosen by (ISO 8601): the first day of the handling's windows, or of the "
        "entrustment's period; absent = unknown, today's law cited.")]]
    legal_basis: Annotated[list[str], Field(description=
        "The legal bases as the law stood on `conduct_date`, by id (`legal_references` of the document).")]
    routes: NotRequired[Annotated[list[RouteEntry], Field(description=
        "Path rules: every route of the consignor's data on which the rule holds, the first being the one the "
        "message describes.")]]
    message: NotRequired[Annotated[str, Field(description="With --messages: what was found, in English, "
                                                          "with names.")]]
    message_ja: NotRequired[Annotated[str, Field(description="With --messages: what was found, in Japanese, "
                                                             "with names.")]]


@_ENTRY
class RuleEntry(TypedDict):
    """A rule of the registry, as findings name it."""

    severity: Annotated[Severity, Field(description="Its severity.")]
    per: Annotated[Literal["consignor × handler", "consignor", "entrustment"], Field(
        description="What one finding is about: `consignor × handler`, `consignor` or `entrustment`.")]
    title_en: Annotated[str, Field(description="Its title in English.")]
    title_ja: Annotated[str, Field(description="Its title in Japanese.")]


@_ENTRY
class ReferenceEntry(TypedDict):
    """A legal basis the findings cite, as in force between ``from`` and ``until``."""

    text: Annotated[str, Field(description="The citation in English, with the Japanese name.")]
    ja: Annotated[str, Field(description="The citation in Japanese, e.g. 個人情報保護法第25条（委託先の監督）.")]
    ref: Annotated[str, Field(description="Where to read it: an e-Gov article URL or a PPC document.")]
    from_: NotRequired[Annotated[str, Field(alias="from", description=
        "The first day it was in force (ISO 8601); absent = in force before any day the tool cites.")]]
    until: NotRequired[Annotated[str, Field(description="The last day it was in force (ISO 8601); absent = "
                                                        "in force today.")]]


class FindingsDocument(BaseModel):
    """findings/v2, what ``chain analyze --format json`` writes: the counts, the rules and the legal
    references the findings name by id, every finding, and per handler whose data it can reach.
    ``FindingsDocument.model_validate_json(text)`` reads one back."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str = Field(alias="schema", description="The document's version: entrustment-chain/findings/v2.")
    source: str | None = Field(description="The chain file analysed, as given; `dataset NAME` for a chain read "
                                           "from a Neo4j dataset (null: not from a file).")
    backend: str = Field(description="Where the rules ran: networkx or neo4j (the same findings).")
    summary: Summary = Field(description="The counts (of every finding, with --summary-only too).")
    rules: dict[RuleId, RuleEntry] = Field(description="Every rule, by id, in report order.")
    legal_references: dict[str, ReferenceEntry] = Field(description="The legal bases the findings cite, by id.")
    findings: list[FindingEntry] = Field(default_factory=list, description=
        "The findings, in report order: by rule (as `rules` lists them), consignor, handler, entrustment; "
        "absent with --summary-only.")
    exposure: list[HandlerExposure] = Field(default_factory=list, description=
        "Per handler, whose data it can reach (concentration), most consignors first; absent with "
        "--summary-only.")


class Record(NamedTuple):
    """A finding as held in memory: a tuple of shared objects, about a tenth of a
    :class:`Finding` with its messages. ``detail`` is what the message needs beyond the
    columns (the missing clauses or measures, the systems reached)."""

    rule: int  # index in RULES
    consignor: str
    handler: str | None
    entrustment: str | None
    path: tuple[PathStep, ...]
    evidence_unknown: bool
    handlers: tuple[str, ...]
    detail: tuple[str, ...]
    # the routes a path finding is about, flat: (route, path, windows, route, path, windows, …),
    # the first path being ``path``; one tuple a finding, shared by a handler's two path
    # findings when equal
    routes: tuple = ()


def route_triples(r: Record) -> Iterator[tuple[Route, tuple[PathStep, ...], Windows]]:
    """(route, path, windows) for each route of a record, in order."""
    return zip(r.routes[::3], r.routes[1::3], r.routes[2::3])


def record_windows(r: Record) -> Windows | None:
    """The union of the windows of a record's routes (None for a finding without routes)."""
    found = r.routes[2::3]
    if not found:
        return None
    return found[0] if len(found) == 1 else W.union(found)


def _window_spans(w: Windows) -> tuple:
    """What :func:`_spans` gives of the same windows as JSON."""
    return (tuple((W.bound_iso(a, "start"), W.bound_iso(b, "end")) for a, b in w.certain),
            tuple((W.bound_iso(a, "start"), W.bound_iso(b, "end")) for a, b in w.possible), w.unknown)


def record_sort_key(r: Record) -> tuple:
    return (r.rule, r.consignor, r.handler or "", r.entrustment or "")


class FindingList(Sequence[Finding]):
    """The findings of an analysis, held as compact :class:`Record` tuples and turned into
    :class:`Finding` objects (with their messages) only when read. A million-entrustment chain
    has millions of findings; holding each as a model with two formatted messages took ~2.3 KB
    apiece. Reads behave as a list of findings in report order."""

    __slots__ = ("_records", "_make")

    def __init__(self, records: list[Record], make: Callable[[Record], Finding]):
        self._records = records
        self._make = make

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [self._make(r) for r in self._records[index]]
        return self._make(self._records[index])

    def __iter__(self) -> Iterator[Finding]:
        make = self._make
        return (make(r) for r in self._records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingList):
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"<FindingList of {len(self)} findings>"

    @property
    def maker(self) -> "FindingMaker | None":
        """What makes this list's findings, when it is a :class:`FindingMaker` (it knows the chain,
        which the JSON document is written from)."""
        return self._make if isinstance(self._make, FindingMaker) else None

    @property
    def records(self) -> list[Record]:
        """The compact form, in report order (read-only by convention)."""
        return self._records

    def identities(self) -> Iterator[tuple]:
        """:meth:`Finding.identity` of each finding, without building the findings."""
        return ((RULE_IDS[r.rule], r.consignor, r.handler, r.entrustment, len(r.path), r.handlers,
                 tuple((route.kind, route.id, len(path), _window_spans(w)) for route, path, w in route_triples(r)))
                for r in self._records)

    def keep(self, keep: Callable[[int], bool]) -> "FindingList":
        """The findings whose index ``keep`` accepts, made by this list's maker (so that a
        could_not_supervise finding stays dated by all of the analysis's handlings)."""
        return FindingList([r for i, r in enumerate(self._records) if keep(i)], self._make)

    def rules(self) -> Iterator[str]:
        """The rule of each finding, without building the findings."""
        return (RULE_IDS[r.rule] for r in self._records)


class Analysis(_Result):
    """The result of ``chain analyze``: the counts, every finding, and per handler whose data it
    can reach. ``analyze(chain)`` makes it; :meth:`write_json` writes it as the CLI does (the
    findings/v2 document, :class:`FindingsDocument`), one finding at a time."""

    schema_: str = Field(default=FINDINGS_SCHEMA, alias="schema",
                         description="The version of the JSON document it is written as: "
                                     "entrustment-chain/findings/v2.")
    source: str | None = Field(None, description="The chain file analysed, as given; `dataset NAME` for a chain "
                                                 "read from a Neo4j dataset (null: not from a file).")
    backend: str = Field("networkx", description="Where the rules ran: networkx or neo4j (the same findings).")
    summary: Summary = Field(description="The counts.")
    findings: FindingList = Field(description="The findings, in report order: by rule (as docs/rules.md lists "
                                              "them), consignor, handler, entrustment.")
    exposure: list[HandlerExposure] = Field(description="Per handler, whose data it can reach (concentration).")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True)

    @field_serializer("findings")
    def _dump_findings(self, findings: FindingList) -> list[Finding]:
        return list(findings)

    def to_json_dict(self, messages: bool = False, summary_only: bool = False) -> dict[str, Any]:
        """The findings/v2 document as a dict: what :meth:`write_json` writes, parsed (the whole
        of it in memory)."""
        out = io.StringIO()
        self.write_json(out, messages=messages, summary_only=summary_only)
        return json.loads(out.getvalue())

    def write_json(self, out: IO[str], messages: bool = False, summary_only: bool = False) -> None:
        """Write the findings/v2 document (:class:`FindingsDocument`) to ``out``, one finding at a
        time: the head indented, each finding and each handler's exposure on a line of its own.
        ``messages`` adds each finding's messages and each window's wareki; ``summary_only``
        leaves out the findings and the exposure (the summary still counts them). The findings
        must be those of an analysis (``analyze``, :func:`findings_from_rows`), which know their
        chain: a :class:`FindingList` made with another maker is refused (ValueError)."""
        writer = _DocumentWriter(self, messages)
        out.write("{")
        for index, (key, value) in enumerate(writer.head().items()):
            out.write(("\n" if index == 0 else ",\n") + "  " + json.dumps(key) + ": " + _indented(value, "  "))
        if not summary_only:
            for key, lines in (("findings", writer.finding_lines()), ("exposure", writer.exposure_lines())):
                out.write(",\n  " + json.dumps(key) + ": [")
                first = True
                for line in lines:
                    out.write(("\n    " if first else ",\n    ") + line)
                    first = False
                out.write("]" if first else "\n  ]")
        out.write("\n}\n")

    def write_jsonl(self, out: IO[str], messages: bool = False, summary_only: bool = False) -> None:
        """Write the findings/v2 document as JSON Lines: first a line with ``"record": "head"``
        and the document's head (schema, source, backend, summary, rules, legal_references),
        then a ``"record": "finding"`` line per finding and an ``"record": "exposure"`` line per
        handler, each otherwise as in the JSON document (``jq -c 'select(.record=="finding")'``)."""
        writer = _DocumentWriter(self, messages)
        out.write(_free(_line({"record": "head", **writer.head()})) + "\n")
        if summary_only:
            return
        for line in writer.finding_lines():
            out.write('{"record":"finding",' + line[1:] + "\n")
        for line in writer.exposure_lines():
            out.write('{"record":"exposure",' + line[1:] + "\n")

    def by_rule(self, rule_id: RuleId | str, limit: int | None = None) -> list[Finding]:
        """The findings of one rule (the first ``limit`` of them, when given), by its
        :class:`RuleId` or its id as a string; :class:`UnknownRule` (a ValueError and a KeyError)
        naming the rules and the closest one for an id that is not one."""
        return list(self.iter_rule(rule_id, limit))

    def iter_rule(self, rule_id: RuleId | str, limit: int | None = None) -> Iterator[Finding]:
        """:meth:`by_rule` one finding at a time: each is built when it is reached, so a rule's
        millions of findings are never all held."""
        index = RULE_INDEX[rule(rule_id).id]
        findings = self.findings
        found = (i for i, r in enumerate(findings.records) if r.rule == index)
        return (findings[i] for i in (found if limit is None else itertools.islice(found, limit)))

    def worst(self) -> Severity | None:
        """The highest severity among the findings; None when there are none."""
        return max((RULES[r].severity for r in set(self.findings.rules())), key=lambda s: s.order, default=None)


def _indented(value: Any, indent: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def summarize(findings: FindingList, consignors: int, handlers: int) -> Summary:
    counts = Counter(r.rule for r in findings.records)
    by_rule = {rule_id: counts.get(index, 0) for index, rule_id in enumerate(RULE_IDS)}
    by_severity = {s.value: 0 for s in Severity}
    for rule_id, count in by_rule.items():
        by_severity[RULES[rule_id].severity.value] += count
    return {
        "consignors": consignors,
        "handlers": handlers,
        "findings": len(findings),
        "by_rule": by_rule,
        "by_severity": by_severity,
    }


# ---------------------------------------------------------------------------------------------
# Rows to findings: shared by both backends, so they cannot differ in wording or judgement.


def findings_from_rows(chain: ChainFile, rows: Iterable[tuple[str, Row | Record]],
                       as_of: date | None = None) -> FindingList:
    """Findings from either backend's rule rows, as (rule id, row) pairs; a row may be a
    :class:`Record` already (the networkx backend makes its path rows so). Findings are kept as
    compact records (see :class:`FindingList`); every path step and every path is one shared
    object, so millions of findings stay affordable. With ``as_of`` (the rows being of the chain
    as it stood then), windows end on that day and the entrustment findings are those whose
    data was still there (:mod:`.asof`)."""
    steps: dict[tuple, PathStep] = {}
    paths: dict[tuple, tuple[PathStep, ...]] = {}
    records: list[Record] = []

    def path_of(raw: Iterable[Any]) -> tuple[PathStep, ...]:
        if isinstance(raw, tuple):  # already a shared tuple of shared steps
            return raw
        shared = []
        for step in raw:
            found = step if isinstance(step, PathStep) else PathStep(
                step["type"], step["key"], step["source"], step["target"])
            found = steps.setdefault(found, found)
            shared.append(found)
        ids = tuple(id(s) for s in shared)
        found_path = paths.get(ids)
        if found_path is None:
            found_path = paths[ids] = tuple(shared)
        return found_path

    entrustments = chain.entrustments_by_id
    for rule_id, row in rows:
        if as_of is not None:
            entrustment = row.entrustment if type(row) is Record else row.get("entrustment")
            if entrustment is not None and entrustment in entrustments and "routes" not in RULES[rule_id].columns \
                    and disposed_by(entrustments[entrustment], as_of):
                continue
        if type(row) is Record:
            if as_of is not None and row.routes:
                row = row._replace(routes=_until(row.routes, as_of))
            records.append(row)
            continue
        detail_column = RULES[rule_id].detail
        detail = row.get(detail_column, ()) if detail_column and detail_column != "handlers" else ()
        routes = tuple(part for x in row.get("routes") or ()
                       for part in (Route(x["kind"], x["id"]), path_of(x["path"]),
                                    x["windows"] if isinstance(x.get("windows"), Windows)
                                    else W.from_rows(x["certain"], x["held"], x["unknown"])))
        if as_of is not None and routes:
            routes = _until(routes, as_of)
        records.append(Record(
            RULE_INDEX[rule_id], row["consignor"], row.get("handler"), row.get("entrustment"),
            routes[1] if routes else (), bool(row.get("evidence_unknown", False)),
            tuple(row.get("handlers", ())), tuple(detail), routes,
        ))
    try:  # records compare in report order as they are (no key tuples: millions of them)
        records.sort()
    except TypeError:  # a rule whose rows mix None and ids in one column (not produced by our rules)
        records.sort(key=record_sort_key)
    return FindingList(records, finding_maker(chain, records))


def _until(routes: tuple, day: date) -> tuple:
    """A record's flat routes with their windows cut at ``day``."""
    return tuple(part.until(day) if i % 3 == 2 else part for i, part in enumerate(routes))


def conduct_dates(chain: ChainFile, records: Iterable[Record]) -> Callable[[Record], date | None]:
    """The date of the conduct a finding is about, which chooses its legal basis: the first day
    of a path finding's windows; the first day of an entrustment's period; for a consignor that
    could not supervise, the earliest of its undisclosed handlings (unknown if any of them is).
    When only the end is known, its last day: the conduct had begun by then (windows.conduct_day).
    None when unknown."""
    entrustments = chain.entrustments_by_id
    undisclosed = RULE_INDEX["undisclosed_subcontracting"]
    could_not = RULE_INDEX["could_not_supervise"]
    earliest: dict[str, date | None] = {}
    for r in records:
        if r.rule == undisclosed:
            day = record_windows(r).conduct_day
            if r.consignor not in earliest:
                earliest[r.consignor] = day
            elif day is None or earliest[r.consignor] is None:
                earliest[r.consignor] = None
            else:
                earliest[r.consignor] = min(day, earliest[r.consignor])

    def on(r: Record) -> date | None:
        if r.routes:
            return record_windows(r).conduct_day
        if r.rule == could_not:
            return earliest.get(r.consignor)
        e = entrustments.get(r.entrustment) if r.entrustment else None
        period = e.parsed_period if e is not None else None
        if period is None:
            return None
        if period.start is not None:
            return period.start.first_day()
        return period.end.last_day() if period.end is not None else None  # it had begun by its end

    return on


@functools.lru_cache(maxsize=1 << 14)
def route_windows(w: Windows) -> RouteWindows:
    """A route's windows as reported (shared: the same windows recur across findings)."""
    def spans(intervals: tuple) -> list[Span]:
        return [Span.model_construct(start=W.bound_iso(a, "start"), end=W.bound_iso(b, "end"), wareki=W.wareki((a, b)))
                for a, b in intervals]

    return RouteWindows.model_construct(certain=spans(w.certain), possible=spans(w.possible), unknown_period=w.unknown)


class FindingMaker:
    """Turns a :class:`Record` of one chain into a :class:`Finding` (calling it), and tells the
    JSON writer a record's conduct date and legal bases (:meth:`legal`). ``records`` (all of the analysis's) date the
    could_not_supervise findings. Legal bases are chosen once per era (the law changed on a
    handful of dates) and steps, paths and windows are written once each: findings share them."""

    def __init__(self, chain: ChainFile, records: Iterable[Record] = ()):
        self.chain = chain
        self.words = Words(chain)
        self._orgs = chain.organizations_by_id
        self._conduct = conduct_dates(chain, records)
        self._eras: dict[tuple, tuple[LegalBasis, ...]] = {}
        self._bases: dict[tuple, tuple[list[str], list[LegalReference]]] = {}
        self._step = functools.lru_cache(maxsize=1 << 16)(Step.of)  # findings read in order share their steps

    def kind(self, r: Record) -> OrgKind:
        org = self._orgs.get(r.consignor)
        return org.kind if org is not None else OrgKind.private

    def legal(self, r: Record) -> tuple[date | None, tuple[LegalBasis, ...]]:
        """The day of the conduct and the legal bases as the law stood then."""
        rule_id = RULE_IDS[r.rule]
        day = self._conduct(r)
        kind = self.kind(r)
        key = (rule_id, kind, day)
        found = self._eras.get(key)
        if found is None:
            found = self._eras[key] = tuple(legal_bases(RULES[rule_id], kind, day))
        return day, found

    def __call__(self, r: Record) -> Finding:
        rule_id = RULE_IDS[r.rule]
        record = RULES[rule_id]
        day, found = self.legal(r)
        era = tuple(b.id for b in found)
        basis = self._bases.get(era)
        if basis is None:
            basis = self._bases[era] = ([b.text for b in found], [
                LegalReference.model_construct(id=b.id, text=b.text, ja=b.ja, ref=b.ref) for b in found])
        en, ja = messages(record, self.words, self.kind(r), r)
        step = self._step
        return Finding.model_construct(
            rule=rule_id, severity=record.severity, consignor=r.consignor, handler=r.handler,
            entrustment=r.entrustment, path=[step(p) for p in r.path], legal_basis=basis[0],
            conduct_date=day.isoformat() if day is not None else None, legal_references=basis[1], message=en,
            message_ja=ja, evidence_unknown=r.evidence_unknown, handlers=list(r.handlers),
            routes=[RoutePath.model_construct(kind=route.kind, id=route.id, path=[step(p) for p in path],
                                              windows=route_windows(when))
                    for route, path, when in route_triples(r)],
        )


def finding_maker(chain: ChainFile, records: Iterable[Record] = ()) -> FindingMaker:
    """The function that turns a :class:`Record` of this chain into a :class:`Finding`;
    ``records`` (all of the analysis's) date the could_not_supervise findings."""
    return FindingMaker(chain, records)


# A string as JSON (the C encoder json.dumps uses for ensure_ascii=False, without its set-up per call)
_text: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _free(json_text: str) -> str:
    """JSON text holding free text (names, messages) that no line reader splits: U+2028 and
    U+2029 are valid in JSON strings, but str.splitlines() and JavaScript line readers break lines
    at them; escaped, they read back the same."""
    if "\u2028" in json_text or "\u2029" in json_text:
        json_text = json_text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return json_text


def _line(value: Any) -> str:
    """Compact JSON on one line, as the findings/v2 document writes findings."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_DETAIL_FIELDS = ("missing", "systems", "countries")  # Rule.detail columns written as they are named


class _DocumentWriter:
    """Writes one analysis as findings/v2 (:class:`FindingsDocument`): the head (with the legal
    references the findings cite, found by a first pass), then a line per finding and per handler."""

    def __init__(self, analysis: Analysis, messages: bool):
        self.analysis = analysis
        self.messages = messages
        findings = analysis.findings
        maker = findings.maker
        if maker is None:  # a list made by hand, without a chain: findings as they are (see FindingList)
            raise ValueError("this analysis's findings carry no chain to write them from")
        self.maker = maker
        self._legal: tuple[list[tuple[str, str]], array[int]] | None = None
        self._found: dict[int, tuple[LegalBasis, ...]] = {}

    def _legal_texts(self) -> tuple[list[tuple[str, str]], array[int]]:
        """Each finding's conduct date and legal bases as JSON text: the distinct pairs (one per
        era and day) and, per finding, the index of its pair (4 bytes a finding), made once for
        the head's references and the findings' lines."""
        if self._legal is None:
            legal = self.maker.legal
            index: dict[tuple, int] = {}
            texts: list[tuple[str, str]] = []
            of = array("I")
            for r in self.analysis.findings.records:
                day, found = legal(r)
                key = (day, id(found))
                at = index.get(key)
                if at is None:
                    self._found[id(found)] = found
                    at = index[key] = len(texts)
                    texts.append(("" if day is None else f',"conduct_date":"{day.isoformat()}"',
                                  ',"legal_basis":' + _line([b.id for b in found])))
                of.append(at)
            self._legal = (texts, of)
        return self._legal

    def head(self) -> dict[str, Any]:
        a = self.analysis
        cited: dict[str, LegalBasis] = {}
        self._legal_texts()
        for found in self._found.values():  # one tuple per era
            cited.update((b.id, b) for b in found)
        references: dict[str, Any] = {}
        for key in sorted(cited):
            b = cited[key]
            entry: dict[str, Any] = {"text": b.text, "ja": b.ja, "ref": b.ref}
            if b.in_force[0] is not None:
                entry["from"] = b.in_force[0]
            if b.in_force[1] is not None:
                entry["until"] = b.in_force[1]
            references[key] = entry
        return {
            "schema": a.schema_,
            "source": a.source,
            "backend": a.backend,
            "summary": a.summary,
            "rules": {r.id: {"severity": r.severity.value, "per": r.per.value, "title_en": r.title_en,
                             "title_ja": r.title_ja} for r in RULES.values()},
            "legal_references": references,
        }

    def _routes(self, r: Record) -> str:
        parts = []
        for route, path, when in route_triples(r):
            parts.append('{"kind":' + _text(route.kind) + ',"id":' + _text(route.id) + ',"path":['
                         + ",".join(_step_text(p) for p in path) + "]"
                         + ("" if when is None else ',"windows":' + _windows_text(when, self.messages)) + "}")
        return "[" + ",".join(parts) + "]"

    def finding_lines(self) -> Iterator[str]:
        maker = self.maker
        words = maker.words
        rule_ids = [_text(rule_id) for rule_id in RULE_IDS]
        details = [f',"{RULES[rule_id].detail}":' if RULES[rule_id].detail in _DETAIL_FIELDS else None
                   for rule_id in RULE_IDS]
        lists: dict[tuple[str, ...], str] = {}
        texts, of = self._legal_texts()
        for r, at in zip(self.analysis.findings.records, of):
            day, basis = texts[at]
            parts = ['{"rule":', rule_ids[r.rule], ',"consignor":', _text(r.consignor)]
            if r.handler is not None:
                parts += [',"handler":', _text(r.handler)]
            if r.entrustment is not None:
                parts += [',"entrustment":', _text(r.entrustment)]
            if r.handlers:
                parts += [',"handlers":', _line(list(r.handlers))]
            detail = details[r.rule]
            if detail is not None and r.detail:
                text = lists.get(r.detail)  # a few combinations of missing clauses recur
                if text is None:
                    text = lists[r.detail] = _line(list(r.detail))
                parts += [detail, text]
            if r.evidence_unknown:
                parts.append(',"evidence_unknown":true')
            parts += [day, basis]
            if r.routes:
                parts += [',"routes":', self._routes(r)]
            if self.messages:
                en, ja = messages(RULES[RULE_IDS[r.rule]], words, maker.kind(r), r)
                parts += [',"message":', _free(_text(en)), ',"message_ja":', _free(_text(ja))]
            parts.append("}")
            yield "".join(parts)

    def exposure_lines(self) -> Iterator[str]:
        for x in self.analysis.exposure:
            yield _free(_line(x.model_dump(mode="json")))  # names are free text


# Steps and windows recur across findings (a handler's paths share their first steps; windows
# repeat): each is written once and its text reused.
@functools.lru_cache(maxsize=1 << 16)
def _step_text(step: PathStep) -> str:
    return _line([step.type, step.key, step.target])


@functools.lru_cache(maxsize=1 << 14)
def _windows_text(w: Windows, messages: bool) -> str:
    def spans(intervals: tuple) -> list[list[str | None]]:
        return [[W.bound_iso(a, "start"), W.bound_iso(b, "end"), *([W.wareki((a, b))] if messages else [])]
                for a, b in intervals]

    entry: dict[str, Any] = {"certain": spans(w.certain), "possible": spans(w.possible)}
    if w.unknown:
        entry["unknown_period"] = True
    return _line(entry)
