"""Where the Neo4j backend connects, and how long it waits: options, then NEO4J_* variables, then
the local server's password file (kept by scripts/neo4j-local, mode 0600). The password is never
shown.

Timeouts (seconds; options of :meth:`Settings.resolve`, else these variables, else the defaults):

``NEO4J_CONNECTION_TIMEOUT`` (10)
    the longest wait for a usable connection: TCP connect, TLS, the Bolt handshake and the login.
    A server that accepts the connection and stays silent is given up after this.
``NEO4J_TRANSACTION_TIMEOUT`` (300; 0 = no limit)
    the longest one transaction may run, with the driver's retries of transient errors: the
    server is asked to end it after this, and the client gives up on a server that has not
    answered by then (a frozen or unreachable server).
``NEO4J_MAX_RETRY_TIME`` (15)
    how long the driver keeps retrying a transaction that failed with a transient error
    (within the transaction timeout).

The URI is checked before anything is dialled (:meth:`Settings.address`): scheme ``bolt``,
``bolt+s``, ``bolt+ssc``, ``neo4j``, ``neo4j+s`` or ``neo4j+ssc``, a host, a port in 1–65535
(7687 when absent), no user or password in it. A bad URI or timeout is an
:class:`~entrustment_chain.graph.errors.InputError` (exit 2), naming NEO4J_URI / --uri.
"""
from __future__ import annotations

import ipaddress
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from entrustment_chain.graph.errors import InputError, Problem

SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
DEFAULT_PORT = 7687
DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_CONNECTION_TIMEOUT = 10.0
DEFAULT_TRANSACTION_TIMEOUT = 300.0
DEFAULT_MAX_RETRY_TIME = 15.0
URI_SOURCE = "NEO4J_URI / --uri"

_HOST_NAME = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.?", re.UNICODE)
_URI = re.compile(r"(?P<scheme>[^:/?#\s]*)://(?P<netloc>[^/?#]*)(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?"
                  r"(?:#(?P<fragment>.*))?", re.DOTALL)


def state_dir() -> Path:
    base = os.environ.get("ENTRUSTMENT_CHAIN_STATE") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "entrustment-chain")
    return Path(base)


def password_file() -> Path:
    """Where scripts/neo4j-local keeps the local server's password (mode 0600)."""
    return Path(os.environ.get("NEO4J_PASSWORD_FILE") or state_dir() / "neo4j" / "password")


class Address(NamedTuple):
    """A checked Neo4j URI: its scheme, host and port."""

    scheme: str
    host: str
    port: int

    @property
    def encrypted(self) -> bool:
        return self.scheme.endswith(("+s", "+ssc"))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def shown_uri(uri: str) -> str:
    """The URI as messages may show it: any user and password in it replaced by ``…``."""
    match = _URI.fullmatch(uri or "")
    if match and "@" in match["netloc"]:
        return uri.replace(match["netloc"], "…@" + match["netloc"].rsplit("@", 1)[1], 1)
    return uri


def _uri_problem(uri: str, message: str) -> InputError:
    return InputError([Problem(URI_SOURCE, None, "", f"{shown_uri(uri)!r} {message}")])


