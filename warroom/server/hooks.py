"""Alert hooks: one secret per alert source, made by ``warroom hook add``, never a responder token.

A hook is a name (the actor of everything it records, e.g. ``alertmanager``), a kind
(which payload shape it sends) and a secret. The secret travels in the URL the
operator pastes into Alertmanager or Grafana (both can send a bearer header too,
but every sender can send a URL), so like a token it is ``whk_`` plus 32 random bytes,
shown once, and only its SHA-256 is stored beside the tokens in the server database
(SQLite here, PostgreSQL in ``pghooks``: the same statements, one table).
Hooks and tokens are separate tables: a hook secret is refused on ``/api`` and a
token is refused on ``/hooks``.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from warroom.alerts.payload import KINDS
from warroom.incident.events import canonical_handle, valid_handle

from .db import connect, init_db
from .tokens import MAX_TOKEN_LENGTH, _now, hash_token

HOOK_PREFIX = "whk_"

SCHEMA = """
CREATE TABLE IF NOT EXISTS hooks (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


@dataclass(frozen=True, slots=True)
class HookInfo:
    id: str
    name: str
    kind: str
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "created_at": self.created_at, "revoked_at": self.revoked_at}


def hook_path(secret: str) -> str:
    """The path a hook posts to (the secret is the credential)."""
    return f"/hooks/{secret}"


class HookBook:
    """The hooks table of one server database. Every statement goes through ``_rows``
    (``?`` placeholders), so the PostgreSQL book only says how to run one."""

    def __init__(self, path: Path):
        self.path = Path(path)
        init_db(self.path)
        self._conn: sqlite3.Connection | None = None
        self._db().executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
        return self._conn

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._db().execute(sql, params).fetchall()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def add(self, name: str, kind: str = "alertmanager") -> tuple[HookInfo, str]:
        """Make a hook; returns its record and the secret (shown once)."""
        if not valid_handle(name):
            raise ValueError(f"bad hook name {name!r}: use up to 40 letters, digits, '.', '_' or '-' (it is the actor on the timeline)")
        if kind not in KINDS:
            raise ValueError(f"bad hook kind {kind!r}: one of {', '.join(KINDS)}")
        name = canonical_handle(name)  # the actor it records as, as the log spells handles
        secret = HOOK_PREFIX + secrets.token_urlsafe(32)
        info = HookInfo(id=f"hook_{secrets.token_hex(4)}", name=name, kind=kind, created_at=_now(), revoked_at=None)
        self._rows(
            "INSERT INTO hooks (id, name, kind, hash, created_at) VALUES (?, ?, ?, ?, ?)",
            (info.id, info.name, info.kind, hash_token(secret), info.created_at),
        )
        return info, secret

    def list(self) -> list[HookInfo]:
        return [HookInfo(*row) for row in self._rows("SELECT id, name, kind, created_at, revoked_at FROM hooks ORDER BY created_at, id")]

    def revoke(self, name_or_id: str) -> list[HookInfo]:
        """Revoke the hook with this id, or every active hook with this name; returns what was revoked."""
        when = _now()
        rows = self._rows(
            "UPDATE hooks SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL RETURNING id, name, kind, created_at",
            (when, name_or_id, name_or_id),
        )
        return sorted((HookInfo(id=r[0], name=r[1], kind=r[2], created_at=r[3], revoked_at=when) for r in rows), key=lambda h: (h.created_at, h.id))

    def lookup(self, secret: str) -> HookInfo | None:
        """The active hook this secret belongs to, or ``None``."""
        if not secret.startswith(HOOK_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
            return None
        rows = self._rows(
            "SELECT id, name, kind, created_at, revoked_at FROM hooks WHERE hash = ? AND revoked_at IS NULL", (hash_token(secret),)
        )
        return HookInfo(*rows[0]) if rows else None
