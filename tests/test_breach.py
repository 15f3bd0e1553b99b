"""`breach` (issue 13): when a handler leaks, who must report, about how many people, by when.

The ProCX case as the issue states it, the two teaching cases against their breach-expected.yaml,
the legal bases of a leak report (BREACH_BASES, kept apart from the findings' BASES), bad input,
and the Neo4j backend giving the same report on the fixtures and on random chains."""
import datetime
import random
import re

import pytest
import yaml

from entrustment_chain.graph.analysis import legal
from entrustment_chain.graph.analysis.breach import BREACH_SCHEMA, breach, networkx_reaches
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
    assert (t.affected, t.consignors, t.intermediaries) == (70, 69, 1)
    assert t.by_kind == {"private": 30, "local_government": 38, "public_agency": 1}
    assert t.by_duty == {"report_to_ppc": 69, "notify_consignor": 1, "no_statutory_duty": 0}
    assert t.by_reporting == {"met": 69, "unknown": 0, "not_met": 0}
    # the 17 consignors whose figures were published; the other 52 have none
    assert (t.data_subjects.count, t.data_subjects.unknown, t.data_subjects.approximate) == (584000, 52, True)
    assert report.handler_notifies == ["procx"]  # BS notifies ProCX (under procx-bs)
    assert report.to_json_dict()["schema"] == BREACH_SCHEMA


def test_procx_is_the_intermediary_that_notifies_its_69_consignors(procx):
    chain, report = procx
    procx_ = report.by_id("procx")
    consignors = sorted(e.consignor for e in chain.entrustments if e.contractor == "procx")
    assert procx_.role == "intermediary" and procx_.data_subjects is None
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
    assert a.kind == kind and a.role == "consignor" and a.status == "certain"
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
    assert (d.final.days, d.final.by, d.final_if_wrongful) == (60, "2023-12-16", None)
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
    assert (a.deadlines.final.days, a.deadlines.final.by) == (30, "2023-11-16")
    assert (a.deadlines.final_if_wrongful.days, a.deadlines.final_if_wrongful.by) == (60, "2023-12-16")


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
    # 2020: an effort duty under the PPC's notice of 2017
    early = breach(chain, "bs", known="2020-01-10", intent="wrongful")
    assert [r.id for r in early.by_id("b").duty.references] == ["ppc-notice-2017-1"]
    assert [r.id for r in early.by_id("x-a01").duty.references] == ["public-leak-before-2022"]
    assert early.totals.by_duty["no_statutory_duty"] == 70


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
    by_id = {a["id"]: a for a in report["affected"]}
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


@pytest.mark.neo4j
def test_parity_on_20_random_chains(store):
    """A handler and a window picked per chain (from its own seeded stream): an organisation some
    data reaches when there is one, a window of a few years, now and then open at one end."""
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
        if not _same_on_both(store, chain, f"breach-parity-{seed}", handler, **options):
            mismatches.append(seed)
    assert mismatches == []
