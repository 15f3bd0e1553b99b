"""Faults against a real Neo4j of its own (with auth), which these tests stop, kill and restart."""
import os
import signal
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.io.loader import load_chain
from entrustment_chain.graph.neo4j.settings import Settings
from entrustment_chain.graph.neo4j.store import Neo4jStore

from conftest import PROCX, ROOT, dump, free_ports

pytestmark = pytest.mark.neo4j
SCRIPT = ROOT / "scripts" / "neo4j-local"
# the server of these tests, on ports free when they start (FAULT_NEO4J_*_PORT choose them)
_FREE = free_ports(2)
BOLT = int(os.environ.get("FAULT_NEO4J_BOLT_PORT") or _FREE[0])
HTTP = int(os.environ.get("FAULT_NEO4J_HTTP_PORT") or _FREE[1])


def server(state, *args):
    # a small server: without these, start sizes it from the machine's memory (tests/test_neo4j_load.py)
    env = {"NEO4J_HEAP": "1g", "NEO4J_PAGECACHE": "256m", **os.environ, "ENTRUSTMENT_CHAIN_STATE": str(state)}
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    state = tmp_path_factory.mktemp("neo4j-auth")
    started = server(state, "start", "--bolt-port", str(BOLT), "--http-port", str(HTTP))
    assert started.returncode == 0, started.stderr
    assert "memory: heap " in started.stderr  # it says what it chose
    yield state
    server(state, "stop")


def settings(state):
    password = (state / "neo4j" / "password").read_text().strip()
    return Settings(uri=f"bolt://127.0.0.1:{BOLT}", username="neo4j", password=password, database="neo4j")


