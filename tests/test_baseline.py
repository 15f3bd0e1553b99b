"""Baselines (`chain analyze --baseline accepted.yaml`): exactly the accepted findings are left
out, the counts are made anew, stale and expired entries are reported, --fail-on counts what is
left, and a bad baseline file is refused (exit 2) naming its line and field, with nothing
written."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from conftest import ROOT
from entrustment_chain.cli.main import main
from entrustment_chain.graph.analysis.baseline import (
    apply_baseline,
    load_baseline,
    match_baseline,
    parse_baseline_text,
)
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.findings import summarize
from entrustment_chain.graph.analysis.registry import RULE_IDS
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.loader import load_chain

CHAIN = "fixtures/procx-2024/chain.yaml"
ACCEPTED = "fixtures/procx-2024/accepted.yaml"
# the findings fixtures/procx-2024/accepted.yaml accepts: (rule, consignor, handler, entrustment)
ACCEPTED_IDS = {
    ("weak_supervision", "b", "procx", "b-procx"),
    ("weak_supervision", "e", "procx", "e-procx"),
    ("no_subcontract_restriction", "x-p10", "procx", "x-p10-procx"),
    ("unapproved_subcontracting", "j", "bs", "j-procx"),
}


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def procx():
    return analyze(load_chain(ROOT / CHAIN), source=CHAIN)


def ids(analysis) -> set[tuple]:
    return {(RULE_IDS[r.rule], r.consignor, r.handler, r.entrustment) for r in analysis.findings.records}


def baseline(tmp_path, body: str, name: str = "accepted.yaml"):
    path = tmp_path / name
    path.write_text("version: 1\naccepted:\n" + body, encoding="utf-8")
    return path


def entry(rule: str, consignor: str, extra: str = "", accepted_on: str = "2024-05-01") -> str:
    return (f"  - {{rule: {rule}, consignor: {consignor}{extra}, accepted_by: 山田, accepted_on: {accepted_on}, "
            "reason: 確認済み}\n")


def cli(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


# --- the library ---------------------------------------------------------------------------


def test_exactly_the_accepted_findings_are_suppressed(procx):
    applied = apply_baseline(procx, load_baseline(ROOT / ACCEPTED))
    assert ids(procx) - ids(applied) == ACCEPTED_IDS
    assert ids(applied) <= ids(procx)
    assert len(applied.findings) == len(procx.findings) - 4 == 275


def test_the_counts_are_made_anew_and_the_rest_of_the_summary_kept(procx):
    applied = apply_baseline(procx, load_baseline(ROOT / ACCEPTED))
    summary = applied.summary
    assert {k: summary[k] for k in ("consignors", "handlers", "findings", "by_rule", "by_severity")} == \
        summarize(applied.findings, procx.summary["consignors"], procx.summary["handlers"])
    assert summary["by_rule"]["weak_supervision"] == procx.summary["by_rule"]["weak_supervision"] - 2
    assert summary["by_severity"]["low"] == procx.summary["by_severity"]["low"] - 2
    assert summary["intermediaries"] == procx.summary["intermediaries"]
    assert summary["step_bound"] == procx.summary["step_bound"]
    assert summary["baseline"] == {"file": str(ROOT / ACCEPTED), "accepted": 4, "suppressed": 4, "stale": []}
    assert "baseline" not in procx.summary  # the analysis given is left as it was


def test_the_findings_left_are_the_same_findings(procx):
    """Suppressing a finding changes no other: messages, legal bases and their dates stay (a
    could_not_supervise finding is still dated by all of the consignor's handlings)."""
    chain_baseline = parse_baseline_text("version: 1\naccepted:\n" + entry(
        "undisclosed_subcontracting", "b", ", handler: bs"), "accepted.yaml")
    applied = apply_baseline(procx, chain_baseline)
    kept = {(f.rule, f.consignor, f.handler, f.entrustment): f for f in applied.findings}
    for f in procx.findings:
        key = (f.rule, f.consignor, f.handler, f.entrustment)
        if key in kept:
            assert kept[key] == f


def test_stale_entries_are_reported(procx, tmp_path):
    path = baseline(tmp_path, entry("no_supervision", "gone", ", entrustment: gone-procx")
                    + entry("weak_supervision", "b", ", entrustment: b-procx")
                    # given beyond the identity, the entrustment must match too: it does not
                    + entry("unapproved_subcontracting", "c", ", handler: bs, entrustment: b-procx"))
    accepted = load_baseline(path)
    match = match_baseline(procx, accepted)
    assert match.stale == [0, 2]
    applied = apply_baseline(procx, accepted, match=match)
    stale = applied.summary["baseline"]["stale"]
    assert [(s["rule"], s["consignor"], s["handler"], s["entrustment"]) for s in stale] == [
        ("no_supervision", "gone", None, "gone-procx"), ("unapproved_subcontracting", "c", "bs", "b-procx")]
    assert stale[0] == {"rule": "no_supervision", "consignor": "gone", "handler": None, "entrustment": "gone-procx",
                        "accepted_by": "山田", "accepted_on": "2024-05-01", "reason": "確認済み"}
    assert applied.summary["baseline"]["suppressed"] == 1
    warnings = match.warnings()
    assert len(warnings) == 2
    assert warnings[0] == (f"warning: {path}:3: stale: the accepted finding no_supervision gone, entrustment "
                           "gone-procx no longer occurs; remove the entry (summary.baseline.stale in the JSON)")
    assert warnings[1].startswith(f"warning: {path}:5: stale: the accepted finding unapproved_subcontracting c → bs")


def test_an_expired_acceptance_no_longer_suppresses(procx, tmp_path):
    path = baseline(tmp_path, entry("weak_supervision", "b", ", entrustment: b-procx, expires: 2024-12-31")
                    + entry("no_supervision", "gone", ", entrustment: gone-procx, expires: 2024-12-31"))
    accepted = load_baseline(path)
    before = match_baseline(procx, accepted, today=date(2024, 12, 31))  # the last day it holds
    assert list(before.suppressed.values()) == [0] and before.expired == []
    after = match_baseline(procx, accepted, today=date(2025, 1, 1))
    assert after.suppressed == {} and after.expired == [0, 1] and after.stale == [1]
    applied = apply_baseline(procx, accepted, date(2025, 1, 1))
    assert ids(applied) == ids(procx)
    assert applied.summary["baseline"]["suppressed"] == 0
    assert [s["consignor"] for s in applied.summary["baseline"]["stale"]] == ["gone"]
    warnings = after.warnings()
    assert warnings == [
        f"warning: {path}:3: the acceptance of weak_supervision b, entrustment b-procx by 山田 expired on "
        "2024-12-31; the finding is reported again",
        f"warning: {path}:4: the acceptance of no_supervision gone, entrustment gone-procx by 山田 expired on "
        "2024-12-31; the finding no longer occurs either: remove the entry"]


def test_every_kind_of_finding_can_be_accepted(procx):
    """One entry per rule that has findings, naming the identity its findings have."""
    seen, body = set(), ""
    for f in procx.findings:
        if f.rule in seen:
            continue
        seen.add(f.rule)
        extra = (f", handler: {f.handler}" if f.rule in ("undisclosed_subcontracting", "unapproved_subcontracting")
                 else f", entrustment: {f.entrustment}" if f.entrustment else "")
        body += entry(f.rule, f.consignor, extra)
    accepted = parse_baseline_text("version: 1\naccepted:\n" + body, "accepted.yaml")
    applied = apply_baseline(procx, accepted)
    assert len(ids(procx) - ids(applied)) == len(seen) == len(accepted.entries)
    assert applied.summary["baseline"]["stale"] == []


def test_dates_are_read_as_the_chain_file_reads_them():
    accepted = parse_baseline_text("version: 1\naccepted:\n" + entry(
        "could_not_supervise", "b", accepted_on="令和6年5月1日"), "accepted.yaml")
    assert accepted.entries[0].accepted_on == date(2024, 5, 1)
    accepted = parse_baseline_text("version: 1\naccepted:\n" + entry(
        "could_not_supervise", "b", accepted_on="R6.5.1"), "accepted.yaml")
    assert accepted.entries[0].accepted_on == date(2024, 5, 1)


def test_a_json_baseline(tmp_path, procx):
    path = tmp_path / "accepted.json"
    path.write_text(json.dumps({"version": 1, "accepted": [
        {"rule": "could_not_supervise", "consignor": "b", "accepted_by": "a", "accepted_on": "2024-05-01",
         "reason": "r"}]}, indent=1), encoding="utf-8")
    applied = apply_baseline(procx, load_baseline(path))
    assert ids(procx) - ids(applied) == {("could_not_supervise", "b", None, None)}
    path.write_text('{"version": 1,\n "accepted": [{"rule": "nope"}]}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_baseline(path)
    assert all(p.line == 2 for p in caught.value.problems)


# --- bad baseline files ----------------------------------------------------------------------

BAD = [
    ("unknown rule", "version: 1\naccepted:\n" + entry("undisclosed", "b", ", handler: bs"),
     ["3: accepted[0].rule: 'undisclosed' is not a rule", "the rules are: undisclosed_subcontracting"]),
    ("missing version", "accepted: []\n", ["1: version: required key 'version' is missing"]),
    ("another version", "version: 2\naccepted: []\n", ["1: version: Input should be 1"]),
    ("unknown key", "version: 1\naccepted:\n  - {rule: could_not_supervise, consignor: b, accepted_by: a,\n"
                    "     accepted_on: 2024-05-01, reason: r, why: x}\n", ["4: accepted[0].why: unknown key 'why'"]),
    ("unknown top key", "version: 1\naccepted: []\ncomment: x\n", ["3: comment: unknown key 'comment'"]),
    ("a month is no day", "version: 1\naccepted:\n" + entry("could_not_supervise", "b", accepted_on="2024-05"),
     ["3: accepted[0].accepted_on: '2024-05' names no day"]),
    ("no such day", "version: 1\naccepted:\n" + entry("could_not_supervise", "b", accepted_on="2024-02-30"),
     ["3: accepted[0].accepted_on: day 30 does not exist in '2024-02-30'"]),
    ("empty reason", "version: 1\naccepted:\n  - rule: could_not_supervise\n    consignor: b\n    accepted_by: a\n"
                     "    accepted_on: 2024-05-01\n    reason: '  '\n", ["7: accepted[0].reason:"]),
    ("missing who", "version: 1\naccepted:\n  - rule: could_not_supervise\n    consignor: b\n"
                    "    accepted_on: 2024-05-01\n    reason: r\n", ["3: accepted[0].accepted_by: required key"]),
    ("handler required", "version: 1\naccepted:\n" + entry("undisclosed_subcontracting", "b"),
     ["3: accepted[0].handler: required: a finding of undisclosed_subcontracting is one per consignor × handler"]),
    ("entrustment required", "version: 1\naccepted:\n" + entry("no_supervision", "b"),
     ["3: accepted[0].entrustment: required"]),
    ("handler refused", "version: 1\naccepted:\n  - rule: could_not_supervise\n    consignor: b\n    handler: bs\n"
                        "    accepted_by: a\n    accepted_on: 2024-05-01\n    reason: r\n",
     ["5: accepted[0].handler: a finding of could_not_supervise names no handler"]),
    ("expires before accepted", "version: 1\naccepted:\n" + entry(
        "could_not_supervise", "b", ", expires: 2024-01-01"), ["3: accepted[0].expires: 2024-01-01 is before"]),
    ("duplicate", "version: 1\naccepted:\n" + entry("could_not_supervise", "b") + entry("could_not_supervise", "b"),
     ["4: accepted[1]: accepts the same finding as accepted[0] (line 3)"]),
    ("not a list", "version: 1\naccepted: {rule: x}\n", ["2: accepted: Input should be a valid list"]),
    ("not a mapping", "- version: 1\n", ["1: a baseline is a mapping with 'version' and 'accepted'"]),
    ("empty", "", ["1: the file is empty"]),
    ("YAML syntax", "version: 1\naccepted: [\n", ["YAML syntax error"]),
    ("anchors", "version: 1\naccepted:\n  - &a {rule: could_not_supervise}\n  - *a\n", ["3: YAML anchor &a"]),
    ("duplicate key", "version: 1\nversion: 1\naccepted: []\n", ["2: version: duplicate key 'version'"]),
]


@pytest.mark.parametrize("text, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_baseline_exits_2_naming_line_and_field(tmp_path, text, expected):
    path = tmp_path / "accepted.yaml"
    path.write_text(text, encoding="utf-8")
    target = tmp_path / "report.json"
    result = cli("analyze", CHAIN, "--baseline", path, "--format", "json", "-o", target)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and not target.exists()  # nothing written
    assert "Traceback" not in result.stderr
    for part in expected:  # "LINE: FIELD: message" after the file's name, or words of the message
        assert (f"error: {path}:{part}" if part[0].isdigit() else part) in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("nothing was written.")


def test_every_problem_of_a_baseline_is_named_at_once(tmp_path):
    path = baseline(tmp_path, entry("undisclosed", "b") + entry("no_supervision", "b")
                    + entry("could_not_supervise", "b", accepted_on="yesterday"))
    result = cli("analyze", CHAIN, "--baseline", path)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split(": ")[1] for e in errors] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "3 problems found; nothing was written." in result.stderr


def test_a_missing_baseline_file_exits_2(tmp_path):
    result = cli("analyze", CHAIN, "--baseline", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "nope.yaml" in result.stderr and "cannot read the file" in result.stderr


def test_the_output_may_not_be_the_baseline(tmp_path):
    path = baseline(tmp_path, entry("could_not_supervise", "b"))
    before = path.read_bytes()
    result = cli("analyze", CHAIN, "--baseline", path, "-o", path)
    assert result.exit_code == 2 and path.read_bytes() == before


def test_standard_input_is_read_once():
    result = cli("analyze", "-", "--baseline", "-", stdin="")
    assert result.exit_code == 2 and "standard input can be read once" in result.stderr


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_json_leaves_out_the_accepted_findings():
    result = cli("analyze", CHAIN, "--baseline", ACCEPTED, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    full = json.loads(cli("analyze", CHAIN, "--format", "json").stdout)
    def ids(f: dict) -> tuple:  # findings/v2 leaves out what is null
        return f["rule"], f["consignor"], f.get("handler"), f.get("entrustment")

    gone = {ids(f) for f in full["findings"]} - {ids(f) for f in document["findings"]}
    assert gone == ACCEPTED_IDS
    assert document["summary"]["findings"] == len(document["findings"]) == 275
    assert document["summary"]["baseline"] == {"file": ACCEPTED, "accepted": 4, "suppressed": 4, "stale": []}
    assert result.stderr == f"{ACCEPTED}: 4 accepted finding(s) left out (summary.baseline in the JSON)\n"


def test_cli_warns_of_stale_and_expired_entries(tmp_path):
    path = baseline(tmp_path, entry("no_supervision", "gone", ", entrustment: gone-procx")
                    + entry("misclassified_subcontract", "procx", ", entrustment: procx-bs, expires: 2020-01-01",
                            accepted_on="2019-04-01"))
    result = cli("analyze", CHAIN, "--baseline", path)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {path}:4: the acceptance of misclassified_subcontract procx, entrustment procx-bs by 山田 "
        "expired on 2020-01-01; the finding is reported again",
        f"warning: {path}:3: stale: the accepted finding no_supervision gone, entrustment gone-procx no longer "
        "occurs; remove the entry (summary.baseline.stale in the JSON)",
        f"{path}: 0 accepted finding(s) left out (summary.baseline in the JSON)"]
    assert "misclassified_subcontract [high] — 1" in result.stdout  # reported again


def test_fail_on_counts_only_what_is_not_accepted(tmp_path):
    case = "fixtures/teaching/told-not-approved/chain.yaml"
    assert cli("analyze", case, "--fail-on", "medium").exit_code == 1
    path = baseline(tmp_path, entry("unapproved_subcontracting", "shop", ", handler: mailer"))
    result = cli("analyze", case, "--fail-on", "medium", "--baseline", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("0 findings for 1 consignors")
    expired = baseline(tmp_path, entry("unapproved_subcontracting", "shop", ", handler: mailer, expires: 2020-01-01",
                                       accepted_on="2019-01-01"), "expired.yaml")
    assert cli("analyze", case, "--fail-on", "medium", "--baseline", expired).exit_code == 1


def test_procx_fail_on_high_still_fails_on_what_is_not_accepted():
    assert cli("analyze", CHAIN, "--baseline", ACCEPTED, "--fail-on", "high").exit_code == 1
    assert cli("analyze", CHAIN, "--baseline", ACCEPTED, "--fail-on", "high", "--format", "sarif").exit_code == 1


def test_a_baseline_with_as_of_keeps_the_as_of_summary():
    result = cli("analyze", CHAIN, "--baseline", ACCEPTED, "--as-of", "2023-01-31", "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)["summary"]
    assert summary["as_of"]["date"] == "2023-01-31" and summary["baseline"]["accepted"] == 4


def test_the_json_with_a_baseline_validates_against_the_findings_schema(tmp_path):
    """summary.baseline as findings/v1 declares it (chain schema --of findings), stale entries too."""
    from jsonschema import Draft202012Validator

    from entrustment_chain.graph.reports.documents import json_schema

    path = baseline(tmp_path, entry("no_supervision", "gone", ", entrustment: gone-procx")
                    + entry("weak_supervision", "b", ", entrustment: b-procx"))
    document = json.loads(cli("analyze", CHAIN, "--baseline", path, "--format", "json").stdout)
    assert document["summary"]["baseline"]["stale"][0]["consignor"] == "gone"
    errors = list(Draft202012Validator(json_schema("findings")).iter_errors(document))
    assert not errors, [e.message for e in errors[:5]]
