"""The append transaction on PostgreSQL as two server-side functions (``db.pgappend``).

A batch goes to the database as two statements, the lock with its reads and the store
with its notifications; these tests hold what the dozen statements before them held: every
event's columns and JSON stored exactly (one transaction per batch), a batch that fails
stores nothing and leaves no transaction open, a database made before the functions is
upgraded in place, and an older server's commits (its own statements, no functions) in
between are caught up.
"""

from __future__ import annotations

import asyncio
import threading

import psycopg

from warroom.db import pgappend, pgschema
from warroom.db.pgschema import CHANNEL
from warroom.incident import events as ev
from warroom.incident.events import dump_stored, utcnow
from warroom.server.pg import PgEventLog
from warroom.store.base import StoreUnavailable

from .test_pg_carried import Published, _declare, _note, _stored, listener_paused, pair  # noqa: F401 (a fixture, taken as a parameter: F811 below)

HOSTILE = ["two\nlines", "a backslash-n: \\n, not a newline", 'quotes " and \\ and \'', "separators \u2028\u2029", "tab\tend", "€" * 300]


async def _one_batch(log: PgEventLog, appends: list) -> list:
    """Run ``appends`` (coroutines) as one batch: the writer is held until all are queued."""
    entered, gate = threading.Event(), threading.Event()

    def hold(_conn: object) -> None:
        entered.set()
        gate.wait(15)

    held = asyncio.create_task(log.run(hold))
    assert await asyncio.to_thread(entered.wait, 15)
    tasks = [asyncio.create_task(append) for append in appends]
    for _ in range(len(tasks) + 2):
        await asyncio.sleep(0)  # each task queues its job
    gate.set()
    await held
    return await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_batch_stores_every_event_exactly_with_its_columns_in_one_transaction_and_moves_each_head_once(pair, postgres):  # noqa: F811
    mine, other, published, url = pair
    await _declare(mine, "INC-1")
    await _declare(mine, "INC-2")
    appends = [mine.append(incident, ev.EventDraft(actor="alice", body=ev.NoteAdded(text=text))) for text in HOSTILE for incident in ("INC-2", "INC-1")]
    answers = await _one_batch(mine, appends)
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT incident, seq, id, at, actor, type, event, xmin::text FROM events WHERE seq > 1 ORDER BY incident, seq").fetchall()
        heads = dict(conn.execute("SELECT id, head FROM incidents").fetchall())
    assert len({row[7] for row in rows}) == 1  # one transaction
    assert heads == {"INC-1": 1 + len(HOSTILE), "INC-2": 1 + len(HOSTILE)}
    stored = {(row[0], row[1]): row for row in rows}
    for (text, new), incident in zip(answers, ["INC-2", "INC-1"] * len(HOSTILE), strict=True):
        event = ev.parse_stored(text)
        assert new and event.body.text in HOSTILE
        assert stored[(incident, event.seq)][2:7] == (str(event.id), event.at, "alice", "note_added", text)
    assert [ev.parse_stored(stored[("INC-1", seq)][6]).body.text for seq in range(2, 2 + len(HOSTILE))] == HOSTILE


