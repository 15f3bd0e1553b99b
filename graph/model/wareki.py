"""Japanese era (和暦) dates and periods.

Accepts 昭和, 平成 and 令和 with 元年, full-width or half-width digits, year-only, year-month and
full dates, the abbreviated eras of office forms (S64.1.7, H27.3, R3.4.1, R元.5), ISO forms
(2015, 2015-03, 2015-03-01), fiscal years (令和3年度, 2021年度: April to March, so 令和3年度 is
令和3年4月～令和4年3月), and ranges joined by ～, 〜, ~ or - whose end may say 同年 ("the same
year") or be open (empty, 現在, 継続中: the period has not ended). The original text is kept for
reports; the ISO value is used for computing. Impossible dates (平成32年, 平成31年5月, 令和元年4月,
令和0年, month 13, H31.5) are errors, and so are years before 1900 or after 9999 (0000-01-01 is
not a day; 9999-12-31 is kept, as records write it for "no end").
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date

# era: (first day, last day or None); an era's year 1 (元年) is its first day's year.
ERAS: dict[str, tuple[date, date | None]] = {
    "昭和": (date(1926, 12, 25), date(1989, 1, 7)),
    "平成": (date(1989, 1, 8), date(2019, 4, 30)),
    "令和": (date(2019, 5, 1), None),
}

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_RANGE_SPLIT = re.compile(r"\s*[～〜~]\s*|\s+-\s+")
_ISO_INTERVAL = re.compile(r"^(\d{4}(?:-\d{1,2}){0,2})/(\d{4}(?:-\d{1,2}){0,2})$")
_ERA = re.compile(
    r"^(?P<era>昭和|平成|令和|同)\s*(?P<year>元|\d{1,2})?\s*年"
    r"(?:\s*(?P<month>\d{1,2})\s*月(?:\s*(?P<day>\d{1,2})\s*日)?)?$"
)
_ISO = re.compile(r"^(?P<year>\d{4})(?:[-/.](?P<month>\d{1,2})(?:[-/.](?P<day>\d{1,2}))?)?$")
# The abbreviated eras of office forms: S64.1.7, H27.3, R3.4.1, R元.5 (M and T are before 昭和)
_ABBREVIATED = re.compile(r"^(?P<era>[SHRshr])\s*(?P<year>元|\d{1,2})"
                          r"(?:\s*[./-]\s*(?P<month>\d{1,2})(?:\s*[./-]\s*(?P<day>\d{1,2}))?)?$")
_ABBREVIATION = {"S": "昭和", "H": "平成", "R": "令和"}
# A fiscal year (年度): 令和3年度, R3年度, 2021年度, 平成元年度
_FISCAL = re.compile(r"^(?:(?P<era>昭和|平成|令和|[SHRshr])\s*(?P<year>元|\d{1,2})|(?P<western>\d{4}))\s*年度$")
# The end of a period that has not ended (written as the end, or left empty)
# The years a date may name: none of the records this tool reads is older, and 9999 is the last
# year a date has (9999-12-31 stands for "no end" in many records).
MIN_YEAR, MAX_YEAR = 1900, 9999
OPEN_END = frozenset({"現在", "現在まで", "現在に至る", "継続中", "継続", "契約中", "至現在", "present", "ongoing"})


class WarekiError(ValueError):
    """A date or period that cannot be read or cannot exist."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None
    era: str | None = field(default=None, compare=False)  # the era written, kept for printing

    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def first_day(self) -> date:
        """The first day it names; within its era when written in one (令和元年 begins on
        2019-05-01, not on 1 January)."""
        day = date(self.year, self.month or 1, self.day or 1)
        if self.era is not None and self.era in ERAS:
            day = max(day, ERAS[self.era][0])
        return day

    def last_day(self) -> date:
        """The last day it names; within its era (平成31年 ends on 2019-04-30)."""
        month = self.month or 12
        day = date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])
        if self.era is not None and self.era in ERAS and ERAS[self.era][1] is not None:
            day = min(day, ERAS[self.era][1])
        return day

    def wareki(self) -> str:
        """The date in the era current on its first day, e.g. 平成 31 年 4 月, 令和元年; a date
        before 昭和 (1926-12-25), which no era here names, as ISO."""
        if self.first_day() < ERAS["昭和"][0]:
            return self.iso()
        era, era_year = _era_of(self.first_day())
        if self.era is not None and self.era != era:  # 令和元年 (year only) starts under 平成
            era, era_year = self.era, self.year - ERAS[self.era][0].year + 1
        text = f"{era}{'元' if era_year == 1 else f' {era_year} '}年".replace("  ", " ")
        if self.month is not None:
            text += f" {self.month} 月"
            if self.day is not None:
                text += f" {self.day} 日"
        return text.strip()


