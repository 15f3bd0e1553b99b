"""Findings in the graph (graph/neo4j/findings_graph.py, cypher/findings, docs/neo4j-findings.md):
against the real server, what `write_findings` records is exactly what the networkx analysis
found, on ProCX, every teaching case and random chains; rewriting is idempotent; a changed
chain's findings replace the old ones; the Browser favourites and style read what is written.
Without a server: display names, the generated neo4j.conf (telemetry off), the favourites pack."""
from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import re
import subprocess
import sys
import uuid
from collections import defaultdict

import pytest
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.findings import route_triples
from entrustment_chain.graph.analysis.onboarding import dump_chain
from entrustment_chain.graph.analysis.registry import RULE_IDS, RULES, Per
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.neo4j import findings_graph as FG
from entrustment_chain.graph.neo4j import queries

from conftest import PROCX, ROOT, TEACHING, dump
from randomchains import random_chain

BROWSER = ROOT / "cypher" / "browser"
neo4j = pytest.mark.neo4j


# ---------------------------------------------------------------------------------------------
# What the graph holds, and what the analysis says it should

def read(store, query, **params):
    return store._run_read(lambda tx: tx.run(query, params).data())


def recorded(store, dataset):
    """Everything the findings put in a dataset, as plain sets."""
    rels = read(store, "MATCH (h:Organization {dataset: $d})-[f:UNDISCLOSED_TO|FINDING]->(c:Organization) "
                       "RETURN type(f) AS t, f.rule AS rule, c.id AS c, h.id AS h, f.routes AS routes", d=dataset)
    undisclosed = {r["h"] for r in read(store, "MATCH (h:Undisclosed {dataset: $d}) RETURN h.id AS h", d=dataset)}
    steps = read(store, "MATCH (a {dataset: $d})-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY]->() "
                        "WHERE r.undisclosed_for IS NOT NULL OR r.findings IS NOT NULL "
                        "RETURN type(r) AS t, r.key AS k, r.undisclosed_for AS u, r.findings AS f", d=dataset)
    orgs = read(store, "MATCH (o:Organization {dataset: $d}) WHERE o.findings IS NOT NULL RETURN o.id AS o, "
                       "o.findings AS f", d=dataset)
    return {
        "undisclosed": {(r["c"], r["h"]) for r in rels if r["t"] == FG.UNDISCLOSED_TO},
        "routes": {(r["c"], r["h"]): sorted(r["routes"]) for r in rels if r["t"] == FG.UNDISCLOSED_TO},
        "other": {(r["rule"], r["c"], r["h"]) for r in rels if r["t"] == FG.FINDING},
        "labelled": undisclosed,
        "marks": {(r["t"], r["k"], c) for r in steps for c in r["u"] or ()},
        "entrustments": {(r["k"], rule) for r in steps for rule in r["f"] or ()},
        "consignors": {(r["o"], rule) for r in orgs for rule in r["f"]},
    }


def expected(analysis):
    """The same sets, from the networkx analysis."""
    out = defaultdict(set)
    out["routes"] = {}
    for r in analysis.findings.records:
        rule_id = RULE_IDS[r.rule]
        per = RULES[rule_id].per
        if per == Per.consignor_handler and rule_id == FG.UNDISCLOSED_RULE:
            out["undisclosed"].add((r.consignor, r.handler))
            out["labelled"].add(r.handler)
            out["routes"][(r.consignor, r.handler)] = sorted(route.id for route, _, _ in route_triples(r))
            for _, path, _ in route_triples(r):
                out["marks"] |= {(step.type, step.key, r.consignor) for step in path}
        elif per == Per.consignor_handler:
            out["other"].add((rule_id, r.consignor, r.handler))
        elif per == Per.entrustment:
            out["entrustments"].add((r.entrustment, rule_id))
        else:
            out["consignors"].add((r.consignor, rule_id))
    keys = ("undisclosed", "routes", "other", "labelled", "marks", "entrustments", "consignors")
    return {k: out[k] if k == "routes" else set(out[k]) for k in keys}


def load_and_write(store, chain, dataset):
    store.load(chain, dataset)
    analysis = analyze(chain)
    result = FG.write_findings(store, dataset, analysis)
    return analysis, result


