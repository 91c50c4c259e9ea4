"""Tokens in PostgreSQL: the same book as ``tokens.TokenBook``, shared by every server.

Revocation must reach every server within a second. Each server looks a token up
in the database and remembers the answer for at most ``CACHE_SECONDS`` (half a
second): a request costs no round trip to PostgreSQL most of the time, and a
token revoked through any server (or ``warroom token revoke``) is refused by all
of them within that half second. A lookup the database cannot answer is
``StoreUnavailable`` (503), never a silent 401; once PostgreSQL is back (after a
restart or a failover) the next lookup reconnects by itself (``pgschema.Session``).
"""

from __future__ import annotations

import time

from warroom.incident.events import canonical_handle

from .pgschema import Session, upgrade
from .tokens import MAX_TOKEN_LENGTH, Principal, TokenInfo, _now, hash_token, new_token

CACHE_SECONDS = 0.5


class PgTokenBook:
    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        self.path = url  # what `warroom token list` names when the book is empty
        if migrate:
            upgrade(url)
        self._session = Session(url)
        self._run = self._session.rows
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    def close(self) -> None:
        self._session.close()

    def add(self, handle: str) -> tuple[TokenInfo, str]:
        info, token = new_token(handle)
        self._run(
            "INSERT INTO tokens (id, handle, hash, created_at) VALUES (%s, %s, %s, %s)",
            (info.id, info.handle, hash_token(token), info.created_at),
        )
        return info, token

    def list(self) -> list[TokenInfo]:
        rows = self._run("SELECT id, handle, created_at, revoked_at FROM tokens ORDER BY created_at, id")
        return [TokenInfo(*row) for row in rows]

    def revoke(self, handle_or_id: str) -> list[TokenInfo]:
        when = _now()
        rows = self._run(
            "UPDATE tokens SET revoked_at = %s WHERE (id = %s OR lower(handle) = %s) AND revoked_at IS NULL"
            " RETURNING id, handle, created_at",
            (when, handle_or_id, canonical_handle(handle_or_id)),
        )
        return [TokenInfo(id=row[0], handle=row[1], created_at=row[2], revoked_at=when) for row in rows]

    def revoked_among(self, token_ids: list[str]) -> set[str]:
        """Which of these token ids are revoked (or gone): open streams end for those."""
        if not token_ids:
            return set()
        active = self._run("SELECT id FROM tokens WHERE revoked_at IS NULL AND id = ANY(%s)", (list(token_ids),))
        return set(token_ids) - {row[0] for row in active}

    def lookup(self, token: str) -> Principal | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        digest = hash_token(token)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        rows = self._run("SELECT handle, id FROM tokens WHERE hash = %s AND revoked_at IS NULL", (digest,))
        who = Principal(handle=rows[0][0], token_id=rows[0][1]) if rows else None
        if len(self._cache) > 10_000:
            self._cache.clear()  # unknown tokens must not grow it without bound
        self._cache[digest] = (now, who)
        return who
