"""Timeouts that hold, URIs checked before dialling, and scripts/neo4j-local start that leaves
nothing behind (issue 17). Only loopback addresses; every wait and loop here is bounded.

The fake servers need no Neo4j and run in every selection; the tests marked ``neo4j`` need the
real server of scripts/test (a proxy in front of it that freezes, a real server-side timeout) or
the Neo4j installation of neo4j/lib (a start that launches Java)."""
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.errors import DatabaseError, InputError
from entrustment_chain.graph.neo4j.settings import Settings, parse_uri
from entrustment_chain.graph.neo4j.store import GRACE, Neo4jStore

from conftest import PROCX, ROOT, free_ports

CORPUS = yaml.safe_load((ROOT / "tests" / "bad" / "servers" / "expected.yaml").read_text(encoding="utf-8"))
SCRIPT = ROOT / "scripts" / "neo4j-local"
STARTUP = 3.0  # seconds a `python -m entrustment_chain.cli.main` may take to start on a loaded machine


# -- fake servers ------------------------------------------------------------------------------
class FakeServer:
    """A listener on a free 127.0.0.1 port that accepts connections and then does what it is told:
    send ``reply`` (after reading the client's first bytes) or nothing, then keep silent or close.
    Counts the connections it accepted."""

    def __init__(self, reply: bytes | None = None, then: str = "silence", port: int = 0):
        self.reply, self.then = reply, then
        self.listener = socket.create_server(("127.0.0.1", port))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            if self.reply is not None:
                conn.settimeout(2)
                try:
                    conn.recv(64)
                    conn.sendall(self.reply)
                except OSError:
                    pass
            if self.then == "close":
                conn.close()
            else:
                self.held.append(conn)

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for conn in self.held + [self.listener]:
            conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FreezingProxy:
    """Forwards 127.0.0.1:port to the real server until :meth:`freeze`; from then on it forwards
    nothing and answers nothing, and accepts new connections only to ignore them — what a server
    stopped with SIGSTOP looks like from outside, without touching the shared test server."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.frozen, self.stop = threading.Event(), threading.Event()
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.forwarded = 0
        self._start(self._accept)

    def _start(self, fn, *args):
        thread = threading.Thread(target=fn, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                client, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.sockets.append(client)
            if self.frozen.is_set():
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            self.sockets.append(upstream)
            self._start(self._pump, client, upstream)

    def _pump(self, a, b):
        other = {a: b, b: a}
        while not (self.stop.is_set() or self.frozen.is_set()):
            ready, _, _ = select.select([a, b], [], [], 0.1)
            for sock in ready:
                if self.frozen.is_set():
                    return
                try:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other[sock].sendall(data)
                except OSError:
                    return
                self.forwarded += len(data)

    def freeze(self):
        self.frozen.set()

    def close(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(5)
        for sock in self.sockets + [self.listener]:
            sock.close()


def chain(*args, env=None, timeout=60):
    """Run the CLI as a user would (a new process: its real standard error, warnings and logs
    included); (exit code, stdout, stderr, seconds)."""
    environment = {**os.environ, **(env or {})}
    for name in ("NEO4J_URI", "NEO4J_PASSWORD"):
        environment.pop(name, None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", *args], env=environment,
                          capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def assert_clean(err):
    assert "Traceback" not in err
    assert "Transaction failed and will be retried" not in err  # the driver's own log lines
    assert "Warning" not in err


# -- a server that accepts and never answers -----------------------------------------------------
def test_silent_server_is_given_up_at_the_connection_timeout():
    with FakeServer() as server:
        code, out, err, seconds = chain("load", str(PROCX), "--uri", f"bolt://127.0.0.1:{server.port}",
                                        env={"NEO4J_CONNECTION_TIMEOUT": "5"})
        assert server.accepted >= 1
    assert code == 3, err
    assert "did not answer" in err and "within 5 s" in err and "NEO4J_CONNECTION_TIMEOUT" in err
    assert 5 <= seconds < 5 + STARTUP, seconds  # not the driver's 60 s handshake deadline
    assert out == "" and err.count("\n") == 1, err  # one line: ours
    assert_clean(err)


@pytest.mark.parametrize("scheme", ["neo4j", "bolt+ssc", "neo4j+s"])
def test_silent_server_is_given_up_on_every_scheme(scheme):
    # neo4j:// is probed like bolt://; on TLS schemes the driver's own acquisition deadline, set to
    # the same timeout, bounds TLS and the Bolt handshake
    with FakeServer() as server:
        code, out, err, seconds = chain("load", str(PROCX), "--uri", f"{scheme}://127.0.0.1:{server.port}",
                                        env={"NEO4J_CONNECTION_TIMEOUT": "2"})
    assert code == 3, err
    assert "did not answer" in err and "2 s" in err and "NEO4J_CONNECTION_TIMEOUT" in err
    assert seconds < 2 + GRACE + STARTUP, seconds
    assert_clean(err)


@pytest.mark.parametrize("name", sorted(CORPUS["servers"]))
def test_hostile_servers(name):
    case = CORPUS["servers"][name]
    reply = bytes.fromhex(case["reply"]) if case["reply"] is not None else None
    with FakeServer(reply, case["then"]) as server:
        code, out, err, seconds = chain("load", str(PROCX), "--uri", f"bolt://127.0.0.1:{server.port}",
                                        env={"NEO4J_CONNECTION_TIMEOUT": "2"})
    assert code == 3, err
    assert case["says"] in err, err
    assert seconds < 2 + STARTUP, seconds
    assert_clean(err)


# -- URIs refused before dialling ----------------------------------------------------------------
@pytest.mark.parametrize("uri", sorted(CORPUS["uris"]))
def test_bad_uris_are_refused_before_dialling(uri):
    with FakeServer() as server:
        given = uri.replace("PORT", str(server.port))
        code, out, err, seconds = chain("load", str(PROCX), "--uri", given)
        assert server.accepted == 0
    assert code == 2, err
    assert "NEO4J_URI / --uri" in err and CORPUS["uris"][uri] in err, err
    assert "s3cret" not in err
    assert_clean(err)


def test_port_99999_dials_nothing_at_all():
    # the driver took 99999 modulo 65536 and dialled 34463; listen there if that port is free
    try:
        wrapped = FakeServer(port=99999 % 65536)
    except OSError:  # 34463 is taken here: the refusal itself is still checked, without the listener
        wrapped = None
    if wrapped is None:
        code, out, err, _ = chain("load", str(PROCX), "--uri", "bolt://127.0.0.1:99999",
                                  env={"NEO4J_CONNECTION_TIMEOUT": "2"})
    else:
        with wrapped:
            code, out, err, _ = chain("load", str(PROCX), "--uri", "bolt://127.0.0.1:99999",
                                      env={"NEO4J_CONNECTION_TIMEOUT": "2"})
            time.sleep(0.3)
            assert wrapped.accepted == 0
    assert code == 2 and "port 99999, which is not in 1–65535" in err


def test_uris_that_are_fine():
    assert parse_uri("bolt://127.0.0.1") == ("bolt", "127.0.0.1", 7687)
    assert parse_uri("NEO4J+S://Example.databases.neo4j.io") == ("neo4j+s", "example.databases.neo4j.io", 7687)
    assert parse_uri("neo4j://h:7688?policy=eu") == ("neo4j", "h", 7688)
    assert parse_uri("bolt+ssc://[::1]:17687") == ("bolt+ssc", "::1", 17687)
    assert str(parse_uri("bolt://[::1]:7")) == "[::1]:7"


def test_a_bad_uri_is_an_input_error_from_the_library():
    store = Neo4jStore(Settings(uri="http://127.0.0.1:7474", username="neo4j", password=None, database="neo4j"))
    with pytest.raises(InputError) as info:
        store.connect()
    assert info.value.problems[0].file == "NEO4J_URI / --uri"


# -- timeouts from the environment ---------------------------------------------------------------
def test_timeouts_come_from_options_then_variables_then_defaults(monkeypatch):
    for name in ("NEO4J_CONNECTION_TIMEOUT", "NEO4J_TRANSACTION_TIMEOUT", "NEO4J_MAX_RETRY_TIME"):
        monkeypatch.delenv(name, raising=False)
    s = Settings.resolve(uri="bolt://h")
    assert (s.connection_timeout, s.transaction_timeout, s.max_retry_time) == (10, 300, 15)
    monkeypatch.setenv("NEO4J_CONNECTION_TIMEOUT", "2.5")
    monkeypatch.setenv("NEO4J_TRANSACTION_TIMEOUT", "0")
    monkeypatch.setenv("NEO4J_MAX_RETRY_TIME", "1")
    s = Settings.resolve(uri="bolt://h")
    assert (s.connection_timeout, s.transaction_timeout, s.max_retry_time) == (2.5, 0, 1)
    assert Settings.resolve(uri="bolt://h", connection_timeout=7).connection_timeout == 7


@pytest.mark.parametrize("name,value", [("NEO4J_CONNECTION_TIMEOUT", "abc"), ("NEO4J_CONNECTION_TIMEOUT", "0"),
                                        ("NEO4J_TRANSACTION_TIMEOUT", "-1"), ("NEO4J_MAX_RETRY_TIME", "nan"),
                                        ("NEO4J_TRANSACTION_TIMEOUT", "inf")])
def test_bad_timeouts_are_exit_2_naming_the_variable(name, value):
    result = CliRunner(env={name: value, "NEO4J_URI": "bolt://127.0.0.1:1"}).invoke(main, ["load", str(PROCX)])
    assert result.exit_code == 2, result.output
    assert name in result.output and repr(value) in result.output and "Traceback" not in result.output


# -- against the real server ---------------------------------------------------------------------
@pytest.mark.neo4j
def test_frozen_server_mid_load_is_given_up_at_the_transaction_timeout(neo4j_settings, store, dataset, tmp_path):
    big = tmp_path / "big.json"
    assert CliRunner().invoke(main, ["generate", "--consignors", "1500", "--seed", "7", "-o", str(big)]).exit_code == 0
    target = parse_uri(neo4j_settings.uri)
    proxy = FreezingProxy((target.host, target.port))
    try:
        env = {**os.environ, "NEO4J_TRANSACTION_TIMEOUT": "3", "NEO4J_CONNECTION_TIMEOUT": "3"}
        env.pop("NEO4J_PASSWORD", None)
        loader = subprocess.Popen([sys.executable, "-m", "entrustment_chain.cli.main", "load", str(big),
                                   "--uri", f"bolt://127.0.0.1:{proxy.port}", "--dataset", dataset,
                                   "--batch-size", "100"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while proxy.forwarded < 1_000_000 and loader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until the load is well under way
        assert loader.poll() is None, "the load ended before the server could be frozen"
        proxy.freeze()
        frozen_at = time.monotonic()
        out, err = loader.communicate(timeout=120)
        seconds = time.monotonic() - frozen_at
    finally:
        proxy.close()
    assert loader.returncode == 3, err
    assert seconds < 3 + GRACE + 2, seconds  # was 126 s: the server's keep-alive hint, then retries
    assert "stopped answering" in err and "NEO4J_TRANSACTION_TIMEOUT" in err, err
    assert err.count("\n") == 1, err
    assert_clean(err)
    assert store.dataset_state(dataset)["status"] != "ready"  # the old data (none) stays; the load is unfinished


@pytest.mark.neo4j
def test_server_ends_a_transaction_that_runs_too_long_and_the_store_goes_on(neo4j_settings):
    settings = Settings(uri=neo4j_settings.uri, username=neo4j_settings.username, password=neo4j_settings.password,
                        database=neo4j_settings.database, transaction_timeout=2)
    with Neo4jStore(settings) as store:
        started = time.monotonic()
        with pytest.raises(DatabaseError) as info:
            store._run_read(lambda tx: tx.run("UNWIND range(1, 10000000000) AS x RETURN count(x)").consume())
        assert time.monotonic() - started < 2 + GRACE + 1
        assert "NEO4J_TRANSACTION_TIMEOUT" in str(info.value) and "2 s" in str(info.value)
        assert store._run_read(lambda tx: tx.run("RETURN 1 AS one").single()["one"]) == 1


@pytest.mark.neo4j
def test_a_real_server_answers_the_probe_and_everything_works(neo4j_settings, dataset):
    code, out, err, _ = chain("load", str(PROCX), "--uri", neo4j_settings.uri, "--dataset", dataset,
                              env={"NEO4J_CONNECTION_TIMEOUT": "5", "NEO4J_TRANSACTION_TIMEOUT": "60"})
    assert code == 0, err
    assert "organizations 71" in out and err == ""


# -- scripts/neo4j-local start: checks first, leaves nothing running -----------------------------
def java_processes(home: Path) -> list[int]:
    """Neo4j servers whose command line names this state directory."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "CommunityEntryPoint" in command and f"--home-dir={home}" in command:
            found.append(int(entry.name))
    return found


