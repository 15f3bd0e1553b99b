"""The chain file, version 1, as pydantic models (a public contract: see docs/chain-file.md, which
describes every field in Japanese and English, and docs/design.md).

``None`` in a tri-state (clauses, supervision, ``personal_data``) means unknown / 回答不能, which is
not the same as ``False``. Unknown keys are errors everywhere (``extra="forbid"``).
Cross-references (ids that must exist) are checked in :mod:`entrustment_chain.graph.model.references`.

Every field carries a ``description`` (English, with the Japanese term): ``chain schema`` prints
them in the JSON Schema, and :mod:`entrustment_chain.graph.schema` reads those of
:class:`Clauses` and :class:`Supervision` as the descriptions of the graph's properties.
"""
from __future__ import annotations

import math
import re
import threading
import unicodedata
from contextlib import contextmanager
from enum import Enum
from functools import cached_property, lru_cache
from typing import Annotated, Iterator, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

from entrustment_chain.graph.model.wareki import PartialDate, Period, WarekiError, parse_date, parse_period

SCHEMA_V1 = "entrustment-chain/v1"

# Characters that have no place in an id or a name: C0/C1 controls (tab and newline are allowed
# in free text only), and the bidirectional controls that can make a name display as another
# ("Trojan Source"): U+061C, U+200E/F, U+202A–202E, U+2066–2069. Nor in any text: the Unicode
# non-characters U+FDD0–U+FDEF and U+xxFFFE/U+xxFFFF. (Lone surrogates, which no output could
# write, pydantic refuses in every string itself.)
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_NONCHARACTERS = frozenset([*range(0xFDD0, 0xFDF0), *(plane << 16 | low for plane in range(17)
                                                      for low in (0xFFFE, 0xFFFF))])
# Invisible characters, which make two ids that look the same differ: Unicode's format characters
# (category Cf: soft hyphen, zero-width space, joiner and non-joiner, word joiner, BOM, tag
# characters …; the bidi controls above are among them) as of Unicode 14 (Python 3.11's
# unicodedata; tests/test_bad_ids_typing.py holds this table to the running Python's), and the
# line and paragraph separators U+2028/2029. A table, not a scan of unicodedata at import: that
# scan costs a quarter of a second, on every command.
FORMAT_CHARACTERS = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)


def _class(*ranges: tuple[int, int]) -> str:
    """A regular-expression character class of code point ranges (none of these characters is
    special inside [...])."""
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


_C0_BUT_WHITESPACE = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))
_C0 = ((0x00, 0x1F), (0x7F, 0x9F))
_NOT_TEXT = (*((code, code) for code in sorted(_BIDI)), *((code, code) for code in sorted(_NONCHARACTERS)))
_ASTRAL = (0x10000, 0x10FFFF)


class _Forbidden:
    """Finds a forbidden character in one C-speed scan. Python's re tests a class of characters
    of the Basic Multilingual Plane in constant time, but one with ranges beyond it range by
    range (ten times slower, for every string of a file); so the pattern holds the BMP's
    forbidden characters and the whole of the other planes, and a character found beyond the BMP
    (rare: an emoji, 𠮷) is then looked up in a set."""

    def __init__(self, *ranges: tuple[int, int]):
        self.pattern = re.compile(_class(*(r for r in ranges if r[1] < 0x10000), _ASTRAL))
        self.astral = frozenset(code for a, b in ranges if b >= 0x10000 for code in range(a, b + 1))

    def search(self, value: str) -> str | None:
        pos = 0
        while True:
            found = self.pattern.search(value, pos)
            if found is None:
                return None
            char = found.group()
            if char < "\U00010000" or ord(char) in self.astral:
                return char
            pos = found.end()


_FORBIDDEN_IN_TEXT = _Forbidden(*_C0_BUT_WHITESPACE, *_NOT_TEXT)
_FORBIDDEN_IN_NAME = _Forbidden(*_C0, *_NOT_TEXT)
_FORBIDDEN_IN_ID = _Forbidden(*_C0, *_NOT_TEXT, *FORMAT_CHARACTERS, (0x2028, 0x2029))


def _character(code: int) -> str:
    name = unicodedata.name(chr(code), "")
    return f"U+{code:04X}" + (f" {name}" if name else "")


