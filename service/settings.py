"""What `chain serve` runs with, checked before anything listens: where it binds, the bearer token,
the body limit, the backends. Plain Python (no FastAPI), so that the command line can refuse a bad
start-up with exit 2 whether or not the `serve` extra is installed.

The token. A service bound to loopback may run without one (only this machine's users reach it);
bound anywhere else it must have one. The token comes from a file (``--token-file``) of the user
the service runs as, not a symbolic link, that nobody but its owner may read or write (mode 0600
or 0400), or from the environment variable
``ENTRUSTMENT_CHAIN_TOKEN``; never from the command line, where ``ps`` and the shell history would
show it. A token is at least 16 visible ASCII characters (``openssl rand -hex 32`` makes one).
When one is configured, every ``/v1/`` endpoint but ``/v1/health`` requires
``Authorization: Bearer <token>``, on loopback too (``/openapi.json`` does not); without one,
only requests for a loopback name are answered (``Host``: DNS rebinding).

The body limit. Bodies over ``--max-body`` (default 16 MiB) are refused with 413 before they are
read in full; the loader's limit of each format (``ENTRUSTMENT_CHAIN_MAX_BYTES``, as for files:
2 MiB for YAML, parsed whole in pure Python at up to about 525 MB per MiB) holds as well, and
the lower of the two binds (:meth:`ServeSettings.binding_limit`). A body has ``--body-timeout``
(default 60 s) to arrive. At most ``2 × --jobs`` requests hold a body at once (read, waiting
for a worker, or worked on). Measured on a 2-core machine with the defaults: 40 connections
stalling after 15 of 16 MiB held the server at 144 MB; four 16 MiB JSON chains of `chain
generate --consignors 3000` (26,013 entrustments) at once peaked at 522 MB, so that `--jobs 2`
keeps a server within about half a gigabyte; the real chains the tool models are far smaller
(ProCX, 69 consignors: 39 KB, answered at once).
"""
from __future__ import annotations

import ipaddress
import os
import stat
from dataclasses import dataclass, field

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.graph.io.loader import max_bytes
from entrustment_chain.graph.neo4j.settings import Settings as Neo4jSettings

TOKEN_ENV = "ENTRUSTMENT_CHAIN_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY = 16 << 20
DEFAULT_JOBS = 2
DEFAULT_BODY_TIMEOUT = 60.0
MAX_BYTES_ENV = "ENTRUSTMENT_CHAIN_MAX_BYTES"
MIN_TOKEN = 16
MAX_TOKEN_FILE = 4096
BACKENDS = ("networkx", "neo4j")
HOW_TO_GIVE_A_TOKEN = (f"give a bearer token in a file only you can read (umask 077; openssl rand -hex 32 > "
                       f"token; chain serve --token-file token) or in the environment variable {TOKEN_ENV}")


