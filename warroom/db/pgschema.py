"""The PostgreSQL schema, its versioned migrations, and the one way we connect.

Why migrations live in the database: several ``warroom serve`` processes (possibly
of different versions during a rolling upgrade) share one database, so the schema
version has to be a fact the database holds, not a guess each process makes. The
``warroom_migrations`` table records every migration applied. ``upgrade`` takes a
session advisory lock first, so any number of servers (and ``warroom db upgrade``)
may run it at once: one applies, the others wait and find nothing left to do.

Migrations are additive (new tables, new columns with defaults, new indexes): an
older server keeps working on an upgraded database, which is what makes
``warroom db upgrade`` safe while old servers are running. A migration that could
not be additive would need a release note and a stop of every older server.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from warroom.store.base import StoreUnavailable
from warroom.db.shares import COLUMNS_ADDED as SHARE_COLUMNS_ADDED
from warroom.db.shares import LINK_EARLIER_KEYS
from warroom.db.shares import SCHEMA as SHARES_TABLE

from .chats import SCHEMA as CHATS_TABLES
from .codes import SCHEMA as CODES_TABLE
from .pgappend import FUNCTIONS as APPEND_FUNCTIONS
from .sqlite import DELIVERY_COLUMNS, HOOKS_SCHEMA as HOOKS_TABLE

# One bigint for every warroom database: "warroom" in ASCII, then 1 (migrations).
MIGRATION_LOCK = 0x77617272_6F6F6D01
CHANNEL = "warroom_events"

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "incidents, events and tokens",
        """
        CREATE TABLE incidents (
            id   TEXT PRIMARY KEY,
            head BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE events (
            incident TEXT NOT NULL REFERENCES incidents (id),
            seq      BIGINT NOT NULL,
            id       TEXT NOT NULL UNIQUE,
            at       TIMESTAMPTZ NOT NULL,
            actor    TEXT NOT NULL,
            type     TEXT NOT NULL,
            event    TEXT NOT NULL,
            PRIMARY KEY (incident, seq)
        );
        CREATE TABLE tokens (
            id         TEXT PRIMARY KEY,
            handle     TEXT NOT NULL,
            hash       TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX tokens_by_handle ON tokens (handle);
        """,
    ),
    (2, "status-page share keys", SHARES_TABLE),  # the SQLite book's statement: changing it means a new migration here
    (3, "alert hooks", HOOKS_TABLE),  # likewise
    (
        4,
        "notification delivery records (warroom.notify.pgrecords)",
        f"""
        CREATE TABLE notify_deliveries ({DELIVERY_COLUMNS.format(seconds="DOUBLE PRECISION")}
            claimed_by TEXT,
            PRIMARY KEY (incident, key, target)
        );
        CREATE INDEX notify_deliveries_due ON notify_deliveries (state, next_at);
        CREATE TABLE notify_cursors (
            incident TEXT PRIMARY KEY,
            seq      BIGINT NOT NULL
        );
        CREATE TABLE notify_targets (
            id   TEXT PRIMARY KEY,
            name TEXT NOT NULL
        );
        """,
    ),
    (
        5,
        "admin tokens; share keys tied to the token that made them",
        "ALTER TABLE tokens ADD COLUMN admin BOOLEAN NOT NULL DEFAULT false;"
        + "".join(f"ALTER TABLE share_keys ADD COLUMN {name} {declaration};" for name, declaration in SHARE_COLUMNS_ADDED)
        + LINK_EARLIER_KEYS,
    ),
    (6, "one-time codes (invites, chat links); chat connections, links and channel bindings", CODES_TABLE + CHATS_TABLES),
    (7, "the append transaction's two functions (warroom.db.pgappend)", APPEND_FUNCTIONS),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def describe(url: str) -> str:
    """Where a URL points, for messages: never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "PostgreSQL (unparsable URL)"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


def unavailable(url: str, error: BaseException) -> StoreUnavailable:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return StoreUnavailable(f"PostgreSQL at {describe(url)}: {first}")


def connect(url: str, **options: Any) -> psycopg.Connection:
    """An autocommit connection, or ``StoreUnavailable`` with a one-line reason."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10, **options)
    except psycopg.Error as error:
        raise unavailable(url, error) from None


class Session:
    """One autocommit connection for a small book (tokens, share keys, hooks), reopened when
    PostgreSQL dropped it (a restart, a failover): the statement is tried once more on a
    new connection, so the first request after PostgreSQL is back succeeds. Statements
    are single and idempotent, or guarded by a unique key, so a second try is safe."""

    def __init__(self, url: str):
        self.url = url
        self._conn: psycopg.Connection | None = None
        self._lock = threading.Lock()

    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn is None or self._conn.closed:
                        self._conn = connect(self.url)
                    cursor = self._conn.execute(sql, params)
                    return cursor.fetchall() if cursor.description else []
                except psycopg.OperationalError as error:  # the connection, not the statement
                    self._drop()
                    if attempt == 2:
                        raise unavailable(self.url, error) from None
                except psycopg.Error as error:
                    raise unavailable(self.url, error) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop(self) -> None:
        if self._conn is not None:
            with suppress(psycopg.Error):
                self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop()


def applied_versions(conn: psycopg.Connection) -> list[int]:
    exists = conn.execute("SELECT to_regclass('warroom_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return []
    return [row[0] for row in conn.execute("SELECT version FROM warroom_migrations ORDER BY version")]


def upgrade(url: str) -> tuple[int, int]:
    """Apply every pending migration, each in its own transaction; returns (before, after)."""
    conn = connect(url)
    try:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS warroom_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            applied = set(applied_versions(conn))
            before = max(applied, default=0)
            for version, name, sql in MIGRATIONS:
                if version in applied:
                    continue
                with conn.transaction():
                    conn.execute(sql)
                    conn.execute("INSERT INTO warroom_migrations (version, name) VALUES (%s, %s)", (version, name))
            return before, max(before, SCHEMA_VERSION)
        finally:
            with suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    except psycopg.Error as error:
        raise unavailable(url, error) from None
    finally:
        conn.close()


class PgBook:
    """A small book (``sqlite.SqliteBook``: tokens, hooks, share keys) on PostgreSQL: the
    same statements through one ``Session``, ``?`` placeholders turned into ``%s``.
    Listed before the SQLite book in the bases; the SQLite ``__init__`` is not called."""

    def _open(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.path: Path | str = describe(url)  # what `warroom token/hook list` names (never the password)
        if migrate:
            upgrade(url)
        self._session = Session(url)

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        return self._session.rows(sql.replace("?", "%s"), params)

    def close(self) -> None:
        self._session.close()
