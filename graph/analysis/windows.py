"""Time windows: when a handler could reach a consignor's data (DESIGN "Time").

Data of an entrustment enters at the start of its period and stays with the contractor, and in
the systems it is placed in, until its disposal is recorded (``disposal``); without a record it
may still be there. Along a path from a route's origin:
- an entrustment step (ENTRUSTS, PLACES_DATA_IN) in force over [a, b] with disposal d passes the
  data on while it is in force: the handling is *certain* over what was certain before ∩ [a,
  min(b, d)], and the data is *held* from the first day it can have passed (the earliest day
  held before that lies in [a, b]) until d;
- an access step (ACCESSIBLE_BY) over [a, b] reaches what the system holds while the grant is
  in force: certain ∩ [a, b] and held ∩ [a, b].
Several relationships between the same two nodes on a path (grants at different periods, two
contracts between the same parties that both carry the data) each pass the data on: the step
is the union of theirs. The windows of a handler on a route are those of the route's canonical
path (:mod:`.flow`); *possible* is what is held but not certain. A handling whose held window
is empty is no handling: it is no finding. An unknown period is unbounded (``date.min`` /
``date.max`` here, ``null`` in JSON) and the windows say so (``unknown``).

The Cypher rules compute the same windows (``route_windows`` in
:mod:`entrustment_chain.graph.neo4j.cyphergen`), unnormalised; :func:`normalize` makes both
the same set of days, so both backends give the same findings.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable, NamedTuple

from entrustment_chain.graph.model.wareki import PartialDate, Period

MIN, MAX = date.min, date.max
Interval = tuple[date, date]  # both days included
ALWAYS: tuple[Interval, ...] = ((MIN, MAX),)


class Hop(NamedTuple):
    """What one relationship of a step contributes: whether it holds the data (an entrustment
    step) or only reaches it (access), its period [start, end] (unbounded as MIN / MAX), the
    disposal day (MAX when none is recorded; access: MAX), and whether its period is unknown."""

    holding: bool
    start: date
    end: date
    disposal: date
    unknown: bool


class Windows(NamedTuple):
    """Certain and held days (normalised: sorted, disjoint, not adjacent), and whether an unknown
    period bounds them."""

    certain: tuple[Interval, ...]
    held: tuple[Interval, ...]
    unknown: bool = False

    @property
    def empty(self) -> bool:
        return not self.held

    @property
    def possible(self) -> tuple[Interval, ...]:
        return subtract(self.held, self.certain)

    @property
    def first_day(self) -> date | None:
        """The first day of the handling, None when unbounded."""
        if not self.held or self.held[0][0] == MIN:
            return None
        return self.held[0][0]

    @property
    def conduct_day(self) -> date | None:
        """The day the law is chosen by: the first day of the handling; when its start is
        unknown, the last day of its first window (the conduct had begun by then); None when
        neither is known."""
        if not self.held:
            return None
        start, end = self.held[0]
        if start != MIN:
            return start
        return end if end != MAX else None

    def on(self, day: date) -> str | None:
        """"certain", "possible" or None: how the handling stood on ``day``."""
        if any(s <= day <= e for s, e in self.certain):
            return "certain"
        if any(s <= day <= e for s, e in self.held):
            return "possible"
        return None

    def until(self, day: date) -> "Windows":
        """The windows as they stood on ``day``: nothing after it."""
        return Windows(clip(self.certain, day), clip(self.held, day), self.unknown)


NONE = Windows((), ())
EVERYWHERE = Windows(ALWAYS, ALWAYS)


def hop_of(data: dict) -> Hop:
    """The :class:`Hop` of a flow relationship's properties (:mod:`entrustment_chain.graph.schema`)."""
    holding = "disposal" in data
    return Hop(holding, data["window_start"] or MIN, data["window_end"] or MAX,
               (data["disposal"] or MAX) if holding else MAX, bool(data["period_unknown"]))