@dataclass(frozen=True)
class ServeSettings:
    """A checked configuration of the service (make one with :func:`resolve`)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = field(default=None, repr=False)  # never shown
    max_body: int = DEFAULT_MAX_BODY
    backend: str = "networkx"  # the backend of requests that name none
    neo4j: Neo4jSettings | None = None  # set when the service may use Neo4j (--backend neo4j)
    jobs: int = DEFAULT_JOBS  # analyses run at once; further requests wait their turn
    yaml_limit: int = 2 << 20  # the loader's YAML limit (ENTRUSTMENT_CHAIN_MAX_BYTES)
    json_limit: int = 2 << 30  # the loader's JSON limit
    body_timeout: float = DEFAULT_BODY_TIMEOUT  # seconds for a body to arrive in full (408 after)

    def body_limit(self, fmt: str) -> int:
        """The most bytes a body of this format ("json" or "yaml") may have."""
        return self.binding_limit(fmt)[0]

    def binding_limit(self, fmt: str) -> tuple[int, str]:
        """The limit of a body of this format and what sets it: ``--max-body``, or the loader's
        limit of the format (``ENTRUSTMENT_CHAIN_MAX_BYTES``) when that is lower."""
        loader = self.yaml_limit if fmt == "yaml" else self.json_limit
        return (self.max_body, "--max-body") if self.max_body <= loader else (loader, MAX_BYTES_ENV)

    @property
    def admitted(self) -> int:
        """Requests that may hold a body at once (reading it, waiting for a worker, or worked on):
        twice ``jobs``, so that the next bodies arrive while the workers work. Others wait
        before their body is read."""
        return 2 * self.jobs

    @property
    def backends(self) -> tuple[str, ...]:
        return BACKENDS if self.neo4j is not None else ("networkx",)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` reaches this machine only: ``localhost``, 127.0.0.0/8, ::1."""
    name = host.strip("[]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def read_token_file(path: str) -> str:
    """The token in ``path``: a regular file of the user the service runs as, not a symbolic link,
    that no one but its owner may read or write, of at most 4 KiB; surrounding whitespace (a
    trailing newline) is not part of the token."""
    from entrustment_chain.graph.io.loader import open_regular

    name = "--token-file"

    def refuse(message: str) -> InputError:
        return InputError([Problem(name, None, "", f"{path} {message}")])

    try:
        link = os.lstat(path)
    except (OSError, ValueError) as exc:
        raise refuse(f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISLNK(link.st_mode):
        raise refuse("is a symbolic link; give the token file itself (whoever may change the link, or a "
                     "folder on its way, could point it at another token)")
    with open_regular(path, path) as handle:
        st = os.fstat(handle.fileno())
        if (st.st_dev, st.st_ino) != (link.st_dev, link.st_ino):
            raise refuse("was replaced while it was read; give it again")
        if st.st_uid != os.geteuid():
            raise refuse(f"belongs to another user (uid {st.st_uid}), not to the user the service runs as "
                         f"(uid {os.geteuid()}), who could change it; make it that user's own: chown, or write "
                         "a new one (umask 077; openssl rand -hex 32 > token)")
        mode = st.st_mode
        if mode & 0o077:
            raise refuse(f"may be read or written by others than its owner (mode {stat.S_IMODE(mode):04o}); "
                         f"make it private: chmod 600 {path}")
        raw = handle.read(MAX_TOKEN_FILE + 1)
    if len(raw) > MAX_TOKEN_FILE:
        raise refuse(f"is over {MAX_TOKEN_FILE} bytes; it should hold the token alone")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise refuse("is not ASCII text; a token is visible ASCII (openssl rand -hex 32)") from None
    return check_token(text.strip(), f"the token in {path}", name)


def check_token(token: str, what: str, where: str) -> str:
    if len(token) < MIN_TOKEN or not all(33 <= ord(c) <= 126 for c in token):
        raise InputError([Problem(where, None, "", f"{what} must be at least {MIN_TOKEN} visible ASCII characters "
                                  "without spaces (openssl rand -hex 32 makes one)")])
    return token


def resolve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token_file: str | None = None,
            max_body: int = DEFAULT_MAX_BODY, backend: str = "networkx", jobs: int = DEFAULT_JOBS,
            neo4j: Neo4jSettings | None = None, environ: dict[str, str] | None = None,
            body_timeout: float = DEFAULT_BODY_TIMEOUT) -> ServeSettings:
    """Check a configuration; an :class:`InputError` says what is wrong and how to fix it. The
    token is read from ``token_file``, else from ``ENTRUSTMENT_CHAIN_TOKEN``; a host other than
    loopback without a token is refused. ``neo4j`` (the connection settings) is needed for the
    neo4j backend, and its URI is checked here, before anything is dialled."""
    env = os.environ if environ is None else environ
    problems = []
    if not host:
        problems.append(Problem("--host", None, "", "is empty; give an address to listen on, e.g. 127.0.0.1"))
    if not 1 <= port <= 65535:
        problems.append(Problem("--port", None, "", f"{port} is not a port in 1–65535"))
    if max_body < 1:
        problems.append(Problem("--max-body", None, "", f"{max_body} is not a number of bytes (at least 1)"))
    if jobs < 1:
        problems.append(Problem("--jobs", None, "", f"{jobs} is not a number of analyses at once (at least 1)"))
    if not 0 < body_timeout <= 86400:
        problems.append(Problem("--body-timeout", None, "", f"{body_timeout} is not a number of seconds in "
                                "(0, 86400]"))
    if backend not in BACKENDS:
        problems.append(Problem("--backend", None, "", f"{backend!r} is not one of {', '.join(BACKENDS)}"))
    if problems:
        raise InputError(problems)
    if token_file is not None:
        token: str | None = read_token_file(token_file)
    elif env.get(TOKEN_ENV) is not None:
        token = check_token(env[TOKEN_ENV].strip(), f"the token in {TOKEN_ENV}", TOKEN_ENV)
    else:
        token = None
    if token is None and not is_loopback(host):
        raise InputError([Problem("--host", None, "", f"{host} is not a loopback address, and anyone who can reach "
                                  f"it could use the service: {HOW_TO_GIVE_A_TOKEN}, or listen on 127.0.0.1 "
                                  "behind a reverse proxy")])
    if backend == "neo4j":
        if neo4j is None:
            neo4j = Neo4jSettings.resolve()
        neo4j.address()  # a bad URI is refused now (InputError naming NEO4J_URI / --uri)
    else:
        neo4j = None
    return ServeSettings(host=host.strip("[]") if ":" in host else host, port=port, token=token,
                         max_body=max_body, backend=backend, neo4j=neo4j, jobs=jobs, yaml_limit=max_bytes("yaml"),
                         json_limit=max_bytes("json"), body_timeout=body_timeout)
