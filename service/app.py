"""The HTTP service: ``create_app(settings)`` makes the FastAPI application `chain serve` runs.

Each endpoint is a command of the CLI over HTTP, and answers with the document that command's
``--format json`` writes for the same input and options: the same models, the same
``to_json_dict()``, byte for byte the same text (``Analysis.write_json`` for analyze). The body
is the chain file itself, YAML or JSON by its Content-Type; ``/v1/check`` takes an envelope
``{chain, proposal}``. Options are query parameters named as the CLI's options are.

Work is CPU-bound: bodies are read on the event loop (after the token is checked, at most
``2 × jobs`` at once, counted against the limit as they arrive, within ``body_timeout``), then
the chain is read and analysed in a worker thread, at most ``jobs`` at once, so that the service
keeps answering while it works. Requests on one Neo4j dataset take their turns (loading and
reading it), and a dataset holding another chain is not replaced unless asked (``replace``).
Errors are problem documents (RFC 9457): 400 for a Host header other than loopback's on a server
without a token, 401 without the token, 408 for a body that did not arrive in time, 409 for a
dataset holding another chain, 413 over the body limit, 415 for another Content-Type or a
Content-Encoding, 422 for invalid input with every problem (file, line, field, message — what
``chain validate`` prints; an unknown query parameter too), 503 when Neo4j fails (the library's
message), 500 for anything else, without a traceback (that goes to the server's log).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import http
import re
import tempfile
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Iterator, Literal, Sequence

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from entrustment_chain import __version__
from entrustment_chain.graph.analysis.breach import BreachReport, breach, check_input
from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.analysis.findings import FindingsDocument
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
from entrustment_chain.graph.schema import chain_version
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
    host_name,
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
or JSON (`application/json`), UTF-8, without a Content-Encoding (415). `/v1/check` takes
`{"chain": …, "proposal": …}`, each a mapping or the text of a file in a string. Bodies over the
server's limit are refused with 413 before they are read in full; YAML bodies also keep YAML's
own limit (2 MiB by default), and so does a text in `/v1/check` read as YAML (the proposal's
always). A body that has not arrived in full within the server's `--body-timeout` is 408.

**Query parameters** are the command's options; one the endpoint does not take is a 422 that
names it (`file` is `query`).

**Errors** are `application/problem+json`. Invalid input is 422 with `problems[]`: each with
`file` (the chain's name: the `source` parameter, `<body>` by default; `chain` or `proposal` in a
check; `query` for a query parameter), `line` (in the body), `field` and `message`, and `text`,
the line `chain validate` prints.

**Auth.** When the server has a token, every endpoint but `/v1/health` and this document
(`/openapi.json`) needs `Authorization: Bearer <token>` (401 otherwise). A server without a token
listens on loopback only and answers only requests addressed to it there (`Host` 127.0.0.1,
localhost, [::1] or its own address, any port; 400 otherwise), so that a web page cannot reach it
through a name of its own (DNS rebinding).

**Neo4j.** `backend=neo4j` (on a server started with `--backend neo4j`) with a `dataset` loads the
chain as that dataset (a no-op when that version is loaded already; with `as_of`, as
`NAME@as-of:DAY`) and analyses it there. A dataset that holds another chain is not replaced: 409, unless the request says
`replace=true`. Requests on one dataset take their turns.
"""


class Unauthorized(Exception):
    pass


class Unsupported(Exception):
    pass


class Encoded(Exception):
    """A body with a Content-Encoding (gzip …): not decoded here (415)."""


class BodyTimeout(Exception):
    """The body did not arrive in full within the server's body timeout (408)."""


class Disconnected(Exception):
    """The client went away before its body ended: nobody to answer."""


class DatasetInUse(Exception):
    """The Neo4j dataset holds another chain, and the request did not ask to replace it (409)."""

    def __init__(self, dataset: str, version: str | None):
        super().__init__(dataset)
        self.dataset = dataset
        self.version = version


