"""`chain serve`, the real service: uvicorn in a subprocess (`chain serve --port <free loopback
port>`), called over HTTP with httpx, its answers compared with the CLI's `--format json` for the
same input. The service is started once for the module; the tests of start-up refusals and of
the token start their own. Error mapping that needs a failure inside (500, 503) is checked on the
application in-process."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
PROCX = ROOT / "fixtures" / "procx-2024" / "chain.yaml"
WITHOUT_BS = ROOT / "fixtures" / "procx-2024" / "chain-without-bs.yaml"
PROPOSAL_BS = ROOT / "fixtures" / "procx-2024" / "proposal-bs.yaml"
BAD = ROOT / "tests" / "bad"
YAML = {"Content-Type": "application/yaml"}
JSON = {"Content-Type": "application/json"}
MAX_BODY = 4 << 20  # the module's server: JSON bodies up to 4 MiB, YAML up to YAML's 2 MiB
BREACH = {"handler": "bs", "from": "2013-07", "to": "2023-10", "known": "2023-10-17", "intent": "wrongful"}
BREACH_ARGS = ("--handler", "bs", "--from", "2013-07", "--to", "2023-10", "--known", "2023-10-17",
               "--intent", "wrongful")


# ---------------------------------------------------------------------------------------------
# Helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ENTRUSTMENT_CHAIN_TOKEN"}
    env.update(extra)
    return env


def chain_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "entrustment_chain", *args]


class Server:
    """`chain serve` in a subprocess, stopped (SIGTERM, by its own pid) at the end."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(chain_cmd("serve", "--port", str(self.port), *args), cwd=ROOT,
                                        env=env or server_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                raise AssertionError(f"chain serve ended with {self.process.returncode}: {out}{err}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("chain serve did not answer /v1/health within 60 s")
            time.sleep(0.1)
        self.client = httpx.Client(base_url=self.url, timeout=120)

    def stop(self) -> str:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        out, err = self.process.communicate()
        return out + err


@pytest.fixture(scope="module")
def server():
    s = Server("--max-body", str(MAX_BODY))
    yield s
    log = s.stop()
    assert "Traceback" not in log, log


def cli(*args) -> "CliRunner.Result":
    from entrustment_chain.cli.main import main

    return CliRunner().invoke(main, [str(a) for a in args])


def as_json_text(path: Path) -> str:
    """A YAML chain file as JSON, the same chain."""
    return json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------------------------
# Every endpoint, compared with the CLI


def test_health_needs_nothing_and_says_little(server):
    answer = server.client.get("/v1/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": "0.1.0", "backends": ["networkx"]}


def test_rules_are_the_registry(server):
    from entrustment_chain.graph.analysis.registry import RULES

    answer = server.client.get("/v1/rules")
    assert answer.status_code == 200
    assert [r["id"] for r in answer.json()] == list(RULES)
    assert answer.json()[0]["severity"] == "high"


def test_analyze_yaml_body_is_the_cli_json_byte_for_byte(server):
    expected = cli("analyze", PROCX, "--format", "json")
    assert expected.exit_code == 0, expected.output
    answer = server.client.post("/v1/analyze", params={"source": str(PROCX)}, content=PROCX.read_bytes(),
                                headers=YAML)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.content == expected.stdout_bytes
    assert answer.json()["summary"]["by_rule"]["undisclosed_subcontracting"] == 69


def test_analyze_json_body_and_as_of(server, tmp_path):
    as_json = tmp_path / "chain.json"
    as_json.write_text(as_json_text(PROCX), encoding="utf-8")
    expected = cli("analyze", as_json, "--format", "json", "--as-of", "2023-01-31")
    assert expected.exit_code == 0, expected.output
    answer = server.client.post("/v1/analyze", params={"source": str(as_json), "as_of": "2023-01-31"},
                                content=as_json.read_bytes(), headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.content == expected.stdout_bytes
    assert answer.json()["summary"]["as_of"]["date"] == "2023-01-31"
    # without a source, the chain is called <body>, as standard input is <stdin>
    plain = server.client.post("/v1/analyze", content=as_json.read_bytes(), headers={"Content-Type": "application/json; charset=utf-8"})
    assert plain.json()["source"] == "<body>"


def test_survey(server):
    expected = cli("survey", PROCX, "--contractor", "procx", "--format", "json")
    assert expected.exit_code == 0, expected.output
    answer = server.client.post("/v1/survey", params={"contractor": "procx"}, content=PROCX.read_bytes(),
                                headers={"Content-Type": "text/yaml"})
    assert answer.status_code == 200, answer.text
    assert answer.content == expected.stdout_bytes
    as_of = cli("survey", PROCX, "--contractor", "procx", "--format", "json", "--as-of", "R5.1.31")
    answer = server.client.post("/v1/survey", params={"contractor": "procx", "as_of": "R5.1.31"},
                                content=PROCX.read_bytes(), headers={"Content-Type": "application/x-yaml"})
    assert answer.content == as_of.stdout_bytes


def test_check_envelope_of_texts_objects_and_yaml(server):
    expected = cli("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--format", "json")
    assert expected.exit_code == 1, expected.output  # every consignor would gain BS
    chain_text, proposal_text = WITHOUT_BS.read_text(encoding="utf-8"), PROPOSAL_BS.read_text(encoding="utf-8")
    texts = server.client.post("/v1/check", json={"chain": chain_text, "proposal": proposal_text})
    assert texts.status_code == 200, texts.text
    assert texts.content == expected.stdout_bytes
    assert len(texts.json()["consignors_affected"]) == 69
    objects = {"chain": yaml.safe_load(chain_text), "proposal": yaml.safe_load(proposal_text)}
    answer = server.client.post("/v1/check", content=json.dumps(objects, ensure_ascii=False).encode(), headers=JSON)
    assert answer.content == expected.stdout_bytes
    answer = server.client.post("/v1/check", content=yaml.safe_dump(objects, allow_unicode=True).encode(),
                                headers=YAML)
    assert answer.content == expected.stdout_bytes


def test_breach(server):
    expected = cli("breach", PROCX, *BREACH_ARGS, "--format", "json")
    assert expected.exit_code == 0, expected.output
    answer = server.client.post("/v1/breach", params=BREACH, content=PROCX.read_bytes(), headers=YAML)
    assert answer.status_code == 200, answer.text
    assert answer.content == expected.stdout_bytes
    systems = cli("breach", PROCX, "--handler", "bs", "--systems", "procx-cc", "--format", "json")
    answer = server.client.post("/v1/breach", params={"handler": "bs", "systems": ["procx-cc"]},
                                content=PROCX.read_bytes(), headers=YAML)
    assert answer.content == systems.stdout_bytes


def test_validate_says_what_the_cli_says(server):
    expected = cli("validate", PROCX)
    answer = server.client.post("/v1/validate", params={"source": str(PROCX)}, content=PROCX.read_bytes(),
                                headers=YAML)
    assert answer.status_code == 200
    document = answer.json()
    assert document["text"] + "\n" == expected.stdout
    assert document["counts"] == {"organizations": 71, "systems": 1, "entrustments": 70, "access": 1}


# ---------------------------------------------------------------------------------------------
# Invalid input: 422 with the problems `chain validate` prints


def bad_files() -> list[Path]:
    return sorted(p for p in BAD.iterdir() if p.is_file() and p.suffix in (".yaml", ".json")
                  and p.name != "expected.yaml")


def test_every_bad_file_is_422_with_the_problems_chain_validate_prints(server):
    """The bad-input corpus (tests/bad), each file as a body of its own format: the problems are
    the lines `chain validate FILE` prints, file, line, field and message alike."""
    compared = 0
    for path in bad_files():
        expected = cli("validate", path)
        if expected.exit_code != 2:
            continue
        printed = [line[len("error: "):] for line in expected.stderr.splitlines() if line.startswith("error: ")]
        answer = server.client.post("/v1/validate", params={"source": str(path)}, content=path.read_bytes(),
                                    headers=JSON if path.suffix == ".json" else YAML)
        assert answer.status_code == 422, (path.name, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        problems = answer.json()["problems"]
        assert [p["text"] for p in problems] == printed, path.name
        compared += 1
    assert compared >= 60


@pytest.mark.parametrize("path, headers, line, field", [
    (BAD / "wrong-kind.yaml", YAML, 3, "organizations[0].kind"),
    (BAD / "json-wrong-kind.json", JSON, 5, "organizations[1].kind"),
])
def test_422_names_line_and_field(server, path, headers, line, field):
    answer = server.client.post("/v1/analyze", content=path.read_bytes(), headers=headers)
    assert answer.status_code == 422
    document = answer.json()
    assert document["status"] == 422 and document["title"] == "invalid input"
    [problem] = document["problems"]
    assert (problem["file"], problem["line"], problem["field"]) == ("<body>", line, field)
    assert "'private'" in problem["message"]


def test_check_problems_point_into_the_body(server):
    """A proposal given as a mapping: its problems have the body's lines; given as text, its own."""
    body = ('{\n  "chain": ' + json.dumps(WITHOUT_BS.read_text(encoding="utf-8"), ensure_ascii=False) + ',\n'
            '  "proposal": {\n    "access": [\n      {"organization": "nobody", "system": "procx-cc"}\n    ]\n  }\n}\n')
    answer = server.client.post("/v1/check", content=body.encode(), headers=JSON)
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["problems"]
    assert (problem["file"], problem["line"], problem["field"]) == ("proposal", 5, "access[0].organization")
    text = server.client.post("/v1/check", json={"chain": WITHOUT_BS.read_text(encoding="utf-8"),
                                                 "proposal": "access:\n  - {organization: nobody, system: procx-cc}\n"})
    [problem] = text.json()["problems"]
    assert (problem["file"], problem["line"], problem["field"]) == ("proposal", 2, "access[0].organization")
    missing = server.client.post("/v1/check", json={"chain": {}, "extra": 1})
    assert {(p["field"], p["message"][:12]) for p in missing.json()["problems"]} == {
        ("extra", "unknown key "), ("proposal", "required key")}


def test_options_are_checked_as_query_parameters(server):
    body = PROCX.read_bytes()
    unknown = server.client.post("/v1/survey", params={"contractor": "ghost"}, content=body, headers=YAML)
    assert unknown.status_code == 422
    assert [(p["file"], p["field"]) for p in unknown.json()["problems"]] == [("query", "contractor")]
    bad_day = server.client.post("/v1/analyze", params={"as_of": "2023-13"}, content=body, headers=YAML)
    assert [(p["file"], p["field"]) for p in bad_day.json()["problems"]] == [("query", "as_of")]
    month = server.client.post("/v1/breach", params={"handler": "bs", "known": "2023-10"}, content=body, headers=YAML)
    assert "names no day" in month.json()["problems"][0]["message"]
    intent = server.client.post("/v1/breach", params={"handler": "bs", "intent": "evil"}, content=body, headers=YAML)
    assert intent.status_code == 422
    assert [(p["file"], p["field"]) for p in intent.json()["problems"]] == [("query", "intent")]
    handler = server.client.post("/v1/breach", params={"handler": "ghost"}, content=body, headers=YAML)
    assert [(p["file"], p["field"]) for p in handler.json()["problems"]] == [("query", "handler")]
    missing = server.client.post("/v1/survey", content=body, headers=YAML)
    assert [(p["file"], p["field"]) for p in missing.json()["problems"]] == [("query", "contractor")]
    neo4j = server.client.post("/v1/analyze", params={"backend": "neo4j", "dataset": "x"}, content=body, headers=YAML)
    assert neo4j.status_code == 422 and "--backend neo4j" in neo4j.json()["problems"][0]["message"]


def test_other_content_types_are_415(server):
    answer = server.client.post("/v1/analyze", content=PROCX.read_bytes(), headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert "application/yaml" in answer.json()["detail"]
    assert server.client.post("/v1/analyze", content=PROCX.read_bytes()).status_code == 415


def test_unknown_paths_are_problem_documents(server):
    answer = server.client.get("/v1/nothing")
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------------------------------------
# Body limits: refused before the body is read in full


def raw_request(port: int, head: bytes, body_parts=(), timeout: float = 10) -> bytes:
    """Send a request's head and the given body parts, never the end of the body, and read the
    answer: the server must answer without waiting for the rest."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head)
        for part in body_parts:
            s.sendall(part)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = s.recv(65536)
            if not data:
                break
            answer += data
        return answer


def test_declared_oversized_body_is_413_at_once(server):
    head = (b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\n\r\n")
    started = time.monotonic()
    answer = raw_request(server.port, head, [b"{"])  # 1 of the 10^9 bytes it announced
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert time.monotonic() - started < 5
    detail = json.loads(answer.split(b"\r\n\r\n", 1)[1])["detail"]
    assert f"{MAX_BODY:,} bytes" in detail and "--max-body" in detail


def test_streamed_oversized_body_is_413_when_the_limit_is_passed(server):
    """Chunked, no Content-Length: the bytes are counted as they arrive; the answer comes while the
    body has not ended (its last chunk is never sent)."""
    chunk = b"x" * (1 << 16)
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * ((MAX_BODY >> 16) + 2)
    head = b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    answer = raw_request(server.port, head, parts)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


def test_yaml_keeps_the_yaml_limit(server):
    head = (b"POST /v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\n"
            b"Content-Length: %d\r\n\r\n" % ((2 << 20) + 1))
    answer = raw_request(server.port, head, [b"schema: "])
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"for YAML" in answer and b"JSON" in answer


def test_the_service_still_answers_after_refusals(server):
    assert server.client.get("/v1/health").status_code == 200


# ---------------------------------------------------------------------------------------------
# OpenAPI


def test_openapi_is_valid_and_made_from_the_models(server):
    from jsonschema import Draft202012Validator
    from openapi_spec_validator import validate

    document = server.client.get("/openapi.json").json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert set(paths) == {"/v1/health", "/v1/rules", "/v1/validate", "/v1/analyze", "/v1/check", "/v1/survey",
                          "/v1/breach"}
    results = {"/v1/analyze": "Analysis", "/v1/check": "CheckResult", "/v1/survey": "Survey",
               "/v1/breach": "BreachReport", "/v1/validate": "ValidationResult"}
    for path, model in results.items():
        post = paths[path]["post"]
        assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{model}"}
        assert post["responses"]["422"]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorDocument"}
        assert set(post["requestBody"]["content"]) == {"application/json", "application/yaml",
                                                       "application/x-yaml", "text/yaml"}
    schemas = document["components"]["schemas"]
    assert schemas["Analysis"]["properties"]["findings"]["items"] == {"$ref": "#/components/schemas/Finding"}
    assert schemas["Analysis"]["properties"]["schema"]["const"] == "entrustment-chain/findings/v1"
    assert "ChainFile" in schemas and "ProblemItem" in schemas

    def check(model: str, instance) -> None:
        validator = Draft202012Validator({"$ref": f"#/components/schemas/{model}", "components": document["components"]})
        errors = sorted(validator.iter_errors(instance), key=str)
        assert not errors, errors[0]

    body = PROCX.read_bytes()
    check("ChainFile", yaml.safe_load(body))
    check("Analysis", server.client.post("/v1/analyze", content=body, headers=YAML).json())
    check("Survey", server.client.post("/v1/survey", params={"contractor": "procx"}, content=body, headers=YAML).json())
    check("BreachReport", server.client.post("/v1/breach", params=BREACH, content=body, headers=YAML).json())
    check("ValidationResult", server.client.post("/v1/validate", content=body, headers=YAML).json())
    check("ErrorDocument", server.client.post("/v1/validate", content=b"schema: x\n", headers=YAML).json())
    check("CheckResult", server.client.post("/v1/check", json={
        "chain": WITHOUT_BS.read_text(encoding="utf-8"), "proposal": PROPOSAL_BS.read_text(encoding="utf-8")}).json())


# ---------------------------------------------------------------------------------------------
# Start-up: loopback by default, a token anywhere else, the extra


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(chain_cmd("serve", "--port", str(free_port()), *args), cwd=ROOT,
                          env=env or server_env(), capture_output=True, text=True, timeout=60)


def test_anywhere_but_loopback_without_a_token_refuses_to_start():
    result = start("--host", "0.0.0.0")
    assert result.returncode == 2, result.stderr
    assert "0.0.0.0 is not a loopback address" in result.stderr
    assert "--token-file" in result.stderr and "ENTRUSTMENT_CHAIN_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_file_others_may_read_is_refused(tmp_path):
    token = tmp_path / "token"
    token.write_text("0123456789abcdef0123456789abcdef\n")
    token.chmod(0o644)
    result = start("--host", "0.0.0.0", "--token-file", str(token))
    assert result.returncode == 2, result.stderr
    assert "mode 0644" in result.stderr and "chmod 600" in result.stderr


def test_a_short_token_is_refused():
    result = start(env=server_env(ENTRUSTMENT_CHAIN_TOKEN="short"))
    assert result.returncode == 2 and "at least 16" in result.stderr


def test_with_a_token_file_it_starts_anywhere_and_asks_for_the_token(tmp_path):
    secret = "s3cret-" + "0123456789abcdef" * 2
    token = tmp_path / "token"
    token.write_text(secret + "\n")
    token.chmod(0o600)
    s = Server("--host", "0.0.0.0", "--token-file", str(token))
    try:
        body = PROCX.read_bytes()
        assert s.client.get("/v1/health").status_code == 200  # for load balancers: says nothing
        none = s.client.post("/v1/validate", content=body, headers=YAML)
        assert none.status_code == 401
        assert none.headers["www-authenticate"].startswith("Bearer")
        assert none.headers["content-type"] == "application/problem+json"
        wrong = s.client.post("/v1/validate", content=body, headers={**YAML, "Authorization": "Bearer " + secret[:-1]})
        assert wrong.status_code == 401
        basic = s.client.post("/v1/validate", content=body, headers={**YAML, "Authorization": "Basic " + secret})
        assert basic.status_code == 401
        assert s.client.get("/v1/rules").status_code == 401
        right = s.client.post("/v1/validate", content=body, headers={**YAML, "Authorization": "Bearer " + secret})
        assert right.status_code == 200 and right.json()["valid"] is True
        # the token is asked for before the body is read: 401, not 413
        head = (b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000000000\r\n\r\n")
        assert raw_request(s.port, head, [b"{"]).startswith(b"HTTP/1.1 401 ")
        openapi = s.client.get("/openapi.json").json()
        assert openapi["paths"]["/v1/analyze"]["post"]["security"] == [{"HTTPBearer": []}]
    finally:
        log = s.stop()
    assert secret not in log


def test_without_the_extra_it_exits_2_and_says_what_to_install():
    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None\n"
            "from entrustment_chain.cli.main import main\nmain()")
    result = subprocess.run([sys.executable, "-c", code, "serve"], cwd=ROOT, env=server_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "install entrustment-chain[serve]" in result.stderr


def test_the_cli_imports_no_fastapi():
    code = ("import sys\nfrom entrustment_chain.cli.main import main\nimport entrustment_chain.cli.serve\n"
            "assert not {'fastapi', 'uvicorn', 'starlette'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_a_port_in_use_is_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(chain_cmd("serve", "--port", str(port)), cwd=ROOT, env=server_env(),
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


# ---------------------------------------------------------------------------------------------
# Failures inside: 503 for the database, 500 without a traceback (the application in-process)


def in_process(app, *requests: tuple) -> list[httpx.Response]:
    """Requests (method, path, keyword arguments) to the application in this process."""
    import anyio

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            return [await client.request(method, path, **kwargs) for method, path, kwargs in requests]

    return anyio.run(send)


def test_database_failure_is_503_with_the_library_message():
    from entrustment_chain.graph.neo4j.settings import Settings
    from entrustment_chain.service.app import create_app
    from entrustment_chain.service.settings import resolve

    dead = Settings.resolve(uri=f"bolt://127.0.0.1:{free_port()}", connection_timeout=2)
    app = create_app(resolve(backend="neo4j", neo4j=dead, environ={}))
    answer, no_dataset, health = in_process(
        app, ("POST", "/v1/analyze", dict(params={"backend": "neo4j", "dataset": "nowhere"},
                                          content=PROCX.read_bytes(), headers=YAML)),
        ("POST", "/v1/analyze", dict(params={"backend": "neo4j"}, content=PROCX.read_bytes(), headers=YAML)),
        ("GET", "/v1/health", {}))
    assert answer.status_code == 503, answer.text
    assert answer.json()["detail"].startswith("cannot reach Neo4j at bolt://127.0.0.1:")
    assert no_dataset.status_code == 422 and no_dataset.json()["problems"][0]["field"] == "dataset"
    assert health.json()["backends"] == ["neo4j", "networkx"]


def test_internal_error_is_500_without_traceback(monkeypatch):
    from entrustment_chain.service import app as service
    from entrustment_chain.service.settings import resolve

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail /etc/somewhere")

    monkeypatch.setattr(service, "analyze", broken)
    [answer] = in_process(service.create_app(resolve(environ={})),
                          ("POST", "/v1/analyze", dict(content=PROCX.read_bytes(), headers=YAML)))
    assert answer.status_code == 500
    assert answer.json()["detail"] == "internal error (RuntimeError); the server's log has the details"
    assert "Traceback" not in answer.text and "secret" not in answer.text


# ---------------------------------------------------------------------------------------------
# Neo4j


@pytest.mark.neo4j
def test_analyze_and_breach_on_neo4j_are_the_networkx_answers(store, neo4j_settings, dataset):
    s = Server("--backend", "neo4j", "--uri", neo4j_settings.uri, "--username", neo4j_settings.username,
               "--database", neo4j_settings.database)
    try:
        body = PROCX.read_bytes()
        on_neo4j = s.client.post("/v1/analyze", params={"backend": "neo4j", "dataset": dataset, "source": str(PROCX)},
                                 content=body, headers=YAML)
        assert on_neo4j.status_code == 200, on_neo4j.text
        on_networkx = s.client.post("/v1/analyze", params={"backend": "networkx", "source": str(PROCX)},
                                    content=body, headers=YAML)
        assert on_networkx.status_code == 200, on_networkx.text
        assert on_networkx.content == cli("analyze", PROCX, "--format", "json").stdout_bytes
        document = on_neo4j.json()
        assert document.pop("backend") == "neo4j"
        expected = on_networkx.json()
        assert expected.pop("backend") == "networkx"
        assert document == expected
        # the default of this server is neo4j; the dataset is loaded already (the same version)
        breach = s.client.post("/v1/breach", params={**BREACH, "dataset": dataset}, content=body, headers=YAML)
        assert breach.status_code == 200, breach.text
        assert breach.content == cli("breach", PROCX, *BREACH_ARGS, "--format", "json").stdout_bytes
    finally:
        s.stop()


def test_settings_token_sources_and_loopback(tmp_path):
    """The rules of start-up, on the settings alone (no process)."""
    from entrustment_chain.graph.errors import InputError
    from entrustment_chain.service.settings import is_loopback, resolve

    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.0.2.1", "example.org", "localhost.example.org"]))
    from_env = resolve(host="0.0.0.0", environ={"ENTRUSTMENT_CHAIN_TOKEN": " " + "t" * 20 + "\n"})
    assert from_env.token == "t" * 20 and "t" * 20 not in repr(from_env)
    token = tmp_path / "token"
    token.write_text("f" * 32)
    token.chmod(0o400)
    assert resolve(host="::", token_file=str(token), environ={"ENTRUSTMENT_CHAIN_TOKEN": "e" * 20}).token == "f" * 32
    token.chmod(0o640)
    with pytest.raises(InputError, match="mode 0640"):
        resolve(token_file=str(token), environ={})
    with pytest.raises(InputError, match="is a folder"):
        resolve(token_file=str(tmp_path), environ={})
    assert resolve(environ={}).token is None  # loopback: no token needed
    with pytest.raises(InputError, match="not a loopback address"):
        resolve(host="192.0.2.1", environ={})
