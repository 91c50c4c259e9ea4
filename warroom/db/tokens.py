"""Per-responder bearer tokens: made by ``warroom token add``, checked on every ``/api`` request.

A token is ``wr_`` plus 32 random bytes (``secrets.token_urlsafe``) and is shown
exactly once, when it is made. Only its SHA-256 is stored: with that much entropy a
plain hash is enough (nothing to brute-force), and a leaked database holds no
usable token. Each token has a short public id (``tok_1a2b3c4d``) so it can be
listed and revoked without ever being shown again. The handle a token belongs to
is the actor of every event made with it.

A token the operator marks admin (``warroom token add HANDLE --admin``) may also make
and revoke share keys for the ``/status`` index (every open incident); a plain token
shares only what its owner commands. Nobody can mark a token admin through the server.

Revocation takes effect within ``LOOKUP_SECONDS`` (half a second): the server keeps
what it looked up for that long, so a busy board's requests cost one indexed read
every half second instead of one each (at 1,000 appends/s those reads add up).
Streams already open are ended within seconds (see ``streams``).
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
import time
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from warroom.incident.events import canonical_handle, valid_handle

from .sqlite import SqliteBook, connect

LOOKUP_SECONDS = 0.5
"""How long a looked-up token is trusted before it is looked up again (so a revoke lands within a second)."""
LOOKUP_CACHE_SIZE = 1024
TOKEN_PREFIX = "wr_"
MAX_TOKEN_LENGTH = 200


class SecretInfo:
    """What a token's and a hook's public record share (they are dataclasses of their columns)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]  # set by @dataclass on each subclass
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, Any]:
        return {column.name: getattr(self, column.name) for column in fields(self)}


@dataclass(frozen=True, slots=True)
class TokenInfo(SecretInfo):
    id: str
    handle: str
    admin: bool
    created_at: str
    revoked_at: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "admin", bool(self.admin))  # SQLite answers 0 or 1


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request speaks for: the token's owner."""

    handle: str
    token_id: str
    admin: bool = False
    """The operator marked this token admin: it may make and revoke ``/status`` index keys."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "admin", bool(self.admin))
        # Tokens made before handles were case-insensitive may hold "Alice": act as "alice".
        object.__setattr__(self, "handle", canonical_handle(self.handle))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_token(handle: str, admin: bool = False) -> tuple[TokenInfo, str]:
    """A new token for ``handle`` (not stored yet): its record and the secret."""
    if not valid_handle(handle):
        raise ValueError(f"bad handle {handle!r}: use up to 40 letters, digits, '.', '_' or '-'")
    info = TokenInfo(id=f"tok_{secrets.token_hex(4)}", handle=canonical_handle(handle), admin=admin, created_at=_now(), revoked_at=None)
    return info, TOKEN_PREFIX + secrets.token_urlsafe(32)


class SecretBook(SqliteBook):
    """A table of secrets (tokens, alert hooks) of which only the hash is stored: each
    row made, listed and revoked alike. ``RECORD`` is the dataclass of a row's public
    columns (``id`` first, ``created_at`` and ``revoked_at`` last, named as the columns);
    a revoke names one id, or every active row whose owner matches ``OWNER_MATCH``."""

    TABLE_NAME = ""
    RECORD: type
    OWNER_MATCH = ""  # SQL with one ``?`` for the owner's name (as ``_owner`` spells it)

    def _owner(self, name: str) -> str:
        return name

    def _columns(self, *, revoked: bool = True) -> list[str]:
        names = [column.name for column in fields(self.RECORD)]
        return names if revoked else names[:-1]

    def _store(self, info: object, secret: str) -> None:
        columns = self._columns(revoked=False)
        self._rows(
            f"INSERT INTO {self.TABLE_NAME} ({', '.join(columns)}, hash) VALUES ({', '.join('?' * (len(columns) + 1))})",
            (*(getattr(info, column) for column in columns), hash_token(secret)),
        )

    def list(self) -> builtins.list[SecretInfo]:
        return [self.RECORD(*row) for row in self._rows(f"SELECT {', '.join(self._columns())} FROM {self.TABLE_NAME} ORDER BY created_at, id")]

    def revoke(self, owner_or_id: str) -> builtins.list[SecretInfo]:
        """Revoke the row with this id, or every active row of this owner; returns what was revoked."""
        when = _now()
        rows = self._rows(
            f"UPDATE {self.TABLE_NAME} SET revoked_at = ? WHERE (id = ? OR {self.OWNER_MATCH}) AND revoked_at IS NULL"
            f" RETURNING {', '.join(self._columns(revoked=False))}",
            (when, owner_or_id, self._owner(owner_or_id)),
        )
        return sorted((self.RECORD(*row, when) for row in rows), key=lambda info: (info.created_at, info.id))


class TokenBook(SecretBook):
    """The tokens table of one server database (in ``sqlite.SCHEMA``)."""

    TABLE_NAME = "tokens"
    RECORD = TokenInfo
    OWNER_MATCH = "lower(handle) = ?"

    def __init__(self, path: Path):
        super().__init__(path)
        self._looked_up: dict[str, tuple[float, Principal]] = {}

    def _owner(self, name: str) -> str:
        return canonical_handle(name)

    def add(self, handle: str, admin: bool = False) -> tuple[TokenInfo, str]:
        """Make a token for ``handle`` (``admin``: it may make index share keys); returns its
        record and the secret (shown once)."""
        info, token = new_token(handle, admin)
        self._store(info, token)
        return info, token

    def revoked_among(self, token_ids: list[str]) -> set[str]:
        """Which of these token ids are revoked (or gone): open streams end for those."""
        if not token_ids:
            return set()
        marks = ",".join("?" * len(token_ids))
        conn = connect(Path(self.path), readonly=True)  # its own: this runs on a worker thread every few seconds
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
        found = self._rows("SELECT handle, id, admin FROM tokens WHERE hash = ? AND revoked_at IS NULL", (digest,))
        row = found[0] if found else None
        if row is None:
            self._looked_up.pop(digest, None)
            return None
        if len(self._looked_up) >= LOOKUP_CACHE_SIZE:
            self._looked_up.clear()  # more live tokens than that is not a war room: just look up again
        who = Principal(handle=row[0], token_id=row[1], admin=row[2])
        self._looked_up[digest] = (now, who)
        return who
