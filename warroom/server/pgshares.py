"""Status-page share keys in PostgreSQL: ``web.shares.ShareBook`` on the shared database.

The SQLite book keeps revocations it made in memory so an open page's stream can
re-check its key for free on each push. With several servers a key may be revoked
through another one, so here the re-check asks the database, at most once per
``RECHECK_SECONDS`` per key: an open page on any server is cut off within a second.
"""

from __future__ import annotations

import time

from warroom.web.shares import ShareBook, ShareKey

from .pgschema import PgBook

RECHECK_SECONDS = 0.5


class PgShareBook(PgBook, ShareBook):
    def __init__(self, url: str):  # noqa: D107 - no SQLite here: the base's __init__ is not called
        self._open(url)
        self._revoked: set[str] = set()
        self._checked: dict[str, tuple[float, bool]] = {}

    def still_active(self, share: ShareKey) -> bool:
        if not super().still_active(share):
            return False
        now = time.monotonic()
        checked = self._checked.get(share.id)
        if checked is None or now - checked[0] >= RECHECK_SECONDS:
            rows = self._rows("SELECT 1 FROM share_keys WHERE id = ? AND revoked_at IS NULL", (share.id,))
            checked = self._checked[share.id] = (now, bool(rows))
        return checked[1]
