"""The view per consignor (graph/analysis/consignor.py, graph/reports/consignor_report.py): where one
organisation's data goes — every handler by name, the path by names, told / approved per route, the
windows — and what to do; held to the analysis's own findings on ProCX, every teaching case and
random chains. The goldens are tests/golden/consignor-*; rewrite them with UPDATE_GOLDEN=1 and read
the diff."""
from __future__ import annotations

import os
import re
from datetime import date

import pytest

from entrustment_chain.graph.analysis.consignor import (
    CONSIGNOR_SCHEMA,
    ConsignorView,
    consignor_view,
    undisclosed_pairs,
)
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.ledger import import_ledger
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.reports.consignor_report import (
    consignor_json,
    consignor_markdown,
    consignor_table,
)
from entrustment_chain.graph.reports.columns import width

from conftest import FIXTURES, ROOT, TEACHING
from japanese import untranslated
from randomchains import random_chain

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
SAMPLE_CSV = FIXTURES / "ledger" / "sakura-ledger.cp932.csv"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path} does not exist; write it with UPDATE_GOLDEN=1 and read it"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path.relative_to(ROOT)}"


@pytest.fixture(scope="module")
def sakura_chain():
    return chain_from_dict(import_ledger(SAMPLE_CSV, "sakura"), "sakura-ledger")


@pytest.fixture(scope="module")
def sakura(sakura_chain):
    return consignor_view(sakura_chain, "sakura")


def handler(view: ConsignorView, handler_id: str):
    return next(h for h in view.handlers if h.id == handler_id)


# --- the sample register (さくら通販) ---------------------------------------------------------


def test_every_handler_of_the_sample_register_by_name(sakura, sakura_chain):
    names = {h.id: h.name for h in sakura.handlers}
    assert names == {"himawari": "株式会社ひまわりコールセンター", "tsubaki": "株式会社つばき物流",
                     "momiji": "株式会社もみじ印刷", "sumire": "有限会社すみれテレサービス",
                     "aoi": "株式会社あおい配送", "kaede": "株式会社かえでシステムサービス"}
    # the chain says the same: every organisation the analysis finds reaching sakura's data
    reached = {x.handler for x in analyze(sakura_chain).exposure if "sakura" in x.consignors}
    assert set(names) == reached
    assert all(names[h] == sakura_chain.organizations_by_id[h].name for h in names)
    # nearest first, route by route: the contractor, then who is below it
    assert [h.id for h in sakura.handlers] == ["himawari", "kaede", "sumire", "momiji", "tsubaki", "aoi"]
    assert {h.id for h in sakura.handlers if h.contractor} == {"himawari", "tsubaki", "momiji"}
    assert (sakura.consignor.id, sakura.consignor.name, sakura.consignor.kind.value) == (
        "sakura", "株式会社さくら通販", "private")
    assert not sakura.intermediary and sakura.holds == [] and sakura.not_told_upstream == []
    assert [(r.kind, r.id, r.contractor, r.work) for r in sakura.routes] == [
        ("entrustment", "sakura-himawari", "himawari", "受注・問合せ電話の受付"),
        ("entrustment", "sakura-momiji", "momiji", "カタログ・請求書の印刷と封入"),
        ("entrustment", "sakura-tsubaki", "tsubaki", "商品の保管・梱包・発送")]
    assert [r.period for r in sakura.routes] == ["令和 3 年 4 月～", "令和 4 年 4 月～令和 7 年 3 月",
                                                 "令和 4 年 10 月 1 日～"]
    assert sakura.routes[0].handlers == ["himawari", "kaede", "sumire"]


def test_aoi_and_kaede_were_not_told_sumire_was_told_and_approved(sakura):
    statuses = {h.id: [(r.id, r.disclosed, r.approved, r.restricted) for r in h.routes] for h in sakura.handlers}
    assert statuses["aoi"] == [("sakura-tsubaki", False, False, True)]
    assert statuses["kaede"] == [("sakura-himawari", False, False, True)]
    assert statuses["sumire"] == [("sakura-himawari", True, True, True)]
    assert statuses["himawari"] == [("sakura-himawari", True, True, True)]
    assert {h.id for h in sakura.handlers if h.disclosed is False} == {"aoi", "kaede"}
    assert sakura.summary.not_told == 2 and sakura.summary.not_approved == 2 and sakura.summary.handlers == 6
    aoi, kaede = handler(sakura, "aoi"), handler(sakura, "kaede")
    assert aoi.routes[0].path_text_ja == "株式会社さくら通販 →（委託）株式会社つばき物流 →（再委託）株式会社あおい配送"
    assert kaede.routes[0].path_text_ja == ("株式会社さくら通販 →（データ格納）［顧客対応システム］ →（アクセス・保守）"
                                            "株式会社かえでシステムサービス")
    assert [(s.type, s.source, s.target) for s in kaede.routes[0].path] == [
        ("PLACES_DATA_IN", "sakura", "顧客対応システム"), ("ACCESSIBLE_BY", "顧客対応システム", "kaede")]
    assert (aoi.routes[0].signer, kaede.routes[0].signer) == ("tsubaki", "himawari")
    assert {f.rule for f in aoi.findings} == {"undisclosed_subcontracting", "unapproved_subcontracting"}
    assert handler(sakura, "sumire").findings == []