@dataclass(frozen=True)
class Period:
    """A period with its original text, e.g. 平成27年3月～平成29年3月."""

    text: str
    start: PartialDate | None
    end: PartialDate | None

    def iso(self) -> str:
        start = self.start.iso() if self.start else ""
        end = self.end.iso() if self.end else ""
        return f"{start}/{end}"

    def wareki(self) -> str:
        """The seed's way of printing a period: 平成 27 年 5 月～同年 7 月."""
        if self.start is None:
            return f"～{self.end.wareki()}" if self.end else ""
        start = self.start.wareki()
        if self.end == self.start:
            return start
        if self.end is None:
            return f"{start}～"
        end = self.end.wareki()
        if self.end.year == self.start.year and self.end.month is not None \
                and self.start.first_day() >= ERAS["昭和"][0]:
            era_start, _ = _era_of(self.start.first_day())
            era_end, _ = _era_of(self.end.first_day())
            if era_start == era_end:
                end = "同年" + end.split("年", 1)[1]
        return f"{start}～{end}"


def _era_of(day: date) -> tuple[str, int]:
    for era, (first, last) in ERAS.items():
        if first <= day and (last is None or day <= last):
            return era, day.year - first.year + 1
    raise WarekiError(f"{day.isoformat()} is before 昭和")


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise WarekiError(f"year {year} in {text!r} is out of range: a date here is in {MIN_YEAR}–{MAX_YEAR}")


def _check_day(year: int, month: int | None, day: int | None, text: str) -> None:
    _check_year(year, text)
    if month is not None and not 1 <= month <= 12:
        raise WarekiError(f"month {month} does not exist in {text!r}")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month or 1)[1]:
        raise WarekiError(f"day {day} does not exist in {text!r}")


def parse_date(text: str, same_year: PartialDate | None = None) -> PartialDate:
    """Read one date: 平成27年3月, 令和元年, 2015-03, ２０１５年３月 … ``same_year`` resolves 同年."""
    raw = text
    text = str(text).translate(_FULLWIDTH).strip()
    if not text:
        raise WarekiError("empty date")
    iso = _ISO.match(text)
    if iso:
        year = int(iso["year"])
        month = int(iso["month"]) if iso["month"] else None
        day = int(iso["day"]) if iso["day"] else None
        _check_day(year, month, day, raw)
        return PartialDate(year, month, day)
    western = re.match(r"^(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?$", text)
    if western:
        year, month, day = (int(g) if g else None for g in western.groups())
        _check_day(year, month, day, raw)
        return PartialDate(year, month, day)
    m = _ERA.match(text) or _ABBREVIATED.match(text)
    if not m:
        raise WarekiError(f"cannot read {raw!r} as a date (平成27年3月, 令和元年, R3.4.1, 2015-03 …)")
    month = int(m["month"]) if m["month"] else None
    day = int(m["day"]) if m["day"] else None
    era = _ABBREVIATION.get(m["era"].upper(), m["era"])
    if era == "同":
        if same_year is None or m["year"] is not None:
            raise WarekiError(f"同年 in {raw!r} needs a preceding date in the same period")
        _check_day(same_year.year, month, day, raw)
        return PartialDate(same_year.year, month, day, era=same_year.era)
    if m["year"] is None:
        raise WarekiError(f"{raw!r} has no year")
    return _era_date(era, m["year"], month, day, raw)


