"""Seeded random chain files for the parity test: several levels, several routes per consignor
(entrustments to several contractors, own systems holding personal data, systems where a
contractor processes entrusted data), shared vendors with access granted under contracts or
not, covers lists, nulls and cycles."""
from __future__ import annotations

import random


def random_chain(seed: int, n_orgs: int | None = None) -> dict:
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
    return {
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": o, "name": f"組織{o}", "kind": rng.choice(["private", "local_government"])} for o in orgs],
        # an operator may keep its own personal data in a system: another route of its data
        "systems": [{"id": s, "name": f"システム{s}", "operator": rng.choice(orgs), "personal_data": tri()}
                    for s in systems],
        "entrustments": entrustments,
        "access": sorted(access, key=lambda a: (a["organization"], a["system"])),
    }
