from pathlib import Path

import pytest
import yaml

from entrustment_chain.graph.analysis import analyze
from entrustment_chain.graph.loader import load_chain

from conftest import TEACHING


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
    assert finding.legal_basis[0].startswith("APPI Art. 25")
    assert "事例4" in finding.legal_basis[2]
    assert not finding.evidence_unknown


def test_unknown_evidence_is_said(procx_analysis):
    unknown = [f for f in procx_analysis.by_rule("undisclosed_subcontracting") if f.evidence_unknown]
    assert len(unknown) == 12  # the consignors whose informed_subcontractors is null
    assert all("unknown" in f.message for f in unknown)


def test_public_bodies_get_article_66(procx_analysis):
    finding = next(f for f in procx_analysis.by_rule("undisclosed_subcontracting") if f.consignor == "k")
    assert finding.legal_basis[0].startswith("APPI Art. 66")
    assert "事務対応ガイド" in finding.legal_basis[1]


def _identity(f):
    if f.rule == "could_not_supervise":
        return [f.rule, f.consignor, f.handlers]
    if f.path:
        return [f.rule, f.consignor, f.handler, len(f.path)]
    return [f.rule, f.consignor, f.entrustment]


@pytest.mark.parametrize("case", TEACHING, ids=lambda p: p.name)
def test_teaching_fixture_matches_its_expectation(case: Path):
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    found = [_identity(f) for f in analyze(load_chain(case / "chain.yaml")).findings]
    assert sorted(map(repr, found)) == sorted(map(repr, expected))


def test_findings_json_is_stable(procx_chain):
    a = analyze(procx_chain).to_json_dict()
    b = analyze(procx_chain).to_json_dict()
    assert a == b
    assert a["schema"] == "entrustment-chain/findings/v1"
    first = a["findings"][0]
    for key in ("rule", "severity", "consignor", "handler", "entrustment", "path", "legal_basis", "message"):
        assert key in first
