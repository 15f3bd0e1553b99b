"""`breach` (issue 13): when a handler leaks, who must report, about how many people, by when.

The ProCX case as the issue states it, the two teaching cases against their breach-expected.yaml,
the second reading's cases (roles per leak, --as-of, --systems, deadlines, the proviso by the
consignor's kind, the day known, unknown periods, the handler's own duty), the legal bases of a
leak report (BREACH_BASES, kept apart from the findings' BASES), bad input, and the Neo4j backend
giving the same report on the fixtures, on the second reading's chains and on random chains."""
import datetime
import random
import re

import pytest
import yaml

from entrustment_chain.graph.analysis import legal
from entrustment_chain.graph.analysis.breach import BREACH_SCHEMA, breach, final_deadline, networkx_reaches
from entrustment_chain.graph.analysis.legal import BASES, BREACH_BASES
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.model.chain import OrgKind

from conftest import FIXTURES, PROCX
from randomchains import random_chain

D = datetime.date
PRIVATE, LOCAL, PUBLIC = OrgKind.private, OrgKind.local_government, OrgKind.public_agency
CASES = [FIXTURES / "teaching" / name for name in ("breach-four-levels", "breach-two-routes")]
# the example: BS took data for ten years; 2023-10-17 is an example of the day it was known
PROCX_RUN = dict(handler="bs", window=("2013-07", "2023-10"), known="2023-10-17", intent="wrongful")


@pytest.fixture(scope="module")
def procx():
    chain = load_chain(PROCX)
    options = dict(PROCX_RUN)
    return chain, breach(chain, options.pop("handler"), options.pop("window"), **options)


# ---------------------------------------------------------------------------------------------
# ProCX


def test_procx_every_consignor_is_affected_by_kind(procx):
    _, report = procx
    t = report.totals
    assert (t.affected, t.consignors, t.intermediaries, t.both) == (70, 69, 1, 0)
    assert t.by_kind == {"private": 30, "local_government": 38, "public_agency": 1}
    assert t.by_duty == {"report_to_ppc": 69, "notify_consignor": 1, "no_statutory_duty": 0}
    assert t.by_reporting == {"met": 69, "unknown": 0, "not_met": 0, "not_judged": 0}
    # the 52 consignors whose contracts' periods were not published are possible, never certain
    assert t.by_status == {"certain": 18, "possible": 0, "possible_unknown_period": 52}
    # the 17 consignors whose figures were published; the other 52 have none
    assert (t.data_subjects.count, t.data_subjects.unknown, t.data_subjects.approximate) == (584000, 52, True)
    assert report.handler_notifies == ["procx"]  # BS notifies ProCX (under procx-bs)
    assert report.to_json_dict()["schema"] == BREACH_SCHEMA


def test_procx_is_the_intermediary_that_notifies_its_69_consignors(procx):
    chain, report = procx
    procx_ = report.by_id("procx")
    consignors = sorted(e.consignor for e in chain.entrustments if e.contractor == "procx")
    assert procx_.role == "intermediary" and procx_.also is None and procx_.data_subjects is None
    assert procx_.notifies == consignors and len(consignors) == 69
    assert procx_.notified_by == ["bs"]
    assert procx_.duty.kind == "notify_consignor"
    assert [r.id for r in procx_.duty.references] == ["appi-art26-1-proviso", "appi-art26-2", "appi-rule-9"]
    assert procx_.deadlines.what == "notify_consignor" and procx_.deadlines.final is None
    assert [(r.kind, r.id, [s.key for s in r.path]) for r in procx_.routes] == [
        ("system", "procx-cc", ["bs@procx-cc"])]


@pytest.mark.parametrize("org, kind, articles", [
    ("b", "private", ["appi-art26-1", "appi-art26-2"]),
    ("k", "local_government", ["appi-art68-1", "appi-art68-2"]),
    ("x-a01", "public_agency", ["appi-art68-1", "appi-art68-2"]),
])
def test_procx_consignor_duty_threshold_and_deadlines(procx, org, kind, articles):
    _, report = procx
    a = report.by_id(org)
    assert a.kind == kind and a.role == "consignor"
    # the unpublished consignors' periods are unknown: possible only, for want of a period
    assert (a.status, a.unknown_period) == (("possible", True) if org.startswith("x-") else ("certain", False))
    assert a.duty.kind == "report_to_ppc" and [r.id for r in a.duty.references] == articles
    assert a.notified_by == ["procx"] and a.notifies == []
    thresholds = {t.id: t.met for t in a.thresholds}
    assert thresholds["wrongful"] == "met" and a.reporting == "met"
    assert thresholds["sensitive"] == thresholds["payment"] == "unknown"  # data categories not recorded
    rule = "appi-rule-7" if kind == "private" else "appi-rule-43"
    assert {t.reference.id for t in a.thresholds} == {rule}
    assert ("ordinance_sensitive" in thresholds) == (kind == "local_government")
    d = a.deadlines
    assert (d.preliminary.from_, d.preliminary.to) == ("2023-10-20", "2023-10-22")
    # 60 days end on Saturday 2023-12-16: the deadline is the next open day, Monday 2023-12-18
    assert (d.final.days, d.final.counted, d.final.weekday, d.final.by, d.final.moved) == (
        60, "2023-12-16", "Sat", "2023-12-18", True)
    assert d.final_if_wrongful is None
    assert [s.type for r in a.routes for s in r.path] == ["PLACES_DATA_IN", "ACCESSIBLE_BY"]


