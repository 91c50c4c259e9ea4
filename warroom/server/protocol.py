"""Connection limits uvicorn's httptools protocol leaves out, so one client cannot starve the rest.

uvicorn's fast HTTP/1.1 protocol (httptools) keeps every header a client sends, waits
forever for a request that never finishes arriving, and keeps a connection whose reader
stopped reading as long as the client likes. Each of those let one unauthenticated client
take the server down: a gigabyte of headers grew it by gigabytes, 1,100 silent
connections used up every file descriptor (``/healthz`` included), a stalled reader held
its unsent events in memory. ``guarded_protocol`` returns the same protocol with limits:

- **header size and count**: the request line and headers together may be at most
  ``max_header_bytes`` and ``max_headers`` lines; past that the answer is 431 and the
  connection is closed. Counted in the parser's callbacks, so what is kept is bounded no
  matter how the bytes are split.
- **header-read timeout**: a request whose headers are not all in ``header_timeout``
  seconds after the connection opened (or after its first byte, on a kept-alive
  connection) is dropped. Idle kept-alive connections are uvicorn's ``timeout_keep_alive``.
- **write stall**: a connection that stays unwritable (its reader does not read and
  the send buffer stays full) for ``write_timeout`` seconds is aborted, which ends the
  response feeding it (an SSE stream). The send buffer is kept small
  (``WRITE_BUFFER_HIGH``) so a stalled reader holds little.
- **connection limit**: at most ``max_connections`` connections. When a new one would
  pass it, the connection that has been idle longest -- no request in progress, so it
  loses nothing -- is closed to make room; if every connection is busy the new one is
  refused. So silent connections can never lock out a real request.

Uvicorn's own ``limit_concurrency`` is not used: it answers 503 to every request once
the limit is reached, which is the lock-out we want to avoid.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("warroom.server")

MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 100
HEADER_TIMEOUT = 10.0
WRITE_TIMEOUT = 30.0
MAX_CONNECTIONS = 1024
WRITE_BUFFER_HIGH = 16 * 1024
WRITE_BUFFER_LOW = 4 * 1024


@dataclass(slots=True)
class ConnectionLimits:
    max_header_bytes: int = MAX_HEADER_BYTES
    max_headers: int = MAX_HEADERS
    header_timeout: float = HEADER_TIMEOUT
    write_timeout: float = WRITE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    # every open connection, longest idle first (a connection moves to the end when it
    # finishes a request); shared by all connections of one server
    open: OrderedDict = field(default_factory=OrderedDict)


def _response(status: bytes, reason: str) -> bytes:
    body = reason.encode("ascii")
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
        b"content-length: " + str(len(body)).encode("ascii") + b"\r\n\r\n" + body
    )


def guarded_protocol(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with ``limits`` (pass it as ``uvicorn.Config(http=...)``)."""

    class GuardedProtocol(HttpToolsProtocol):
        _head_bytes = 0
        _head_lines = 0
        _head_raw = 0  # bytes received since the current request began, while its headers are incomplete
        _reading_head = True
        _refused = False
        _head_timer: asyncio.TimerHandle | None = None
        _stall_timer: asyncio.TimerHandle | None = None

        # --- the connection limit ------------------------------------------------

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH, low=WRITE_BUFFER_LOW)
            limits.open[self] = None
            if len(limits.open) > limits.max_connections and not self._make_room():
                self._refuse(b"503 Service Unavailable", "too many connections; try again shortly")
                return
            self._head_timer = self.loop.call_later(limits.header_timeout, self._head_timed_out)

        def _busy(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete

        def _make_room(self) -> bool:
            for other in limits.open:
                if other is not self and not other._busy() and not other.transport.is_closing():
                    other.transport.close()  # idle: nothing in progress is lost
                    limits.open.pop(other, None)
                    return True
            return False

        def connection_lost(self, exc: Exception | None) -> None:
            limits.open.pop(self, None)
            self._cancel_timers()
            super().connection_lost(exc)

        def _cancel_timers(self) -> None:
            for timer in (self._head_timer, self._stall_timer):
                if timer is not None:
                    timer.cancel()
            self._head_timer = self._stall_timer = None

        def on_response_complete(self) -> None:
            if self in limits.open:
                limits.open.move_to_end(self)  # idle from now: the last to be closed for room
            super().on_response_complete()

        # --- header size, count and read time ---------------------------------------

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._reading_head:
                self._head_raw += len(data)
            super().data_received(data)
            # the parser keeps a header it has not seen the end of: bound it by the bytes sent
            if self._reading_head and not self._refused and self._head_raw > limits.max_header_bytes:
                self._over(0, 0, too_big=True)

        def on_message_begin(self) -> None:
            self._head_bytes = self._head_lines = 0
            if self._head_timer is None and not self._refused:
                self._head_timer = self.loop.call_later(limits.header_timeout, self._head_timed_out)
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            if self._refused or self._over(len(url), 0):
                return
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            if self._refused or self._over(len(name) + len(value), 1):
                return
            super().on_header(name, value)

        def _over(self, size: int, lines: int, too_big: bool = False) -> bool:
            self._head_bytes += size
            self._head_lines += lines
            if too_big or self._head_bytes > limits.max_header_bytes or self._head_lines > limits.max_headers:
                self._refuse(
                    b"431 Request Header Fields Too Large",
                    f"request headers too large: at most {limits.max_header_bytes} bytes in {limits.max_headers} lines",
                )
                return True
            return False

        def on_headers_complete(self) -> None:
            if self._refused:
                return
            self._reading_head = False
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if not self._refused:
                self._reading_head, self._head_raw = True, 0  # the next request's head comes next
                super().on_message_complete()

        def _head_timed_out(self) -> None:
            self._head_timer = None
            if not self._busy() and not self.transport.is_closing():
                self._refused = True
                self.transport.close()

        def _refuse(self, status: bytes, reason: str) -> None:
            """Answer with ``status`` (no request in progress) and close; parse nothing more."""
            self._refused = True
            self._cancel_timers()
            limits.open.pop(self, None)
            if not self._busy() and not self.transport.is_closing():
                self.transport.write(_response(status, reason))
            self.transport.close()

        # --- a reader that stopped reading ---------------------------------------------

        def pause_writing(self) -> None:
            super().pause_writing()
            if self._stall_timer is None:
                self._stall_timer = self.loop.call_later(limits.write_timeout, self._stalled)

        def resume_writing(self) -> None:
            super().resume_writing()
            if self._stall_timer is not None:
                self._stall_timer.cancel()
                self._stall_timer = None

        def _stalled(self) -> None:
            self._stall_timer = None
            log.info("closing a connection that has not read for %.0f s", limits.write_timeout)
            self.transport.abort()  # its buffer is dropped; the response feeding it ends

    return GuardedProtocol
