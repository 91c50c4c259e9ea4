"""Per-responder bearer tokens: made by ``warroom token add``, checked on every ``/api`` request.

A token is ``wr_`` plus 32 random bytes (``secrets.token_urlsafe``) and is shown
exactly once, when it is made. Only its SHA-256 is stored: with that much entropy a
plain hash is enough (nothing to brute-force), and a leaked database holds no
usable token. Each token has a short public id (``tok_1a2b3c4d``) so it can be
listed and revoked without ever being shown again. The handle a token belongs to
is the actor of every event made with it.

Revocation takes effect within ``LOOKUP_SECONDS`` (half a second): the server keeps
what it looked up for that long, so a busy board's requests cost one indexed read
every half second instead of one each (at 1,000 appends/s those reads add up).
Streams already open are ended within seconds (see ``streams``).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warroom.incident.events import canonical_handle, valid_handle

from .db import connect, init_db

LOOKUP_SECONDS = 0.5
"""How long a looked-up token is trusted before it is looked up again (so a revoke lands within a second)."""
LOOKUP_CACHE_SIZE = 1024
TOKEN_PREFIX = "wr_"
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    handle: str
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict:
        return {"id": self.id, "handle": self.handle, "created_at": self.created_at, "revoked_at": self.revoked_at}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request speaks for: the token's owner."""

    handle: str
    token_id: str

    def __post_init__(self) -> None:
        # Tokens made before handles were case-insensitive may hold "Alice": act as "alice".
        object.__setattr__(self, "handle", canonical_handle(self.handle))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_token(handle: str) -> tuple[TokenInfo, str]:
    """A new token for ``handle`` (not stored yet): its record and the secret."""
    if not valid_handle(handle):
        raise ValueError(f"bad handle {handle!r}: use up to 40 letters, digits, '.', '_' or '-'")
    info = TokenInfo(id=f"tok_{secrets.token_hex(4)}", handle=canonical_handle(handle), created_at=_now(), revoked_at=None)
    return info, TOKEN_PREFIX + secrets.token_urlsafe(32)


class TokenBook:
    """The tokens table of one server database."""

    def __init__(self, path: Path):
        self.path = Path(path)
        init_db(self.path)
        self._conn: sqlite3.Connection | None = None
        self._looked_up: dict[str, tuple[float, Principal]] = {}

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
        return self._conn

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Every statement of the book goes through here (``?`` placeholders), so the
        PostgreSQL book (``pgtokens``) only says how to run one."""
        return self._db().execute(sql, params).fetchall()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def add(self, handle: str) -> tuple[TokenInfo, str]:
        """Make a token for ``handle``; returns its record and the secret (shown once)."""
        info, token = new_token(handle)
        self._rows(
            "INSERT INTO tokens (id, handle, hash, created_at) VALUES (?, ?, ?, ?)",
            (info.id, info.handle, hash_token(token), info.created_at),
        )
        return info, token

    def list(self) -> list[TokenInfo]:
        return [TokenInfo(*row) for row in self._rows("SELECT id, handle, created_at, revoked_at FROM tokens ORDER BY created_at, id")]

    def revoke(self, handle_or_id: str) -> list[TokenInfo]:
        """Revoke the token with this id, or every active token of this handle; returns what was revoked."""
        when = _now()
        rows = self._rows(
            "UPDATE tokens SET revoked_at = ? WHERE (id = ? OR lower(handle) = ?) AND revoked_at IS NULL RETURNING id, handle, created_at",
            (when, handle_or_id, canonical_handle(handle_or_id)),
        )
        return sorted((TokenInfo(id=r[0], handle=r[1], created_at=r[2], revoked_at=when) for r in rows), key=lambda t: (t.created_at, t.id))

    def revoked_among(self, token_ids: list[str]) -> set[str]:
        """Which of these token ids are revoked (or gone): open streams end for those."""
        if not token_ids:
            return set()
        marks = ",".join("?" * len(token_ids))
        conn = connect(self.path, readonly=True)  # its own: this runs on a worker thread every few seconds
        try:
            active = conn.execute(f"SELECT id FROM tokens WHERE revoked_at IS NULL AND id IN ({marks})", token_ids).fetchall()
        finally:
            conn.close()
        return set(token_ids) - {row[0] for row in active}

    def lookup(self, token: str) -> Principal | None:
        """The owner of an active token, or ``None`` (unknown, revoked, or not a token at all)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        digest = hash_token(token)
        now = time.monotonic()
        cached = self._looked_up.get(digest)
        if cached is not None and now - cached[0] < LOOKUP_SECONDS:
            return cached[1]
        found = self._rows("SELECT handle, id FROM tokens WHERE hash = ? AND revoked_at IS NULL", (digest,))
        row = found[0] if found else None
        if row is None:
            self._looked_up.pop(digest, None)
            return None
        if len(self._looked_up) >= LOOKUP_CACHE_SIZE:
            self._looked_up.clear()  # more live tokens than that is not a war room: just look up again
        who = Principal(handle=row[0], token_id=row[1])
        self._looked_up[digest] = (now, who)
        return who