def test_windows_of_the_sample_register(sakura):
    def spans(handler_id):
        w = handler(sakura, handler_id).routes[0].windows
        return [x.wareki for x in w.certain], [x.wareki for x in w.possible], w.unknown_period

    # sumire: re-entrusted 令和3年12月～令和6年3月, nothing disposed of: possibly still holding it
    assert spans("sumire") == (["令和 3 年 12 月～令和 6 年 3 月"], ["令和 6 年 4 月～"], False)
    # aoi: its contract has no period; certain while tsubaki's contract runs, and said to rest on it
    assert spans("aoi") == (["令和 4 年 10 月～"], [], True)
    assert spans("kaede") == (["令和 3 年 4 月～"], [], False)
    w = handler(sakura, "sumire").routes[0].windows
    assert (w.certain[0].start, w.certain[0].end, w.possible[0].start, w.possible[0].end) == (
        "2021-12-01", "2024-03-31", "2024-04-01", None)


def test_what_the_sample_register_must_do(sakura):
    def acts(handler_id):
        return [(a.type, a.by, a.to, a.about, a.route, a.required) for a in handler(sakura, handler_id).actions]

    assert acts("aoi") == [("inform", "tsubaki", "sakura", "aoi", "sakura-tsubaki", True),
                           ("approve", "sakura", "tsubaki", "aoi", "sakura-tsubaki", True)]
    assert acts("kaede") == [("inform", "himawari", "sakura", "kaede", "sakura-himawari", True),
                             ("approve", "sakura", "himawari", "kaede", "sakura-himawari", True)]
    assert all(acts(h) == [] for h in ("himawari", "sumire", "momiji", "tsubaki"))
    inform, approve = handler(sakura, "aoi").actions
    assert inform.text_ja == ("株式会社つばき物流（tsubaki）は、株式会社あおい配送（aoi）がデータを取り扱っていることを"
                              "株式会社さくら通販（sakura）に説明する（経路：株式会社さくら通販から株式会社つばき物流への委託（sakura-tsubaki））。")
    assert "approve" in approve.text and "refuse" in approve.text and "承認するか、拒否して" in approve.text_ja
    # the consignor's own findings, each with what to do
    own = {f.rule: f for f in sakura.findings}
    assert set(own) == {"could_not_supervise", "missing_safeguard_clause", "weak_supervision",
                        "subcontracting_not_checked"}
    assert own["could_not_supervise"].actions == []
    [add] = own["missing_safeguard_clause"].actions
    assert (add.type, add.by, add.to, add.route) == ("add_clauses", "sakura", "tsubaki", "sakura-tsubaki")
    assert "廃棄の安全管理" in add.text_ja and "disposal safety" in add.text
    assert [a.type for a in own["weak_supervision"].actions] == ["supervise"]
    assert "実地確認" in own["weak_supervision"].actions[0].text_ja
    assert [a.type for a in own["subcontracting_not_checked"].actions] == ["check_subcontracting"]
    assert all(f.legal_references for f in sakura.findings)
    assert sakura.summary.actions == 7


def test_the_sample_register_goldens(sakura, sakura_chain):
    ja, en, table = consignor_markdown(sakura, "ja"), consignor_markdown(sakura, "en"), consignor_table(sakura, "ja")
    golden("consignor-sakura.ja.md", ja)
    golden("consignor-sakura.en.md", en)
    golden("consignor-sakura.ja.table.txt", table)
    assert untranslated(ja, sakura_chain) == []
    assert untranslated(table, sakura_chain) == []
    # the must-show, in the Japanese markdown
    for name in ("株式会社ひまわりコールセンター", "株式会社つばき物流", "株式会社もみじ印刷", "有限会社すみれテレサービス",
                 "株式会社あおい配送", "株式会社かえでシステムサービス"):
        assert f"| {name}（" in ja
    assert "| 株式会社あおい配送（aoi） | 株式会社さくら通販 →（委託）株式会社つばき物流 →（再委託）株式会社あおい配送 | " \
           "説明なし | 承認なし | あり | 確実 令和 4 年 10 月～（期間不明の要素あり） |" in ja
    assert "| 有限会社すみれテレサービス（sumire） |" in ja and "説明あり | 承認あり" in ja
    assert "](https://laws.e-gov.go.jp/law/415AC0000000057#Mp-At_25)" in ja  # legal bases with links
    assert "## 対応すべきこと" in ja


