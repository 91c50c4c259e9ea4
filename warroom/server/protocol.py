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
- **body-read timeout**: a request whose body has not all arrived ``body_timeout``
  seconds after its headers did is answered 408 and the connection closed (60 half-sent
  bodies used to hold every connection, ``/healthz`` and ``/api/me`` answered 503).
- **connection limit**: at most ``max_connections`` connections. When a new one would
  pass it, the connection that has been idle longest -- no request in progress, so it
  loses nothing -- is closed to make room; failing that, the unauthenticated one that has
  held its place longest; if every connection is authenticated and busy the new one is
  refused. So silent connections can never lock out a real request.
- **the unauthenticated share**: a connection counts as unauthenticated until a request
  on it carries a credential the server knows (``authenticates`` judges the request line
  and headers: a token, a share key, a hook secret); one still sending its headers or
  body is unauthenticated too. At most ``unauthenticated_share`` of ``max_connections``
  are; one more closes one of them waiting between requests, else the oldest. So a
  responder's new connection finds room however many sockets someone without a
  credential holds (it is the newest: only that many newer connections arriving before
  its headers do could push it out).

It also offers each request a synchronous write to its response body (``BodyWriter``, in the
scope's ``extensions`` under ``BODY_WRITER``, as ASGI extensions are: a dict): the hub writes a commit to every caught-up
SSE subscriber in one pass with it, rather than waking each subscriber's task to send the
same bytes through the ASGI chain.

Uvicorn's own ``limit_concurrency`` is not used: it answers 503 to every request once
the limit is reached, which is the lock-out we want to avoid.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from warroom.asgi.responses import BODY_WRITER

log = logging.getLogger("warroom.server")

MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 100
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
WRITE_TIMEOUT = 30.0
MAX_CONNECTIONS = 1024
UNAUTHENTICATED_SHARE = 0.5
WRITE_BUFFER_HIGH = 16 * 1024
WRITE_BUFFER_LOW = 4 * 1024


class BodyWriter:
    """Writes part of a response body straight to the connection, outside the ASGI ``send``.

    Only for a body already begun through ``send`` in chunked encoding (an SSE stream, whose
    ``http.response.start`` and first message went through the app's middleware), and only
    while the connection takes writes: ``write`` says ``False`` -- and writes nothing -- once
    the client has gone, the response is complete, or the send buffer is past its high-water
    mark (a slow reader: the caller then sends through ``send``, which waits for the drain)."""

    __slots__ = ("_cycle",)

    def __init__(self, cycle: RequestResponseCycle):
        # weakly: the cycle holds the scope, which holds this writer; a strong reference back would
        # make every request a reference cycle, left for the collector (or kept for good, frozen)
        self._cycle = weakref.ref(cycle)

    def write(self, data: bytes) -> bool:
        cycle = self._cycle()
        if (
            cycle is None
            or cycle.disconnected
            or cycle.response_complete
            or not cycle.chunked_encoding
            or cycle.flow.write_paused
            or cycle.transport.is_closing()
        ):
            return False
        cycle.transport.write(b"%x\r\n%b\r\n" % (len(data), data))
        return True


@dataclass(slots=True)
class ConnectionLimits:
    max_header_bytes: int = MAX_HEADER_BYTES
    max_headers: int = MAX_HEADERS
    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    write_timeout: float = WRITE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    unauthenticated_share: float = UNAUTHENTICATED_SHARE
    # whether a request (its URL and lower-cased headers) carries a credential the server
    # knows; None: every request that finishes its headers counts as authenticated
    authenticates: Callable[[bytes, list[tuple[bytes, bytes]]], bool] | None = None
    # every open connection, longest idle first (a connection moves to the end when it
    # finishes a request); shared by all connections of one server
    open: OrderedDict = field(default_factory=OrderedDict, init=False)
    # the connections no request has authenticated yet, oldest first
    unauthenticated: OrderedDict = field(default_factory=OrderedDict, init=False)

    @property
    def max_unauthenticated(self) -> int:
        return max(1, int(self.max_connections * self.unauthenticated_share))


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
        _body_timer: asyncio.TimerHandle | None = None
        _stall_timer: asyncio.TimerHandle | None = None

        # --- the connection limit and the unauthenticated share ----------------------

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # a TCP server's protocol is always handed a Transport, whose buffer limits it sets
            super().connection_made(transport)
            transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH, low=WRITE_BUFFER_LOW)
            limits.open[self] = None
            limits.unauthenticated[self] = None
            if len(limits.open) > limits.max_connections and not self._make_room(for_unauthenticated=False):
                self._refuse(b"503 Service Unavailable", "too many connections; try again shortly")
                return
            if len(limits.unauthenticated) > limits.max_unauthenticated:
                self._make_room(for_unauthenticated=True)
            self._head_timer = self.loop.call_later(limits.header_timeout, self._head_timed_out)

        def _busy(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete

        def _between_requests(self) -> bool:
            return self.cycle is not None and self.cycle.response_complete and self._head_raw == 0

        def _make_room(self, *, for_unauthenticated: bool) -> bool:
            """Close one other connection. Past the connection limit: the longest idle (no
            request in progress, so it loses nothing); past the unauthenticated share: one of
            those waiting between requests. Failing that, the unauthenticated connection that
            has held its place longest (a new one, a responder's perhaps, is the last to go)."""
            if for_unauthenticated:
                idle = (other for other in limits.unauthenticated if other._between_requests())
            else:
                idle = (other for other in limits.open if not other._busy())
            for other in itertools.chain(idle, limits.unauthenticated):
                if other is not self and not other.transport.is_closing():
                    other._drop()
                    return True
            return False

        def _forget(self) -> None:
            limits.open.pop(self, None)
            limits.unauthenticated.pop(self, None)

        def _drop(self) -> None:
            """Close without a word; a request in progress is told its client is gone."""
            self._refused = True
            self._cancel_timers()
            self._forget()
            if self._busy():
                self.cycle.disconnected = True
                self.cycle.message_event.set()
            self.transport.close()

        def _authenticated(self, yes: bool) -> None:
            if yes:
                limits.unauthenticated.pop(self, None)
            elif self not in limits.unauthenticated:
                limits.unauthenticated[self] = None
                if len(limits.unauthenticated) > limits.max_unauthenticated:
                    self._make_room(for_unauthenticated=True)

        def _carries_credential(self) -> bool:
            if limits.authenticates is None:
                return True
            try:
                return limits.authenticates(self.url, self.headers)
            except Exception as error:  # the database cannot say: the app answers this request itself
                log.info("could not check a request's credential: %s", error)
                return False

        def connection_lost(self, exc: Exception | None) -> None:
            self._forget()
            self._cancel_timers()
            super().connection_lost(exc)

        def _cancel_timers(self) -> None:
            for timer in (self._head_timer, self._body_timer, self._stall_timer):
                if timer is not None:
                    timer.cancel()
            self._head_timer = self._body_timer = self._stall_timer = None

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
            self._authenticated(self._carries_credential())
            self._body_timer = self.loop.call_later(limits.body_timeout, self._body_timed_out)
            super().on_headers_complete()
            if self.cycle is not None and self.cycle.scope is self.scope:  # the request's app has not run yet
                self.scope.setdefault("extensions", {})[BODY_WRITER] = {"write": BodyWriter(self.cycle).write}

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if not self._refused:
                if self._body_timer is not None:
                    self._body_timer.cancel()
                    self._body_timer = None
                self._reading_head, self._head_raw = True, 0  # the next request's head comes next
                super().on_message_complete()

        def _head_timed_out(self) -> None:
            self._head_timer = None
            if not self._busy() and not self.transport.is_closing():
                self._drop()

        def _body_timed_out(self) -> None:
            self._body_timer = None
            if self.transport.is_closing():
                return
            log.info("closing a connection whose request body did not arrive within %g s", limits.body_timeout)
            if self.cycle is not None and self.cycle.response_started:
                self._drop()  # answered already (without reading it all): nothing more to say
            else:
                self._refuse(b"408 Request Timeout", f"the request body did not arrive within {limits.body_timeout:g} s")

        def _refuse(self, status: bytes, reason: str) -> None:
            """Answer with ``status`` (unless a response has begun) and close; parse nothing more."""
            if (not self._busy() or not self.cycle.response_started) and not self.transport.is_closing():
                self.transport.write(_response(status, reason))
            self._drop()

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
