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


# ---------------------------------------------------------------------------------------------
# Leaks (chain breach, issue 13): who reports a leak, who notifies whom, the thresholds and the
# deadlines.
#
# Since 2022-04-01 a business must report to the PPC a leak (漏えい等) of personal data that meets
# one of the thresholds of the PPC's rules (施行規則第7条), promptly and then in full (第8条), and
# notify the people concerned (APPI Art. 26(1), (2)); a contractor that holds the data for a
# business or a 行政機関等 and notifies that consignor instead need report nothing itself (26(1)
# proviso, 施行規則第9条), nor notify the people. The proviso is a business's only: a local government
# or a public agency that holds data for another reports under Art. 68 itself. 行政機関等 report
# their 保有個人情報 (retained personal information, not 個人データ) under Art. 68 with the
# thresholds of 施行規則第43条 (100 people instead of 1,000) and the deadlines of 第44条: national
# bodies since 2022-04-01, local governments since 2023-04-01 (the day they came under APPI).
# Before those days there was no statutory duty: businesses were asked to report by the PPC's
# notice of 2017 (an effort duty) or, before it, by their minister's guidelines; local governments
# followed their own ordinances; national bodies had no such duty under their acts. A leak of My
# Number data is also reported under the My Number Act (Art. 29-4, originally 28-4, with the PPC's
# rule of 2015).
#
# The 施行規則 (個人情報の保護に関する法律施行規則, 平成28年個人情報保護委員会規則第3号) is e-Gov law
# 428M60020000003. The PPC's notice of 2017 has no e-Gov page: its reference is the PPC's page of
# laws and guidelines. The My Number Act's Art. 29-4 is a branch article, cited by the law's page
# (e-Gov's anchor for branch articles was not verified).
#
# These records are not in BASES, the findings' bases, each of which some rule of the registry
# cites: BREACH_BASES holds them, and the functions below choose them by kind, role and the day the
# leak was known (None = unknown: today's law). A date on a boundary belongs to the new era.

APPI_RULES = "https://laws.e-gov.go.jp/law/428M60020000003"
PPC_LEGAL_URL = "https://www.ppc.go.jp/personalinfo/legal/"
BANGO_LEAK_RULE = "https://laws.e-gov.go.jp/law/427M60020000005"
MY_NUMBER_REPORTS = datetime.date(2016, 1, 1)  # 番号法 Art. 28-4 (now 29-4) and the PPC's rule in force

_RULES_JA = "個人情報の保護に関する法律施行規則"

APPI_ART_26_1 = _b(
    "appi-art26-1",
    "APPI Art. 26(1): a business reports to the PPC a leak of personal data (漏えい等) that meets a threshold of the "
    "PPC's rules (個人情報保護法第26条第1項 漏えい等の報告)",
    "個人情報保護法第26条第1項（漏えい等の報告）", f"{APPI}#Mp-At_26", "2022-04-01", None)
APPI_ART_26_1_PROVISO = _b(
    "appi-art26-1-proviso",
    "APPI Art. 26(1) proviso: a contractor entrusted with the data by a business or a 行政機関等 that notifies that "
    "consignor of the leak need not report it itself (個人情報保護法第26条第1項ただし書 委託元への通知)",
    "個人情報保護法第26条第1項ただし書（委託元への通知）", f"{APPI}#Mp-At_26", "2022-04-01", None)
APPI_ART_26_2 = _b(
    "appi-art26-2",
    "APPI Art. 26(2): the business notifies the people concerned, except a contractor that notified its consignor "
    "under the proviso of 26(1); where notifying them is difficult, alternative measures to protect their rights "
    "and interests may take its place (個人情報保護法第26条第2項 本人への通知、同項ただし書)",
    "個人情報保護法第26条第2項（本人への通知）", f"{APPI}#Mp-At_26", "2022-04-01", None)
APPI_ART_68_1 = _b(
    "appi-art68-1",
    "APPI Art. 68(1): a 行政機関等 reports to the PPC a leak of retained personal information (保有個人情報) that "
    "meets a threshold of the PPC's rules (個人情報保護法第68条第1項 漏えい等の報告); local governments since "
    "2023-04-01",
    "個人情報保護法第68条第1項（漏えい等の報告）", f"{APPI}#Mp-At_68", "2022-04-01", None)
