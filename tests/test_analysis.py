from pathlib import Path

import pytest
import yaml

from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain

from conftest import PROCX, ROOT, TEACHING


def test_procx_counts(procx_analysis):
    counts = procx_analysis.summary["by_rule"]
    assert counts["undisclosed_subcontracting"] == 69
    assert counts["could_not_supervise"] == 69
    assert counts["misclassified_subcontract"] == 1
    assert counts["no_safeguard_clauses"] == 7
    assert counts["no_supervision"] == 14
    assert counts["no_subcontract_restriction"] == 2
    assert counts["subcontracting_not_checked"] == 33
    assert counts["unapproved_subcontracting"] == 58
    assert {f.handler for f in procx_analysis.by_rule("undisclosed_subcontracting")} == {"bs"}
    assert procx_analysis.by_rule("misclassified_subcontract")[0].entrustment == "procx-bs"


def test_procx_bs_reaches_all_69(procx_analysis):
    top = procx_analysis.exposure[0]
    assert top.handler in ("bs", "procx") and top.consignor_count == 69
    bs = next(x for x in procx_analysis.exposure if x.handler == "bs")
    assert bs.consignor_count == 69
    assert bs.data_subjects.approximate and bs.data_subjects.unknown == 52
    assert bs.data_subjects.count == 584000  # the 17 consignors whose figures were published


def test_procx_path_goes_through_the_system(procx_analysis):
    finding = next(f for f in procx_analysis.by_rule("undisclosed_subcontracting") if f.consignor == "b")
    assert [(s.type, s.source, s.target) for s in finding.path] == [
        ("PLACES_DATA_IN", "b", "procx-cc"), ("ACCESSIBLE_BY", "procx-cc", "bs")]
    # B社's contract began in 平成27年3月: the law of that day, before the PPC Guidelines
    assert finding.conduct_date == "2015-03-01"
    assert [b.id for b in finding.legal_references] == ["appi-2005-art22", "ministry-guidelines"]
    assert finding.legal_basis[0].startswith("APPI Art. 22")
    assert not finding.evidence_unknown


def test_an_unknown_period_is_bounded_by_what_is_known(procx_analysis):
    # 非公表の民間事業者01's contract has no period: its data is reachable whenever BS's access
    # (平成25年～令和5年) was, certainly, and the finding says a period is unknown
    finding = next(f for f in procx_analysis.by_rule("undisclosed_subcontracting") if f.consignor == "x-p01")
    w = finding.routes[0].windows
    assert [(x.start, x.end) for x in w.certain] == [("2013-01-01", "2023-12-31")] and w.unknown_period
    assert finding.conduct_date == "2013-01-01"


def test_an_unknown_date_cites_todays_law():
    chain = load_chain(ROOT / "fixtures" / "teaching" / "maintenance-access" / "chain.yaml")  # no periods at all
    finding = analyze(chain).by_rule("undisclosed_subcontracting")[0]
    assert finding.conduct_date is None and finding.routes[0].windows.unknown_period
    assert [(x.start, x.end) for x in finding.routes[0].windows.certain] == [(None, None)]
    assert finding.legal_basis[0].startswith("APPI Art. 25")
    assert "事例4" in finding.legal_basis[2]
    assert all(b.ref.startswith("https://") for b in finding.legal_references)


def test_unknown_evidence_is_said(procx_analysis):
    unknown = [f for f in procx_analysis.by_rule("undisclosed_subcontracting") if f.evidence_unknown]
    assert len(unknown) == 12  # the consignors whose informed_subcontractors is null
    assert all("unknown" in f.message for f in unknown)


def test_public_bodies_get_their_ordinance_before_2023_and_article_66_after(procx_analysis):
    finding = next(f for f in procx_analysis.by_rule("undisclosed_subcontracting") if f.consignor == "k")
    assert finding.conduct_date == "2016-08-01"  # K団体's contract: 平成28年8月～
    assert [b.id for b in finding.legal_references] == ["local-ordinance"]
    later = analyze(chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "city", "name": "市", "kind": "local_government"}, {"id": "v", "name": "V"},
                          {"id": "w", "name": "W"}],
        "entrustments": [{"id": "city-v", "consignor": "city", "contractor": "v", "period": "令和5年4月～",
                          "informed_subcontractors": []},
                         {"id": "v-w", "consignor": "v", "contractor": "w", "period": "令和5年4月～"}]}))
    finding = later.by_rule("undisclosed_subcontracting")[0]
    assert finding.legal_basis[0].startswith("APPI Art. 66")
    assert "事務対応ガイド" in finding.legal_basis[1]


def _identity(f):
    if f.rule == "could_not_supervise":
        return [f.rule, f.consignor, f.handlers]
    if f.routes:  # each route with the length of its path, shortest first
        return [f.rule, f.consignor, f.handler, [[r.id, len(r.path)] for r in f.routes]]
    return [f.rule, f.consignor, f.entrustment]


def _span(x) -> str:
    return f"{x.start or ''}/{x.end or ''}"


def _extras(f) -> dict:
    """What an expectation may add at the end of an entry: the first route's windows, as
    start/end (empty = unbounded), and the ids of the legal bases."""
    extra = {"legal": [b.id for b in f.legal_references]}
    if f.routes:
        w = f.routes[0].windows
        extra.update(certain=[_span(x) for x in w.certain], possible=[_span(x) for x in w.possible])
    return extra


