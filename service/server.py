"""Run the service with uvicorn on a socket bound here, so that a port in use or an address that
is not this machine's is a message and exit 2, not uvicorn's exit 1 (which means findings here)."""
from __future__ import annotations

import contextlib
import errno
import signal
import socket
import threading
from typing import Callable, Iterator

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.service.settings import ServeSettings

# Connections and requests open at once; uvicorn answers 503 beyond (each connection holds at most
# about 64 KiB of a body it has not been asked for: uvicorn stops reading the socket beyond that).
LIMIT_CONCURRENCY = 100
# After SIGTERM or Ctrl-C: requests in progress have this long to finish (a body still arriving
# has --body-timeout at most); then the rest are cancelled.
GRACE = 60


def address(host: str, port: int) -> str:
    """host:port, an IPv6 address in brackets (once: ``[::1]`` and ``::1`` alike)."""
    bare = host.strip("[]") if host.startswith("[") else host
    return f"[{bare}]:{port}" if ":" in bare else f"{bare}:{port}"


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (an IPv4 or IPv6 address, or a name), not yet listening."""
    where = address(host, port)
    try:
        family, kind, proto, _, bound = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM,
                                                           flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError) as exc:
        raise InputError([Problem("--host", None, "", f"cannot listen on {where}: "
                                  f"{getattr(exc, 'strerror', None) or exc}")]) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(bound)
    except OSError as exc:
        sock.close()
        raise InputError([Problem("--port" if exc.errno == errno.EADDRINUSE else "--host", None, "",
                                  f"cannot listen on {where}: {exc.strerror or exc}")]) from None
    sock.set_inheritable(True)
    return sock


def listen_message(settings: ServeSettings) -> str:
    guard = "bearer token required" if settings.token else "no token: loopback only"
    limits = []
    for fmt in ("json", "yaml"):
        limit, source = settings.binding_limit(fmt)
        limits.append(f"{fmt.upper()} up to {limit:,} bytes ({source})")
    return (f"chain serve: listening on http://{address(settings.host, settings.port)} ({guard}; backend "
            f"{settings.backend}; bodies: {', '.join(limits)}; OpenAPI at /openapi.json)")


def run(settings: ServeSettings, announce: Callable[[str], None] | None = None, log_level: str = "info") -> None:
    """Serve until interrupted (SIGINT, SIGTERM: requests in progress are given GRACE seconds to
    finish), then return (the command exits 0); ``announce`` is given :func:`listen_message`
    once the address is bound."""
    import uvicorn
    from uvicorn.server import HANDLED_SIGNALS

    from entrustment_chain.service.app import create_app

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            """uvicorn's, without raising the signal again after the shutdown: a stop asked for
            and done is exit 0, not death by SIGTERM (143)."""
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            original = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    app = create_app(settings)
    sock = listen(settings.host, settings.port)
    if announce is not None:
        announce(listen_message(settings))
    config = uvicorn.Config(app, log_level=log_level, server_header=False, lifespan="off",
                            # the service does not use the client's address; a proxy's headers are not read
                            proxy_headers=False, limit_concurrency=LIMIT_CONCURRENCY,
                            timeout_graceful_shutdown=GRACE)
    try:
        Server(config).run(sockets=[sock])
    finally:
        sock.close()