def _problem(found: str) -> str:
    """What is wrong with the character ``found``, for the message."""
    code = ord(found)
    if code in _BIDI:
        return (f"contains the bidirectional control character U+{code:04X}, "
                "which can make text display as something else")
    if code <= 0x1F or 0x7F <= code <= 0x9F:
        return f"contains the control character U+{code:04X}"
    if code in _NONCHARACTERS:
        return f"contains U+{code:04X}, a Unicode non-character, which has no place in text"
    if code in (0x2028, 0x2029):
        return f"contains the line break {_character(code)}; an id is one line"
    return (f"contains the invisible character {_character(code)}, which would make this id differ "
            "from one that looks the same")


def _scan(forbidden: _Forbidden):
    def check(value: str) -> str:
        found = forbidden.search(value)
        if found is None:
            return value
        raise ValueError(_problem(found))

    return check


def check_id(value: str) -> str:
    """The id grammar: 1–200 characters (checked before this), none of the forbidden characters,
    no whitespace at either end (refused, never trimmed: "a " would otherwise be a second
    organisation that prints as "a"), and in Unicode normal form NFC (the same id always has
    the same code points)."""
    found = _FORBIDDEN_IN_ID.search(value)
    if found is not None:
        raise ValueError(_problem(found))
    if value != value.strip():  # strip() returns the string itself when there is nothing to strip
        end, char = ("start", value[0]) if value[:1].isspace() else ("end", value[-1])
        raise ValueError(f"has whitespace at its {end} ({_character(ord(char))}); ids are compared "
                         "exactly and never trimmed: remove it")
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        form = " (it is in the decomposed form NFD)" if unicodedata.is_normalized("NFD", value) else ""
        raise ValueError(f"is not in Unicode normal form NFC{form}: it holds decomposed characters, "
                         "such as か followed by a combining ゛, which look like composed ones; "
                         f"write it composed, as {unicodedata.normalize('NFC', value)!r}")
    return value


Id = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_id)]
# Free text and names are trimmed (as every string was before ids got their own grammar): their
# surrounding whitespace means nothing, and nothing refers to them.
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000),
                 AfterValidator(_scan(_FORBIDDEN_IN_TEXT))]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                 AfterValidator(_scan(_FORBIDDEN_IN_NAME))]
Trimmed = Annotated[str, StringConstraints(strip_whitespace=True)]  # periods, read by parse_period
Written = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_scan(_FORBIDDEN_IN_TEXT))]


# Step keys. A relationship is keyed by the ids of its ends joined by a separator (access
# "org@system", places "entrustment#system", operates "org>system"); each id has its "%", "@",
# "#" and ">" percent-escaped first, so that a key names one pair of ids only (organisations
# "x" and "x@y" once shared keys) and can be split back. Ids without those characters keep
# their keys as they are.
_KEY_ESCAPES = str.maketrans({"%": "%25", "@": "%40", "#": "%23", ">": "%3E"})
_KEY_UNESCAPES = {"%25": "%", "%40": "@", "%23": "#", "%3E": ">"}
_ESCAPED = re.compile("%(?:25|40|23|3E)")


def key_part(value: str) -> str:
    """An id as one part of a relationship key (see above)."""
    if "%" in value or "@" in value or "#" in value or ">" in value:  # four memchr: the usual case
        return value.translate(_KEY_ESCAPES)
    return value


def access_key(organization_id: str, system_id: str) -> str:
    """HAS_ACCESS and ACCESSIBLE_BY: ``organization@system``, each id escaped (:func:`key_part`)."""
    return f"{key_part(organization_id)}@{key_part(system_id)}"


def id_of_key_part(part: str) -> str:
    """The id a part of a relationship key was made from: the inverse of :func:`key_part`."""
    return _ESCAPED.sub(lambda m: _KEY_UNESCAPES[m.group()], part) if "%" in part else part


def _strict_bool(nullable: bool):
    """A yes/no answer is true or false (or null where unknown), never text or a number: lax
    parsing read "false" as false but "t", 1 and "yes" as true; a quoted answer is a mistake to
    point out, not to guess at."""
    allowed = "true or false (or null: unknown)" if nullable else "true or false"

    def check(value: object) -> object:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            what = "text" if isinstance(value, str) else "a number"
            raise ValueError(f"must be a boolean, {allowed}, without quotes; not {what}")
        return value  # a boolean, null, or a list or mapping (pydantic says what it should be)

    return check


# Counts are stored in Neo4j, whose integers are 64-bit.
MAX_COUNT = 2**63 - 1


