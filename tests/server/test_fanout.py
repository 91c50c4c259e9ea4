"""The hub writes commits to caught-up streams itself; a stream whose reader falls behind
leaves that path, catches up in pages, and rejoins it -- on the wire, every event once, in order."""

from __future__ import annotations

import asyncio
import gc
import re
import socket
import weakref
from typing import Any, cast

import httpx

from tests.server.harness import ServerProcess
from warroom.asgi.heap import GC_YOUNG_OBJECTS, collect_young_less_often

NOTES = 1500
NOTE_BYTES = 3990  # 6 MB: more than a 4 KB receive buffer and the kernel's send buffer (4 MB at most) hold
EVENT_ID = re.compile(rb"^id: (\d+)$", re.M)


class Stream:
    """One raw SSE stream: the event ids it has received, read from the chunked body as it arrives."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.ids: list[int] = []
        self._text = b""  # body not yet split into whole messages

    @classmethod
    async def open(cls, server: ServerProcess, token: str, incident_id: str) -> Stream:
        host, port = server.url.removeprefix("http://").split(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # so it fills at once when not read
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        stream = cls(*await asyncio.open_connection(sock=sock))
        stream.writer.write(f"GET /api/incidents/{incident_id}/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
        head = await stream.reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in head.lower()
        return stream

    async def until(self, last: int) -> list[int]:
        """Read until event ``last`` has arrived; every id received so far."""
        while not self.ids or self.ids[-1] < last:
            size = int(await self.reader.readuntil(b"\r\n"), 16)
            assert size, "the server ended the stream"
            self._text += (await self.reader.readexactly(size + 2))[:-2]
            whole, _, self._text = self._text.rpartition(b"\n\n")
            self.ids += [int(n) for n in EVENT_ID.findall(whole)]
        return self.ids

    def close(self) -> None:
        self.writer.close()


async def _append_notes(url: str, token: str, incident_id: str, notes: int, at_once: int = 8) -> None:
    queue = list(range(notes))
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:

        async def appender() -> None:
            while queue:
                note = {"body": {"type": "note_added", "text": f"{queue.pop(0):04d} " + "x" * NOTE_BYTES}}
                assert (await client.post(f"/api/incidents/{incident_id}/events", json=note)).status_code == 201

        await asyncio.gather(*(appender() for _ in range(at_once)))


async def test_a_stream_that_falls_behind_catches_up_in_order_and_then_follows_live(start_server, tokens):
    server = start_server("--rate-limit", "0")
    alice = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {tokens['alice']}"}, timeout=30)
    streams: list[Stream] = []
    try:
        assert (await alice.post("/api/incidents", json={"incident_id": "INC-FAN", "title": "Fan-out"})).status_code == 201
        slow = await Stream.open(server, tokens["bob"], "INC-FAN")
        keeping_up = await Stream.open(server, tokens["carol"], "INC-FAN")
        streams += [slow, keeping_up]
        assert await asyncio.wait_for(slow.until(1), 10) == [1]
        reading = asyncio.create_task(keeping_up.until(NOTES + 1))
        # slow reads nothing meanwhile: its buffers fill and the hub must stop writing to it
        await asyncio.wait_for(_append_notes(server.url, tokens["alice"], "INC-FAN", NOTES), 120)
        assert await asyncio.wait_for(reading, 60) == list(range(1, NOTES + 2))
        assert await asyncio.wait_for(slow.until(NOTES + 1), 60) == list(range(1, NOTES + 2))  # every event once, in order
        live = {"body": {"type": "note_added", "text": "live"}}
        assert (await alice.post("/api/incidents/INC-FAN/events", json=live)).status_code == 201
        for stream in streams:  # caught up: followed live again
            assert await asyncio.wait_for(stream.until(NOTES + 2), 10) == list(range(1, NOTES + 3))
    finally:
        for stream in streams:
            stream.close()
        await alice.aclose()


def test_a_server_collects_its_young_objects_every_few_thousand_allocations():
    threshold = gc.get_threshold()
    try:
        collect_young_less_often()
        assert gc.get_threshold() == (GC_YOUNG_OBJECTS, *threshold[1:])
    finally:
        gc.set_threshold(*threshold)


def test_a_request_s_body_writer_makes_no_reference_cycle():
    """The writer lives in the request's scope, which its cycle holds: a strong reference back would
    leave every request (its scope, headers and cycle) to the cyclic collector, or frozen for good."""
    from warroom.server.protocol import BODY_WRITER, BodyWriter

    class Cycle:  # what uvicorn's RequestResponseCycle holds: the scope
        scope: dict

    cycle = Cycle()
    cycle.scope = {"extensions": {BODY_WRITER: {"write": BodyWriter(cast(Any, cycle)).write}}}
    gone = weakref.ref(cycle)
    gc.disable()
    try:
        del cycle
        assert gone() is None  # freed by its reference count alone
    finally:
        gc.enable()