def test_procx_people_where_known(procx):
    _, report = procx
    b, unknown = report.by_id("b"), report.by_id("x-p01")
    assert (b.data_subjects.count, b.data_subjects.at_least, b.data_subjects.approximate) == (231000, 231000, True)
    assert {t.id: t.met for t in b.thresholds}["people"] == "met"
    assert unknown.data_subjects.count is None and unknown.data_subjects.unknown == 1  # one route, no figure
    assert {t.id: t.met for t in unknown.thresholds}["people"] == "unknown"
    k = report.by_id("k")  # a local government: more than 100 people
    assert {t.id: t.met for t in k.thresholds}["people"] == "met"


def test_procx_intent_unknown_gives_both_final_deadlines():
    chain = load_chain(PROCX)
    a = breach(chain, "bs", known="2023-10-17").by_id("b")
    assert {t.id: t.met for t in a.thresholds}["wrongful"] == "unknown"
    assert a.reporting == "met"  # more than 1,000 people all the same
    assert (a.deadlines.final.days, a.deadlines.final.by, a.deadlines.final.moved) == (30, "2023-11-16", False)
    assert (a.deadlines.final_if_wrongful.days, a.deadlines.final_if_wrongful.by) == (60, "2023-12-18")


def test_procx_without_known_has_no_deadlines_and_says_so():
    report = breach(load_chain(PROCX), "bs", intent="wrongful")
    assert all(a.deadlines is None for a in report.affected)
    assert any("--known" in n.text for n in report.notes)


def test_the_law_by_the_day_known():
    chain = load_chain(PROCX)
    # 2022-06: businesses and national bodies must report, local governments not yet
    report = breach(chain, "bs", known="2022-06-01", intent="wrongful")
    assert report.by_id("b").duty.kind == "report_to_ppc"
    assert report.by_id("x-a01").duty.kind == "report_to_ppc"
    k = report.by_id("k")
    assert k.duty.kind == "no_statutory_duty" and [r.id for r in k.duty.references] == ["local-ordinance-leak"]
    assert k.deadlines is None
    # no statutory duty: the thresholds of 施行規則第43条 are not judged, the ordinance is cited
    assert k.thresholds == [] and k.reporting == "not_judged"
    assert any(["local-ordinance-leak"] == [r.id for r in n.references] for n in k.notes)
    # ProCX, a business, holds the local governments' data: they were not yet 行政機関等 (2023-04-01),
    # so the proviso does not apply to their data and ProCX reports it itself; it notifies the others
    procx = report.by_id("procx")
    assert procx.duty.kind == "report_to_ppc"
    assert [r.id for r in procx.duty.references] == ["appi-art26-1", "appi-art26-2", "appi-art26-1-proviso",
                                                     "appi-rule-9"]
    assert len(procx.reports_for) == 38 and all(report.by_id(x).kind == "local_government" for x in procx.reports_for)
    final = procx.deadlines.final  # 60 days end on Sunday 2022-07-31
    assert procx.deadlines.what == "report" and (final.counted, final.by) == ("2022-07-31", "2022-08-01")
    # 2020: an effort duty under the PPC's notice of 2017
    early = breach(chain, "bs", known="2020-01-10", intent="wrongful")
    assert [r.id for r in early.by_id("b").duty.references] == ["ppc-notice-2017-1"]
    assert [r.id for r in early.by_id("x-a01").duty.references] == ["public-leak-before-2022"]
    assert early.totals.by_duty["no_statutory_duty"] == 70
    assert early.totals.by_reporting == {"met": 0, "unknown": 0, "not_met": 0, "not_judged": 69}
    assert all(a.thresholds == [] for a in early.affected)


def test_procx_window_decides_certain_or_possible():
    chain = load_chain(PROCX)
    report = breach(chain, "bs", ("2016-01", "2016-12"))
    # D社's contract was 平成27年5月～同年7月 with no disposal recorded: possibly still there in 2016
    assert report.by_id("d").status == "possible"
    assert report.by_id("c").status == "certain"  # 平成25年12月～令和3年2月
    assert breach(chain, "bs", (None, "2012-12")).totals.affected == 0  # before BS's access (平成25年～)


def test_procx_systems_and_as_of():
    chain = load_chain(PROCX)
    assert breach(chain, "bs", systems=["procx-cc"]).totals.affected == 70
    before = breach(chain, "bs", as_of="2023-01-31")
    assert before.as_of == "2023-01-31" and before.totals.affected == 70
    b = before.by_id("b")
    assert all(s.end is None or s.end <= "2023-01-31" for r in b.routes for s in r.windows.certain + r.windows.possible)


# ---------------------------------------------------------------------------------------------
# The teaching cases


def _subset(actual, expected, where="") -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing"
            _subset(actual[key], value, f"{where}.{key}")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def runs():
    for case in CASES:
        for index, run in enumerate(yaml.safe_load((case / "breach-expected.yaml").read_text(encoding="utf-8"))):
            yield pytest.param(case, run, id=f"{case.name}-{index}")


