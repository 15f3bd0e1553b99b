"""The legal basis of each finding, by the kind of the consignor.

Businesses (個人情報取扱事業者) must supervise their contractors under APPI Art. 25, as the PPC
Guidelines (General Rules) 3-4-4 explain; its examples (事例) of supervision that was not
"necessary and appropriate" are cited where one fits the finding. Public bodies (地方公共団体,
行政機関等) fall under APPI Art. 66, whose paragraph 2 reaches contractors at every stage of
entrustment, and the 事務対応ガイド 4-3-1-1(3) on supervising contractors.
"""
from __future__ import annotations

from entrustment_chain.graph.analysis.registry import Rule
from entrustment_chain.graph.model.chain import OrgKind

ART_25 = "APPI Art. 25 (個人情報保護法第25条 委託先の監督)"
GUIDELINES = "PPC Guidelines (General Rules) 3-4-4 (ガイドライン（通則編）3-4-4 委託先の監督)"
ART_66 = "APPI Art. 66 (個人情報保護法第66条 安全管理措置; 66(2): contractors at every stage of entrustment)"
OFFICE_GUIDE = "事務対応ガイド（行政機関等向け）4-3-1-1(3) 委託先の監督"

# Guidelines 3-4-4, 【委託を受けた者に対して必要かつ適切な監督を行っていない事例】
EXAMPLES = {
    "not_monitored": "3-4-4 事例1: 委託先の安全管理措置の状況を契約締結時及びそれ以後も適宜把握しなかった",
    "no_instructions": "3-4-4 事例2: 必要な安全管理措置の内容を委託先に指示しなかった",
    "no_conditions": "3-4-4 事例3: 再委託の条件に関する指示を行わず、委託先の取扱状況の確認を怠った",
    "unknown_subcontract": "3-4-4 事例4: 再委託の報告を求めるなどの措置を行わず、委託元の認知しない再委託が行われた",
}

def legal_basis(rule: Rule, kind: OrgKind) -> list[str]:
    """The legal basis of a finding of ``rule`` about a consignor of ``kind``."""
    if kind is OrgKind.private:
        basis = [ART_25, GUIDELINES]
        if rule.example:
            basis.append(EXAMPLES[rule.example])
        return basis
    return [ART_66, OFFICE_GUIDE]
