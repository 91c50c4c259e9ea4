"""A status page crowd's fan-out lets the responders' appends go first (issue 26).

A broadcast to 10,000 pages is ~0.4 s of the server's CPU. The pages are woken a batch at a
time; while an append waits for the writer thread, the next batch waits too (a few ms at a
time, a bounded number of times, so a flood of appends slows the fan-out down but never
stops it). The writer says whether anything is in flight (``WriterLog.writing``), and the
request middleware whether a responder's request has not been answered yet (``Metrics.answering``)."""

from __future__ import annotations

import asyncio
from typing import Any

from warroom.incident import events as ev
from warroom.server.db import EventLog
from warroom.server.watch import Metrics, Watch
from warroom.web.live import MAX_YIELDS, WAKE_BATCH, YIELD_SECONDS, _resolve_in_batches


def _pages(loop: asyncio.AbstractEventLoop, batches: int) -> list[asyncio.Future[str]]:
    return [loop.create_future() for _ in range(batches * WAKE_BATCH)]


async def test_while_an_append_is_in_flight_each_batch_waits_a_bounded_time_and_every_page_is_still_woken():
    loop = asyncio.get_running_loop()
    pages = _pages(loop, 4)
    asked = []

    def writing() -> bool:
        asked.append(loop.time())
        return True  # a flood: an append always in flight

    started = loop.time()
    _resolve_in_batches(pages, "change", writing)
    assert all(page.done() for page in pages[:WAKE_BATCH]) and not pages[WAKE_BATCH].done()  # the first batch at once
    assert await asyncio.wait_for(asyncio.gather(*pages), timeout=10) == ["change"] * len(pages)
    assert len(asked) == 3 * MAX_YIELDS  # each later batch asked, waited, and went on after MAX_YIELDS waits
    assert loop.time() - started >= 3 * MAX_YIELDS * YIELD_SECONDS


async def test_with_no_append_in_flight_the_batches_follow_each_other_without_waiting():
    loop = asyncio.get_running_loop()
    pages = _pages(loop, 4)
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while not pages[-1].done():
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.ensure_future(count_turns())
    _resolve_in_batches(pages, "change", lambda: False)
    await asyncio.wait_for(asyncio.gather(*pages), timeout=10)
    await counter
    assert turns <= 4  # one batch per turn of the loop, no timer between them


async def test_the_writer_says_an_append_is_in_flight_until_it_is_answered(tmp_path):
    log = EventLog(tmp_path / "server.db")
    log.start(asyncio.get_running_loop())
    try:
        assert not log.writing()
        declare = ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t", severity=2))
        append = asyncio.ensure_future(log.append("INC-1", declare))
        await asyncio.sleep(0)  # the append is queued for the writer thread
        assert log.writing()
        await append
        assert not log.writing()
    finally:
        log.close()


async def test_a_responders_request_counts_as_answered_until_its_answer_starts_and_a_status_page_request_never():
    metrics = Metrics("sqlite")
    answer = asyncio.Event()

    async def app(scope: dict, receive: Any, send: Any) -> None:
        await answer.wait()
        await send({"type": "http.response.start", "status": 201, "headers": []})
        assert metrics.answering == 0  # the answer has started: the fan-out need not wait for the rest
        await send({"type": "http.response.body", "body": b"{}"})

    async def ignore(message: dict) -> None:
        pass

    watch = Watch(app, metrics=metrics, log_requests=False)
    for path, counted in (("/api/incidents/INC-1/events", 1), ("/status/INC-1/stream", 0)):
        answer.clear()
        request = asyncio.ensure_future(watch({"type": "http", "method": "POST", "path": path}, ignore, ignore))
        await asyncio.sleep(0)
        assert metrics.answering == counted
        answer.set()
        await request
        assert metrics.answering == 0
    failing = asyncio.ensure_future(watch({"type": "http", "method": "POST", "path": "/api/x"}, ignore, ignore))
    await asyncio.sleep(0)
    failing.cancel()  # a request that never answers (the client went away) is not counted for ever
    await asyncio.gather(failing, return_exceptions=True)
    assert metrics.answering == 0
