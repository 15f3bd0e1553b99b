"""Synthetic chain files for benchmarks and scale tests, deterministic by seed.

The shape (per N consignors, at the default):
- N consignors: 60 % businesses, 35 % local governments, 5 % public agencies;
- N/10 contractors (at least 5), each operating one or two systems; every consignor entrusts
  work to 9 of them on average (so ~9 N entrustments from consignors), naming one of the
  contractor's systems;
- re-entrustment: each contractor passes work to one to three of N/50 subcontractors (at least
  3), and subcontractors on again, to depth 5, covering everyone's data or a few consignors';
- a handful of shared maintenance vendors (3 + N/20000); about a tenth of the contractors hire
  one of them, under a contract marked as not handling personal data, and give it maintenance
  access to their first system (so access grows with the contractors, linearly in N: every
  grant exposes the ~90 consignors whose data is in that system);
- disclosure: half the consignors were told of their contractor's subcontractors, a fifth also
  approved them, a tenth have no record (null); about 10 % of every answer is null;
- time: every entrustment and grant has a period, written as people write them (wareki, ISO,
  fiscal years, open ends): a consignor's contract runs three months to five years from 2010–2023,
  a sixth of them still running, and a quarter of the ended ones have a disposal recorded;
  re-entrustments and maintenance contracts run longer, often open; a grant runs as the
  contract it is under.
About 10 entrustments per consignor in all.
"""
from __future__ import annotations

import json
import random
from typing import IO, Any, Iterator

import yaml

KINDS = (("private", 0.60), ("local_government", 0.35), ("public_agency", 0.05))


def _tri(rng: random.Random, p_true: float) -> bool | None:
    x = rng.random()
    if x < 0.10:
        return None
    return x < 0.10 + 0.90 * p_true


_ERAS = ((2019, "令和"), (1989, "平成"))


def _written(year: int, month: int, style: int) -> str:
    """A month as people write it, in one of three styles: ISO, wareki, office abbreviation."""
    if style == 0:
        return f"{year}-{month:02d}"
    first, era = next((y, e) for y, e in _ERAS if year > y or (year == y and (e == "平成" or month >= 5)))
    n = year - first + 1
    if style == 1:
        return f"{era}{'元' if n == 1 else n}年{month}月"
    return f"{'R' if era == '令和' else 'H'}{n}.{month}"


