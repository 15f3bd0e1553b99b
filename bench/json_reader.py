#!/usr/bin/env python3
"""The streamed JSON chain reader (graph/io/jsonstream.py) against one built on ijson's C backend
(yajl2_c), on generated chain files; prints a Markdown table of medians and ratios (issue 10).

    python3 bench/json_reader.py                          # 10^5 and 10^6 entrustments
    python3 bench/json_reader.py --consignors 10000 --repeats 5

Each measurement runs in a fresh process (peak RSS, ru_maxrss, is that read's own); the readers
take turns, the first one alternating from round to round, so drift on a shared machine falls on
both. Before timing, both readers read each file in one process and must give equal chains.

The ijson reader makes the checks the current one makes, with the same code where it can:
every element validated with the same models by ``jsonstream._validated`` (which also refuses a
reference field that validation would change), the file's top level validated as a shell, the
reference checks of model/references.py on the same element views, duplicate keys refused,
and Fallback at the first problem. What yajl does differently from json.loads is handled
here: a BOM is skipped, non-integers are read as floats (use_float), a duplicate key is caught
while the object is built (map_type), and a lone high-surrogate escape, which yajl turns into
'?' where json.loads keeps it, falls back. ijson.items takes one prefix, so the file is read in
passes: one for the top level (keys in order, duplicates, the values that are not sections)
and one per section present.

Informative rows (--parts): each reader's parsing alone, without validation.
Generated files go to bench/out/ (git-ignored).
"""
from __future__ import annotations

import argparse
import codecs
import itertools
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import run as run_py  # bench/run.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
READERS = ("current", "ijson")
PARTS = ("current-parse-only", "ijson-parse-only")


# --------------------------------------------------------------------------------------------
# The ijson reader (a candidate, kept here; the library's reader is graph/io/jsonstream.py)

# "\uD800"-"\uDBFF" not followed by "\uDC00"-"\uDFFF": yajl makes it '?', json.loads keeps it.
# (A lone low surrogate makes ijson raise, which falls back already.)
LONE_HIGH = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])")


