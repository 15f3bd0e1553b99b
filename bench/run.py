#!/usr/bin/env python3
"""Benchmarks of both backends at growing sizes, in the library and end to end (what a user
waits for); prints a Markdown table with the issue's targets beside it (and writes it with
--write). Run on demand, not in the default test run:

    python3 bench/run.py                                   # 10^3 … 10^6 entrustments, every step
    python3 bench/run.py --sizes 10000 --repeats 1 --steps analyze,neo4j-analyze --check-parity   # CI
    python3 bench/run.py --sizes 100000 --steps analyze,analyze-cli --json runs.json
    python3 bench/run.py --tree /tmp/before ...            # measure another checkout's library

Steps (each measurement a fresh process; the median of --repeats runs below 10^5, 2 at 10^5, 1
at 10^6; peak MB = maximum resident size, MiB):

  validate            load_chain (read and validate the JSON file), in the step's process
  analyze             networkx: load_chain, then analyze(chain) timed alone; peak of the process
  analyze-cli         `chain analyze FILE --format json -o OUT`      end to end, as a child process
  analyze-cli-md      `chain analyze FILE --format markdown -o OUT`  end to end
  analyze-cli-jsonl   `chain analyze FILE --format jsonl -o OUT`     end to end; skipped, with a note,
                      when `chain analyze --help` does not offer jsonl
  neo4j-load          `chain load FILE --dataset bench-<file>` end to end into a fresh dataset on an
                      emptied database (emptying not timed); relationships and nodes per second from
                      what the dataset holds afterwards, counted by a query (dataset_counts)
  neo4j-analyze       Neo4j: load_chain, then analyze(chain, Neo4jBackend(store, dataset)) timed: the
                      default rules="read" reads the dataset's flow relationships out of the database
                      and runs the networkx traversal and rules on them here (the dataset is loaded
                      first, untimed, when neo4j-load did not leave it; the load inside the analysis
                      is then a version check); ratio to `analyze` at the same size
  neo4j-analyze-cli   `chain analyze FILE --backend neo4j --dataset bench-<file> --format json -o OUT`
                      end to end; ratio to `analyze-cli`

For the CLI steps the step's process runs `chain` (of this interpreter's environment) and waits
for it with os.wait4: seconds are wall-clock from start to exit, peak MB is the `chain`
process's own ru_maxrss (from wait4's rusage; it starts no processes of its own), output bytes
the size of OUT (removed afterwards: at 10^6 it is gigabytes), findings from the output's
summary. The scaling exponent is log(t2/t1)/log(n2/n1) between adjacent sizes. A step may be
capped in memory (--memory-cap-gb, address space, inherited by `chain`): going over is
reported, not hidden.

Neo4j runs on a private server started with scripts/neo4j-local (own state, bench/out/neo4j-state,
and ports: BENCH_NEO4J_BOLT_PORT, BENCH_NEO4J_HTTP_PORT), sized by NEO4J_HEAP / NEO4J_PAGECACHE
(or BENCH_NEO4J_HEAP / BENCH_NEO4J_PAGECACHE; default 4g and 2g); a server already running
there is used as it is and left running.

--check-parity: the neo4j-analyze step digests its findings' identities and compares them with
the analyze step's at the same size (run for the digest when not among the steps); exit 1 when
they differ.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ENTRUSTMENTS_PER_CONSIGNOR = 8.72  # what `chain generate` produces on average
BOLT = int(os.environ.get("BENCH_NEO4J_BOLT_PORT", 17887))
HTTP = int(os.environ.get("BENCH_NEO4J_HTTP_PORT", 17674))
STATE = Path(os.environ.get("BENCH_NEO4J_STATE", OUT / "neo4j-state"))
HEAP = os.environ.get("BENCH_NEO4J_HEAP") or os.environ.get("NEO4J_HEAP") or "4g"
PAGECACHE = os.environ.get("BENCH_NEO4J_PAGECACHE") or os.environ.get("NEO4J_PAGECACHE") or "2g"
URI = f"bolt://127.0.0.1:{BOLT}"

STEPS = ("validate", "analyze", "analyze-cli", "analyze-cli-md", "analyze-cli-jsonl",
         "neo4j-load", "neo4j-analyze", "neo4j-analyze-cli")
CLI_FORMATS = {"analyze-cli": "json", "analyze-cli-md": "markdown", "analyze-cli-jsonl": "jsonl",
               "neo4j-analyze-cli": "json"}
SUFFIX = {"json": "json", "markdown": "md", "jsonl": "jsonl"}
# the targets at 10^6 entrustments
TARGET_CLI_S, TARGET_CLI_MB, TARGET_BYTES, TARGET_RATIO, TARGET_RELS = 90.0, 4000.0, 400.0, 3.0, 50000.0


def dataset_of(path: str) -> str:
    return f"bench-{Path(path).stem}"


def chain_command() -> list[str]:
    chain = Path(sys.executable).parent / "chain"  # the environment's own entry point
    return [str(chain)] if chain.exists() else [sys.executable, "-m", "entrustment_chain"]


def child_env() -> dict[str, str]:
    """What `chain` runs with: the bench server (no auth; its state, so that no other server's
    password file is read)."""
    return {**os.environ, "NEO4J_URI": URI, "ENTRUSTMENT_CHAIN_STATE": str(STATE)}


# --------------------------------------------------------------------------------------------
# One step, in its own process

def step(name: str, path: str, cap_gb: float, digest: bool) -> dict:
    if cap_gb:
        cap = int(cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import entrustment_chain

    library = {"library": str(Path(entrustment_chain.__file__).resolve().parent.parent)}
    if name in CLI_FORMATS:
        return {**analyze_cli(path, name), **library}
    if name == "neo4j-load":
        return {**neo4j_load(path), **library}
    from entrustment_chain.graph.io.loader import load_chain

    result: dict = {**library}
    t0 = time.perf_counter()
    chain = load_chain(path)
    result["load_s"] = time.perf_counter() - t0
    result["entrustments"] = len(chain.entrustments)
    analysis = None
    if name == "analyze":
        from entrustment_chain.graph.analysis.engine import analyze

        t = time.perf_counter()
        analysis = analyze(chain)
        result["seconds"] = time.perf_counter() - t
        result["findings"] = len(analysis.findings)
    elif name == "neo4j-analyze":
        from entrustment_chain.graph.analysis.engine import analyze
        from entrustment_chain.graph.neo4j.backend import Neo4jBackend
        from entrustment_chain.graph.neo4j.settings import Settings
        from entrustment_chain.graph.neo4j.store import Neo4jStore

        dataset = dataset_of(path)
        with Neo4jStore(Settings.resolve(uri=URI)) as store:
            loaded = store.load(chain, dataset)  # untimed; a no-op when neo4j-load left it
            result["loaded_first"] = not loaded["reused"]
            backend = Neo4jBackend(store, dataset)
            result["rules"] = backend.rules
            t = time.perf_counter()
            analysis = analyze(chain, backend)  # the load inside is a version check
            result["seconds"] = time.perf_counter() - t
            result["findings"] = len(analysis.findings)
    elif name == "validate":
        result["seconds"] = result["load_s"]
    else:
        raise SystemExit(f"unknown step {name}")
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if digest and analysis is not None:  # after the peak is taken
        h = hashlib.sha256()
        for identity in sorted(analysis.findings.identities()):
            h.update(repr(identity).encode("utf-8"))
        result["digest"] = h.hexdigest()[:16]
    return result


def run_chain(args: list[str]) -> dict:
    """`chain ARGS` as a child process: wall seconds, its own peak (os.wait4's rusage), exit code,
    standard error and output."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        proc = subprocess.Popen(chain_command() + args, stdout=out, stderr=err, env=child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        out.seek(0)
        return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "returncode": proc.returncode,
                "stderr": err.read().decode("utf-8", "replace"), "stdout": out.read().decode("utf-8", "replace")}


