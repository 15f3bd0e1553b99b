"""The service's own documents: errors (with the library's problems), validation, health, rules.
The results of analyze, check, survey and breach are the library's models, unchanged."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from entrustment_chain.graph.errors import Problem

VALIDATION_SCHEMA = "entrustment-chain/validation/v1"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ProblemItem(_Out):
    """One thing wrong with the input, as ``chain validate`` reports it: ``file`` is the name of
    the document (the request's ``source``, ``<body>``, ``chain``, ``proposal``) or ``query`` for a
    query parameter; ``line`` counts lines of the body (null when unknown or not in a document);
    ``field`` is the path of the field (``entrustments[3].covers``) or the query parameter;
    ``text`` is the line ``chain validate`` prints after ``error:``."""

    file: str
    line: int | None
    field: str
    message: str
    text: str

    @classmethod
    def of(cls, problem: Problem) -> "ProblemItem":
        return cls(file=problem.file, line=problem.line, field=problem.field, message=problem.message,
                   text=str(problem))


class ErrorDocument(_Out):
    """An error answer (RFC 9457 problem details, ``application/problem+json``). ``problems`` lists
    every problem of invalid input (422); it is empty for other errors."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    problems: list[ProblemItem] = Field(default_factory=list)


class ValidationCounts(_Out):
    organizations: int
    systems: int
    entrustments: int
    access: int


class ValidationResult(_Out):
    """A valid chain: what it holds, and the line ``chain validate`` prints. An invalid chain is a
    422 error document with every problem."""

    schema_: Literal["entrustment-chain/validation/v1"] = Field(default="entrustment-chain/validation/v1", alias="schema")
    source: str
    valid: Literal[True] = True
    counts: ValidationCounts
    text: str


class Health(_Out):
    status: Literal["ok"] = "ok"
    version: str
    backends: list[str]  # the backends requests may name; the first is the default


class RuleInfo(_Out):
    """One rule of the registry (the README's table and docs/rules.md are made from the same)."""

    id: str
    per: str
    severity: str
    title_en: str
    title_ja: str
    when_en: str
    when_ja: str
