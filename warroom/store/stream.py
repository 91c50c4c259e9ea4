"""How the HTTP store opens a server-sent event stream and reads its bytes.

Every event a board follows is read here, a hundred boards at once on a busy incident, so
the read path is most of a board's CPU per event. Through httpx each read goes through
httpcore, h11 and anyio's timeouts: httpx + httpx-sse and a parse cost a follower process
0.46-0.47 ms of CPU per event, and httpx's raw bytes split by this package's own SSE parser
still 0.44-0.45 ms. Read from a plain asyncio connection that undoes the chunked coding itself,
the whole follow -- store, parse and fold -- costs 0.29-0.30 ms (three processes per way in
one run, 1,000 events, two runs). So a stream to an ``http://`` server is read that way: the
request is still built by the store's httpx client (its URL, token and headers); only the
bytes go around it.

httpx keeps everything else: an ``https://`` server (its certificate checks stay httpx's), a
proxy from the environment (``HTTP_PROXY``/``ALL_PROXY``), or a
transport given to the store. Both paths hand the same thing back -- the response (its status
and headers; a refusal's body already read) and an iterator of body bytes -- and fail the same
way: ``httpx.TransportError`` for a connection that cannot be made or breaks, including
``httpx.ReadTimeout`` when nothing, not even a keep-alive, arrives within the read timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import urllib.request
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from .sse import ChunkedBody, StreamBroken

__all__ = ["open_event_stream"]

READ_SIZE = 256 * 1024  # whatever the socket has: a reconnecting board's backlog comes in a few reads
MAX_HEAD_BYTES = 64 * 1024
MAX_REFUSAL_BYTES = 1024 * 1024  # a refusal's body is a line of JSON; a proxy's error page is bigger, never this big
STREAM_HEADERS = {"Accept": "text/event-stream", "Cache-Control": "no-store"}


def _check_is_stream(response: httpx.Response) -> None:
    """A 200 that is not an event stream (a captive portal's page, a proxy's) is a broken stream."""
    content_type: str = response.headers.get("content-type", "")
    if response.status_code == 200 and content_type.partition(";")[0].strip().lower() != "text/event-stream":
        raise StreamBroken(f"{content_type[:60]!r} is not an event stream")


@contextlib.asynccontextmanager
async def open_event_stream(
    client: httpx.AsyncClient,
    path: str,
    *,
    timeout: httpx.Timeout,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    lean: bool = True,
) -> AsyncGenerator[tuple[httpx.Response, AsyncIterator[bytes]]]:
    """GET ``path`` on ``client``'s server as an event stream: the response and its body's bytes
    (``StreamBroken`` for a 200 that is not an event stream).

    ``lean=False`` (the store was given a transport) always goes through httpx."""
    request = client.build_request("GET", path, params=params, headers={**STREAM_HEADERS, **(headers or {})}, timeout=timeout)
    if lean and request.url.scheme == "http" and not _proxied():
        async with _lean_stream(request, timeout) as (response, body):
            _check_is_stream(response)
            yield response, body
        return
    response = await client.send(request, stream=True)
    try:
        _check_is_stream(response)
        yield response, response.aiter_bytes()
    finally:
        await response.aclose()


def _proxied() -> bool:
    """Whether the environment names a proxy httpx might send an ``http://`` request through
    (``NO_PROXY`` is not weighed: with a proxy set, httpx decides)."""
    proxies = urllib.request.getproxies_environment()
    return "http" in proxies or "all" in proxies


class _Connection(asyncio.BufferedProtocol):
    """One stream's socket. What arrives is received into one reused buffer (asyncio's plain
    reads allocate ``READ_SIZE`` bytes each) and handed to the reader awaiting it. The read
    timeout is one timestamp per read rather than a timer set and cancelled around each: a
    timer checks it, and aborts the connection once ``read_timeout`` seconds pass without a
    byte (the server's keep-alive comes every 15 s)."""

    def __init__(self, read_timeout: float | None) -> None:
        self.loop = asyncio.get_running_loop()
        self.read_timeout = read_timeout
        self.last_read = self.loop.time()
        self.timed_out = False
        self.transport: asyncio.Transport | None = None
        self._view = memoryview(bytearray(READ_SIZE))
        self._received: list[bytes] = []
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False
        self._lost: Exception | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.read_timeout is not None:
            self._timer = self.loop.call_at(self.last_read + self.read_timeout, self._check)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        self._received.append(bytes(self._view[:nbytes]))
        if len(self._received) > 16 and self.transport is not None:
            self.transport.pause_reading()  # a reader that stopped reading holds at most this much
        self._wake()

    def eof_received(self) -> None:
        self._ended = True
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended = True
        self._lost = exc
        self.close()
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _check(self) -> None:
        assert self.read_timeout is not None
        due = self.last_read + self.read_timeout
        if self.loop.time() < due:
            self._timer = self.loop.call_at(due, self._check)
        elif self.transport is not None:
            self.timed_out = True
            self.transport.abort()  # the pending read ends: its reader raises ReadTimeout

    async def read(self) -> bytes:
        """What arrived since the last read, waiting for something; b"" once the connection ended."""
        if not self._received and not self._ended:
            self._waiter = self.loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self.last_read = self.loop.time()
        if not self._received:
            if self._lost is not None:
                raise self._lost
            return b""
        data = self._received[0] if len(self._received) == 1 else b"".join(self._received)
        self._received.clear()
        if self.transport is not None and not self._ended:
            self.transport.resume_reading()
        return data

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.transport is not None:
            self.transport.abort()  # a stream's connection is never reused


@contextlib.asynccontextmanager
async def _lean_stream(request: httpx.Request, timeout: httpx.Timeout) -> AsyncGenerator[tuple[httpx.Response, AsyncIterator[bytes]]]:
    url = request.url
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout.connect):
            transport, connection = await loop.create_connection(lambda: _Connection(timeout.read), url.host, url.port or 80)
    except TimeoutError:
        raise httpx.ConnectTimeout(f"no connection to {url.host}:{url.port} within {timeout.connect} s", request=request) from None
    except OSError as error:
        raise httpx.ConnectError(str(error) or type(error).__name__, request=request) from None

    async def read() -> bytes:
        try:
            data = await connection.read()
        except OSError as error:
            raise httpx.ReadError(str(error) or type(error).__name__, request=request) from None
        if not data and connection.timed_out:
            raise httpx.ReadTimeout(f"nothing from the server in {connection.read_timeout} s", request=request)
        return data

    try:
        head = b"".join(b"%s: %s\r\n" % pair for pair in request.headers.raw if pair[0].lower() != b"accept-encoding")
        transport.write(b"GET %s HTTP/1.1\r\n%sAccept-Encoding: identity\r\n\r\n" % (url.raw_path, head))
        buffer = b""
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            if len(buffer) > MAX_HEAD_BYTES:
                raise httpx.RemoteProtocolError("the server's response head is longer than 64 KiB", request=request)
            data = await read()
            if not data:
                raise httpx.RemoteProtocolError("the server closed the connection before it answered", request=request)
            buffer += data
        status, headers = _parse_head(buffer[:end], request)
        async with contextlib.aclosing(_body(buffer[end + 4 :], headers, read, request)) as body:
            if status == 200:
                yield httpx.Response(status, headers=headers, request=request), body
                return
            content = b""
            async for part in body:
                content += part
                if len(content) > MAX_REFUSAL_BYTES:
                    break
        yield httpx.Response(status, headers=headers, content=content, request=request), _nothing()
    finally:
        connection.close()