def formats() -> str:
    """What `chain analyze --help` says of --format."""
    proc = subprocess.run(chain_command() + ["analyze", "--help"], capture_output=True, text=True,
                          env=child_env())
    found = re.search(r"--format \[([^\]]*)\]", proc.stdout)
    return found[1] if found else ""


def analyze_cli(path: str, name: str) -> dict:
    """`chain analyze FILE --format F -o OUT` (with --backend neo4j for neo4j-analyze-cli) end to
    end; the output's size and findings; the output removed afterwards."""
    fmt = CLI_FORMATS[name]
    if fmt not in formats().split("|"):
        return {"skipped": f"not available in this version (`chain analyze --help` offers no {fmt})"}
    out = Path(path).with_name(Path(path).stem + f".{name}-{os.getpid()}.{SUFFIX[fmt]}")
    args = ["analyze", path, "--format", fmt, "-o", str(out)]
    if name == "neo4j-analyze-cli":
        args += ["--backend", "neo4j", "--dataset", dataset_of(path)]
    try:
        run = run_chain(args)
        if run["returncode"] not in (0, 1):  # 1: findings at --fail-on (not given here)
            sys.stderr.write(run["stderr"])
            if "MemoryError" in run["stderr"]:
                raise MemoryError
            raise SystemExit(f"chain analyze exited {run['returncode']}")
        size = out.stat().st_size
        summary = output_summary(out, fmt)
    finally:
        out.unlink(missing_ok=True)
    findings = summary.get("findings")
    result = {"seconds": run["seconds"], "peak_mb": run["peak_mb"], "output_bytes": size, "format": fmt,
              "findings": findings, "bytes_per_finding": size / findings if findings else None,
              "entrustments": count_entrustments(path)}
    if "by_rule" in summary:
        result["by_rule"] = summary["by_rule"]
    if "schema" in summary:
        result["schema"] = summary["schema"]
    return result