def test_start_prints_no_password_and_keeps_it_private(auth_server):
    password_file = auth_server / "neo4j" / "password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    again = server(auth_server, "start", "--bolt-port", str(BOLT), "--http-port", str(HTTP))
    password = password_file.read_text().strip()
    assert again.returncode == 0
    assert f"export NEO4J_URI=bolt://127.0.0.1:{BOLT}" in again.stdout
    assert password not in again.stdout + again.stderr
    conf = (auth_server / "neo4j" / "conf" / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf and "dbms.security.auth_enabled=true" in conf


def test_password_file_is_read_when_no_password_is_set(auth_server, monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    runner = CliRunner(env={"NEO4J_URI": f"bolt://127.0.0.1:{BOLT}", "NEO4J_PASSWORD": None,
                            "NEO4J_PASSWORD_FILE": str(auth_server / "neo4j" / "password")})
    result = runner.invoke(main, ["load", str(PROCX), "--dataset", "via-password-file"])
    assert result.exit_code == 0, result.output


def test_wrong_password_is_exit_3(auth_server):
    runner = CliRunner(env={"NEO4J_URI": f"bolt://127.0.0.1:{BOLT}", "NEO4J_PASSWORD": "not-the-password"})
    result = runner.invoke(main, ["analyze", str(PROCX), "--backend", "neo4j"])
    assert result.exit_code == 3
    assert "refused user 'neo4j'" in result.output and "NEO4J_PASSWORD" in result.output
    assert "not-the-password" not in result.output and "Traceback" not in result.output


def test_kill_during_load_then_reload_gives_one_clean_load(auth_server, tmp_path):
    big = tmp_path / "big.json"
    assert CliRunner().invoke(main, ["generate", "--consignors", "1500", "--seed", "7", "-o", str(big)]).exit_code == 0
    chain = load_chain(big)
    with Neo4jStore(settings(auth_server)) as store:
        store.load(chain, "clean")
        clean = dump(store, "clean", strip_dataset=True)
        other = dump(store, "via-password-file")
    env = {**os.environ, "NEO4J_URI": f"bolt://127.0.0.1:{BOLT}",
           "NEO4J_PASSWORD_FILE": str(auth_server / "neo4j" / "password")}
    env.pop("NEO4J_PASSWORD", None)
    loader = subprocess.Popen([sys.executable, "-m", "entrustment_chain.cli.main", "load", str(big),
                               "--dataset", "interrupted", "--batch-size", "100"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with Neo4jStore(settings(auth_server)) as store:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            counts = store.counts("interrupted")
            if counts["entrusts"] > 500:
                break
            time.sleep(0.2)
        assert 0 < counts["entrusts"] < len(chain.entrustments), counts
    killed = server(auth_server, "stop", "--kill")
    assert killed.returncode == 0
    out, err = loader.communicate(timeout=120)
    assert loader.returncode == 3, err
    assert "Neo4j" in err and "Traceback" not in err
    restarted = server(auth_server, "start", "--bolt-port", str(BOLT), "--http-port", str(HTTP))
    assert restarted.returncode == 0, restarted.stderr
    with Neo4jStore(settings(auth_server)) as store:
        assert store.dataset_state("interrupted")["status"] != "ready"
        store.load(chain, "interrupted")
        assert dump(store, "interrupted", strip_dataset=True) == clean
        assert dump(store, "via-password-file") == other  # nothing else changed


def test_stopped_server_is_exit_3_and_status_says_so(auth_server):
    server(auth_server, "stop")
    status = server(auth_server, "status")
    assert status.returncode == 3
    runner = CliRunner(env={"NEO4J_URI": f"bolt://127.0.0.1:{BOLT}", "NEO4J_PASSWORD": "x"})
    result = runner.invoke(main, ["load", str(PROCX)])
    assert result.exit_code == 3 and "cannot reach Neo4j" in result.output
    assert server(auth_server, "start", "--bolt-port", str(BOLT), "--http-port", str(HTTP)).returncode == 0


def test_read_only_database_is_exit_3(auth_server):
    server(auth_server, "stop")
    started = server(auth_server, "start", "--bolt-port", str(BOLT), "--http-port", str(HTTP),
                     "--conf", "server.databases.read_only=neo4j")
    assert started.returncode == 0, started.stderr
    try:
        env = {"NEO4J_URI": f"bolt://127.0.0.1:{BOLT}",
               "NEO4J_PASSWORD_FILE": str(auth_server / "neo4j" / "password"), "NEO4J_PASSWORD": None}
        result = CliRunner(env=env).invoke(main, ["load", str(PROCX), "--dataset", "read-only-attempt"])
        assert result.exit_code == 3, result.output
        assert "read-only" in result.output and "Traceback" not in result.output
    finally:
        server(auth_server, "stop")
        assert server(auth_server, "start", "--bolt-port", str(BOLT), "--http-port", str(HTTP)).returncode == 0


def test_server_killed_during_an_analysis_is_exit_3(auth_server, tmp_path):
    big = tmp_path / "big.json"
    assert CliRunner().invoke(main, ["generate", "--consignors", "1500", "--seed", "7", "-o", str(big)]).exit_code == 0
    env = {**os.environ, "NEO4J_URI": f"bolt://127.0.0.1:{BOLT}",
           "NEO4J_PASSWORD_FILE": str(auth_server / "neo4j" / "password")}
    env.pop("NEO4J_PASSWORD", None)
    with Neo4jStore(settings(auth_server)) as store:
        store.load(load_chain(big), "analysed")
        before = dump(store, "analysed")
    # `chain analyze` as it is, on the Cypher rules: the default rules read the flow relationships
    # out in a second and walk them in the client, which a server killed afterwards cannot stop
    cli = ("import sys\nfrom entrustment_chain.graph.neo4j import backend\nbackend.DEFAULT_RULES = 'cypher'\n"
           "from entrustment_chain.cli.main import main\nsys.exit(main())")
    analysis = subprocess.Popen([sys.executable, "-c", cli, "analyze", str(big),
                                 "--backend", "neo4j", "--dataset", "analysed", "--format", "json"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # loading is skipped (same version); the Cypher rules are running
    assert analysis.poll() is None, "the analysis ended before the server could be killed"
    assert server(auth_server, "stop", "--kill").returncode == 0
    out, err = analysis.communicate(timeout=120)
    assert analysis.returncode == 3, err
    assert "Traceback" not in err and out == ""
    assert server(auth_server, "start", "--bolt-port", str(BOLT), "--http-port", str(HTTP)).returncode == 0
    with Neo4jStore(settings(auth_server)) as store:
        assert dump(store, "analysed") == before  # an analysis only reads