def shared_test_servers() -> set[int]:
    """The shared test server of scripts/test (state in neo4j/run/test), which must keep running."""
    mark = f"--home-dir={ROOT / 'neo4j' / 'run' / 'test'}".encode()
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
            and b"CommunityEntryPoint" in _cmdline(p) and mark in _cmdline(p)}


def _cmdline(entry: Path) -> bytes:
    try:
        return (entry / "cmdline").read_bytes()
    except OSError:
        return b""


def run_start(tmp_path, *args, pythonpath=None, path=None):
    env = {**os.environ, "ENTRUSTMENT_CHAIN_STATE": str(tmp_path / "state")}
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    if path:
        env["PATH"] = f"{path}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([sys.executable, str(SCRIPT), "start", "--no-auth", *args], env=env,
                          capture_output=True, text=True, timeout=180)


def stub_driver(tmp_path, body: str) -> Path:
    """A folder to put first on PYTHONPATH whose ``neo4j`` package is ``body``."""
    package = tmp_path / "stub" / "neo4j"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(body)
    return package.parent


def test_start_without_the_driver_launches_nothing(tmp_path):
    before = shared_test_servers()
    stub = stub_driver(tmp_path, 'raise ImportError("no driver in this Python (test stub)")\n')
    bolt, http = free_ports(2)
    done = run_start(tmp_path, "--bolt-port", str(bolt), "--http-port", str(http), pythonpath=stub)
    assert done.returncode == 1, done.stderr
    assert "not started" in done.stderr and "Neo4j Python driver cannot be imported" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert java_processes(tmp_path / "state" / "neo4j") == []
    assert not (tmp_path / "state" / "neo4j" / "neo4j.pid").exists()
    assert shared_test_servers() == before


