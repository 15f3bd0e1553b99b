"""Run the service with uvicorn on a socket bound here, so that a port in use or an address that
is not this machine's is a message and exit 2, not uvicorn's exit 1 (which means findings here)."""
from __future__ import annotations

import errno
import socket
from typing import Callable

from entrustment_chain.graph.errors import InputError, Problem
from entrustment_chain.service.settings import ServeSettings


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (an IPv4 or IPv6 address, or a name), not yet listening."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError) as exc:
        raise InputError([Problem("--host", None, "", f"cannot listen on {where}: "
                                  f"{getattr(exc, 'strerror', None) or exc}")]) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError([Problem("--port" if exc.errno == errno.EADDRINUSE else "--host", None, "",
                                  f"cannot listen on {where}: {exc.strerror or exc}")]) from None
    sock.set_inheritable(True)
    return sock


def listen_message(settings: ServeSettings) -> str:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    guard = "bearer token required" if settings.token else "no token: loopback only"
    return (f"chain serve: listening on http://{host}:{settings.port} ({guard}; backend {settings.backend}; "
            f"bodies up to {settings.max_body:,} bytes; OpenAPI at /openapi.json)")


def run(settings: ServeSettings, announce: Callable[[str], None] | None = None, log_level: str = "info") -> None:
    """Serve until interrupted (SIGINT, SIGTERM: requests in progress are finished first);
    ``announce`` is given :func:`listen_message` once the address is bound."""
    import uvicorn

    from entrustment_chain.service.app import create_app

    app = create_app(settings)
    sock = listen(settings.host, settings.port)
    if announce is not None:
        announce(listen_message(settings))
    config = uvicorn.Config(app, log_level=log_level, server_header=False, lifespan="off",
                            # the service does not use the client's address; a proxy's headers are not read
                            proxy_headers=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
