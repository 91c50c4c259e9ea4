"""Commits carried in NOTIFY payloads between two servers' logs on one real PostgreSQL.

A server publishes the events another server committed from the notification itself,
without reading them back, when they fit in a payload; what does not fit, what follows
a gap, and what an older server commits (a plain ``'INCIDENT SEQ'`` notice) is read from
the table. Either way every event reaches the hub once, in order. Older servers on the
same database keep getting the plain notice they parse.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import psycopg
import pytest

from warroom.db.pgchannel import CARRIED, PAYLOAD_LIMIT, notices, reach, read
from warroom.db.pgschema import CHANNEL
from warroom.incident import events as ev
from warroom.incident.events import dump_stored, utcnow
from warroom.server import pglisten
from warroom.server.pg import PgEventLog
from warroom.server.pglisten import joined
from warroom.server.writer import Committed


class Published:
    """What a log handed its hub, in the order it did."""

    def __init__(self) -> None:
        self.events: list[tuple[int, str]] = []
        self.calls: list[list[Committed]] = []
        self.arrived = asyncio.Event()

    def __call__(self, committed: list[Committed]) -> None:
        self.calls.append(committed)
        for batch in committed:
            self.events.extend(batch.events)
        self.arrived.set()

    async def until(self, seq: int, timeout: float = 15.0) -> list[int]:
        async def wait() -> None:
            while not self.events or self.events[-1][0] < seq:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(wait(), timeout)
        return [seq for seq, _ in self.events]


@pytest.fixture
async def pair(postgres) -> AsyncIterator[tuple[PgEventLog, PgEventLog, Published, str]]:
    """``mine`` (whose hub is watched) and ``other``: two servers' logs on one database."""
    url = postgres.url(postgres.create_database(prefix="carried"))
    published = Published()
    mine, other = PgEventLog(url, on_commit=published), PgEventLog(url)
    loop = asyncio.get_running_loop()
    mine.start(loop)
    other.start(loop)
    try:
        assert await asyncio.to_thread(mine.listening.wait, 15) and await asyncio.to_thread(other.listening.wait, 15)
        yield mine, other, published, url
    finally:
        mine.close()
        other.close()


async def _note(log: PgEventLog, text: str, incident: str = "INC-1") -> int:
    stored, _ = await log.append(incident, ev.EventDraft(actor="alice", body=ev.NoteAdded(text=text)))
    return ev.parse_stored(stored).seq


def _stored(seq: int, text: str, actor: str = "alice") -> ev.StoredEvent:
    return ev.EventDraft(actor=actor, body=ev.NoteAdded(text=text)).stored(seq=seq, at=utcnow())


async def _declare(log: PgEventLog, incident: str = "INC-1") -> None:
    await log.append(incident, ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id=incident, title="carried")))


def test_a_commit_is_carried_in_payloads_under_the_limit_and_the_plain_notice_comes_last():
    rows = [(n, dump_stored(_stored(n, "€" * 1200))) for n in range(5, 10)]
    sent = notices("INC-7", rows)
    assert [channel for channel, _ in sent] == [CARRIED, CARRIED, CARRIED, CHANNEL]  # ~3.7 KB each: two, two, one
    assert all(len(payload.encode()) < PAYLOAD_LIMIT for _, payload in sent)
    carried = [read(channel, payload) for channel, payload in sent[:-1]]
    assert [event for notice in carried for event in notice.events] == rows
    assert read(*sent[-1]) == read(CHANNEL, "INC-7 9")
    incident, _, seq = sent[-1][1].rpartition(" ")  # how an older server parses it
    assert (incident, int(seq)) == ("INC-7", 9)
    huge = [(1, "x" * PAYLOAD_LIMIT), (2, "{}")]
    assert notices("INC-7", huge) == [(CHANNEL, "INC-7 2")]  # too large: read from the table, and all after it
    assert read(CARRIED, "INC 3\n{\"text\": \"a\u2028b\"}").events == ((3, "{\"text\": \"a\u2028b\"}"),)