def output_summary(out: Path, fmt: str) -> dict:
    """The findings (and counts per rule, schema) an output states in its head: the summary of a
    findings JSON document (it comes before the findings), the first line of JSON Lines (or, when
    it has no summary, the lines that are findings), the 指摘 N 件 / N findings of Markdown."""
    with out.open("rb") as handle:
        head = handle.read(1 << 20).decode("utf-8", "replace")
    if fmt == "json":
        lines = []
        for line in head.splitlines(keepends=True):
            if line.startswith('  "findings": '):
                document = json.loads("".join(lines).rstrip().rstrip(",") + "}")
                return {**document.get("summary", {}), "schema": document.get("schema")}
            lines.append(line)
        found = re.search(r'"findings":\s*(\d+)', head)
        return {"findings": int(found[1])} if found else {}
    if fmt == "jsonl":
        first = json.loads(head.split("\n", 1)[0])
        summary = first.get("summary") if isinstance(first, dict) else None
        if isinstance(summary, dict) and isinstance(summary.get("findings"), int):
            return {**summary, "schema": first.get("schema")}
        count = 0  # no summary up front: the lines that are findings
        with out.open("rb") as handle:
            for line in handle:
                count += line.startswith(b'{"rule"') or b'"rule":' in line[:200]
        return {"findings": count, "schema": first.get("schema") if isinstance(first, dict) else None}
    found = re.search(r"指摘 ([\d,]+) 件", head) or re.search(r"([\d,]+) findings", head)
    return {"findings": int(found[1].replace(",", ""))} if found else {}


def count_entrustments(path: str) -> int:
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


def empty_database() -> float:
    """Remove everything from the bench server's database (the constraints stay); seconds."""
    import neo4j

    t = time.perf_counter()
    with neo4j.GraphDatabase.driver(URI, auth=None) as driver, driver.session(database="neo4j") as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 50000 ROWS").consume()
        left = session.run("MATCH (n) RETURN count(n) AS n").single()["n"]
    if left:
        raise SystemExit(f"the bench database still holds {left} nodes")
    return time.perf_counter() - t


