"""The SQLite log's commits reach the hub with their acks, joined when the loop is behind.

The writer thread commits and hands each commit back to the event loop, which publishes it
(the hub writes every caught-up subscriber) and then acknowledges its appends. When the loop
has not got to one hand-back before the writer hands back the next, both go out in one
publish: each subscriber is written once for the two commits, and every ack still follows
the publish of its own event."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from warroom.incident import events as ev
from warroom.server.db import Committed, EventLog


async def _note(log: EventLog, text: str) -> tuple[str, bool]:
    return await log.append("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text=text)))


async def test_commits_handed_back_while_the_loop_is_busy_are_published_as_one_and_acked_after_it(tmp_path, monkeypatch):
    published: list[list[tuple[str, list[int]]]] = []
    order: list[str] = []

    def on_commit(committed: list[Committed]) -> None:
        published.append([(batch.incident, [seq for seq, _ in batch.events]) for batch in committed])
        order.append("published " + ",".join(str(seq) for batch in committed for seq, _ in batch.events))

    log = EventLog(tmp_path / "server.db", on_commit=on_commit)
    log.start(asyncio.get_running_loop())
    try:
        await log.append("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t", severity=2)))
        published.clear()
        order.clear()
        entered, gate, both = threading.Event(), threading.Event(), threading.Event()
        transactions: list[int] = []
        transaction = log._transaction

        def gated(jobs: list[Any], committed: list[Committed]) -> Any:  # the writer thread
            entered.set()
            gate.wait(10)
            outcome = transaction(jobs, committed)
            transactions.append(len(jobs))
            if len(transactions) == 2:
                both.set()
            return outcome

        monkeypatch.setattr(log, "_transaction", gated)

        async def acked(text: str) -> None:
            stored, _ = await _note(log, text)
            order.append("acked " + stored.split('"seq":')[1].split(",")[0].strip())

        first = asyncio.create_task(acked("one"))
        await asyncio.sleep(0)  # queued for the writer
        assert entered.wait(10)  # the writer has taken it alone and waits at the gate
        second = asyncio.create_task(acked("two"))
        await asyncio.sleep(0)  # queued behind it: the writer's next batch
        gate.set()
        assert both.wait(10)  # both committed and handed back while the loop was blocked, as a busy one is
        await asyncio.gather(first, second)
        assert transactions == [1, 1]  # two commits...
        assert published == [[("INC-1", [2, 3])]]  # ...published as one
        assert order == ["published 2,3", "acked 2", "acked 3"]
    finally:
        log.close()
