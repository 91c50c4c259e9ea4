"""The HTTP store's stream reader against a server that says exactly what each test scripts.

A real ``warroom serve`` always frames its streams the same way; these answers are the ones
it never gives but a proxy, a load balancer or a broken network can: events split at awkward
points, a body framed by its length or by the connection's end, silence past the read
timeout, a 429, a 401 with its reason, a 200 that is an HTML page. Each runs through both
ways the store reads a stream: its own (``lean``: a plain ``http://`` connection) and
httpx's (a store given a transport, or one behind a proxy), which must behave the same.

The server is an asyncio server in the test's own loop; each connection gets the next
scripted answer and records the request it was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from tests.builder import LogBuilder
from warroom.incident import events as ev
from warroom.incident.events import dump_stored
from warroom.store.http import AuthError, HttpStore

LOG = LogBuilder("INC-1")
LOG.declare()
for text in ("two", "three", "four"):
    LOG.add("alice", ev.NoteAdded(text=text))
FRAMES = [f"id: {e.seq}\r\ndata: {dump_stored(e)}\r\n\r\n".encode() for e in LOG.events]

Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]
PATHS = ["lean", "httpx"]
TOKEN = "sekrit123"


class Scripted:
    """Answers the n-th connection with ``answers[n]`` (the last one again once they run out).
    One request per connection: an answer that is not a stream says ``Connection: close``."""

    def __init__(self, answers: list[Answer]):
        self.answers = answers
        self.requests: list[bytes] = []
        self.arrived = asyncio.Condition()
        self.url = ""
        self._held: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        answer = self.answers[min(len(self.requests), len(self.answers) - 1)]
        async with self.arrived:
            self.requests.append(head)
            self.arrived.notify_all()
        self._held.append(writer)
        with contextlib.suppress(ConnectionError):
            await answer(writer)

    async def requests_made(self, count: int) -> list[bytes]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.requests) >= count), 10)
        return self.requests

    def close_all(self) -> None:
        for writer in self._held:
            writer.transport.abort()


@contextlib.asynccontextmanager
async def scripted(*answers: Answer, port: int = 0) -> AsyncIterator[Scripted]:
    server_side = Scripted(list(answers))
    server = await asyncio.start_server(server_side.handle, "127.0.0.1", port)
    server_side.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield server_side
    finally:
        server_side.close_all()
        server.close()
        await server.wait_closed()


def store_for(url: str, path: str, stream_read_timeout: float = 60.0) -> HttpStore:
    transport = httpx.AsyncHTTPTransport() if path == "httpx" else None
    return HttpStore(url, token=TOKEN, transport=transport, backoff_max=0.05, stream_read_timeout=stream_read_timeout)


def head(status: str, *headers: str) -> bytes:
    return f"HTTP/1.1 {status}\r\n{''.join(h + chr(13) + chr(10) for h in headers)}\r\n".encode()


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def stream_of(frames: list[bytes], *, hold: bool = True) -> Answer:
    """A chunked event stream with chunk boundaries (and writes) falling inside lines and CRLFs."""

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head("200 OK", "Content-Type: text/event-stream; charset=utf-8", "Transfer-Encoding: chunked"))
        writer.write(chunk(b": connected\r\nretry: 3000\r\n\r\n"))
        data = b"".join(frames)
        for start in range(0, len(data), 37):  # 37: lands inside ids, JSON, and between CR and LF
            writer.write(chunk(data[start : start + 37]))
            await writer.drain()
        if hold:
            await asyncio.Event().wait()  # open until the test ends; the test's client closes it
        writer.write(b"0\r\n\r\n")
        writer.close()

    return answer


async def first(store: HttpStore, count: int, after: int = 0) -> list[int]:
    seqs: list[int] = []
    async with contextlib.aclosing(store.follow("INC-1", after=after)) as events:
        async for event in events:
            seqs.append(event.seq)
            if len(seqs) == count:
                break
    return seqs


@pytest.mark.parametrize("path", PATHS)
async def test_events_split_anywhere_in_chunks_and_reads_come_out_whole_and_in_order(path: str):
    async with scripted(stream_of(FRAMES)) as server:
        store = store_for(server.url, path)
        try:
            assert await asyncio.wait_for(first(store, 4), 10) == [1, 2, 3, 4]
        finally:
            await store.aclose()
        request = (await server.requests_made(1))[0].lower()
        assert request.startswith(b"get /api/incidents/inc-1/stream?after=0 http/1.1\r\n")
        assert f"\r\nauthorization: bearer {TOKEN}\r\n".encode() in request and b"\r\nlast-event-id: 0\r\n" in request
        assert b"\r\naccept: text/event-stream\r\n" in request


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("framing", ["length", "close"])
async def test_a_stream_framed_by_its_length_or_its_end_is_read_then_resumed(path: str, framing: str):
    async def once(writer: asyncio.StreamWriter) -> None:  # two events, then the end of the body
        body = b"".join(FRAMES[:2])
        length = [f"Content-Length: {len(body)}"] if framing == "length" else ["Connection: close"]
        writer.write(head("200 OK", "Content-Type: text/event-stream", *length) + body)
        await writer.drain()
        writer.close()

    async with scripted(once, stream_of(FRAMES[2:])) as server:
        store = store_for(server.url, path)
        try:
            assert await asyncio.wait_for(first(store, 4), 10) == [1, 2, 3, 4]
        finally:
            await store.aclose()
        assert b"last-event-id: 2\r\n" in (await server.requests_made(2))[1].lower()


@pytest.mark.parametrize("path", PATHS)
async def test_a_stream_silent_past_the_read_timeout_is_dropped_and_resumed_after_the_last_event(path: str):
    async with scripted(stream_of(FRAMES[:1]), stream_of(FRAMES[1:])) as server:
        store = store_for(server.url, path, stream_read_timeout=0.3)
        try:
            assert await asyncio.wait_for(first(store, 4), 10) == [1, 2, 3, 4]
        finally:
            await store.aclose()
        assert b"last-event-id: 1\r\n" in (await server.requests_made(2))[1].lower()


@pytest.mark.parametrize("path", PATHS)
async def test_a_429_is_waited_out_for_its_retry_after_and_a_page_that_is_not_a_stream_is_retried(path: str):
    async def busy(writer: asyncio.StreamWriter) -> None:
        body = b'{"detail": "too many streams for this token"}'
        writer.write(head("429 Too Many Requests", "Retry-After: 0", "Content-Type: application/json", "Transfer-Encoding: chunked", "Connection: close"))
        writer.write(chunk(body[:10]) + chunk(body[10:]) + b"0\r\n\r\n")
        writer.close()

    async def portal(writer: asyncio.StreamWriter) -> None:
        page = b"<html>sign in to the hotel wifi</html>"
        writer.write(head("200 OK", "Content-Type: text/html", f"Content-Length: {len(page)}", "Connection: close") + page)
        writer.close()

    async with scripted(busy, portal, stream_of(FRAMES)) as server:
        store = store_for(server.url, path)
        try:
            assert await asyncio.wait_for(first(store, 4), 10) == [1, 2, 3, 4]
        finally:
            await store.aclose()
        assert len(await server.requests_made(3)) == 3


@pytest.mark.parametrize("path", PATHS)
async def test_a_refused_token_ends_the_stream_with_the_servers_reason(path: str):
    async def refused(writer: asyncio.StreamWriter) -> None:
        body = b'{"detail": "this token was revoked"}'
        writer.write(head("401 Unauthorized", "Content-Type: application/json", f"Content-Length: {len(body)}") + body)

    async with scripted(refused) as server:
        store = store_for(server.url, path)
        try:
            with pytest.raises(AuthError) as refusal:
                await asyncio.wait_for(first(store, 1), 10)
        finally:
            await store.aclose()
    assert refusal.value.status == 401 and "revoked" in str(refusal.value) and TOKEN not in str(refusal.value)


@pytest.mark.parametrize("path", PATHS)
async def test_a_server_that_breaks_its_framing_is_left_and_the_stream_resumes(path: str):
    async def broken(writer: asyncio.StreamWriter) -> None:
        writer.write(head("200 OK", "Content-Type: text/event-stream", "Transfer-Encoding: chunked"))
        writer.write(chunk(FRAMES[0]) + b"zz\r\nnot a chunk\r\n")
        await writer.drain()

    async with scripted(broken, stream_of(FRAMES[1:])) as server:
        store = store_for(server.url, path)
        try:
            assert await asyncio.wait_for(first(store, 4), 10) == [1, 2, 3, 4]
        finally:
            await store.aclose()


async def test_a_proxy_named_in_the_environment_carries_the_stream(monkeypatch: pytest.MonkeyPatch):
    """The lean reader would go around a proxy: with one set, httpx takes the stream there."""
    async with scripted(stream_of(FRAMES)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        store = HttpStore("http://warroom.invalid:8765", token=TOKEN, backoff_max=0.05)
        try:
            assert await asyncio.wait_for(first(store, 4), 10) == [1, 2, 3, 4]
        finally:
            await store.aclose()
        assert (await proxy.requests_made(1))[0].startswith(b"GET http://warroom.invalid:8765/api/incidents/INC-1/stream?after=0 ")


@pytest.mark.parametrize("path", PATHS)
async def test_an_unreachable_server_turns_the_store_offline_until_its_stream_opens(path: str):
    async with scripted(stream_of(FRAMES)) as gone:
        port = int(gone.url.rsplit(":", 1)[1])
    store = store_for(f"http://127.0.0.1:{port}", path)
    statuses: list[bool] = []
    changed = asyncio.Event()
    store.on_status(lambda online: (statuses.append(online), changed.set()))
    following = asyncio.create_task(first(store, 4))
    try:
        await asyncio.wait_for(changed.wait(), 10)
        assert statuses == [False] and not following.done()  # the board's banner: offline, reconnecting
        async with scripted(stream_of(FRAMES), port=port):
            assert await asyncio.wait_for(following, 10) == [1, 2, 3, 4]
        assert statuses == [False, True]
    finally:
        following.cancel()
        await store.aclose()
