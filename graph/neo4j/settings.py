"""Where the Neo4j backend connects: options, then NEO4J_* variables, then the local server's
password file (kept by scripts/neo4j-local, mode 0600). The password is never shown."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def state_dir() -> Path:
    base = os.environ.get("ENTRUSTMENT_CHAIN_STATE") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "entrustment-chain")
    return Path(base)


def password_file() -> Path:
    """Where scripts/neo4j-local keeps the local server's password (mode 0600)."""
    return Path(os.environ.get("NEO4J_PASSWORD_FILE") or state_dir() / "neo4j" / "password")


@dataclass(frozen=True)
class Settings:
    uri: str
    username: str
    password: str | None
    database: str

    @classmethod
    def resolve(cls, uri: str | None = None, username: str | None = None, database: str | None = None,
                password: str | None = None) -> "Settings":
        """Options, then NEO4J_* variables, then the local server's password file."""
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        if password is None:
            path = password_file()
            if path.is_file():
                password = path.read_text(encoding="utf-8").strip()
        return cls(uri=uri or os.environ.get("NEO4J_URI") or "bolt://127.0.0.1:7687",
                   username=username or os.environ.get("NEO4J_USERNAME") or "neo4j",
                   password=password, database=database or os.environ.get("NEO4J_DATABASE") or "neo4j")

    def __repr__(self) -> str:  # never show the password
        return f"Settings(uri={self.uri!r}, username={self.username!r}, database={self.database!r})"
