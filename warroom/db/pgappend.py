"""The append transaction's statements, as two server-side functions.

A batch of appends on PostgreSQL is one transaction in two steps, the incidents' rows
locked in between while the rules run in Python on the caught-up state
(``server.pg``). Sent as separate statements, the steps were a dozen and more per
batch (the incidents declared, the lock, one catch-up read per incident, the ids
already stored; one insert per event, one update and one to three ``pg_notify`` per
incident), and psycopg's machinery per statement and per result it waits for cost the
writer thread more than the SQL did. Here each step is one statement:

``LOCK_AND_READ``
    Creates the incidents being declared, locks every touched incident's row (in id
    order, as before: two servers' batches never deadlock), then reads, each with the
    snapshot of its own statement (PL/pgSQL takes a new one per statement in READ
    COMMITTED, so the rows the previous lock holder committed are seen): the heads
    (``kind`` 'h'), the rows after what this server's cache holds (``'c'``), and the
    events whose ids the batch uses already (``'s'``). It decides nothing.

``STORE``
    Inserts the events the Python side admitted (their JSON one per line: a stored
    event's JSON never holds a raw newline; the columns are read from it), moves each
    incident's head once per run of its events and sends the notifications
    (``db.pgchannel``) in the order given; then ``COMMIT``, in the same query string.

Each is sent as one plain query string (``BEGIN`` with the first, ``COMMIT`` with the
second): one message and one wait per round trip, through libpq's own blocking ``PQexec``
(``lock_and_read``, ``store``, ``commit`` below) rather than a psycopg cursor. The values
are quoted here -- every array as one array literal, every literal by libpq's
``PQescapeLiteral`` -- and the rows read straight from the result: the cursor's
adaptation of each list, its non-blocking send-and-poll loop and its row objects cost
the writer thread about three times the CPU of the round trip itself (160 against
35-50 µs per batch's two, measured in isolation). Inside, loops of single-row statements
rather than joins over ``unnest(...)``: PL/pgSQL keeps one plan per statement for the
session, where a join over the arrays was planned again at every call.

The functions are created by a migration and named with a version: a change to either
is a new migration with new names, so a server of the version before, on the same
database during a rolling upgrade, keeps calling the ones it knows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import psycopg
from psycopg import errors, pq

FUNCTIONS = """
CREATE FUNCTION warroom_append_lock_v1(declaring TEXT[], touched TEXT[], since BIGINT[], ids TEXT[])
RETURNS TABLE (kind TEXT, incident_id TEXT, at_seq BIGINT, event_id TEXT, event_json TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    locked RECORD;
    wanted TEXT;
BEGIN
    IF cardinality(declaring) > 0 THEN
        INSERT INTO incidents (id) SELECT unnest(declaring) ORDER BY 1 ON CONFLICT DO NOTHING;
    END IF;
    FOR locked IN SELECT i.id, i.head FROM incidents i WHERE i.id = ANY(touched) ORDER BY i.id FOR UPDATE LOOP
        kind := 'h'; incident_id := locked.id; at_seq := locked.head;
        RETURN NEXT;
        RETURN QUERY SELECT 'c', e.incident, e.seq, NULL::TEXT, e.event FROM events e
            WHERE e.incident = locked.id AND e.seq > since[array_position(touched, locked.id)]
            ORDER BY e.seq;
    END LOOP;
    FOREACH wanted IN ARRAY ids LOOP
        RETURN QUERY SELECT 's', e.incident, e.seq, e.id, e.event FROM events e WHERE e.id = wanted;
    END LOOP;
END
$$;

CREATE FUNCTION warroom_append_store_v1(incidents_ TEXT[], events_ TEXT, notices JSONB)
RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    texts TEXT[] := string_to_array(events_, E'\\n');
    last INTEGER := cardinality(texts);
    stored RECORD;
    notice JSONB;
BEGIN
    FOR n IN 1 .. last LOOP
        SELECT r.seq, r.id, r.at, r.actor, r.body->>'type' AS type INTO stored
            FROM json_to_record(texts[n]::json) AS r (seq BIGINT, id TEXT, at TIMESTAMPTZ, actor TEXT, body JSON);
        INSERT INTO events (incident, seq, id, at, actor, type, event)
            VALUES (incidents_[n], stored.seq, stored.id, stored.at, stored.actor, stored.type, texts[n]);
        IF n = last OR incidents_[n + 1] <> incidents_[n] THEN
            UPDATE incidents SET head = GREATEST(head, stored.seq) WHERE id = incidents_[n];
        END IF;
    END LOOP;
    FOR notice IN SELECT j.value FROM jsonb_array_elements(notices) WITH ORDINALITY AS j ORDER BY j.ordinality LOOP
        PERFORM pg_notify(notice->>0, notice->>1);
    END LOOP;
END
$$;
"""

LOCK_AND_READ = b"BEGIN; SELECT * FROM warroom_append_lock_v1(%b::text[], %b::text[], %b::bigint[], %b::text[])"
STORE = b"SELECT warroom_append_store_v1(%b::text[], %b::text, %b::jsonb); COMMIT"

Read = tuple[str, str, int, str | None, str | None]
"""One row of ``LOCK_AND_READ``: kind ('h', 'c' or 's'), incident, seq, event id, event JSON."""


def lock_and_read(conn: psycopg.Connection, declaring: list[str], touched: list[str], since: list[int], ids: list[str]) -> list[Read]:
    """Begin the batch's transaction, lock ``touched`` (creating ``declaring`` first) and read
    what the rules need: the heads, the rows after ``since`` (one per touched incident) and the
    events stored under ``ids``, as ``Read`` rows."""
    encoding = conn.info.encoding
    quote = _quoter(conn, encoding)
    result = execute(conn, LOCK_AND_READ % (quote(_array(declaring)), quote(_array(touched)), quote(_numbers(since)), quote(_array(ids))), encoding)
    rows: list[Read] = []
    for n in range(result.ntuples):
        kind, incident, seq, event_id, text = (result.get_value(n, column) for column in range(5))
        assert kind is not None and incident is not None and seq is not None
        rows.append(
            (
                kind.decode(),
                incident.decode(encoding),
                int(seq),
                None if event_id is None else event_id.decode(encoding),
                None if text is None else text.decode(encoding),
            )
        )
    return rows


def store(conn: psycopg.Connection, incidents: list[str], events: str, notices: str) -> None:
    """Insert ``events`` (their JSON one per line, the incident of each in ``incidents``), move the
    heads, send ``notices`` (a JSON list of ``[channel, payload]``) and commit."""
    encoding = conn.info.encoding
    quote = _quoter(conn, encoding)
    execute(conn, STORE % (quote(_array(incidents)), quote(events), quote(notices)), encoding)


def commit(conn: psycopg.Connection) -> None:
    execute(conn, b"COMMIT", conn.info.encoding)


def execute(conn: psycopg.Connection, query: bytes, encoding: str) -> pq.abc.PGresult:
    """``query`` through ``PQexec`` (it releases the GIL while it waits): the last statement's
    result; a failed statement raises its psycopg error, a broken connection ``OperationalError``."""
    result = conn.pgconn.exec_(query)
    if result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        return result
    if conn.pgconn.status != pq.ConnStatus.OK:  # as psycopg says it: the connection is gone, not the statement wrong
        raise psycopg.OperationalError(result.error_message.decode(encoding, "replace").strip() or "the connection was lost")
    raise errors.error_from_result(result, encoding=encoding)


def _quoter(conn: psycopg.Connection, encoding: str) -> Callable[[str], bytes]:
    """Quote a string as a literal for ``conn`` (libpq's ``PQescapeLiteral``: quotes and all)."""
    escape = pq.Escaping(conn.pgconn).escape_literal
    return lambda text: escape(text.encode(encoding))


def _array(values: Iterable[str]) -> str:
    """A text array literal: every element double-quoted, its ``\\`` and ``"`` escaped."""
    return "{" + ",".join('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values) + "}"


def _numbers(values: Iterable[int]) -> str:
    return "{" + ",".join(str(int(value)) for value in values) + "}"
