"""Status-page share keys in PostgreSQL: ``shares.ShareBook`` on the shared database.

The same statements as the SQLite book; its columns added since (``created_by_token``)
come with migration 5 in ``pgschema``. With several servers a key may be revoked
through another one: the status page's batched re-check of open streams asks the
database (``inactive_among``, every ``web.server.STATUS_RECHECK_SECONDS``), so an open
page on any server is cut off within a second.
"""

from __future__ import annotations

from warroom.db.shares import ShareBook

from .pgschema import PgBook


class PgShareBook(PgBook, ShareBook):
    def __init__(self, url: str):  # noqa: D107 - no SQLite here: the base's __init__ is not called
        self._open(url)
        self._revoked: set[str] = set()
