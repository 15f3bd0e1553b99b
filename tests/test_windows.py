"""Time windows (docs/design.md "Time"): the module's interval arithmetic, the windows of the
findings against a day-by-day oracle on random chains with periods, disposals and several
grants, and the cases the design names."""
from __future__ import annotations

from datetime import date

import pytest

import oracle
from conftest import ROOT
from randomchains import random_chain
from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis import windows as W
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.flow import prepare_flow, reach
from entrustment_chain.graph.analysis.network import build_graph
from entrustment_chain.graph.analysis.routes import Route, Routes
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain

D = date


def test_normalize_joins_overlapping_and_adjacent_days():
    assert W.normalize([(D(2015, 6, 1), D(2015, 8, 31)), (D(2015, 1, 1), D(2015, 5, 31)),
                        (D(2016, 1, 1), D(2016, 1, 2)), (D(2015, 7, 1), D(2015, 7, 2))]) == \
        ((D(2015, 1, 1), D(2015, 8, 31)), (D(2016, 1, 1), D(2016, 1, 2)))
    assert W.normalize([(W.MIN, W.MAX), (D(2015, 1, 1), W.MAX)]) == W.ALWAYS


def test_possible_is_held_but_not_certain():
    w = W.Windows(((D(2015, 3, 1), D(2015, 5, 31)),), ((D(2015, 3, 1), W.MAX),))
    assert w.possible == ((D(2015, 6, 1), W.MAX),)
    assert w.on(D(2015, 4, 1)) == "certain" and w.on(D(2023, 1, 31)) == "possible" and w.on(D(2014, 1, 1)) is None


def test_an_entrustment_holds_its_data_until_disposal_and_access_only_reaches_it():
    contract = W.Hop(True, D(2015, 3, 1), D(2015, 5, 31), W.MAX, False)
    after = W.step(W.EVERYWHERE, [contract])
    assert after.certain == ((D(2015, 3, 1), D(2015, 5, 31)),) and after.held == ((D(2015, 3, 1), W.MAX),)
    grant = W.Hop(False, D(2013, 1, 1), D(2023, 12, 31), W.MAX, False)
    reached = W.step(after, [grant])
    assert reached.certain == ((D(2015, 3, 1), D(2015, 5, 31)),)
    assert reached.possible == ((D(2015, 6, 1), D(2023, 12, 31)),)
    disposed = W.step(W.EVERYWHERE, [W.Hop(True, D(2010, 1, 1), D(2011, 12, 31), D(2012, 3, 31), False)])
    late = W.step(disposed, [W.Hop(False, D(2020, 1, 1), W.MAX, W.MAX, False)])
    assert late.empty


def test_two_grants_at_different_periods_are_both_windows():
    held = W.Windows(((D(2010, 1, 1), D(2020, 12, 31)),), ((D(2010, 1, 1), W.MAX),))
    grants = [W.Hop(False, D(2011, 1, 1), D(2011, 12, 31), W.MAX, False),
              W.Hop(False, D(2019, 1, 1), D(2019, 12, 31), W.MAX, False)]
    assert W.step(held, grants).certain == ((D(2011, 1, 1), D(2011, 12, 31)), (D(2019, 1, 1), D(2019, 12, 31)))


def test_wareki_keeps_the_precision_periods_are_written_with():
    assert W.wareki((D(2015, 3, 1), D(2015, 5, 31))) == "平成 27 年 3 月～同年 5 月"
    assert W.wareki((D(2013, 1, 1), D(2023, 12, 31))) == "平成 25 年～令和 5 年"
    assert W.wareki((D(2016, 8, 1), D(2017, 12, 31))) == "平成 28 年 8 月～平成 29 年 12 月"
    assert W.wareki((D(2015, 6, 1), W.MAX)) == "平成 27 年 6 月～"
    assert W.wareki((W.MIN, D(2019, 3, 31))) == "不明～平成 31 年 3 月"


def _nodes(route: Route, path) -> list[tuple[str, str]]:
    start = [("org", path[0].source)] if route.kind == "entrustment" else [("sys", route.id)]
    return start + [("sys" if s.type == S.PLACES_DATA_IN else "org", s.target) for s in path]


def _days(intervals) -> set[int]:
    lo, hi = (d.toordinal() for d in oracle.HORIZON)
    return {t for s, e in intervals for t in range(max(s.toordinal(), lo), min(e.toordinal(), hi) + 1)}


