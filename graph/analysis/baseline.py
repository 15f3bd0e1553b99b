"""Baselines: findings a team has accepted, each with who accepted it, when and why.

A baseline file (``chain analyze --baseline accepted.yaml``) lets a CI gate fail on new findings
only. It is YAML (or JSON) of this shape::

    version: 1
    accepted:
      - rule: undisclosed_subcontracting
        consignor: b
        handler: bs
        accepted_by: 個人情報保護担当 山田
        accepted_on: 2024-05-01
        reason: BSの保守委託は2024年4月に各委託元へ説明済み（説明記録 2024-04-15）
        expires: 2025-03-31      # optional: after this day the acceptance no longer holds

An entry names one finding by the identity the rule's findings have: the rule and the consignor,
plus the handler for the rules of one finding per consignor × handler, or the entrustment for
the rules of one finding per entrustment (``registry.Per``). A field a rule's findings carry
beyond their identity (the contractor of an entrustment finding, the restricted entrustment of an
unapproved handler) may be given too, and then must match as well. The file is validated like a
chain file, with the same YAML reader (:mod:`..io.sourcemap`): every problem names the file, the
line and the field, and an unknown rule names the rules.

:func:`match_baseline` says which findings an analysis's baseline suppresses, which entries no
longer occur (stale) and which have expired (an expired acceptance suppresses nothing: its
finding is reported again); :func:`apply_baseline` removes the suppressed findings from the
analysis, recomputes its counts and records what the baseline did in ``summary["baseline"]``.
The SARIF report keeps suppressed findings as results with SARIF's ``suppressions``.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from entrustment_chain.graph.analysis.findings import (
    AcceptedFinding,
    Analysis,
    BaselineSummary,
    Record,
    summarize,
)
from entrustment_chain.graph.analysis.registry import RULE_IDS, RULES, Per, rule
from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import pydantic_problems, input_name, read_text
from entrustment_chain.graph.io.sourcemap import SourceError, SourceErrors, format_path, line_of, parse_json, parse_yaml
from entrustment_chain.graph.model.chain import Id, Name, Text
from entrustment_chain.graph.model.wareki import WarekiError, parse_date

BASELINE_VERSION = 1


def _day(value: Any) -> Any:
    """A day as the chain file writes days (2024-05-01, 令和6年5月1日, R6.5.1); a whole day, not a
    month or a year (an acceptance is dated)."""
    if isinstance(value, date) or not isinstance(value, str):
        return value  # pydantic's own error for anything else
    try:
        parsed = parse_date(value)
    except WarekiError as exc:
        raise ValueError(str(exc)) from None
    if parsed.month is None or parsed.day is None:
        raise ValueError(f"{value!r} names no day: give the day (2024-05-01, 令和6年5月1日)")
    return parsed.first_day()


Day = Annotated[date, BeforeValidator(_day)]
Reason = Annotated[Text, StringConstraints(min_length=1)]


class AcceptedEntry(BaseModel):
    """One accepted finding of a baseline file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(description="The rule of the finding (its id, docs/rules.md).",
                      json_schema_extra={"enum": list(RULE_IDS)})
    consignor: Id = Field(description="The finding's consignor (委託元), by id.")
    handler: Id | None = Field(default=None, description="The handler, by id: required for the rules with one "
                                                         "finding per consignor × handler, absent for the others.")
    entrustment: Id | None = Field(default=None, description="The entrustment, by id: required for the rules with "
                                                             "one finding per entrustment, absent for the others.")
    accepted_by: Name = Field(description="Who accepted it (a person or a role).")
    accepted_on: Day = Field(description="The day it was accepted: ISO (2024-05-01) or wareki (令和6年5月1日).")
    reason: Reason = Field(description="Why it was accepted (受容の理由).")
    expires: Day | None = Field(default=None, description="The last day the acceptance holds; after it the finding "
                                                          "is reported again (and a warning says so).")

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        try:
            return rule(value).id
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None

    def key(self) -> tuple[str, str, str | None, str | None]:
        """The identity of the finding it accepts (see :func:`finding_key`)."""
        return finding_key(self.rule, self.consignor, self.handler, self.entrustment)

    def matches(self, r: Record) -> bool:
        """Whether it accepts the finding of record ``r`` (its identity, and any further field given)."""
        return (RULE_IDS[r.rule] == self.rule and r.consignor == self.consignor
                and (self.handler is None or r.handler == self.handler)
                and (self.entrustment is None or r.entrustment == self.entrustment))

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def summary(self) -> AcceptedFinding:
        return {"rule": self.rule, "consignor": self.consignor, "handler": self.handler,
                "entrustment": self.entrustment, "accepted_by": self.accepted_by,
                "accepted_on": self.accepted_on.isoformat(), "reason": self.reason}

    def describe(self) -> str:
        """The finding it accepts, in a line: ``undisclosed_subcontracting b → bs``,
        ``no_supervision b, entrustment b-procx``."""
        return (f"{self.rule} {self.consignor}" + (f" → {self.handler}" if self.handler else "")
                + (f", entrustment {self.entrustment}" if self.entrustment else ""))


