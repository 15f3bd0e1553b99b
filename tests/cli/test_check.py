"""`chain check`: BS's maintenance contract (fixtures/procx-2024/proposal-bs.yaml) proposed to
ProCX's chain as it stood before BS, i.e. the ProCX fixture without BS."""
import json

import pytest
import yaml

from .conftest import PROCX, PROPOSAL_BS, run
from .test_analyze import sarif_golden_text

# The committed ProCX chain without BS (scripts/regen writes it): SARIF and JUnit name the file
# and its lines, so the goldens read a file whose path is the same on every machine.
WITHOUT_BS = "fixtures/procx-2024/chain-without-bs.yaml"


@pytest.fixture
def procx_without_bs(tmp_path):
    """The ProCX chain without BS, its entrustment and its access; a temporary file, whose path
    appears in no output of `check` (the findings name the proposal, not the base)."""
    from entrustment_chain.graph.analysis.onboarding import dump_chain
    from entrustment_chain.graph.io.loader import load_chain

    data = dump_chain(load_chain(PROCX))
    data["organizations"] = [o for o in data["organizations"] if o["id"] != "bs"]
    data["entrustments"] = [e for e in data["entrustments"] if e["contractor"] != "bs"]
    data["access"] = [a for a in data["access"] if a["organization"] != "bs"]
    path = tmp_path / "procx-without-bs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt, name", [("table", "check-procx-bs.txt"), ("json", "check-procx-bs.json"),
                                       ("markdown", "check-procx-bs.md")])
def test_bs_proposal_exits_1(golden, procx_without_bs, fmt, name):
    result = run("check", procx_without_bs, "--add", PROPOSAL_BS, "--format", fmt)
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    golden(name, result.stdout)


def test_bs_proposal_on_the_chain_that_has_bs_exits_2(golden):
    """BS is already in the ProCX fixture: the proposal's ids collide, and every collision is named."""
    result = run("check", PROCX, "--add", PROPOSAL_BS)
    assert result.exit_code == 2 and result.stdout == ""
    golden("check-procx-bs-duplicate.txt", result.stderr)


def test_told_and_approved_inline_proposal_exits_0(golden):
    """An inline proposal on a teaching case: a new consignor of B社 that is told of and approves
    its subcontractor C社 before signing."""
    proposal = ("{organizations: [{id: bank, name: D銀行}], entrustments: [{id: bank-crm, consignor: bank, "
                "contractor: crm, personal_data: true, informed_subcontractors: [mailer], "
                "approved_subcontractors: [mailer]}]}")
    result = run("check", "fixtures/teaching/told-not-approved/chain.yaml", "--add", proposal)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden("check-inline-approved.txt", result.stdout)


def test_as_of_takes_the_chain_as_it_stood_before_the_proposal(procx_without_bs):
    """On 2014-01-01 fewer ProCX contracts had begun: fewer consignors would have gained BS."""
    counts = {}
    for day in (None, "2016-01-01", "2014-01-01"):
        result = run("check", procx_without_bs, "--add", PROPOSAL_BS, "--format", "json",
                     *(["--as-of", day] if day else []))
        assert result.exit_code == 1, result.output
        counts[day] = len(json.loads(result.stdout)["consignors_affected"])
    assert counts == {None: 69, "2016-01-01": 63, "2014-01-01": 53}


def test_bs_proposal_sarif(golden):
    result = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--format", "sarif")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    golden("check-procx-bs.sarif", sarif_golden_text(result.stdout))


def test_bs_proposal_junit(golden):
    result = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--format", "junit")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    golden("check-procx-bs.junit.xml", result.stdout)