def test_the_table_pads_by_display_width(sakura):
    for lang in ("ja", "en"):
        text = consignor_table(sakura, lang)
        blocks = re.split(r"\n(?=経路：|route: )", text)
        assert len(blocks) == 4
        for block in blocks[1:]:
            head, *rows = block.split("\n\n")[0].splitlines()[1:]
            column = width(head[:head.index("経路図" if lang == "ja" else "path")])
            # every row's path (it starts with the consignor's name) begins in the header's column
            assert [width(row[:row.index("株式会社さくら通販 →")]) for row in rows] == [column] * len(rows), block


def test_json_is_the_versioned_document(sakura):
    data = sakura.to_json_dict()
    assert data["schema"] == CONSIGNOR_SCHEMA == "entrustment-chain/consignor/v1"
    assert ConsignorView.model_validate(data) == sakura
    assert consignor_json(sakura).startswith('{\n  "schema": "entrustment-chain/consignor/v1"')
    assert "株式会社あおい配送" in consignor_json(sakura)  # UTF-8, not \u escapes


def test_every_field_is_described():
    from entrustment_chain.graph.analysis import consignor

    models = [v for v in vars(consignor).values()
              if isinstance(v, type) and issubclass(v, consignor.BaseModel) and v.__module__ == consignor.__name__
              and not v.__name__.startswith("_")]
    assert len(models) >= 9
    for model in models:
        assert model.model_config.get("extra") == "forbid", model
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


# --- an unknown id, --as-of ---------------------------------------------------------------------


def test_an_unknown_consignor_is_named_with_close_ids(sakura_chain):
    with pytest.raises(InputError) as raised:
        consignor_view(sakura_chain, "sakra")
    [problem] = raised.value.problems
    assert (problem.file, problem.field) == ("--consignor", "consignor")
    assert problem.message == "no organisation 'sakra' in the chain file (did you mean 'sakura' (株式会社さくら通販)?)"
    with pytest.raises(InputError, match=r"'つばき' in the chain file \(did you mean 'tsubaki' \(株式会社つばき物流\)\?\)"):
        consignor_view(sakura_chain, "つばき")  # a name typed for an id
    with pytest.raises(InputError, match=r"^--consignor: consignor: no organisation 'zzz' in the chain file$"):
        consignor_view(sakura_chain, "zzz")


def test_as_of_takes_the_chain_as_it_stood(sakura_chain):
    day = date(2022, 1, 31)  # before the contracts with momiji (2022-04) and tsubaki (2022-10)
    view = consignor_view(sakura_chain, "sakura", as_of=day)
    assert view.as_of == "2022-01-31"
    assert [h.id for h in view.handlers] == ["himawari", "kaede", "sumire"]
    assert [r.id for r in view.routes] == ["sakura-himawari"]
    assert handler(view, "sumire").routes[0].windows.certain[0].end == "2022-01-31"
    assert undisclosed_pairs(view) == {"kaede": ["sakura-himawari"]}
    md = consignor_markdown(view, "ja")
    assert "基準日 令和 4 年 1 月 31 日時点" in md and untranslated(md, sakura_chain) == []
    with pytest.raises(ValueError, match="as of 2022-01-31"):
        consignor_view(sakura_chain, "sakura", analyze(sakura_chain), as_of=day)


def test_as_of_on_procx_f_is_still_within_bs_reach(procx_chain):
    view = consignor_view(procx_chain, "f", as_of=date(2023, 1, 31))  # F社: 平成27年3月～同年5月, never disposed of
    bs = handler(view, "bs")
    assert bs.disclosed is False
    w = bs.routes[0].windows
    assert w.possible[-1].end == "2023-01-31" and w.certain[0].wareki == "平成 27 年 3 月～同年 5 月"


# --- ProCX: a consignor, the intermediary, a handler ------------------------------------------