def neo4j_load(path: str) -> dict:
    """`chain load FILE --dataset bench-<file>` end to end into an emptied database; what the
    dataset then holds, counted by a query. The dataset is left for neo4j-analyze."""
    from entrustment_chain.graph.neo4j.settings import Settings
    from entrustment_chain.graph.neo4j.store import Neo4jStore

    emptied = empty_database()
    dataset = dataset_of(path)
    run = run_chain(["load", path, "--dataset", dataset, "--no-progress"])
    if run["returncode"] != 0:
        sys.stderr.write(run["stderr"])
        if "MemoryError" in run["stderr"]:
            raise MemoryError
        raise SystemExit(f"chain load exited {run['returncode']}")
    with Neo4jStore(Settings.resolve(uri=URI)) as store:
        counts = store.counts(dataset)
    relationships = sum(v for k, v in counts.items() if k not in ("organizations", "systems"))
    nodes = counts["organizations"] + counts["systems"]
    return {"seconds": run["seconds"], "peak_mb": run["peak_mb"], "emptied_s": emptied, "counts": counts,
            "relationships": relationships, "nodes": nodes,
            "relationships_per_s": relationships / run["seconds"], "nodes_per_s": nodes / run["seconds"],
            "entrustments": count_entrustments(path), "said": run["stdout"].strip()[-300:]}


def run_step(name: str, path: Path, cap_gb: float, digest: bool, env: dict[str, str]) -> dict:
    command = [sys.executable, __file__, "--step", name, str(path), "--memory-cap-gb", str(cap_gb)]
    proc = subprocess.run(command + (["--digest"] if digest else []), capture_output=True, text=True, env=env)
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


def neo4j_sizing() -> str:
    """How the bench's server was started, from the line scripts/neo4j-local writes into its
    console log (the last start)."""
    try:
        text = (STATE / "neo4j" / "logs" / "console.log").read_text(errors="replace")
    except OSError:
        return f"heap {HEAP}, page cache {PAGECACHE}"
    starts = re.findall(r"--heap (\S+) --pagecache (\S+)", text)
    return f"heap {starts[-1][0]}, page cache {starts[-1][1]}" if starts else f"heap {HEAP}, page cache {PAGECACHE}"


