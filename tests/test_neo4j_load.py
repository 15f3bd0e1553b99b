"""The Neo4j load of issue 16: rows as lists, a first load in parallel transactions, the local
server sized from the machine's memory, and a server that runs out of memory named as such."""
import argparse
import importlib.machinery
import importlib.util
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph import schema as S
from entrustment_chain.graph.io.loader import load_chain
from entrustment_chain.graph.neo4j.rows import columns, section_lists, section_rows

from conftest import PROCX, ROOT, TEACHING, dump, free_ports

SCRIPT = ROOT / "scripts" / "neo4j-local"
# a server of its own, started with a tiny heap, on ports free when the tests start
# (OOM_NEO4J_*_PORT choose them)
_FREE = free_ports(2)
OOM_BOLT = int(os.environ.get("OOM_NEO4J_BOLT_PORT") or _FREE[0])
OOM_HTTP = int(os.environ.get("OOM_NEO4J_HTTP_PORT") or _FREE[1])


def neo4j_local():
    loader = importlib.machinery.SourceFileLoader("neo4j_local", str(SCRIPT))
    spec = importlib.util.spec_from_loader("neo4j_local", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


# -- rows ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [PROCX] + [t / "chain.yaml" for t in TEACHING], ids=lambda p: p.parent.name)
def test_list_rows_hold_what_the_map_rows_hold(path):
    """The rows a load sends (lists read by position) are the export's rows (maps), value for value."""
    chain = load_chain(path)
    for name in S.LOAD_ORDER:
        cols = columns(name)
        props = S.NODES[name].properties if name in S.NODES else S.RELATIONSHIPS[name].properties
        dates = {p.name for p in props if p.date}
        for as_map, as_list in zip(section_rows(chain, name), section_lists(chain, name), strict=True):
            row = dict(zip(cols, as_list, strict=True))
            for column in dates:  # a date travels as ISO text, which the statement makes a date again
                value = as_map["props"][column]
                assert row[column] == (None if value is None else value.isoformat())
                row[column] = value
            if name in S.NODES:
                assert row == as_map["props"] and row["id"] == as_map["id"]
            else:
                ends = {k: row.pop(k) for k in ("key", "source", "target")}
                assert ends == {k: as_map[k] for k in ("key", "source", "target")}
                assert row == as_map["props"]


def test_load_statements_read_every_column_by_its_place():
    from entrustment_chain.graph.neo4j import queries

    assert {p.name for rel in S.RELATIONSHIPS.values() for p in rel.properties if p.date} == {
        "window_start", "window_end", "disposal"}

    for name in S.LOAD_ORDER:
        cols = columns(name)
        load = S.NODES[name].section if name in S.NODES else S.RELATIONSHIPS[name].load_name
        for file in (load, f"new_{load}"):
            text = queries.get("load", file).statements[0]
            props = S.NODES[name].properties if name in S.NODES else S.RELATIONSHIPS[name].properties
            dates = {p.name for p in props if p.date}
            for i, column in enumerate(cols):
                value = f"date(row[{i}])" if column in dates else f"row[{i}]"
                if column in ("source", "target"):
                    assert f"id: {value}" in text, (file, column)
                elif column in ("key", "id"):
                    assert f"{column}: {value}" in text, (file, column)
                else:
                    assert f"{column}: {value}" in text or f".{column} = {value}" in text, (file, column)
            assert "+=" not in text and f"row[{len(cols)}]" not in text


# -- a first load in parallel ----------------------------------------------------------------------

@pytest.mark.neo4j
@pytest.mark.parametrize("seed", [3, 11])
def test_a_first_load_in_parallel_writes_what_one_writer_writes(store, seed, tmp_path):
    """Batches of a first load written by four transactions at a time give the graph one writer
    gives, and a reload (which merges, one batch at a time) changes nothing."""
    path = tmp_path / "chain.json"
    made = CliRunner().invoke(main, ["generate", "--consignors", "40", "--seed", str(seed), "-o", str(path)])
    assert made.exit_code == 0
    chain = load_chain(path)
    one, many = f"writers-1-{seed}", f"writers-4-{seed}"
    try:
        first = store.load(chain, one, writers=1, batch_size=5)
        second = store.load(chain, many, writers=4, batch_size=5)
        assert first["new"] and second["new"]
        assert dump(store, one, strip_dataset=True) == dump(store, many, strip_dataset=True)
        again = store.load(chain, many, reuse=False, batch_size=3, writers=4)
        assert not again["new"] and again["removed"] == 0
        assert dump(store, one, strip_dataset=True) == dump(store, many, strip_dataset=True)
    finally:
        store.drop(one)
        store.drop(many)


# -- sizing ----------------------------------------------------------------------------------------

def sized(memory_gib, heap=None, pagecache=None, env=None, monkeypatch=None):
    local = neo4j_local()
    local.machine_memory = lambda: (int(memory_gib * 2**30), "RAM")
    for name in ("NEO4J_HEAP", "NEO4J_PAGECACHE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    args = argparse.Namespace(heap=heap, pagecache=pagecache)
    said = local.choose_memory(args)
    return args.heap, args.pagecache, said


@pytest.mark.parametrize("memory, heap, pagecache", [
    (24, "6g", "6g"),       # a quarter; half less the heap
    (23.5, "5g", "6g"),     # whole gigabytes, rounded down
    (2, "1g", "256m"),      # the floors
    (6, "1g", "2g"),
    (512, "31g", "225g"),   # the heap's cap: compressed pointers end at 32g
])
def test_start_sizes_the_server_from_the_memory_there_is(memory, heap, pagecache, monkeypatch):
    chosen_heap, chosen_pagecache, said = sized(memory, monkeypatch=monkeypatch)
    assert (chosen_heap, chosen_pagecache) == (heap, pagecache)
    assert f"heap {heap}, page cache {pagecache}" in said and "GiB of RAM" in said


def test_options_and_variables_choose_the_memory(monkeypatch):
    assert sized(24, heap="2g", pagecache="512m", monkeypatch=monkeypatch)[:2] == ("2g", "512m")
    assert sized(24, env={"NEO4J_HEAP": "3g", "NEO4J_PAGECACHE": "1g"}, monkeypatch=monkeypatch)[:2] == ("3g", "1g")
    assert sized(24, heap="4g", env={"NEO4J_HEAP": "3g"}, monkeypatch=monkeypatch)[:2] == ("4g", "8g")
    with pytest.raises(Exception, match="--heap 'lots' is not a size") as refused:
        sized(24, heap="lots", monkeypatch=monkeypatch)
    assert type(refused.value).__name__ == "Refused"  # start says so and launches nothing


def test_a_cgroup_limit_below_the_machine_is_what_counts(tmp_path, monkeypatch):
    local = neo4j_local()
    real = local.Path

    def fake(path, *more):
        mapped = {"/proc/meminfo": tmp_path / "meminfo", "/sys/fs/cgroup/memory.max": tmp_path / "memory.max"}
        return real(mapped.get(str(path), path), *more)

    (tmp_path / "meminfo").write_text("MemTotal:       25165824 kB\nMemFree:  1 kB\n")
    (tmp_path / "memory.max").write_text(f"{8 * 2**30}\n")
    monkeypatch.setattr(local, "Path", fake)
    assert local.machine_memory() == (8 * 2**30, "the cgroup limit (/sys/fs/cgroup/memory.max)")
    (tmp_path / "memory.max").write_text("max\n")
    assert local.machine_memory() == (24 * 2**30, "RAM")


# -- a server that runs out of memory --------------------------------------------------------------

def local_server(state, *args):
    env = {**os.environ, "ENTRUSTMENT_CHAIN_STATE": str(state)}
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True,
                          timeout=240)


@pytest.mark.neo4j
def test_a_server_out_of_memory_during_a_load_is_named_with_its_heap_and_log(tmp_path):
    """A 64m server, a load of 10^4 entrustments in one batch: the JVM stops at its first
    OutOfMemoryError. The CLI says so (its heap, a start with twice as much, its log), exits 3, and
    prints none of the driver's lines, even where the process has configured logging."""
    state = tmp_path / "state"
    started = local_server(state, "start", "--no-auth", "--bolt-port", str(OOM_BOLT), "--http-port",
                           str(OOM_HTTP), "--heap", "64m", "--pagecache", "32m")
    assert started.returncode == 0, started.stderr
    assert "memory: heap 64m, page cache 32m (as given)" in started.stderr
    try:
        big = tmp_path / "big.json"
        made = CliRunner().invoke(main, ["generate", "--consignors", "1147", "--seed", "1", "-o", str(big)])
        assert made.exit_code == 0
        env = {**os.environ, "ENTRUSTMENT_CHAIN_STATE": str(state), "NEO4J_URI": f"bolt://127.0.0.1:{OOM_BOLT}"}
        env.pop("NEO4J_PASSWORD", None)
        # a process that configured logging, as an application embedding the CLI might have
        code = ("import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
                "from entrustment_chain.cli.main import main; main()")
        loaded = subprocess.run([sys.executable, "-c", code, "load", str(big), "--dataset", "too-big",
                                 "--batch-size", "20000"], env=env, capture_output=True, text=True, timeout=120)
        log = state / "neo4j" / "logs" / "console.log"
        assert loaded.returncode == 3, loaded.stderr
        assert loaded.stderr.startswith(
            f"database error: the Neo4j server at bolt://127.0.0.1:{OOM_BOLT} ran out of memory (heap 64m) and "
            "stopped; start it with more: scripts/neo4j-local start --heap 128m --pagecache 32m "
            f"--bolt-port {OOM_BOLT} --http-port {OOM_HTTP} --no-auth; its log: {log}"), loaded.stderr
        assert "'too-big' is left unfinished" in loaded.stderr
        assert len(loaded.stderr.strip().splitlines()) == 1, loaded.stderr  # no retry, defunct or debug lines
        assert "OutOfMemoryError" in log.read_text()
        assert local_server(state, "status").returncode == 3
        # later commands say the same, at once, without dialling a dead server for long
        again = subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", "load", str(big), "--dataset",
                                "too-big"], env=env, capture_output=True, text=True, timeout=60)
        assert again.returncode == 3 and "ran out of memory (heap 64m)" in again.stderr
    finally:
        local_server(state, "stop")