@pytest.mark.parametrize("case, run", list(runs()))
def test_teaching_case_meets_its_breach_expectation(case, run):
    options = dict(run["options"])
    handler = options.pop("handler")
    window = tuple(str(x) if x is not None else None for x in options.pop("window", (None, None)))
    options = {k: str(v) if isinstance(v, datetime.date) else v for k, v in options.items()}
    report = breach(load_chain(case / "chain.yaml"), handler, window, **options).to_json_dict()
    _subset(report["totals"], run.get("totals", {}), "totals")
    if "handler_notifies" in run:
        assert report["handler_notifies"] == run["handler_notifies"]
    if "handler_duty" in run:
        _subset(report["handler_duty"], run["handler_duty"], "handler_duty")
    by_id = {f"{a['id']}:{a['role']}": a for a in report["affected"]}
    by_id.update({a["id"]: a for a in report["affected"] if sum(b["id"] == a["id"] for b in report["affected"]) == 1})
    for org, expected in (run.get("affected") or {}).items():
        assert org in by_id, f"{org} is not affected"
        expected = dict(expected)
        if "routes" in expected:
            assert [[r["kind"], r["id"], len(r["path"])] for r in by_id[org]["routes"]] == expected.pop("routes")
        _subset(by_id[org], expected, org)


def test_two_paths_of_one_route_are_one_route():
    """甲社's data reaches 丙発送 both by the dispatch contract and by the CRM's maintenance access:
    two paths of one route (its one contract), so its people are counted once."""
    from entrustment_chain.graph.analysis.flow import reach
    from entrustment_chain.graph.analysis.network import build_graph
    from entrustment_chain.graph.analysis.routes import Route

    chain = load_chain(CASES[1] / "chain.yaml")
    graph = build_graph(chain)
    into_ship = {(data["type"], key) for _, _, key, data in graph.in_edges("org:ship", keys=True, data=True)}
    assert into_ship == {("ENTRUSTS", "v-ship"), ("ACCESSIBLE_BY", "ship@v-crm")}
    assert "org:ship" in reach(graph, "x", route=Route("entrustment", "x-v")).paths
    assert [r.route.id for r in networkx_reaches(chain, "ship") if r.consignor == "x"] == ["x-v"]
    x = breach(chain, "ship").by_id("x")
    assert len(x.routes) == 1 and x.data_subjects.count == 2000


# ---------------------------------------------------------------------------------------------
# The second reading's cases: each chain as the reviewer wrote it


def _chain(organizations, entrustments, systems=(), access=()):
    return chain_from_dict({"schema": "entrustment-chain/v1", "organizations": list(organizations),
                            "entrustments": list(entrustments), "systems": list(systems), "access": list(access)})


def _org(id_, name, kind="private"):
    return {"id": id_, "name": name, "kind": kind}


def _e(id_, consignor, contractor, **more):
    return {"id": id_, "consignor": consignor, "contractor": contractor, "work": more.pop("work", id_),
            "personal_data": True, "period": more.pop("period", "2020-04-01～"), **more}


def intermediary_chain(covers=None):
    """X is a contractor of Y for unrelated work, and entrusts its own data to H (covers: [x] when
    ``covers``; else all, the default, so that Y's data may go along)."""
    x_h = _e("x-h", "x", "h", work="自社顧客の発送", data_subjects=50000, data=["payment"])
    if covers:
        x_h["covers"] = covers
    return _chain([_org("x", "X社"), _org("y", "Y社"), _org("h", "H社")],
                  [_e("y-x", "y", "x", work="経理代行", data_subjects=10, data=["other"]), x_h])


CYCLE = _chain([_org("a", "A社"), _org("b", "B社"), _org("c", "C社", "local_government")], [
    _e("a-b", "a", "b", period="2020-01-01～", data_subjects=10, data=["sensitive"]),
    _e("b-c", "b", "c", period="2020-01-01～", data_subjects=20),
    _e("c-a", "c", "a", period="2020-01-01～", data_subjects=30, data=["my_number"])])
# data handed to H 2015-2018, disposed of 2019
AS_OF = _chain([_org("x", "X社"), _org("h", "H社")], [
    _e("x-h", "x", "h", work="発送", period="2015-04-01～2018-03-31", data_subjects=5000, data=["other"],
       disposal={"date": "2019-03-31", "evidence": [{"kind": "certificate", "ref": "廃棄証明書"}]})])
# H reached s1 in 2020 and s2 in 2022
TWO_SYSTEMS = _chain(
    [_org("x", "X社"), _org("v", "V社"), _org("h", "H社")],
    [_e("x-v", "x", "v", work="運用", period="2019-01-01～", data_subjects=5000, data=["other"], systems=["s1", "s2"]),
     {**_e("v-h", "v", "h", work="保守", period="2019-01-01～"), "personal_data": False}],
    [{"id": "s1", "name": "旧システム", "operator": "v"}, {"id": "s2", "name": "新システム", "operator": "v"}],
    [{"organization": "h", "system": "s1", "kind": "maintenance", "under": "v-h", "period": "2020-01-01～2020-12-31"},
     {"organization": "h", "system": "s2", "kind": "maintenance", "under": "v-h", "period": "2022-01-01～2022-12-31"}])
# H reaches X's data by contract and through the system s1; the leak was through s1
THROUGH_SYSTEM = _chain(
    [_org("x", "X社"), _org("v", "V社"), _org("h", "H社")],
    [_e("x-v", "x", "v", work="受注業務", data_subjects=5000, data=["other"]),
     _e("v-h", "v", "h", work="発送", systems=["s1"])],
    [{"id": "s1", "name": "基幹システム", "operator": "v"}],
    [{"organization": "h", "system": "s1", "kind": "maintenance", "under": "v-h", "period": "2020-04-01～"}])