async def test_a_batch_that_cannot_be_stored_stores_nothing_and_leaves_no_transaction_open(pair):  # noqa: F811
    mine, other, published, url = pair
    await _declare(mine)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF NEW.event LIKE '%boom%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$"
        )
        conn.execute("CREATE TRIGGER refuse_boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_boom()")
        texts = ["stored with the rest", "boom", "also with the rest"]
        failed = await _one_batch(mine, [mine.append("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text=text))) for text in texts])
        assert [type(outcome) for outcome in failed] == [StoreUnavailable] * 3
        assert conn.execute("SELECT seq FROM events ORDER BY seq").fetchall() == [(1,)]
        assert conn.execute("SELECT head FROM incidents").fetchone() == (1,)
        open_ones = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
        assert conn.execute(open_ones).fetchone() == (0,)
    assert await _note(mine, "stored") == 2
    assert await _note(other, "and after it") == 3
    await published.until(3)
    assert sorted(dict(published.events)) == [1, 2, 3]  # the hub drops overlaps: each at least once


async def test_a_database_made_before_the_functions_is_upgraded_in_place_and_its_log_goes_on(postgres, monkeypatch):
    url = postgres.url(postgres.create_database(prefix="before"))
    monkeypatch.setattr(pgschema, "MIGRATIONS", [m for m in pgschema.MIGRATIONS if m[0] <= 6])
    pgschema.upgrade(url)  # the schema as the servers before the functions made it
    monkeypatch.undo()
    declared = ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="older")).stored(seq=1, at=utcnow())
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT to_regproc('warroom_append_lock_v1')").fetchone() == (None,)
        conn.execute("INSERT INTO incidents VALUES ('INC-1', 2)")
        for event in (declared, _stored(2, "an older server's note")):
            conn.execute(
                "INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES ('INC-1', %s, %s, %s, 'alice', %s, %s)",
                (event.seq, str(event.id), event.at, event.body.type, dump_stored(event)),
            )
    published = Published()
    log = PgEventLog(url, on_commit=published)
    log.start(asyncio.get_running_loop())
    try:
        assert await _note(log, "a newer server's note") == 3
        assert [ev.parse_stored(text).seq for _, text in log.read_json("INC-1", 0, 10)] == [1, 2, 3]
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT max(version) FROM warroom_migrations").fetchone() == (pgschema.SCHEMA_VERSION,)
            assert conn.execute("SELECT to_regproc('warroom_append_store_v1') IS NOT NULL").fetchone() == (True,)
    finally:
        log.close()


def _older_append(url: str, text: str) -> None:
    """An append as the servers before the functions commit one: their own statements."""
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        head = conn.execute("SELECT head FROM incidents WHERE id = 'INC-1' FOR UPDATE").fetchone()[0]
        event = _stored(head + 1, text, actor="bob")
        conn.execute(
            "INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES ('INC-1', %s, %s, %s, 'bob', 'note_added', %s)",
            (event.seq, str(event.id), event.at, dump_stored(event)),
        )
        conn.execute("UPDATE incidents SET head = %s WHERE id = 'INC-1'", (event.seq,))
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"INC-1 {event.seq}"))


async def test_an_older_servers_commits_between_newer_batches_are_caught_up_without_gap_or_clash(pair):  # noqa: F811
    mine, other, published, url = pair
    await _declare(other)
    older = asyncio.gather(*(asyncio.to_thread(_older_append, url, f"older {n}") for n in range(12)))
    newer = asyncio.gather(*(_note(log, f"newer {n}") for n in range(12) for log in (mine, other)))
    await older
    seqs = await newer
    assert len(set(seqs)) == 24
    assert await _note(mine, "last") == 38
    await published.until(38)
    assert dict(published.events) == dict(mine.read_json("INC-1", 0, 100))  # each once at least (the hub drops overlaps)
    assert sorted(dict(published.events)) == list(range(1, 39))


async def test_rows_a_cold_cache_catches_up_are_published_even_when_their_notices_come_after_its_own_commit(pair):  # noqa: F811
    """A server whose cache of an incident is cold catches up every row under the lock. Those
    rows are news to its hub unless the listener already handed them over: if the writer
    published only its own commit, the late notices of the rows before it (at or below what
    the hub now has) were skipped, and the hub never had them (seen under load in CI)."""
    mine, other, published, _url = pair
    with listener_paused(mine):
        await _declare(other)
        assert await _note(other, "through the other server") == 2
        assert await _note(mine, "through mine, its cache cold") == 3
    await published.until(3)
    assert sorted(dict(published.events)) == [1, 2, 3]


def test_the_statements_quote_every_value_so_the_database_reads_back_exactly_what_was_sent(postgres):
    """``db.pgappend`` quotes its arrays and literals itself (no cursor adapts them): names and ids
    holding quotes, backslashes, braces, commas, spaces and the word NULL come back as sent."""
    url = postgres.url(postgres.create_database(prefix="quoting"))
    pgschema.upgrade(url)
    odd = ['a"b', "back\\slash", "{braces}", "com,ma", " spaced ", "NULL", "it's", "€\u2028"]
    with psycopg.connect(url, autocommit=True) as conn:
        rows = pgappend.lock_and_read(conn, odd, odd, [0] * len(odd), [])
        pgappend.commit(conn)
        assert sorted(row[1] for row in rows if row[0] == "h") == sorted(odd)
        for n, name in enumerate(odd):
            conn.execute(
                "INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES (%s, 1, %s, now(), 'alice', 'note_added', %s)",
                (name, f"id {name}", HOSTILE[n % len(HOSTILE)]),
            )
        rows = pgappend.lock_and_read(conn, [], odd[:1], [0], [f"id {name}" for name in odd])
        pgappend.commit(conn)
    assert [row for row in rows if row[0] == "s"] == [("s", name, 1, f"id {name}", HOSTILE[n % len(HOSTILE)]) for n, name in enumerate(odd)]
    assert [row for row in rows if row[0] == "c"] == [("c", odd[0], 1, None, HOSTILE[0])]