def _era_date(era: str, year_text: str, month: int | None, day: int | None, raw: str) -> PartialDate:
    era_year = 1 if year_text == "元" else int(year_text)
    if era_year < 1:
        raise WarekiError(f"{era}{era_year}年 does not exist: era years start at 元年")
    first, last = ERAS[era]
    year = first.year + era_year - 1
    _check_day(year, month, day, raw)
    result = PartialDate(year, month, day, era=era)
    # The whole of the named year, month or day must not lie outside the era.
    if result.last_day() < first or (last is not None and result.first_day() > last):
        span = f"{first.isoformat()}–{last.isoformat() if last else ''}"
        raise WarekiError(f"{raw!r} does not exist: {era} ran {span}")
    return result


def fiscal_year(text: str) -> tuple[PartialDate, PartialDate] | None:
    """The first and last month of a fiscal year written as 令和3年度, R3年度 or 2021年度 (April
    to March), or None when ``text`` is not one."""
    m = _FISCAL.match(str(text).translate(_FULLWIDTH).strip())
    if m is None:
        return None
    if m["western"]:
        year = int(m["western"])
        _check_year(year, str(text))
        _check_year(year + 1, str(text))  # its March is in the next year
        return PartialDate(year, 4), PartialDate(year + 1, 3)
    era = _ABBREVIATION.get(m["era"].upper(), m["era"])
    year = _era_date(era, m["year"], None, None, str(text)).year  # 令和元年度 begins in 平成's April
    return PartialDate(year, 4), PartialDate(year + 1, 3)


def _bound(text: str, side: str, same_year: PartialDate | None = None) -> PartialDate | None:
    """One end of a period: a date, a fiscal year (its April for a start, its March for an end),
    or, for an end, an open end (None)."""
    stripped = str(text).translate(_FULLWIDTH).strip()
    if side == "end" and (not stripped or stripped.lower() in OPEN_END):
        return None
    fiscal = fiscal_year(stripped)
    if fiscal is not None:
        return fiscal[0] if side == "start" else fiscal[1]
    return parse_date(stripped, same_year=same_year) if stripped else None


def parse_period(value: str | dict) -> Period:
    """Read a period: a range string, a single date, or ``{start: …, end: …}``."""
    if isinstance(value, str):
        return _parse_period_text(value)
    return _parse_period(value)


@lru_cache(maxsize=1 << 16)
def _parse_period_text(value: str) -> Period:
    return _parse_period(value)  # periods repeat across a large file: read each text once


def _parse_period(value: str | dict) -> Period:
    if isinstance(value, dict):
        start_text = value.get("start")
        end_text = value.get("end")
        start = _bound(str(start_text), "start") if start_text not in (None, "") else None
        end = _bound(str(end_text), "end", same_year=start) if end_text not in (None, "") else None
        text = f"{start_text or ''}～{end_text or ''}"
    else:
        text = str(value)
        interval = _ISO_INTERVAL.match(text.translate(_FULLWIDTH).strip())
        parts = list(interval.groups()) if interval else _RANGE_SPLIT.split(text.strip())
        if len(parts) > 2:
            raise WarekiError(f"cannot read {text!r} as a period: more than one range separator")
        fiscal = fiscal_year(parts[0]) if len(parts) == 1 else None
        if fiscal is not None:  # one fiscal year: April to March
            start, end = fiscal
        else:
            start = _bound(parts[0], "start") if parts[0].strip() else None
            end = start if len(parts) == 1 else _bound(parts[1], "end", same_year=start)
    if start and end and end.last_day() < start.first_day():
        raise WarekiError(f"period {text!r} ends before it starts")
    return Period(text=text, start=start, end=end)
