"""The legal basis by the consignor's kind and the date of the conduct: each era of each kind,
its boundaries (a boundary day belongs to the new era), an unknown date as today's law, the
references and ids, and legal_basis() as it was before dates came in."""
import datetime
import re

import pytest

from entrustment_chain.graph.analysis.legal import BASES, LegalBasis, legal_basis, legal_bases
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.model.chain import OrgKind

D = datetime.date
PRIVATE, LOCAL, PUBLIC = OrgKind.private, OrgKind.local_government, OrgKind.public_agency
EXAMPLE_NO = {"not_monitored": 1, "no_instructions": 2, "no_conditions": 3, "unknown_subcontract": 4}
# A date in every era of every kind, and the days either side of every boundary.
DATES = [D(2004, 1, 1), D(2005, 4, 1), D(2015, 4, 1), D(2017, 5, 29), D(2017, 5, 30), D(2020, 4, 1),
         D(2022, 3, 31), D(2022, 4, 1), D(2023, 3, 31), D(2023, 4, 1), D(2024, 4, 1), D(2100, 1, 1)]


# the rules about supervising contractors (委託先の監督); the others cite their own law (below)
SUPERVISION = [rule_id for rule_id, rule in RULES.items() if rule.law == "supervision"]


def ids(rule_id: str, kind: OrgKind, on: datetime.date | None) -> list[str]:
    return [b.id for b in legal_bases(RULES[rule_id], kind, on)]


def with_example(rule_id: str, section: str) -> list[str]:
    example = RULES[rule_id].example
    return [f"ppc-guidelines-general-{section}-example-{EXAMPLE_NO[example]}"] if example else []


@pytest.mark.parametrize("rule_id", SUPERVISION)
@pytest.mark.parametrize("on, expected, section", [
    (D(2015, 4, 1), ["appi-2005-art22", "ministry-guidelines"], None),
    (D(2017, 5, 29), ["appi-2005-art22", "ministry-guidelines"], None),
    (D(2017, 5, 30), ["appi-2005-art22", "ppc-guidelines-general-3-3-4"], "3-3-4"),
    (D(2020, 4, 1), ["appi-2005-art22", "ppc-guidelines-general-3-3-4"], "3-3-4"),
    (D(2022, 3, 31), ["appi-2005-art22", "ppc-guidelines-general-3-3-4"], "3-3-4"),
    (D(2022, 4, 1), ["appi-2022-art25", "ppc-guidelines-general-3-4-4"], "3-4-4"),
    (D(2023, 4, 1), ["appi-2022-art25", "ppc-guidelines-general-3-4-4"], "3-4-4"),
])
def test_private_eras(rule_id, on, expected, section):
    """The PPC Guidelines' 事例 come with the guidelines (from 2017-05-30), never before."""
    assert ids(rule_id, PRIVATE, on) == expected + (with_example(rule_id, section) if section else [])


@pytest.mark.parametrize("on, expected", [
    (D(2019, 4, 1), ["local-ordinance"]),
    (D(2022, 4, 1), ["local-ordinance"]),  # national bodies moved a year earlier
    (D(2023, 3, 31), ["local-ordinance"]),
    (D(2023, 4, 1), ["appi-art66", "office-guide-4-3-1-1-3"]),
    (D(2024, 4, 1), ["appi-art66", "office-guide-4-3-1-1-3"]),
])
def test_local_government_eras(on, expected):
    for rule_id in SUPERVISION:
        assert ids(rule_id, LOCAL, on) == expected


@pytest.mark.parametrize("on, expected", [
    (D(2015, 4, 1), ["gyosei-hogo-art6", "dokuho-art7"]),
    (D(2022, 3, 31), ["gyosei-hogo-art6", "dokuho-art7"]),
    (D(2022, 4, 1), ["appi-art66", "office-guide-4-3-1-1-3"]),
    (D(2023, 4, 1), ["appi-art66", "office-guide-4-3-1-1-3"]),
])
def test_public_agency_eras(on, expected):
    for rule_id in SUPERVISION:
        assert ids(rule_id, PUBLIC, on) == expected


@pytest.mark.parametrize("kind", list(OrgKind))
def test_unknown_date_is_todays_law(kind):
    for rule in RULES.values():
        assert legal_bases(rule, kind, None) == legal_bases(rule, kind, D(2023, 4, 1)) \
            == legal_bases(rule, kind, D(2100, 1, 1))


def test_a_datetime_counts_by_its_day():
    rule = RULES["undisclosed_subcontracting"]
    assert legal_bases(rule, PRIVATE, datetime.datetime(2022, 3, 31, 23, 59)) == \
        legal_bases(rule, PRIVATE, D(2022, 3, 31))


def test_before_2005_the_first_era_is_cited():
    for rule in RULES.values():
        for kind in OrgKind:
            assert legal_bases(rule, kind, D(2004, 1, 1)) == legal_bases(rule, kind, D(2005, 4, 1))


@pytest.mark.parametrize("kind", list(OrgKind))
@pytest.mark.parametrize("on", DATES[1:])
def test_every_basis_cited_is_in_force_that_day(kind, on):
    for rule in RULES.values():
        if rule.law == "my_number" and on < D(2015, 10, 5):
            continue  # no My Number data before the My Number Act: the Act is cited all the same
        for basis in legal_bases(rule, kind, on):
            assert basis.in_force_on(on), (basis.id, on)