class GuardedStore(Neo4jStore):
    """The service's connection: loading a chain into a dataset that holds another version is
    refused (:class:`DatasetInUse`) unless ``replace``. The check is on every load the backend
    makes, so it holds for the dataset the backend chooses (``NAME@as-of:DAY`` for a request
    with ``as_of``) as for the one named."""

    def __init__(self, settings: Any, replace: bool):
        super().__init__(settings)
        self.replace = replace

    def load(self, chain: ChainFile, dataset: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not self.replace:
            state = self.dataset_state(dataset)
            if state is not None and state.get("version") != chain_version(chain):
                raise DatasetInUse(dataset, state.get("version"))
        return super().load(chain, dataset, *args, **kwargs)


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
    handle.seek(0)
    while data := handle.read(CHUNK):
        yield data


class SpooledAnswer(StreamingResponse):
    """An answer written whole to a spooled temporary file, sent chunk by chunk; the file is closed
    when the answer ends, sent or not (a client that goes away mid-answer left it open until a
    later collection)."""

    def __init__(self, out: "_Utf8Writer"):
        super().__init__(_chunks(out.file), media_type="application/json",
                         headers={"Content-Length": str(out.size)})
        self.handle = out.file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.handle.close()


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
    400: {"model": ErrorDocument, "description": "A server without a token: the Host header is not loopback's "
                                                 "(127.0.0.1, localhost, [::1] or the server's address)."},
    401: {"model": ErrorDocument, "description": "The server has a token and the request did not give it "
                                                 "(Authorization: Bearer <token>)."},
    408: {"model": ErrorDocument, "description": "The body did not arrive in full within the server's "
                                                 "--body-timeout."},
    413: {"model": ErrorDocument, "description": "The body is over the server's limit (refused before it is "
                                                 "read in full)."},
    415: {"model": ErrorDocument, "description": "The Content-Type is not JSON or YAML, or the body has a "
                                                 "Content-Encoding."},
    422: {"model": ErrorDocument, "description": "Invalid input: every problem, with file, line, field and "
                                                 "message (an unknown query parameter too)."},
    500: {"model": ErrorDocument, "description": "An internal error (the server's log has the details)."},
}
DATABASE: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorDocument, "description": "backend=neo4j: the dataset holds another chain (replace=true "
                                                 "replaces it)."},
    503: {"model": ErrorDocument, "description": "Neo4j could not be reached or failed; the detail says what to "
                                                 "check."}}
# the errors of a request without a body (GET)
NO_BODY = (400, 401, 422, 500)


def errors(token: bool, statuses: Sequence[int] | None = None) -> dict[int | str, dict[str, Any]]:
    """The error answers of an endpoint: 401 on a server with a token, 400 (the Host) on one without."""
    chosen = {status: answer for status, answer in ERRORS.items()
              if statuses is None or status in statuses}
    chosen.pop(400 if token else 401, None)
    return chosen


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
        if name in components:  # the documents the endpoints answer with (not every one the CLI writes)
            pin_version(components[name], version)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in "45" and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    return schema


# ---------------------------------------------------------------------------------------------
# Requests: their Host, their query parameters

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class LoopbackOnly:
    """ASGI middleware of a server without a token: a request whose Host is not a loopback name
    (127.0.0.1, localhost, [::1], or the address the server is bound to; any port) is a 400.
    A page elsewhere cannot then reach the service through a name it controls that resolves to
    127.0.0.1 (DNS rebinding): the browser sends that name."""

    def __init__(self, app: ASGIApp, bound: str):
        self.app = app
        bound = bound.strip("[]").lower()
        self.allowed = frozenset(LOOPBACK_NAMES) | {f"[{bound}]" if ":" in bound else bound}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = Headers(scope=scope).get("host")
            if host_name(given) not in self.allowed:
                answer = problem_response(
                    400, "bad host",
                    f"this service has no token and answers only requests to {', '.join(sorted(self.allowed))} "
                    f"(Host: {given[:200] if given else 'none'}); to serve other names, give it a token and put it behind a "
                    "reverse proxy (docs/serve.md)", headers={"Connection": "close"})
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _query_names(route: Any) -> tuple[str, ...]:
    """The query parameters a route declares (their names in the URL: ``from``, ``as_of`` …)."""
    cached = getattr(route, "_query_names", None)
    if cached is None:
        names: dict[str, None] = {}
        todo = [route.dependant]
        while todo:  # the endpoint's parameters and its dependencies'
            dependant = todo.pop()
            names.update(dict.fromkeys(p.alias for p in dependant.query_params))
            todo.extend(dependant.dependencies)
        cached = tuple(sorted(names))
        route._query_names = cached
    return cached


