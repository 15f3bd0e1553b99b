"""The chain file, version 1, as pydantic models (a public contract: see DESIGN.md).

``None`` in a tri-state (clauses, supervision, ``personal_data``) means unknown / 回答不能, which is
not the same as ``False``. Unknown keys are errors everywhere (``extra="forbid"``).
Cross-references (ids that must exist) are checked in :mod:`entrustment_chain.graph.io.loader`.
"""
from __future__ import annotations

import re
from enum import Enum
from functools import cached_property
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from entrustment_chain.graph.model.wareki import Period, WarekiError, parse_period

SCHEMA_V1 = "entrustment-chain/v1"

# Characters that have no place in an id or a name: C0/C1 controls (tab and newline are allowed
# in free text only), and the bidirectional controls that can make a name display as another
# ("Trojan Source"): U+061C, U+200E/F, U+202A–202E, U+2066–2069.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_BIDI_CLASS = "".join(chr(code) for code in sorted(_BIDI))  # none is special inside [...]
# one C-speed scan per string; the message then says which kind of character it found
_FORBIDDEN = {True: re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CLASS}]"),
              False: re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CLASS}]")}


def _clean(allow_whitespace_controls: bool):
    forbidden = _FORBIDDEN[allow_whitespace_controls]

    def check(value: str) -> str:
        found = forbidden.search(value)
        if found is None:
            return value
        code = ord(found.group())
        if code in _BIDI:
            raise ValueError(f"contains the bidirectional control character U+{code:04X}, "
                             "which can make text display as something else")
        raise ValueError(f"contains the control character U+{code:04X}")

    return check


Id = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_clean(False))]
Text = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_clean(True))]


_FIELD_SETS: dict[frozenset, set] = {}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="after")
    def _share_fields_set(self) -> "_Strict":
        """Pydantic gives every instance its own set of the fields given, ~200–700 bytes, more
        than the instance's values in a chain file; a million entrustments made 3.6 GB of
        models, half of it these sets. The models are frozen, so instances with the same
        fields share one set (model_copy copies it before changing it)."""
        fields = self.__pydantic_fields_set__
        shared = _FIELD_SETS.setdefault(frozenset(fields), fields)
        if shared is not fields:
            object.__setattr__(self, "__pydantic_fields_set__", shared)
        return self


class OrgKind(str, Enum):
    """private = 個人情報取扱事業者; local_government = 地方公共団体; public_agency = 行政機関等."""

    private = "private"
    local_government = "local_government"
    public_agency = "public_agency"


KIND_JA = {"private": "民間事業者", "local_government": "地方公共団体", "public_agency": "行政機関等"}


class Organization(_Strict):
    id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_clean(False))]
    kind: OrgKind = OrgKind.private


class System(_Strict):
    """An information system where entrusted data is processed or stored."""

    id: Id
    name: Text
    operator: Id | None = None


class DataSubjects(_Strict):
    """How many people's data (本人数); ``approximate`` prints as 約 N 人."""

    count: Annotated[int, Field(ge=0)]
    approximate: bool = False


class PeriodSpec(_Strict):
    start: str | None = None
    end: str | None = None


class Clauses(_Strict):
    """Contract clauses (委託契約書の条項): true / false / null (unknown)."""

    transfer_safety: bool | None = None  # 個人情報を含むデータの授受における安全管理措置
    storage_safety: bool | None = None  # 委託先における保管についての安全管理措置
    disposal_safety: bool | None = None  # 委託業務終了時の廃棄についての安全管理措置
    subcontract_restriction: bool | None = None  # 再委託の禁止又は制限


class CheckMethod(str, Enum):
    written = "written"  # 書面
    oral = "oral"  # 口頭