def normalize(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, disjoint, and joined where one ends the day before the next begins."""
    merged: list[list[date]] = []
    for start, end in sorted(intervals):
        if start > end:
            continue
        if merged and (merged[-1][1] >= start or (merged[-1][1] < MAX and merged[-1][1] + timedelta(1) >= start)):
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def subtract(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """The days of ``a`` not in ``b`` (both normalised)."""
    out: list[Interval] = []
    for start, end in a:
        pieces = [(start, end)]
        for bs, be in b:
            next_pieces = []
            for s, e in pieces:
                if be < s or bs > e:
                    next_pieces.append((s, e))
                    continue
                if bs > s:
                    next_pieces.append((s, bs - timedelta(1)))
                if be < e:
                    next_pieces.append((be + timedelta(1), e))
            pieces = next_pieces
        out.extend(pieces)
    return tuple(out)


def clip(intervals: tuple[Interval, ...], day: date) -> tuple[Interval, ...]:
    return tuple((s, min(e, day)) for s, e in intervals if s <= day)


def step(before: Windows, hop: Iterable[Hop]) -> Windows:
    """The windows one step further, through the relationships ``hop`` (see the module doc)."""
    certain: list[Interval] = []
    held: list[Interval] = []
    unknown = before.unknown
    for h in hop:
        unknown = unknown or h.unknown
        certain_end = min(h.end, h.disposal)
        for s, e in before.certain:
            s2, e2 = max(s, h.start), min(e, certain_end)
            if s2 <= e2:
                certain.append((s2, e2))
        if h.holding:
            first = min((max(s, h.start) for s, e in before.held if s <= h.end and e >= h.start), default=None)
            if first is not None and first <= h.disposal:
                held.append((first, h.disposal))
        else:
            for s, e in before.held:
                s2, e2 = max(s, h.start), min(e, h.end)
                if s2 <= e2:
                    held.append((s2, e2))
    return Windows(normalize(certain), normalize(held), unknown)


def step_one(before: Windows, h: Hop) -> Windows:
    """``step(before, (h,))``, the usual step (one relationship between two nodes of a path),
    without the general case's sorting: ``before`` is normalised, and cutting each of its
    intervals with the one interval of ``h`` keeps them sorted, disjoint and apart (each piece
    lies inside its interval), so the result is normalised as it is made. The traversal makes
    one of these per relationship it follows (half a million at 10^5 entrustments)."""
    start = h.start
    certain = _within(before.certain, start, h.end if h.end < h.disposal else h.disposal)
    if h.holding:
        # the first day it can have passed: the earliest day held before that lies in [start, end]
        end = h.end
        held: tuple[Interval, ...] = ()
        for s, e in before.held:  # sorted: the first that meets [start, end] has that day
            if s <= end and e >= start:
                first = s if s > start else start
                if first <= h.disposal:
                    held = ((first, h.disposal),)
                break
    else:
        held = _within(before.held, start, h.end)
    return Windows(certain, held, before.unknown or h.unknown)


def _within(intervals: tuple[Interval, ...], first: date, last: date) -> tuple[Interval, ...]:
    """The parts of normalised ``intervals`` between ``first`` and ``last``: still normalised
    (each part lies inside its interval)."""
    out = []
    for s, e in intervals:
        if s < first:
            s = first
        if e > last:
            e = last
        if s <= e:
            out.append((s, e))
    return tuple(out)


def union(found: Iterable[Windows]) -> Windows:
    """The days of any of ``found``; unknown when any of them rests on an unknown period."""
    found = list(found)
    return Windows(normalize(i for w in found for i in w.certain), normalize(i for w in found for i in w.held),
                   any(w.unknown for w in found))


def origin(intervals: Iterable[tuple[Interval, Interval, bool]]) -> Windows:
    """The windows where a route starts, from (certain, held, unknown) contributions."""
    certain, held, unknown = [], [], False
    for c, h, u in intervals:
        certain.append(c)
        held.append(h)
        unknown = unknown or u
    return Windows(normalize(certain), normalize(held), unknown)


def from_rows(certain: Iterable, held: Iterable, unknown: bool) -> Windows:
    """Windows from a Cypher row: lists of [start, end] dates (neo4j.time.Date or date), any
    order, possibly overlapping."""
    def days(pairs: Iterable) -> tuple[Interval, ...]:
        return normalize((_day(s), _day(e)) for s, e in pairs)

    return Windows(days(certain), days(held), bool(unknown))


def _day(value: object) -> date:
    if isinstance(value, date):
        return value
    to_native = getattr(value, "to_native", None)  # neo4j.time.Date
    if to_native is not None:
        return to_native()
    raise TypeError(f"not a date: {value!r}")


# ---------------------------------------------------------------------------------------------
# Printing

def _precision(interval: Interval) -> int:
    """How precisely to print an interval: 1 (years) when it runs from a 1 January to a 31
    December, 2 (months) from a first to a last day of a month, else 3 (days); an unbounded
    end does not count. Periods are mostly written to the month or the year, and their
    windows keep those bounds."""
    start, end = interval
    starts = [] if start == MIN else [start]
    ends = [] if end == MAX else [end]
    if all(d.month == 1 and d.day == 1 for d in starts) and all(d.month == 12 and d.day == 31 for d in ends):
        return 1
    if all(d.day == 1 for d in starts) and all((d + timedelta(1)).day == 1 for d in ends):
        return 2
    return 3


def _partial(day: date, precision: int) -> PartialDate:
    return PartialDate(day.year, day.month if precision > 1 else None, day.day if precision > 2 else None)


def bound_iso(day: date, side: str) -> str | None:
    """A bound as ISO, None when unbounded."""
    if (side == "start" and day == MIN) or (side == "end" and day == MAX):
        return None
    return day.isoformat()


def wareki(interval: Interval, open_end: str = "") -> str:
    """An interval as the seed writes periods: 平成 27 年 3 月～同年 5 月; an unbounded start
    prints as 不明～, an unbounded end as ～ followed by ``open_end``."""
    start, end = interval
    precision = _precision(interval)
    first = None if start == MIN else _partial(start, precision)
    last = None if end == MAX else _partial(end, precision)
    if first is None:
        return f"不明～{last.wareki() if last else open_end}"
    text = Period("", first, last).wareki()
    return text + open_end if last is None else text
