"""Typed results of an analysis: findings, path steps, exposure. Serialised as findings/v1 JSON."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from enum import Enum
from typing import IO, Any, Callable, Iterator, NamedTuple, overload

from pydantic import BaseModel, ConfigDict, Field, field_serializer

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


RULE_IDS = tuple(RULES)
RULE_INDEX = {rule: index for index, rule in enumerate(RULE_IDS)}


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
        return (RULE_INDEX[self.rule], self.consignor, self.handler or "", self.entrustment or "")

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


class PathStep(NamedTuple):
    """A path step as held in memory (a :class:`Step` is made of it when a finding is read)."""

    type: str
    key: str
    source: str
    target: str


class Record(NamedTuple):
    """A finding as held in memory: a tuple of shared objects, about a tenth of a
    :class:`Finding` with its messages. ``detail`` is what the message needs beyond the
    columns (the missing clauses or measures, the systems reached)."""

    rule: int  # index in RULES
    consignor: str
    handler: str | None
    entrustment: str | None
    path: tuple[PathStep, ...]
    evidence_unknown: bool
    handlers: tuple[str, ...]
    detail: tuple[str, ...]


def record_sort_key(r: Record) -> tuple:
    return (r.rule, r.consignor, r.handler or "", r.entrustment or "")


class FindingList(Sequence[Finding]):
    """The findings of an analysis, held as compact :class:`Record` tuples and turned into
    :class:`Finding` objects (with their messages) only when read. A million-entrustment chain
    has millions of findings; holding each as a model with two formatted messages took ~2.3 KB
    apiece. Reads behave as a list of findings in report order."""

    __slots__ = ("_records", "_make")

    def __init__(self, records: list[Record], make: Callable[[Record], Finding]):
        self._records = records
        self._make = make

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [self._make(r) for r in self._records[index]]
        return self._make(self._records[index])

    def __iter__(self) -> Iterator[Finding]:
        make = self._make
        return (make(r) for r in self._records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingList):
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"<FindingList of {len(self)} findings>"

    @property
    def records(self) -> list[Record]:
        """The compact form, in report order (read-only by convention)."""
        return self._records

    def identities(self) -> Iterator[tuple]:
        """:meth:`Finding.identity` of each finding, without building the findings."""
        return ((RULE_IDS[r.rule], r.consignor, r.handler, r.entrustment, len(r.path), r.handlers)
                for r in self._records)

    def rules(self) -> Iterator[str]:
        """The rule of each finding, without building the findings."""
        return (RULE_IDS[r.rule] for r in self._records)


class Analysis(_Result):
    schema_: str = Field(default=FINDINGS_SCHEMA, alias="schema")
    source: str | None = None
    backend: str = "networkx"
    summary: dict[str, Any]
    findings: FindingList
    exposure: list[HandlerExposure]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True)

    @field_serializer("findings")
    def _dump_findings(self, findings: FindingList, info: Any) -> list:
        mode = "json" if info.mode_is_json() else "python"
        return [f.model_dump(mode=mode) for f in findings]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def write_json(self, out: IO[str]) -> None:
        """Write findings/v1 JSON to ``out`` one finding at a time: the same text as
        ``json.dumps(self.to_json_dict(), ensure_ascii=False, indent=2)`` plus a newline,
        without holding the whole document (millions of findings) in memory."""
        head = self.model_dump(mode="json", by_alias=True, exclude={"findings"})
        out.write("{")
        first = True
        for key in ("schema", "source", "backend", "summary", "findings", "exposure"):
            out.write(("\n" if first else ",\n") + "  " + json.dumps(key) + ": ")
            first = False
            if key != "findings":
                out.write(_indented(head[key], "  "))
                continue
            if not self.findings:
                out.write("[]")
                continue
            out.write("[")
            for index, finding in enumerate(self.findings):
                out.write(("\n" if index == 0 else ",\n") + "    ")
                out.write(_indented(finding.model_dump(mode="json"), "    "))
            out.write("\n  ]")
        out.write("\n}\n")

    def by_rule(self, rule: str) -> list[Finding]:
        index = RULE_INDEX[rule]
        return [self.findings[i] for i, r in enumerate(self.findings.records) if r.rule == index]

    def worst(self) -> Severity | None:
        return max((RULES[rule][0] for rule in set(self.findings.rules())), key=lambda s: s.order, default=None)


def _indented(value: Any, indent: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def summarize(findings: FindingList, consignors: int, handlers: int) -> dict[str, Any]:
    counts = Counter(r.rule for r in findings.records)
    by_rule = {rule: counts.get(index, 0) for index, rule in enumerate(RULE_IDS)}
    by_severity = {s.value: 0 for s in Severity}
    for rule, count in by_rule.items():
        by_severity[RULES[rule][0].value] += count
    return {
        "consignors": consignors,
        "handlers": handlers,
        "findings": len(findings),
        "by_rule": by_rule,
        "by_severity": by_severity,
    }