def _parse_head(head: bytes, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]]]:
    status_line, *lines = head.split(b"\r\n")
    version, _, rest = status_line.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or not code.isdigit():
        raise httpx.RemoteProtocolError(f"not an HTTP/1.1 answer: {status_line[:40]!r}", request=request)
    headers: list[tuple[bytes, bytes]] = []
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"a malformed response header: {line[:40]!r}", request=request)
        headers.append((name, value.strip()))
    return int(code), headers


async def _body(
    start: bytes, headers: list[tuple[bytes, bytes]], read: Callable[[], Awaitable[bytes]], request: httpx.Request
) -> AsyncGenerator[bytes]:
    """The body's bytes as they arrive, whichever way the server framed it."""
    fields = {name.lower(): value for name, value in headers}
    if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
        chunked = ChunkedBody()
        data = start
        while True:
            payload = chunked.feed(data) if data else b""
            if payload:
                yield payload
            if chunked.broken:
                raise httpx.RemoteProtocolError(chunked.broken, request=request)
            if chunked.done:
                return
            data = await read()
            if not data:
                raise httpx.RemoteProtocolError("the server closed the stream in the middle of its body", request=request)
    length = fields.get(b"content-length")
    left = int(length) if length is not None and length.isdigit() else None
    data = start
    while True:
        if left is not None:
            data = data[:left]
            left -= len(data)
        if data:
            yield data
        if left == 0:
            return
        data = await read()
        if not data:
            if left is None:
                return  # framed by the connection's end
            raise httpx.RemoteProtocolError("the server closed the connection before the end of its body", request=request)


async def _nothing() -> AsyncGenerator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator
