"""Typed results of an analysis: findings, path steps, exposure. Serialised as findings/v1 JSON."""
from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

FINDINGS_SCHEMA = "entrustment-chain/findings/v1"


class Severity(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"

    @property
    def order(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


# Rule ids are a public contract (DESIGN.md); the order here is the order of reports.
RULES: dict[str, tuple[Severity, str]] = {
    "undisclosed_subcontracting": (Severity.high, "委託元に知らされていない再委託（取扱者）"),
    "unapproved_subcontracting": (Severity.medium, "委託元の承認のない再委託（再委託制限条項あり）"),
    "could_not_supervise": (Severity.high, "監督できなかった委託元"),
    "misclassified_subcontract": (Severity.high, "個人データの取扱いなしとされた委託先のアクセス"),
    "no_safeguard_clauses": (Severity.high, "安全管理条項が全てなし"),
    "missing_safeguard_clause": (Severity.medium, "安全管理条項の一部なし"),
    "no_subcontract_restriction": (Severity.medium, "再委託の禁止又は制限に関する条項なし"),
    "no_supervision": (Severity.high, "取扱状況の把握（監督）が全てなし"),
    "weak_supervision": (Severity.low, "取扱状況の把握（監督）の一部なし"),
    "subcontracting_not_checked": (Severity.medium, "再委託の有無の確認なし"),
}


_RULE_ORDER = {rule: index for index, rule in enumerate(RULES)}


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Result):
    """One step of a path, in the direction the data flows: ENTRUSTS (consignor → contractor),
    PLACES_DATA_IN (consignor → system), ACCESSIBLE_BY (system → organization with access)."""

    type: str
    key: str
    source: str
    target: str
    entrustment: str | None = None
    system: str | None = None


class Finding(_Result):
    rule: str
    severity: Severity
    consignor: str
    handler: str | None = None
    entrustment: str | None = None
    path: list[Step] = Field(default_factory=list)
    legal_basis: list[str]
    message: str
    message_ja: str
    evidence_unknown: bool = False
    handlers: list[str] = Field(default_factory=list)

    def sort_key(self) -> tuple:
        return (_RULE_ORDER[self.rule], self.consignor, self.handler or "", self.entrustment or "")

    def identity(self) -> tuple:
        """What the parity test compares: rule, consignor, handler/entrustment, path length."""
        return (self.rule, self.consignor, self.handler, self.entrustment, len(self.path),
                tuple(self.handlers))


class SubjectCount(_Result):
    """A sum of data subjects (本人数): ``unknown`` counts the consignors with no figure."""

    count: int
    approximate: bool
    unknown: int = 0


class HandlerExposure(_Result):
    """How many consignors' data one handler can reach (concentration), and how many people."""

    handler: str
    name: str
    consignors: list[str]
    consignor_count: int
    data_subjects: SubjectCount


class Analysis(_Result):
    schema_: str = Field(default=FINDINGS_SCHEMA, alias="schema")
    source: str | None = None
    backend: str = "networkx"
    summary: dict[str, Any]
    findings: list[Finding]
    exposure: list[HandlerExposure]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def by_rule(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.order, default=None)


def summarize(findings: list[Finding], consignors: int, handlers: int) -> dict[str, Any]:
    by_rule = {rule: 0 for rule in RULES}
    by_severity = {s.value: 0 for s in Severity}
    for f in findings:
        by_rule[f.rule] += 1
        by_severity[f.severity.value] += 1
    return {
        "consignors": consignors,
        "handlers": handlers,
        "findings": len(findings),
        "by_rule": by_rule,
        "by_severity": by_severity,
    }