# a city entrusts to a business, which re-entrusts to H
CITY_BUSINESS = _chain([_org("city", "甲市", "local_government"), _org("biz", "乙社"), _org("h", "H社")], [
    _e("city-biz", "city", "biz", work="住民税通知の印刷", data_subjects=5000, data=["other"]),
    _e("biz-h", "biz", "h", work="印刷", data_subjects=5000, data=["other"])])
# a prefecture entrusts to a city, which re-entrusts to H
PREFECTURE_CITY = _chain([_org("pref", "甲県", "local_government"), _org("city", "乙市", "local_government"),
                          _org("h", "H社")], [
    _e("pref-city", "pref", "city", work="事務の委託", data_subjects=50, data=["other"]),
    _e("city-h", "city", "h", work="印刷", covers=["pref"], data_subjects=50, data=["other"])])
MY_NUMBER = _chain([_org("emp", "雇用主"), _org("pay", "給与計算会社")], [
    _e("emp-pay", "emp", "pay", work="給与計算", data=["my_number"], data_subjects=40)])
UNKNOWN_PERIOD = _chain([_org("x", "X社"), _org("h", "H社")], [
    {k: v for k, v in _e("x-h", "x", "h", work="w", data_subjects=10, data=["other"]).items() if k != "period"}])


def test_an_intermediary_only_for_the_data_it_holds_for_others():
    """X holds Y's data (y-x) but entrusts only its own to H (covers: [x]): for this leak X is an end
    consignor, with its own people, data and thresholds, not an intermediary."""
    report = breach(intermediary_chain(covers=["x"]), "h", known="2023-10-17")
    x = report.by_id("x")
    assert (x.role, x.also) == ("consignor", None)
    assert x.data_subjects.count == 50000 and x.data == ["payment"]
    assert {t.id: t.met for t in x.thresholds}["payment"] == "met" and x.reporting == "met"
    assert x.duty.kind == "report_to_ppc" and x.deadlines.final.by == "2023-11-16"
    assert (report.totals.consignors, report.totals.intermediaries, report.totals.data_subjects.count) == (1, 0, 50000)
    assert [a.id for a in report.affected] == ["x"]  # Y's data does not reach H


def test_an_organisation_with_both_roles_is_reported_in_each():
    """covers: all (the default): Y's data may go to H along x-h. X is an end consignor for its own
    data and an intermediary for Y's; the totals count X's people once, and the intermediary apart."""
    report = breach(intermediary_chain(), "h", known="2023-10-17")
    own, held = report.by_id("x", "consignor"), report.by_id("x", "intermediary")
    assert (own.also, held.also) == ("intermediary", "consignor")
    assert own.data_subjects.count == 50000 and own.data_subjects.may_include_others
    assert own.duty.kind == "report_to_ppc" and own.reporting == "met"
    assert held.data_subjects is None and held.duty.kind == "notify_consignor" and held.notifies == ["y"]
    assert [(r.kind, r.id) for r in held.routes] == [("entrustment", "x-h")]
    assert {t.id: t.met for t in held.thresholds}["payment"] == "not_met"  # y-x's data: 10 people, other
    t = report.totals
    assert (t.affected, t.consignors, t.intermediaries, t.both) == (2, 2, 1, 1)
    assert (t.data_subjects.count, t.data_subjects.overlap_possible) == (50010, True)
    with pytest.raises(KeyError):
        report.by_id("x")  # two roles: the role must be given
    assert report.by_id("y").notified_by == ["x"]


@pytest.mark.parametrize("handler, consignors, intermediaries", [
    ("a", ["b", "c"], ["c"]),  # B's data reaches A through C (b-c, c-a); C's own data by c-a
    ("b", ["a", "c"], ["a"]),
    ("c", ["a", "b"], ["b"]),
])
def test_roles_in_a_cycle(handler, consignors, intermediaries):
    """A → B → C → A: every one holds data for another, but for a leak at one of them only the
    contractors on the paths to it are intermediaries."""
    report = breach(CYCLE, handler, known="2023-10-17")
    assert sorted(a.id for a in report.affected if a.role == "consignor") == consignors
    assert sorted(a.id for a in report.affected if a.role == "intermediary") == intermediaries


def test_cycle_a_local_government_holding_data_reports_itself():
    """C, a local government, holds B's data on the path b-c → c-a: a 行政機関等 has no proviso and
    reports under Art. 68 itself; A (the handler, a business) notifies C, a 行政機関等 since 2023."""
    report = breach(CYCLE, "a", known="2023-10-17")
    c = report.by_id("c", "intermediary")
    assert c.duty.kind == "report_to_ppc" and [r.id for r in c.duty.references] == ["appi-art68-1", "appi-art68-2"]
    assert c.reports_for == ["b"] and c.deadlines.what == "report"
    a = report.handler_duty
    assert (a.role, a.notifies, a.duty.kind) == ("handler", ["c"], "notify_consignor")
    assert any("a's own personal data" in n.text for n in report.notes)  # the handler's own data is not covered


