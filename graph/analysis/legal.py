"""The legal basis of each finding: by the kind of the consignor and the date of the conduct.

What a consignor had to do about its contractors depends on who it is and on when it acted,
because Japanese privacy law changed in three steps. :func:`legal_bases` cites the provisions
in force on the date of the conduct (the start of the handling window or of the entrustment);
an unknown date gets today's law. A date exactly on a boundary belongs to the new era.

Businesses (個人情報取扱事業者, kind ``private``) must supervise their contractors (委託先の監督):

- until 2022-03-31 under APPI Art. 22, since 2022-04-01 under Art. 25 (the same duty, renumbered
  when the 2020 and 2021 amendments took effect);
- explained since 2017-05-30 by the PPC Guidelines (General Rules), whose examples (事例) of
  supervision that was not "necessary and appropriate" are cited where one fits the finding
  (``Rule.example``). The section is 3-4-4 since the edition that took effect on 2022-04-01 and
  was 3-3-4 before it (the 2020 amendment's 不適正利用の禁止 became 3-2 and moved it down);
- before 2017-05-30 by the competent minister's guidelines for the business's sector
  (事業等分野ごとの主務大臣のガイドライン, e.g. 経済産業分野ガイドライン), which the PPC Guidelines
  replaced; until then a business holding the data of 5,000 people or fewer was not a
  個人情報取扱事業者 at all.

Local governments (地方公共団体, kind ``local_government``) followed their own personal
information protection ordinance (個人情報保護条例) until 2023-03-31: there is one per body and
the model cannot name it, so the basis says that the ordinance of that body applies. Since
2023-04-01 they are 行政機関等 under APPI Art. 66, like the national bodies below.

National bodies (行政機関等, kind ``public_agency``: 行政機関 and 独立行政法人等 alike, which the
model does not tell apart) were under 行政機関個人情報保護法 Art. 6 or 独立行政法人等個人情報保護法
Art. 7 (安全確保の措置; paragraph 2 of each binds the contractor) until 2022-03-31; both are
cited. Since 2022-04-01 APPI Art. 66 applies, whose paragraph 2 reaches contractors at every
stage of entrustment, with the PPC's 事務対応ガイド（行政機関等向け）4-3-1-1(3) on supervising
contractors.

The law begins here on 2005-04-01 (APPI's duties and both public-sector acts took effect then):
an earlier date is cited as that day, the model going no further back.

Every basis has a stable id (findings may carry it), an English text with the Japanese in
brackets, the Japanese citation as an officer writes it, and a reference: an e-Gov law page
with the article's anchor (for APPI's former Art. 22, the version in force from 2017-05-30, as
today's Art. 22 is another provision), or the PPC's page. Sources: e-Gov 法令検索 (APPI
415AC0000000057; 行政機関個人情報保護法 415AC0000000058; 独立行政法人等個人情報保護法
415AC0000000059), the PPC Guidelines (General Rules), and the PPC's pages on the 2021
amendment and on the guidelines for 行政機関等.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from entrustment_chain.graph.analysis.registry import Rule
from entrustment_chain.graph.model.chain import OrgKind

# The eras' first days; a date on a boundary belongs to the era that begins there.
APPI_IN_FORCE = datetime.date(2005, 4, 1)  # APPI Chapter 4 and both public-sector acts
PPC_GUIDELINES = datetime.date(2017, 5, 30)  # 2015 amendment in full force; PPC Guidelines
APPI_2022 = datetime.date(2022, 4, 1)  # Art. 25; Art. 66 for 行政機関等; guidelines renumbered
LOCAL_2023 = datetime.date(2023, 4, 1)  # local governments under APPI

APPI = "https://laws.e-gov.go.jp/law/415AC0000000057"
APPI_BEFORE_2022 = "https://laws.e-gov.go.jp/law/415AC0000000057/20170530_427AC0000000065"
GYOSEI_HOGO = "https://laws.e-gov.go.jp/law/415AC0000000058"
DOKUHO = "https://laws.e-gov.go.jp/law/415AC0000000059"
PPC_GUIDELINES_URL = "https://www.ppc.go.jp/personalinfo/legal/guidelines_tsusoku/"
PPC_ADMINISTRATIVE_URL = "https://www.ppc.go.jp/personalinfo/legal/guidelines_administrative/"
PPC_2021_AMENDMENT_URL = "https://www.ppc.go.jp/personalinfo/minaoshi/"

# Today's strings, which legal_basis() returns and docs/rules.md prints.
ART_25 = "APPI Art. 25 (個人情報保護法第25条 委託先の監督)"
GUIDELINES = "PPC Guidelines (General Rules) 3-4-4 (ガイドライン（通則編）3-4-4 委託先の監督)"
ART_66 = "APPI Art. 66 (個人情報保護法第66条 安全管理措置; 66(2): contractors at every stage of entrustment)"
OFFICE_GUIDE = "事務対応ガイド（行政機関等向け）4-3-1-1(3) 委託先の監督"

# Guidelines 3-4-4 (3-3-4 before 2022-04-01), 【委託を受けた者に対して必要かつ適切な監督を行っていない事例】:
# rule.example → (事例 number, what it describes)
_EXAMPLES = {
    "not_monitored": (1, "委託先の安全管理措置の状況を契約締結時及びそれ以後も適宜把握しなかった"),
    "no_instructions": (2, "必要な安全管理措置の内容を委託先に指示しなかった"),
    "no_conditions": (3, "再委託の条件に関する指示を行わず、委託先の取扱状況の確認を怠った"),
    "unknown_subcontract": (4, "再委託の報告を求めるなどの措置を行わず、委託元の認知しない再委託が行われた"),
}
EXAMPLES = {key: f"3-4-4 事例{n}: {words}" for key, (n, words) in _EXAMPLES.items()}


@dataclass(frozen=True)
class LegalBasis:
    """One provision or guideline a finding cites."""

    id: str  # stable: findings may carry it
    text: str  # English with the Japanese in brackets
    ja: str  # the Japanese citation, as an officer writes it
    ref: str  # e-Gov law page with the article's anchor, or the PPC's page
    in_force: tuple[str | None, str | None]  # ISO dates, first and last day; None = open

    def in_force_on(self, day: datetime.date) -> bool:
        first, last = self.in_force
        iso = day.isoformat()
        return (first is None or first <= iso) and (last is None or iso <= last)


def _b(key: str, text: str, ja: str, ref: str, first: str | None, last: str | None) -> LegalBasis:
    return LegalBasis(key, text, ja, ref, (first, last))


_GUIDELINES_JA = "個人情報の保護に関する法律についてのガイドライン（通則編）"
_BEFORE_2022_JA = "（令和4年4月1日施行の改正前）"

APPI_ART_25 = _b("appi-2022-art25", ART_25, "個人情報保護法第25条（委託先の監督）", f"{APPI}#Mp-At_25",
                 "2022-04-01", None)
APPI_ART_22 = _b("appi-2005-art22",
                 "APPI Art. 22 as in force until 2022-03-31 (旧個人情報保護法第22条 委託先の監督; Art. 25 since "
                 "2022-04-01)",
                 "旧個人情報保護法第22条（委託先の監督）", f"{APPI_BEFORE_2022}#Mp-At_22", "2005-04-01", "2022-03-31")
GUIDELINES_3_4_4 = _b("ppc-guidelines-general-3-4-4", GUIDELINES, f"{_GUIDELINES_JA}3-4-4（委託先の監督）",
                      PPC_GUIDELINES_URL, "2022-04-01", None)
GUIDELINES_3_3_4 = _b("ppc-guidelines-general-3-3-4",
                      "PPC Guidelines (General Rules) 3-3-4, its number until 2022-03-31 (ガイドライン（通則編）3-3-4 "
                      "委託先の監督; 3-4-4 since 2022-04-01)",
                      f"{_GUIDELINES_JA}{_BEFORE_2022_JA}3-3-4（委託先の監督）", PPC_GUIDELINES_URL,
                      "2017-05-30", "2022-03-31")
MINISTRY_GUIDELINES = _b(
    "ministry-guidelines",
    "the competent minister's guidelines for the business's sector, before the PPC Guidelines of 2017-05-30 "
    "(事業等分野ごとの主務大臣のガイドライン, e.g. 経済産業分野ガイドライン, on Art. 22 委託先の監督); until 2017-05-29 "
    "a business holding the data of 5,000 people or fewer was not a 個人情報取扱事業者",
    "事業等分野ごとの主務大臣のガイドライン（例：個人情報の保護に関する法律についての経済産業分野を対象とするガイドライン）",
    APPI, "2005-04-01", "2017-05-29")
LOCAL_ORDINANCE = _b(
    "local-ordinance",
    "the local government's own personal information protection ordinance, on entrusting the handling of "
    "personal information (当該地方公共団体の個人情報保護条例 委託に関する規定): the ordinance of that body applies; "
    "APPI covers local governments since 2023-04-01",
    "当該地方公共団体の個人情報保護条例（委託に関する規定）", PPC_2021_AMENDMENT_URL, None, "2023-03-31")
APPI_ART_66 = _b("appi-art66", ART_66, "個人情報保護法第66条（安全管理措置）", f"{APPI}#Mp-At_66", "2022-04-01", None)
OFFICE_GUIDE_4_3_1_1_3 = _b("office-guide-4-3-1-1-3", OFFICE_GUIDE,
                            "個人情報の保護に関する法律についての事務対応ガイド（行政機関等向け）4-3-1-1(3)（委託先の監督）",
                            PPC_ADMINISTRATIVE_URL, "2022-04-01", None)
GYOSEI_HOGO_ART_6 = _b(
    "gyosei-hogo-art6",
    "Act on the Protection of Personal Information Held by Administrative Organs Art. 6, if the consignor is a "
    "行政機関 (行政機関個人情報保護法第6条 安全確保の措置; 6(2): those the organ entrusted with personal information)",
    "行政機関個人情報保護法第6条（安全確保の措置）", f"{GYOSEI_HOGO}#Mp-At_6", "2005-04-01", "2022-03-31")
DOKUHO_ART_7 = _b(
    "dokuho-art7",
    "Act on the Protection of Personal Information Held by Incorporated Administrative Agencies, etc. Art. 7, if "
    "the consignor is an 独立行政法人等 (独立行政法人等個人情報保護法第7条 安全確保の措置; 7(2): those the agency "
    "entrusted with personal information)",
    "独立行政法人等個人情報保護法第7条（安全確保の措置）", f"{DOKUHO}#Mp-At_7", "2005-04-01", "2022-03-31")


def _examples(section: str, first: str, last: str | None) -> dict[str, LegalBasis]:
    numbering = "" if section == "3-4-4" else _BEFORE_2022_JA
    return {key: _b(f"ppc-guidelines-general-{section}-example-{n}", f"{section} 事例{n}: {words}",
                    f"{_GUIDELINES_JA}{numbering}{section} 事例{n}", PPC_GUIDELINES_URL, first, last)
            for key, (n, words) in _EXAMPLES.items()}


EXAMPLES_3_4_4 = _examples("3-4-4", "2022-04-01", None)
EXAMPLES_3_3_4 = _examples("3-3-4", "2017-05-30", "2022-03-31")

# Every basis by its id.
BASES: dict[str, LegalBasis] = {b.id: b for b in (
    APPI_ART_25, APPI_ART_22, GUIDELINES_3_4_4, GUIDELINES_3_3_4, MINISTRY_GUIDELINES, LOCAL_ORDINANCE,
    APPI_ART_66, OFFICE_GUIDE_4_3_1_1_3, GYOSEI_HOGO_ART_6, DOKUHO_ART_7,
    *EXAMPLES_3_4_4.values(), *EXAMPLES_3_3_4.values())}


# ---------------------------------------------------------------------------------------------
# My Number data and handling abroad (the rules whose ``law`` is "my_number" / "cross_border")

BANGO = "https://laws.e-gov.go.jp/law/425AC0000000027"
BANGO_ART_10 = _b(
    "bango-art10-1",
    "My Number Act Art. 10(1): a contractor may re-entrust the handling of specific personal information "
    "only with the permission of the original consignor (番号法第10条第1項 再委託の許諾)",
    "行政手続における特定の個人を識別するための番号の利用等に関する法律（番号法）第10条第1項（再委託）",
    f"{BANGO}#Mp-At_10", "2015-10-05", None)
APPI_ART_28 = _b(
    "appi-2022-art28",
    "APPI Art. 28: providing personal data to a third party in a foreign country (entrustment included) needs "
    "the person's consent or a system meeting the PPC's standards, except to countries with an equivalent "
    "system (the EEA and the UK) (個人情報保護法第28条 外国にある第三者への提供の制限)",
    "個人情報保護法第28条（外国にある第三者への提供の制限）", f"{APPI}#Mp-At_28", "2022-04-01", None)
APPI_ART_24 = _b(
    "appi-2017-art24",
    "APPI Art. 24 as in force from 2017-05-30 until 2022-03-31 (旧個人情報保護法第24条 外国にある第三者への提供の"
    "制限; Art. 28 since 2022-04-01)",
    "旧個人情報保護法第24条（外国にある第三者への提供の制限）", f"{APPI_BEFORE_2022}#Mp-At_24", "2017-05-30",
    "2022-03-31")
APPI_BEFORE_2017_ART_23 = _b(
    "appi-2005-art23",
    "APPI Art. 23 as in force until 2017-05-29 (旧個人情報保護法第23条 第三者提供の制限): no special rule for "
    "recipients abroad yet; entrustment was not a provision to a third party",
    "旧個人情報保護法第23条（第三者提供の制限。外国にある第三者への提供の特則は平成29年5月30日から）",
    APPI, "2005-04-01", "2017-05-29")
APPI_ART_71 = _b(
    "appi-art71",
    "APPI Art. 71: a 行政機関等 providing retained personal information to a third party in a foreign country "
    "(個人情報保護法第71条 外国にある第三者への提供の制限)",
    "個人情報保護法第71条（外国にある第三者への提供の制限）", f"{APPI}#Mp-At_71", "2022-04-01", None)
PPC_FOREIGN_GUIDELINES = _b(
    "ppc-guidelines-foreign",
    "PPC Guidelines (Provision to Third Parties in Foreign Countries) (ガイドライン（外国にある第三者への提供編）)",
    "個人情報の保護に関する法律についてのガイドライン（外国にある第三者への提供編）",
    "https://www.ppc.go.jp/personalinfo/legal/guidelines_offshore/", "2017-05-30", None)
BASES.update({b.id: b for b in (BANGO_ART_10, APPI_ART_28, APPI_ART_24, APPI_BEFORE_2017_ART_23, APPI_ART_71,
                                PPC_FOREIGN_GUIDELINES)})

# Countries whose system the PPC recognised as equivalent (APPI Art. 28(1); since 2019-01-23):
# the EEA (the EU's 27 and Iceland, Liechtenstein, Norway) and the UK; with Japan, the countries
# where handling is not cross-border for cross_border_handling.
ADEQUATE_COUNTRIES = frozenset({
    "JP", "GB", "IS", "LI", "NO",
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})


def _cross_border(kind: OrgKind, day: datetime.date | None) -> list[LegalBasis]:
    if kind is OrgKind.private:
        if day is None or day >= APPI_2022:
            return [APPI_ART_28, PPC_FOREIGN_GUIDELINES]
        if day >= PPC_GUIDELINES:
            return [APPI_ART_24, PPC_FOREIGN_GUIDELINES]
        return [APPI_BEFORE_2017_ART_23]
    if kind is OrgKind.local_government:
        return [APPI_ART_71] if day is None or day >= LOCAL_2023 else [LOCAL_ORDINANCE]
    return [APPI_ART_71] if day is None or day >= APPI_2022 else [GYOSEI_HOGO_ART_6, DOKUHO_ART_7]


def legal_bases(rule: Rule, kind: OrgKind, on: datetime.date | None) -> list[LegalBasis]:
    """The legal basis of a finding of ``rule`` about a consignor of ``kind`` for conduct that
    began ``on`` (None = unknown: today's law)."""
    if isinstance(on, datetime.datetime):
        on = on.date()
    day = max(on, APPI_IN_FORCE) if on is not None else None
    if rule.law == "my_number":  # whoever the consignor is: the My Number Act binds every holder
        return [BANGO_ART_10]
    if rule.law == "cross_border":
        return _cross_border(kind, day)

    def since(first: datetime.date) -> bool:
        return day is None or day >= first

    if kind is OrgKind.private:
        if since(APPI_2022):
            basis, examples = [APPI_ART_25, GUIDELINES_3_4_4], EXAMPLES_3_4_4
        elif since(PPC_GUIDELINES):
            basis, examples = [APPI_ART_22, GUIDELINES_3_3_4], EXAMPLES_3_3_4
        else:
            return [APPI_ART_22, MINISTRY_GUIDELINES]
        return basis + ([examples[rule.example]] if rule.example else [])
    if kind is OrgKind.local_government:
        return [APPI_ART_66, OFFICE_GUIDE_4_3_1_1_3] if since(LOCAL_2023) else [LOCAL_ORDINANCE]
    return [APPI_ART_66, OFFICE_GUIDE_4_3_1_1_3] if since(APPI_2022) else [GYOSEI_HOGO_ART_6, DOKUHO_ART_7]


def legal_basis(rule: Rule, kind: OrgKind) -> list[str]:
    """The legal basis of a finding of ``rule`` about a consignor of ``kind``, as today's law
    has it: the texts of :func:`legal_bases` for an unknown date."""
    return [b.text for b in legal_bases(rule, kind, None)]
