"""Error types of the library. The CLI turns them into messages and exit codes (2 and 3)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ChainError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(ChainError):
    """The input (a chain file, a proposal, a parameter) is invalid. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DatabaseError(ChainError):
    """Neo4j could not be reached or refused the work. The message says what to check.
    ``constraint`` is true when a uniqueness constraint refused a write."""

    constraint: bool = False
