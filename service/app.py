"""The HTTP service: ``create_app(settings)`` makes the FastAPI application `chain serve` runs.

Each endpoint is a command of the CLI over HTTP, and answers with the document that command's
``--format json`` writes for the same input and options: the same models, the same
``to_json_dict()``, byte for byte the same text (``Analysis.write_json`` for analyze). The body
is the chain file itself, YAML or JSON by its Content-Type; ``/v1/check`` takes an envelope
``{chain, proposal}``. Options are query parameters named as the CLI's options are.

Work is CPU-bound: bodies are read on the event loop (counted against the limit as they arrive,
after the token is checked), then the chain is read and analysed in a worker thread, at most
``jobs`` at once, so that the service keeps answering while it works. Errors are problem
documents (RFC 9457): 401 without the token, 413 over the body limit, 415 for another
Content-Type, 422 for invalid input with every problem (file, line, field, message — what
``chain validate`` prints), 503 when Neo4j fails (the library's message), 500 for anything else,
without a traceback (that goes to the server's log).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import http
import tempfile
from typing import Any, Callable, Iterator, Literal, Sequence

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from entrustment_chain import __version__
from entrustment_chain.graph.analysis.breach import BreachReport, breach, check_input
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.findings import Analysis
from entrustment_chain.graph.analysis.onboarding import CheckResult, check
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.analysis.survey import Survey, survey
from entrustment_chain.graph.errors import DatabaseError, InputError, Problem
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.neo4j.backend import Neo4jBackend
from entrustment_chain.graph.neo4j.store import Neo4jStore
from entrustment_chain.graph.reports.breach import breach_json
from entrustment_chain.graph.reports.documents import output_versions, pin_version
from entrustment_chain.graph.reports.render import to_json
from entrustment_chain.service.inputs import (
    BODY,
    MEDIA_TYPES,
    QUERY,
    BodyTooLarge,
    as_query_problems,
    body_format,
    chain_from_body,
    day,
    envelope,
    too_large,
)
from entrustment_chain.service.models import (
    ErrorDocument,
    Health,
    ProblemItem,
    RuleInfo,
    ValidationCounts,
    ValidationResult,
)
from entrustment_chain.service.settings import ServeSettings

SPOOL = 8 << 20  # an answer larger than this is kept in a temporary file, not in memory, until sent
CHUNK = 1 << 16
PROBLEM_JSON = "application/problem+json"
REF = "#/components/schemas/"
KNOWN_DAY = "give the day the leak became known, e.g. 2023-10-17"

DESCRIPTION = """\
Personal-data entrustment chains (委託元 → 委託先 → 再委託先) as a graph, over HTTP: the commands of
`chain` for vendor-onboarding tools. Each endpoint answers with the same JSON document as the
command's `--format json` for the same input and options.

**Bodies.** The chain file itself, YAML (`application/yaml`, `application/x-yaml`, `text/yaml`)
or JSON (`application/json`), UTF-8. `/v1/check` takes `{"chain": …, "proposal": …}`, each a
mapping or the text of a file in a string. Bodies over the server's limit are refused with 413
before they are read in full; YAML bodies also keep YAML's own limit (2 MiB by default).

**Errors** are `application/problem+json`. Invalid input is 422 with `problems[]`: each with
`file` (the chain's name: the `source` parameter, `<body>` by default; `chain` or `proposal` in a
check; `query` for a query parameter), `line` (in the body), `field` and `message`, and `text`,
the line `chain validate` prints.

**Auth.** When the server has a token, every endpoint but `/v1/health` needs
`Authorization: Bearer <token>` (401 otherwise).

**Neo4j.** `backend=neo4j` (on a server started with `--backend neo4j`) with a `dataset` loads the
chain as that dataset (a no-op when that version is loaded already) and runs the Cypher rules
there.
"""


class Unauthorized(Exception):
    pass


class Unsupported(Exception):
    pass


def problem_response(status: int, title: str, detail: str, problems: Sequence[Problem] = (),
                     headers: dict[str, str] | None = None) -> JSONResponse:
    document = ErrorDocument(title=title, status=status, detail=detail,
                             problems=[ProblemItem.of(p) for p in problems])
    return JSONResponse(document.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON,
                        headers=headers)


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


class _Utf8Writer:
    """What ``Analysis.write_json`` writes to: text, kept as UTF-8 in a spooled temporary file."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+b")
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.file.write(data)
        self.size += len(data)
        return len(text)


def _chunks(handle: Any) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while data := handle.read(CHUNK):
            yield data
    finally:
        handle.close()


def json_answer(text: str) -> Response:
    return Response(text.encode("utf-8"), media_type="application/json")


# ---------------------------------------------------------------------------------------------
# OpenAPI


