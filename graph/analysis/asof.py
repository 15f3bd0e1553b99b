"""``--as-of DATE``: the chain as it stood on a day (DESIGN "Time").

On a day D the chain holds the entrustments and access grants that had begun by D (or whose
start is unknown), with the disposals recorded by D; what began later, and disposals after D,
had not happened yet. The analysis then reports
- the handlings that stood on D: a handler whose windows include D, certainly or possibly,
  with its windows cut at D (both backends filter: the Cypher rules by ``$as_of``);
- the entrustment findings of entrustments whose data was still there on D (in force, or
  ended without a disposal recorded by D);
and :func:`standing` counts the contracts: in force, ended with the data still held, disposed of.
"""
from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Any

from entrustment_chain.graph.model.chain import ChainFile, Entrustment


def _begun(period: Any, day: date) -> bool:
    return period is None or period.start is None or period.start.first_day() <= day


def disposed_by(e: Entrustment, day: date) -> bool:
    """Whether the entrustment's data was gone on ``day``: its disposal was recorded before it
    (on the day of the disposal the data is still there, as the windows count it)."""
    return e.disposal is not None and e.disposal.parsed_date.last_day() < day


def chain_as_of(chain: ChainFile, day: date) -> ChainFile:
    """The chain as it stood on ``day`` (see the module doc)."""
    entrustments = []
    for e in chain.entrustments:
        if not _begun(e.parsed_period, day):
            continue
        if e.disposal is not None and not disposed_by(e, day):
            e = e.model_copy(update={"disposal": None})
        entrustments.append(e)
    kept = {e.id for e in entrustments}
    access = []
    for grant in chain.access:
        if not _begun(grant.parsed_period, day):
            continue
        if grant.under is not None and grant.under not in kept:  # granted under a contract not yet made
            grant = grant.model_copy(update={"under": None})
        access.append(grant)
    snapshot = chain.model_copy(update={"entrustments": entrustments, "access": access})
    for cached in _CACHED:  # model_copy copies the cached lookups of the whole chain: drop them
        snapshot.__dict__.pop(cached, None)
    return snapshot


# ChainFile's cached lookups (functools.cached_property), which a snapshot must make afresh
_CACHED = tuple(name for name, value in vars(ChainFile).items() if isinstance(value, cached_property))


def standing(chain: ChainFile, day: date) -> dict[str, Any]:
    """How the entrustments stood on ``day``: begun and in force, ended with their data still
    held (no disposal recorded by then), disposed of, not yet begun, and with no period."""
    counts = dict.fromkeys(("in_force", "ended_data_held", "disposed", "not_begun", "period_unknown"), 0)
    for e in chain.entrustments:
        period = e.parsed_period
        if period is None:
            counts["period_unknown"] += 1
        elif not _begun(period, day):
            counts["not_begun"] += 1
        elif disposed_by(e, day):
            counts["disposed"] += 1  # gone before that day
        elif period.end is None or period.end.last_day() >= day:
            counts["in_force"] += 1
        else:
            counts["ended_data_held"] += 1
    return {"date": day.isoformat(), "entrustments": counts}
