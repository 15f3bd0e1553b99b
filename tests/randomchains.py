"""Seeded random chain files for the parity test: several levels, several routes per consignor
(entrustments to several contractors, own systems holding personal data, systems where a
contractor processes entrusted data), shared vendors with access granted under contracts or
not, covers lists, nulls and cycles; periods (unknown, open, to the month or the year),
disposals, and several grants of one organisation to one system at different periods."""
from __future__ import annotations

import random


def _month(rng: random.Random) -> tuple[int, int]:
    return rng.randint(2010, 2014), rng.randint(1, 12)


def _period(rng: random.Random, after: tuple[int, int] | None = None):
    """A period of a few months to a few years, written as people write them; None (unknown)
    now and then, an open end now and then."""
    if after is None and rng.random() < 0.2:
        return None
    start = _month(rng) if after is None else (after[0] + rng.randint(0, 1), rng.randint(1, 12))
    if after is not None and start <= after:
        start = (after[0] + 1, start[1])
    months = start[0] * 12 + start[1] - 1 + rng.randint(0, 30)
    end = (months // 12, months % 12 + 1)
    if rng.random() < 0.15:
        return {"start": f"{start[0]}-{start[1]:02d}", "end": None}
    if rng.random() < 0.3:
        return f"{start[0]}年{start[1]}月～{end[0]}年{end[1]}月"
    return f"{start[0]}-{start[1]:02d}/{end[0]}-{end[1]:02d}"


def _end(period) -> tuple[int, int] | None:
    if period is None:
        return None
    text = period["end"] if isinstance(period, dict) else period.replace("年", "-").replace("月", "").replace("～", "/").split("/")[1]
    if text is None:
        return None
    year, month = text.split("-")
    return int(year), int(month)


def _with_time(rng: random.Random, chain: dict) -> dict:
    """Periods and disposals on the entrustments, periods on the grants, and a second grant at a
    later period for some (organisation, system) pairs."""
    for e in chain["entrustments"]:
        e["period"] = _period(rng)
        end = _end(e["period"])
        if end is not None and rng.random() < 0.4:
            e["disposal"] = {"date": f"{end[0] + rng.randint(0, 2)}-{rng.randint(1, 12):02d}"}
            if (int(e["disposal"]["date"][:4]), int(e["disposal"]["date"][5:])) < end:
                e["disposal"]["date"] = f"{end[0]}-{end[1]:02d}"
    more = []
    for grant in chain["access"]:
        grant["period"] = _period(rng)
        end = _end(grant["period"])
        if end is not None and rng.random() < 0.3:
            more.append({**grant, "period": _period(rng, after=end)})
    chain["access"] = sorted(chain["access"] + more, key=lambda a: (a["organization"], a["system"]))
    return chain


def _with_places_and_data(rng: random.Random, chain: dict) -> dict:
    """Countries on some organisations and systems (Japan, the EEA, or elsewhere), and data
    categories on some entrustments (My Number among them)."""
    countries = ["JP", "JP", "DE", "US", "SG", "GB", "CN"]
    for org in chain["organizations"]:
        if rng.random() < 0.4:
            org["country"] = rng.choice(countries)
    for system in chain["systems"]:
        if rng.random() < 0.4:
            system["location"] = rng.choice(countries)
    for e in chain["entrustments"]:
        if rng.random() < 0.5:
            e["data"] = rng.sample(["sensitive", "my_number", "payment", "other"], rng.randint(0, 2))
    return chain


def random_chain(seed: int, n_orgs: int | None = None, time: bool = True) -> dict:
    rng = random.Random(seed)
    n = n_orgs or rng.randint(4, 18)
    orgs = [f"o{i}" for i in range(n)]
    systems = [f"s{i}" for i in range(rng.randint(0, 4))]
    tri = lambda: rng.choice([True, False, None])  # noqa: E731
    entrustments = []
    for i in range(rng.randint(n, 3 * n)):
        a, b = rng.sample(orgs, 2)
        consignors = sorted({e["consignor"] for e in entrustments} | {a})
        check = tri()
        entrustments.append({
            "id": f"e{i}", "consignor": a, "contractor": b,
            "personal_data": rng.choice([True, True, True, None, False]),
            "covers": "all" if rng.random() < 0.6 else rng.sample(consignors, rng.randint(0, min(3, len(consignors)))),
            "systems": rng.sample(systems, rng.randint(0, min(2, len(systems)))),
            "clauses": {k: tri() for k in ("transfer_safety", "storage_safety", "disposal_safety", "subcontract_restriction")},
            "supervision": {**{k: tri() for k in ("rules_confirmation", "written_reports", "onsite_inspection")},
                            "subcontract_check": check,
                            "subcontract_check_method": rng.choice(["written", "oral", None]) if check else None},
            "informed_subcontractors": None if rng.random() < 0.2 else rng.sample(orgs, rng.randint(0, 3)),
            "approved_subcontractors": None if rng.random() < 0.2 else rng.sample(orgs, rng.randint(0, 2)),
        })
    # covers may only name consignors
    all_consignors = {e["consignor"] for e in entrustments}
    for e in entrustments:
        if e["covers"] != "all":
            e["covers"] = [c for c in e["covers"] if c in all_consignors]
    access = []
    for org, system in sorted({(rng.choice(orgs), rng.choice(systems)) for _ in range(rng.randint(0, 5))}) if systems else []:
        grant = {"organization": org, "system": system, "kind": "maintenance"}
        # often granted under one of the organisation's own contracts: its consignor let it in
        under = [e["id"] for e in entrustments if e["contractor"] == org]
        if under and rng.random() < 0.5:
            grant["under"] = rng.choice(under)
        access.append(grant)
    chain = {
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": o, "name": f"組織{o}", "kind": rng.choice(["private", "local_government"])} for o in orgs],
        # an operator may keep its own personal data in a system: another route of its data
        "systems": [{"id": s, "name": f"システム{s}", "operator": rng.choice(orgs), "personal_data": tri()}
                    for s in systems],
        "entrustments": entrustments,
        "access": sorted(access, key=lambda a: (a["organization"], a["system"])),
    }
    if not time:
        return chain
    # drawn after everything else, from its own stream: a seed's chain is otherwise unchanged
    return _with_places_and_data(random.Random(seed + 10_000), _with_time(rng, chain))
