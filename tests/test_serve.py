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
    """This environment without the settings of the service (the token, the loader's limit), and
    ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("ENTRUSTMENT_CHAIN_TOKEN", "ENTRUSTMENT_CHAIN_MAX_BYTES")}
    env.update(extra)
    return env


def chain_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "entrustment_chain", *args]


class Server:
    """`chain serve` in a subprocess, stopped (SIGTERM, by its own pid) at the end: it must then
    exit 0 within 20 s."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, port: int | None = None,
                 host: str = "127.0.0.1"):
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
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

    def stop(self, sig: int = signal.SIGTERM) -> str:
        if getattr(self, "client", None) is not None:
            self.client.close()
        killed = False
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                killed = True
        out, err = self.process.communicate()
        assert not killed, f"chain serve did not stop within 20 s of {signal.Signals(sig).name}: {out}{err}"
        assert self.process.returncode == 0, f"chain serve exited {self.process.returncode}: {out}{err}"
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
    head = (b"POST /v1/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
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
    head = (b"POST /v1/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    answer = raw_request(server.port, head, parts)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


def test_yaml_keeps_the_yaml_limit(server):
    head = (b"POST /v1/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\n"
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
    results = {"/v1/analyze": "FindingsDocument", "/v1/check": "CheckResult", "/v1/survey": "Survey",
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
    assert schemas["FindingsDocument"]["properties"]["findings"]["items"] == {
        "$ref": "#/components/schemas/FindingEntry"}
    assert schemas["FindingsDocument"]["properties"]["schema"]["const"] == "entrustment-chain/findings/v2"
    assert "ChainFile" in schemas and "ProblemItem" in schemas

    def check(model: str, instance) -> None:
        validator = Draft202012Validator({"$ref": f"#/components/schemas/{model}", "components": document["components"]})
        errors = sorted(validator.iter_errors(instance), key=str)
        assert not errors, errors[0]

    def answers(path: str, method: str, instance) -> None:
        """An answer against the schema its path's 200 says."""
        schema = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": document["components"]})
        errors = sorted(validator.iter_errors(instance), key=str)
        assert not errors, (path, errors[0])

    answers("/v1/health", "get", server.client.get("/v1/health").json())
    rules = server.client.get("/v1/rules").json()
    answers("/v1/rules", "get", rules)
    assert paths["/v1/rules"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/RuleInfo"}
    with pytest.raises(AssertionError):
        answers("/v1/rules", "get", [{**rules[0], "severity": 3}])  # the check can fail
    body = PROCX.read_bytes()
    check("ChainFile", yaml.safe_load(body))
    check("FindingsDocument", server.client.post("/v1/analyze", content=body, headers=YAML).json())
    check("FindingsDocument", server.client.post("/v1/analyze?messages=true", content=body, headers=YAML).json())
    check("Survey", server.client.post("/v1/survey", params={"contractor": "procx"}, content=body, headers=YAML).json())
    check("BreachReport", server.client.post("/v1/breach", params=BREACH, content=body, headers=YAML).json())
    check("ValidationResult", server.client.post("/v1/validate", content=body, headers=YAML).json())
    check("ErrorDocument", server.client.post("/v1/validate", content=b"schema: x\n", headers=YAML).json())
    check("CheckResult", server.client.post("/v1/check", json={
        "chain": WITHOUT_BS.read_text(encoding="utf-8"), "proposal": PROPOSAL_BS.read_text(encoding="utf-8")}).json())


# ---------------------------------------------------------------------------------------------
# Start-up: loopback by default, a token anywhere else, the extra


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return start_on(free_port(), *args, env=env)


def start_on(port: int, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(chain_cmd("serve", "--port", str(port), *args), cwd=ROOT,
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
        openapi_answer = s.client.get("/openapi.json")  # no token needed: the description is public
        assert openapi_answer.status_code == 200
        openapi = openapi_answer.json()
        assert openapi["paths"]["/v1/analyze"]["post"]["security"] == [{"HTTPBearer": []}]
        responses = openapi["paths"]["/v1/analyze"]["post"]["responses"]
        assert "401" in responses and "400" not in responses  # no Host check with a token
        assert "401" not in openapi["paths"]["/v1/health"]["get"]["responses"]
        # with a token, any Host is answered (a rebinding page has no token to send)
        assert s.client.get("/v1/health", headers={"Host": "chain.example.internal"}).status_code == 200
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
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
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


def neo4j_server(neo4j_settings, *args: str) -> Server:
    return Server("--backend", "neo4j", "--uri", neo4j_settings.uri, "--username", neo4j_settings.username,
                  "--database", neo4j_settings.database, *args)


TINY = b"schema: entrustment-chain/v1\norganizations:\n  - {id: a, name: A, kind: private}\nentrustments: []\n"


@pytest.mark.neo4j
def test_a_dataset_holding_another_chain_is_not_replaced_unless_asked(store, neo4j_settings, dataset):
    s = neo4j_server(neo4j_settings)
    try:
        body = PROCX.read_bytes()
        first = s.client.post("/v1/analyze", params={"dataset": dataset}, content=body, headers=YAML)
        assert first.status_code == 200, first.text
        again = s.client.post("/v1/analyze", params={"dataset": dataset}, content=body, headers=YAML)
        assert again.content == first.content  # the same version: used as it is
        other = s.client.post("/v1/analyze", params={"dataset": dataset}, content=TINY, headers=YAML)
        assert other.status_code == 409, other.text
        assert other.headers["content-type"] == "application/problem+json"
        detail = other.json()["detail"]
        assert f"dataset {dataset!r} holds another chain" in detail and "replace=true" in detail
        breach_other = s.client.post("/v1/breach", params={"dataset": dataset, "handler": "a"}, content=TINY,
                                     headers=YAML)
        assert breach_other.status_code == 409, breach_other.text
        # the dataset still holds ProCX
        assert s.client.post("/v1/analyze", params={"dataset": dataset}, content=body,
                             headers=YAML).content == first.content
        replaced = s.client.post("/v1/analyze", params={"dataset": dataset, "replace": "true"}, content=TINY,
                                 headers=YAML)
        assert replaced.status_code == 200, replaced.text
        assert replaced.json()["summary"]["findings"] == 0
        assert s.client.post("/v1/analyze", params={"dataset": dataset}, content=body, headers=YAML).status_code == 409
        # as of a day the chain is loaded as a dataset of its own, NAME@as-of:DAY: checked the same
        day = {"dataset": dataset, "as_of": "2023-01-31"}
        assert s.client.post("/v1/analyze", params=day, content=body, headers=YAML).status_code == 200
        other_day = s.client.post("/v1/breach", params={**day, "handler": "a"}, content=TINY, headers=YAML)
        assert other_day.status_code == 409, other_day.text
        assert f"dataset '{dataset}@as-of:2023-01-31' holds another chain" in other_day.json()["detail"]
    finally:
        s.stop()
        store.drop(f"{dataset}@as-of:2023-01-31")


@pytest.mark.neo4j
def test_requests_on_one_dataset_take_their_turns(store, neo4j_settings, dataset):
    """Two chains replacing each other on one dataset, at the same time (replace=true): each answer
    is its own chain's, never a mix (127 findings instead of 279), a KeyError or a 503."""
    import threading

    s = neo4j_server(neo4j_settings, "--jobs", "4")
    try:
        procx, tiny = PROCX.read_bytes(), TINY
        networkx = s.client.post("/v1/analyze", params={"backend": "networkx"}, content=procx, headers=YAML)
        expected = {"procx": networkx.json()["summary"]["findings"], "tiny": 0}
        assert expected["procx"] > 100
        wrong = []

        def go(name: str, body: bytes) -> None:
            with httpx.Client(base_url=s.url, timeout=120) as client:
                answer = client.post("/v1/analyze", params={"dataset": dataset, "replace": "true"}, content=body,
                                     headers=YAML)
            if answer.status_code != 200 or answer.json()["summary"]["findings"] != expected[name]:
                wrong.append((name, answer.status_code, answer.text[:200]))

        for _ in range(5):
            threads = [threading.Thread(target=go, args=("procx", procx)), threading.Thread(target=go, args=("tiny", tiny))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert not wrong, wrong
    finally:
        log = s.stop()
    assert "Traceback" not in log


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


# ---------------------------------------------------------------------------------------------
# The second reading's defects


def test_a_proposal_text_starting_with_a_brace_keeps_the_yaml_limit(server):
    """The proposal's text is parsed as YAML whatever it starts with: a 2.5 MiB YAML flow mapping
    (`{a: [[1],[1],…]}`, under the body limit) is 413 at once, not 40 s and gigabytes of parsing."""
    proposal = "{a: [" + "[1]," * (5 << 17) + "[1]]}"
    assert (2 << 20) < len(proposal) < MAX_BODY - (200 << 10)
    started = time.monotonic()
    answer = server.client.post("/v1/check", json={"chain": WITHOUT_BS.read_text(encoding="utf-8"),
                                                   "proposal": proposal})
    assert answer.status_code == 413, answer.text[:300]
    assert time.monotonic() - started < 10
    detail = answer.json()["detail"]
    assert detail.startswith("the proposal's text is over the limit of 2,097,152 bytes for YAML"), detail
    # a chain's text that starts with a brace is JSON (as chain check reads a file): it keeps JSON's limit
    as_json = as_json_text(WITHOUT_BS)
    ok = server.client.post("/v1/check", json={"chain": as_json, "proposal": PROPOSAL_BS.read_text(encoding="utf-8")})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST:1", "[::1]", "[::1]:8080", "127.0.0.1:{port}"])
def test_a_server_without_a_token_answers_loopback_names(server, host):
    answer = server.client.get("/v1/health", headers={"Host": host.format(port=server.port)})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io", "localhost.evil",
                                  "[::2]", "127.0.0.1:x", ""])
def test_a_server_without_a_token_refuses_other_hosts(server, host):
    """DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends Host:
    evil.example; the service must not answer it (nor let it send a chain)."""
    for method, path in (("GET", "/v1/health"), ("POST", "/v1/validate"), ("GET", "/openapi.json")):
        answer = server.client.request(method, path, content=PROCX.read_bytes() if method == "POST" else None,
                                       headers={"Host": host.format(port=server.port), **YAML})
        assert answer.status_code == 400, (host, path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert "no token" in answer.json()["detail"] and "127.0.0.1" in answer.json()["detail"]


def test_no_host_header_at_all_is_refused_too(server):
    head = (b"GET /v1/health HTTP/1.0\r\n\r\n")
    assert raw_request(server.port, head).startswith(b"HTTP/1.1 400 ")


@pytest.mark.parametrize("path, params, unknown, hint", [
    ("/v1/analyze", {"as-of": "2023-01-31"}, "as-of", "as_of"),
    ("/v1/analyze", {"asOf": "2023-01-31"}, "asOf", "as_of"),
    ("/v1/breach", {"handler": "bs", "From": "2013-07"}, "From", "from"),
    ("/v1/survey", {"contractor": "procx", "dataset": "x"}, "dataset", None),
    ("/v1/validate", {"sourse": "x"}, "sourse", None),
])
def test_an_unknown_query_parameter_is_422_naming_it(server, path, params, unknown, hint):
    answer = server.client.post(path, params=params, content=PROCX.read_bytes(), headers=YAML)
    assert answer.status_code == 422, answer.text[:300]
    [problem] = answer.json()["problems"]
    assert (problem["file"], problem["field"]) == ("query", unknown)
    assert f"unknown query parameter {unknown!r}" in problem["message"]
    assert ("did you mean " + hint) in problem["message"] if hint else "did you mean" not in problem["message"]
    assert "source" in problem["message"]  # the ones it takes


def test_unknown_query_parameters_of_the_get_endpoints(server):
    health = server.client.get("/v1/health", params={"verbose": "1"})
    assert health.status_code == 422 and "takes none" in health.json()["problems"][0]["message"]
    assert server.client.get("/v1/rules", params={"lang": "ja"}).status_code == 422


@pytest.mark.parametrize("path, params, field", [
    ("/v1/analyze", {"as_of": "0000-01-01"}, "as_of"),
    ("/v1/survey", {"contractor": "procx", "as_of": "1899-12-31"}, "as_of"),
    ("/v1/breach", {"handler": "bs", "known": "9999-12-31"}, "known"),
    ("/v1/breach", {"handler": "bs", "to": "0000"}, "to"),
])
def test_dates_out_of_range_are_422_not_500(server, path, params, field):
    answer = server.client.post(path, params=params, content=PROCX.read_bytes(), headers=YAML)
    assert answer.status_code == 422, answer.text[:300]
    [problem] = answer.json()["problems"]
    assert (problem["file"], problem["field"]) == ("query", field)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, identity"])
def test_a_content_encoding_is_415(server, encoding):
    import gzip

    answer = server.client.post("/v1/validate", content=gzip.compress(PROCX.read_bytes()),
                                headers={**YAML, "Content-Encoding": encoding})
    assert answer.status_code == 415, answer.text[:300]
    assert "Content-Encoding" in answer.json()["detail"] and encoding in answer.json()["detail"]
    plain = server.client.post("/v1/validate", content=PROCX.read_bytes(),
                               headers={**YAML, "Content-Encoding": "identity"})
    assert plain.status_code == 200


def test_openapi_of_a_server_without_a_token_has_no_401(server):
    document = server.client.get("/openapi.json").json()
    for path in document["paths"].values():
        for operation in path.values():
            assert "401" not in operation["responses"] and "security" not in operation
    assert "400" in document["paths"]["/v1/analyze"]["post"]["responses"]
    assert "409" in document["paths"]["/v1/analyze"]["post"]["responses"]
    assert "409" not in document["paths"]["/v1/survey"]["post"]["responses"]
    assert "/openapi.json" in document["info"]["description"]


def test_the_token_file_must_be_the_users_own_and_no_link(tmp_path, monkeypatch):
    from entrustment_chain.graph.errors import InputError
    from entrustment_chain.service.settings import resolve

    token = tmp_path / "token"
    token.write_text("f" * 32)
    token.chmod(0o600)
    link = tmp_path / "link"
    link.symlink_to(token)
    with pytest.raises(InputError, match="is a symbolic link"):
        resolve(token_file=str(link), environ={})
    assert resolve(token_file=str(token), environ={}).token == "f" * 32
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(token).st_uid + 1)
    with pytest.raises(InputError, match=r"belongs to another user \(uid \d+\)"):
        resolve(token_file=str(token), environ={})


def test_a_token_file_of_another_user_refuses_to_start(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the file away")
    token = tmp_path / "token"
    token.write_text("0123456789abcdef0123456789abcdef\n")
    token.chmod(0o600)
    os.chown(token, 65534, 65534)
    result = start("--host", "0.0.0.0", "--token-file", str(token))
    assert result.returncode == 2, result.stderr
    assert "belongs to another user (uid 65534)" in result.stderr and "Traceback" not in result.stderr
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere")
    result = start("--host", "0.0.0.0", "--token-file", str(link))
    assert result.returncode == 2 and "is a symbolic link" in result.stderr


def test_ipv6_loopback_in_brackets_is_printed_once():
    from entrustment_chain.service.server import address, listen_message
    from entrustment_chain.service.settings import resolve

    assert address("[::1]", 8080) == address("::1", 8080) == "[::1]:8080"
    assert address("127.0.0.1", 80) == "127.0.0.1:80"
    assert "http://[::1]:8080 " in listen_message(resolve(host="[::1]", port=8080, environ={}))
    s = Server("--host", "[::1]", host="[::1]")
    try:
        result = start_on(s.port, "--host", "[::1]")  # the port is taken: the message names it once bracketed
        assert result.returncode == 2
        assert f"cannot listen on [::1]:{s.port}:" in result.stderr and "[[" not in result.stderr
    finally:
        log = s.stop()
    assert f"listening on http://[::1]:{s.port} " in log


def test_sigint_stops_it_with_exit_0():
    Server().stop(signal.SIGINT)


def test_at_most_twice_jobs_bodies_are_read_at_once_and_each_within_the_timeout():
    """Bodies that stall: with --jobs 1, two are read at once (the others wait, unread), each is
    408 at its deadline, and the next two are read then."""
    import anyio

    from entrustment_chain.service.app import create_app
    from entrustment_chain.service.settings import resolve

    app = create_app(resolve(jobs=1, body_timeout=0.5, environ={}))
    reading: list[int] = []
    answers: dict[int, int] = {}

    async def one(i: int) -> None:
        sent = False

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                reading.append(i)
                return {"type": "http.request", "body": b"{", "more_body": True}
            await anyio.sleep(3600)  # a client that stalls

        async def send(message):
            if message["type"] == "http.response.start":
                answers[i] = message["status"]

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/v1/validate", "raw_path": b"/v1/validate", "query_string": b"",
                 "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                                              (b"content-length", b"100")],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
        await app(scope, receive, send)

    async def main() -> tuple[list[int], dict[int, int]]:
        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(one, i)
            await anyio.sleep(0.3)
            first = list(reading)
            assert answers == {}
        return first, answers

    started = time.monotonic()
    first, done = anyio.run(main)
    assert len(first) == 2, first
    assert done == {i: 408 for i in range(6)}
    assert 1.4 < time.monotonic() - started < 5  # three rounds of two, 0.5 s each


@pytest.fixture(scope="module")
def small():
    """A server whose loader limit (ENTRUSTMENT_CHAIN_MAX_BYTES) is under --max-body, with a short
    body timeout and one job, its answers spooled in a folder of its own."""
    tmp = Path(__import__("tempfile").mkdtemp(prefix="serve-tmp-"))
    s = Server("--max-body", "4MiB", "--body-timeout", "1", "--jobs", "1",
               env=server_env(ENTRUSTMENT_CHAIN_MAX_BYTES="2000000", TMPDIR=str(tmp)))
    s.tmp = tmp
    try:
        yield s
        log = s.stop()
    finally:
        __import__("shutil").rmtree(tmp, ignore_errors=True)
    assert "Traceback" not in log and "ERROR" not in log, log


def test_the_binding_limit_is_named(small):
    """ENTRUSTMENT_CHAIN_MAX_BYTES under --max-body: it is the limit of JSON bodies too, and the
    413 names it (not --max-body, which would not help)."""
    body = b'{"schema": "entrustment-chain/v1", "title": "' + b"x" * 2_500_000 + b'"}'
    for headers in ({"Content-Length": str(len(body))}, {"Transfer-Encoding": "chunked"}):
        answer = small.client.post("/v1/validate", content=iter([body]) if "Transfer-Encoding" in headers else body,
                                   headers={**JSON, **headers})
        assert answer.status_code == 413
        detail = answer.json()["detail"]
        assert detail == ("the body is over the limit of 2,000,000 bytes for JSON (ENTRUSTMENT_CHAIN_MAX_BYTES on "
                          "the server sets it)")


def test_a_stalled_body_is_408_at_its_deadline(small):
    head = (b"POST /v1/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n")
    started = time.monotonic()
    answer = raw_request(small.port, head, [b'{"schema": '])
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:300]
    assert 0.9 < time.monotonic() - started < 5
    assert b"--body-timeout" in answer


def test_a_client_gone_during_its_upload_is_no_error(small):
    head = (b"POST /v1/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n")
    with socket.create_connection(("127.0.0.1", small.port)) as s:
        s.sendall(head + b'{"schema": ')
        time.sleep(0.3)
    time.sleep(0.5)
    assert small.client.get("/v1/health").status_code == 200  # the log is checked at the end (fixture)


def spool_files(pid: int, folder: Path) -> list[str]:
    """The files of ``folder`` the process ``pid`` holds open (temporary files are unlinked)."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_an_answer_abandoned_midway_closes_its_temporary_file(tmp_path):
    """An analysis over 8 MiB of JSON is spooled to a temporary file; a client that reads a little
    of it and goes away must not leave the file open (until some later collection)."""
    from entrustment_chain.graph.io.generate import generate

    body = json.dumps(generate(450, seed=1)).encode()  # findings/v2 with --messages: over 9 MB
    small = Server("--jobs", "1", env=server_env(TMPDIR=str(tmp_path)))
    small.tmp = tmp_path
    request = (b"POST /v1/analyze?messages=true HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    with socket.create_connection(("127.0.0.1", small.port), timeout=120) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(request)
        first = s.recv(4096)
        assert first.startswith(b"HTTP/1.1 200 "), first[:200]
        length = int(first.split(b"content-length: ")[1].split(b"\r\n")[0])
        assert length > 8 << 20
        time.sleep(0.5)
        assert spool_files(small.process.pid, small.tmp), "the answer was not spooled to a file"
    deadline = time.monotonic() + 10
    while spool_files(small.process.pid, small.tmp) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert spool_files(small.process.pid, small.tmp) == []
    log = small.stop()
    assert "Traceback" not in log and "ERROR" not in log, log


def test_sigterm_during_a_stalled_upload_still_stops_it(tmp_path):
    s = Server("--body-timeout", "2")
    head = (b"POST /v1/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n")
    with socket.create_connection(("127.0.0.1", s.port)) as stalled:
        stalled.sendall(head + b"{")
        time.sleep(0.3)
        started = time.monotonic()
        log = s.stop()
        assert time.monotonic() - started < 10
    assert "Traceback" not in log


def test_the_banner_names_both_limits():
    s = Server("--max-body", "1MiB", env=server_env(ENTRUSTMENT_CHAIN_MAX_BYTES="100000"))
    log = s.stop()
    assert ("bodies: JSON up to 100,000 bytes (ENTRUSTMENT_CHAIN_MAX_BYTES), YAML up to 100,000 bytes "
            "(ENTRUSTMENT_CHAIN_MAX_BYTES)") in log
    s = Server("--max-body", "1MiB")
    log = s.stop()
    assert "bodies: JSON up to 1,048,576 bytes (--max-body), YAML up to 1,048,576 bytes (--max-body)" in log
    s = Server()
    log = s.stop()
    assert ("bodies: JSON up to 16,777,216 bytes (--max-body), YAML up to 2,097,152 bytes "
            "(ENTRUSTMENT_CHAIN_MAX_BYTES)") in log