def test_how_far_a_notice_reaches_is_read_without_its_events_and_agrees_with_reading_it_whole():
    """A listener drops the notices it has had (its own server's commits among them) on
    ``reach`` alone: the incident and the seq reached, from the raw bytes, without decoding or
    splitting the events."""
    rows = [(n, dump_stored(_stored(n, text))) for n, text in enumerate(["a", "b\nc", "€ \u2028", "{}"], start=41)]
    sent = notices("INC 7 ü", rows) + notices("INC-8", [(1, "x" * PAYLOAD_LIMIT)]) + [(CHANNEL, "INC-9 12")]
    for channel, payload in sent:
        whole = read(channel, payload)
        assert reach(channel.encode(), payload.encode(), "utf-8") == (whole.incident, whole.head)
    for channel, payload in [(CARRIED, "no header line"), (CHANNEL, "INC-1 x"), (CHANNEL, "INC-1")]:
        with pytest.raises(ValueError):
            reach(channel.encode(), payload.encode(), "utf-8")


async def test_events_from_the_other_server_reach_the_hub_once_in_order_and_only_the_oversized_one_is_read(pair):
    mine, other, published, _ = pair
    await _declare(other)
    for n in range(10):
        await _note(other, f"note {n}\nwith a second line")
    await asyncio.gather(*(_note(other, "x" * 3900) for _ in range(6)))  # batched: several payloads per commit
    assert await published.until(17) == list(range(1, 18))
    assert mine.reads_after_notice == 0
    await _note(other, "€" * ev.MAX_TEXT)  # 12 KB of UTF-8: no payload holds it
    await _note(other, "after")
    assert await published.until(19) == list(range(1, 20))
    assert mine.reads_after_notice == 1
    assert [text for _, text in published.events] == [text for _, text in mine.read_json("INC-1", 0, 100)]


async def test_an_older_servers_plain_notice_is_read_and_an_older_listener_still_parses_every_notice(pair):
    mine, other, published, url = pair
    await _declare(other)
    with psycopg.connect(url, autocommit=True) as old:
        old.execute(f"LISTEN {CHANNEL}")  # an older server's listener
        await _note(other, "from a newer server")
        with old.transaction():  # an older server's commit: the row, the head, the plain notice
            stored = _stored(3, "from an older server", actor="bob")
            old.execute(
                "INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES ('INC-1', 3, %s, %s, 'bob', 'note_added', %s)",
                (str(stored.id), stored.at, dump_stored(stored)),
            )
            old.execute("UPDATE incidents SET head = 3 WHERE id = 'INC-1'")
            old.execute("SELECT pg_notify(%s, 'INC-1 3')", (CHANNEL,))
        await _note(other, "newer again")
        assert await published.until(4) == [1, 2, 3, 4]
        assert ev.parse_stored(published.events[2][1]).body.text == "from an older server"
        assert mine.reads_after_notice == 1
        parsed = [(incident, int(seq)) for incident, _, seq in (n.payload.rpartition(" ") for n in old.notifies(timeout=5, stop_after=3))]
        assert parsed == [("INC-1", 2), ("INC-1", 3), ("INC-1", 4)]  # its own included


async def test_carried_events_after_a_gap_are_not_trusted_the_table_is_read(pair):
    mine, other, published, url = pair
    await _declare(other)
    await _note(other, "one")
    assert await published.until(2) == [1, 2]
    forged = _stored(5, "never committed", actor="mallory")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_notify(%s, %s)", (CARRIED, f"INC-1 5\n{dump_stored(forged)}"))
    await _note(other, "three")
    assert await published.until(3) == [1, 2, 3]
    assert mine.reads_after_notice >= 1  # the forged notice sent it to the table (which may hold seq 3 by then, never 5)
    assert [text for _, text in published.events] == [text for _, text in mine.read_json("INC-1", 0, 100)]


async def test_a_lost_listen_connection_is_re_read_and_carried_events_follow_on_without_a_duplicate(pair, postgres):
    mine, other, published, url = pair
    await _declare(other)
    assert await published.until(1) == [1]
    for cut in range(3):
        mine.listening.clear()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'warroom-listen' AND datname = current_database()"
            )
        for n in range(4):  # while the listeners reconnect
            await _note(other, f"{cut}.{n}")
        assert await asyncio.to_thread(mine.listening.wait, 15)
    for n in range(4):
        await _note(other, f"after {n}")
    assert await published.until(17) == list(range(1, 18))
    assert mine.reconnects == 3


