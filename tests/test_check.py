import yaml
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph.analysis.onboarding import check, dump_chain

from conftest import FIXTURES, PROCX


def procx_without_bs(chain):
    data = dump_chain(chain)
    data["organizations"] = [o for o in data["organizations"] if o["id"] != "bs"]
    data["entrustments"] = [e for e in data["entrustments"] if e["contractor"] != "bs"]
    data["access"] = [a for a in data["access"] if a["organization"] != "bs"]
    return data


def test_adding_bs_affects_all_69(procx_chain):
    base = chain_from_dict(procx_without_bs(procx_chain))
    proposal = yaml.safe_load((FIXTURES / "procx-2024" / "proposal-bs.yaml").read_text(encoding="utf-8"))
    result = check(base, proposal)
    assert len(result.consignors_affected) == 69
    assert {g.handler for g in result.gained} == {"bs"}
    b = next(g for g in result.gained if g.consignor == "b")
    assert not b.disclosed and not b.approved
    [route] = b.routes
    assert (route.kind, route.id, route.signer, route.restricted) == ("entrustment", "b-procx", "procx", True)
    # ProCX grants the access (under its own contract with BS): it informs B, and B approves
    assert [(a.type, a.by, a.to, a.about, a.route) for a in b.actions] == [
        ("inform", "procx", "b", "bs", "b-procx"), ("approve", "b", "procx", "bs", "b-procx")]
    assert "ProCX" in b.actions[0].text and "説明する" in b.actions[0].text_ja
    # ProCX itself signs the maintenance contract: it is not asked to inform itself
    assert all(g.consignor != "procx" for g in result.gained if g.actions)


def test_cli_check_exits_1(procx_chain, tmp_path):
    base = tmp_path / "procx-without-bs.yaml"
    base.write_text(yaml.safe_dump(procx_without_bs(procx_chain), allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(base), "--add", str(FIXTURES / "procx-2024" / "proposal-bs.yaml"),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    assert len(__import__("json").loads(result.stdout)["consignors_affected"]) == 69


def test_disclosed_and_approved_proposal_passes(tmp_path):
    chain = tmp_path / "c.yaml"
    chain.write_text("""schema: entrustment-chain/v1
organizations: [{id: a, name: A}, {id: b, name: B}, {id: c, name: C}]
entrustments:
  - {id: a-b, consignor: a, contractor: b, informed_subcontractors: [c], approved_subcontractors: [c]}
""", encoding="utf-8")
    inline = "{entrustments: [{id: b-c, consignor: b, contractor: c}]}"
    result = CliRunner().invoke(main, ["check", str(chain), "--add", inline, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "A (a) ← C (c): told, approved" in result.output
    result = CliRunner().invoke(main, ["check", str(chain), "--add", inline, "--lang", "ja"])
    assert "A（a）：C（c）が新たな取扱者になる（説明あり、承認あり）" in result.output


def test_proposal_errors_point_into_the_proposal(tmp_path):
    proposal = tmp_path / "p.yaml"
    proposal.write_text("entrustments:\n  - {id: x, consignor: procx, contractor: ghost}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(PROCX), "--add", str(proposal)])
    assert result.exit_code == 2
    assert f"{proposal}:2: entrustments[0].contractor: contractor 'ghost'" in result.output


def test_a_handler_known_on_one_route_is_new_on_another(tmp_path):
    """Disclosure is per route: H, told and approved under A→X, reaching A's data through Y too
    after the proposal, is a gain on that route (a review found check silent here)."""
    base = tmp_path / "base.yaml"
    base.write_text("""schema: entrustment-chain/v1
organizations: [{id: a, name: A}, {id: x, name: X}, {id: y, name: Y}, {id: h, name: H}]
entrustments:
  - {id: e1, consignor: a, contractor: x, personal_data: true, informed_subcontractors: [h], approved_subcontractors: [h]}
  - {id: e2, consignor: a, contractor: y, personal_data: true, informed_subcontractors: [], approved_subcontractors: [],
     clauses: {subcontract_restriction: true}}
  - {id: e3, consignor: x, contractor: h, personal_data: true}
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(base), "--add",
                                       "{entrustments: [{id: e4, consignor: y, contractor: h, personal_data: true}]}",
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    gained = __import__("json").loads(result.stdout)["gained"]
    [a] = [g for g in gained if g["consignor"] == "a"]
    assert [r["id"] for r in a["routes"]] == ["e2"]
    assert [(x["type"], x["by"]) for x in a["actions"]] == [("inform", "y"), ("approve", "a")]