def test_as_of_takes_the_records_of_that_day_and_the_window_decides():
    """Data handed over in 2015–2018 and disposed of in 2019: as of 2023-01-31 the handling no
    longer stood, but it happened, and the window decides."""
    report = breach(AS_OF, "h", as_of="2023-01-31")
    x = report.by_id("x")
    assert x.status == "certain" and x.data_subjects.count == 5000
    assert [(s.start, s.end) for s in x.routes[0].windows.certain] == [("2015-04-01", "2018-03-31")]
    assert breach(AS_OF, "h", ("2019-04", None), as_of="2023-01-31").totals.affected == 0
    # before the data was handed over, the records held nothing
    assert breach(AS_OF, "h", as_of="2015-03-31").totals.affected == 0


def test_systems_judges_a_route_by_its_paths_through_the_system():
    """H reached s1 in 2020 and s2 in 2022: in 2022 nothing went through s1."""
    window = ("2022-01", "2022-12")
    assert breach(TWO_SYSTEMS, "h", window, systems=["s1"]).totals.affected == 0
    through_s2 = breach(TWO_SYSTEMS, "h", window, systems="s2")  # one id as a string
    assert [a.id for a in through_s2.affected] == ["v", "x"]
    x = through_s2.by_id("x")
    assert [(s.start, s.end) for s in x.routes[0].windows.certain] == [("2022-01-01", "2022-12-31")]
    assert [s.system for s in x.routes[0].path] == ["s2", "s2"]
    assert breach(TWO_SYSTEMS, "h", ("2020-01", "2020-12"), systems=["s1"]).by_id("x").status == "certain"


def test_systems_counts_a_route_whose_shortest_path_avoids_the_system():
    """X's data reaches H by contract (x-v, v-h) and through s1 (v-h places it there, H has access):
    the shortest path avoids s1, but the leak was through s1, and X's data was there."""
    report = breach(THROUGH_SYSTEM, "h", systems=["s1"])
    x = report.by_id("x")
    assert [s.key for s in x.routes[0].path] == ["x-v", "v-h#s1", "h@s1"]
    assert x.data_subjects.count == 5000
    assert report.handler_duty.notifies == ["v"]


def test_the_proviso_depends_on_the_consignor_on_the_day_known():
    """A business holding a city's data: a city is a 行政機関等 only from 2023-04-01; known between
    2022-04-01 and 2023-03-31, the business reports itself."""
    before = breach(CITY_BUSINESS, "h", known="2022-10-03", intent="accidental")
    biz = before.by_id("biz", "intermediary")
    assert biz.duty.kind == "report_to_ppc" and biz.reports_for == ["city"]
    assert [r.id for r in biz.duty.references] == ["appi-art26-1", "appi-art26-2"]
    assert biz.deadlines.what == "report" and biz.deadlines.final.by == "2022-11-02"
    assert before.by_id("city").duty.kind == "no_statutory_duty"
    assert before.handler_duty.duty.kind == "notify_consignor"  # H notifies biz, a business
    after = breach(CITY_BUSINESS, "h", known="2023-10-17", intent="accidental")
    biz = after.by_id("biz", "intermediary")
    assert biz.duty.kind == "notify_consignor" and biz.reports_for == [] and biz.notifies == ["city"]
    assert after.by_id("city").duty.kind == "report_to_ppc"


def test_a_local_government_holding_data_has_no_proviso():
    """A prefecture entrusts to a city, which re-entrusts to H: the city reports under Art. 68
    itself (from 2023-04-01); H, a business, reports itself while the city is no 行政機関等 yet."""
    before = breach(PREFECTURE_CITY, "h", known="2023-02-01", intent="accidental")
    assert before.by_id("city", "intermediary").duty.kind == "no_statutory_duty"
    h = before.handler_duty
    assert h.duty.kind == "report_to_ppc" and h.reports_for == ["city"] and h.reporting == "not_met"
    after = breach(PREFECTURE_CITY, "h", known="2023-10-17", intent="accidental")
    city = after.by_id("city", "intermediary")
    assert city.duty.kind == "report_to_ppc" and city.reports_for == ["pref"]
    assert [r.id for r in city.duty.references] == ["appi-art68-1", "appi-art68-2"]
    assert after.handler_duty.duty.kind == "notify_consignor" and after.handler_duty.notifies == ["city"]


def test_the_ordinance_item_is_always_unknown():
    """条例要配慮個人情報 depends on each body's ordinance, which the chain does not record."""
    report = breach(PREFECTURE_CITY, "h", known="2023-10-17", intent="accidental")
    item = {t.id: t for t in report.by_id("pref").thresholds}["ordinance_sensitive"]
    assert item.met == "unknown" and "ordinance of that body" in item.reason
    assert {t.id: t.met for t in report.by_id("pref").thresholds}["sensitive"] == "not_met"  # data: other
    assert report.by_id("pref").reporting == "unknown"


def test_my_number_data_may_also_have_to_be_reported():
    a = breach(MY_NUMBER, "pay", known="2024-05-01", intent="accidental").by_id("emp")
    assert "may also have to be reported" in a.duty.additional[0].text
    assert "thresholds of its rule" in a.duty.additional[0].text


