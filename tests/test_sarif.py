"""`--format sarif`: every log validates against the published SARIF 2.1.0 JSON Schema
(tests/schemas/sarif-schema-2.1.0.json, vendored from a PyPI package: tests/schemas/README.md),
points each result at the line of the chain file it is about, and fingerprints findings by their
identity so that code-scanning tools know them again in the next run."""
from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator

from conftest import PROCX, ROOT, TEACHING
from entrustment_chain.cli.main import main
from entrustment_chain.graph.analysis.registry import RULE_IDS, RULES

SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "03b3c591cf1a1a87c5e29119785ec9671e07a38f5f5a761d2deeea0e07faa738"
CHAIN = "fixtures/procx-2024/chain.yaml"
WITHOUT_BS = "fixtures/procx-2024/chain-without-bs.yaml"
PROPOSAL_BS = "fixtures/procx-2024/proposal-bs.yaml"
ACCEPTED = "fixtures/procx-2024/accepted.yaml"


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def sarif(*args: str, code: int | tuple = (0, 1), stdin: str | None = None) -> dict:
    result = CliRunner().invoke(main, [*args, "--format", "sarif"], input=stdin, catch_exceptions=False)
    assert result.exit_code in (code if isinstance(code, tuple) else (code,)), result.output
    return json.loads(result.stdout)


