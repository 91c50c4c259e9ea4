"""Alert hooks in PostgreSQL: ``hooks.HookBook``'s statements on the shared database.

A hook made or revoked through one server (or ``warroom hook``) holds for every
server on the database at once: each lookup asks PostgreSQL (hooks are rare, and a
revoked hook must stop everywhere). The connection is reopened when PostgreSQL
restarts (``pgschema.Session``).
"""

from __future__ import annotations

from .hooks import HookBook
from warroom.db.pgschema import PgBook


class PgHookBook(PgBook, HookBook):
    def __init__(self, url: str):  # noqa: D107 - no SQLite here: the base's __init__ is not called
        self._open(url)