def test_an_unknown_period_is_possible_never_certain():
    report = breach(UNKNOWN_PERIOD, "h", known="2023-12-01")
    x = report.by_id("x")
    assert (x.status, x.unknown_period) == ("possible", True)
    assert x.routes[0].windows.certain == [] and x.routes[0].windows.unknown_period
    assert report.totals.by_status == {"certain": 0, "possible": 0, "possible_unknown_period": 1}
    # 30 days end on Sunday 2023-12-31, in the year's end: the deadline is Thursday 2024-01-04
    final = x.deadlines.final
    assert (final.counted, final.weekday, final.by, final.by_weekday) == ("2023-12-31", "Sun", "2024-01-04", "Thu")


@pytest.mark.parametrize("known, days, counted, by", [
    (D(2023, 10, 17), 30, "2023-11-16", "2023-11-16"),  # a Thursday
    (D(2023, 10, 17), 60, "2023-12-16", "2023-12-18"),  # Saturday → Monday
    (D(2023, 11, 29), 30, "2023-12-29", "2024-01-04"),  # the year's end
    (D(2024, 12, 4), 30, "2025-01-03", "2025-01-06"),  # 1/3, then a weekend
])
def test_final_deadline_counts_from_the_day_after_and_moves_off_closed_days(known, days, counted, by):
    f = final_deadline(known, days)
    assert (f.counted, f.by, f.moved) == (counted, by, counted != by)


def test_the_handler_notifies_its_consignor():
    report = breach(load_chain(PROCX), "bs", known="2023-10-17", intent="wrongful")
    bs = report.handler_duty
    assert (bs.id, bs.role, bs.notifies, bs.duty.kind) == ("bs", "handler", ["procx"], "notify_consignor")
    assert [r.id for r in bs.duty.references] == ["appi-art26-1-proviso", "appi-art26-2", "appi-rule-9"]
    assert bs.deadlines.what == "notify_consignor" and bs.deadlines.preliminary.from_ == "2023-10-20"
    assert report.handler_notifies == ["procx"]


def test_datetimes_and_one_system_as_a_string():
    chain = load_chain(PROCX)
    with_datetimes = breach(chain, "bs", (datetime.datetime(2013, 7, 1, 9), datetime.datetime(2023, 10, 31, 18)),
                            known=datetime.datetime(2023, 10, 17, 9, 30), as_of=datetime.datetime(2023, 10, 31),
                            systems="procx-cc", intent="wrongful")
    with_dates = breach(chain, "bs", (D(2013, 7, 1), D(2023, 10, 31)), known=D(2023, 10, 17), as_of=D(2023, 10, 31),
                        systems=["procx-cc"], intent="wrongful")
    assert with_datetimes == with_dates and with_dates.systems == ["procx-cc"]


@pytest.mark.parametrize("known", ["2023-10", "令和5年10月", "2023", "R5"])
def test_the_day_known_must_be_a_day(known):
    with pytest.raises(InputError) as caught:
        breach(load_chain(PROCX), "bs", known=known)
    problem = caught.value.problems[0]
    assert problem.file == "--known" and "give the day the leak became known, e.g. 2023-10-17" in problem.message


@pytest.mark.parametrize("known", ["9999-12-31", D(9999, 12, 31), "9999-10-26"])
def test_a_day_known_whose_deadlines_pass_the_last_date_is_refused(known):
    """Its deadlines would be after 9999-12-31: an InputError naming --known, not an OverflowError."""
    with pytest.raises(InputError) as caught:
        breach(load_chain(PROCX), "bs", known=known)
    problem = caught.value.problems[0]
    assert problem.file == "--known" and "after 9999-12-31" in problem.message and "9999-10-25" in problem.message


def test_every_day_known_up_to_the_last_has_its_deadlines():
    from entrustment_chain.graph.analysis.breach import FINAL_DAYS, FINAL_DAYS_WRONGFUL, LAST_KNOWN, PROMPTLY

    day = LAST_KNOWN - datetime.timedelta(400)
    while day <= LAST_KNOWN:
        for days in (FINAL_DAYS, FINAL_DAYS_WRONGFUL):
            assert final_deadline(day, days).by <= "9999-12-31"
        assert day + datetime.timedelta(PROMPTLY[1]) <= D.max
        day += datetime.timedelta(1)
    assert breach(load_chain(PROCX), "bs", known=LAST_KNOWN, intent="unknown").handler_duty.deadlines is not None


def test_the_cli_refuses_a_day_known_too_late_with_exit_2():
    from click.testing import CliRunner

    from entrustment_chain.cli.main import main

    result = CliRunner().invoke(main, ["breach", str(PROCX), "--handler", "bs", "--known", "9999-12-31"])
    assert result.exit_code == 2, result.output
    assert "--known" in result.stderr and "after 9999-12-31" in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("kwargs, option", [
    (dict(handler="nobody"), "--handler"),
    (dict(handler="bs", systems=["no-such-system"]), "--systems"),
    (dict(handler="bs", window=("2023-10", "2013-07")), "--from"),
    (dict(handler="bs", window=("", None)), "--from"),
    (dict(handler="bs", window=(None, "令和元年4月")), "--to"),
    (dict(handler="bs", known=""), "--known"),
    (dict(handler="bs", intent="malicious"), "--intent"),
])
def test_bad_input_is_an_input_error_naming_the_option(kwargs, option):
    chain = load_chain(PROCX)
    kwargs = dict(kwargs)
    handler = kwargs.pop("handler")
    with pytest.raises(InputError) as caught:
        breach(chain, handler, **kwargs)
    assert caught.value.problems[0].file == option


# ---------------------------------------------------------------------------------------------
# The legal bases of a leak report


