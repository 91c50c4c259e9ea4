"""Delivery records in PostgreSQL: every server on one database sends each notice once.

Each server runs a notifier over its own log, and through NOTIFY/LISTEN each one sees
every event, so each one would send every notice. The records make that safe:

- Enqueueing is idempotent across servers: ``(incident, key, target)`` is the primary
  key and every server inserts with ``ON CONFLICT DO NOTHING``, moving the shared
  cursor with ``GREATEST`` in the same transaction.
- Sending needs a claim: ``sending`` turns one row from *pending* to *sending* in a
  single statement that picks it ``FOR UPDATE SKIP LOCKED`` and only while it is
  still pending, so of two servers racing for a row exactly one gets it, and the
  other never waits for it. The claim names the claimer's database session
  (backend pid and start time).
- A server that dies mid-send leaves its rows *sending*; its session ends with it, so
  any server's ``recover`` (at start, then on every pass of the sender) puts back to
  *pending* exactly the rows whose claiming session is gone (and counts them
  ``uncertain``, as the SQLite records do after a crash). Claims of live servers are
  never touched, however slow their receiver.

Shared records are also ``shared``: a sender wakes itself every ``poll`` seconds,
because the notice it should send may have been enqueued by another server.
"""

from __future__ import annotations

from warroom.notify.records import Pending, TargetHealth, backoff
from warroom.db.pgschema import Session, upgrade

from .messages import Notice

NUMERIC_KEY = "CASE WHEN key ~ '^[0-9]+$' THEN key::bigint ELSE 0 END"
LIVE_SESSIONS = "SELECT pid::text || '@' || extract(epoch FROM backend_start)::text FROM pg_stat_activity"


class PgDeliveries:
    shared = True
    poll = 1.0

    def __init__(self, url: str, *, readonly: bool = False):
        self.url = url
        if not readonly:
            upgrade(url)
        self._session = Session(url)

    def close(self) -> None:
        self._session.close()

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        return self._session.rows(sql, params)

    def remember_targets(self, targets: list[tuple[str, str]]) -> None:
        for target, name in targets:
            self._rows("INSERT INTO notify_targets (id, name) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET name = excluded.name", (target, name))

    def cursors(self) -> dict[str, int]:
        return dict(self._rows("SELECT incident, seq FROM notify_cursors"))

    def record(self, incident: str, seq: int | None, notices: list[tuple[Notice, str]]) -> int:
        """Enqueue ``notices`` (each with its target id) and move the cursor, in one statement
        (so one transaction); returns how many rows were new (0 when another server was first)."""
        rows = self._rows(
            """
            WITH added AS (
                INSERT INTO notify_deliveries (incident, key, target, kind, title, body)
                SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                ON CONFLICT DO NOTHING RETURNING 1
            ), moved AS (
                INSERT INTO notify_cursors (incident, seq) SELECT %s::text, %s::bigint WHERE %s::bigint IS NOT NULL
                ON CONFLICT (incident) DO UPDATE SET seq = GREATEST(notify_cursors.seq, excluded.seq)
            )
            SELECT count(*) FROM added
            """,
            (
                [n.incident for n, _ in notices], [n.key for n, _ in notices], [t for _, t in notices],
                [n.kind for n, _ in notices], [n.title for n, _ in notices], [n.body for n, _ in notices],
                incident, seq, seq,
            ),
        )
        return int(rows[0][0])

    def recover(self) -> int:
        """Rows left *sending* by a server that is gone: send them again."""
        rows = self._rows(
            f"UPDATE notify_deliveries SET state = 'pending', uncertain = uncertain + 1, claimed_by = NULL "
            f"WHERE state = 'sending' AND (claimed_by IS NULL OR claimed_by NOT IN ({LIVE_SESSIONS})) RETURNING 1"
        )
        return len(rows)

    def due(self, now: float, targets: list[str], limit: int = 100) -> list[Pending]:
        rows = self._rows(
            "SELECT incident, key, target, title, body, attempts FROM notify_deliveries "
            "WHERE state = 'pending' AND next_at <= %s AND target = ANY(%s) "
            f"ORDER BY next_at, incident, {NUMERIC_KEY} LIMIT %s",
            (now, targets, limit),
        )
        return [Pending(*row) for row in rows]

    def next_due(self, targets: list[str]) -> float | None:
        return self._rows("SELECT MIN(next_at) FROM notify_deliveries WHERE state = 'pending' AND target = ANY(%s)", (targets,))[0][0]

    def sending(self, p: Pending) -> bool:
        """Claim the row for this server; ``False`` when another server has it (or sent it)."""
        rows = self._rows(
            f"""
            UPDATE notify_deliveries SET state = 'sending', attempts = attempts + 1,
                claimed_by = ({LIVE_SESSIONS} WHERE pid = pg_backend_pid())
            WHERE (incident, key, target) IN (
                SELECT incident, key, target FROM notify_deliveries
                WHERE incident = %s AND key = %s AND target = %s AND state = 'pending'
                FOR UPDATE SKIP LOCKED
            ) RETURNING 1
            """,
            (p.incident, p.key, p.target),
        )
        return bool(rows)

    def sent(self, p: Pending) -> None:
        self._rows(
            "UPDATE notify_deliveries SET state = 'sent', sent_at = extract(epoch FROM now()), claimed_by = NULL "
            "WHERE incident = %s AND key = %s AND target = %s",
            (p.incident, p.key, p.target),
        )

    def failed(self, p: Pending, error: str) -> None:
        self._rows(
            "UPDATE notify_deliveries SET state = 'pending', next_at = extract(epoch FROM now()) + %s, last_error = %s, claimed_by = NULL "
            "WHERE incident = %s AND key = %s AND target = %s",
            (backoff(p.attempts + 1), error[:300], p.incident, p.key, p.target),
        )

    def health(self) -> list[TargetHealth]:
        rows = self._rows(
            """
            SELECT t.id, t.name,
                   count(*) FILTER (WHERE d.state = 'sent'),
                   count(*) FILTER (WHERE d.state != 'sent'),
                   count(*) FILTER (WHERE d.state != 'sent' AND d.last_error IS NOT NULL),
                   COALESCE(SUM(CASE WHEN d.last_error IS NOT NULL THEN d.attempts - (d.state = 'sent')::int ELSE 0 END), 0),
                   COALESCE(SUM(d.uncertain), 0),
                   (SELECT last_error FROM notify_deliveries l WHERE l.target = t.id AND l.last_error IS NOT NULL AND l.state != 'sent'
                    ORDER BY l.next_at DESC LIMIT 1)
            FROM notify_targets t LEFT JOIN notify_deliveries d ON d.target = t.id
            GROUP BY t.id, t.name ORDER BY t.name
            """
        )
        return [TargetHealth(row[0], row[1], int(row[2]), int(row[3]), int(row[4]), int(row[5]), int(row[6]), row[7]) for row in rows]