def neo4j(action: str) -> bool:
    """start (True when this run started it) or stop the bench's server."""
    env = {**os.environ, "ENTRUSTMENT_CHAIN_STATE": str(STATE), "NEO4J_HEAP": HEAP, "NEO4J_PAGECACHE": PAGECACHE}
    script = str(ROOT / "scripts" / "neo4j-local")
    if action == "start":
        running = subprocess.run([script, "status"], env=env, capture_output=True).returncode == 0
        if running:
            print(f"Neo4j: using the server already running in {STATE} (its own sizing)", file=sys.stderr)
            return False
        subprocess.run([script, "start", "--no-auth", "--bolt-port", str(BOLT), "--http-port", str(HTTP)],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        return True
    subprocess.run([script, action], env=env, stdout=subprocess.DEVNULL)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--digest", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="entrustments, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs per step below 10^5 (2 at 10^5, 1 at 10^6)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of: {', '.join(STEPS)}")
    parser.add_argument("--neo4j-max", type=int, default=0,
                        help="largest size the neo4j steps run at (0: every size)")
    parser.add_argument("--memory-cap-gb", type=float, default=12.0)
    parser.add_argument("--check-parity", action="store_true", help="exit 1 if the backends differ")
    parser.add_argument("--write", help="also write the report to this Markdown file")
    parser.add_argument("--out", default=str(OUT),
                        help="folder of the inputs chain-N.json (generated when missing) [bench/out]")
    parser.add_argument("--json", help="also write every run's figures (not only the medians) to this file")
    parser.add_argument("--tree", help="measure the library of this checkout (a git worktree) instead of the "
                        "installed one: its folders are put first on PYTHONPATH for every step and `chain`")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step[0], args.step[1], args.memory_cap_gb, args.digest)))
        return 0

    env = dict(os.environ)
    if args.tree:
        env["PYTHONPATH"] = str(library_of(Path(args.tree))) + os.pathsep + env.get("PYTHONPATH", "")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    steps = args.steps.split(",")
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        parser.error(f"unknown steps: {', '.join(unknown)} (known: {', '.join(STEPS)})")
    results: dict[tuple[str, int], dict] = {}
    every_run: list[dict] = []
    use_neo4j = any(s.startswith("neo4j") for s in steps)
    started = neo4j("start") if use_neo4j else False
    parity_failed = False
    begun = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        for size in sizes:
            consignors = max(1, round(size / ENTRUSTMENTS_PER_CONSIGNOR))
            path = out_dir / f"chain-{size}.json"
            if not path.exists():
                subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", "generate", "--consignors",
                                str(consignors), "--seed", "1", "-o", str(path)], check=True,
                               stderr=subprocess.DEVNULL, env=env)
            repeats = args.repeats if size < 100000 else (2 if size < 1000000 else 1)
            todo = list(steps)
            if args.check_parity and "neo4j-analyze" in todo and "analyze" not in todo:
                todo.insert(0, "analyze")  # for the digest only
            for name in todo:
                if name.startswith("neo4j") and args.neo4j_max and size > args.neo4j_max:
                    continue
                digest = args.check_parity and name in ("analyze", "neo4j-analyze")
                runs = []
                for _ in range(repeats):
                    runs.append(run_step(name, path, args.memory_cap_gb, digest, env))
                    if "skipped" in runs[-1]:
                        break
                every_run += [{"step": name, "size": size, **r} for r in runs]
                results[(name, size)] = merge(runs)
                print(f"  {name:<17} {size:>8}: {brief(results[(name, size)])}", file=sys.stderr, flush=True)
            if args.check_parity and (("neo4j-analyze", size) in results):
                mine, theirs = results[("neo4j-analyze", size)], results.get(("analyze", size), {})
                if "digest" in mine and "digest" in theirs:
                    mine["parity"] = mine["digest"] == theirs["digest"]
                    parity_failed |= not mine["parity"]
                else:
                    parity_failed = True
                    mine["parity"] = False
    finally:
        if started:
            neo4j("stop")
    report = render(results, sizes, steps, args, begun)
    print(report)
    if args.write:
        Path(args.write).write_text(report, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "python": sys.executable, "begun": begun,
                                               "tree": args.tree, "neo4j": neo4j_sizing() if use_neo4j else None,
                                               "runs": every_run}, indent=1), encoding="utf-8")
    if args.check_parity and parity_failed:
        print("the two backends differ", file=sys.stderr)
        return 1
    return 0


def library_of(tree: Path) -> Path:
    """A folder with `entrustment_chain` laid out as installed, linked to ``tree``'s folders (the
    package's layout is pyproject.toml's package-dir)."""
    tree = tree.resolve()
    lib = OUT / f"lib-{hashlib.sha256(str(tree).encode()).hexdigest()[:8]}"
    package = lib / "entrustment_chain"
    package.mkdir(parents=True, exist_ok=True)
    for item in (tree / "entrustment_chain").iterdir():
        link = package / item.name
        if not link.exists():
            link.symlink_to(item)
    for sub in ("graph", "cli", "cypher", "service"):
        link = package / sub
        if not link.exists():
            link.symlink_to(tree / sub)
    return lib


def merge(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r and "skipped" not in r]
    if not ok:
        return runs[0]
    merged = dict(ok[0])
    merged["seconds"] = statistics.median(r["seconds"] for r in ok)
    merged["every_s"] = [round(r["seconds"], 2) for r in ok]
    for key in ("load_s",):
        if key in merged:
            merged[key] = statistics.median(r[key] for r in ok)
    if "relationships" in merged:  # the same counts every run: the rates of the median time
        merged["relationships_per_s"] = merged["relationships"] / merged["seconds"]
        merged["nodes_per_s"] = merged["nodes"] / merged["seconds"]
    merged["peak_mb"] = max(r["peak_mb"] for r in ok)
    merged["runs"] = len(ok)
    digests = {r.get("digest") for r in ok}
    if len(digests) > 1:
        merged["digest"] = "runs differ"
    return merged