def _period(t: random.Random, year: int, month: int, months: tuple[int, int], p_open: float) -> tuple[str, tuple | None]:
    """A period from year-month lasting ``months`` (a range), open with ``p_open``; and its end."""
    style = t.randrange(3)
    start = _written(year, month, style)
    if t.random() < p_open:
        return (f"{start}～{'現在' if t.random() < 0.5 else ''}"), None
    last = year * 12 + month - 1 + t.randint(*months)
    end = (last // 12, last % 12 + 1)
    return f"{start}～{_written(*end, style)}", end


def _disposal(t: random.Random, end: tuple | None) -> dict | None:
    if end is None or t.random() >= 0.25:
        return None
    last = end[0] * 12 + end[1] - 1 + t.randint(0, 6)
    return {"date": f"{last // 12}-{last % 12 + 1:02d}"}


def generate(consignors: int, seed: int = 0) -> dict[str, Any]:
    """A whole chain file as a dict (see :func:`stream_json` for large files)."""
    sections: dict[str, list] = {"organizations": [], "systems": [], "entrustments": [], "access": []}
    for section, item in _items(consignors, seed):
        sections[section].append(item)
    return {"schema": "entrustment-chain/v1", "title": f"generated: {consignors} consignors, seed {seed}",
            **sections}


def _items(n: int, seed: int) -> Iterator[tuple[str, dict]]:
    rng = random.Random(seed)
    t = random.Random(seed * 7919 + 1)  # time has its own stream: the shape is as it always was
    n_contractors = max(5, n // 10)
    n_subs = max(3, n // 50)
    n_vendors = 3 + n // 20000
    consignors = [f"c{i:06d}" for i in range(n)]
    contractors = [f"k{i:05d}" for i in range(n_contractors)]
    subs = [f"s{i:05d}" for i in range(n_subs)]
    vendors = [f"m{i:03d}" for i in range(n_vendors)]
    for cid in consignors:
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        yield "organizations", {"id": cid, "name": f"委託元{cid[1:]}", "kind": kind}
    for org in contractors + subs + vendors:
        yield "organizations", {"id": org, "name": f"事業者{org}", "kind": "private"}
    systems: dict[str, list[str]] = {}
    for k in contractors:
        systems[k] = [f"{k}-sys{j}" for j in range(rng.randint(1, 2))]
        for sid in systems[k]:
            yield "systems", {"id": sid, "name": f"{k}のシステム{sid[-1]}", "operator": k}
    by_contractor: dict[str, list[str]] = {k: [] for k in contractors}
    told_of: dict[str, list[str]] = {}
    # subcontracting tree first, so consignors can be told of their contractor's subcontractors
    sub_edges: list[tuple[str, str, int]] = []
    for k in contractors:
        for s in rng.sample(subs, rng.randint(1, min(3, len(subs)))):
            sub_edges.append((k, s, 1))
    frontier = [(s, d) for _, s, d in sub_edges]
    seen = set()
    while frontier:
        s, depth = frontier.pop()
        if depth >= 5 or s in seen:
            continue
        seen.add(s)
        if rng.random() < 0.5:
            nxt = rng.choice(subs)
            if nxt != s:
                sub_edges.append((s, nxt, depth + 1))
                frontier.append((nxt, depth + 1))
    for k, s, _ in sub_edges:
        if k in by_contractor:
            told_of.setdefault(k, []).append(s)
    e_index = 0
    for cid in consignors:
        for k in rng.sample(contractors, min(len(contractors), max(1, int(rng.gauss(9, 2))))):
            by_contractor[k].append(cid)
            disclosure = rng.random()
            subs_of_k = sorted(set(told_of.get(k, [])))
            informed = None if disclosure < 0.10 else (subs_of_k if disclosure < 0.60 else [])
            approved = None if disclosure < 0.10 else (subs_of_k if disclosure < 0.30 else [])
            check = _tri(rng, 0.45)
            period, end = _period(t, 2000 + rng.randint(10, 23), rng.randint(1, 12), (2, 59), 1 / 6)
            disposal = _disposal(t, end)
            yield "entrustments", {
                "id": f"e{e_index:07d}", "consignor": cid, "contractor": k,
                "work": "コールセンター業務", "personal_data": True,
                "period": period, **({"disposal": disposal} if disposal else {}),
                "data_subjects": {"count": rng.randint(100, 300000), "approximate": True},
                "systems": [rng.choice(systems[k])],
                "clauses": {"transfer_safety": _tri(rng, 0.82), "storage_safety": _tri(rng, 0.88),
                            "disposal_safety": _tri(rng, 0.85), "subcontract_restriction": _tri(rng, 0.97)},
                "supervision": {"rules_confirmation": _tri(rng, 0.55), "written_reports": _tri(rng, 0.59),
                                "onsite_inspection": _tri(rng, 0.39), "subcontract_check": check,
                                "subcontract_check_method": (rng.choice(["written", "oral"]) if check else None)},
                "informed_subcontractors": informed, "approved_subcontractors": approved,
            }
            e_index += 1
    for source, target, _ in sub_edges:
        base = by_contractor.get(source) or []
        covers: Any = "all"
        if base and rng.random() < 0.2:
            covers = sorted(rng.sample(base, min(len(base), rng.randint(1, 5))))
        if source not in by_contractor and rng.random() < 0.2:
            covers = "all"
        period, _ = _period(t, t.randint(2008, 2016), t.randint(1, 12), (24, 120), 0.5)
        yield "entrustments", {"id": f"e{e_index:07d}", "consignor": source, "contractor": target,
                               "work": "データ入力", "personal_data": rng.random() > 0.05, "covers": covers,
                               "period": period}
        e_index += 1
    for k in sorted(rng.sample(contractors, max(1, len(contractors) // 10))):
        v = rng.choice(vendors)
        eid = f"e{e_index:07d}"
        e_index += 1
        period, _ = _period(t, t.randint(2010, 2020), t.randint(1, 12), (24, 120), 0.5)
        yield "entrustments", {"id": eid, "consignor": k, "contractor": v, "work": "システム保守運用",
                               "personal_data": False, "period": period}
        yield "access", {"organization": v, "system": systems[k][0], "kind": "maintenance", "under": eid,
                         "period": period}


def stream_json(consignors: int, seed: int, out: IO[str]) -> int:
    """Write a chain file as JSON without holding it in memory; returns the entrustment count."""
    out.write('{"schema": "entrustment-chain/v1", "title": ' +
              json.dumps(f"generated: {consignors} consignors, seed {seed}", ensure_ascii=False))
    current = None
    count = 0
    buffered: dict[str, list[str]] = {"systems": [], "access": []}
    for section, item in _items(consignors, seed):
        if section in buffered:  # few of these; written after the entrustments
            buffered[section].append(json.dumps(item, ensure_ascii=False))
            continue
        if section != current:
            out.write("]" if current else "")
            out.write(f', "{section}": [')
            current = section
        else:
            out.write(",")
        out.write("\n" + json.dumps(item, ensure_ascii=False))
        count += section == "entrustments"
    out.write("]")
    for section, items in buffered.items():
        out.write(f', "{section}": [' + ",\n".join(items) + "]")
    out.write("}\n")
    return count


class _NoAliasDumper(yaml.SafeDumper):
    """Chain files refuse anchors and aliases, so never write them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: dict, out: IO[str]) -> None:
    yaml.dump(data, out, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=120)