def _shuffled(data: dict, seed: int) -> dict:
    """The same chain with its elements in another order: nothing may depend on it."""
    import random

    rng = random.Random(seed)
    return {**data, **{k: rng.sample(data[k], len(data[k])) for k in ("organizations", "systems", "entrustments",
                                                                          "access")}}


@pytest.mark.parametrize("seed", range(150))
def test_windows_match_a_day_by_day_oracle(seed):
    """The windows of every reported route are the union, day by day, over every shortest path
    of the route (the oracle enumerates them); every undisclosed handling left out has no day on
    any of them; the canonical path carries the data at some time; and the order of the file's
    elements changes nothing."""
    data = random_chain(seed)
    chain = chain_from_dict(_shuffled(data, seed) if seed % 2 else data)
    result = analyze(chain)
    reported = set()
    for f in result.by_rule("undisclosed_subcontracting"):
        record = next(r for r in result.findings.records if r.consignor == f.consignor and r.handler == f.handler)
        for route, path, when in zip(record.routes[::3], record.routes[1::3], record.routes[2::3]):
            reported.add((f.consignor, f.handler, route))
            certain, held = oracle.windows_over_shortest_paths(chain, f.consignor, tuple(route), ("org", f.handler))
            assert _days(when.certain) == certain and _days(when.held) == held, (f.consignor, f.handler, route)
            assert held, "a reported handling has days"
            # the path shown ends with a step that carries the data on some day
            nodes = _nodes(route, path)
            assert oracle.carries(chain, f.consignor, tuple(route), nodes[-2], nodes[-1]), (f.consignor, f.handler)
    for c, handlers in oracle.handled(chain).items():
        for h, on in handlers.items():
            for route, (_, disclosed, _, _) in on.items():
                if disclosed or (c, h, Route(*route)) in reported:
                    continue
                assert not oracle.windows_over_shortest_paths(chain, c, route, ("org", h))[1], (c, h, route)
    if seed % 2:  # the same findings whatever the order of the elements
        assert analyze(chain_from_dict(data)).to_json_dict()["findings"] == result.to_json_dict()["findings"]


def test_several_grants_are_allowed_and_overlapping_ones_of_a_kind_refused():
    base = {"schema": "entrustment-chain/v1", "organizations": [{"id": "a", "name": "A"}, {"id": "v", "name": "V"}],
            "systems": [{"id": "s", "name": "S", "operator": "a", "personal_data": True}]}
    chain = chain_from_dict({**base, "access": [
        {"organization": "v", "system": "s", "kind": "maintenance", "period": "2011-01/2011-12"},
        {"organization": "v", "system": "s", "kind": "maintenance", "period": "2019-01/2019-12"},
        {"organization": "v", "system": "s", "kind": "development", "period": "2011-06/2012-12"}]})
    assert chain.grant_keys == ["v@s@maintenance@2011-01", "v@s@maintenance@2019-01", "v@s@development@2011-06"]
    [finding] = analyze(chain).by_rule("undisclosed_subcontracting")
    assert [(x.start, x.end) for x in finding.routes[0].windows.certain] == [
        ("2011-01-01", "2012-12-31"), ("2019-01-01", "2019-12-31")]
    from entrustment_chain.graph.errors import InputError
    with pytest.raises(InputError) as raised:
        chain_from_dict({**base, "access": [
            {"organization": "v", "system": "s", "kind": "maintenance", "period": "2011-01/2012-12"},
            {"organization": "v", "system": "s", "kind": "maintenance", "period": "2012-06/2019-12"}]})
    assert "access[0]" in str(raised.value) and "overlapping" in str(raised.value)


def test_procx_f_sha_window_is_its_contract_then_possible_until_bs_left(procx_analysis):
    finding = next(f for f in procx_analysis.by_rule("undisclosed_subcontracting") if f.consignor == "f")
    w = finding.routes[0].windows
    assert [x.wareki for x in w.certain] == ["平成 27 年 3 月～同年 5 月"]
    assert [x.wareki for x in w.possible] == ["平成 27 年 6 月～令和 5 年 12 月"]
    assert (w.possible[0].start, w.possible[0].end) == ("2015-06-01", "2023-12-31") and not w.unknown_period
    # every consignor–BS finding carries its windows
    assert all(f.routes[0].windows.certain or f.routes[0].windows.possible
               for f in procx_analysis.by_rule("undisclosed_subcontracting"))