def test_every_basis_has_a_reference_a_japanese_citation_and_a_valid_period():
    assert BASES and all(isinstance(b, LegalBasis) for b in BASES.values())
    for key, basis in BASES.items():
        assert basis.id == key
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", basis.id), basis.id
        assert re.fullmatch(r"https://(laws\.e-gov\.go\.jp/law/\d{3}AC\d{10}(/\d{8}_\d{3}AC\d{10})?#Mp-At_\d+"
                            r"|laws\.e-gov\.go\.jp/law/\d{3}AC\d{10}|www\.ppc\.go\.jp/\S+)", basis.ref), basis.ref
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", basis.ja), basis.ja
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", basis.text), basis.text
        first, last = basis.in_force
        for day in (first, last):
            assert day is None or D.fromisoformat(day).isoformat() == day
        assert first is None or last is None or first <= last


def test_every_basis_is_reachable_and_ids_are_unique():
    cited = {b.id for rule in RULES.values() for kind in OrgKind for on in [None, *DATES]
             for b in legal_bases(rule, kind, on)}
    assert cited == set(BASES)
    assert len({b.text for b in BASES.values()}) == len({b.ja for b in BASES.values()}) == len(BASES)


def test_the_ids_are_the_published_ones():
    """Ids are a contract: findings may carry them. These must never change."""
    assert set(BASES) == {
        "appi-2022-art25", "appi-2005-art22", "ppc-guidelines-general-3-4-4", "ppc-guidelines-general-3-3-4",
        "ministry-guidelines", "local-ordinance", "appi-art66", "office-guide-4-3-1-1-3", "gyosei-hogo-art6",
        "dokuho-art7", *(f"ppc-guidelines-general-{s}-example-{n}" for s in ("3-4-4", "3-3-4") for n in range(1, 5)),
        "bango-art10-1", "appi-2022-art28", "appi-2017-art24", "appi-2005-art23", "appi-art71",
        "ppc-guidelines-foreign"}
    assert BASES["appi-2022-art25"].ref == "https://laws.e-gov.go.jp/law/415AC0000000057#Mp-At_25"
    assert BASES["appi-art66"].ref == "https://laws.e-gov.go.jp/law/415AC0000000057#Mp-At_66"
    assert BASES["gyosei-hogo-art6"].ref == "https://laws.e-gov.go.jp/law/415AC0000000058#Mp-At_6"
    assert BASES["dokuho-art7"].ref == "https://laws.e-gov.go.jp/law/415AC0000000059#Mp-At_7"
    assert BASES["appi-2005-art22"].ref.endswith("#Mp-At_22")


# What legal_basis() returned before the date came in, written out: it must not change.
ART_25 = "APPI Art. 25 (個人情報保護法第25条 委託先の監督)"
GUIDELINES = "PPC Guidelines (General Rules) 3-4-4 (ガイドライン（通則編）3-4-4 委託先の監督)"
ART_66 = "APPI Art. 66 (個人情報保護法第66条 安全管理措置; 66(2): contractors at every stage of entrustment)"
OFFICE_GUIDE = "事務対応ガイド（行政機関等向け）4-3-1-1(3) 委託先の監督"
OLD_EXAMPLES = {
    "not_monitored": "3-4-4 事例1: 委託先の安全管理措置の状況を契約締結時及びそれ以後も適宜把握しなかった",
    "no_instructions": "3-4-4 事例2: 必要な安全管理措置の内容を委託先に指示しなかった",
    "no_conditions": "3-4-4 事例3: 再委託の条件に関する指示を行わず、委託先の取扱状況の確認を怠った",
    "unknown_subcontract": "3-4-4 事例4: 再委託の報告を求めるなどの措置を行わず、委託元の認知しない再委託が行われた",
}


@pytest.mark.parametrize("rule_id", SUPERVISION)
def test_legal_basis_is_unchanged(rule_id):
    rule = RULES[rule_id]
    private = [ART_25, GUIDELINES] + ([OLD_EXAMPLES[rule.example]] if rule.example else [])
    assert legal_basis(rule, PRIVATE) == private
    assert legal_basis(rule, LOCAL) == legal_basis(rule, PUBLIC) == [ART_66, OFFICE_GUIDE]
    for kind in OrgKind:
        assert legal_basis(rule, kind) == [b.text for b in legal_bases(rule, kind, None)]


def test_my_number_cites_the_my_number_act_whoever_the_consignor_is():
    for kind in OrgKind:
        for on in (None, D(2016, 1, 1), D(2024, 4, 1)):
            assert ids("my_number_without_permission", kind, on) == ["bango-art10-1"]
    assert BASES["bango-art10-1"].ref == "https://laws.e-gov.go.jp/law/425AC0000000027#Mp-At_10"


@pytest.mark.parametrize("kind, on, expected", [
    (PRIVATE, D(2015, 4, 1), ["appi-2005-art23"]),
    (PRIVATE, D(2017, 5, 30), ["appi-2017-art24", "ppc-guidelines-foreign"]),
    (PRIVATE, D(2022, 3, 31), ["appi-2017-art24", "ppc-guidelines-foreign"]),
    (PRIVATE, D(2022, 4, 1), ["appi-2022-art28", "ppc-guidelines-foreign"]),
    (PRIVATE, None, ["appi-2022-art28", "ppc-guidelines-foreign"]),
    (LOCAL, D(2022, 4, 1), ["local-ordinance"]),
    (LOCAL, D(2023, 4, 1), ["appi-art71"]),
    (PUBLIC, D(2022, 3, 31), ["gyosei-hogo-art6", "dokuho-art7"]),
    (PUBLIC, D(2022, 4, 1), ["appi-art71"]),
])
def test_cross_border_eras(kind, on, expected):
    assert ids("cross_border_handling", kind, on) == expected
