"""Hypothesis strategies for chain files: small graphs with every feature the rules read."""
from __future__ import annotations

from hypothesis import strategies as st

TRI = st.sampled_from([True, False, None])


@st.composite
def chain_dicts(draw, max_orgs: int = 7, max_entrustments: int = 12):
    n = draw(st.integers(2, max_orgs))
    orgs = [f"o{i}" for i in range(n)]
    kinds = st.sampled_from(["private", "local_government", "public_agency"])
    systems = [f"s{i}" for i in range(draw(st.integers(0, 3)))]
    pairs = draw(st.lists(st.tuples(st.sampled_from(orgs), st.sampled_from(orgs)).filter(lambda p: p[0] != p[1]),
                          min_size=1, max_size=max_entrustments))
    consignors = sorted({a for a, _ in pairs})
    entrustments = []
    for i, (a, b) in enumerate(pairs):
        covers = draw(st.one_of(st.just("all"), st.lists(st.sampled_from(consignors), unique=True, max_size=3)))
        check = draw(TRI)
        entrustments.append({
            "id": f"e{i}", "consignor": a, "contractor": b,
            "personal_data": draw(st.sampled_from([True, True, None, False])),
            "covers": covers,
            "systems": draw(st.lists(st.sampled_from(systems), unique=True, max_size=2)) if systems else [],
            "clauses": {k: draw(TRI) for k in ("transfer_safety", "storage_safety", "disposal_safety",
                                                "subcontract_restriction")},
            "supervision": {**{k: draw(TRI) for k in ("rules_confirmation", "written_reports", "onsite_inspection")},
                            "subcontract_check": check,
                            "subcontract_check_method": draw(st.sampled_from(["written", "oral", None]))
                            if check else None},
            "informed_subcontractors": draw(st.one_of(st.none(), st.lists(st.sampled_from(orgs), unique=True, max_size=3))),
            "approved_subcontractors": draw(st.one_of(st.none(), st.lists(st.sampled_from(orgs), unique=True, max_size=2))),
        })
    operators = {s: draw(st.one_of(st.none(), st.sampled_from(orgs))) for s in systems}
    access = []
    seen = set()
    for org, system in draw(st.lists(st.tuples(st.sampled_from(orgs), st.sampled_from(systems)), max_size=4)) if systems else []:
        if (org, system) not in seen:
            seen.add((org, system))
            # sometimes granted under one of the organisation's own contracts (a consignor that
            # lets its contractor in), which judges it disclosed on that consignor's routes
            under = [e["id"] for e in entrustments if e["contractor"] == org]
            grant = {"organization": org, "system": system, "kind": "maintenance"}
            if under and draw(st.booleans()):
                grant["under"] = draw(st.sampled_from(under))
            access.append(grant)
    return {
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": o, "name": f"組織{o}", "kind": draw(kinds)} for o in orgs],
        # systems may have an operator whose own personal data they keep (an own-system route)
        "systems": [{"id": s, "name": f"システム{s}", "operator": operators[s],
                     "personal_data": draw(TRI) if operators[s] else None} for s in systems],
        "entrustments": entrustments,
        "access": access,
    }