def expectation_holds(findings, expected: list) -> None:
    """The findings are exactly the expected entries; an entry that ends with a mapping also
    holds the windows and legal bases it names."""
    plain = [e[:-1] if isinstance(e[-1], dict) else e for e in expected]
    assert sorted(map(repr, map(_identity, findings))) == sorted(map(repr, plain))
    by_identity = {repr(_identity(f)): f for f in findings}
    for entry in expected:
        if isinstance(entry[-1], dict):
            extras = _extras(by_identity[repr(entry[:-1])])
            assert {k: extras[k] for k in entry[-1]} == entry[-1], entry


@pytest.mark.parametrize("case", TEACHING, ids=lambda p: p.name)
def test_teaching_fixture_matches_its_expectation(case: Path):
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    expectation_holds(list(analyze(load_chain(case / "chain.yaml")).findings), expected)


def test_findings_json_is_stable(procx_chain):
    a = analyze(procx_chain).to_json_dict()
    b = analyze(procx_chain).to_json_dict()
    assert a == b
    assert a["schema"] == "entrustment-chain/findings/v2"
    first = a["findings"][0]
    for key in ("rule", "consignor", "handler", "legal_basis", "routes"):
        assert key in first
    assert "message" not in first and "severity" not in first  # --messages; the rule's, in `rules`


def test_finding_list_reads_as_a_list(procx_analysis):
    findings = procx_analysis.findings
    as_list = list(findings)
    assert len(findings) == len(as_list) == procx_analysis.summary["findings"]
    assert findings[0] == as_list[0] and findings[-1] == as_list[-1]
    assert findings[2:5] == as_list[2:5]
    assert findings == as_list
    assert [f.sort_key() for f in as_list] == sorted(f.sort_key() for f in as_list)
    assert procx_analysis.worst().value == "high"
    # a finding is built afresh on each read, from shared path steps
    assert findings[0] is not findings[0]
    path_findings = [f for f in as_list if f.path]
    assert path_findings and all(isinstance(step.key, str) for f in path_findings for step in f.path)


def test_empty_analysis_streams_valid_json(tmp_path: Path):
    import io
    import json

    chain_file = tmp_path / "c.yaml"
    chain_file.write_text("schema: entrustment-chain/v1\norganizations:\n  - {id: a, name: A, kind: private}\n",
                          encoding="utf-8")
    analysis = analyze(load_chain(chain_file))
    out = io.StringIO()
    analysis.write_json(out)
    document = json.loads(out.getvalue())
    assert document["findings"] == [] and document["exposure"] == [] and document["legal_references"] == {}
    assert analysis.worst() is None


def test_networkx_rows_have_the_registry_columns():
    """The networkx backend returns, per rule, the columns the registry declares (the Cypher
    files are held to the same columns in test_cypher_files)."""
    from entrustment_chain.graph.analysis.findings import Record
    from entrustment_chain.graph.analysis.registry import RULES
    from entrustment_chain.graph.analysis.rules import NetworkxBackend

    seen = set()
    for path in [PROCX, *(case / "chain.yaml" for case in TEACHING)]:
        evaluation = NetworkxBackend().evaluate(load_chain(path))
        for rule_id, row in evaluation.rows:
            seen.add(rule_id)
            if type(row) is Record:  # the path rules' rows come compact: check what they hold
                assert "routes" in RULES[rule_id].columns and row.routes and row.path == row.routes[1]
                assert all(path[-1].target == row.handler for path in row.routes[1::3])
            else:
                assert set(row) == set(RULES[rule_id].columns), (rule_id, row)
        assert all(set(x) == {"handler", "reached"} for x in evaluation.exposure())
    assert seen == set(RULES)


def long_chain(steps: int = 30) -> dict:
    orgs = [{"id": f"o{i}", "name": f"組織{i}"} for i in range(steps + 1)]
    ents = [{"id": f"e{i}", "consignor": f"o{i}", "contractor": f"o{i + 1}", "personal_data": True}
            for i in range(steps)]
    return {"schema": "entrustment-chain/v1", "organizations": orgs, "entrustments": ents}


def test_routes_beyond_the_step_bound_are_named():
    """Handlers further than 24 steps are not followed (both backends share the bound), and the
    analysis says which routes go further instead of dropping them without a word."""
    from entrustment_chain.graph.io.loader import chain_from_dict

    result = analyze(chain_from_dict(long_chain()))
    bound = result.summary["step_bound"]
    assert bound["max_steps"] == 24
    # o0 … o5 pass their data on to more than 24 handlers down the line; o6 reaches o30 in 24
    assert bound["truncated"] == [{"consignor": f"o{i}", "route": f"e{i}"} for i in range(6)]
    assert max(len(f.path) for f in result.findings if f.path) == 24


def test_cli_warns_when_routes_go_beyond_the_step_bound(tmp_path):
    from click.testing import CliRunner

    from entrustment_chain.cli.main import main

    chain = tmp_path / "long.yaml"
    chain.write_text(yaml.safe_dump(long_chain(), allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(chain), "--format", "json", "-o", str(tmp_path / "o.json")])
    assert result.exit_code == 0
    assert "warning: 6 route(s) pass data on beyond 24 steps" in result.stderr
    quiet = CliRunner().invoke(main, ["analyze", str(PROCX)])
    assert "warning" not in quiet.stderr
