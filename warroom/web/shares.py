"""Share keys: read-only viewer keys for the status page, made by a commander or comms.

A key is ``wv_`` plus 32 random bytes, shown once; only its SHA-256 is stored (as
with responders' tokens: with that much entropy a plain hash is enough). A key is
scoped to one incident, or to the ``/status`` index (``--all``); it expires
(default 24 h) and can be revoked. It is checked only by the status-page routes:
no ``/api`` route reads this table, so a key can never write anything.

The table lives in the server's database. Revocations go through the server (the
``/api/shares`` routes), so the server keeps an in-memory copy of what it has seen
and every open page's stream can re-check its key on each push for free.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warroom.server.sqlite import SqliteBook  # the server's connection settings; no FastAPI

KEY_PREFIX = "wv_"
SHARE_ID_PREFIX = "shr_"
MAX_KEY_LENGTH = 200
DEFAULT_EXPIRY = timedelta(hours=24)
MAX_EXPIRY = timedelta(days=30)
ALL = "*"

SCHEMA = """
CREATE TABLE IF NOT EXISTS share_keys (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    incident   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class ShareKey:
    id: str
    incident: str  # an incident id, or "*" for the index
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def active(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (now or datetime.now(timezone.utc)) < self.expires_at

    @property
    def scope(self) -> str | None:
        """The one incident this key opens, or ``None`` for every open incident."""
        return None if self.incident == ALL else self.incident

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "incident": self.incident,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at),
            "revoked_at": _iso(self.revoked_at) if self.revoked_at else None,
        }


def _row(row: tuple) -> ShareKey:
    return ShareKey(row[0], row[1], row[2], _parse(row[3]), _parse(row[4]), _parse(row[5]) if row[5] else None)


_COLUMNS = "id, incident, created_by, created_at, expires_at, revoked_at"


class ShareBook(SqliteBook):
    """The share keys of one server database. Every statement goes through ``_rows``
    (``?`` placeholders), so the PostgreSQL book (``server.pgshares``) only says how to
    run one and how to re-check a key."""

    TABLE = SCHEMA

    def __init__(self, path: Path):
        super().__init__(path)
        self._revoked: set[str] = set()

    def add(self, incident: str, created_by: str, expires_in: timedelta = DEFAULT_EXPIRY) -> tuple[ShareKey, str]:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        share = ShareKey(f"{SHARE_ID_PREFIX}{secrets.token_hex(4)}", incident, created_by, now, now + expires_in)
        self._rows(
            f"INSERT INTO share_keys ({_COLUMNS}, hash) VALUES (?, ?, ?, ?, ?, NULL, ?)",
            (share.id, incident, created_by, _iso(share.created_at), _iso(share.expires_at), hash_key(key)),
        )
        return share, key

    def list(self) -> list[ShareKey]:
        return [_row(row) for row in self._rows(f"SELECT {_COLUMNS} FROM share_keys ORDER BY created_at, id")]

    def find(self, id_or_key: str) -> ShareKey | None:
        column, value = ("hash", hash_key(id_or_key)) if id_or_key.startswith(KEY_PREFIX) else ("id", id_or_key)
        rows = self._rows(f"SELECT {_COLUMNS} FROM share_keys WHERE {column} = ?", (value,))
        return _row(rows[0]) if rows else None

    def revoke(self, share_id: str) -> ShareKey | None:
        now = _iso(datetime.now(timezone.utc))
        self._rows("UPDATE share_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, share_id))
        self._revoked.add(share_id)
        return self.find(share_id)

    def lookup(self, key: str) -> ShareKey | None:
        """The active share key for ``key``, or ``None`` (unknown, expired, revoked, not a key)."""
        if not key or len(key) > MAX_KEY_LENGTH or not key.startswith(KEY_PREFIX):
            return None
        share = self.find(key)
        return share if share is not None and share.active() else None

    def inactive_among(self, share_ids: list[str]) -> set[str]:
        """Which of these keys no longer open anything (revoked, by any process; expired; gone)."""
        if not share_ids:
            return set()
        marks = ",".join("?" * len(share_ids))
        now = _iso(datetime.now(timezone.utc))
        rows = self._rows(f"SELECT id FROM share_keys WHERE revoked_at IS NULL AND expires_at > ? AND id IN ({marks})", (now, *share_ids))
        return set(share_ids) - {row[0] for row in rows}

    def still_active(self, share: ShareKey) -> bool:
        """Cheap re-check for open streams: not revoked through this server, not expired."""
        return share.id not in self._revoked and share.active()
