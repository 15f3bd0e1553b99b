"""Hostile input: huge files, expansion bombs, and fuzzed chain files. Bounded, clean, no trace."""
import os
import resource
import time

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from entrustment_chain.cli.main import main
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.loader import chain_from_dict

from conftest import ROOT
from strategies import chain_dicts


def test_200_mb_file_is_refused_at_once(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(200 * 2**20)  # sparse: 200 MB of NULs, never read
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    result = CliRunner().invoke(main, ["validate", str(big)])
    assert result.exit_code == 2 and "over the limit" in result.output and "JSON" in result.output
    assert time.monotonic() - start < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: not read


def test_alias_bomb_is_refused_fast():
    start = time.monotonic()
    result = CliRunner().invoke(main, ["validate", str(ROOT / "tests" / "bad" / "alias-bomb.yaml")])
    assert result.exit_code == 2 and time.monotonic() - start < 1


def test_bad_input_writes_nothing_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.md"
    for args in (["analyze", "--format", "markdown", "-o", str(out)], ["export", "--format", "dot", "-o", str(out)],
                 ["survey", "--contractor", "a", "-o", str(out)]):
        result = CliRunner().invoke(main, [args[0], str(ROOT / "tests" / "bad" / "bidi-name.yaml"), *args[1:]])
        assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def _mutations():
    junk = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=5), st.booleans(),
                     st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    return st.lists(st.tuples(st.sampled_from(["drop", "set", "junk-key"]), st.integers(0, 10**6), junk), max_size=4)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _mutate(data, mutations):
    for kind, pick, junk in mutations:
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = paths[pick % len(paths)]
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if kind == "drop":
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif kind == "set":
            parent[path[-1]] = junk
        elif isinstance(parent, dict):
            parent["zz_" + str(pick % 7)] = junk
    return data


FUZZ_EXAMPLES = 400


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_dicts(max_orgs=5, max_entrustments=6), _mutations())
def test_fuzzed_files_are_accepted_and_analysed_or_refused_cleanly(data, mutations):
    mutated = _mutate(data, mutations)
    try:
        chain = chain_from_dict(mutated, "fuzz.yaml")
    except InputError as error:
        assert error.problems and all(p.file == "fuzz.yaml" for p in error.problems)
        return
    analyze(chain)
