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
def test_undisclosed_and_unapproved_are_judged_per_route(data):
    chain = chain_from_dict(data)
    result = analyze(chain)
    truth = oracle.handled(chain)
    expected = {(c, h): {r: v[0] for r, v in on.items() if not v[1]}
                for c, hs in truth.items() for h, on in hs.items()}
    expected = {k: v for k, v in expected.items() if v}
    found = result.by_rule("undisclosed_subcontracting")
    assert {(f.consignor, f.handler): {(r.kind, r.id): len(r.path) for r in f.routes} for f in found} == expected
    for f in found:
        assert f.path == f.routes[0].path
        for r in f.routes:
            # the path is real: it starts where the route starts, every step carries the data,
            # it ends at the handler, and it is a shortest one (checked above by its length)
            assert r.path[0].source == (f.consignor if r.kind == "entrustment" else r.id)
            assert r.path[-1].target == f.handler
            assert all(a.target == b.source for a, b in zip(r.path, r.path[1:]))
            assert all(_valid_step(chain, f.consignor, s) for s in r.path)
    unapproved = {(c, h): {r for r, v in on.items() if v[3] and not v[2]}
                  for c, hs in truth.items() for h, on in hs.items()}
    unapproved = {k: v for k, v in unapproved.items() if v}
    assert {(f.consignor, f.handler): {(r.kind, r.id) for r in f.routes}
            for f in result.by_rule("unapproved_subcontracting")} == unapproved
    could_not = {f.consignor: set(f.handlers) for f in result.by_rule("could_not_supervise")}
    assert could_not == {c: {h for (cc, h) in expected if cc == c} for c in {c for c, _ in expected}}


@settings(max_examples=150, deadline=None)
@given(chain_dicts())
def test_exposure_matches_reachability(data):
    chain = chain_from_dict(data)
    truth = oracle.handled(chain)
    middle = oracle.intermediaries(chain)
    reached: dict = {}
    for c, hs in truth.items():
        for h in hs:
            reached.setdefault(h, (set(), set()))[c in middle].add(c)
    assert {x.handler: (set(x.consignors), set(x.intermediaries)) for x in analyze(chain).exposure} == reached
