import json
import subprocess
import sys

from click.testing import CliRunner

from entrustment_chain.cli.main import main

from conftest import PROCX, ROOT


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_survey_markdown_golden():
    result = run("survey", PROCX, "--contractor", "procx", "--format", "markdown")
    assert result.exit_code == 0
    assert result.output == (ROOT / "tests" / "golden" / "procx-survey.md").read_text(encoding="utf-8")


def test_survey_json_contract():
    data = json.loads(run("survey", PROCX, "--contractor", "procx", "--format", "json").output)
    assert data["schema"] == "entrustment-chain/survey/v1"
    assert data["items"]["clauses.transfer_safety"]["excluded"] == 9
    assert data["items"]["supervision.subcontract_check"]["excluded"] == 12
    assert data["items"]["supervision.onsite_inspection"]["excluded"] == 13
    assert data["not_informed"]["evaluated"] == 57 and data["not_informed"]["count"] == 57
    assert len(data["no_safeguard_clauses"]) == 7 and len(data["no_supervision"]) == 14
    method = data["items"]["supervision.subcontract_check_method"]
    assert (method["written"], method["oral"], method["written_pct"], method["oral_pct"]) == (17, 7, 71, 29)


def test_survey_unknown_contractor_is_exit_2():
    result = run("survey", PROCX, "--contractor", "nobody")
    assert result.exit_code == 2 and "'nobody' is not an organization" in result.output


def test_analyze_json_and_fail_on():
    result = run("analyze", PROCX, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["summary"]["by_rule"]["undisclosed_subcontracting"] == 69
    assert run("analyze", PROCX, "--fail-on", "high").exit_code == 1
    teaching = ROOT / "fixtures" / "teaching" / "told-not-approved" / "chain.yaml"
    assert run("analyze", teaching, "--fail-on", "high").exit_code == 0
    assert run("analyze", teaching, "--fail-on", "medium").exit_code == 1


def test_analyze_markdown_has_mermaid_with_highlight():
    out = run("analyze", PROCX, "--format", "markdown").output
    assert "```mermaid" in out and "stroke:#c00" in out
    assert "委託元に知らされていない再委託" in out


def test_analyze_table_groups_by_rule():
    out = run("analyze", PROCX).output
    assert "undisclosed_subcontracting [high] — 69" in out
    assert "no_supervision [high] — 14" in out


def test_output_file_is_written_atomically(tmp_path):
    target = tmp_path / "report.json"
    assert run("analyze", PROCX, "--format", "json", "-o", target).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["findings"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_bad_input_writes_nothing(tmp_path):
    target = tmp_path / "out.json"
    result = run("analyze", ROOT / "tests" / "bad" / "self-entrustment.yaml", "-o", target)
    assert result.exit_code == 2 and not target.exists()


def test_schema_is_json_schema():
    schema = json.loads(run("schema").output)
    assert schema["additionalProperties"] is False
    assert "entrustments" in schema["properties"]


def test_help_imports_neither_networkx_nor_the_driver():
    code = ("import sys\nfrom entrustment_chain.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'networkx' not in sys.modules and 'neo4j' not in sys.modules, "
            "[m for m in ('networkx', 'neo4j') if m in sys.modules]\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_validate_ok():
    result = run("validate", PROCX)
    assert result.exit_code == 0 and "71 organizations" in result.output


def test_export_formats(tmp_path):
    import networkx as nx

    graphml = tmp_path / "procx.graphml"
    assert run("export", PROCX, "--format", "graphml", "-o", graphml).exit_code == 0
    g = nx.read_graphml(graphml, force_multigraph=True)
    assert g.number_of_nodes() == 72
    # 70 ENTRUSTS, 69 PLACES_DATA_IN, HAS_ACCESS + ACCESSIBLE_BY, OPERATES
    assert g.number_of_edges() == 70 + 69 + 2 + 1
    assert g.nodes["org:bs"]["undisclosed_handler"] is True
    dot = run("export", PROCX, "--format", "dot").output
    assert dot.startswith("digraph") and "#cc0000" in dot
    assert run("export", PROCX, "--format", "mermaid").output.startswith("flowchart LR")
    data = json.loads(run("export", PROCX, "--format", "json").output)
    assert len(data["nodes"]) == 72


def test_unexpected_errors_have_no_traceback(monkeypatch):
    import entrustment_chain.graph.io.loader as loader

    def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(loader, "load_chain", boom)
    result = run("validate", PROCX)
    assert result.exit_code == 70 and "internal error" in result.output and "Traceback" not in result.output


def test_python_dash_m_runs_the_command():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "entrustment_chain", "validate", str(PROCX)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("valid (71 organizations, 1 system, 70 entrustments, 1 access grant)\n")
    usage = subprocess.run([sys.executable, "-m", "entrustment_chain", "--help"], capture_output=True, text=True)
    assert usage.stdout.startswith("Usage: chain ")


def test_shell_completion_lists_the_commands():
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMP_WORDS": "chain ana", "COMP_CWORD": "1", "_CHAIN_COMPLETE": "bash_complete"}
    result = subprocess.run([sys.executable, "-m", "entrustment_chain"], env=env, capture_output=True, text=True)
    assert "analyze" in result.stdout
