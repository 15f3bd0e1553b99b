"""Problems between the elements of a chain file: duplicate ids, and references to ids that do
not exist. Checked on the parsed data (plain dicts, or the streamed reader's element views), so
every problem can be named with its line."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from entrustment_chain.graph.model.wareki import WarekiError, parse_period


def _items(data: dict, key: str) -> list[tuple[int, dict]]:
    values = data.get(key)
    if not isinstance(values, list):
        return []
    return [(i, v) for i, v in enumerate(values) if hasattr(v, "get")]  # dicts, or jsonstream's views


def _span(value: Any) -> tuple[date, date] | None:
    """The days a period covers, an unknown start or an open end unbounded; None when it cannot
    be read (the field's own check says why)."""
    if hasattr(value, "model_dump"):  # a {start, end} read by the streamed reader (a model)
        value = value.model_dump()
    try:
        period = parse_period(value) if value is not None else None
    except (WarekiError, TypeError, AttributeError):
        return None
    if period is None:
        return date.min, date.max
    return (period.start.first_day() if period.start else date.min,
            period.end.last_day() if period.end else date.max)


def reference_problems(data: dict) -> Iterable[tuple]:
    """Problems between elements: duplicate ids, references to ids that do not exist, and access
    grants of one kind to one system at overlapping periods. Each is (path, message), or (path,
    message, other path) when it is about two elements: the loader names both lines."""
    ids: dict[str, dict[str, int]] = {}
    for section in ("organizations", "systems", "entrustments"):
        seen: dict[str, int] = {}
        for i, item in _items(data, section):
            item_id = item.get("id")
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                yield (section, i, "id"), f"duplicate id {item_id!r} (also {section}[{seen[item_id]}])"
            else:
                seen[item_id] = i
        ids[section] = seen
    orgs, systems, entrustments = ids["organizations"], ids["systems"], ids["entrustments"]
    consignors = {e["consignor"] for _, e in _items(data, "entrustments") if isinstance(e.get("consignor"), str)}

    def org_ref(path: tuple, value: Any, what: str) -> Iterable[tuple[tuple, str]]:
        if isinstance(value, str) and value not in orgs:
            yield path, f"{what} {value!r} is not an organization of this file"

    for i, system in _items(data, "systems"):
        yield from org_ref(("systems", i, "operator"), system.get("operator"), "operator")
    for i, ent in _items(data, "entrustments"):
        base = ("entrustments", i)
        yield from org_ref(base + ("consignor",), ent.get("consignor"), "consignor")
        yield from org_ref(base + ("contractor",), ent.get("contractor"), "contractor")
        if isinstance(ent.get("consignor"), str) and ent.get("consignor") == ent.get("contractor"):
            yield base + ("contractor",), f"{ent['contractor']!r} cannot entrust work to itself"
        for j, system_id in enumerate(ent.get("systems") or [] if isinstance(ent.get("systems"), list) else []):
            if isinstance(system_id, str) and system_id not in systems:
                yield base + ("systems", j), f"system {system_id!r} is not a system of this file"
        covers = ent.get("covers")
        if isinstance(covers, list):
            for j, org_id in enumerate(covers):
                if not isinstance(org_id, str):
                    continue
                if org_id not in orgs:
                    yield base + ("covers", j), f"covers {org_id!r}, which is not an organization of this file"
                elif org_id not in consignors:
                    yield base + ("covers", j), (f"covers {org_id!r}, which is not the consignor of any "
                                                 "entrustment, so it has no entrusted data to cover")
        for key in ("informed_subcontractors", "approved_subcontractors"):
            listed = ent.get(key)
            if isinstance(listed, list):
                for j, org_id in enumerate(listed):
                    yield from org_ref(base + (key, j), org_id, "subcontractor")
    entrustment_items = dict(_items(data, "entrustments"))
    access_seen: dict[tuple, list[tuple[int, tuple | None]]] = {}
    for i, grant in _items(data, "access"):
        base = ("access", i)
        yield from org_ref(base + ("organization",), grant.get("organization"), "organization")
        system_id = grant.get("system")
        if isinstance(system_id, str) and system_id not in systems:
            yield base + ("system",), f"system {system_id!r} is not a system of this file"
        under = grant.get("under")
        if isinstance(under, str):
            if under not in entrustments:
                yield base + ("under",), f"under {under!r}, which is not an entrustment of this file"
            else:
                contractor = entrustment_items[entrustments[under]].get("contractor")
                if contractor != grant.get("organization"):
                    yield base + ("under",), (f"under {under!r}, whose contractor is {contractor!r}, "
                                              f"not {grant.get('organization')!r}")
        key = (grant.get("organization"), system_id, grant.get("kind", "other"))
        if all(isinstance(k, str) for k in key):
            span = _span(grant.get("period"))
            for j, other in access_seen.get(key, ()):
                if span is not None and other is not None and span[0] <= other[1] and other[0] <= span[1]:
                    yield base, (
                        f"{key[0]!r} already has {key[2]} access to {key[1]!r} at an overlapping period: "
                        "grants of one kind to one system must not overlap (give one entry per period, "
                        f"or join the two); the other is access[{j}]"), ("access", j)
                    break
            access_seen.setdefault(key, []).append((i, span))

