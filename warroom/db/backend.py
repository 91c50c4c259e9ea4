"""Which database a server runs on: an SQLite file (the default) or PostgreSQL (a URL).

One small factory so the app, ``warroom serve``, ``warroom token`` and ``warroom db``
never ask themselves which one they have: both logs (opened by ``warroom.server.logs``) offer the
same methods (``start``, ``close``, ``append``, ``summaries``, ``read_json``, ``exists``, ``run``) and both token
books the same ``add``/``list``/``revoke``/``lookup``/``close`` (share and hook books too). psycopg is imported only
when a ``postgresql://`` URL is given, so SQLite servers never load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

Database = str | Path

__all__ = ["Database", "describe_db", "is_postgres", "open_chats", "open_codes", "open_shares", "open_tokens", "upgrade"]


def is_postgres(db: object) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


def describe_db(db: Database) -> str:
    """How to name the database in messages (a URL without its password)."""
    if is_postgres(db):
        from .pgschema import describe

        return describe(str(db))
    return str(db)


def open_tokens(db: Database) -> Any:
    if is_postgres(db):
        from .pgtokens import PgTokenBook

        return PgTokenBook(str(db))
    from .tokens import TokenBook

    return TokenBook(Path(db))


def open_codes(db: Database) -> Any:
    """One-time codes (``warroom.db.codes``: invites, chat links) in the same database."""
    if is_postgres(db):
        from .pgcodes import PgCodeBook

        return PgCodeBook(str(db))
    from .codes import CodeBook

    return CodeBook(Path(db))


def open_chats(db: Database) -> Any:
    """Chat connections, links and bindings (``warroom.db.chats``) in the same database."""
    if is_postgres(db):
        from .pgchats import PgChatBook

        return PgChatBook(str(db))
    from .chats import ChatBook

    return ChatBook(Path(db))


def open_shares(db: Database) -> Any:
    """The status page's share keys (``warroom.db.shares``) in the same database."""
    if is_postgres(db):
        from .pgshares import PgShareBook

        return PgShareBook(str(db))
    from .shares import ShareBook

    return ShareBook(Path(db))


def upgrade(db: Database) -> str:
    """Create or migrate the schema; a line saying what happened."""
    if is_postgres(db):
        from .pgschema import upgrade as pg_upgrade

        before, after = pg_upgrade(str(db))
        if before == after:
            return f"{describe_db(db)}: schema is at version {after}, nothing to do"
        return f"{describe_db(db)}: schema upgraded from version {before} to {after}"
    from .sqlite import init_db

    init_db(Path(db))
    return f"{db}: SQLite schema is current"
