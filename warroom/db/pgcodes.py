"""One-time codes in PostgreSQL: ``codes.CodeBook``'s statements on the shared database.

Redeeming is one ``UPDATE … RETURNING`` there too, so a code used through one server is
refused by every other at once (no cache: codes are rare)."""

from __future__ import annotations

from .codes import CodeBook
from .pgschema import PgBook


class PgCodeBook(PgBook, CodeBook):
    def __init__(self, url: str):  # noqa: D107 - no SQLite here: the base's __init__ is not called
        self._open(url)