class BaselineFile(BaseModel):
    """A baseline file: its version (1) and the accepted findings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = Field(description="The version of the baseline format: 1.")
    accepted: list[AcceptedEntry] = Field(description="The accepted findings, one entry each.")


@dataclass(frozen=True)
class Baseline:
    """A validated baseline file: its name as given, its entries and the line of each."""

    file: str
    entries: tuple[AcceptedEntry, ...]
    lines: tuple[int | None, ...] = ()

    def line(self, index: int) -> int | None:
        return self.lines[index] if index < len(self.lines) else None


def finding_key(rule_id: str, consignor: str, handler: str | None,
                entrustment: str | None) -> tuple[str, str, str | None, str | None]:
    """What identifies a finding across runs: the rule and the consignor, with the handler for a
    rule of one finding per consignor × handler, or the entrustment for one per entrustment.
    Paths, windows and messages may change from run to run; this does not."""
    per = RULES[rule_id].per
    if per is Per.consignor_handler:
        return rule_id, consignor, handler, None
    if per is Per.entrustment:
        return rule_id, consignor, None, entrustment
    return rule_id, consignor, None, None


def fingerprint(rule_id: str, consignor: str, handler: str | None, entrustment: str | None) -> str:
    """A stable hash of :func:`finding_key` (hex SHA-256), which code-scanning tools use to know
    a finding again in the next run."""
    key = finding_key(rule_id, consignor, handler, entrustment)
    return hashlib.sha256("\x1f".join(part or "" for part in key).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Reading a baseline file


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read and validate a baseline file (YAML, or JSON by its ``.json`` name; ``-``: standard
    input). Every problem is raised together as one :class:`InputError` naming the file, the
    line and the field."""
    name = input_name(path)
    fmt = "json" if name.lower().endswith(".json") else "yaml"
    text = read_text(path, "yaml")  # a baseline is small: YAML's byte limit, whatever the format
    return parse_baseline_text(text, name, fmt)


def parse_baseline_text(text: str, name: str = "<baseline>", fmt: str = "yaml") -> Baseline:
    try:
        data, lines = parse_json(text) if fmt == "json" else parse_yaml(text)
    except SourceErrors as exc:
        raise InputError([Problem(name, e.line, format_path(e.path), e.message) for e in exc.errors]) from None
    except SourceError as exc:
        raise InputError([Problem(name, exc.line, format_path(exc.path), exc.message)]) from None
    return baseline_from_dict(data, name, lines)


def baseline_from_dict(data: Any, name: str = "<baseline>", lines: dict | None = None) -> Baseline:
    lines = lines or {}
    if data is None:
        raise InputError([Problem(name, 1, "", f"the file is empty; a baseline starts with "
                                  f"'version: {BASELINE_VERSION}' and lists its findings under 'accepted'")])
    if not isinstance(data, dict):
        raise InputError([Problem(name, line_of(lines, ()), "", "a baseline is a mapping with 'version' and "
                                  f"'accepted' at the top, not a {type(data).__name__}")])
    problems: list[Problem] = []
    try:
        parsed = BaselineFile.model_validate(data)
    except ValidationError as exc:
        parsed = None
        problems += pydantic_problems(exc, data, name, lines)
    # what an entry must and may name by its rule, checked on every entry that is valid on its own
    # (so that one round names every problem)
    items = data.get("accepted")
    first: dict[tuple, int] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            entry = AcceptedEntry.model_validate(item)
        except ValidationError:
            continue  # named above
        problems += _entry_problems(entry, index, name, lines)
        seen = first.setdefault(entry.key(), index)
        if seen != index:
            problems.append(Problem(name, line_of(lines, ("accepted", index)), f"accepted[{index}]",
                                    f"accepts the same finding as accepted[{seen}] (line "
                                    f"{line_of(lines, ('accepted', seen))}): {entry.describe()}"))
    if problems or parsed is None:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise InputError(problems)
    return Baseline(name, tuple(parsed.accepted),
                    tuple(line_of(lines, ("accepted", i)) for i in range(len(parsed.accepted))))