def _chain_body(what: str) -> dict[str, Any]:
    schema = {"$ref": REF + "ChainFile"}
    return {"requestBody": {"required": True, "description": what,
                            "content": {media: {"schema": schema} for media in MEDIA_TYPES}}}


def _check_body() -> dict[str, Any]:
    sections = {s: {"type": "array", "items": {"$ref": REF + m}} for s, m in (
        ("organizations", "Organization"), ("systems", "System"), ("entrustments", "Entrustment"),
        ("access", "Access"))}
    proposal = {"type": "object", "additionalProperties": False, "title": "Proposal",
                "description": "A chain-file fragment: the organizations, systems, entrustments and access "
                               "grants the proposal adds (as `chain check --add` takes it).",
                "properties": {"schema": {"type": "string"}, **sections}}
    text = {"type": "string", "description": "the text of a file (YAML, or JSON); its lines count in this text"}
    schema = {"type": "object", "additionalProperties": False, "required": ["chain", "proposal"],
              "title": "CheckRequest",
              "properties": {"chain": {"anyOf": [{"$ref": REF + "ChainFile"}, text]},
                             "proposal": {"anyOf": [proposal, text]}}}
    return {"requestBody": {"required": True,
                            "description": "The chain and the proposal, each a mapping (lines count in the "
                                           "body) or the text of a file in a string.",
                            "content": {media: {"schema": schema} for media in MEDIA_TYPES}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorDocument, "description": "The server has a token and the request did not give it "
                                                 "(Authorization: Bearer <token>)."},
    413: {"model": ErrorDocument, "description": "The body is over the server's limit (refused before it is "
                                                 "read in full)."},
    415: {"model": ErrorDocument, "description": "The Content-Type is not JSON or YAML."},
    422: {"model": ErrorDocument, "description": "Invalid input: every problem, with file, line, field and "
                                                 "message."},
    500: {"model": ErrorDocument, "description": "An internal error (the server's log has the details)."},
}
DATABASE: dict[int | str, dict[str, Any]] = {503: {"model": ErrorDocument, "description": "Neo4j could not be reached or failed; the detail "
                                                         "says what to check."}}