def display_of(store, dataset):
    return {(r["l"], r["id"]): r["d"] for r in read(
        store, "MATCH (n {dataset: $d}) WHERE n:Organization OR n:System "
               "RETURN CASE WHEN n:System THEN 'System' ELSE 'Organization' END AS l, n.id AS id, n.display AS d",
        d=dataset)}


# ---------------------------------------------------------------------------------------------
# Against the server

@neo4j
def test_procx_bs_is_the_only_undisclosed_handler(store, dataset, procx_chain):
    analysis, result = load_and_write(store, procx_chain, dataset)
    assert not result["reused"] and result["undisclosed"] == 69
    found = recorded(store, dataset)
    assert found == expected(analysis)
    assert found["labelled"] == {"bs"}  # BS is the only :Undisclosed node
    assert {c for c, _ in found["undisclosed"]} == {f.consignor for f in analysis.by_rule("undisclosed_subcontracting")}
    bs = read(store, "MATCH (h:Undisclosed {dataset: $d}) RETURN labels(h) AS l, h.undisclosed_consignors AS n, "
                     "h.display AS display", d=dataset)
    assert len(bs) == 1 and bs[0]["n"] == 69 and "DeFactoHandler" in bs[0]["l"]
    assert bs[0]["display"] == "NTT ビジネスソリ…"
    # the ProCX contractor is disclosed (a contractor, never red); the access step is marked for all 69
    access = read(store, "MATCH ()-[r:ACCESSIBLE_BY {dataset: $d}]->() RETURN size(r.undisclosed_for) AS n", d=dataset)
    assert access == [{"n": 69}]
    one = read(store, "MATCH (:Organization {dataset: $d, id: 'bs'})-[f:UNDISCLOSED_TO]->"
                      "(:Organization {id: 'b'}) RETURN properties(f) AS p", d=dataset)[0]["p"]
    assert one["rule"] == "undisclosed_subcontracting" and one["severity"] == "high"
    assert one["routes"] == ["b-procx"] and one["route_kinds"] == ["entrustment"]
    assert one["certain"] == ["2015-03-01/2017-03-31"] and one["possible"] == ["2017-04-01/2023-12-31"]
    assert str(one["certain_start"]) == "2015-03-01" and str(one["possible_end"]) == "2023-12-31"
    assert one["path"] == ["PLACES_DATA_IN b-procx#procx-cc", "ACCESSIBLE_BY bs@procx-cc"]
    assert "B社" in one["message_ja"] and one["unknown_period"] is False
    state = FG.state(store, dataset)
    assert state["findings_of"] == state["version"] and state["findings_version"] == result["version"]


@neo4j
def test_display_names_are_written_and_distinct(store, dataset, procx_chain):
    load_and_write(store, procx_chain, dataset)
    shown = display_of(store, dataset)
    assert len(shown) == 72 and None not in shown.values()
    assert len({v.replace(" ", "") for v in shown.values()}) == len(shown)
    assert all(FG.width(v.replace(" ", "")) <= FG.KEEP_WIDTH for v in shown.values())
    assert shown[("Organization", "x-l01")] == "非公表の 地方公共団体01"


@neo4j
@pytest.mark.parametrize("path", [t / "chain.yaml" for t in TEACHING], ids=lambda p: p.parent.name)
def test_teaching_cases(store, dataset, path):
    chain = load_chain(path)
    analysis, _ = load_and_write(store, chain, dataset)
    assert recorded(store, dataset) == expected(analysis)
    shown = display_of(store, dataset)
    assert len({v.replace(" ", "") for v in shown.values()}) == len(shown)


@neo4j
def test_ten_random_chains(store):
    mismatches = []
    for seed in range(10):
        chain = chain_from_dict(random_chain(seed))
        name = f"findings-{seed}-{uuid.uuid4().hex[:6]}"
        try:
            analysis, _ = load_and_write(store, chain, name)
            if recorded(store, name) != expected(analysis):
                mismatches.append(seed)
        finally:
            store.drop(name)
    assert mismatches == []


@neo4j
def test_rewriting_is_idempotent(store, dataset, procx_chain):
    analysis, first = load_and_write(store, procx_chain, dataset)
    snapshot = dump(store, dataset)
    again = FG.write_findings(store, dataset, analysis)
    assert again["reused"] and again["version"] == first["version"]
    assert dump(store, dataset) == snapshot
    forced = FG.write_findings(store, dataset, analysis, batch_size=7, force=True)
    assert not forced["reused"] and forced["removed"] == 0 and forced["version"] == first["version"]
    assert dump(store, dataset) == snapshot  # the same properties, however batched


