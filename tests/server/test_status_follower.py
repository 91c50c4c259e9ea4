"""The status page process's view of the server's SQLite log (``warroom.server.follower``):
it reads and follows what the server's writer commits, lists the incidents, and never
writes nor holds the writer back."""

from __future__ import annotations

import asyncio
import time

import pytest

from warroom.incident import events as ev
from warroom.server.db import EventLog
from warroom.server.follower import SqliteFollower
from warroom.store.base import StoreError, UnknownIncident


async def _add(log: EventLog, incident: str, body: ev.Body, actor: str = "alice") -> None:
    await log.append(incident, ev.EventDraft(actor=actor, body=body))


async def test_the_follower_reads_follows_and_lists_what_the_server_commits(tmp_path):
    log = EventLog(tmp_path / "server.db")
    log.start(asyncio.get_running_loop())
    follower = SqliteFollower(tmp_path / "server.db")
    try:
        await _add(log, "INC-1", ev.IncidentDeclared(incident_id="INC-1", title="db down", severity=2))
        assert [e.seq for e in await follower.read("INC-1")] == [1]
        with pytest.raises(UnknownIncident):
            await follower.read("INC-2")
        with pytest.raises(StoreError):
            await follower.append("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text="no")))
        assert [s.id for s in await follower.incidents()] == ["INC-1"]

        seen: asyncio.Queue[ev.StoredEvent] = asyncio.Queue()

        async def follow() -> None:
            async for event in follower.follow("INC-1"):
                await seen.put(event)

        task = asyncio.create_task(follow())
        assert (await asyncio.wait_for(seen.get(), 5)).seq == 1
        started = time.perf_counter()
        await _add(log, "INC-1", ev.BroadcastSent(text="we are on it", audience="stakeholders"))
        assert (await asyncio.wait_for(seen.get(), 5)).seq == 2
        assert time.perf_counter() - started < 0.5  # noticed within a poll or so, as the page needs

        await _add(log, "INC-2", ev.IncidentDeclared(incident_id="INC-2", title="later", severity=3))
        for _ in range(100):  # the list catches up once a poll has noticed the commit
            listed = await follower.incidents()
            if len(listed) == 2:
                break
            await asyncio.sleep(0.02)
        assert [s.id for s in listed] == ["INC-2", "INC-1"]
        assert listed[1].seq == 2
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        await follower.aclose()
        log.close()


async def test_the_follower_never_holds_the_writer_back_nor_writes(tmp_path):
    """Appends go on while the follower reads in a loop; its connection is read-only."""
    db = tmp_path / "server.db"
    log = EventLog(db)
    log.start(asyncio.get_running_loop())
    follower = SqliteFollower(db)
    try:
        await _add(log, "INC-1", ev.IncidentDeclared(incident_id="INC-1", title="t", severity=2))
        stop = False

        async def read_all_the_time() -> int:
            reads = 0
            while not stop:
                await follower.read("INC-1")
                await follower.incidents()
                reads += 1
            return reads

        reader = asyncio.create_task(read_all_the_time())
        slowest = 0.0
        for n in range(100):
            started = time.perf_counter()
            await _add(log, "INC-1", ev.NoteAdded(text=f"note {n}"))
            slowest = max(slowest, time.perf_counter() - started)
        stop = True
        assert await reader > 0
        assert slowest < 1.0  # never a busy wait on the follower's lock (the writer waits 10 s for one)
        assert len(await follower.read("INC-1")) == 101
        with pytest.raises(Exception, match="readonly|read-only|attempt to write"):
            follower._db().execute("CREATE TABLE x (y)")
    finally:
        await follower.aclose()
        log.close()


async def test_the_list_names_every_incident_however_their_ids_sort_and_however_long_their_logs(tmp_path):
    log = EventLog(tmp_path / "server.db")
    log.start(asyncio.get_running_loop())
    follower = SqliteFollower(tmp_path / "server.db")
    ids = ["INC-10", "A-1", "INC-1", "INC-2", "Z", "INC-1A"]
    try:
        for incident in ids:
            await _add(log, incident, ev.IncidentDeclared(incident_id=incident, title="t", severity=3))
        for n in range(30):  # a longer log between others: each incident is still listed once
            await _add(log, "INC-1", ev.NoteAdded(text=f"note {n}"))
        listed = await follower.incidents()
        assert sorted(s.id for s in listed) == sorted(ids)
        assert {s.id: s.seq for s in listed}["INC-1"] == 31
    finally:
        await follower.aclose()
        log.close()
