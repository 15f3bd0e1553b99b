"""Golden tests of the `chain` commands, one module per command (issue 10), as bump-my-version
keeps them: each command runs through click's CliRunner on the project's fixtures and its output
is compared byte for byte with a file in tests/cli/expected/, together with its exit code.

To (re)write the expected files after an intended change, run

    UPDATE_GOLDEN=1 python3 -m pytest tests/cli

and read the diff before committing it: the golden files freeze today's correct behaviour.
Without UPDATE_GOLDEN a difference fails the test with a unified diff.

Every test runs from the repository's root and names its inputs by relative path
(fixtures/procx-2024/chain.yaml), so that outputs that print the path as given (validate, error
messages, the JSON report's source, the default dataset of the Cypher export) are the same on
every machine without any rewriting. What still varies (a temporary directory, a random dataset
name, the server's URI) is normalised by the test that meets it, explicitly, with a comment.

This directory is a package (it has an __init__.py) because tests/ is not: pytest imports test
files of package-less directories by their base name, and tests/test_check.py and
tests/test_survey.py already hold the names tests/cli/test_check.py and tests/cli/test_survey.py
need. As a package these are cli.test_check etc. (tests/ stays first on sys.path), and
`from conftest import …` in tests/*.py still finds tests/conftest.py.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).resolve().parent / "expected"

# Inputs, relative to ROOT (the tests run there; see at_root).
PROCX = "fixtures/procx-2024/chain.yaml"
PROPOSAL_BS = "fixtures/procx-2024/proposal-bs.yaml"
TEACHING = sorted(p.parent.name for p in (ROOT / "fixtures" / "teaching").glob("*/chain.yaml"))
INPUTS = "tests/cli/inputs"

UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
_written: dict[Path, bytes] = {}  # what UPDATE_GOLDEN=1 wrote in this session


def teaching(name: str) -> str:
    return f"fixtures/teaching/{name}/chain.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args, env: dict | None = None) -> Result:
    """`chain ARGS…` in-process; stdout and stderr kept apart (result.stdout, result.stderr)."""
    from entrustment_chain.cli.main import main

    return CliRunner(env=env).invoke(main, [str(a) for a in args])


def _readable(data: bytes) -> list[str]:
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding).splitlines(keepends=True)
        except UnicodeDecodeError:
            continue
    return [repr(data)]


def compare(path: Path, actual: str | bytes, *, may_write: bool = True) -> None:
    """Compare ``actual`` byte for byte with the file at ``path`` (text is UTF-8); with
    UPDATE_GOLDEN=1 and ``may_write``, write it there instead."""
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if UPDATE and may_write:
        # Several tests may share one golden file (the same report through -o, or from another
        # encoding): the first writes it, the others must agree with it.
        if _written.setdefault(path, data) == data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} does not exist; write it with UPDATE_GOLDEN=1 python3 -m pytest "
                    "tests/cli, then read it", pytrace=False)
    expected = path.read_bytes()
    if data == expected:
        return
    diff = "".join(difflib.unified_diff(_readable(expected), _readable(data), str(path.relative_to(ROOT)),
                                        "actual output", n=2))
    if not diff.strip():  # the same lines: the difference is in line endings or the final newline
        diff = f"expected {expected[-40:]!r}\nactual   {data[-40:]!r}\n"
    if len(diff) > 8000:
        diff = diff[:8000] + f"\n… ({len(diff) - 8000} more characters of diff)\n"
    hint = "" if may_write else " (this file belongs to another test; it is never rewritten from here)"
    pytest.fail(f"output differs from {path.relative_to(ROOT)}{hint}; if the change is intended, rewrite with "
                f"UPDATE_GOLDEN=1 python3 -m pytest tests/cli and read the result\n{diff}", pytrace=False)


class Golden:
    """``golden(name, text)``: compare with tests/cli/expected/NAME (or write it, UPDATE_GOLDEN=1).
    ``golden.reference(path, text)``: compare with a golden file another test owns; never written."""

    def __call__(self, name: str, actual: str | bytes) -> None:
        compare(EXPECTED / name, actual)

    def reference(self, path: Path, actual: str | bytes) -> None:
        compare(path, actual, may_write=False)


@pytest.fixture
def golden() -> Golden:
    return Golden()
