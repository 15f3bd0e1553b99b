"""The words of findings: path text, and each finding's message in English and Japanese, from
the templates of the rule registry."""
from __future__ import annotations

from typing import Iterable

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.registry import Rule

FIELD_JA = {
    "transfer_safety": "授受の安全管理", "storage_safety": "保管の安全管理", "disposal_safety": "廃棄の安全管理",
    "subcontract_restriction": "再委託の制限", "rules_confirmation": "規律の確認", "written_reports": "書面報告",
    "onsite_inspection": "実地確認", "subcontract_check": "再委託の確認",
}
UNKNOWN_EN = " Whether it was told is unknown: some of its entrustments record no informed subcontractors."
UNKNOWN_JA = "（説明の有無の記録がない委託があり、確認できない）"


def path_text(path: Iterable[S.PathStep]) -> str:
    """b →(b-procx) procx …; systems shown as [system], access as →(access)."""
    steps = list(path)
    if not steps:
        return ""
    out = steps[0].source
    for step in steps:
        if step.type == S.ENTRUSTS:
            out += f" →({step.key}) {step.target}"
        elif step.type == S.PLACES_DATA_IN:
            out += f" →({step.entrustment}) [{step.target}]"
        else:
            out += f" →(access) {step.target}"
    return out


def messages(rule: Rule, names: dict, consignor: str, handler: str | None, entrustment: str | None,
             path: Iterable[S.PathStep], evidence_unknown: bool, handlers: tuple[str, ...],
             detail: tuple[str, ...]) -> tuple[str, str]:
    """The English and Japanese message of one finding; ``names`` maps organisation ids to names."""
    def name(org_id: str | None) -> str | None:
        return names.get(org_id, org_id) if org_id is not None else None

    values = {
        "consignor": name(consignor), "handler": name(handler), "entrustment": entrustment,
        "path": path_text(path) if "{path}" in rule.message_en else "",
        "count": len(handlers), "handlers": ", ".join(name(h) or h for h in handlers),
        "systems": ", ".join(detail), "missing": ", ".join(detail),
        "missing_ja": "・".join(FIELD_JA.get(f, f) for f in detail),
    }
    en, ja = rule.message_en.format(**values), rule.message_ja.format(**values)
    if evidence_unknown and rule.unknown_note:
        en, ja = en + UNKNOWN_EN, ja + UNKNOWN_JA
    return en, ja