def brief(r: dict) -> str:
    return json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()
                       if k not in ("by_rule", "said", "library")})


def render(results: dict, sizes: list[int], steps: list[str], args: argparse.Namespace, begun: str) -> str:
    shown = [s for s in STEPS if s in steps]
    lines = [f"Machine: {machine()}; begun {begun}.",
             f"Neo4j: scripts/neo4j-local, {neo4j_sizing()}, bolt port {BOLT} "
             f"(the client and the server share the machine's cores)." if any(s.startswith("neo4j") for s in shown)
             else "",
             "",
             "| step | entrustments | median s | runs | peak MB | findings | output MB | bytes/finding | "
             "rel/s | nodes/s | × networkx | exponent | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name in shown:
        previous = None
        for size in sizes:
            r = results.get((name, size))
            if r is None:
                continue
            if "error" in r or "skipped" in r:
                lines.append(f"| {name} | {size:,} | – | 0 | – | – | – | – | – | – | – | – | "
                             f"{r.get('error') or r.get('skipped')} |")
                previous = None
                continue
            n = r["entrustments"]
            exponent = ""
            if previous:
                exponent = f"{math.log(r['seconds'] / previous[1]) / math.log(n / previous[0]):.2f}"
            ratio = ""
            base = {"neo4j-analyze": "analyze", "neo4j-analyze-cli": "analyze-cli"}.get(name)
            other = results.get((base, size)) if base else None
            if other and "seconds" in other:
                ratio = f"{r['seconds'] / other['seconds']:.2f}"
            notes = []
            if "load_s" in r and name != "validate":
                notes.append(f"file read {r['load_s']:.1f} s")
            if "parity" in r:
                notes.append("same findings as networkx" if r["parity"] else "DIFFERS from networkx")
            if r.get("loaded_first"):
                notes.append("dataset loaded first (untimed)")
            if "schema" in r and r["schema"]:
                notes.append(str(r["schema"]).rsplit("/", 2)[-2] + "/" + str(r["schema"]).rsplit("/", 1)[-1])
            if "relationships" in r:
                notes.append(f"{r['relationships']:,} rels, {r['nodes']:,} nodes counted")
            if name == "neo4j-analyze-cli" and ("analyze-cli", size) in results:
                same = results[("analyze-cli", size)].get("by_rule")
                if same and r.get("by_rule"):
                    notes.append("same counts per rule as analyze-cli" if same == r["by_rule"]
                                 else "counts per rule DIFFER from analyze-cli")
            findings = r.get("findings")
            out_mb = f"{r['output_bytes'] / 1e6:,.1f}" if "output_bytes" in r else ""
            per = f"{r['bytes_per_finding']:,.0f}" if r.get("bytes_per_finding") else ""
            rels = f"{r['relationships_per_s']:,.0f}" if "relationships_per_s" in r else ""
            nodes = f"{r['nodes_per_s']:,.0f}" if "nodes_per_s" in r else ""
            lines.append(f"| {name} | {n:,} | {r['seconds']:.2f} | {r['runs']} | {r['peak_mb']:,.0f} | "
                         f"{'' if findings is None else f'{findings:,}'} | {out_mb} | {per} | {rels} | {nodes} | "
                         f"{ratio} | {exponent} | {'; '.join(notes)} |")
            previous = (n, r["seconds"])
    lines += ["", targets(results, sizes), "",
              "validate: read and validate the JSON file. analyze: networkx analysis, `analyze()` alone after "
              "load_chain (peak includes the load). analyze-cli, -md, -jsonl: `chain analyze FILE --format "
              "json|markdown|jsonl -o OUT` end to end (load, analysis, writing). neo4j-load: `chain load FILE "
              "--dataset D` end to end into an emptied database; rel/s and nodes/s from what the dataset holds "
              "afterwards, counted by a query. neo4j-analyze: `analyze(chain, Neo4jBackend(store, D))`, the "
              "default rules=\"read\": the flow relationships read out of the dataset, the networkx traversal "
              "and rules run on them in the client. neo4j-analyze-cli: `chain analyze FILE --backend neo4j "
              "--dataset D --format json -o OUT` end to end. Peak MB: the step's own process (MiB), for the "
              "CLI steps the `chain` process's own (os.wait4). × networkx: neo4j-analyze over analyze, "
              "neo4j-analyze-cli over analyze-cli, at the same size. Output MB = 10^6 bytes."]
    return "\n".join(lines) + "\n"


def targets(results: dict, sizes: list[int]) -> str:
    """The issue's targets at 10^6, measured at the largest size run (said when that is not 10^6)."""
    size = max(sizes)
    where = "" if size >= 1000000 else f" (measured at {size:,}, not 10^6: not judged)"

    def get(name: str) -> dict | None:
        r = results.get((name, size))
        return r if r and "seconds" in r else None

    def mark(ok: bool) -> str:
        return ("**met**" if ok else "**not met**") if not where else "–"

    rows = [f"Targets at 10^6 entrustments{where}:", "", "| target | measured | |", "|---|---|---|"]
    cli = get("analyze-cli")
    if cli:
        rows.append(f"| networkx end to end (analyze-cli, json) ≤ {TARGET_CLI_S:.0f} s | {cli['seconds']:,.1f} s "
                    f"({cli['seconds'] / TARGET_CLI_S:.2f}× the target) | {mark(cli['seconds'] <= TARGET_CLI_S)} |")
        rows.append(f"| networkx end to end (analyze-cli, json) ≤ 4 GB | {cli['peak_mb']:,.0f} MB "
                    f"({cli['peak_mb'] / TARGET_CLI_MB:.2f}×) | {mark(cli['peak_mb'] <= TARGET_CLI_MB)} |")
        if cli.get("bytes_per_finding"):
            rows.append(f"| JSON ≤ {TARGET_BYTES:.0f} bytes per finding | {cli['bytes_per_finding']:,.0f} bytes "
                        f"({cli['bytes_per_finding'] / TARGET_BYTES:.2f}×) | "
                        f"{mark(cli['bytes_per_finding'] <= TARGET_BYTES)} |")
    else:
        rows.append("| networkx end to end ≤ 90 s, ≤ 4 GB; JSON ≤ 400 bytes per finding | not run | |")
    jsonl = get("analyze-cli-jsonl")
    if jsonl and jsonl.get("bytes_per_finding"):
        rows.append(f"| (JSON Lines, beside it) | {jsonl['bytes_per_finding']:,.0f} bytes per finding, "
                    f"{jsonl['seconds']:,.1f} s, {jsonl['peak_mb']:,.0f} MB | |")
    nx, n4 = get("analyze"), get("neo4j-analyze")
    if nx and n4:
        ratio = n4["seconds"] / nx["seconds"]
        rows.append(f"| Neo4j analysis ≤ {TARGET_RATIO:.0f}× networkx | {ratio:.2f}× ({n4['seconds']:,.1f} s against "
                    f"{nx['seconds']:,.1f} s) | {mark(ratio <= TARGET_RATIO)} |")
    else:
        rows.append("| Neo4j analysis ≤ 3× networkx | not run (needs analyze and neo4j-analyze) | |")
    load = get("neo4j-load")
    if load:
        rate = load["relationships_per_s"]
        rows.append(f"| Neo4j load ≥ {TARGET_RELS:,.0f} relationships/s | {rate:,.0f}/s "
                    f"({load['relationships']:,} in {load['seconds']:,.1f} s; {rate / TARGET_RELS:.2f}× the target) | "
                    f"{mark(rate >= TARGET_RELS)} |")
    else:
        rows.append("| Neo4j load ≥ 50,000 relationships/s | not run | |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
