"""The flow relationships the analysis traverses, prepared straight from the chain
(:func:`flow.chain_flow`), are exactly those of the networkx graph (``prepare_flow(build_graph)``):
the same nodes, the same relationships in the same order, the same Hops; and with duplicate
system names, personal_data false, several grants of one organisation to one system, as of days."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import FIXTURES
from randomchains import random_chain
from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.asof import chain_as_of
from entrustment_chain.graph.analysis.flow import chain_flow, prepare_flow
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain

FILES = sorted(FIXTURES.glob("**/chain.yaml"))


def _same(chain) -> None:
    fast, graph = chain_flow(chain), prepare_flow(build_graph(chain))
    assert list(fast) == list(graph) or set(fast) == set(graph)
    assert set(fast) == set(graph)
    for node, out in graph.items():
        if node is None:
            assert fast[node] == out
            continue
        # chain_flow's cells carry their PathStep already, as reach makes it at first use
        assert [x[:4] + ([*x[4][:2]],) + x[5:] for x in fast[node]] == out, node
        for x in fast[node]:
            assert x[4][2] == S.PathStep(x[4][0], x[4][1], S.node_id(node), S.node_id(x[0]))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES).parent))
def test_fixtures(path):
    _same(load_chain(path))


@pytest.mark.parametrize("seed", range(40))
def test_random_chains(seed):
    chain = chain_from_dict(random_chain(seed))
    _same(chain)
    for day in (date(2013, 1, 1), date(2016, 6, 30)):
        _same(chain_as_of(chain, day))


def test_a_system_named_twice_and_data_marked_false():
    chain = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": i, "name": i} for i in ("a", "b", "c", "d")],
        "systems": [{"id": "s", "name": "s", "operator": "b"}, {"id": "t#1", "name": "t", "operator": "b"}],
        "entrustments": [
            {"id": "e1", "consignor": "a", "contractor": "b", "systems": ["s", "t#1", "s"], "period": "2015-03～2016-03",
             "disposal": {"date": "2017-01"}},
            {"id": "e2", "consignor": "a", "contractor": "b", "period": "2015-03～2016-03"},
            {"id": "e3", "consignor": "b", "contractor": "c", "personal_data": False, "systems": ["s"]},
            {"id": "e@4", "consignor": "b", "contractor": "d", "covers": ["a"], "systems": ["t#1"]},
        ],
        "access": [{"organization": "c", "system": "s", "kind": "maintenance", "under": "e3", "period": "2015-04～2015-06"},
                   {"organization": "c", "system": "s", "kind": "maintenance", "period": "2016-04～2016-06"},
                   {"organization": "d", "system": "s"}],
    })
    _same(chain)


def test_step_one_is_step_of_one_relationship():
    """windows.step_one, the traversal's usual step, against the general step on random
    normalised windows and hops (bounded, unbounded, holding or not, unknown or not)."""
    import random

    from entrustment_chain.graph.analysis import windows as W

    rng = random.Random(16)
    days = [W.MIN, W.MAX] + [date(2010, 1, 1) + __import__("datetime").timedelta(rng.randrange(0, 4000))
                             for _ in range(30)]

    def interval():
        a, b = rng.choice(days), rng.choice(days)
        return (min(a, b), max(a, b)) if rng.random() < 0.9 else (max(a, b), min(a, b))

    for _ in range(20000):
        held = W.normalize(interval() for _ in range(rng.randrange(0, 4)))
        certain = W.normalize(i for i in (interval() for _ in range(rng.randrange(0, 4))))
        before = W.Windows(certain, held, rng.random() < 0.2)
        start, end = interval()
        holding = rng.random() < 0.6
        disposal = rng.choice(days) if holding and rng.random() < 0.5 else W.MAX
        hop = W.Hop(holding, start, end, disposal, rng.random() < 0.2)
        assert W.step_one(before, hop) == W.step(before, (hop,)), (before, hop)
    assert W.step_one(W.EVERYWHERE, W.Hop(True, date(2015, 3, 1), date(2015, 5, 31), W.MAX, False)) == \
        W.step(W.EVERYWHERE, [W.Hop(True, date(2015, 3, 1), date(2015, 5, 31), W.MAX, False)])
