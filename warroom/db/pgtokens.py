"""Tokens in PostgreSQL: ``tokens.TokenBook``'s statements on the shared database.

Revocation must reach every server within a second. Each server looks a token up in
the database and remembers the answer for at most ``tokens.LOOKUP_SECONDS`` (half a
second): a request costs no round trip to PostgreSQL most of the time, and a token
revoked through any server (or ``warroom token revoke``) is refused by all of them
within that half second. A lookup the database cannot answer is ``StoreUnavailable``
(503), never a silent 401; once PostgreSQL is back (after a restart or a failover)
the next lookup reconnects by itself (``pgschema.Session``).
"""

from __future__ import annotations

from .pgschema import PgBook
from .tokens import TokenBook


class PgTokenBook(PgBook, TokenBook):
    def __init__(self, url: str, *, migrate: bool = True):  # noqa: D107 - no SQLite here: the base's __init__ is not called
        self._open(url, migrate=migrate)
        self._looked_up = {}

    def revoked_among(self, token_ids: list[str]) -> set[str]:
        """Which of these token ids are revoked (or gone): open streams end for those."""
        if not token_ids:
            return set()
        active = self._rows("SELECT id FROM tokens WHERE revoked_at IS NULL AND id = ANY(?)", (list(token_ids),))
        return set(token_ids) - {row[0] for row in active}