class Supervision(_Strict):
    """Supervision evidence (委託先の監督): true / false / null (unknown)."""

    rules_confirmation: bool | None = None  # 契約締結時等に取扱規律の確認を要求
    written_reports: bool | None = None  # 役務提供時に書面で報告を受ける
    onsite_inspection: bool | None = None  # 執務環境の実地確認
    subcontract_check: bool | None = None  # 再委託の有無を確認した
    subcontract_check_method: CheckMethod | None = None

    @model_validator(mode="after")
    def _method_needs_check(self) -> "Supervision":
        if self.subcontract_check_method is not None and self.subcontract_check is False:
            raise ValueError(
                "subcontract_check_method is given but subcontract_check is false: "
                "a check that was not made has no method"
            )
        return self


class Evidence(_Strict):
    kind: Text
    date: str | None = None
    ref: Text | None = None
    note: Text | None = None


CLAUSE_SAFETY = ("transfer_safety", "storage_safety", "disposal_safety")
SUPERVISION_MEASURES = ("rules_confirmation", "written_reports", "onsite_inspection")


def _period(value: object) -> Period | None:
    if value is None:
        return None
    if isinstance(value, PeriodSpec):
        value = value.model_dump()
    try:
        return parse_period(value)  # type: ignore[arg-type]
    except WarekiError as exc:
        raise ValueError(str(exc)) from None


class Entrustment(_Strict):
    """One 委託 or 再委託: consignor → contractor, with its clauses and supervision evidence."""

    id: Id
    consignor: Id
    contractor: Id
    work: Text | None = None
    personal_data: bool | None = None
    covers: Union[Literal["all"], list[Id]] = "all"
    period: Union[str, PeriodSpec, None] = None
    data_subjects: Union[Annotated[int, Field(ge=0)], DataSubjects, None] = None
    systems: list[Id] = Field(default_factory=list)
    clauses: Clauses = Field(default_factory=Clauses)
    supervision: Supervision = Field(default_factory=Supervision)
    informed_subcontractors: list[Id] | None = None
    approved_subcontractors: list[Id] | None = None
    evidence: list[Evidence] = Field(default_factory=list)

    @field_validator("period")
    @classmethod
    def _period_readable(cls, value: object) -> object:
        _period(value)
        return value

    @field_validator("data_subjects")
    @classmethod
    def _subjects_plain(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return DataSubjects(count=value)
        return value

    @property
    def parsed_period(self) -> Period | None:
        return _period(self.period)


class AccessKind(str, Enum):
    maintenance = "maintenance"  # 保守運用
    operation = "operation"  # 運用
    development = "development"  # 開発
    support = "support"  # 支援
    administration = "administration"  # 管理者権限
    other = "other"


class Access(_Strict):
    """De-facto handling: ``organization`` can reach ``system`` (アクセス権限)."""

    organization: Id
    system: Id
    kind: AccessKind = AccessKind.other
    under: Id | None = None
    period: Union[str, PeriodSpec, None] = None

    @field_validator("period")
    @classmethod
    def _period_readable(cls, value: object) -> object:
        _period(value)
        return value

    @property
    def parsed_period(self) -> Period | None:
        return _period(self.period)

    @property
    def key(self) -> str:
        """The stable id of this access edge in both backends."""
        return f"{self.organization}@{self.system}"


class ChainFile(_Strict):
    """A whole chain file, version 1."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True,
        json_schema_extra={"$id": "https://entrustment-chain.invalid/schema/v1.json"},
    )

    schema_: Literal["entrustment-chain/v1"] = Field(alias="schema")
    title: Text | None = None
    organizations: list[Organization]
    systems: list[System] = Field(default_factory=list)
    entrustments: list[Entrustment] = Field(default_factory=list)
    access: list[Access] = Field(default_factory=list)

    @cached_property
    def organizations_by_id(self) -> dict[str, Organization]:
        return {o.id: o for o in self.organizations}

    @cached_property
    def entrustments_by_id(self) -> dict[str, Entrustment]:
        return {e.id: e for e in self.entrustments}