APPI_ART_68_2 = _b(
    "appi-art68-2",
    "APPI Art. 68(2): the 行政機関等 notifies the people concerned, save the cases of its proviso (among them: "
    "notifying them is difficult and alternative measures protect their rights and interests) "
    "(個人情報保護法第68条第2項 本人への通知)",
    "個人情報保護法第68条第2項（本人への通知）", f"{APPI}#Mp-At_68", "2022-04-01", None)
APPI_RULE_7 = _b(
    "appi-rule-7",
    "APPI Enforcement Rules Art. 7: a business reports a leak (1) of sensitive data (要配慮個人情報), (2) of data "
    "whose misuse can cause financial damage (財産的被害), (3) by an act with wrongful intent (不正の目的; since "
    "the amendment in force on 2024-04-01 also of personal information the business is obtaining or about to "
    "obtain, to be handled as personal data), or (4) of more than 1,000 people's data (個人情報保護法施行規則第7条 "
    "報告対象となる事態)",
    f"{_RULES_JA}第7条（報告対象となる事態）", f"{APPI_RULES}#Mp-At_7", "2022-04-01", None)
APPI_RULE_8 = _b(
    "appi-rule-8",
    "APPI Enforcement Rules Art. 8: a preliminary report promptly after the business knows of the leak (速報), and a "
    "final report within 30 days of the day it knew, 60 days for a leak by wrongful intent (確報) "
    "(個人情報保護法施行規則第8条)",
    f"{_RULES_JA}第8条（速報・確報）", f"{APPI_RULES}#Mp-At_8", "2022-04-01", None)
APPI_RULE_9 = _b(
    "appi-rule-9",
    "APPI Enforcement Rules Art. 9: the contractor's notice to its consignor under the proviso of Art. 26(1), "
    "promptly after it knows of the leak (個人情報保護法施行規則第9条 委託元への通知)",
    f"{_RULES_JA}第9条（委託元への通知）", f"{APPI_RULES}#Mp-At_9", "2022-04-01", None)
APPI_RULE_43 = _b(
    "appi-rule-43",
    "APPI Enforcement Rules Art. 43: a 行政機関等 reports a leak of retained personal information (保有個人情報) "
    "that includes sensitive data, of data whose misuse can cause "
    "financial damage, by an act with wrongful intent, or of more than 100 people's data (item 4); a local "
    "government also of the sensitive information its ordinance defines (条例要配慮個人情報) "
    "(個人情報保護法施行規則第43条)",
    f"{_RULES_JA}第43条（報告対象となる事態）", f"{APPI_RULES}#Mp-At_43", "2022-04-01", None)
APPI_RULE_44 = _b(
    "appi-rule-44",
    "APPI Enforcement Rules Art. 44: the 行政機関等's preliminary report promptly, and its final report within 30 "
    "days of the day it knew, 60 days for a leak by wrongful intent (個人情報保護法施行規則第44条)",
    f"{_RULES_JA}第44条（速報・確報）", f"{APPI_RULES}#Mp-At_44", "2022-04-01", None)
GUIDELINES_3_5_3 = _b(
    "ppc-guidelines-general-3-5-3",
    "PPC Guidelines (General Rules) 3-5-3: \"promptly\" is about 3 to 5 days from knowing of the leak, for the "
    "preliminary report (3-5-3-3) and for a contractor's notice to its consignor (3-5-3-5); the final report's "
    "30 or 60 days (3-5-3-4) end on the next open day when the last day is a Saturday, a Sunday, a national "
    "holiday or in 29 December to 3 January (ガイドライン（通則編）3-5-3 個人情報保護委員会への報告)",
    f"{_GUIDELINES_JA}3-5-3（個人情報保護委員会への報告）", PPC_GUIDELINES_URL, "2022-04-01", None)