def test_procx_consignor_b_never_told_of_bs(procx_chain, procx_analysis):
    view = consignor_view(procx_chain, "b", procx_analysis)
    assert [h.id for h in view.handlers] == ["procx", "bs"]
    bs = handler(view, "bs")
    [route] = bs.routes
    assert (route.kind, route.id, route.disclosed, route.approved, route.restricted, route.signer) == (
        "entrustment", "b-procx", False, False, True, "procx")
    assert [s.system for s in route.path] == ["procx-cc", "procx-cc"]  # through the call-centre system
    assert route.path_text_ja == ("B社 →（データ格納）［コールセンターシステム］ →（アクセス・保守）"
                                  "NTTビジネスソリューションズ株式会社")
    assert [(a.type, a.by, a.to) for a in bs.actions] == [("inform", "procx", "b"), ("approve", "b", "procx")]
    assert handler(view, "procx").disclosed is True
    assert {f.rule for f in view.findings} == {"could_not_supervise", "no_safeguard_clauses", "weak_supervision"}


def test_procx_is_shown_as_the_intermediary_it_is(procx_chain, procx_analysis):
    view = consignor_view(procx_chain, "procx", procx_analysis)
    assert view.intermediary
    assert [(r.kind, r.id, r.own_system, len(r.held_for)) for r in view.routes] == [("system", "procx-cc", False, 69)]
    [bs] = view.handlers
    assert (bs.id, bs.disclosed, bs.approved, bs.actions) == ("bs", True, True, [])  # it let BS in itself
    assert len(view.holds) == 69 and {x.consignor for x in view.holds} == {p.id for p in view.handler_of}
    # its own duty as a contractor: tell each of the 69 that BS handles their data
    assert len(view.not_told_upstream) == 69
    assert {(u.handler, u.signer) for u in view.not_told_upstream} == {("bs", "procx")}
    assert all([(a.type, a.by, a.to) for a in u.actions] == [("inform", "procx", u.consignor)]
               for u in view.not_told_upstream)
    [misclassified] = view.findings
    assert misclassified.rule == "misclassified_subcontract" and misclassified.entrustment == "procx-bs"
    assert [a.type for a in misclassified.actions] == ["reclassify"]
    assert "データを預けている委託元" in misclassified.actions[0].text_ja
    md = consignor_markdown(view, "ja")
    assert "## 受託者として預かっているデータ" in md and "次の 69 者は説明を受けていない" in md
    assert untranslated(md, procx_chain) == [] and untranslated(consignor_table(view, "ja"), procx_chain) == []


def test_an_organisation_with_no_route_is_shown_by_whose_data_it_handles(procx_chain, procx_analysis):
    view = consignor_view(procx_chain, "bs", procx_analysis)
    assert view.routes == [] and view.handlers == [] and not view.intermediary
    assert len(view.handler_of) == 70 and "procx" in {p.id for p in view.handler_of}
    md = consignor_markdown(view, "ja")
    assert "この組織のデータの経路は記録にない" in md and "B社（b）" in md
    assert untranslated(md, procx_chain) == []


# --- teaching cases: per route ------------------------------------------------------------------


def test_told_for_one_contract_is_told_on_that_route_only():
    chain = load_chain(FIXTURES / "teaching" / "told-for-one-contract" / "chain.yaml")
    h = handler(consignor_view(chain, "c"), "h")
    by_route = {r.id: (r.disclosed, r.approved) for r in h.routes}
    assert by_route == {"c-a": (True, True), "c-b": (False, False)}
    assert h.disclosed is False
    assert [(a.type, a.route) for a in h.actions] == [("inform", "c-b"), ("approve", "c-b")]


def test_two_routes_one_restricted_asks_for_approval_where_it_is_restricted():
    chain = load_chain(FIXTURES / "teaching" / "two-routes-one-restricted" / "chain.yaml")
    view = consignor_view(chain, "c")
    h = handler(view, "h")
    assert [(r.id, len(r.path), r.disclosed, r.approved, r.restricted) for r in h.routes] == [
        ("c-b", 2, False, False, False), ("c-a", 3, False, False, True)]
    assert [(a.type, a.route, a.by) for a in h.actions] == [("inform", "c-b", "b"), ("inform", "c-a", "x"),
                                                             ("approve", "c-a", "c")]
    md = consignor_markdown(view, "ja")
    assert "| H社（h） | C社 →（委託）B社 →（再委託）H社 | 説明なし | 承認なし | なし |" in md
    assert "| H社（h） | C社 →（委託）A社 →（再委託）X社 →（再委託）H社 | 説明なし | 承認なし | あり |" in md


