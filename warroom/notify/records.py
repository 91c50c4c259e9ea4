"""Delivery records: one row per (incident, key, target), kept in a small SQLite file.

The key is the event's seq (or ``overdue@<due time>`` for the derived notice), so a
notice is enqueued at most once per target whatever happens: reading an event, the
rows it calls for and the incident's cursor are written in one transaction.

Sending is record-then-send: a row is marked ``sending`` (committed) before the
network call and ``sent`` after it. If the process dies between the receiver's "OK"
and our commit, the row is still ``sending`` on restart, and it is sent again -- the
one window where a receiver can see a notice twice. Every message carries a ``ref``
that is the same on every attempt, so a receiver that cares can drop the repeat;
``warroom notify status`` counts such resends as "uncertain".
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from warroom.db.sqlite import DELIVERY_COLUMNS
from warroom.store.opening import check_database

from .messages import Notice

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS deliveries ({DELIVERY_COLUMNS.format(seconds="REAL")}
    PRIMARY KEY (incident, key, target)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at);
CREATE TABLE IF NOT EXISTS cursors (
    incident TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS targets (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
"""

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 300.0


def backoff(attempts: int) -> float:
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


@dataclass(frozen=True, slots=True)
class Pending:
    incident: str
    key: str
    target: str
    title: str
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class TargetHealth:
    target: str
    name: str
    sent: int
    waiting: int
    failing: int  # rows whose last attempt failed and that still wait
    failed_attempts: int
    uncertain: int
    last_error: str | None

    def line(self) -> str:
        """The one line the board and ``warroom notify status`` show."""
        if self.failing:
            return f"{self.name}: {self.failed_attempts} failed deliveries, last error {self.last_error}"
        return f"{self.name}: {self.sent} sent, {self.waiting} waiting"


class Deliveries:
    def __init__(self, path: Path, *, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            check_database(self.path, create=False)
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None, timeout=10, check_same_thread=False)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        check_database(self.path)  # in a shared folder: a planted link must not move the records (or their -wal) elsewhere
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL survives kill -9 of this process
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def remember_targets(self, targets: list[tuple[str, str]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO targets (id, name) VALUES (?, ?)", targets)

    def cursors(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT incident, seq FROM cursors").fetchall())

    def record(self, incident: str, seq: int | None, notices: list[tuple[Notice, str]]) -> int:
        """Enqueue ``notices`` (each with its target id) and move the cursor, atomically.
        Returns how many rows were new."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO deliveries (incident, key, target, kind, title, body) VALUES (?, ?, ?, ?, ?, ?)",
                [(n.incident, n.key, target, n.kind, n.title, n.body) for n, target in notices],
            )
            added = db.total_changes - before
            if seq is not None:
                db.execute(
                    "INSERT INTO cursors (incident, seq) VALUES (?, ?) ON CONFLICT (incident) DO UPDATE SET seq = MAX(seq, excluded.seq)",
                    (incident, seq),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return added

    def recover(self) -> int:
        """After a crash: rows left ``sending`` may or may not have arrived; send them again."""
        cur = self._db.execute("UPDATE deliveries SET state = 'pending', uncertain = uncertain + 1 WHERE state = 'sending'")
        return cur.rowcount

    def due(self, now: float, targets: list[str], limit: int = 100) -> list[Pending]:
        """Rows to send now, for the configured ``targets`` (a removed target's rows wait)."""
        marks = ",".join("?" * len(targets))
        rows = self._db.execute(
            "SELECT incident, key, target, title, body, attempts FROM deliveries "
            f"WHERE state = 'pending' AND next_at <= ? AND target IN ({marks}) "
            "ORDER BY next_at, incident, CAST(key AS INTEGER) LIMIT ?",
            (now, *targets, limit),
        ).fetchall()
        return [Pending(*row) for row in rows]

    def next_due(self, targets: list[str]) -> float | None:
        marks = ",".join("?" * len(targets))
        row = self._db.execute(
            f"SELECT MIN(next_at) FROM deliveries WHERE state = 'pending' AND target IN ({marks})", targets
        ).fetchone()
        return row[0]

    shared = False  # one relay or server per file (a lock file): nobody else sends these rows

    def sending(self, p: Pending) -> bool:
        """Mark the row as being sent (always ours: PostgreSQL's records may say another server has it)."""
        self._db.execute(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1 WHERE incident = ? AND key = ? AND target = ?",
            (p.incident, p.key, p.target),
        )
        return True

    def sent(self, p: Pending) -> None:
        self._db.execute(
            "UPDATE deliveries SET state = 'sent', sent_at = ? WHERE incident = ? AND key = ? AND target = ?",
            (time.time(), p.incident, p.key, p.target),
        )

    def failed(self, p: Pending, error: str) -> None:
        delay = backoff(p.attempts + 1)
        self._db.execute(
            "UPDATE deliveries SET state = 'pending', next_at = ?, last_error = ? WHERE incident = ? AND key = ? AND target = ?",
            (time.time() + delay, error[:300], p.incident, p.key, p.target),
        )

    def health(self) -> list[TargetHealth]:
        rows = self._db.execute(
            """
            SELECT t.id, t.name,
                   COALESCE(SUM(d.state = 'sent'), 0),
                   COALESCE(SUM(d.state != 'sent'), 0),
                   COALESCE(SUM(d.state != 'sent' AND d.last_error IS NOT NULL), 0),
                   COALESCE(SUM(CASE WHEN d.last_error IS NOT NULL THEN d.attempts - (d.state = 'sent') ELSE 0 END), 0),
                   COALESCE(SUM(d.uncertain), 0)
            FROM targets t LEFT JOIN deliveries d ON d.target = t.id
            GROUP BY t.id, t.name ORDER BY t.name
            """
        ).fetchall()
        found = []
        for row in rows:
            last = self._db.execute(
                "SELECT last_error FROM deliveries WHERE target = ? AND last_error IS NOT NULL AND state != 'sent' "
                "ORDER BY next_at DESC LIMIT 1",
                (row[0],),
            ).fetchone()
            target, name, sent, waiting, failing, failed_attempts, uncertain = row
            found.append(TargetHealth(target, name, sent, waiting, failing, failed_attempts, uncertain, last[0] if last else None))
        return found