def _count_type(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false (YAML reads yes, no, on and off "
                         "as true and false)")
    if isinstance(value, str):
        raise ValueError("must be a whole number in decimal digits; this is text")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a whole number; this is not a finite number")
    return value


def _count_range(value: int) -> int:
    if value > MAX_COUNT:
        raise ValueError(f"must be at most {MAX_COUNT:,} (2^63 − 1, the largest integer Neo4j stores)")
    return value


TriState = Annotated[Optional[bool], BeforeValidator(_strict_bool(True))]
Flag = Annotated[bool, BeforeValidator(_strict_bool(False))]
Count = Annotated[int, Field(ge=0), BeforeValidator(_count_type), AfterValidator(_count_range)]


_FIELD_SETS: dict[frozenset, set] = {}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

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


def _country(value: object) -> object:
    """An ISO 3166-1 alpha-2 code (JP, US, DE …), as written: upper case, two letters, assigned."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be an ISO 3166-1 alpha-2 country code such as JP, US or DE, as text")
    from iso3166 import countries_by_alpha2  # imported when a file names a country

    if value not in countries_by_alpha2:
        hint = f" (write it in capitals: {value.upper()!r})" if value.upper() in countries_by_alpha2 else ""
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code such as JP, US or DE{hint}")
    return value


Country = Annotated[Optional[str], BeforeValidator(_country)]


# DORA's register of information (Commission Implementing Regulation (EU) 2024/2956; docs/dora.md
# gives the sources). The codes are the ITS's own; chain files carry them so that
# `chain export --format dora-b0502` never has to guess one.

LEI_PATTERN = "^[0-9A-Z]{18}[0-9]{2}$"
_LEI = re.compile(LEI_PATTERN)


def lei_check(value: str) -> bool:
    """Whether the 20 characters of an LEI pass ISO 17442's check (ISO 7064 MOD 97-10): with each
    letter read as a number (A = 10 … Z = 35), the whole is 1 modulo 97."""
    return int("".join(str(int(char, 36)) for char in value)) % 97 == 1


def _lei(value: object) -> object:
    """An LEI (ISO 17442): 18 upper-case letters or digits and two check digits that hold."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be an LEI (ISO 17442), 20 characters, as text")
    if len(value) != 20:
        raise ValueError(f"{value!r} is not an LEI (ISO 17442): an LEI has 20 characters, this has {len(value)}")
    if not _LEI.match(value):
        hint = " (write it in capitals)" if _LEI.match(value.upper()) else ""
        raise ValueError(f"{value!r} is not an LEI (ISO 17442): 18 upper-case letters or digits, then two "
                         f"check digits{hint}")
    if not lei_check(value):
        raise ValueError(f"{value!r} is not an LEI: its check digits do not hold (ISO 17442, ISO 7064 MOD 97-10); "
                         "a character is probably mistyped: copy it from the LEI record (GLEIF)")
    return value


# The EUID, the identifier of the Business Registers Interconnection System (BRIS; Directive
# 2012/17/EU, Implementing Regulation (EU) 2015/884): a code of the business registers of the EU and
# the EEA that begins with the state's code (Greece: EL), then the register and the registration
# number, whose forms differ by state (no common check digit). Only that much is checked.
EUID_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
})
_EUID = re.compile(r"[A-Z]{2}[!-~]{1,98}")