@neo4j
def test_a_changed_chain_replaces_stale_findings(store, dataset, procx_chain):
    load_and_write(store, procx_chain, dataset)
    data = dump_chain(procx_chain)
    # BS now disclosed to B社 and C社 only: the other 67 findings stay, these two go
    for e in data["entrustments"]:
        if e["consignor"] in ("b", "c"):
            e["informed_subcontractors"] = ["bs"]
    changed = chain_from_dict(data)
    analysis, result = load_and_write(store, changed, dataset)
    found = recorded(store, dataset)
    assert found == expected(analysis)
    assert len(found["undisclosed"]) == 67 and ("b", "bs") not in found["undisclosed"]
    assert result["removed"] >= 4  # two UNDISCLOSED_TO, two PLACES_DATA_IN marks, the consignors' state
    stale = read(store, "MATCH (n {dataset: $d})-[r]->() WHERE r.findings_version <> $v RETURN count(r) AS n",
                 d=dataset, v=result["version"])
    assert stale == [{"n": 0}]
    # without BS at all nothing is undisclosed: no label, no relationship, no mark left
    data["organizations"] = [o for o in data["organizations"] if o["id"] != "bs"]
    data["entrustments"] = [e for e in data["entrustments"] if e["contractor"] != "bs"]
    data["access"] = []
    for e in data["entrustments"]:
        e.pop("informed_subcontractors", None)
    smaller = chain_from_dict(data)
    analysis, _ = load_and_write(store, smaller, dataset)
    found = recorded(store, dataset)
    assert found == expected(analysis)
    assert found["undisclosed"] == set() and found["labelled"] == set() and found["marks"] == set()


@neo4j
def test_cli_load_findings_and_stale_findings(neo4j_settings, store, dataset, tmp_path):
    runner = CliRunner(env={"NEO4J_URI": neo4j_settings.uri})
    result = runner.invoke(main, ["load", str(PROCX), "--dataset", dataset, "--findings"])
    assert result.exit_code == 0, result.output
    assert "69 UNDISCLOSED_TO" in result.output
    again = runner.invoke(main, ["load", str(PROCX), "--dataset", dataset, "--findings"])
    assert again.exit_code == 0 and "already recorded, reused" in again.output
    assert FG.undisclosed_pairs(store, dataset) == {(f.consignor, f.handler) for f in analyze(load_chain(PROCX))
                                                    .by_rule("undisclosed_subcontracting")}
    # the same file without --findings keeps them (they are this version's) ...
    kept = runner.invoke(main, ["load", str(PROCX), "--dataset", dataset])
    assert kept.exit_code == 0 and "findings of an older version" not in kept.output
    assert len(FG.undisclosed_pairs(store, dataset)) == 69
    # ... a changed one without --findings removes them: they would be stale
    data = dump_chain(load_chain(PROCX))
    data["access"] = []
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, ["load", str(changed), "--dataset", dataset])
    assert result.exit_code == 0 and "findings of an older version of the chain removed" in result.output
    assert FG.undisclosed_pairs(store, dataset) == set()
    assert read(store, "MATCH (n {dataset: $d}) WHERE n.findings_version IS NOT NULL OR n.display IS NOT NULL "
                       "RETURN count(n) AS n", d=dataset) == [{"n": 0}]
    assert FG.state(store, dataset)["findings_version"] is None


@neo4j
def test_cli_load_as_of_records_the_findings_of_that_day(neo4j_settings, store, dataset):
    from datetime import date

    runner = CliRunner(env={"NEO4J_URI": neo4j_settings.uri})
    result = runner.invoke(main, ["load", str(PROCX), "--dataset", dataset, "--as-of", "2016-01-01", "--findings"])
    assert result.exit_code == 0, result.output
    then = analyze(load_chain(PROCX), as_of=date(2016, 1, 1))
    assert recorded(store, dataset) == expected(then)


