"""Status-page share keys in PostgreSQL: ``web.shares.ShareBook`` on the shared database.

The SQLite book keeps revocations it made in memory so an open page's stream can
re-check its key for free on each push. With several servers a key may be revoked
through another one, so here the re-check asks the database, at most once per
``RECHECK_SECONDS`` per key: an open page on any server is cut off within a second.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from warroom.web.shares import _COLUMNS, DEFAULT_EXPIRY, KEY_PREFIX, ShareBook, ShareKey, _iso, _row, hash_key

from .pgschema import Session, upgrade

RECHECK_SECONDS = 0.5


class PgShareBook(ShareBook):
    def __init__(self, url: str):  # noqa: D107 - no SQLite here: the base's __init__ is not called
        self.url = url
        upgrade(url)
        self._session = Session(url)
        self._rows = self._session.rows
        self._revoked: set[str] = set()
        self._checked: dict[str, tuple[float, bool]] = {}

    def close(self) -> None:
        self._session.close()

    def add(self, incident: str, created_by: str, expires_in: timedelta = DEFAULT_EXPIRY) -> tuple[ShareKey, str]:
        import secrets

        now = datetime.now(timezone.utc).replace(microsecond=0)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        share = ShareKey(f"shr_{secrets.token_hex(4)}", incident, created_by, now, now + expires_in)
        self._rows(
            f"INSERT INTO share_keys ({_COLUMNS}, hash) VALUES (%s, %s, %s, %s, %s, NULL, %s)",
            (share.id, incident, created_by, _iso(share.created_at), _iso(share.expires_at), hash_key(key)),
        )
        return share, key

    def list(self) -> list[ShareKey]:
        return [_row(row) for row in self._rows(f"SELECT {_COLUMNS} FROM share_keys ORDER BY created_at, id", ())]

    def find(self, id_or_key: str) -> ShareKey | None:
        column, value = ("hash", hash_key(id_or_key)) if id_or_key.startswith(KEY_PREFIX) else ("id", id_or_key)
        rows = self._rows(f"SELECT {_COLUMNS} FROM share_keys WHERE {column} = %s", (value,))
        return _row(rows[0]) if rows else None

    def revoke(self, share_id: str) -> ShareKey | None:
        now = _iso(datetime.now(timezone.utc))
        self._rows("UPDATE share_keys SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL", (now, share_id))
        self._revoked.add(share_id)
        return self.find(share_id)

    def still_active(self, share: ShareKey) -> bool:
        if not super().still_active(share):
            return False
        now = time.monotonic()
        checked = self._checked.get(share.id)
        if checked is None or now - checked[0] >= RECHECK_SECONDS:
            rows = self._rows("SELECT 1 FROM share_keys WHERE id = %s AND revoked_at IS NULL", (share.id,))
            checked = self._checked[share.id] = (now, bool(rows))
        return checked[1]