def test_hand_overs_are_joined_per_incident_where_they_follow_on():
    batches = [Committed("A", [(1, "a1")]), Committed("B", [(7, "b7")]), Committed("A", [(2, "a2"), (3, "a3")]), Committed("A", [(5, "a5")])]
    assert [(b.incident, b.events) for b in joined(batches)] == [
        ("A", [(1, "a1"), (2, "a2"), (3, "a3")]), ("B", [(7, "b7")]), ("A", [(5, "a5")])
    ]
    assert batches[0].events == [(1, "a1")]  # the hand-overs themselves are left as they were


@contextmanager
def listener_paused(log: PgEventLog) -> Iterator[None]:
    """``log``'s LISTEN backend stopped (SIGSTOP): it sends nothing, not even the answer to a
    keep-alive, until resumed; then it sends every notification queued meanwhile at once."""
    assert log._conn is not None
    pid = log._conn.info.backend_pid
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def test_commits_noticed_together_are_published_to_the_hub_as_one(pair):
    """Notifications that one read of the socket brings (the loop was busy, or they came in
    one packet) are handled in one go and published as one commit per incident."""
    mine, other, published, url = pair
    await _declare(other)
    assert await published.until(1) == [1]
    third = PgEventLog(url)  # a third server: its commit is certainly not the other's
    third.start(asyncio.get_running_loop())
    try:
        assert await asyncio.to_thread(third.listening.wait, 15)
        calls = len(published.calls)
        with listener_paused(mine):
            await asyncio.gather(_note(other, "two"), _note(third, "three"))  # both committed, their notices queued
        assert await published.until(3) == [1, 2, 3]
        assert [[(b.incident, [seq for seq, _ in b.events]) for b in call] for call in published.calls[calls:]] == [[("INC-1", [2, 3])]]
    finally:
        third.close()


def test_hand_overs_that_overlap_are_joined_past_what_the_first_holds():
    """The writer's commit starts with the rows it caught up on, often handed over by the listener already."""
    batches = [Committed("A", [(3, "a3"), (4, "a4")]), Committed("A", [(3, "a3"), (4, "a4"), (5, "a5"), (6, "a6")]), Committed("A", [(6, "a6")])]
    assert [(b.incident, b.events) for b in joined(batches)] == [("A", [(3, "a3"), (4, "a4"), (5, "a5"), (6, "a6")])]


async def test_a_commit_of_this_server_reaches_its_hub_before_the_other_servers_commit_that_follows_it(pair, monkeypatch):
    """The writer hands its commit to the hub in the order the heads moved, before the acks:
    an other server's commit noticed meanwhile never arrives first (the hub would restart its
    tail at the gap and send every subscriber to the database)."""
    mine, other, published, url = pair
    await _declare(mine)
    await published.until(1)
    gate, held = threading.Event(), threading.Event()
    settle = mine._settle

    def slow_settle(outcomes, committed):  # the writer thread, between its commit and the acks
        held.set()
        gate.wait(15)
        settle(outcomes, committed)

    monkeypatch.setattr(mine, "_settle", slow_settle)
    try:
        with listener_paused(mine):  # mine's own notice comes after its head moved
            mine_append = asyncio.create_task(_note(mine, "mine"))
            assert await asyncio.to_thread(held.wait, 15)
        assert await _note(other, "the other's, after mine") == 3
        seqs = await published.until(3)
        assert sorted(set(seqs)) == [1, 2, 3] and all(seq <= max(seqs[:n], default=0) + 1 for n, seq in enumerate(seqs))  # never ahead
        assert not mine_append.done()  # acknowledged only after its commit was published
    finally:
        gate.set()
    assert await mine_append == 2


@pytest.fixture
def quick_ping(monkeypatch) -> float:
    """Keep-alives every 0.4 s of quiet (5 s in service), set before the logs start."""
    monkeypatch.setattr(pglisten, "LISTEN_PING", 0.4)
    return 0.4