def _finish_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """What FastAPI cannot say by itself: the chain file's schema for the request bodies, the
    version each result document carries (as ``chain schema --of …`` pins it), and errors as
    ``application/problem+json``."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    chain = ChainFile.model_json_schema(ref_template=REF + "{model}", mode="validation")
    for name, definition in {**chain.pop("$defs", {}), "ChainFile": chain}.items():
        if components.setdefault(name, definition) != definition:
            raise RuntimeError(f"two schemas are called {name}")  # caught by the tests
    for name, version in output_versions().items():
        pin_version(components[name], version)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in "45" and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    return schema


# ---------------------------------------------------------------------------------------------
# The application


def create_app(settings: ServeSettings) -> FastAPI:
    """The service for ``settings`` (:func:`entrustment_chain.service.settings.resolve` checks them)."""
    app = FastAPI(title="entrustment-chain", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    limiter: list[anyio.CapacityLimiter] = []  # made on first use, inside the event loop
    bearer = HTTPBearer(auto_error=False, description="The token the server was started with.")
    token_digest = hashlib.sha256(settings.token.encode()).digest() if settings.token else None

    def authorized(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if token_digest is None:
            return
        given = credentials.credentials.strip() if credentials is not None else ""
        # compared in constant time, over digests so that the length is not told either
        if not hmac.compare_digest(hashlib.sha256(given.encode("utf-8", "surrogateescape")).digest(), token_digest):
            raise Unauthorized()

    guarded = [Depends(authorized)] if token_digest is not None else []

    async def job(fn: Callable[..., Any], *args: Any) -> Any:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(settings.jobs))
        return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=limiter[0])

    async def read_body(request: Request) -> tuple[str, bytes]:
        fmt = body_format(request.headers.get("content-type"))
        if fmt is None:
            raise Unsupported(request.headers.get("content-type"))
        limit = settings.body_limit(fmt)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(fmt, limit, settings.max_body)  # refused before a byte of it is read
        chunks, total = [], 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:  # a body without Content-Length, or longer than it said
                raise too_large(fmt, limit, settings.max_body)
            chunks.append(chunk)
        return fmt, b"".join(chunks)

    def chosen_backend(backend: str | None, dataset: str | None) -> str:
        backend = backend or settings.backend
        if backend == "neo4j":
            if settings.neo4j is None:
                raise InputError([Problem(QUERY, None, "backend", "this service was started without Neo4j; "
                                          "start it with chain serve --backend neo4j to use it")])
            if not dataset:
                raise InputError([Problem(QUERY, None, "dataset", "backend=neo4j needs a dataset: the name the "
                                          "chain is loaded as in Neo4j (a no-op when that version is loaded "
                                          "already)")])
        return backend

    def store() -> Neo4jStore:
        assert settings.neo4j is not None
        return Neo4jStore(settings.neo4j)

    # -- errors ----------------------------------------------------------------------------
    @app.exception_handler(InputError)
    async def invalid(request: Request, exc: InputError) -> Response:
        n = len(exc.problems)
        return problem_response(422, "invalid input", f"{n} problem{'s' if n != 1 else ''} found",
                                exc.problems)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where, *field = error.get("loc", ()) or ("request",)
            problems.append(Problem(QUERY if where == "query" else str(where), None,
                                    ".".join(str(f) for f in field), error.get("msg", "invalid")))
        return await invalid(request, InputError(problems))

    @app.exception_handler(BodyTooLarge)
    async def too_big(request: Request, exc: BodyTooLarge) -> Response:
        # the rest of the body is not read: the connection is closed after this answer
        return problem_response(413, "body too large", exc.message, headers={"Connection": "close"})

    @app.exception_handler(Unsupported)
    async def unsupported(request: Request, exc: Unsupported) -> Response:
        given = exc.args[0] or "none"
        return problem_response(415, "unsupported media type",
                                f"the body is a chain file, JSON or YAML: Content-Type {', '.join(MEDIA_TYPES)} "
                                f"(given: {given})")

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized) -> Response:
        return problem_response(401, "unauthorized", "this service needs its token: Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": 'Bearer realm="entrustment-chain"'})

    @app.exception_handler(DatabaseError)
    async def database(request: Request, exc: DatabaseError) -> Response:
        return problem_response(503, "database error", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = http.HTTPStatus(exc.status_code).phrase.lower()
        return problem_response(exc.status_code, title, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        # Starlette raises the exception on after this answer: the server's log has the traceback
        return problem_response(500, "internal error", f"internal error ({type(exc).__name__}); the server's log "
                                                       "has the details")

    # -- endpoints -------------------------------------------------------------------------
    source_q = Query(None, max_length=1000, description="The chain's name: in problems (`file`) and, for analyze, "
                                                        "the result's `source` (the CLI gives the file's path). "
                                                        "Default `<body>`.")
    as_of_q = Query(None, description="Judge the chain as it stood on this day (2023-01-31, R5.1.31, 令和5年1月31日; "
                                      "a month or a year: its last day), as `--as-of`.")
    backend_q = Query(None, description="networkx (embedded) or neo4j (a server started with --backend neo4j); "
                                        "default: the server's --backend.")
    dataset_q = Query(None, min_length=1, max_length=1000,
                      description="With backend=neo4j (required there): the dataset the chain is loaded as.")

    @app.get("/v1/health", response_model=Health, tags=["service"],
             summary="Is the service up (no token needed; does not reach Neo4j)")
    async def health() -> Health:
        return Health(version=__version__, backends=[settings.backend] + [b for b in settings.backends
                                                                        if b != settings.backend])

    @app.get("/v1/rules", response_model=list[RuleInfo], tags=["service"], dependencies=guarded,
             responses={401: ERRORS[401]}, summary="The rules findings come from (the registry)")
    async def rules() -> list[RuleInfo]:
        return [RuleInfo(id=r.id, per=r.per.value, severity=r.severity.value, title_en=r.title_en,
                         title_ja=r.title_ja, when_en=r.when_en, when_ja=r.when_ja) for r in RULES.values()]

    @app.post("/v1/validate", response_model=ValidationResult, tags=["chain"], dependencies=guarded,
              responses=ERRORS, openapi_extra=_chain_body("The chain file."),
              summary="chain validate: every problem at once, with file, line and field")
    async def validate(request: Request, source: str | None = source_q) -> ValidationResult:
        name = source or BODY
        fmt, body = await read_body(request)

        def work() -> ValidationResult:
            chain = chain_from_body(body, fmt, name)
            counts = ValidationCounts(organizations=len(chain.organizations), systems=len(chain.systems),
                                      entrustments=len(chain.entrustments), access=len(chain.access))
            text = (f"{name}: valid ({_count(counts.organizations, 'organization')}, "
                    f"{_count(counts.systems, 'system')}, {_count(counts.entrustments, 'entrustment')}, "
                    f"{_count(counts.access, 'access grant')})")
            return ValidationResult(source=name, counts=counts, text=text)

        return await job(work)

    @app.post("/v1/analyze", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": Analysis, "description": "findings/v1, as `chain analyze --format json`"},
                         **ERRORS, **DATABASE},
              openapi_extra=_chain_body("The chain file."),
              summary="chain analyze: undisclosed and unapproved handlers, who could not supervise, weak contracts")
    async def analyze_(request: Request, source: str | None = source_q, as_of: str | None = as_of_q,
                       backend: Literal["networkx", "neo4j"] | None = backend_q,
                       dataset: str | None = dataset_q) -> Response:
        name = source or BODY
        day_ = day(as_of, "as_of")
        chosen = chosen_backend(backend, dataset)
        fmt, body = await read_body(request)

        def work() -> _Utf8Writer:
            chain = chain_from_body(body, fmt, name)
            if chosen == "neo4j":
                with store() as connected:
                    result = analyze(chain, Neo4jBackend(connected, dataset, source=name), source=name, as_of=day_)
            else:
                result = analyze(chain, source=name, as_of=day_)
            out = _Utf8Writer()
            try:
                result.write_json(out)  # finding by finding, as the CLI writes it
            except BaseException:
                out.file.close()
                raise
            return out

        out = await job(work)
        return StreamingResponse(_chunks(out.file), media_type="application/json",
                                 headers={"Content-Length": str(out.size)})

    @app.post("/v1/survey", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": Survey, "description": "survey/v1, as `chain survey --format json`"}, **ERRORS},
              openapi_extra=_chain_body("The chain file."),
              summary="chain survey: the regulator-style survey of one contractor's consignors")
    async def survey_(request: Request, contractor: str = Query(..., min_length=1, max_length=1000,
                                                                description="Id of the surveyed contractor (委託先)."),
                      source: str | None = source_q, as_of: str | None = as_of_q) -> Response:
        name = source or BODY
        day_ = day(as_of, "as_of")
        fmt, body = await read_body(request)

        def work() -> str:
            chain = chain_from_body(body, fmt, name)
            try:
                result = survey(chain, contractor, as_of=day_)
            except InputError as exc:
                raise as_query_problems(exc) from None
            return to_json(result.to_json_dict())

        return json_answer(await job(work))

    @app.post("/v1/check", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": CheckResult, "description": "check/v2, as `chain check --format json`"},
                         **ERRORS},
              openapi_extra=_check_body(),
              summary="chain check: what a proposed vendor or access grant would change, before it is signed")
    async def check_(request: Request, as_of: str | None = as_of_q,
                     source: str | None = Query(None, max_length=1000, description="The chain's name in problems "
                                                                                  "(default `chain`).")) -> Response:
        day_ = day(as_of, "as_of")
        fmt, body = await read_body(request)

        def work() -> str:
            chain, proposal, name, lines = envelope(body, fmt, source or "chain", settings.yaml_limit,
                                                    settings.max_body)
            result = check(chain, proposal, name, lines, as_of=day_)
            return to_json(result.to_json_dict())

        return json_answer(await job(work))

    @app.post("/v1/breach", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": BreachReport, "description": "breach/v1, as `chain breach --format json`"},
                         **ERRORS, **DATABASE},
              openapi_extra=_chain_body("The chain file."),
              summary="chain breach: when a handler leaks, who must report, about how many people, by when")
    async def breach_(
        request: Request,
        handler: str = Query(..., min_length=1, max_length=1000, description="Id of the organisation that leaked "
                                                                             "(取扱者)."),
        start: str | None = Query(None, alias="from", description="First day of the window in which it could "
                                                                  "reach the data (a month or a year: its first day)."),
        end: str | None = Query(None, alias="to", description="Last day of the window (a month or a year: its "
                                                              "last day)."),
        systems: list[str] | None = Query(None, description="Judge each route by its paths through these systems "
                                                            "only (repeat the parameter for several)."),
        known: str | None = Query(None, description="The day the leak became known (事態を知った日), e.g. "
                                                    "2023-10-17: deadlines count from it."),
        intent: Literal["wrongful", "accidental", "unknown"] = Query("unknown", description="Whether the leak was "
                                                                                           "by wrongful intent."),
        as_of: str | None = Query(None, description="Take the records as they stood on this day."),
        backend: Literal["networkx", "neo4j"] | None = backend_q,
        dataset: str | None = dataset_q,
        source: str | None = source_q,
    ) -> Response:
        name = source or BODY
        window = (day(start, "from", first=True), day(end, "to"))
        options = dict(systems=list(systems or ()) or None, known=day(known, "known", first=True, whole_day=KNOWN_DAY),
                       intent=intent, as_of=day(as_of, "as_of"))
        chosen = chosen_backend(backend, dataset)
        fmt, body = await read_body(request)

        def work() -> str:
            chain = chain_from_body(body, fmt, name)
            try:
                check_input(chain, handler, window, **options)  # bad options are 422 before any connection
                if chosen == "neo4j":
                    with store() as connected:
                        result = breach(chain, handler, window, **options,
                                        backend=Neo4jBackend(connected, dataset, source=name))
                else:
                    result = breach(chain, handler, window, **options)
            except InputError as exc:
                raise as_query_problems(exc) from None
            return breach_json(result)

        return json_answer(await job(work))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _finish_openapi(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
