"""Terminal tables whose columns line up: a cell is measured by the columns a terminal gives it
(unicodedata.east_asian_width: a wide or fullwidth character, as in 株式会社, takes two; a
combining mark none), never by len()."""
from __future__ import annotations

import unicodedata
from typing import Iterable, Sequence


def width(text: str) -> int:
    """The columns ``text`` takes in a terminal."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def pad(text: str, size: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``size`` columns, on the right (or, ``right``, on the left)."""
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill


def columns(rows: Iterable[Sequence[str]], right: Iterable[int] = (), gap: str = "  ") -> list[str]:
    """``rows`` (the header first) as lines whose columns line up: each column as wide as its
    widest cell, those in ``right`` aligned right; the last column is not filled, and no line
    ends with a space."""
    table: list[list[str]] = [list(row) for row in rows]
    if not table:
        return []
    count = max(len(row) for row in table)
    table = [row + [""] * (count - len(row)) for row in table]
    sizes = [max(width(row[i]) for row in table) for i in range(count)]
    aligned = set(right)
    lines = []
    for row in table:
        cells = [pad(cell, sizes[i], i in aligned) if i < count - 1 or i in aligned else cell
                 for i, cell in enumerate(row)]
        lines.append(gap.join(cells).rstrip())
    return lines
