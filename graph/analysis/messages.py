"""The words of findings: path text, and each finding's message in English and Japanese, from
the templates of the rule registry."""
from __future__ import annotations

from typing import Any, Iterable

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.registry import Rule
from entrustment_chain.graph.model.chain import OrgKind

FIELD_JA = {
    "transfer_safety": "授受の安全管理", "storage_safety": "保管の安全管理", "disposal_safety": "廃棄の安全管理",
    "subcontract_restriction": "再委託の制限", "rules_confirmation": "規律の確認", "written_reports": "書面報告",
    "onsite_inspection": "実地確認", "subcontract_check": "再委託の確認",
}
UNKNOWN_EN = " Whether it was told is unknown: the entrustment records no informed subcontractors."
UNKNOWN_JA = "（説明の有無の記録がない委託があり、確認できない）"


def path_text(path: Iterable[S.PathStep]) -> str:
    """b →(b-procx) procx …; systems shown as [system], access as →(access). A path of a
    system route starts at the system."""
    steps = list(path)
    if not steps:
        return ""
    out = f"[{steps[0].source}]" if steps[0].type == S.ACCESSIBLE_BY else steps[0].source
    for step in steps:
        if step.type == S.ENTRUSTS:
            out += f" →({step.key}) {step.target}"
        elif step.type == S.PLACES_DATA_IN:
            out += f" →({step.entrustment}) [{step.target}]"
        else:
            out += f" →(access) {step.target}"
    return out


def messages(rule: Rule, names: dict, kind: OrgKind, r: Any) -> tuple[str, str]:
    """The English and Japanese message of one finding (a record of :mod:`.findings`) about a
    consignor of ``kind``; ``names`` maps organisation ids to names. A public body's data is
    保有個人情報, a business's 個人データ."""
    def name(org_id: str | None) -> str | None:
        return names.get(org_id, org_id) if org_id is not None else None

    others = [route.id for route in r.routes[3::3]]
    values = {
        "consignor": name(r.consignor), "handler": name(r.handler), "entrustment": r.entrustment,
        "path": path_text(r.path) if "{path}" in rule.message_en else "",
        "routes_en": f"; also by {', '.join(others)}" if others else "",
        "routes_ja": f"。ほかに{'、'.join(others)}の経路" if others else "",
        "data_ja": "個人データ" if kind is OrgKind.private else "保有個人情報",
        "count": len(r.handlers), "handlers": ", ".join(name(h) or h for h in r.handlers),
        "systems": ", ".join(r.detail), "missing": ", ".join(r.detail), "countries": ", ".join(r.detail), "countries_ja": "、".join(r.detail),
        "missing_ja": "・".join(FIELD_JA.get(f, f) for f in r.detail),
    }
    en, ja = rule.message_en.format(**values), rule.message_ja.format(**values)
    if r.evidence_unknown and rule.unknown_note:
        en, ja = en + UNKNOWN_EN, ja + UNKNOWN_JA
    return en, ja