def _euid(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be an EUID (European Unique Identifier of the business registers), as text")
    if not _EUID.fullmatch(value) or value[:2] not in EUID_STATES:
        raise ValueError(f"{value!r} is not an EUID: an EUID begins with the code of an EU or EEA state "
                         "(AT, BE … EL for Greece … IS, LI, NO) followed by the register and the registration "
                         "number, 3–100 visible ASCII characters without spaces")
    return value


class IctService(str, Enum):
    """Type of ICT services (ICT サービスの種類): the closed list of Annex III of Commission Implementing
    Regulation (EU) 2024/2956 (DORA's register of information), S01–S19: S01 ICT project management;
    S02 ICT Development; S03 ICT help desk and first level support; S04 ICT security management
    services; S05 Provision of data; S06 Data analysis; S07 ICT, facilities and hosting services
    (excluding Cloud services); S08 Computation; S09 Non-Cloud Data storage; S10 Telecom carrier;
    S11 Network infrastructure; S12 Hardware and physical devices; S13 Software licencing (excluding
    SaaS); S14 ICT operation management (including maintenance); S15 ICT Consulting; S16 ICT Risk
    management; S17 Cloud services: IaaS; S18 Cloud services: PaaS; S19 Cloud services: SaaS."""

    S01 = "S01"
    S02 = "S02"
    S03 = "S03"
    S04 = "S04"
    S05 = "S05"
    S06 = "S06"
    S07 = "S07"
    S08 = "S08"
    S09 = "S09"
    S10 = "S10"
    S11 = "S11"
    S12 = "S12"
    S13 = "S13"
    S14 = "S14"
    S15 = "S15"
    S16 = "S16"
    S17 = "S17"
    S18 = "S18"
    S19 = "S19"


ICT_SERVICE_CODES = tuple(s.value for s in IctService)


def _ict_service(value: object) -> object:
    """One code of Annex III, as written: upper case, without the EBA taxonomy's prefix."""
    if value is None or isinstance(value, IctService):
        return value
    allowed = ", ".join(ICT_SERVICE_CODES)
    if not isinstance(value, str):
        raise ValueError(f"must be one of the codes of Annex III of Implementing Regulation (EU) 2024/2956, "
                         f"as text: {allowed}")
    if value in ICT_SERVICE_CODES:
        return value
    hint = ""
    if value.upper() in ICT_SERVICE_CODES:
        hint = f" (write it in capitals: {value.upper()!r})"
    elif value.startswith("eba_TA:") and value[len("eba_TA:"):] in ICT_SERVICE_CODES:
        hint = f" (write the code alone, {value[len('eba_TA:'):]!r}: eba_TA: is the EBA taxonomy's prefix)"
    raise ValueError(f"{value!r} is not a type of ICT services of Annex III of Implementing Regulation (EU) "
                     f"2024/2956; write one of {allowed}{hint} (docs/dora.md says what each means)")


IctServiceCode = Annotated[Optional[IctService], BeforeValidator(_ict_service)]
Lei = Annotated[Optional[str], BeforeValidator(_lei)]
Euid = Annotated[Optional[str], BeforeValidator(_euid)]


class DataCategory(str, Enum):
    """What kind of personal data an entrustment carries (データの種類): sensitive = 要配慮個人情報;
    my_number = 特定個人情報 (マイナンバーを含む); payment = data whose misuse can cause financial
    damage (クレジットカード番号等); other = その他の個人データ."""

    sensitive = "sensitive"
    my_number = "my_number"
    payment = "payment"
    other = "other"


class OrgKind(str, Enum):
    """Kind of organisation (種別): private = 民間事業者 (個人情報取扱事業者); local_government =
    地方公共団体; public_agency = 行政機関等."""

    private = "private"
    local_government = "local_government"
    public_agency = "public_agency"


KIND_JA = {"private": "民間事業者", "local_government": "地方公共団体", "public_agency": "行政機関等"}
# access kinds as Japanese reports name them (アクセス(保守) …)
ACCESS_KIND_JA = {"maintenance": "保守", "operation": "運用", "development": "開発", "support": "支援",
                  "administration": "管理者権限", "other": "その他"}


class Organization(_Strict):
    """An organisation (組織): a consignor, a contractor, or any other handler of the data."""

    id: Id = Field(description="Identifier (ID), unique among the organizations; what the other "
                   "sections refer to. 1–200 characters, no control characters.")
    name: Name = Field(
        description="Name (名称), as findings and reports print it; 1–500 characters.")
    kind: OrgKind = Field(
        OrgKind.private,
        description="Kind (種別): private 民間事業者 (個人情報取扱事業者, APPI Art. 25), local_government "
                    "地方公共団体 or public_agency 行政機関等 (both APPI Art. 66). It chooses the legal basis "
                    "the findings cite.")
    country: Country = Field(
        None, description="Country (所在国) where the organisation handles the data, as an ISO 3166-1 alpha-2 "
        "code (JP, US, DE …); null = not recorded. Outside Japan, the EEA and the UK, handling the data is a "
        "provision to a third party in a foreign country (APPI Art. 28; cross_border_handling).")
    lei: Lei = Field(
        None, pattern=LEI_PATTERN,
        description="LEI (取引主体識別子, Legal Entity Identifier, ISO 17442): 20 characters, 18 upper-case letters "
        "or digits and two check digits that must hold (ISO 7064 MOD 97-10); null = not recorded. DORA's "
        "register of information identifies a provider by it (chain export --format dora-b0502, columns "
        "B_05.02.0030/0060 with type LEI).")
    euid: Euid = Field(
        None, description="EUID (European Unique Identifier of the EU/EEA business registers, BRIS, Directive "
        "2012/17/EU): the state's code (EL for Greece) followed by the register and the registration "
        "number; null = not recorded. The DORA export uses it, with type EUID, for a provider that has no LEI "
        "(the ITS allows it for providers established in the Union).")


class System(_Strict):
    """An information system (情報システム) where entrusted data is processed or stored."""

    id: Id = Field(description="Identifier (ID), unique among the systems; what entrustments[].systems "
                   "and access[].system refer to.")
    name: Text = Field(description="Name (名称) of the system, free text.")
    operator: Id | None = Field(
        None,
        description="Operator (運用者): the organisation that runs the system, by id; null = not recorded. "
                    "Operating a system is not by itself access to its data (the APPI 'cloud exception'): "
                    "record access in access[].")
    personal_data: TriState = Field(
        None,
        description="Whether the operator's own personal data is kept in this system (自らの個人データの保存): "
                    "true / false / null = unknown. True makes the system a route of the operator's data: "
                    "whoever has access to it handles that data. Data placed here by entrustments counts "
                    "whatever this says.")
    location: Country = Field(
        None, description="Where the system is (所在国: its servers), as an ISO 3166-1 alpha-2 code; null = not "
        "recorded. A system outside Japan, the EEA and the UK that holds a consignor's data makes its handling "
        "cross-border (cross_border_handling).")


class DataSubjects(_Strict):
    """How many people's data (本人数); an approximate count prints as 約 N 人."""

    count: Count = Field(description="Number of people (本人数), an integer ≥ 0.")
    approximate: Flag = Field(False, description="Whether the count is approximate (約): true prints as 約 N 人.")


class PeriodSpec(_Strict):
    """A period (期間) given by its two ends; either may be absent (open or unknown)."""

    start: Trimmed | None = Field(None, description="Start (開始): one date in any form a period takes "
                                  "(平成27年3月, 令和元年, ２０１５年３月, 2015-03 …); null = open or unknown.")
    end: Trimmed | None = Field(None, description="End (終了): one date as for start, or 同年… (the start's "
                                "year); null = open or unknown.")


class Clauses(_Strict):
    """Contract clauses (委託契約書の条項): true / false / null (unknown)."""

    transfer_safety: TriState = Field(
        None, description="Clause on safety measures for handing over data that contains personal "
        "information (個人情報を含むデータの授受における安全管理措置に関する条項): true = in the contract, "
        "false = not in it, null = unknown (回答不能).")
    storage_safety: TriState = Field(
        None, description="Clause on safety measures for the contractor's storage of personal "
        "information (委託先における個人情報の保管についての安全管理措置に関する条項): true / false / "
        "null = unknown (回答不能).")
    disposal_safety: TriState = Field(
        None, description="Clause on safety measures for disposing of personal information when the "
        "work ends (委託業務終了時の個人情報の廃棄についての安全管理措置に関する条項): true / false / "
        "null = unknown (回答不能).")
    subcontract_restriction: TriState = Field(
        None, description="Clause prohibiting or restricting re-entrustment (再委託の禁止又は制限に関する"
        "条項): true / false / null = unknown (回答不能). When true, handlers the consignor did not "
        "approve are reported.")


class CheckMethod(str, Enum):
    """How re-entrustment was checked (確認方法): written = 書面, oral = 口頭."""

    written = "written"  # 書面
    oral = "oral"  # 口頭


class Supervision(_Strict):
    """Supervision evidence (委託先の監督): true / false / null (unknown)."""

    rules_confirmation: TriState = Field(
        None, description="Asked the contractor, when the contract was made, to confirm its rules for "
        "handling personal information (契約の締結時等に、個人情報の取扱いに関する規律の確認を要求): "
        "true / false / null = unknown (回答不能).")
    written_reports: TriState = Field(
        None, description="Kept track of the handling while the service was provided, e.g. through "
        "written reports (役務提供時に、書面で報告を受けるなどして取扱状況を把握): true / false / "
        "null = unknown (回答不能).")
    onsite_inspection: TriState = Field(
        None, description="Inspected the contractor's workplace on site while the service was provided "
        "(役務提供時に、執務環境を実地確認等して取扱状況を把握): true / false / null = unknown (回答不能).")
    subcontract_check: TriState = Field(
        None, description="Checked, when the contract was made or while the service was provided, "
        "whether the handling of personal information was re-entrusted (再委託の有無の確認): true / "
        "false / null = unknown (回答不能).")
    subcontract_check_method: CheckMethod | None = Field(
        None, description="How re-entrustment was checked (確認方法): written 書面, oral 口頭, null = "
        "unknown. Not allowed when subcontract_check is false.")

    @model_validator(mode="after")
    def _method_needs_check(self) -> "Supervision":
        if self.subcontract_check_method is not None and self.subcontract_check is False:
            raise ValueError(
                "subcontract_check_method is given but subcontract_check is false: "
                "a check that was not made has no method"
            )
        return self


class Evidence(_Strict):
    """A document behind the answers (根拠資料)."""

    kind: Text = Field(description="Kind of document (資料の種類), free text: contract, report, "
                       "survey_answer …")
    date: Written | None = Field(None, description="Date of the document (日付), as written; kept as text, "
                                 "not read as a date.")
    ref: Text | None = Field(None, description="Reference (参照): a document number, file name or URL.")
    note: Text | None = Field(None, description="Note (備考), e.g. why an answer is unknown (回答不能の理由).")


class Disposal(_Strict):
    """The recorded disposal of the entrusted data (廃棄の記録): until it, the data may still be with
    the contractor (and whoever can reach it), whatever the contract's period says."""

    date: Trimmed = Field(description="Date of the disposal (廃棄日), in any form a period's start takes "
                          "(令和2年3月31日, R2.3, 2020-03 …); a month or a year means its last day.")
    evidence: list[Evidence] = Field(default_factory=list, description="Documents that record it "
                                     "(廃棄証明書 …).")

    @field_validator("date")
    @classmethod
    def _date_readable(cls, value: str) -> str:
        try:
            parse_date(value)
        except WarekiError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def parsed_date(self) -> PartialDate:
        return parse_date(self.date)


CLAUSE_SAFETY = ("transfer_safety", "storage_safety", "disposal_safety")
SUPERVISION_MEASURES = ("rules_confirmation", "written_reports", "onsite_inspection")


def _period(value: object) -> Period | None:
    if value is None:
        return None
    try:
        if isinstance(value, PeriodSpec):
            return _period_of_ends(value.start, value.end)
        return parse_period(value)  # type: ignore[arg-type]
    except WarekiError as exc:
        raise ValueError(str(exc)) from None


@lru_cache(maxsize=1 << 16)
def _period_of_ends(start: str | None, end: str | None) -> Period:
    """A {start, end} period, read once per pair of texts (they repeat across a large file, and
    every property of the graph that is a bound reads the period)."""
    return parse_period({"start": start, "end": end})


# One instance per distinct answer set (bounded: three values a field, a few fields), so that
# the entrustments of a large file share their Clauses and Supervision (see _share_answers).
_SHARED_ANSWERS: dict[tuple, _Strict] = {}


# While a file is loaded (:func:`sharing_text`): text → the one str object of it. JSON gives every
# occurrence of a value its own str; the ids an entrustment names (consignor, contractor,
# systems), its work and its period recur across a file (~360 bytes an entrustment).
_SHARED_TEXT: dict[str, str] | None = None
_sharing_lock = threading.Lock()
_sharing_depth = 0


@contextmanager
def sharing_text() -> Iterator[None]:
    """Inside the block, validated entrustments and access grants share equal strings (their
    references, work and period); the table is let go when the last block open ends."""
    global _SHARED_TEXT, _sharing_depth
    with _sharing_lock:
        _sharing_depth += 1
        if _SHARED_TEXT is None:
            _SHARED_TEXT = {}
    try:
        yield
    finally:
        with _sharing_lock:
            _sharing_depth -= 1
            if _sharing_depth == 0:
                _SHARED_TEXT = None


def _share_text(values: dict, names: tuple[str, ...], lists: tuple[str, ...] = ()) -> None:
    """Replace the strings of ``values`` (a model's own ``__dict__``) under ``names``, and the
    items of its lists under ``lists``, by equal shared ones, while :func:`sharing_text` is on."""
    table = _SHARED_TEXT
    if table is None:
        return
    for name in names:
        value = values[name]
        if type(value) is str:
            values[name] = table.setdefault(value, value)
    for name in lists:
        items = values[name]
        if type(items) is list:
            for i, value in enumerate(items):
                if type(value) is str:
                    items[i] = table.setdefault(value, value)


def _shared_answers(answers: _Strict) -> _Strict:
    """The one instance of ``answers``' class with the same values and the same fields given
    (``__pydantic_fields_set__``: equal in every respect, dumps with exclude_unset included)."""
    key = (type(answers), frozenset(answers.__pydantic_fields_set__), tuple(answers.__dict__.values()))
    return _SHARED_ANSWERS.setdefault(key, answers)


class Entrustment(_Strict):
    """One 委託 or 再委託: consignor → contractor, with its clauses and supervision evidence."""

    id: Id = Field(description="Identifier (ID) of the entrustment, unique among the entrustments; "
                   "findings and access[].under name it.")
    consignor: Id = Field(description="Consignor (委託元): the organisation that entrusts the work, by id.")
    contractor: Id = Field(description="Contractor (委託先): the organisation entrusted with the work, by "
                           "id; not the consignor itself. In a re-entrustment (再委託) the consignor is the "
                           "contractor of the entrustment above.")
    work: Text | None = Field(None, description="The work entrusted (委託業務), free text.")
    ict_service: IctServiceCode = Field(
        None, description="Type of ICT services (ICT サービスの種類) of this arrangement in DORA's register of "
        "information: one code of the closed list of Annex III of Commission Implementing Regulation (EU) "
        "2024/2956, S01–S19 (S14 ICT operation management (including maintenance), S19 Cloud services: "
        "SaaS …; docs/dora.md lists them); null = not recorded. The DORA export writes it in B_05.02.0020 "
        "on every row of this arrangement's supply chain, and leaves the cell empty where it is null.")
    personal_data: TriState = Field(
        None, description="Whether the work includes handling personal data (個人データの取扱いの有無), "
        "as the parties classified it: true / false / null = unknown. Only false stops data flowing "
        "along this entrustment; a contractor marked false that can reach personal data is reported as "
        "misclassified.")
    covers: Union[Literal["all"], list[Id]] = Field(
        "all", description="Whose data this entrustment carries onwards (対象となる委託元のデータ): all, or "
        "a list of upstream consignor ids. The consignor's own data always flows along its own "
        "entrustments.")
    period: Union[Trimmed, PeriodSpec, None] = Field(
        None, description="Entrustment period (委託期間): text such as 平成27年3月～同年5月, 令和元年, "
        "２０１５年３月, 2015-03～2017-03 or 2015-03/2017-03, or {start, end}; null = unknown.")
    data_subjects: Union[Count, DataSubjects, None] = Field(
        None, description="Number of data subjects (本人数): an integer ≥ 0 or {count, approximate}; "
        "null = unknown.")
    data: list[DataCategory] | None = Field(
        None, description="What the entrusted personal data includes (データの種類): sensitive 要配慮個人情報, "
        "my_number 特定個人情報, payment data whose misuse can cause financial damage (クレジットカード番号等), "
        "other; null = not recorded. It decides whether a leak must be reported (chain breach) and whether "
        "re-entrustment needs the original consignor's permission (my_number_without_permission).")
    systems: list[Id] = Field(
        default_factory=list, description="Systems (情報システム) where this entrusted data is processed "
        "or stored, by id: each then holds the data this entrustment carries.")
    clauses: Clauses = Field(default_factory=Clauses,
                             description="Contract clauses (契約条項, 委託契約書における取決め).")
    supervision: Supervision = Field(default_factory=Supervision,
                                     description="Supervision of the contractor (委託先の監督).")
    informed_subcontractors: list[Id] | None = Field(
        None, description="Downstream organisations the consignor was told of under this contract "
        "(説明を受けた再委託先), by id. [] = told of none; null = unknown (回答不能), which is not [].")
    approved_subcontractors: list[Id] | None = Field(
        None, description="Downstream organisations the consignor approved under this contract "
        "(承認した再委託先), by id; approval implies being told. [] = approved none; null = unknown "
        "(回答不能).")
    evidence: list[Evidence] = Field(default_factory=list,
                                     description="Documents behind the answers (根拠資料).")
    disposal: Disposal | None = Field(
        None, description="Disposal of the entrusted data (廃棄), {date, evidence}: the data stays with the "
        "contractor, and within reach of whoever can reach it, until then; null = no disposal recorded "
        "(the data may still be there).")

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

    @model_validator(mode="after")
    def _disposal_after_start(self) -> "Entrustment":
        if self.disposal is not None:
            period = self.parsed_period
            if period is not None and period.start is not None and \
                    self.disposal.parsed_date.last_day() < period.start.first_day():
                raise ValueError(f"disposal {self.disposal.date!r} is before the period starts "
                                 f"({period.text!r}): data cannot be disposed of before it was handed over")
        return self

    @model_validator(mode="after")
    def _share_answers(self) -> "Entrustment":
        """Each entrustment held its own Clauses and Supervision, ~700 bytes, a third of an
        entrustment's models (0.7 GB at 10^6), although a file holds a few hundred distinct
        answer sets at most. The models are frozen: equal ones are shared (:func:`_shared_answers`)."""
        for name in ("clauses", "supervision"):
            value = self.__dict__[name]
            shared = _shared_answers(value)
            if shared is not value:
                object.__setattr__(self, name, shared)
        # equal values the same object (the fields' own __dict__: frozen only to the outside)
        _share_text(self.__dict__, ("consignor", "contractor", "work", "period"),
                    ("systems", "covers", "informed_subcontractors", "approved_subcontractors"))
        return self

    @property
    def parsed_period(self) -> Period | None:
        return _period(self.period)


class AccessKind(str, Enum):
    """Kind of access (アクセスの種類)."""

    maintenance = "maintenance"  # 保守運用
    operation = "operation"  # 運用
    development = "development"  # 開発
    support = "support"  # 支援
    administration = "administration"  # 管理者権限
    other = "other"


class Access(_Strict):
    """An access grant (アクセス権限): the organization can reach the system, and so handles the data
    the system holds (de-facto handling, 事実上の取扱い)."""

    organization: Id = Field(description="The organisation that can reach the system (アクセス権限を持つ"
                             "組織), by id. It handles the data the system holds, whatever its contract calls "
                             "the work.")
    system: Id = Field(description="The system it can reach (情報システム), by id.")
    kind: AccessKind = Field(
        AccessKind.other, description="Kind of access (アクセスの種類): maintenance 保守運用, operation 運用, "
        "development 開発, support 支援, administration 管理者権限, other その他.")
    under: Id | None = Field(
        None, description="The entrustment (委託) the access was granted under, by id; its contractor must be "
        "this organisation. null = not recorded.")
    period: Union[Trimmed, PeriodSpec, None] = Field(
        None, description="Period of the access (アクセス期間), in the forms an entrustment's period takes; "
        "null = unknown.")

    @field_validator("period")
    @classmethod
    def _period_readable(cls, value: object) -> object:
        _period(value)
        return value

    @property
    def parsed_period(self) -> Period | None:
        return _period(self.period)

    @model_validator(mode="after")
    def _share_references(self) -> "Access":
        _share_text(self.__dict__, ("organization", "system", "under", "period"))  # see Entrustment
        return self

    @property
    def pair_key(self) -> str:
        """``org@system``, each id escaped (:func:`key_part`): the key of this grant when it is the
        organisation's only grant to the system (see :attr:`ChainFile.grant_keys`)."""
        return access_key(self.organization, self.system)


class ChainFile(_Strict):
    """A whole chain file, version 1."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True,
        json_schema_extra={"$id": "https://entrustment-chain.invalid/schema/v1.json"},
    )

    schema_: Literal["entrustment-chain/v1"] = Field(
        alias="schema", description="Version of the file format (書式の版): entrustment-chain/v1.")
    title: Text | None = Field(None, description="Title (表題), free text; reports print it.")
    organizations: list[Organization] = Field(
        description="Organisations (組織): consignors (委託元), contractors (委託先, 再委託先) and other "
        "handlers (取扱者).")
    systems: list[System] = Field(default_factory=list, description="Information systems (情報システム) "
                                  "where entrusted data is processed or stored.")
    entrustments: list[Entrustment] = Field(
        default_factory=list, description="Entrustments (委託, 再委託), one per contract: consignor → "
        "contractor, with its clauses and supervision.")
    access: list[Access] = Field(
        default_factory=list, description="Access grants (アクセス権限): which organisation can reach "
        "which system; de-facto handling (事実上の取扱い).")

    @cached_property
    def organizations_by_id(self) -> dict[str, Organization]:
        return {o.id: o for o in self.organizations}

    @cached_property
    def entrustments_by_id(self) -> dict[str, Entrustment]:
        return {e.id: e for e in self.entrustments}

    @cached_property
    def systems_by_id(self) -> dict[str, System]:
        return {s.id: s for s in self.systems}

    @cached_property
    def grant_keys(self) -> list[str]:
        """The key of each access grant (aligned with ``access``), its id in both backends:
        ``org@system`` (:func:`access_key`) when the organisation has one grant to the system, as
        it usually does; when it has several (at different periods, or of different kinds),
        each is ``org@system@kind@start`` (the start as ISO, empty when unknown), which no two of
        them share (grants of one kind must not overlap) and which does not change when the
        file's lines are reordered."""
        pairs: dict[tuple[str, str], int] = {}
        for grant in self.access:
            pair = (grant.organization, grant.system)
            pairs[pair] = pairs.get(pair, 0) + 1
        keys = []
        for grant in self.access:
            key = grant.pair_key
            if pairs[(grant.organization, grant.system)] > 1:
                period = grant.parsed_period
                start = period.start.iso() if period is not None and period.start is not None else ""
                key = f"{key}@{grant.kind.value}@{start}"
            keys.append(key)
        return keys