def parse_uri(uri: str) -> Address:
    """Check a Neo4j URI without dialling anything; an InputError says what is wrong."""
    schemes = ", ".join(f"{s}://" for s in SCHEMES)
    if not isinstance(uri, str) or not uri.strip():
        raise InputError([Problem(URI_SOURCE, None, "", f"is empty; give a Neo4j URI such as {DEFAULT_URI}")])
    if any(ch.isspace() or not ch.isprintable() for ch in uri):
        raise _uri_problem(uri, "contains spaces or control characters")
    match = _URI.fullmatch(uri)
    if match is None:
        raise _uri_problem(uri, f"is not a URI; give scheme://host:port, e.g. {DEFAULT_URI} "
                                f"(schemes: {schemes})")
    scheme = match["scheme"].lower()
    if scheme not in SCHEMES:
        hint = (" (that is Neo4j's HTTP port and API; this tool speaks Bolt, by default on port 7687)"
                if scheme in ("http", "https") else "")
        raise _uri_problem(uri, f"has scheme {match['scheme']!r}, which is not a Neo4j Bolt scheme{hint}; "
                                f"use one of {schemes}")
    netloc = match["netloc"]
    if "@" in netloc:
        raise _uri_problem(uri, "carries a user or password; give them with NEO4J_USERNAME and "
                                "NEO4J_PASSWORD (or the password file) instead")
    if match["path"] not in ("", "/") or match["fragment"] is not None:
        raise _uri_problem(uri, "has a path or fragment after host:port; a Neo4j URI ends at the port "
                                "(choose the database with NEO4J_DATABASE / --database)")
    if match["query"] is not None and not scheme.startswith("neo4j"):
        raise _uri_problem(uri, f"has a query ('?{match['query']}'), which only neo4j:// URIs take "
                                "(a routing context)")
    if netloc.startswith("["):
        host, sep, rest = netloc[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise _uri_problem(uri, "has a malformed [IPv6] host")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise _uri_problem(uri, f"has {host!r} in brackets, which is not an IPv6 address") from None
        port_text = rest[1:] if rest else None
    else:
        host, sep, port_text = netloc.partition(":")
        if ":" in port_text:
            raise _uri_problem(uri, "has more than one ':' in host:port (write IPv6 addresses in "
                                    "brackets, e.g. bolt://[::1]:7687)")
        port_text = port_text if sep else None
        if not host:
            raise _uri_problem(uri, "has no host; give scheme://host:port, e.g. " + DEFAULT_URI)
        if not _HOST_NAME.fullmatch(host) or len(host) > 253:
            raise _uri_problem(uri, f"has host {host!r}, which is not a host name or IP address")
    if port_text is None or port_text == "":
        if port_text == "":
            raise _uri_problem(uri, "has ':' but no port after it")
        port = DEFAULT_PORT
    else:
        if not port_text.isascii() or not port_text.isdigit():
            raise _uri_problem(uri, f"has port {port_text!r}, which is not a number in 1–65535")
        port = int(port_text)
        if not 1 <= port <= 65535:
            raise _uri_problem(uri, f"has port {port}, which is not in 1–65535")
    return Address(scheme, host.lower(), port)


def _seconds(name: str, value: object, default: float, zero_ok: bool) -> float:
    if value is None or value == "":
        return default
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not zero_ok) or seconds > 86400 * 365:
        what = "0 (no limit) or more" if zero_ok else "more than 0"
        raise InputError([Problem(name, None, "", f"{value!r} is not a number of seconds ({what})")])
    return seconds


@dataclass(frozen=True)
class Settings:
    uri: str
    username: str
    password: str | None
    database: str
    connection_timeout: float = DEFAULT_CONNECTION_TIMEOUT
    transaction_timeout: float = DEFAULT_TRANSACTION_TIMEOUT  # 0: no limit
    max_retry_time: float = DEFAULT_MAX_RETRY_TIME

    @classmethod
    def resolve(cls, uri: str | None = None, username: str | None = None, database: str | None = None,
                password: str | None = None, connection_timeout: float | None = None,
                transaction_timeout: float | None = None, max_retry_time: float | None = None) -> "Settings":
        """Options, then NEO4J_* variables, then the local server's password file and the
        defaults. Timeouts that are not numbers of seconds are refused (InputError)."""
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        if password is None:
            path = password_file()
            if path.is_file():
                password = path.read_text(encoding="utf-8").strip()
        env = os.environ.get
        return cls(
            uri=uri or env("NEO4J_URI") or DEFAULT_URI,
            username=username or env("NEO4J_USERNAME") or "neo4j",
            password=password, database=database or env("NEO4J_DATABASE") or "neo4j",
            connection_timeout=_seconds(
                "NEO4J_CONNECTION_TIMEOUT", connection_timeout if connection_timeout is not None
                else env("NEO4J_CONNECTION_TIMEOUT"), DEFAULT_CONNECTION_TIMEOUT, zero_ok=False),
            transaction_timeout=_seconds(
                "NEO4J_TRANSACTION_TIMEOUT", transaction_timeout if transaction_timeout is not None
                else env("NEO4J_TRANSACTION_TIMEOUT"), DEFAULT_TRANSACTION_TIMEOUT, zero_ok=True),
            max_retry_time=_seconds(
                "NEO4J_MAX_RETRY_TIME", max_retry_time if max_retry_time is not None
                else env("NEO4J_MAX_RETRY_TIME"), DEFAULT_MAX_RETRY_TIME, zero_ok=True))

    def address(self) -> Address:
        """The checked URI (InputError naming NEO4J_URI / --uri when it is not a Neo4j URI)."""
        return parse_uri(self.uri)

    @property
    def shown_uri(self) -> str:
        return shown_uri(self.uri)

    def __repr__(self) -> str:  # never show the password
        return (f"Settings(uri={self.shown_uri!r}, username={self.username!r}, database={self.database!r}, "
                f"connection_timeout={self.connection_timeout:g}, transaction_timeout={self.transaction_timeout:g},"
                f" max_retry_time={self.max_retry_time:g})")