def test_procx_as_of_counts_the_contracts_and_the_reach_that_day(procx_chain):
    result = analyze(procx_chain, as_of=D(2023, 1, 31))
    assert result.summary["as_of"] == {
        "date": "2023-01-31",
        "entrustments": {"in_force": 2, "ended_data_held": 16, "disposed": 0, "not_begun": 0, "period_unknown": 52},
        "undisclosed_handlings": {"certain": 53, "possible": 16, "period_unknown": 52}}
    assert len(result.by_rule("could_not_supervise")) == 69  # no disposal recorded: all still within reach
    # a day after BS's access ended, nobody's data was within its reach
    after = analyze(procx_chain, as_of=D(2024, 1, 1))
    assert after.by_rule("undisclosed_subcontracting") == [] and after.summary["as_of"]["undisclosed_handlings"] == {
        "certain": 0, "possible": 0, "period_unknown": 0}


def test_as_of_forgets_what_had_not_happened_yet():
    chain = load_chain(ROOT / "fixtures" / "teaching" / "disposed-before-access" / "chain.yaml")
    # before the disposal (平成29年6月30日) the clinic's data was still in the system; the
    # maintenance firm had no access yet, so there was no finding about it then
    before = analyze(chain, as_of=D(2017, 5, 1))
    assert before.by_rule("undisclosed_subcontracting") == []
    assert before.summary["as_of"]["entrustments"] == {
        "in_force": 0, "ended_data_held": 1, "disposed": 0, "not_begun": 2, "period_unknown": 0}
    later = analyze(chain, as_of=D(2021, 1, 1))
    assert [(f.consignor, f.handler) for f in later.by_rule("undisclosed_subcontracting")] == [("salon", "maint")]
    assert later.summary["as_of"]["entrustments"]["disposed"] == 1
    # the entrustment findings are those of contracts whose data was still there
    assert {f.entrustment for f in later.findings if f.entrustment} == {"salon-booking", "booking-maint"}



def test_the_path_shown_is_one_that_carried_the_data_whatever_the_names():
    chain = load_chain(ROOT / "fixtures" / "teaching" / "two-systems-one-in-time" / "chain.yaml")
    [finding] = analyze(chain).by_rule("undisclosed_subcontracting")
    assert [s.key for s in finding.path] == ["clinic-vendor#b-new", "maint@b-new"]  # not the old system (a-old)


def test_parallel_contracts_all_count_whatever_their_order():
    """Two contracts between the same two organisations, at different periods, both carry the
    data, in whichever order the file lists them (a second reading found the later one dropped)."""
    def chain(order):
        contracts = [{"id": "z-late", "consignor": "p1", "contractor": "h", "period": "2020-01～2020-12"},
                     {"id": "a-early", "consignor": "p1", "contractor": "h", "period": "2011-01～2011-12",
                      "disposal": {"date": "2011-12-31"}}]
        return chain_from_dict({
            "schema": "entrustment-chain/v1",
            "organizations": [{"id": i, "name": i.upper()} for i in ("c", "x", "p1", "p2", "h")],
            "entrustments": [
                {"id": "c-x", "consignor": "c", "contractor": "x", "period": "2010-01～2030-12",
                 "informed_subcontractors": [], "approved_subcontractors": []},
                {"id": "x-p2", "consignor": "x", "contractor": "p2", "period": "2010-01～2030-12"},
                {"id": "x-p1", "consignor": "x", "contractor": "p1", "period": "2010-01～2030-12"},
                *(contracts if order else contracts[::-1]),
                {"id": "m-mid", "consignor": "p2", "contractor": "h", "period": "2015-01～2015-12",
                 "disposal": {"date": "2015-12-31"}}]})

    for order in (True, False):
        finding = next(f for f in analyze(chain(order)).by_rule("undisclosed_subcontracting")
                       if (f.consignor, f.handler) == ("c", "h"))
        assert [(x.start, x.end) for x in finding.routes[0].windows.certain] == [
            ("2011-01-01", "2011-12-31"), ("2015-01-01", "2015-12-31"), ("2020-01-01", "2020-12-31")]
