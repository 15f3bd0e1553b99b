"""`--format junit`: JUnit XML as CI test reporters read it, parsed back with xml.etree: one suite
per rule (every rule, in the registry's order), one failed test case per finding, counts that
add up, names that people read, and markup in names escaped."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from conftest import ROOT
from entrustment_chain.cli.main import main
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.registry import RULE_IDS, RULES
from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph.reports import junit

CHAIN = "fixtures/procx-2024/chain.yaml"
WITHOUT_BS = "fixtures/procx-2024/chain-without-bs.yaml"
PROPOSAL_BS = "fixtures/procx-2024/proposal-bs.yaml"
ACCEPTED = "fixtures/procx-2024/accepted.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str, fmt: str = "junit") -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--format", fmt], catch_exceptions=False)
    return result.exit_code, result.stdout


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def assert_counts_add_up(root: ET.Element) -> None:
    suites = root.findall("testsuite")
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert suite.get("errors") == "0" and suite.get("skipped") == "0"
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites)


def test_procx_one_suite_per_rule_one_failure_per_finding():
    code, text = run("analyze", CHAIN)
    assert code == 0
    root = parse(text)
    assert root.tag == "testsuites" and root.get("name") == "entrustment-chain analyze"
    assert_counts_add_up(root)
    findings = json.loads(run("analyze", CHAIN, "--messages", fmt="json")[1])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(RULE_IDS)
    for suite in suites:
        expected = findings["summary"]["by_rule"][suite.get("name")]
        assert int(suite.get("failures")) == expected
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        assert props["severity"] == RULES[suite.get("name")].severity.value
        if expected == 0:  # a rule without findings: one passing case, so that it shows as checked
            (case,) = suite.findall("testcase")
            assert case.get("name") == junit.NO_FINDINGS and case.find("failure") is None
    assert int(root.get("failures")) == findings["summary"]["findings"] == 279
    failures = [c.find("failure") for s in suites for c in s.findall("testcase") if c.find("failure") is not None]
    assert [f.get("message") for f in failures] == [f["message_ja"] for f in findings["findings"]]
    assert [f.get("type") for f in failures] == [findings["rules"][f["rule"]]["severity"] for f in findings["findings"]]
    assert all(f["message"] in failure.text for f, failure in zip(findings["findings"], failures))


def test_names_are_organisation_names_with_ids():
    root = parse(run("analyze", CHAIN)[1])
    names = {s.get("name"): [c.get("name") for c in s.findall("testcase")] for s in root.findall("testsuite")}
    assert names["undisclosed_subcontracting"][0] == "B社 (b) → NTTビジネスソリューションズ株式会社 (bs)"
    assert names["could_not_supervise"][0] == "B社 (b)"
    assert names["misclassified_subcontract"] == [
        "株式会社NTTマーケティングアクトProCX (procx) → NTTビジネスソリューションズ株式会社 (bs) [procx-bs]"]
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert len({c.get("name") for c in cases}) == len(cases)  # unique within a suite
        assert {c.get("classname") for c in cases} == {suite.get("name")}


def test_a_failure_names_each_route_and_its_path_by_names():
    """The routes of a path finding as messages write paths: by names, with the kind of each step."""
    root = parse(run("analyze", CHAIN)[1])
    failure = root.find("testsuite[@name='undisclosed_subcontracting']/testcase/failure")
    assert ("経路：B社から株式会社NTTマーケティングアクトProCXへの委託（b-procx）：B社 →（データ格納）"
            "［コールセンターシステム］ →（アクセス・保守）NTTビジネスソリューションズ株式会社") in failure.text.splitlines()
    assert "→(access)" not in failure.text


def test_cases_name_the_file_and_line():
    lines = (ROOT / CHAIN).read_text(encoding="utf-8").splitlines()
    root = parse(run("analyze", CHAIN)[1])
    case = root.find("testsuite[@name='no_supervision']/testcase")
    assert case.get("file") == CHAIN
    assert lines[int(case.get("line")) - 1].strip().startswith("- id: ")


def test_a_baseline_leaves_the_accepted_findings_out():
    code, text = run("analyze", CHAIN, "--baseline", ACCEPTED)
    assert code == 0
    root = parse(text)
    assert_counts_add_up(root)
    assert int(root.get("failures")) == 275
    weak = root.find("testsuite[@name='weak_supervision']")
    names = [c.get("name") for c in weak.findall("testcase")]
    assert not any(name.startswith(("B社 (b)", "E社 (e)")) for name in names)
    assert int(weak.get("failures")) == 18


def test_a_rule_whose_findings_are_all_accepted_passes(tmp_path):
    baseline = tmp_path / "accepted.yaml"
    baseline.write_text("version: 1\naccepted:\n  - {rule: misclassified_subcontract, consignor: procx, "
                        "entrustment: procx-bs, accepted_by: a, accepted_on: 2024-01-01, reason: r}\n",
                        encoding="utf-8")
    root = parse(run("analyze", CHAIN, "--baseline", str(baseline))[1])
    suite = root.find("testsuite[@name='misclassified_subcontract']")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")


def test_markup_in_names_is_escaped():
    """Names are text in XML: ElementTree escapes them, and they parse back as written."""
    name = 'A&B <委託元> "quoted" \'single\' ]]> &amp;'
    chain = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "a", "name": name, "kind": "private"},
                          {"id": "c", "name": "<script>alert(1)</script>", "kind": "private"}],
        "entrustments": [{"id": "a-c", "consignor": "a", "contractor": "c", "personal_data": True,
                          "clauses": {"transfer_safety": False, "storage_safety": False, "disposal_safety": False}}],
    })
    text = junit.analysis_junit(analyze(chain), chain)
    root = parse(text)
    assert_counts_add_up(root)
    case = root.find("testsuite[@name='no_safeguard_clauses']/testcase")
    assert case.get("name") == f"{name} (a) → <script>alert(1)</script> (c) [a-c]"
    assert name in case.find("failure").get("message")
    assert "<script>" not in text  # written as &lt;script&gt;


def test_characters_xml_cannot_hold_are_replaced():
    assert junit._x("a\x01b\x0bc\ud800d\ttab\nline") == "a\ufffdb\ufffdc\ufffdd\ttab\nline"


def test_check_one_case_per_gained_handler():
    code, text = run("check", WITHOUT_BS, "--add", PROPOSAL_BS)
    assert code == 1
    root = parse(text)
    assert_counts_add_up(root)
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(root.get("failures")) == 69
    assert cases[0].get("name") == "B社 (b) ← NTTビジネスソリューションズ株式会社 (bs)"
    failure = cases[0].find("failure")
    assert failure.get("type") == "high"
    assert "（procx）は、NTTビジネスソリューションズ株式会社（bs）がデータを取り扱うことをB社（b）に説明する" in failure.get("message")
    assert cases[0].get("file") == PROPOSAL_BS and cases[0].get("line") == "14"


def test_check_a_told_and_approved_handler_passes():
    proposal = ("{organizations: [{id: bank, name: D銀行}], entrustments: [{id: bank-crm, consignor: bank, "
                "contractor: crm, personal_data: true, informed_subcontractors: [mailer], "
                "approved_subcontractors: [mailer]}]}")
    code, text = run("check", "fixtures/teaching/told-not-approved/chain.yaml", "--add", proposal)
    assert code == 0
    root = parse(text)
    assert_counts_add_up(root)
    (case,) = root.findall("testsuite/testcase")
    assert case.find("failure") is None and "told and approved" in case.find("system-out").text