def test_unknown_lists_are_unknown_and_ask_to_find_out():
    chain = chain_from_dict({"schema": "entrustment-chain/v1", "organizations": [
        {"id": "c", "name": "C社"}, {"id": "a", "name": "A社"}, {"id": "h", "name": "H社"}],
        "entrustments": [
            {"id": "c-a", "consignor": "c", "contractor": "a", "personal_data": True,
             "clauses": {"subcontract_restriction": True}},  # lists not recorded (null)
            {"id": "a-h", "consignor": "a", "contractor": "h", "personal_data": True}]})
    view = consignor_view(chain, "c")
    h = handler(view, "h")
    assert (h.routes[0].disclosed, h.routes[0].approved, h.disclosed) == (None, None, None)
    assert [(a.type, a.by, a.to) for a in h.actions] == [("record_disclosure", "c", "a"),
                                                         ("record_approval", "c", "a")]
    assert undisclosed_pairs(view) == {"h": ["c-a"]}  # the analysis counts unknown as not told
    assert view.summary.told_unknown == 1 and view.summary.not_told == 0
    assert "説明なし 0 者、説明の有無が不明 1 者" in consignor_markdown(view, "ja")
    assert "| H社（h） | C社 →（委託）A社 →（再委託）H社 | 不明 | 不明 | あり |" in consignor_markdown(view, "ja")


@pytest.mark.parametrize("case", TEACHING, ids=lambda p: p.name)
def test_teaching_cases_read_in_japanese(case):
    chain = load_chain(case / "chain.yaml")
    analysis = analyze(chain)
    countries = {o.country for o in chain.organizations if o.country} | {s.location for s in chain.systems
                                                                           if s.location}
    for org in chain.organizations:
        view = consignor_view(chain, org.id, analysis)
        for text in (consignor_markdown(view, "ja"), consignor_table(view, "ja")):
            assert untranslated(text, chain, allowed=countries) == [], (org.id, text)


# --- parity with the analysis -------------------------------------------------------------------


def assert_parity(chain, as_of=None):
    """For every organisation with a route: the handlers the view says it was not told of, on
    which routes, are the analysis's undisclosed_subcontracting findings; the routes that
    restrict re-entrustment where it did not approve are its unapproved_subcontracting findings."""
    analysis = analyze(chain, as_of=as_of)
    undisclosed: dict[str, dict[str, list[str]]] = {}
    unapproved: dict[str, dict[str, list[str]]] = {}
    for f in analysis.by_rule("undisclosed_subcontracting"):
        undisclosed.setdefault(f.consignor, {})[f.handler] = [r.id for r in f.routes]
    for f in analysis.by_rule("unapproved_subcontracting"):
        unapproved.setdefault(f.consignor, {})[f.handler] = [r.id for r in f.routes]
    checked = 0
    for org in chain.organizations:
        view = consignor_view(chain, org.id, analysis, as_of=as_of)
        assert undisclosed_pairs(view) == undisclosed.get(org.id, {}), org.id
        assert {h.id: [r.id for r in h.routes if r.restricted and r.approved is not True] for h in view.handlers
                if any(r.restricted and r.approved is not True for r in h.routes)} == unapproved.get(org.id, {})
        flagged = {(f.rule, h.id) for h in view.handlers for f in h.findings}
        assert {("undisclosed_subcontracting", h) for h in undisclosed.get(org.id, {})} <= flagged
        checked += bool(view.routes)
    return checked


def test_parity_on_procx(procx_chain):
    assert assert_parity(procx_chain) == 70  # 69 consignors and ProCX


@pytest.mark.parametrize("case", TEACHING, ids=lambda p: p.name)
def test_parity_on_the_teaching_cases(case):
    assert assert_parity(load_chain(case / "chain.yaml")) >= 1


@pytest.mark.parametrize("seed", range(20))
def test_parity_on_random_chains(seed):
    chain = chain_from_dict(random_chain(seed))
    assert_parity(chain)
    if seed % 5 == 0:  # and as the chain stood on a day
        assert_parity(chain, as_of=date(2013, 6, 1))


def test_parity_on_the_sample_register(sakura_chain):
    assert assert_parity(sakura_chain) == 3  # sakura, and the intermediaries himawari and tsubaki


def test_what_an_intermediary_holds_is_named_not_shown_by_id(sakura_chain):
    """The entrustments it holds data under (a system's, the holds table) and the routes of the
    organisations not told of a handler are named; their ids only in parentheses."""
    view = consignor_view(sakura_chain, "himawari")
    for lang, named in (("ja", "株式会社さくら通販から株式会社ひまわりコールセンターへの委託（sakura-himawari）"),
                        ("en", "株式会社さくら通販's entrustment to 株式会社ひまわりコールセンター (sakura-himawari)")):
        page = consignor_markdown(view, lang)
        assert f"：{named}" in page or f": {named}" in page
        assert f"| {named} |" in page
        assert not re.search(r"\| sakura-himawari \||[：:] ?sakura-himawari$", page, re.M)