PPC_NOTICE_2017_1 = _b(
    "ppc-notice-2017-1",
    "PPC Notice No. 1 of 2017, \"On responding to leaks of personal data\" (平成29年個人情報保護委員会告示第1号 "
    "「個人データの漏えい等の事案が発生した場合等の対応について」): businesses were asked to report a leak "
    "promptly, an effort duty with no statutory force; APPI Art. 26 replaced it on 2022-04-01",
    "「個人データの漏えい等の事案が発生した場合等の対応について」（平成29年個人情報保護委員会告示第1号）",
    PPC_LEGAL_URL, "2017-05-30", "2022-03-31")
MINISTRY_GUIDELINES_LEAK = _b(
    "ministry-guidelines-leak",
    "before 2017-05-30, the competent minister's guidelines for the business's sector asked it to report a leak to "
    "the minister, with no statutory force (事業等分野ごとの主務大臣のガイドライン 漏えい等の事案への対応)",
    "事業等分野ごとの主務大臣のガイドライン（漏えい等の事案への対応）", PPC_LEGAL_URL, "2005-04-01", "2017-05-29")
LOCAL_ORDINANCE_LEAK = _b(
    "local-ordinance-leak",
    "the local government's own personal information protection ordinance on leaks (当該地方公共団体の個人情報保護"
    "条例 漏えい等への対応): APPI required no report to the PPC of a local government until 2023-04-01",
    "当該地方公共団体の個人情報保護条例（漏えい等への対応）", PPC_2021_AMENDMENT_URL, None, "2023-03-31")
PUBLIC_LEAK_BEFORE_2022 = _b(
    "public-leak-before-2022",
    "before 2022-04-01 neither the Act on Administrative Organs nor the Act on Incorporated Administrative Agencies "
    "required a report of a leak to the PPC (行政機関個人情報保護法・独立行政法人等個人情報保護法 漏えい等の報告の"
    "規定なし): each body followed its own rules",
    "行政機関個人情報保護法・独立行政法人等個人情報保護法（漏えい等の報告の規定なし）", GYOSEI_HOGO,
    "2005-04-01", "2022-03-31")
BANGO_ART_29_4 = _b(
    "bango-art29-4",
    "My Number Act Art. 29-4: a leak of specific personal information (特定個人情報) that meets the thresholds of "
    "the PPC's rule is "
    "reported to the PPC, and since 2022-04-01 the people are notified (番号法第29条の4 特定個人情報の漏えい等に"
    "関する報告等; Art. 28-4 when it took effect on 2016-01-01)",
    "行政手続における特定の個人を識別するための番号の利用等に関する法律（番号法）第29条の4（特定個人情報の漏えい等に"
    "関する報告等）", BANGO, "2016-01-01", None)
BANGO_LEAK_RULE_BASIS = _b(
    "bango-rule-leak",
    "the PPC's rule on reports of leaks of specific personal information (平成27年特定個人情報保護委員会規則第5号; "
    "「…第二十九条の四第一項及び第二項に基づく特定個人情報の漏えい等に関する報告等に関する規則」 since "
    "2022-04-01)",
    "行政手続における特定の個人を識別するための番号の利用等に関する法律第二十九条の四第一項及び第二項に基づく特定個人情報"
    "の漏えい等に関する報告等に関する規則（平成27年特定個人情報保護委員会規則第5号）", BANGO_LEAK_RULE,
    "2016-01-01", None)

# Every basis of a leak report by its id (kept apart from BASES: see above).
BREACH_BASES: dict[str, LegalBasis] = {b.id: b for b in (
    APPI_ART_26_1, APPI_ART_26_1_PROVISO, APPI_ART_26_2, APPI_ART_68_1, APPI_ART_68_2, APPI_RULE_7, APPI_RULE_8,
    APPI_RULE_9, APPI_RULE_43, APPI_RULE_44, GUIDELINES_3_5_3, PPC_NOTICE_2017_1, MINISTRY_GUIDELINES_LEAK,
    LOCAL_ORDINANCE_LEAK, PUBLIC_LEAK_BEFORE_2022, BANGO_ART_29_4, BANGO_LEAK_RULE_BASIS)}

