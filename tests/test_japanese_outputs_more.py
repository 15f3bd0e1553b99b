"""Every Japanese output of `chain check`, `chain survey` and `chain breach` (tables and markdown,
and breach's CSV) holds no English left untranslated outside code (tests/japanese.py): on ProCX
(check: BS's maintenance contract proposed to the chain without BS; survey: ProCX's consignors;
breach: BS's leak as the issue states it) and on the teaching cases that have a
breach-expected.yaml, with every run of it. The words allowed are the chain's own (ids, the ASCII
of its names) and the input file's path."""
from __future__ import annotations

import datetime

import pytest
import yaml
from click.testing import CliRunner

from conftest import FIXTURES, PROCX, ROOT
from japanese import untranslated

WITHOUT_BS = FIXTURES / "procx-2024" / "chain-without-bs.yaml"
PROPOSAL_BS = FIXTURES / "procx-2024" / "proposal-bs.yaml"
BREACH_PROCX = ("--handler", "bs", "--from", "2013-07", "--to", "2023-10", "--known", "2023-10-17",
                "--intent", "wrongful")
BREACH_CASES = sorted(p.parent for p in (FIXTURES / "teaching").glob("*/breach-expected.yaml"))
# The locale must not decide: every run says --lang ja (and the defaults are tested in tests/cli).
LOCALE = {"LANG": "C", "LC_ALL": None, "LC_MESSAGES": None}


def run(*args) -> str:
    from entrustment_chain.cli.main import main

    result = CliRunner(env=LOCALE).invoke(main, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def chain_of(path):
    from entrustment_chain.graph.io.loader import load_chain

    return load_chain(path)


def relative(path) -> str:
    return str(path.relative_to(ROOT)) if path.is_absolute() else str(path)


def breach_args(options: dict) -> list[str]:
    """The command-line options of one run of a breach-expected.yaml (the options of breach())."""
    args = []
    for key, value in options.items():
        if key == "window":
            for option, day in zip(("--from", "--to"), value):
                if day is not None:
                    args += [option, str(day)]
        elif isinstance(value, list):
            for item in value:
                args += [f"--{key}", str(item)]
        else:
            args += [f"--{key.replace('_', '-')}", value.isoformat() if isinstance(value, datetime.date) else str(value)]
    return args


def outputs():
    """(test id, command line, the chain the output names, the input path)."""
    check = ["check", WITHOUT_BS, "--add", PROPOSAL_BS, "--lang", "ja"]
    for fmt in ("table", "markdown"):
        yield f"check-procx-{fmt}", check + ["--format", fmt], "check", WITHOUT_BS
        yield (f"survey-procx-{fmt}", ["survey", PROCX, "--contractor", "procx", "--lang", "ja", "--format", fmt],
               PROCX, PROCX)
        yield (f"breach-procx-{fmt}", ["breach", PROCX, *BREACH_PROCX, "--lang", "ja", "--format", fmt], PROCX, PROCX)
    yield "breach-procx-csv", ["breach", PROCX, *BREACH_PROCX, "--format", "csv"], PROCX, PROCX
    for case in BREACH_CASES:
        chain = case / "chain.yaml"
        runs = yaml.safe_load((case / "breach-expected.yaml").read_text(encoding="utf-8"))
        for index, entry in enumerate(runs):
            for fmt in ("table", "markdown", "csv"):
                yield (f"breach-{case.name}-{index}-{fmt}",
                       ["breach", chain, *breach_args(entry["options"]), "--lang", "ja", "--format", fmt], chain, chain)


OUTPUTS = list(outputs())


def test_every_teaching_case_with_a_breach_expected_yaml_is_read():
    assert [c.name for c in BREACH_CASES] == ["breach-four-levels", "breach-two-routes"]
    assert sum(1 for o in OUTPUTS if o[0].startswith("breach-breach-")) == 3 * 6


@pytest.mark.parametrize("args, source, path", [o[1:] for o in OUTPUTS], ids=[o[0] for o in OUTPUTS])
def test_nothing_is_left_in_english(args, source, path):
    if source == "check":  # the proposal adds BS: its words are the chain's own too
        from entrustment_chain.graph.analysis.onboarding import read_proposal
        from entrustment_chain.graph.reports.check_report import with_proposal

        chain = with_proposal(chain_of(WITHOUT_BS), read_proposal(str(PROPOSAL_BS))[0])
    else:
        chain = chain_of(source)
    text = run(*args)
    assert text.strip()
    assert untranslated(text, chain, allowed=[relative(path)]) == []


def test_the_check_finds_english_in_these_outputs():
    """The check is not blind to them: the English outputs are found out."""
    chain = chain_of(PROCX)
    english = run("survey", PROCX, "--contractor", "procx", "--lang", "en")
    assert {"Survey", "consignors"} <= set(untranslated(english, chain))
    english = run("breach", PROCX, *BREACH_PROCX, "--lang", "en")
    assert {"Handler", "Window"} <= set(untranslated(english, chain))