def _entry_problems(entry: AcceptedEntry, index: int, name: str, lines: dict) -> list[Problem]:
    """What an entry must and may name, by its rule: the identity of the rule's findings is
    required; a field the rule's findings never carry is refused; an expiry before the
    acceptance cannot be."""
    record = RULES[entry.rule]
    out = []

    def problem(key: str, message: str) -> None:
        out.append(Problem(name, line_of(lines, ("accepted", index, key)), f"accepted[{index}].{key}", message))

    if record.per is Per.consignor_handler and entry.handler is None:
        problem("handler", f"required: a finding of {entry.rule} is one per consignor × handler, so an "
                           "acceptance names the handler")
    if record.per is Per.entrustment and entry.entrustment is None:
        problem("entrustment", f"required: a finding of {entry.rule} is one per entrustment, so an acceptance "
                               "names the entrustment")
    for key in ("handler", "entrustment"):
        if getattr(entry, key) is not None and key not in record.columns:
            problem(key, f"a finding of {entry.rule} names no {key} (it is one per {record.per.value}): remove it")
    if entry.expires is not None and entry.expires < entry.accepted_on:
        problem("expires", f"{entry.expires.isoformat()} is before accepted_on {entry.accepted_on.isoformat()}")
    return out


# ---------------------------------------------------------------------------------------------
# Applying a baseline to an analysis


@dataclass
class BaselineMatch:
    """What a baseline does to one analysis: ``suppressed`` maps the index of each suppressed
    finding (in the analysis's report order) to the index of the entry that accepts it; ``stale``
    are the indexes of entries that accept no finding of the analysis (expired or not);
    ``expired`` the indexes of entries whose acceptance has expired, which suppress nothing."""

    baseline: Baseline
    today: date
    suppressed: dict[int, int] = field(default_factory=dict)
    stale: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    occurs: set[int] = field(default_factory=set)  # entries that accept a finding of the analysis

    def entry_of(self, finding_index: int) -> AcceptedEntry | None:
        """The entry that suppresses the finding at ``finding_index``, if one does."""
        entry = self.suppressed.get(finding_index)
        return None if entry is None else self.baseline.entries[entry]

    def summary(self) -> BaselineSummary:
        entries = self.baseline.entries
        return {"file": self.baseline.file, "accepted": len(entries), "suppressed": len(self.suppressed),
                "stale": [entries[i].summary() for i in self.stale]}

    def warnings(self) -> list[str]:
        """One line per stale or expired entry, as the CLI prints them on standard error."""
        out = []
        for i in self.expired:
            entry = self.baseline.entries[i]
            where = _where(self.baseline, i)
            assert entry.expires is not None  # expired
            what = ("the finding is reported again" if i in self.occurs
                    else "the finding no longer occurs either: remove the entry")
            out.append(f"warning: {where}: the acceptance of {entry.describe()} by {entry.accepted_by} expired "
                       f"on {entry.expires.isoformat()}; {what}")
        for i in self.stale:
            if i in self.expired:
                continue  # said above
            entry = self.baseline.entries[i]
            out.append(f"warning: {_where(self.baseline, i)}: stale: the accepted finding {entry.describe()} no "
                       "longer occurs; remove the entry (summary.baseline.stale in the JSON)")
        return out


def _where(baseline: Baseline, index: int) -> str:
    line = baseline.line(index)
    return f"{baseline.file}:{line}" if line is not None else baseline.file


def match_baseline(analysis: Analysis, baseline: Baseline, today: date | None = None) -> BaselineMatch:
    """Which findings of ``analysis`` the baseline suppresses, which of its entries are stale and
    which have expired (on ``today``, by default the day it runs)."""
    today = today or date.today()
    result = BaselineMatch(baseline, today)
    by_key: dict[tuple, int] = {entry.key(): i for i, entry in enumerate(baseline.entries)}
    for index, r in enumerate(analysis.findings.records):
        i = by_key.get(finding_key(RULE_IDS[r.rule], r.consignor, r.handler, r.entrustment))
        if i is None or not baseline.entries[i].matches(r):
            continue
        result.occurs.add(i)
        if not baseline.entries[i].expired(today):
            result.suppressed[index] = i
    result.expired = [i for i, entry in enumerate(baseline.entries) if entry.expired(today)]
    result.stale = [i for i in range(len(baseline.entries)) if i not in result.occurs]
    return result


def apply_baseline(analysis: Analysis, baseline: Baseline, today: date | None = None, *,
                   match: BaselineMatch | None = None) -> Analysis:
    """The analysis without the findings the baseline suppresses: the counts of its summary made
    anew from what is left (its other parts kept: consignors, handlers, step bound, as-of), and
    ``summary["baseline"]`` saying what the baseline did. ``match`` is a :func:`match_baseline`
    already made for this analysis and baseline (else it is made, on ``today``)."""
    match = match or match_baseline(analysis, baseline, today)
    # the findings keep the maker of the whole analysis: a could_not_supervise finding is dated by
    # all of the consignor's undisclosed handlings, suppressed or not (findings.conduct_dates)
    findings = analysis.findings.keep(lambda i: i not in match.suppressed)
    summary: dict[str, Any] = dict(analysis.summary)
    summary.update(summarize(findings, analysis.summary["consignors"], analysis.summary["handlers"]))
    summary["baseline"] = match.summary()
    return Analysis(schema=analysis.schema_, source=analysis.source, backend=analysis.backend, summary=summary,
                    findings=findings, exposure=analysis.exposure)
