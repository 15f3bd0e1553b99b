#!/usr/bin/env python3
"""The Neo4j backend against the networkx backend at one size (docs/benchmarks.md, "Neo4j analysis
at 10^6 (issue 16)"). Each measurement runs in a fresh process on a dataset loaded beforehand, and
prints one JSON line: the seconds of each part, the process's peak resident size (taken before
the findings are digested), the findings and a digest of their identities (equal digests: the
same findings).

    python3 bench/neo4j_read.py load FILE DATASET            # chain load, timed (once)
    python3 bench/neo4j_read.py networkx FILE                # load_chain, then analyze(chain)
    python3 bench/neo4j_read.py neo4j FILE DATASET           # analyze(chain, Neo4jBackend(store, DATASET))
    python3 bench/neo4j_read.py dataset DATASET              # read_chain, then analyze: no file
    python3 bench/neo4j_read.py cypher FILE DATASET          # the Cypher rules (small sizes only)

The server is NEO4J_URI (bolt://127.0.0.1:7687 by default); NEO4J_TRANSACTION_TIMEOUT=0 lets the
Cypher rules run past 300 s.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import time


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def digest(analysis) -> str:
    h = hashlib.sha256()
    for identity in sorted(analysis.findings.identities()):
        h.update(repr(identity).encode("utf-8"))
    return h.hexdigest()[:16]


def store():
    from entrustment_chain.graph.neo4j.settings import Settings
    from entrustment_chain.graph.neo4j.store import Neo4jStore

    return Neo4jStore(Settings.resolve(uri=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")))


def main(mode: str, *args: str) -> dict:
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.neo4j.backend import Neo4jBackend

    out: dict = {"mode": mode}
    if mode == "dataset":
        with store() as s:
            backend = Neo4jBackend.of_dataset(s, args[0])
            t = time.perf_counter()
            chain = backend.chain()
            out["read_s"] = time.perf_counter() - t
            t = time.perf_counter()
            analysis = analyze(chain, backend)
            out["analyze_s"] = time.perf_counter() - t
            out["seconds"] = out["read_s"] + out["analyze_s"]
    else:
        t = time.perf_counter()
        chain = load_chain(args[0])
        out["load_file_s"] = time.perf_counter() - t
        if mode == "load":
            with store() as s:
                t = time.perf_counter()
                out.update(s.load(chain, args[1], batch_size=5000))
                out["seconds"] = time.perf_counter() - t
                out["peak_mb"] = peak_mb()
                return out
        t = time.perf_counter()
        if mode == "networkx":
            analysis = analyze(chain)
        else:
            with store() as s:
                rules = "cypher" if mode == "cypher" else "read"
                analysis = analyze(chain, Neo4jBackend(s, args[1], rules=rules))
        out["seconds"] = time.perf_counter() - t
    out["entrustments"] = len(chain.entrustments)
    out["peak_mb"] = peak_mb()
    out["findings"] = len(analysis.findings)
    out["digest"] = digest(analysis)
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])), flush=True)
