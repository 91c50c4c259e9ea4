"""Share keys: read-only viewer keys for the status page, made by a commander or comms.

A key is ``wv_`` plus 32 random bytes, shown once; only its SHA-256 is stored (as
with responders' tokens: with that much entropy a plain hash is enough). A key is
scoped to one incident, or to the ``/status`` index (``--all``); it expires
(default 24 h) and can be revoked. It is checked only by the status-page routes:
no ``/api`` route reads this table, so a key can never write anything.

A key is only as good as whoever made it: one made with a token (``created_by_token``)
stops working when that token is revoked, so a leaked token cannot leave 30-day
keys behind. The operator makes keys on the database itself (``warroom share --db``,
no token: ``created_by_token`` is empty) and lists and revokes every key there.
Index keys are made only by the operator or an admin token (``warroom token add
--admin``); the routes in ``web.server`` say who may do what.

The table lives in the server's database, which the operator's commands write
directly (and other servers too, on PostgreSQL), so the server re-checks the keys of
open streams against the database (``inactive_among``, one query for all of them): a
key revoked anywhere, or whose maker's token was revoked, is cut off at that re-check.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warroom.db.sqlite import SqliteBook, add_columns  # the server's connection settings; no FastAPI

KEY_PREFIX = "wv_"
SHARE_ID_PREFIX = "shr_"
MAX_KEY_LENGTH = 200
DEFAULT_EXPIRY = timedelta(hours=24)
MAX_EXPIRY = timedelta(days=30)
ALL = "*"
OPERATOR = "operator"
"""``created_by`` of a key the operator made on the database (``created_by_token`` is empty)."""

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
COLUMNS_ADDED = [("created_by_token", "TEXT")]
"""Added since the table was first made (PostgreSQL: migration 5, SQLite: when a book opens it)."""
LINK_EARLIER_KEYS = """
UPDATE share_keys SET created_by_token = COALESCE(
    (SELECT t.id FROM tokens t WHERE lower(t.handle) = lower(share_keys.created_by) AND t.revoked_at IS NULL
     ORDER BY t.created_at DESC, t.id LIMIT 1),
    'tok_revoked')
WHERE created_by_token IS NULL
"""
"""Keys made before keys named their token: tied to their maker's newest active token
(none left: the key stops), so revoking the maker ends them too."""


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
    token: str | None = None
    """The id of the token that made it (``None``: the operator, on the database)."""
    maker_active: bool = True
    """The token that made it is not revoked (always true for the operator's keys)."""

    def active(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.maker_active and (now or datetime.now(timezone.utc)) < self.expires_at

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
            "created_by_token": self.token,
            "maker_revoked": not self.maker_active,
        }


def _row(row: tuple) -> ShareKey:
    revoked = _parse(row[5]) if row[5] else None
    return ShareKey(row[0], row[1], row[2], _parse(row[3]), _parse(row[4]), revoked, row[6], bool(row[7]))


_COLUMNS = "id, incident, created_by, created_at, expires_at, revoked_at"
_MAKER_ACTIVE = (
    "(s.created_by_token IS NULL OR EXISTS"
    " (SELECT 1 FROM tokens t WHERE t.id = s.created_by_token AND t.revoked_at IS NULL))"
)
_SELECT = f"SELECT {', '.join('s.' + c for c in _COLUMNS.split(', '))}, s.created_by_token, {_MAKER_ACTIVE} FROM share_keys s"


class ShareBook(SqliteBook):
    """The share keys of one server database. Every statement goes through ``_rows``
    (``?`` placeholders), so the PostgreSQL book (``pgshares``) only says how to
    run one and how to re-check a key."""

    TABLE = SCHEMA

    def __init__(self, path: Path):
        super().__init__(path)
        add_columns(self._db(), "share_keys", COLUMNS_ADDED, then=LINK_EARLIER_KEYS)
        self._revoked: set[str] = set()

    def add(
        self, incident: str, created_by: str, expires_in: timedelta = DEFAULT_EXPIRY, *, token: str | None
    ) -> tuple[ShareKey, str]:
        """A new key for ``incident`` (or ``ALL``), made with ``token`` (its id; ``None``: the operator)."""
        now = datetime.now(timezone.utc).replace(microsecond=0)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        share = ShareKey(f"{SHARE_ID_PREFIX}{secrets.token_hex(4)}", incident, created_by, now, now + expires_in, None, token)
        self._rows(
            f"INSERT INTO share_keys ({_COLUMNS}, hash, created_by_token) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
            (share.id, incident, created_by, _iso(share.created_at), _iso(share.expires_at), hash_key(key), token),
        )
        return share, key

    def list(self) -> list[ShareKey]:
        return [_row(row) for row in self._rows(f"{_SELECT} ORDER BY s.created_at, s.id")]

    def find(self, id_or_key: str) -> ShareKey | None:
        column, value = ("hash", hash_key(id_or_key)) if id_or_key.startswith(KEY_PREFIX) else ("id", id_or_key)
        rows = self._rows(f"{_SELECT} WHERE s.{column} = ?", (value,))
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

    def inactive_among(self, share_ids: builtins.list[str]) -> set[str]:
        """Which of these keys no longer open anything (revoked, by any process; expired; gone)."""
        if not share_ids:
            return set()
        marks = ",".join("?" * len(share_ids))
        now = _iso(datetime.now(timezone.utc))
        rows = self._rows(
            f"SELECT s.id FROM share_keys s WHERE s.revoked_at IS NULL AND s.expires_at > ? AND {_MAKER_ACTIVE} AND s.id IN ({marks})",
            (now, *share_ids),
        )
        return set(share_ids) - {row[0] for row in rows}

    def still_active(self, share: ShareKey) -> bool:
        """The cheap per-tick check for an open stream: not revoked through this server, not
        expired. Revocations made elsewhere, and keys whose maker's token was revoked, are
        caught by the server's batched re-check of every open stream (``inactive_among``)."""
        return share.id not in self._revoked and share.active()
