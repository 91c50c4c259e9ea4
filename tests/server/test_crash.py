"""The server dies (kill -9) mid-stream and comes back on the same database and port.

Every acknowledged event must still be there, a following client must resume with
no gap and no duplicate, and a board's offline queue must drain in order, with the
refusals it meets reported.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import pytest

from tests.server.harness import ServerProcess
from warroom.incident import events as ev
from warroom.store import StoreUnavailable
from warroom.store.http import HttpStore, LateRefusal, Queued

WAIT = 30.0


def draft(actor: str, body: ev.Body) -> ev.EventDraft:
    return ev.EventDraft(actor=actor, body=body)


class Follower:
    """Follows an incident in a task and lets a test await 'seen up to seq N'."""

    def __init__(self, store: HttpStore, incident_id: str):
        self.seen: list[ev.StoredEvent] = []
        self._progress = asyncio.Event()
        self.task = asyncio.create_task(self._run(store, incident_id))

    async def _run(self, store: HttpStore, incident_id: str) -> None:
        async for event in store.follow(incident_id):
            self.seen.append(event)
            self._progress.set()

    async def until(self, seq: int) -> None:
        async def reached() -> None:
            while not (self.seen and self.seen[-1].seq >= seq):
                self._progress.clear()
                if self.task.done():
                    self.task.result()
                await self._progress.wait()

        await asyncio.wait_for(reached(), WAIT)

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def test_kill_9_mid_stream(start_server: Callable[..., ServerProcess], tokens: dict[str, str]):
    server = start_server()
    writer = HttpStore(server.url, token=tokens["alice"], retries=0)
    follower_store = HttpStore(server.url, token=tokens["carol"], backoff_max=0.2)
    board = HttpStore(server.url, token=tokens["bob"], queue_offline=True, backoff_max=0.2)
    statuses: list[bool] = []
    refused: list[LateRefusal] = []
    delivered: list[ev.StoredEvent] = []
    board.on_status(statuses.append)
    board.on_refused(refused.append)
    board.on_delivered(lambda incident, stored: delivered.append(stored))
    follower = None
    try:
        await writer.append("INC-CRASH", draft("alice", ev.IncidentDeclared(incident_id="INC-CRASH", title="Crash")))
        await board.append("INC-CRASH", draft("bob", ev.ResponderJoined()))
        assert board.online is True
        follower = Follower(follower_store, "INC-CRASH")
        acked = [await writer.append("INC-CRASH", draft("alice", ev.NoteAdded(text=f"before {i}"))) for i in range(30)]
        await follower.until(acked[-1].seq)

        # A burst in flight; kill -9 as soon as the first of it is acknowledged.
        burst = [asyncio.create_task(writer.append("INC-CRASH", draft("alice", ev.NoteAdded(text=f"burst {i}")))) for i in range(40)]
        await asyncio.wait(burst, return_when=asyncio.FIRST_COMPLETED)
        server.kill()
        outcomes = await asyncio.gather(*burst, return_exceptions=True)
        acked += [o for o in outcomes if isinstance(o, ev.StoredEvent)]
        assert all(isinstance(o, (ev.StoredEvent, StoreUnavailable)) for o in outcomes), outcomes
        assert any(isinstance(o, ev.StoredEvent) for o in outcomes)

        # Offline: the board queues, in order; one of them will be refused on delivery.
        queued = [
            draft("bob", ev.NoteAdded(text="offline A")),
            draft("bob", ev.BroadcastSent(text="not the commander")),
            draft("bob", ev.NoteAdded(text="offline B")),
        ]
        for n, d in enumerate(queued, start=1):
            with pytest.raises(Queued) as was_queued:
                await board.append("INC-CRASH", d)
            assert was_queued.value.draft is d and board.pending() == n
        assert board.online is False and statuses[-1] is False
        assert [d for _, d in board.pending_drafts()] == queued
        with pytest.raises(StoreUnavailable):  # the plain contract: no queue, no pretending
            await writer.append("INC-CRASH", draft("alice", ev.NoteAdded(text="while down")))

        server.start()  # same database, same port
        assert await board.flush(timeout=WAIT)
        assert board.pending() == 0 and board.online is True
        assert [e.id for e in delivered] == [queued[0].id, queued[2].id]
        assert len(refused) == 1 and refused[0].draft is queued[1] and "only the commander" in refused[0].reason

        final = await writer.read("INC-CRASH")
        assert [e.seq for e in final] == list(range(1, len(final) + 1))
        by_id = {e.id: e for e in final}
        for event in acked:  # every acknowledged event survived, exactly as acknowledged
            assert by_id[event.id] == event
        notes = [e.body.text for e in final if e.type == "note_added" and e.body.text.startswith("offline")]
        assert notes == ["offline A", "offline B"]

        await follower.until(final[-1].seq)
        assert follower.seen == final[: len(follower.seen)] and follower.seen[-1].seq == final[-1].seq
        await follower_store.append("INC-CRASH", draft("carol", ev.NoteAdded(text="after the restart")))
        await follower.until(final[-1].seq + 1)
        assert [e.seq for e in follower.seen] == list(range(1, final[-1].seq + 2))
    finally:
        if follower is not None:
            await follower.stop()
        for store in (writer, follower_store, board):
            await store.aclose()
        server.stop()
    with sqlite3.connect(server.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_a_graceful_stop_ends_streams_and_a_follower_resumes(start_server: Callable[..., ServerProcess], tokens: dict[str, str]):
    server = start_server()
    alice = HttpStore(server.url, token=tokens["alice"])
    watcher = HttpStore(server.url, token=tokens["bob"], backoff_max=0.2)
    follower = None
    try:
        await alice.append("INC-STOP", draft("alice", ev.IncidentDeclared(incident_id="INC-STOP", title="Stop")))
        follower = Follower(watcher, "INC-STOP")
        await follower.until(1)
        code = await asyncio.to_thread(server.stop, 15.0)  # SIGTERM with a stream open
        assert code is not None and server.proc is None
        server.start()
        await alice.append("INC-STOP", draft("alice", ev.NoteAdded(text="back")))
        await follower.until(2)
        assert [e.seq for e in follower.seen] == [1, 2]
    finally:
        if follower is not None:
            await follower.stop()
        await alice.aclose()
        await watcher.aclose()


def test_one_server_per_database(server: ServerProcess):
    second = ServerProcess(server.db, env=server.env, log=server.db.with_suffix(".second.log"))
    with pytest.raises(AssertionError, match="exited"):
        second.start(timeout=30)
    assert "already using" in second.log.read_text()
