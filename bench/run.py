#!/usr/bin/env python3
"""Benchmarks of both backends at growing sizes; prints a Markdown table (and writes it with
--write). Run on demand, not in the default test run:

    python3 bench/run.py                                   # 10^3 … 10^6 entrustments
    python3 bench/run.py --sizes 10000 --check-parity      # the CI smoke run
    python3 bench/run.py --sizes 100000 --steps analyze,analyze-cli --json runs.json

Each measurement runs in a fresh process (so peak memory is that step's own), repeated and
reported as the median; the scaling exponent is log(t2/t1)/log(n2/n1) between adjacent sizes.
A step may be capped in memory (--memory-cap-gb): going over is reported, not hidden.
Neo4j runs on a private server started with scripts/neo4j-local (own ports and state).
The step analyze-cli is what a user runs: `chain analyze FILE --format json -o OUT`, the `chain`
of the same environment as this interpreter, as a child process (wall time, the child's peak
resident size, the size of its output).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ENTRUSTMENTS_PER_CONSIGNOR = 8.72  # what `chain generate` produces on average
BOLT = int(os.environ.get("BENCH_NEO4J_BOLT_PORT", 17887))
HTTP = int(os.environ.get("BENCH_NEO4J_HTTP_PORT", 17674))


# --------------------------------------------------------------------------------------------
# One step, in its own process

def step(name: str, path: str, cap_gb: float) -> dict:
    if cap_gb:
        cap = int(cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if name == "analyze-cli":
        return analyze_cli(path)
    from entrustment_chain.graph.io.loader import load_chain

    result: dict = {}
    t0 = time.perf_counter()
    chain = load_chain(path)
    result["load_s"] = time.perf_counter() - t0
    result["entrustments"] = len(chain.entrustments)
    if name == "analyze":
        from entrustment_chain.graph.analysis.engine import analyze

        t = time.perf_counter()
        analysis = analyze(chain)
        result["seconds"] = time.perf_counter() - t
        result["findings"] = len(analysis.findings)
    elif name in ("neo4j-load", "neo4j-analyze"):
        from entrustment_chain.graph.analysis.engine import analyze
        from entrustment_chain.graph.neo4j.backend import Neo4jBackend
        from entrustment_chain.graph.neo4j.rows import row_count
        from entrustment_chain.graph.neo4j.settings import Settings
        from entrustment_chain.graph.neo4j.store import Neo4jStore

        with Neo4jStore(Settings.resolve(uri=f"bolt://127.0.0.1:{BOLT}")) as store:
            if name == "neo4j-load":  # a user's first load of a dataset: a name never used
                dataset = f"bench-load-{os.getpid()}"
                store.ensure_schema()
                rels = row_count(chain) - len(chain.organizations) - len(chain.systems)
                t = time.perf_counter()
                store.load(chain, dataset, reuse=False, batch_size=5000)
                result["seconds"] = time.perf_counter() - t
                result["relationships_per_s"] = rels / result["seconds"]
                store.drop(dataset)
            else:
                store.load(chain, "bench")
                t = time.perf_counter()
                analysis = analyze(chain, Neo4jBackend(store, "bench"))  # loaded: the load is a no-op
                result["seconds"] = time.perf_counter() - t
                result["findings"] = len(analysis.findings)
                reference = analyze(chain)
                result["parity"] = (sorted(analysis.findings.identities())
                                    == sorted(reference.findings.identities()))
    else:
        result["seconds"] = result["load_s"]
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def analyze_cli(path: str) -> dict:
    """`chain analyze FILE --format json -o OUT` end to end in a child process (which inherits
    the memory cap): wall seconds, the child's peak resident size (this process has no other
    child), the output's size; the findings and counts per rule from the output's summary. The
    output is removed afterwards (at 10^6 it is several GB)."""
    chain = Path(sys.executable).parent / "chain"  # the environment's own entry point
    command = [str(chain)] if chain.exists() else [sys.executable, "-m", "entrustment_chain"]
    out = Path(path).with_name(Path(path).stem + f".cli-{os.getpid()}.json")
    t = time.perf_counter()
    proc = subprocess.run(command + ["analyze", path, "--format", "json", "-o", str(out)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    try:
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"chain analyze exited {proc.returncode}")
        size = out.stat().st_size
        summary = _summary(out)
    finally:
        out.unlink(missing_ok=True)
    return {"seconds": seconds, "peak_mb": peak_mb, "output_bytes": size, "findings": summary["findings"],
            "bytes_per_finding": size / summary["findings"] if summary["findings"] else 0,
            "by_rule": summary["by_rule"], "entrustments": _count_entrustments(path)}


def _summary(out: Path) -> dict:
    """The summary of a findings/v1 JSON file, read from its head (it comes before the findings)."""
    head = []
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith('  "findings": '):
                break
            head.append(line)
    return json.loads("".join(head).rstrip().rstrip(",") + "}")["summary"]


def _count_entrustments(path: str) -> int:
    """The entrustments of a JSON chain file, counted element by element (not timed)."""
    from entrustment_chain.graph.io.jsonstream import SECTIONS, _elements, _Text
    from entrustment_chain.graph.io.sourcemap import refuse_duplicates

    decoder = json.JSONDecoder(object_pairs_hook=refuse_duplicates)
    with open(path, "rb") as handle:
        text = _Text(handle)
        text.expect("{")
        while True:
            key = text.value(decoder)
            text.expect(":")
            if key == "entrustments" and text.peek() == "[":
                return sum(1 for _ in _elements(text, decoder))
            if key in SECTIONS and text.peek() == "[":
                for _ in _elements(text, decoder):
                    pass
            else:
                text.value(decoder)
            if not text.more("}"):
                return 0


def run_step(name: str, path: Path, cap_gb: float) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--step", name, str(path), "--memory-cap-gb", str(cap_gb)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": "over the memory cap" if "MemoryError" in proc.stderr else tail}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------

def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def neo4j(action: str) -> None:
    env = {**os.environ, "ENTRUSTMENT_CHAIN_STATE": str(OUT / "neo4j-state"),
           "NEO4J_HEAP": os.environ.get("BENCH_NEO4J_HEAP", "4g"),
           "NEO4J_PAGECACHE": os.environ.get("BENCH_NEO4J_PAGECACHE", "2g")}
    args = [str(ROOT / "scripts" / "neo4j-local"), action]
    if action == "start":
        args += ["--no-auth", "--bolt-port", str(BOLT), "--http-port", str(HTTP)]
    subprocess.run(args, env=env, check=action == "start", stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="entrustments, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs per step below 10^5 (1 at 10^6)")
    parser.add_argument("--steps", default="validate,analyze,neo4j-load,neo4j-analyze")
    parser.add_argument("--neo4j-max", type=int, default=100000, help="largest size the Cypher rules run on")
    parser.add_argument("--memory-cap-gb", type=float, default=12.0)
    parser.add_argument("--check-parity", action="store_true", help="exit 1 if the backends differ")
    parser.add_argument("--write", help="also write the report to this Markdown file")
    parser.add_argument("--out", default=str(OUT),
                        help="folder of the inputs chain-N.json (generated when missing) [bench/out]")
    parser.add_argument("--json", help="also write every run's figures (not only the medians) to this file")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step[0], args.step[1], args.memory_cap_gb)))
        return 0

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    steps = args.steps.split(",")
    results: dict[tuple[str, int], dict] = {}
    every_run: list[dict] = []
    use_neo4j = any(s.startswith("neo4j") for s in steps)
    if use_neo4j:
        neo4j("start")
    parity_failed = False
    try:
        for size in sizes:
            consignors = max(1, round(size / ENTRUSTMENTS_PER_CONSIGNOR))
            path = out_dir / f"chain-{size}.json"
            if not path.exists():
                subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", "generate", "--consignors",
                                str(consignors), "--seed", "1", "-o", str(path)], check=True,
                               stderr=subprocess.DEVNULL)
            repeats = args.repeats if size < 100000 else (2 if size < 1000000 else 1)
            for name in steps:
                if name == "neo4j-analyze" and size > args.neo4j_max:
                    continue
                runs = [run_step(name, path, args.memory_cap_gb) for _ in range(repeats)]
                every_run += [{"step": name, "size": size, **r} for r in runs]
                ok = [r for r in runs if "error" not in r]
                if not ok:
                    results[(name, size)] = runs[0]
                else:
                    merged = dict(ok[0])
                    merged["seconds"] = statistics.median(r["seconds"] for r in ok)
                    if "load_s" in merged:
                        merged["load_s"] = statistics.median(r["load_s"] for r in ok)
                    merged["peak_mb"] = max(r["peak_mb"] for r in ok)
                    merged["runs"] = len(ok)
                    results[(name, size)] = merged
                    if merged.get("parity") is False:
                        parity_failed = True
                print(f"  {name:<14} {size:>8}: {results[(name, size)]}", file=sys.stderr, flush=True)
    finally:
        if use_neo4j:
            neo4j("stop")
    report = render(results, sizes, steps, args)
    print(report)
    if args.write:
        Path(args.write).write_text(report, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "python": sys.executable,
                                               "runs": every_run}, indent=1), encoding="utf-8")
    if args.check_parity and parity_failed:
        print("the two backends differ", file=sys.stderr)
        return 1
    return 0


def render(results: dict, sizes: list[int], steps: list[str], args: argparse.Namespace) -> str:
    lines = [f"Machine: {machine()}", "",
             "| step | entrustments | median s | load s | runs | peak MB | rows/s | findings | exponent | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name in steps:
        previous = None
        for size in sizes:
            r = results.get((name, size))
            if r is None:
                continue
            if "error" in r:
                lines.append(f"| {name} | {size:,} | – | – | 0 | – | – | – | – | {r['error']} |")
                previous = None
                continue
            n = r["entrustments"]
            rate = r.get("relationships_per_s") or n / r["seconds"] if r["seconds"] else 0
            exponent = ""
            if previous:
                exponent = f"{math.log(r['seconds'] / previous[1]) / math.log(n / previous[0]):.2f}"
            note = ""
            if "parity" in r:
                note = "same findings as networkx" if r["parity"] else "DIFFERS from networkx"
            elif "output_bytes" in r:
                note = f"output {r['output_bytes'] / 1e6:,.0f} MB, {r['bytes_per_finding']:,.0f} B/finding"
            load = f"{r['load_s']:.2f}" if "load_s" in r and name != "validate" else ""
            lines.append(f"| {name} | {n:,} | {r['seconds']:.2f} | {load} | {r['runs']} | {r['peak_mb']:,.0f} | "
                         f"{rate:,.0f} | {r.get('findings', '')} | {exponent} | {note} |")
            previous = (n, r["seconds"])
    lines += ["", "validate: read and validate the JSON file; analyze: networkx analysis (after loading); "
              "neo4j-load: `Neo4jStore.load` (rows/s counts relationships); neo4j-analyze: every Cypher rule "
              "plus building the findings; analyze-cli: `chain analyze FILE --format json -o OUT` as a "
              "child process (load, analysis and writing). Peak MB is the step's own process (analyze-cli: "
              "the child's)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
