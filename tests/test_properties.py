"""Properties that hold on any chain file, checked on random ones against a naive oracle."""
from hypothesis import HealthCheck, given, settings

from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph import schema as S

import oracle
from strategies import chain_dicts


def _carries(e, consignor) -> bool:
    """The flow condition, restated independently of the library (this test is its oracle)."""
    return e.personal_data is not False and (e.consignor == consignor or e.covers == "all" or consignor in e.covers)


def _valid_step(chain, consignor, step) -> bool:
    entrustments = chain.entrustments_by_id
    if step.type == S.ENTRUSTS:
        e = entrustments[step.key]
        return (e.consignor, e.contractor) == (step.source, step.target) and _carries(e, consignor)
    if step.type == S.PLACES_DATA_IN:
        e = entrustments[step.entrustment]
        return e.consignor == step.source and step.target in e.systems and _carries(e, consignor)
    return any(a.organization == step.target and a.system == step.source for a in chain.access)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_dicts())
def test_undisclosed_handlers_are_exactly_the_reachable_undisclosed(data):
    chain = chain_from_dict(data)
    result = analyze(chain)
    truth = oracle.handled(chain)
    expected = {(c, h) for c, hs in truth.items() for h in hs if not oracle.disclosed(chain, c, h)}
    reported = {(f.consignor, f.handler) for f in result.by_rule("undisclosed_subcontracting")}
    assert reported == expected
    for f in result.by_rule("undisclosed_subcontracting"):
        # the path is real: it starts at the consignor, every step carries its data, it ends at
        # the handler, and it is a shortest one
        assert f.path[0].source == f.consignor and f.path[-1].target == f.handler
        assert all(a.target == b.source for a, b in zip(f.path, f.path[1:]))
        assert all(_valid_step(chain, f.consignor, s) for s in f.path)
        assert len(f.path) == truth[f.consignor][f.handler]
    could_not = {f.consignor: set(f.handlers) for f in result.by_rule("could_not_supervise")}
    assert could_not == {c: {h for (cc, h) in expected if cc == c} for c in {c for c, _ in expected}}


@settings(max_examples=150, deadline=None)
@given(chain_dicts())
def test_exposure_matches_reachability(data):
    chain = chain_from_dict(data)
    truth = oracle.handled(chain)
    reached = {}
    for c, hs in truth.items():
        for h in hs:
            reached.setdefault(h, set()).add(c)
    assert {x.handler: set(x.consignors) for x in analyze(chain).exposure} == reached
