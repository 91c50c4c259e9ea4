"""The HTTP store's streams where a real ``warroom serve`` never goes: a stream that skips a
seq (the store fills the gap with a plain read, yielding each event once, in order) and a
server from before the list stream (``watch_incidents`` falls back to polling the list).

A small stdlib HTTP server on 127.0.0.1 plays that server; it records what was asked.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.builder import LogBuilder
from warroom.incident import events as ev
from warroom.incident.events import dump_stored
from warroom.store import IncidentSummary
from warroom.store.http import HttpStore

LOG = LogBuilder("INC-1")
LOG.declare()
for text in ("two", "three", "four", "five"):
    LOG.add("alice", ev.NoteAdded(text=text))
SENT_ON_STREAM = (1, 4, 5)  # 2 and 3 never come on the stream


class OldServer(BaseHTTPRequestHandler):
    requests: list[str]

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.requests.append(f"{url.path}?{url.query}|{self.headers.get('Last-Event-ID', '')}")
        if url.path == "/api/incidents/INC-1/stream":
            after = int(self.headers.get("Last-Event-ID") or query.get("after", ["0"])[0])
            lines = [
                f"id: {event.seq}\ndata: {dump_stored(event)}\n\n" for event in LOG.events if event.seq in SENT_ON_STREAM and event.seq > after
            ]
            self._send(200, "".join(lines).encode(), "text/event-stream")
        elif url.path == "/api/incidents/INC-1/events":
            after = int(query.get("after", ["0"])[0])
            self._send(200, json.dumps([json.loads(dump_stored(e)) for e in LOG.events if e.seq > after]).encode())
        elif url.path == "/api/incidents":
            self._send(200, json.dumps([IncidentSummary.of(LOG.state()).as_dict()]).encode())
        else:  # /api/incidents/stream among them: this server predates the list stream
            self._send(404, b'{"detail": "Not Found"}')


@pytest.fixture
def old_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    handler = type("Handler", (OldServer,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_follow_fills_a_gap_in_the_stream_with_a_read_and_yields_each_event_once(old_server):
    url, requests = old_server
    async with HttpStore(url) as store:
        stream = store.follow("INC-1")
        seen = [(await anext(stream)).seq for _ in range(5)]
        await stream.aclose()
    assert seen == [1, 2, 3, 4, 5]
    assert "/api/incidents/INC-1/events?after=1&limit=1000|" in requests  # the gap was read, from the cursor


async def test_follow_resumes_after_the_last_event_it_yielded(old_server):
    url, requests = old_server
    async with HttpStore(url) as store:
        stream = store.follow("INC-1", after=3)
        assert [(await anext(stream)).seq for _ in range(2)] == [4, 5]
        await stream.aclose()
    streams = [r for r in requests if r.startswith("/api/incidents/INC-1/stream")]
    assert streams[0] == "/api/incidents/INC-1/stream?after=3|3"


async def test_watch_incidents_polls_the_list_on_a_server_without_the_list_stream(old_server):
    url, requests = old_server
    async with HttpStore(url) as store:
        watch = store.watch_incidents(every=0.01)
        first = await asyncio.wait_for(anext(watch), 10)
        await watch.aclose()
    assert first.complete and [s.id for s in first.summaries] == ["INC-1"]
    assert requests[:2] == ["/api/incidents/stream?|", "/api/incidents?|"]