@neo4j
def test_cli_analyze_write_records_the_findings_it_reports(neo4j_settings, store, dataset):
    """`chain analyze --backend neo4j --write` records in the dataset what it reports (and, as of a
    day, in NAME@as-of:DAY, the dataset the backend analysed)."""
    from datetime import date

    runner = CliRunner(env={"NEO4J_URI": neo4j_settings.uri})
    result = runner.invoke(main, ["analyze", str(PROCX), "--backend", "neo4j", "--dataset", dataset, "--write",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    assert f"recorded in dataset '{dataset}'" in result.stderr
    assert recorded(store, dataset) == expected(analyze(load_chain(PROCX)))
    result = runner.invoke(main, ["analyze", str(PROCX), "--backend", "neo4j", "--dataset", dataset, "--write",
                                  "--as-of", "2016-01-01"])
    assert result.exit_code == 0, result.output
    day = f"{dataset}@as-of:2016-01-01"
    try:
        assert recorded(store, day) == expected(analyze(load_chain(PROCX), as_of=date(2016, 1, 1)))
    finally:
        store.drop(day)
    assert runner.invoke(main, ["analyze", str(PROCX), "--write"]).exit_code == 2  # networkx: nowhere to write


@neo4j
def test_writing_into_a_missing_dataset_is_refused(store, procx_chain):
    from entrustment_chain.graph.errors import InputError

    with pytest.raises(InputError, match="no such dataset"):
        FG.write_findings(store, f"missing-{uuid.uuid4().hex[:8]}", analyze(procx_chain))


@neo4j
def test_browser_favourites_read_the_findings(store, dataset, procx_chain):
    """Every favourite of the pack runs on ProCX and answers as the analysis does."""
    analysis, _ = load_and_write(store, procx_chain, dataset)
    params = {"dataset": dataset, "consignor": "", "handler": "bs", "rule": ""}

    def run(name, **more):
        text = (BROWSER / "favorites" / name).read_text(encoding="utf-8")
        return read(store, text, **{**params, **more})

    assert len(run("1-whole-dataset.cypher")) == 72
    paths = run("2-undisclosed-paths.cypher")
    # each row a path (data: nodes and types in turn) from a consignor to BS, and the finding
    assert len(paths) == 69 and {row["p"][0]["id"] for row in paths} == {c for c, _ in
                                                                        recorded(store, dataset)["undisclosed"]}
    assert {row["p"][-1]["id"] for row in paths} == {"bs"}
    assert len(run("2-undisclosed-paths.cypher", consignor="b")) == 1
    assert len(run("3-undisclosed-table.cypher")) == 69
    assert len(run("4-whose-data.cypher", consignor="b")) == 2  # ProCX (told) and BS (not told)
    reach = run("5-handler-reach.cypher")
    assert len(reach) == 69  # the 69 consignors (ProCX's own entrustment to BS carries no personal data)
    by_rule = {row["rule"]: row["findings"] for row in run("6-findings-by-rule.cypher")}
    assert by_rule == {rule: n for rule, n in analysis.summary["by_rule"].items() if n}
    assert len(run("7-findings-of-a-rule.cypher", rule="no_supervision")) == analysis.summary["by_rule"]["no_supervision"]


# ---------------------------------------------------------------------------------------------
# Without a server

def test_display_names():
    names = {"procx": "株式会社NTTマーケティングアクトProCX", "bs": "NTTビジネスソリューションズ株式会社",
             "p01": "非公表の民間事業者01", "p02": "非公表の民間事業者02", "a01": "非公表の独立行政法人等01",
             "h1": "（株）ひまわり物流センター東日本第一", "h2": "（株）ひまわり物流センター東日本第二",
             "x": "甲社", "y": "甲社", "otsu": "乙株式会社", "lion": "Lion Support Pte. Ltd."}
    shown = FG.display_names(("Organization", k, v) for k, v in names.items())
    by_id = {k: v for (_, k), v in shown.items()}
    assert by_id["bs"] == "NTT ビジネスソリ…" and by_id["procx"] == "NTT マーケティン…"
    assert by_id["p01"] == "非公表の 民間事業者01"
    assert by_id["a01"] == "非公表の独立 行政法人等01"  # 独立行政法人 inside a name is no legal form
    assert by_id["h1"].endswith("…一") and by_id["h2"].endswith("…二")  # cut alike: the ends tell them apart
    assert by_id["x"] == "甲社(x)" and by_id["y"] == "甲社(y)"  # the same name: the ids do
    assert by_id["otsu"] == "乙" and by_id["lion"] == "Lion Support"
    assert len({v.replace(" ", "") for v in shown.values()}) == len(shown)
    for v in shown.values():  # at most two lines a node can hold: one space, each side within a line
        assert v.count(" ") <= 1 or v == "Lion Support"
        assert all(FG.width(part) <= FG.LINE_WIDTH for part in v.split(" ")) or "(" in v


def test_display_names_of_a_system_and_an_organisation_alike():
    shown = FG.display_names([("Organization", "a", "Alpha"), ("System", "a", "Alpha")])
    assert len(set(shown.values())) == 2


def neo4j_local():
    loader = importlib.machinery.SourceFileLoader("neo4j_local", str(ROOT / "scripts" / "neo4j-local"))
    spec = importlib.util.spec_from_loader("neo4j_local", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_generated_neo4j_conf_turns_browser_telemetry_off(tmp_path):
    """The local server's neo4j.conf: no product analytics from Browser (client.allow_telemetry,
    which 5.26 declares), no usage report; and no browser.allow_outgoing_connections, which 5.26
    does not declare: its strict validation would refuse to start."""
    args = argparse.Namespace(bolt_port=7687, http_port=7474, no_auth=True, pagecache="512m", conf=None,
                              heap="1g")
    neo4j_local().write_conf(tmp_path, args)
    conf = dict(line.split("=", 1) for line in (tmp_path / "conf" / "neo4j.conf").read_text().splitlines()
                if "=" in line and not line.startswith("#"))
    assert conf["client.allow_telemetry"] == "false"
    assert conf["dbms.usage_report.enabled"] == "false"
    assert "browser.allow_outgoing_connections" not in conf


def test_findings_cypher_files():
    """The files of cypher/findings: a header, every parameter declared and used, the columns
    returned, and no label or type beyond the schema's and the findings' own."""
    from entrustment_chain.graph import schema as S

    found = FG.findings_queries()
    assert set(found) >= {"state", "names", "organizations", "undisclosed_to", "finding", "prune_relations",
                          "prune_steps", "prune_organizations", "dataset", "steps_entrusts",
                          "steps_places_data_in", "steps_accessible_by"}
    for name, query in found.items():
        text = "\n".join(query.statements)
        assert set(re.findall(r"\$(\w+)", text)) == set(query.parameters), name
        if query.columns:
            last = query.statements[-1]
            for column in query.columns:
                assert re.search(rf"\bAS {column}\b", last[last.rindex("RETURN"):]), (name, column)
        labels = set(re.findall(r"[(\s:]([A-Z][a-z][A-Za-z]+)\b", text)) - {"CASE", "WHEN"}
        assert labels <= set(S.NODES) | set(S.ROLES) | {S.DATASET, FG.UNDISCLOSED}, (name, labels)
        types = {t for group in re.findall(r"\[\w*:([A-Z_|]+)", text) for t in group.split("|") if t}
        assert types <= set(S.RELATIONSHIPS) | {FG.UNDISCLOSED_TO, FG.FINDING}, (name, types)
    assert "findings" not in {q.group for q in queries.all_queries().values()}  # not offered by `chain query`


def test_grass_styles_by_finding():
    """The style sheet parses as Browser parses it (no comments: Browser's parser would take one
    for part of the first selector), colours :Undisclosed red after every other organisation
    rule (later rules win), and captions by display."""
    text = (BROWSER / "entrustment-chain.grass").read_text(encoding="utf-8")
    assert "/*" not in text and "//" not in text
    rules = dict(re.findall(r"([\w.]+)\s*\{((?:[^{}']|'[^']*')*)\}", text))  # quotes may hold braces
    order = list(rules)
    assert order.index("node.Undisclosed") > max(order.index(s) for s in
                                                  ("node.Consignor", "node.Contractor", "node.DeFactoHandler"))
    assert "#E0282E" in rules["node.Undisclosed"] and "#4C8EDA" in rules["node.Consignor"]
    assert "#FFC454" in rules["node.DeFactoHandler"]
    assert "caption: '{display}'" in rules["node.Organization"] and "caption: '{display}'" in rules["node.System"]
    for rule in rules.values():  # Browser splits each property at ":" and keeps those in two parts
        for line in filter(str.strip, rule.split(";")):
            assert line.count(":") == 1, line


def test_favourites_pack_is_fresh():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "browser-favorites"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    titles = [p.read_text(encoding="utf-8").split("\n")[0] for p in sorted((BROWSER / "favorites").glob("*.cypher"))]
    assert all(t.startswith("// ") for t in titles)  # Browser names a favourite by its first line
