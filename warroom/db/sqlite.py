"""The server's SQLite file: how every part of the server connects to it, and its base schema.

Kept apart from the log (``db``) so the small books that share the file (tokens, alert
hooks, share keys, the notify receiver) open it with the same settings without loading
the log's writer machinery or the domain.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from warroom.store.base import StoreUnavailable
from warroom.store.opening import check_database

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    incident TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    id       TEXT NOT NULL UNIQUE,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    type     TEXT NOT NULL,
    event    TEXT NOT NULL,
    PRIMARY KEY (incident, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    id         TEXT PRIMARY KEY,
    handle     TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS tokens_by_handle ON tokens (handle);
"""
TOKEN_COLUMNS_ADDED = [("admin", "INTEGER NOT NULL DEFAULT 0")]
"""Columns added to ``tokens`` since it was first made (PostgreSQL: migration 5)."""

HOOKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS hooks (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""
"""Alert hooks (``warroom.server.hooks``), in SQLite and, the same statement, in PostgreSQL (``pgschema``)."""

DELIVERY_COLUMNS = """
    incident   TEXT NOT NULL,
    key        TEXT NOT NULL,
    target     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',  -- pending, sending, sent
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    {seconds} NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at    {seconds},
    uncertain  INTEGER NOT NULL DEFAULT 0,"""
"""A delivery row's columns, in SQLite (``warroom.notify.records``) and in PostgreSQL
(``pgschema``, which adds the claim): ``{seconds}`` is the type of a Unix time there. Changing them means a new migration."""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the settings every part of the server relies on (to plain files only:
    ``check_database`` refuses a link or a FIFO at the database's name or beside it)."""
    check_database(Path(path), create=False)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA synchronous = FULL")
    if readonly:
        conn.execute("PRAGMA query_only = 1")
    return conn


def create_private(path: Path) -> None:
    """Create the database file 0600 (in a 0700 folder if we make the folder) before SQLite
    opens it: it holds token hashes and every incident, and SQLite gives the WAL and shared
    memory files it makes later the database file's own mode. An existing file keeps its mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_database(path)


def init_db(path: Path) -> None:
    """Create the file (private) and tables if needed and switch it to WAL (a persistent setting)."""
    path = Path(path)
    create_private(path)
    conn = connect(path)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreUnavailable(f"{path}: cannot switch SQLite to WAL mode (got {mode})")
        conn.executescript(SCHEMA)
        add_columns(conn, "tokens", TOKEN_COLUMNS_ADDED)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise StoreUnavailable(f"{path} was written by a newer warroom (schema {version}); upgrade warroom")
    finally:
        conn.close()


def add_columns(conn: sqlite3.Connection, table: str, columns: list[tuple[str, str]], then: str = "") -> bool:
    """Add to ``table`` those ``(name, declaration)`` columns an older database lacks, and run
    ``then`` (a statement filling them in) in the same transaction; whether anything was added.

    Additive, like PostgreSQL's migrations: an older warroom reading the file never names
    the new columns. The check and the change happen under one write lock, so two
    processes opening an old file at once add each column once."""
    def missing() -> list[tuple[str, str]]:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        return [(name, declaration) for name, declaration in columns if name not in have]

    if not missing():
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        todo = missing()
        for name, declaration in todo:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
        if todo and then:
            conn.execute(then)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return bool(todo)


class SqliteBook:
    """One small table of the server database (tokens, hooks, share keys) on one connection.

    Every statement goes through ``_rows`` with ``?`` placeholders, so the PostgreSQL
    book (``pgschema.PgBook``) only says how to run one. ``TABLE`` is the book's own
    ``CREATE TABLE IF NOT EXISTS`` (empty when ``SCHEMA`` already has it).
    """

    TABLE = ""

    def __init__(self, path: Path):
        self.path: Path | str = Path(path)  # a PostgreSQL book (pgschema.PgBook): its URL, shown without the password
        init_db(Path(path))
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        if self.TABLE:
            self._db().executescript(self.TABLE)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(Path(self.path))
        return self._conn

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self._db().execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