async def test_a_listen_connection_that_stops_answering_is_noticed_by_its_keep_alive_and_replaced(quick_ping, pair):
    """A backend that hangs (stopped, its socket open) sends no error: only the unanswered
    keep-alive tells. The listener then reconnects and reads what it missed, once, in order."""
    mine, other, published, url = pair
    await _declare(other)
    assert await published.until(1) == [1]
    assert mine._conn is not None
    pid = mine._conn.info.backend_pid
    with psycopg.connect(url, autocommit=True) as admin:  # a quiet connection is pinged, and an answered ping keeps it
        for _ in range(100):
            if admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s AND state = 'idle'", (pid,)).fetchone() == ("SELECT 1",):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the quiet LISTEN connection was never pinged")
    await asyncio.sleep(3 * quick_ping)  # more pings, each answered
    assert mine.reconnects == 0 and mine._conn is not None and mine._conn.info.backend_pid == pid
    with listener_paused(mine):
        assert await _note(other, "while mine's LISTEN backend hangs") == 2
        assert await published.until(2) == [1, 2]  # read after the reconnect: the old connection still hangs
        assert mine.reconnects == 1 and mine.reads_after_notice == 1
    assert await _note(other, "after") == 3
    assert await published.until(3) == [1, 2, 3]
    assert mine.reconnects == 1


async def test_closing_leaves_no_thread_no_connection_and_no_warning(postgres, caplog):
    """The listener is no thread of its own: the loop watches its socket. Closed from the loop's
    thread (as the tests do) or from another (as the app's shutdown does), a log leaves no
    thread, connection, pending callback or warning behind."""
    url = postgres.url(postgres.create_database(prefix="closing"))
    loop = asyncio.get_running_loop()
    logs = [PgEventLog(url), PgEventLog(url)]
    for log in logs:
        log.start(loop)
    for log in logs:
        assert await asyncio.to_thread(log.listening.wait, 15)
    assert "warroom-pg-listener" not in [thread.name for thread in threading.enumerate()]
    await _declare(logs[0])
    await _note(logs[1], "one")
    caplog.set_level("DEBUG")
    logs[0].close()
    await asyncio.to_thread(logs[1].close)
    for _ in range(3):
        await asyncio.sleep(0)  # callbacks the close left would run here
    gc.collect()  # a future whose exception nobody retrieved says so when collected
    assert not [thread.name for thread in threading.enumerate() if thread.name.startswith("warroom-pg")]
    assert all(log._conn is None and log._timer is None and not log.listening.is_set() for log in logs)
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


async def test_a_read_stuck_on_a_database_that_stopped_answering_does_not_hold_the_stop(postgres, monkeypatch):
    """A plain notice sends the listener to read rows; if the database stops answering mid-read
    (its backends hung: SIGSTOP here), closing the log waits ``STOP_WAIT`` for that read, not for
    ever, and leaves the stuck thread to die with the process (a daemon)."""
    monkeypatch.setattr(pglisten, "STOP_WAIT", 0.5)
    url = postgres.url(postgres.create_database(prefix="stuck"))
    log = PgEventLog(url)
    log.start(asyncio.get_running_loop())
    stopped: list[int] = []
    try:
        assert await asyncio.to_thread(log.listening.wait, 15)
        await _declare(log)
        with psycopg.connect(url, autocommit=True) as admin:
            readers = [pid for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND application_name <> 'warroom-listen'"
            )]
            assert readers, "the log's pool has no connection to hang"
            for pid in readers:
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
            admin.execute("SELECT pg_notify(%s, %s)", (CHANNEL, "INC-1 5"))  # rows past what the hub has: a read
        reads = log.reads_after_notice
        for _ in range(500):
            if log.reads_after_notice > reads:
                break
            await asyncio.sleep(0.01)
        assert log.reads_after_notice > reads, "the notice sent the listener to no read"
        stuck = [thread for thread in threading.enumerate() if thread.name == "warroom-pg-listen"]
        started = asyncio.get_running_loop().time()
        await asyncio.to_thread(log.close)
        assert asyncio.get_running_loop().time() - started < 5
        assert stuck and all(thread.daemon and thread.is_alive() for thread in stuck)  # still in the read: left behind
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
        log.close()