def test_breach_bases_are_apart_from_the_findings_bases():
    assert BREACH_BASES and not set(BREACH_BASES) & set(BASES)
    assert {"appi-art26-1", "appi-art26-1-proviso", "appi-art26-2", "appi-art68-1", "appi-art68-2", "appi-rule-7",
            "appi-rule-8", "appi-rule-9", "appi-rule-43", "appi-rule-44", "ppc-notice-2017-1",
            "bango-art29-4"} <= set(BREACH_BASES)


def test_every_breach_basis_has_a_reference_a_japanese_citation_and_a_valid_period():
    for key, basis in BREACH_BASES.items():
        assert basis.id == key and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key)
        assert re.fullmatch(r"https://(laws\.e-gov\.go\.jp/law/\d{3}(AC|M6)\d{10}(#Mp-At_\d+)?|www\.ppc\.go\.jp/\S+)",
                            basis.ref), basis.ref
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", basis.ja) and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]",
                                                                                  basis.text)
        first, last = basis.in_force
        assert first is None or last is None or first <= last
    assert BREACH_BASES["appi-rule-7"].ref == "https://laws.e-gov.go.jp/law/428M60020000003#Mp-At_7"
    assert BREACH_BASES["appi-art26-1"].ref == "https://laws.e-gov.go.jp/law/415AC0000000057#Mp-At_26"
    assert len({b.ja for b in BREACH_BASES.values()}) == len(BREACH_BASES)


@pytest.mark.parametrize("kind, intermediary, on, expected", [
    (PRIVATE, False, D(2015, 1, 1), ["ministry-guidelines-leak"]),
    (PRIVATE, False, D(2017, 5, 30), ["ppc-notice-2017-1"]),
    (PRIVATE, False, D(2022, 3, 31), ["ppc-notice-2017-1"]),
    (PRIVATE, False, D(2022, 4, 1), ["appi-art26-1", "appi-art26-2"]),
    (PRIVATE, False, None, ["appi-art26-1", "appi-art26-2"]),
    (PRIVATE, True, D(2022, 4, 1), ["appi-art26-1-proviso", "appi-art26-2", "appi-rule-9"]),
    # the proviso is a business's only: a public body holding data for another reports itself
    (LOCAL, True, D(2023, 4, 1), ["appi-art68-1", "appi-art68-2"]),
    (LOCAL, True, D(2023, 3, 31), ["local-ordinance-leak"]),
    (PUBLIC, True, D(2022, 4, 1), ["appi-art68-1", "appi-art68-2"]),
    (LOCAL, False, D(2022, 4, 1), ["local-ordinance-leak"]),
    (LOCAL, False, D(2023, 3, 31), ["local-ordinance-leak"]),
    (LOCAL, False, D(2023, 4, 1), ["appi-art68-1", "appi-art68-2"]),
    (PUBLIC, False, D(2022, 3, 31), ["public-leak-before-2022"]),
    (PUBLIC, False, D(2022, 4, 1), ["appi-art68-1", "appi-art68-2"]),
])
def test_leak_duty_by_kind_and_day(kind, intermediary, on, expected):
    found = legal.leak_duty_bases(kind, intermediary, on)
    assert [b.id for b in found] == expected
    assert all(on is None or b.in_force_on(on) for b in found)


@pytest.mark.parametrize("kind, on, expected", [
    (PRIVATE, D(2022, 4, 1), True),
    (PUBLIC, D(2022, 4, 1), True),
    (LOCAL, D(2023, 3, 31), False),  # not yet a 行政機関等 of APPI
    (LOCAL, D(2023, 4, 1), True),
    (LOCAL, None, True),
])
def test_proviso_consignor_by_kind_and_day(kind, on, expected):
    assert legal.proviso_consignor(kind, on) is expected


def test_every_breach_basis_is_chosen_somewhere():
    days = [None, D(2010, 1, 1), D(2017, 5, 30), D(2022, 4, 1), D(2023, 4, 1)]
    chosen = {b.id for kind in OrgKind for middle in (False, True) for on in days
              for b in legal.leak_duty_bases(kind, middle, on) + legal.leak_deadline_bases(kind, middle)}
    chosen |= {legal.leak_threshold_basis(kind).id for kind in OrgKind}
    chosen |= {b.id for on in days for b in legal.my_number_leak_bases(on)}
    assert chosen == set(BREACH_BASES)
    assert legal.my_number_leak_bases(D(2015, 12, 31)) == []


def test_my_number_data_adds_the_my_number_act_report():
    data = {
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "emp", "name": "雇用主", "kind": "private"}, {"id": "pay", "name": "給与計算会社"}],
        "entrustments": [{"id": "emp-pay", "consignor": "emp", "contractor": "pay", "personal_data": True,
                          "data": ["my_number"], "data_subjects": 40}],
    }
    a = breach(chain_from_dict(data), "pay", known="2024-05-01", intent="accidental").by_id("emp")
    assert [x.id for x in a.duty.additional] == ["my_number"]
    assert [r.id for r in a.duty.additional[0].references] == ["bango-art29-4", "bango-rule-leak"]
    assert a.reporting == "not_met"  # 40 people, accidental, no sensitive or payment data


# ---------------------------------------------------------------------------------------------
# Neo4j gives the same report


