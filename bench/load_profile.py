#!/usr/bin/env python3
"""Where the time of a Neo4j load goes (docs/benchmarks.md, "End to end at 10^4–10^6 (issue 16)").
One process, on a server the bench started (BENCH_NEO4J_BOLT_PORT), its database emptied first:

    python3 bench/load_profile.py FILE [--profile OUT.prof] [--explain]

prints, as JSON lines:
  - reading the file (load_chain), the dataset version hash (schema.chain_version), and the
    load rows built alone (rows.section_lists for every section, nothing sent), each timed;
  - the load itself (Neo4jStore.load into a fresh dataset, as `chain load` runs it, default
    batch size), wall time, under cProfile when --profile is given (cProfile sees the main
    thread: building rows and waiting for the writer threads; the writers' own time is
    measured by wrapping Neo4jStore.write, per load statement: seconds spent in the call,
    summed over the writer threads, and rows);
  - with --explain (or --explain-only, on the dataset loaded before), PROFILE of one more batch
    of each relationship section into the loaded dataset, under keys of their own, rolled back:
    the server's operators, rows and db hits.
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import itertools
import json
import os
import pstats
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from run import URI, empty_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--profile")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--explain-only", action="store_true", help="PROFILE only, on the dataset loaded before")
    args = parser.parse_args()

    from entrustment_chain.graph import schema as S
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.neo4j.rows import section_lists
    from entrustment_chain.graph.neo4j.settings import Settings
    from entrustment_chain.graph.neo4j.store import Neo4jStore
    from entrustment_chain.graph.gcpause import gc_paused

    def say(**figures) -> None:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}), flush=True)

    t = time.perf_counter()
    chain = load_chain(args.file)
    say(what="load_chain", seconds=time.perf_counter() - t, entrustments=len(chain.entrustments))
    if args.explain_only:
        with Neo4jStore(Settings.resolve(uri=URI)) as store:
            explain(store, chain, args.batch_size, say)
        return 0
    t = time.perf_counter()
    S.chain_version(chain)
    say(what="chain_version", seconds=time.perf_counter() - t)
    with gc_paused():
        for name in S.LOAD_ORDER:
            t = time.perf_counter()
            rows = sum(1 for _ in section_lists(chain, name))
            say(what="rows built alone", section=name, rows=rows, seconds=time.perf_counter() - t)

    say(what="emptied database", seconds=empty_database())
    spent: dict[str, float] = collections.defaultdict(float)
    counted: dict[str, int] = collections.defaultdict(int)
    lock = threading.Lock()
    original = Neo4jStore.write

    def write(self, group, name, **params):
        t0 = time.perf_counter()
        try:
            return original(self, group, name, **params)
        finally:
            with lock:
                spent[name] += time.perf_counter() - t0
                counted[name] += len(params.get("rows") or ())

    Neo4jStore.write = write
    with Neo4jStore(Settings.resolve(uri=URI)) as store:
        profiler = cProfile.Profile() if args.profile else None
        t = time.perf_counter()
        if profiler:
            profiler.enable()
        result = store.load(chain, "profiled", batch_size=args.batch_size)
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - t
        counts = store.counts("profiled")
        rels = sum(v for k, v in counts.items() if k not in ("organizations", "systems"))
        say(what="store.load", seconds=wall, relationships=rels, relationships_per_s=rels / wall,
            written=result["written"], profiled=bool(profiler))
        for name in spent:
            say(what="writer time per statement", statement=name, seconds=spent[name], rows=counted[name],
                rows_per_s=counted[name] / spent[name] if spent[name] else None)
        if profiler:
            profiler.dump_stats(args.profile)
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(25)
            stats.sort_stats("tottime").print_stats(15)
        if args.explain:
            explain(store, chain, args.batch_size, say)
    return 0


def explain(store, chain, batch_size, say) -> None:
    """PROFILE one batch of each relationship section into a scratch dataset, rolled back."""
    from entrustment_chain.graph import schema as S
    from entrustment_chain.graph.neo4j import queries
    from entrustment_chain.graph.neo4j.cyphergen import load_name
    from entrustment_chain.graph.neo4j.rows import section_lists

    def walk(plan, depth=0):
        yield depth, plan
        for child in plan.get("children", []):
            yield from walk(child, depth + 1)

    with store._session(read=False) as session:
        for name in S.RELATIONSHIPS:
            # the dataset's own rows under keys of their own (its relationships hold the real keys)
            rows = [[f"{row[0]}#profiled", *row[1:]]
                    for row in itertools.islice(section_lists(chain, name), batch_size)]
            if not rows:
                continue
            query = queries.get("load", f"new_{load_name(name)}")
            tx = session.begin_transaction()
            try:
                t = time.perf_counter()
                summary = tx.run("PROFILE " + query.statements[-1], dataset="profiled", version="x",
                                 rows=rows).consume()
                seconds = time.perf_counter() - t
                plan = summary.profile
                say(what="PROFILE one batch", statement=f"new_{load_name(name)}", rows=len(rows), seconds=seconds,
                    operators=[{"depth": d, "op": p.get("operatorType"), "rows": p.get("rows"),
                                "db_hits": p.get("dbHits"), "ms": (p.get("time") or 0) / 1e6}
                               for d, p in walk(plan)])
            finally:
                tx.rollback()


if __name__ == "__main__":
    sys.exit(main())