class _Scanned:
    """The binary stream, read on for ijson, watching for lone high-surrogate escapes."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.tail = b""
        self.lone = False

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        window = self.tail + data
        if LONE_HIGH.search(window):  # one split at the end of a read: a false alarm, safe
            self.lone = True
        self.tail = window[-11:]
        return data


class _NoDuplicates(dict):
    """The mapping ijson builds: a repeated key is refused, as the whole-file read does."""

    __slots__ = ()

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            raise KeyError(key)  # ijson's C builder reports it as SystemError; both fall back
        dict.__setitem__(self, key, value)


def read_valid_chain_ijson(handle: IO[bytes]):
    """As ``jsonstream.read_valid_chain``, parsed by ijson. ``handle`` must be seekable."""
    import ijson

    from entrustment_chain.graph.io.jsonstream import SECTIONS, Fallback, _validated, assemble

    start = 3 if handle.read(3) == codecs.BOM_UTF8 else 0
    head: dict[str, Any] = {}
    found: list[str] = []
    try:
        # the top level: its keys in order and the values that are not sections. Elements of a
        # section are built into one shared, reused dict, so this pass keeps no element.
        handle.seek(start)
        scanned = _Scanned(handle)
        shared = itertools.repeat({}).__next__
        for key, value in ijson.kvitems(scanned, "", use_float=True, map_type=shared):
            if key in head or key in found:
                raise Fallback("duplicate key")
            if key in SECTIONS and isinstance(value, list):
                found.append(key)
            else:
                head[key] = value
        if scanned.lone:
            raise Fallback("a lone surrogate escape")
        sections = {}
        for key in found:
            handle.seek(start)
            items = ijson.items(handle, f"{key}.item", use_float=True, map_type=_NoDuplicates)
            sections[key] = _validated(key, items)
    except Fallback:
        raise
    except Exception as exc:  # syntax, encoding, a duplicate key inside an element, ...
        raise Fallback(f"ijson: {type(exc).__name__}") from None
    return assemble(head, sections)


def load_chain_ijson(path: str):
    """``loader.load_chain`` for a valid JSON file, with the ijson reader (GC paused alike)."""
    from entrustment_chain.graph.gcpause import gc_paused

    with gc_paused(), open(path, "rb") as handle:
        return read_valid_chain_ijson(handle)


def _parse_only_ijson(path: str) -> int:
    import ijson

    count = 0
    with open(path, "rb") as handle:
        found = [k for k, v in ijson.kvitems(handle, "", use_float=True,
                                             map_type=itertools.repeat({}).__next__)
                 if isinstance(v, list)]
        for key in found:
            handle.seek(0)
            for _ in ijson.items(handle, f"{key}.item", use_float=True, map_type=_NoDuplicates):
                count += 1
    return count


def _parse_only_current(path: str) -> int:
    import json as _json

    from entrustment_chain.graph.io.jsonstream import SECTIONS, _elements, _Text
    from entrustment_chain.graph.io.sourcemap import refuse_duplicates

    count = 0
    with open(path, "rb") as handle:
        text = _Text(handle)
        decoder = _json.JSONDecoder(object_pairs_hook=refuse_duplicates)
        text.expect("{")
        while True:
            key = text.value(decoder)
            text.expect(":")
            if key in SECTIONS and text.peek() == "[":
                count += sum(1 for _ in _elements(text, decoder))
            else:
                text.value(decoder)
            if not text.more("}"):
                break
    return count


# --------------------------------------------------------------------------------------------
# One measurement, in its own process

def measure(reader: str, path: str) -> dict:
    import ijson  # noqa: F401 - every import before the clock starts, for every reader

    import entrustment_chain.graph.model.references  # noqa: F401
    from entrustment_chain.graph.gcpause import gc_paused
    from entrustment_chain.graph.io.loader import load_chain

    t0 = time.perf_counter()
    if reader == "current":
        count = len(load_chain(path).entrustments)
    elif reader == "ijson":
        count = len(load_chain_ijson(path).entrustments)
    elif reader == "current-parse-only":
        with gc_paused():
            count = _parse_only_current(path)
    elif reader == "ijson-parse-only":
        with gc_paused():
            count = _parse_only_ijson(path)
    else:
        raise SystemExit(f"unknown reader {reader}")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "count": count}


def compare(path: str) -> dict:
    """Both readers on one file, in one process: equal chains? (and the ijson reader must not
    have fallen back: it is called directly, so a Fallback would raise here)."""
    import ijson

    from entrustment_chain.graph.io.jsonstream import Fallback, read_valid_chain
    from entrustment_chain.graph.io.loader import load_chain

    with open(path, "rb") as handle:  # the current reader itself must not fall back either
        try:
            read_valid_chain(handle)
        except Fallback as exc:
            return {"equal": False, "why": f"current reader fell back: {exc}"}
    current = load_chain(path)
    other = load_chain_ijson(path)
    return {"equal": current == other, "entrustments": len(current.entrustments),
            "organizations": len(current.organizations), "systems": len(current.systems),
            "access": len(current.access), "backend": ijson.backend}


def run(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{args}: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------

def machine() -> str:
    import ijson

    return f"{run_py.machine()}, ijson {ijson.__version__} ({ijson.backend})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measure", nargs=2, metavar=("READER", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--compare", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--consignors", default="10000,100000",
                        help="generated files, comma-separated (about 8.7 entrustments per consignor)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per reader below 10^6 entrustments")
    parser.add_argument("--repeats-large", type=int, default=2, help="runs per reader at 10^6")
    parser.add_argument("--no-parts", action="store_true", help="skip the parse-only rows")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return 0
    if args.compare:
        print(json.dumps(compare(args.compare)))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    readers = READERS + (() if args.no_parts else PARTS)
    rows = []
    for consignors in (int(c) for c in args.consignors.split(",")):
        path = OUT / f"json-reader-{consignors}.json"
        if not path.exists():
            subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", "generate", "--consignors",
                            str(consignors), "--seed", "1", "-o", str(path)], check=True,
                           stderr=subprocess.DEVNULL)
        same = run(["--compare", str(path)])
        print(f"  {path.name}: {same}", file=sys.stderr, flush=True)
        if not same.get("equal"):
            raise SystemExit(f"{path.name}: the readers differ: {same}")
        repeats = args.repeats if same["entrustments"] < 500_000 else args.repeats_large
        runs: dict[str, list[dict]] = {r: [] for r in readers}
        for i in range(repeats):
            order = readers if i % 2 == 0 else readers[::-1]
            for reader in order:
                result = run(["--measure", reader, str(path)])
                runs[reader].append(result)
                print(f"  {path.name} {reader:<19} {result['seconds']:7.2f} s {result['peak_mb']:8.0f} MB",
                      file=sys.stderr, flush=True)
        for reader in readers:
            rows.append({"reader": reader, "entrustments": same["entrustments"],
                         "mb": path.stat().st_size / 1e6, "runs": len(runs[reader]),
                         "seconds": statistics.median(r["seconds"] for r in runs[reader]),
                         "min": min(r["seconds"] for r in runs[reader]),
                         "peak_mb": statistics.median(r["peak_mb"] for r in runs[reader])})
    print(render(rows))
    return 0


def render(rows: list[dict]) -> str:
    base = {(r["entrustments"], r["reader"].replace("ijson", "current")): r for r in rows
            if r["reader"].startswith("current")}
    lines = [f"Machine: {machine()}", "",
             "| reader | entrustments | file MB | runs | median s | min s | peak MB (median) | time ratio | "
             "memory ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ref = base[(r["entrustments"], r["reader"].replace("ijson", "current"))]
        lines.append(f"| {r['reader']} | {r['entrustments']:,} | {r['mb']:,.0f} | {r['runs']} | {r['seconds']:.2f} | "
                     f"{r['min']:.2f} | {r['peak_mb']:,.0f} | {r['seconds'] / ref['seconds']:.2f} | "
                     f"{r['peak_mb'] / ref['peak_mb']:.2f} |")
    lines += ["", "current: `load_chain` (graph/io/jsonstream.py); ijson: the same checks on ijson's C backend "
              "(bench/json_reader.py); *-parse-only: parsing the elements without validating them. Ratios are "
              "to the current reader's row of the same kind (above 1: slower / more memory)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
