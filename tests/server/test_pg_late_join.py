"""Appends queued while a PostgreSQL batch waits for its incident's row lock join that batch.

Two servers appending to one incident take its row lock in turn: a server's batch waits for
the other's commit, and the appends its clients send meanwhile used to wait for the next
batch (a commit, a fan-out to every subscriber and two round trips more). Once the lock is
held they join the batch, if they append to an incident it holds and declare nothing; the
first job that does not fit, and all behind it, wait for the next batch as before. A joined
append's id was not read under the lock: if it turns out to be stored already (a client's
retry), the batch is tried once more with every id read first, and the retry gets its
original.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg

from warroom.incident import events as ev
from warroom.server.pg import PgEventLog

from .test_pg_carried import _declare, _note, pair  # noqa: F401 (a fixture, taken as a parameter: F811 below)


@asynccontextmanager
async def row_locked(url: str, incident: str = "INC-1") -> AsyncIterator[None]:
    """``incident``'s row locked by another transaction (as the other server's batch holds it) until the block ends."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT head FROM incidents WHERE id = %s FOR UPDATE", (incident,))
        yield
        conn.commit()


async def _until_a_batch_waits_for_the_lock(url: str) -> None:
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(1500):
            if conn.execute(waiting).fetchone() == (1,):
                return
            await asyncio.sleep(0.01)  # nothing to await: the database's state is asked
    raise AssertionError("no batch waited for the row lock")


def _queued(log: PgEventLog, appends: list) -> list[asyncio.Task]:
    return [asyncio.create_task(append) for append in appends]


async def _let_them_queue(tasks: list[asyncio.Task]) -> None:
    for _ in range(len(tasks) + 2):
        await asyncio.sleep(0)  # each task queues its job


def _transactions(url: str) -> dict[int, str]:
    """Each event's seq (of INC-1) and the transaction that stored it."""
    with psycopg.connect(url, autocommit=True) as conn:
        return dict(conn.execute("SELECT seq, xmin::text FROM events WHERE incident = 'INC-1' ORDER BY seq").fetchall())


async def test_appends_queued_while_a_batch_waits_for_the_lock_are_stored_in_its_transaction(pair):  # noqa: F811
    mine, other, published, url = pair
    await _declare(mine)
    async with row_locked(url):
        first = asyncio.create_task(_note(mine, "waits for the lock"))
        await _until_a_batch_waits_for_the_lock(url)
        later = _queued(mine, [_note(mine, f"queued meanwhile {n}") for n in range(3)])
        await _let_them_queue(later)
    assert await asyncio.gather(first, *later) == [2, 3, 4, 5]
    stored_by = _transactions(url)
    assert len({stored_by[seq] for seq in (2, 3, 4, 5)}) == 1
    await published.until(5)
    assert [seq for seq, _ in published.events] == [1, 2, 3, 4, 5]
    assert await _note(other, "after them") == 6


async def test_a_job_that_cannot_join_and_every_job_behind_it_wait_for_the_next_batch_in_order(pair):  # noqa: F811
    mine, other, published, url = pair
    await _declare(mine)
    await _declare(mine, "INC-2")
    async with row_locked(url):
        first = asyncio.create_task(_note(mine, "waits for the lock"))
        await _until_a_batch_waits_for_the_lock(url)
        later = _queued(
            mine,
            [
                _note(mine, "joins"),
                _note(mine, "another incident: not locked", incident="INC-2"),
                _note(mine, "behind it"),
                mine.append("INC-3", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-3", title="new"))),
            ],
        )
        await _let_them_queue(later)
    outcomes = await asyncio.gather(first, *later)
    assert outcomes[:4] == [2, 3, 2, 4]
    stored_by = _transactions(url)
    assert stored_by[2] == stored_by[3] != stored_by[4]
    assert [seq for seq, _ in mine.read_json("INC-3", 0, 10)] == [1]


async def test_a_retry_that_joins_late_gets_its_original_and_the_batch_is_stored_all_the_same(pair):  # noqa: F811
    mine, other, published, url = pair
    await _declare(mine)
    await _declare(mine, "INC-2")
    once = ev.EventDraft(actor="alice", body=ev.NoteAdded(text="stored once"))
    elsewhere = ev.EventDraft(actor="alice", body=ev.NoteAdded(text="stored in INC-2"))
    original, new = await mine.append("INC-1", once)
    assert new
    await other.append("INC-2", elsewhere)
    async with row_locked(url):
        first = asyncio.create_task(_note(mine, "waits for the lock"))
        await _until_a_batch_waits_for_the_lock(url)
        later = _queued(mine, [mine.append("INC-1", once), _note(mine, "after the retry"), mine.append("INC-1", elsewhere)])
        await _let_them_queue(later)
    first_seq, retried, after, clash = await asyncio.gather(first, *later, return_exceptions=True)
    assert (first_seq, retried, after) == (3, (original, False), 4)
    assert "already used" in str(clash)
    assert [seq for seq, _ in mine.read_json("INC-1", 0, 10)] == [1, 2, 3, 4]