def assert_valid(validator: Draft7Validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def findings_of(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    return json.loads(result.stdout)


def test_the_vendored_schema_is_the_one_named_in_its_readme():
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert SCHEMA_SHA256 in (SCHEMA.parent / "README.md").read_text(encoding="utf-8")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_procx_validates_and_has_a_result_per_finding(validator):
    log = sarif("analyze", CHAIN)
    assert_valid(validator, log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    findings = findings_of("analyze", CHAIN, "--messages")["findings"]
    assert len(run["results"]) == len(findings) == 279
    assert [r["ruleId"] for r in run["results"]] == [f["rule"] for f in findings]
    assert [r["message"]["text"] for r in run["results"]] == [f["message_ja"] for f in findings]
    assert [r["properties"]["message_en"] for r in run["results"]] == [f["message"] for f in findings]
    assert run["language"] == "ja-JP"
    assert run["artifacts"] == [{"location": {"uri": CHAIN}, "roles": ["analysisTarget"]}]
    assert "suppressions" not in run["results"][0]  # no baseline: nothing was judged suppressed


def test_the_driver_is_the_tool_with_every_rule_of_the_registry():
    driver = sarif("analyze", CHAIN)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "entrustment-chain"
    assert driver["version"] == metadata.version("entrustment-chain")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(RULE_IDS)
    levels = {"high": "error", "medium": "warning", "low": "note"}
    scores = {"high": "8.0", "medium": "5.0", "low": "2.0"}
    for descriptor in rules:
        rule = RULES[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.title_ja
        assert descriptor["fullDescription"]["text"] == rule.when_ja
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity.value]
        assert descriptor["properties"]["security-severity"] == scores[rule.severity.value]
        assert "security" in descriptor["properties"]["tags"]
        assert rule.when_en in descriptor["help"]["text"]
        assert "法的根拠" in descriptor["help"]["text"] and descriptor["help"]["markdown"]
    supervision = next(r for r in rules if r["id"] == "undisclosed_subcontracting")
    assert "個人情報保護法第25条（委託先の監督）" in supervision["help"]["text"]  # businesses, today
    assert "個人情報保護法第66条" in supervision["help"]["text"]  # public bodies


def test_results_point_at_their_rule_with_the_level_of_its_severity():
    run = sarif("analyze", CHAIN)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == rules[result["ruleIndex"]]["defaultConfiguration"]["level"]


def test_each_result_is_at_the_line_of_what_it_is_about():
    """The entrustment of an entrustment finding, the consignor's route of a path finding, the
    consignor of could_not_supervise: the line holds that element's id."""
    lines = (ROOT / CHAIN).read_text(encoding="utf-8").splitlines()
    run = sarif("analyze", CHAIN)["runs"][0]
    for result in run["results"]:
        location = result["locations"][0]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": CHAIN, "index": 0}
        text = lines[physical["region"]["startLine"] - 1]
        props = result["properties"]
        per = RULES[result["ruleId"]].per.value
        if per == "entrustment" or props["entrustment"]:
            assert f"id: {props['entrustment']}" in text
        elif per == "consignor":
            assert f"id: {props['consignor']}," in text
        else:  # the route's entrustment (ProCX's routes are the consignors' entrustments)
            assert f"id: {props['consignor']}-procx" in text
        names = [x["fullyQualifiedName"] for x in location["logicalLocations"]]
        assert names[0] == f"organizations/{props['consignor']}"
        if per == "consignor × handler":
            assert f"organizations/{props['handler']}" in names
        if props["entrustment"]:
            assert f"entrustments/{props['entrustment']}" in names


def test_a_path_finding_has_a_code_flow_through_its_steps():
    lines = (ROOT / CHAIN).read_text(encoding="utf-8").splitlines()
    result = next(r for r in sarif("analyze", CHAIN)["runs"][0]["results"]
                  if r["ruleId"] == "undisclosed_subcontracting" and r["properties"]["consignor"] == "b")
    flow = result["codeFlows"][0]
    # the route by its parties, its path by names (as messages write paths), then its windows
    assert flow["message"]["text"] == (
        "経路：B社から株式会社NTTマーケティングアクトProCXへの委託（b-procx）：B社 →（データ格納）［コールセンターシステム］"
        " →（アクセス・保守）NTTビジネスソリューションズ株式会社。期間：確実 平成 27 年 3 月～平成 29 年 3 月、"
        "可能性 平成 29 年 4 月～令和 5 年 12 月")
    steps = flow["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "B社（b）のデータをコールセンターシステム（procx-cc）に格納（B社から株式会社NTTマーケティングアクトProCXへの委託（b-procx））",
        "NTTビジネスソリューションズ株式会社（bs）がコールセンターシステム（procx-cc）にアクセスできる（保守）"]
    systems_line = lines[steps[0]["location"]["physicalLocation"]["region"]["startLine"] - 1]
    access_line = lines[steps[1]["location"]["physicalLocation"]["region"]["startLine"] - 1]
    assert systems_line.strip() == "systems: [procx-cc]"
    assert "organization: bs, system: procx-cc" in access_line
    related = {r["message"]["text"]: r["physicalLocation"]["region"]["startLine"] for r in result["relatedLocations"]}
    assert "id: bs," in lines[related["取扱者：NTTビジネスソリューションズ株式会社（bs）"] - 1]


def test_fingerprints_are_the_finding_identity_and_stable():
    """One hash per finding identity (rule, consignor, handler or entrustment): the same in every
    run, and the same when paths and windows change (--as-of cuts the windows)."""
    run = sarif("analyze", CHAIN)["runs"][0]
    again = sarif("analyze", CHAIN)["runs"][0]
    prints = [r["partialFingerprints"]["findingIdentity/v1"] for r in run["results"]]
    assert prints == [r["partialFingerprints"]["findingIdentity/v1"] for r in again["results"]]
    assert len(set(prints)) == len(prints)
    first = run["results"][0]
    key = "\x1f".join([first["ruleId"], first["properties"]["consignor"], first["properties"]["handler"], ""])
    assert prints[0] == hashlib.sha256(key.encode("utf-8")).hexdigest()
    earlier = sarif("analyze", CHAIN, "--as-of", "2023-01-31")["runs"][0]
    by_identity = {(r["ruleId"], r["properties"]["consignor"], r["properties"]["handler"],
                    r["properties"]["entrustment"]): r["partialFingerprints"]["findingIdentity/v1"]
                   for r in run["results"]}
    for r in earlier["results"]:
        identity = (r["ruleId"], r["properties"]["consignor"], r["properties"]["handler"],
                    r["properties"]["entrustment"])
        if identity in by_identity:
            assert r["partialFingerprints"]["findingIdentity/v1"] == by_identity[identity]


@pytest.mark.parametrize("case", TEACHING, ids=lambda p: p.name)
def test_every_teaching_case_validates(validator, case):
    path = str((case / "chain.yaml").relative_to(ROOT))
    log = sarif("analyze", path)
    assert_valid(validator, log)
    assert len(log["runs"][0]["results"]) == len(findings_of("analyze", path)["findings"])
    for result in log["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_standard_input_has_logical_locations_only(validator):
    """Standard input cannot be read again for its lines: no file to point at."""
    log = sarif("analyze", "-", stdin=(ROOT / CHAIN).read_text(encoding="utf-8"))
    assert_valid(validator, log)
    run = log["runs"][0]
    assert "artifacts" not in run
    assert all("physicalLocation" not in r["locations"][0] and r["locations"][0]["logicalLocations"]
               for r in run["results"])


def test_a_json_chain_file_has_its_lines(validator, tmp_path):
    from entrustment_chain.graph.analysis.onboarding import dump_chain
    from entrustment_chain.graph.io.loader import load_chain

    path = tmp_path / "chain.json"
    path.write_text(json.dumps(dump_chain(load_chain(PROCX)), ensure_ascii=False, indent=1), encoding="utf-8")
    log = sarif("analyze", str(path))
    assert_valid(validator, log)
    lines = path.read_text(encoding="utf-8").splitlines()
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "misclassified_subcontract")
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == Path(path).as_uri()  # outside the working directory
    assert lines[physical["region"]["startLine"] - 1].strip() == "{"  # the entrustment's object
    assert lines[physical["region"]["startLine"]].strip() == '"id": "procx-bs",'


def test_a_baseline_keeps_accepted_findings_as_suppressed_results(validator):
    log = sarif("analyze", CHAIN, "--baseline", ACCEPTED)
    assert_valid(validator, log)
    run = log["runs"][0]
    assert len(run["results"]) == 279  # every finding: the accepted ones are suppressed, not gone
    suppressed = [r for r in run["results"] if r["suppressions"]]
    assert len(suppressed) == 4
    assert all(r["suppressions"] == [] for r in run["results"] if r not in suppressed)
    accepted_lines = (ROOT / ACCEPTED).read_text(encoding="utf-8").splitlines()
    for result in suppressed:
        (suppression,) = result["suppressions"]
        assert suppression["kind"] == "external" and suppression["status"] == "accepted"
        assert suppression["justification"]
        assert set(suppression["properties"]) == {"accepted_by", "accepted_on"}
        physical = suppression["location"]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": ACCEPTED, "index": 1}
        assert accepted_lines[physical["region"]["startLine"] - 1].strip() == f"- rule: {result['ruleId']}"
    assert {(r["ruleId"], r["properties"]["consignor"]) for r in suppressed} == {
        ("weak_supervision", "b"), ("weak_supervision", "e"), ("no_subcontract_restriction", "x-p10"),
        ("unapproved_subcontracting", "j")}
    assert run["properties"]["summary"]["baseline"]["suppressed"] == 4
    assert run["artifacts"][1] == {"location": {"uri": ACCEPTED}, "roles": ["userSpecifiedConfiguration"]}


def test_stale_and_expired_entries_are_tool_notifications(validator, tmp_path):
    baseline = tmp_path / "accepted.yaml"
    baseline.write_text(
        "version: 1\naccepted:\n"
        "  - {rule: no_supervision, consignor: gone, entrustment: gone-procx, accepted_by: a, "
        "accepted_on: 2020-01-01, reason: r}\n"
        "  - {rule: misclassified_subcontract, consignor: procx, entrustment: procx-bs, accepted_by: a, "
        "accepted_on: 2019-01-01, reason: r, expires: 2020-01-01}\n", encoding="utf-8")
    log = sarif("analyze", CHAIN, "--baseline", str(baseline))
    assert_valid(validator, log)
    notes = [n["message"]["text"] for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]]
    assert len(notes) == 2
    assert "expired on 2020-01-01; the finding is reported again" in notes[0]
    assert "stale" in notes[1] and "gone" in notes[1]
    misclassified = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "misclassified_subcontract")
    assert misclassified["suppressions"] == []  # expired: reported again


def test_check_gives_a_result_per_gained_handler(validator):
    log = sarif("check", WITHOUT_BS, "--add", PROPOSAL_BS, code=1)
    assert_valid(validator, log)
    run = log["runs"][0]
    assert len(run["results"]) == 69
    assert {r["level"] for r in run["results"]} == {"error"}
    assert {r["ruleId"] for r in run["results"]} == {"undisclosed_subcontracting"}
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [*RULE_IDS, "gained_handler"]
    proposal = (ROOT / PROPOSAL_BS).read_text(encoding="utf-8").splitlines()
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": PROPOSAL_BS, "index": 1}
        # BS is brought in by the proposal's access grant
        assert "organization: bs, system: procx-cc" in proposal[physical["region"]["startLine"] - 1]
        assert result["properties"]["actions"]
    analysed = sarif("analyze", CHAIN)["runs"][0]["results"]
    undisclosed = {r["partialFingerprints"]["findingIdentity/v1"] for r in analysed
                   if r["ruleId"] == "undisclosed_subcontracting"}
    # once signed, each becomes the undisclosed finding with the same identity
    assert {r["partialFingerprints"]["findingIdentity/v1"] for r in run["results"]} == undisclosed


def test_check_a_told_and_approved_handler_is_a_note(validator):
    proposal = ("{organizations: [{id: bank, name: D銀行}], entrustments: [{id: bank-crm, consignor: bank, "
                "contractor: crm, personal_data: true, informed_subcontractors: [mailer], "
                "approved_subcontractors: [mailer]}]}")
    log = sarif("check", "fixtures/teaching/told-not-approved/chain.yaml", "--add", proposal, code=0)
    assert_valid(validator, log)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "gained_handler" and result["level"] == "note"
    assert log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "gained_handler"
    assert len(log["runs"][0]["artifacts"]) == 1  # an inline proposal is no file


def test_sarif_to_a_file_is_the_same(tmp_path):
    target = tmp_path / "results.sarif"
    result = CliRunner().invoke(main, ["analyze", CHAIN, "--format", "sarif", "-o", str(target)])
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(target.read_text(encoding="utf-8")) == sarif("analyze", CHAIN)


@pytest.mark.parametrize("baseline", [None, ACCEPTED])
def test_the_streamed_log_is_the_log(baseline):
    """The CLI writes the log result by result (write_analysis_sarif); it is the library's
    analysis_sarif as to_text writes it."""
    from entrustment_chain.graph.analysis.baseline import load_baseline, match_baseline
    from entrustment_chain.graph.analysis.engine import analyze
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.reports import sarif as report

    chain = load_chain(CHAIN)
    analysis = analyze(chain, source=CHAIN)
    match = match_baseline(analysis, load_baseline(baseline)) if baseline else None
    expected = report.to_text(report.analysis_sarif(analysis, chain, report.SourceLines.read(CHAIN), match))
    args = ["analyze", CHAIN, "--format", "sarif"] + (["--baseline", baseline] if baseline else [])
    assert CliRunner().invoke(main, args).stdout == expected


def test_a_chain_without_findings_has_an_empty_result_list(validator, tmp_path):
    path = tmp_path / "chain.yaml"
    path.write_text("schema: entrustment-chain/v1\norganizations:\n  - {id: a, name: A社, kind: private}\n",
                    encoding="utf-8")
    log = sarif("analyze", str(path), code=0)
    assert_valid(validator, log)
    assert log["runs"][0]["results"] == []


def test_a_json_chain_file_too_large_for_a_line_map_is_named_without_lines(validator, tmp_path, monkeypatch):
    from entrustment_chain.graph.analysis.onboarding import dump_chain
    from entrustment_chain.graph.io.loader import load_chain
    from entrustment_chain.graph.reports import sarif as report

    path = tmp_path / "chain.json"
    path.write_text(json.dumps(dump_chain(load_chain(PROCX)), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(report, "MAX_LINE_MAP_BYTES", path.stat().st_size - 1)
    log = sarif("analyze", str(path))
    assert_valid(validator, log)
    for result in log["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": path.as_uri(), "index": 0}}