def test_start_refuses_a_port_in_use(tmp_path):
    with FakeServer() as busy:
        (http,) = free_ports(1)
        done = run_start(tmp_path, "--bolt-port", str(busy.port), "--http-port", str(http))
    assert done.returncode == 1
    assert f"port {busy.port} on 127.0.0.1 (--bolt-port) is not free" in done.stderr
    assert "Traceback" not in done.stderr and java_processes(tmp_path / "state" / "neo4j") == []


def test_start_refuses_java_older_than_17(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    java = fake / "java"
    java.write_text('#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n')
    java.chmod(0o755)
    bolt, http = free_ports(2)
    done = run_start(tmp_path, "--bolt-port", str(bolt), "--http-port", str(http), path=fake)
    assert done.returncode == 1
    assert "is Java 11; Neo4j" in done.stderr and "needs Java 17" in done.stderr
    assert "Traceback" not in done.stderr and java_processes(tmp_path / "state" / "neo4j") == []


@pytest.mark.neo4j  # launches Java from neo4j/lib, which scripts/test fetches
def test_start_interrupted_after_launch_stops_what_it_started(tmp_path):
    before = shared_test_servers()
    # a driver that imports fine and is interrupted (as by Ctrl-C) at the first readiness check
    stub = stub_driver(tmp_path, "import sys, types\n"
                                 "exceptions = types.ModuleType('neo4j.exceptions')\n"
                                 "exceptions.AuthError = type('AuthError', (Exception,), {})\n"
                                 "sys.modules['neo4j.exceptions'] = exceptions\n"
                                 "class GraphDatabase:\n"
                                 "    @staticmethod\n"
                                 "    def driver(*args, **kwargs):\n"
                                 "        raise KeyboardInterrupt\n")
    bolt, http = free_ports(2)
    done = run_start(tmp_path, "--bolt-port", str(bolt), "--http-port", str(http), "--heap", "256m",
                     "--pagecache", "32m", pythonpath=stub)
    home = tmp_path / "state" / "neo4j"
    assert "starting Neo4j" in done.stderr, done.stderr  # Java was launched ...
    assert done.returncode == 130 and "interrupted" in done.stderr
    assert "stopped the server it had started" in done.stderr  # ... and stopped again
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert java_processes(home) == [] and not (home / "neo4j.pid").exists()
    assert shared_test_servers() == before  # the shared test server was not touched


def test_a_retried_attempt_gets_its_own_time():
    """The client's deadline follows the attempt the driver is on: a healthy server's retry is
    not taken for a frozen one (a review found the deadline counted from the first attempt)."""
    import time as _time

    from entrustment_chain.graph.neo4j.store import _bounded, _Late

    def two_attempts(started):
        def fn():
            _time.sleep(0.25)
            started[0] = _time.monotonic()  # the second attempt starts
            _time.sleep(0.25)
            return "done"
        return fn

    started = [_time.monotonic()]
    assert _bounded(two_attempts(started), 0.3, late=lambda _: None,
                    deadline=lambda: started[0] + 0.3) == "done"
    with pytest.raises(_Late):  # counted from the first attempt only, it would have given up
        _bounded(two_attempts([_time.monotonic()]), 0.3, late=lambda _: None)