def known_query(request: Request) -> None:
    """A dependency of every endpoint: a query parameter the endpoint does not take is a 422 that
    names it and those it takes (``as-of`` was analysed as of today, silently)."""
    route = request.scope.get("route")
    if route is None:
        return
    known = _query_names(route)
    problems = []
    for name in dict.fromkeys(request.query_params.keys()):
        if name in known:
            continue
        near = _SNAKE.sub("_", name).replace("-", "_").lower()
        hint = f"; did you mean {near}?" if near in known and near != name else ""
        takes = f"takes {', '.join(known)}" if known else "takes none"
        problems.append(Problem(QUERY, None, name, f"unknown query parameter {name!r}{hint} ({request.url.path} "
                                f"{takes})"))
    if problems:
        raise InputError(problems)


# ---------------------------------------------------------------------------------------------
# The application


def create_app(settings: ServeSettings) -> FastAPI:
    """The service for ``settings`` (:func:`entrustment_chain.service.settings.resolve` checks them)."""
    app = FastAPI(title="entrustment-chain", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    if settings.token is None:
        app.add_middleware(LoopbackOnly, bound=settings.host)
    # made on first use, inside the event loop: workers (jobs) and bodies held (admitted)
    limiters: dict[str, anyio.CapacityLimiter] = {}
    dataset_locks: dict[str, list[Any]] = {}  # dataset -> [lock, requests holding or awaiting it]
    bearer = HTTPBearer(auto_error=False, description="The token the server was started with.")
    token_digest = hashlib.sha256(settings.token.encode()).digest() if settings.token else None
    has_token = token_digest is not None

    def authorized(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if token_digest is None:
            return
        given = credentials.credentials.strip() if credentials is not None else ""
        # compared in constant time, over digests so that the length is not told either
        if not hmac.compare_digest(hashlib.sha256(given.encode("utf-8", "surrogateescape")).digest(), token_digest):
            raise Unauthorized()

    checked = [Depends(known_query)]
    guarded = ([Depends(authorized)] if has_token else []) + checked
    body_errors = errors(has_token)

    def limiter(name: str, size: int) -> anyio.CapacityLimiter:
        if name not in limiters:
            limiters[name] = anyio.CapacityLimiter(size)
        return limiters[name]

    async def job(fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=limiter("jobs", settings.jobs))

    def body_head(request: Request) -> tuple[str, int, str]:
        """The body's format and its limit, from the headers alone: 415 for another Content-Type
        or a Content-Encoding, 413 for a Content-Length over the limit."""
        encoding = request.headers.get("content-encoding")
        if encoding is not None and encoding.strip().lower() not in ("", "identity"):
            raise Encoded(encoding)
        fmt = body_format(request.headers.get("content-type"))
        if fmt is None:
            raise Unsupported(request.headers.get("content-type"))
        limit, source = settings.binding_limit(fmt)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(fmt, limit, source)  # refused before a byte of it is read
        return fmt, limit, source

    async def read_body(request: Request, fmt: str, limit: int, source: str) -> bytes:
        chunks, total = [], 0
        try:
            with anyio.fail_after(settings.body_timeout):
                async for chunk in request.stream():
                    total += len(chunk)
                    if total > limit:  # a body without Content-Length, or longer than it said
                        raise too_large(fmt, limit, source)
                    chunks.append(chunk)
        except TimeoutError:
            raise BodyTimeout() from None
        except ClientDisconnect:
            raise Disconnected() from None
        return b"".join(chunks)

    @asynccontextmanager
    async def turn(dataset: str | None) -> AsyncIterator[None]:
        """The dataset's turn: requests on one Neo4j dataset load and read it one after another."""
        if dataset is None:
            yield
            return
        entry = dataset_locks.setdefault(dataset, [anyio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del dataset_locks[dataset]

    async def with_body(request: Request, work: Callable[[str, bytes], Any], dataset: str | None = None) -> Any:
        """Read the body and run ``work(fmt, body)`` in a worker. At most ``settings.admitted``
        requests hold a body at once (others wait here, their bodies unread); a body must arrive
        within the body timeout; a Neo4j request waits for its dataset's turn."""
        fmt, limit, source = body_head(request)
        async with limiter("admitted", settings.admitted):
            body = await read_body(request, fmt, limit, source)
            async with turn(dataset):
                return await job(work, fmt, body)

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

    def store(replace: bool) -> GuardedStore:
        """A connection whose loads refuse a dataset holding another chain (409) unless
        ``replace`` (the same version is not loaded again)."""
        assert settings.neo4j is not None
        return GuardedStore(settings.neo4j, replace)

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

    @app.exception_handler(BodyTimeout)
    async def too_slow(request: Request, exc: BodyTimeout) -> Response:
        return problem_response(408, "request timeout", f"the body did not arrive in full within "
                                f"{settings.body_timeout:g} s (chain serve --body-timeout)",
                                headers={"Connection": "close"})

    @app.exception_handler(Disconnected)
    async def gone(request: Request, exc: Disconnected) -> Response:
        # the client went away: this answer reaches no one, and nothing went wrong here
        return Response(status_code=400, headers={"Connection": "close"})

    @app.exception_handler(Unsupported)
    async def unsupported(request: Request, exc: Unsupported) -> Response:
        given = exc.args[0] or "none"
        return problem_response(415, "unsupported media type",
                                f"the body is a chain file, JSON or YAML: Content-Type {', '.join(MEDIA_TYPES)} "
                                f"(given: {given})")

    @app.exception_handler(Encoded)
    async def encoded(request: Request, exc: Encoded) -> Response:
        return problem_response(415, "unsupported media type",
                                f"the body is not decoded here: send it without Content-Encoding (given: "
                                f"{exc.args[0]})", headers={"Connection": "close"})

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized) -> Response:
        return problem_response(401, "unauthorized", "this service needs its token: Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": 'Bearer realm="entrustment-chain"'})

    @app.exception_handler(DatasetInUse)
    async def in_use(request: Request, exc: DatasetInUse) -> Response:
        version = f" (version {exc.version[:12]})" if exc.version else ""
        return problem_response(409, "dataset holds another chain",
                                f"the Neo4j dataset {exc.dataset!r} holds another chain{version}; it is not "
                                "replaced unless asked: give this chain a dataset of its own, or add replace=true "
                                "to the query to replace it (requests with the other chain then get 409 in turn)")

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
    replace_q = Query(False, description="With backend=neo4j: replace the dataset when it holds another chain "
                                         "(without it, that is a 409).")

    @app.get("/v1/health", response_model=Health, tags=["service"], dependencies=checked,
             responses=errors(has_token, (400, 422)),
             summary="Is the service up (no token needed; does not reach Neo4j)")
    async def health() -> Health:
        return Health(version=__version__, backends=[settings.backend] + [b for b in settings.backends
                                                                        if b != settings.backend])

    @app.get("/v1/rules", response_model=list[RuleInfo], tags=["service"], dependencies=guarded,
             responses=errors(has_token, NO_BODY), summary="The rules findings come from (the registry)")
    async def rules() -> list[RuleInfo]:
        return [RuleInfo(id=r.id, per=r.per.value, severity=r.severity.value, title_en=r.title_en,
                         title_ja=r.title_ja, when_en=r.when_en, when_ja=r.when_ja) for r in RULES.values()]

    @app.post("/v1/validate", response_model=ValidationResult, tags=["chain"], dependencies=guarded,
              responses=body_errors, openapi_extra=_chain_body("The chain file."),
              summary="chain validate: every problem at once, with file, line and field")
    async def validate(request: Request, source: str | None = source_q) -> ValidationResult:
        name = source or BODY

        def work(fmt: str, body: bytes) -> ValidationResult:
            chain = chain_from_body(body, fmt, name)
            counts = ValidationCounts(organizations=len(chain.organizations), systems=len(chain.systems),
                                      entrustments=len(chain.entrustments), access=len(chain.access))
            text = (f"{name}: valid ({_count(counts.organizations, 'organization')}, "
                    f"{_count(counts.systems, 'system')}, {_count(counts.entrustments, 'entrustment')}, "
                    f"{_count(counts.access, 'access grant')})")
            return ValidationResult(source=name, counts=counts, text=text)

        return await with_body(request, work)

    @app.post("/v1/analyze", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": FindingsDocument,
                               "description": "findings/v2, as `chain analyze --format json`"},
                         **body_errors, **DATABASE},
              openapi_extra=_chain_body("The chain file."),
              summary="chain analyze: undisclosed and unapproved handlers, who could not supervise, weak contracts")
    async def analyze_(request: Request, source: str | None = source_q, as_of: str | None = as_of_q,
                       backend: Literal["networkx", "neo4j"] | None = backend_q,
                       dataset: str | None = dataset_q, replace: bool = replace_q,
                       messages: bool = Query(False, description="Add each finding's messages and each window's "
                                                                 "wareki, as `--messages`."),
                       summary_only: bool = Query(False, description="Leave out the findings and the exposure, as "
                                                                     "`--summary-only`.")) -> Response:
        name = source or BODY
        day_ = day(as_of, "as_of")
        chosen = chosen_backend(backend, dataset)

        def work(fmt: str, body: bytes) -> _Utf8Writer:
            chain = chain_from_body(body, fmt, name)
            if chosen == "neo4j":
                assert dataset is not None
                with store(replace) as connected:
                    result = analyze(chain, Neo4jBackend(connected, dataset, source=name), source=name, as_of=day_)
            else:
                result = analyze(chain, source=name, as_of=day_)
            out = _Utf8Writer()
            try:
                # finding by finding, as the CLI writes it
                result.write_json(out, messages=messages, summary_only=summary_only)
            except BaseException:
                out.file.close()
                raise
            return out

        out = await with_body(request, work, dataset if chosen == "neo4j" else None)
        return SpooledAnswer(out)

    @app.post("/v1/survey", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": Survey, "description": "survey/v1, as `chain survey --format json`"},
                         **body_errors},
              openapi_extra=_chain_body("The chain file."),
              summary="chain survey: the regulator-style survey of one contractor's consignors")
    async def survey_(request: Request, contractor: str = Query(..., min_length=1, max_length=1000,
                                                                description="Id of the surveyed contractor (委託先)."),
                      source: str | None = source_q, as_of: str | None = as_of_q) -> Response:
        name = source or BODY
        day_ = day(as_of, "as_of")

        def work(fmt: str, body: bytes) -> str:
            chain = chain_from_body(body, fmt, name)
            try:
                result = survey(chain, contractor, as_of=day_)
            except InputError as exc:
                raise as_query_problems(exc) from None
            return to_json(result.to_json_dict())

        return json_answer(await with_body(request, work))

    @app.post("/v1/check", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": CheckResult, "description": "check/v2, as `chain check --format json`"},
                         **body_errors},
              openapi_extra=_check_body(),
              summary="chain check: what a proposed vendor or access grant would change, before it is signed")
    async def check_(request: Request, as_of: str | None = as_of_q,
                     source: str | None = Query(None, max_length=1000, description="The chain's name in problems "
                                                                                  "(default `chain`).")) -> Response:
        day_ = day(as_of, "as_of")
        yaml_limit, yaml_source = settings.yaml_limit, "ENTRUSTMENT_CHAIN_MAX_BYTES"

        def work(fmt: str, body: bytes) -> str:
            chain, proposal, name, lines = envelope(body, fmt, source or "chain", yaml_limit, yaml_source)
            result = check(chain, proposal, name, lines, as_of=day_)
            return to_json(result.to_json_dict())

        return json_answer(await with_body(request, work))

    @app.post("/v1/breach", response_model=None, tags=["chain"], dependencies=guarded,
              responses={200: {"model": BreachReport, "description": "breach/v1, as `chain breach --format json`"},
                         **body_errors, **DATABASE},
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
        replace: bool = replace_q,
        source: str | None = source_q,
    ) -> Response:
        name = source or BODY
        window = (day(start, "from", first=True), day(end, "to"))
        options = dict(systems=list(systems or ()) or None, known=day(known, "known", first=True, whole_day=KNOWN_DAY),
                       intent=intent, as_of=day(as_of, "as_of"))
        chosen = chosen_backend(backend, dataset)

        def work(fmt: str, body: bytes) -> str:
            chain = chain_from_body(body, fmt, name)
            try:
                check_input(chain, handler, window, **options)  # bad options are 422 before any connection
                if chosen == "neo4j":
                    assert dataset is not None
                    with store(replace) as connected:
                        result = breach(chain, handler, window, **options,
                                        backend=Neo4jBackend(connected, dataset, source=name))
                else:
                    result = breach(chain, handler, window, **options)
            except InputError as exc:
                raise as_query_problems(exc) from None
            return breach_json(result)

        return json_answer(await with_body(request, work, dataset if chosen == "neo4j" else None))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _finish_openapi(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