def _same_on_both(store, chain, name, handler, **options):
    from entrustment_chain.graph.neo4j.backend import Neo4jBackend

    try:
        on_neo4j = breach(chain, handler, backend=Neo4jBackend(store, name), **options)
    finally:
        store.drop(name)
    return on_neo4j == breach(chain, handler, **options)


@pytest.mark.neo4j
def test_parity_on_procx(store, dataset):
    options = dict(PROCX_RUN)
    chain = load_chain(PROCX)
    assert _same_on_both(store, chain, dataset, options.pop("handler"), **options)
    assert _same_on_both(store, chain, dataset, "bs", as_of="2023-01-31", window=("2016", None))


@pytest.mark.neo4j
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_parity_on_the_teaching_cases(store, dataset, case):
    chain = load_chain(case / "chain.yaml")
    for run in yaml.safe_load((case / "breach-expected.yaml").read_text(encoding="utf-8")):
        options = {k: str(v) if isinstance(v, datetime.date) else v for k, v in run["options"].items()}
        window = tuple(str(x) if x is not None else None for x in options.pop("window", (None, None)))
        assert _same_on_both(store, chain, dataset, options.pop("handler"), window=window, **options)


SECOND_READING = [
    (intermediary_chain(), "h", {}), (intermediary_chain(covers=["x"]), "h", {}),
    (CYCLE, "a", {"known": "2023-10-17"}), (CYCLE, "c", {"known": "2023-02-01"}),
    (AS_OF, "h", {"as_of": "2023-01-31"}), (AS_OF, "h", {"as_of": "2017-01-31", "window": ("2016", None)}),
    (TWO_SYSTEMS, "h", {"systems": ["s1"], "window": ("2022-01", "2022-12")}),
    (TWO_SYSTEMS, "h", {"systems": ["s2", "s1"], "as_of": "2022-06-30"}),
    (THROUGH_SYSTEM, "h", {"systems": ["s1"]}), (CITY_BUSINESS, "h", {"known": "2022-10-03"}),
    (PREFECTURE_CITY, "h", {"known": "2023-02-01"}), (UNKNOWN_PERIOD, "h", {"known": "2023-12-01"}),
]


@pytest.mark.neo4j
def test_parity_on_the_second_reading_chains(store, dataset):
    for chain, handler, options in SECOND_READING:
        assert _same_on_both(store, chain, dataset, handler, **options), (chain.title, handler, options)
    chain = load_chain(PROCX)
    assert _same_on_both(store, chain, dataset, "bs", systems=["procx-cc"], as_of="2020-01-31")


@pytest.mark.neo4j
def test_parity_on_20_random_chains(store):
    """A handler and a window picked per chain (from its own seeded stream): an organisation some
    data reaches when there is one, a window of a few years, now and then open at one end; now and
    then a system or two (--systems) and an as-of day."""
    mismatches = []
    for seed in range(20):
        chain = chain_from_dict(random_chain(seed))
        rng = random.Random(seed + 20_000)
        reached = [o.id for o in chain.organizations if networkx_reaches(chain, o.id)]
        handler = rng.choice(reached or [o.id for o in chain.organizations])
        start = rng.randint(2010, 2016)
        window = (None if rng.random() < 0.2 else f"{start}-{rng.randint(1, 12):02d}",
                  None if rng.random() < 0.2 else f"{start + rng.randint(0, 4)}-{rng.randint(1, 12):02d}")
        if window[0] and window[1] and window[0] > window[1]:
            window = (window[1], window[0])
        options = dict(window=window, known=rng.choice([None, "2022-05-10", "2023-06-01"]),
                       intent=rng.choice(["wrongful", "accidental", "unknown"]))
        systems = sorted(s.id for s in chain.systems)
        if systems and rng.random() < 0.5:
            options["systems"] = rng.sample(systems, rng.randint(1, min(2, len(systems))))
        if rng.random() < 0.3:
            options["as_of"] = f"{rng.randint(2012, 2020)}-{rng.randint(1, 12):02d}"
        if not _same_on_both(store, chain, f"breach-parity-{seed}", handler, **options):
            mismatches.append(seed)
    assert mismatches == []


@pytest.mark.neo4j
def test_the_browser_query_gives_each_organisation_its_role_for_the_leak(store, dataset):
    """cypher/queries/breach_reach.cypher: the route's own organisation is an end consignor for its
    own data; the contractors on the path hold the data for others (or are the handler)."""
    def roles(chain, handler, **params):
        store.load(chain, dataset=dataset)
        try:
            rows = store.read("queries", "breach_reach", dataset=dataset, handler=handler, **params)
        finally:
            store.drop(dataset)
        return sorted({(r["consignor"], r["role"], r["status"]) for r in rows})

    assert roles(intermediary_chain(covers=["x"]), "h") == [("h", "handler", "certain"), ("x", "consignor", "certain")]
    assert roles(CYCLE, "a") == [("a", "handler", "certain"), ("b", "consignor", "certain"),
                                 ("c", "consignor", "certain"), ("c", "intermediary", "certain")]
    assert roles(UNKNOWN_PERIOD, "h") == [("h", "handler", "possible"), ("x", "consignor", "possible")]
    # as of 2023: the data disposed of in 2019 still counts; the window decides
    assert roles(AS_OF, "h", as_of="2023-01-31") == [("h", "handler", "certain"), ("x", "consignor", "certain")]
    assert roles(AS_OF, "h", as_of="2023-01-31", window_from="2019-04-01") == []