# The first day a leak had to be reported, by kind (the duty of a contractor under the proviso
# follows its own kind: a business's since 2022-04-01).
LEAK_REPORTING = {OrgKind.private: APPI_2022, OrgKind.public_agency: APPI_2022,
                  OrgKind.local_government: LOCAL_2023}


def leak_reporting_in_force(kind: OrgKind, on: datetime.date | None) -> bool:
    """Whether an organisation of ``kind`` had a statutory duty to report a leak known ``on``
    (None = unknown: today's law)."""
    return on is None or on >= LEAK_REPORTING[kind]


def proviso_consignor(kind: OrgKind, on: datetime.date | None) -> bool:
    """Whether an organisation of ``kind`` is, on the day ``on`` (None = today's law), a consignor
    for which a business that holds its data may notify it instead of reporting (Art. 26(1)
    proviso: a 個人情報取扱事業者 or a 行政機関等): a business; a national body or agency since
    2022-04-01; a local government since 2023-04-01, when it became a 行政機関等 of APPI (a
    business working for a city and knowing of a leak between 2022-04-01 and 2023-03-31 reports
    itself)."""
    if isinstance(on, datetime.datetime):
        on = on.date()
    return kind is OrgKind.private or on is None or on >= LEAK_REPORTING[kind]


def leak_duty_bases(kind: OrgKind, intermediary: bool, on: datetime.date | None) -> list[LegalBasis]:
    """What an organisation of ``kind`` must do about a leak known ``on``: a business that holds
    the data for a consignor (``intermediary``) notifies it instead of reporting (Art. 26(1)
    proviso, 施行規則第9条), and then need not notify the people (26(2)); an end consignor
    reports and notifies the people (Art. 26 for businesses, Art. 68 for 行政機関等), and so does a
    行政機関等 that holds data for another (the proviso is a business's only); before the duty came
    in force, what applied instead."""
    if isinstance(on, datetime.datetime):
        on = on.date()
    if leak_reporting_in_force(kind, on):
        if intermediary and kind is OrgKind.private:
            return [APPI_ART_26_1_PROVISO, APPI_ART_26_2, APPI_RULE_9]
        return [APPI_ART_26_1, APPI_ART_26_2] if kind is OrgKind.private else [APPI_ART_68_1, APPI_ART_68_2]
    if kind is OrgKind.local_government:
        return [LOCAL_ORDINANCE_LEAK]
    if kind is OrgKind.public_agency:
        return [PUBLIC_LEAK_BEFORE_2022]
    return [PPC_NOTICE_2017_1] if on >= PPC_GUIDELINES else [MINISTRY_GUIDELINES_LEAK]


def leak_threshold_basis(kind: OrgKind) -> LegalBasis:
    """The rule that sets the thresholds of a report: 施行規則第7条 for businesses, 第43条 for
    行政機関等 (today's; before the duty there was no statutory threshold)."""
    return APPI_RULE_7 if kind is OrgKind.private else APPI_RULE_43


def leak_deadline_bases(kind: OrgKind, intermediary: bool) -> list[LegalBasis]:
    """The rules that set the deadlines: a business's notice to its consignor instead of a report
    (``intermediary``: 施行規則第9条), a business's reports (第8条), a 行政機関等's (第44条, also
    when it holds the data for another); and the PPC's reading of "promptly" (about 3 to 5 days)
    and of the last day of the final report (Guidelines 3-5-3), by which the dates are given for
    every kind (for 行政機関等 as an indication only)."""
    if intermediary and kind is OrgKind.private:
        return [APPI_RULE_9, GUIDELINES_3_5_3]
    return [APPI_RULE_8 if kind is OrgKind.private else APPI_RULE_44, GUIDELINES_3_5_3]


def my_number_leak_bases(on: datetime.date | None) -> list[LegalBasis]:
    """The My Number Act's report of a leak of specific personal information, in force since
    2016-01-01 (none before)."""
    if isinstance(on, datetime.datetime):
        on = on.date()
    return [BANGO_ART_29_4, BANGO_LEAK_RULE_BASIS] if on is None or on >= MY_NUMBER_REPORTS else []
