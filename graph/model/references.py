"""Problems between the elements of a chain file: duplicate ids, and references to ids that do
not exist. Checked on the parsed data (plain dicts, or the streamed reader's element views), so
every problem can be named with its line."""
from __future__ import annotations

from typing import Any, Iterable


def _items(data: dict, key: str) -> list[tuple[int, dict]]:
    values = data.get(key)
    if not isinstance(values, list):
        return []
    return [(i, v) for i, v in enumerate(values) if hasattr(v, "get")]  # dicts, or jsonstream's views


def reference_problems(data: dict) -> Iterable[tuple[tuple, str]]:
    """Problems between elements: duplicate ids and references to ids that do not exist."""
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
    access_seen: dict[tuple, int] = {}
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
        key = (grant.get("organization"), system_id)
        if all(isinstance(k, str) for k in key):
            if key in access_seen:
                yield base, (f"{key[0]!r} already has access to {key[1]!r} (access[{access_seen[key]}]); "
                             "give one entry per organization and system")
            else:
                access_seen[key] = i

