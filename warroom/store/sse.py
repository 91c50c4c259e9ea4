"""Server-sent events from raw bytes: the two incremental decoders the HTTP store's streams use.

A board following a busy incident spends most of its CPU per event reading the stream, not
folding it (``warroom.store.stream`` says where it went). Here a chunk of bytes is split into
whole messages with a handful of C-level ``split``/``replace`` calls rather than a few Python
calls per line, and every complete message in it comes out at once. Neither class does any
I/O, so both are tested by feeding them the same bytes split at every point
(tests/store/test_sse.py).

``SSEParser`` follows the WHATWG event-stream rules: lines end in CRLF, LF or a lone CR;
a blank line ends a message; ``:`` starts a comment (the server's keep-alives); a field's
value loses one leading space; ``data`` lines join with newlines; ``id`` persists until the
next one; a message without ``data`` is not dispatched; a leading BOM is dropped.

``ChunkedBody`` undoes HTTP/1.1 chunked transfer coding, for the store's lean stream reader
(``warroom.store.stream``), which reads the socket itself.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["MAX_MESSAGE_BYTES", "ChunkedBody", "Message", "SSEParser", "StreamBroken"]

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # one event is at most 64 KiB; the lobby's snapshot far less than this
_BOM = b"\xef\xbb\xbf"
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")


class StreamBroken(Exception):
    """The bytes cannot be a well-formed stream: a chunk size that is not hex, a message without end."""


class Message(NamedTuple):
    data: str
    event: str = "message"
    id: str = ""


class SSEParser:
    """Feed it bytes as they arrive; it returns the messages they complete, in order."""

    def __init__(self) -> None:
        self._pending = b""  # an unfinished message, line ends already turned into LF
        self._after_cr = False
        self._started = False  # past a possible BOM
        self._too_long = False
        self.last_id = ""
        self.retry: int | None = None  # the server's reconnection hint, in milliseconds

    def feed(self, chunk: bytes) -> list[Message]:
        if self._too_long:
            raise StreamBroken(f"a server-sent message longer than {MAX_MESSAGE_BYTES} bytes")
        if self._after_cr:  # a CR ended the last chunk: an LF starting this one is the same line end
            self._after_cr = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        data = self._pending + chunk if self._pending else chunk
        if not self._started:
            if len(data) < len(_BOM) and _BOM.startswith(data):
                self._pending = data
                return []
            self._started = True
            if data.startswith(_BOM):
                data = data[len(_BOM) :]
        if b"\r" in data:
            self._after_cr = data.endswith(b"\r")
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *complete, rest = data.split(b"\n\n")
        if len(rest) > MAX_MESSAGE_BYTES:
            self._too_long = True
            if not complete:
                raise StreamBroken(f"a server-sent message longer than {MAX_MESSAGE_BYTES} bytes")
            rest = b""  # the messages before it are whole: they come out, the next feed fails
        self._pending = rest
        return [message for block in complete if (message := self._message(block)) is not None]

    def _message(self, block: bytes) -> Message | None:
        data: list[bytes] = []
        event = b""
        for line in block.split(b"\n"):
            if not line or line.startswith(b":"):
                continue
            name, _, value = line.partition(b":")
            if value.startswith(b" "):
                value = value[1:]
            if name == b"data":
                data.append(value)
            elif name == b"event":
                event = value
            elif name == b"id":
                if b"\0" not in value:
                    self.last_id = value.decode("utf-8", "replace")
            elif name == b"retry" and value.isdigit():
                self.retry = int(value)
        if not data:
            return None
        return Message(b"\n".join(data).decode("utf-8", "replace"), event.decode("utf-8", "replace") or "message", self.last_id)


class ChunkedBody:
    """Feed it the bytes of a chunked HTTP/1.1 body; it returns the payload they complete.
    ``done`` turns true at the last (zero-size) chunk; trailers after it are ignored. Bytes that
    break the coding set ``broken`` (what is wrong); the payload before them is still returned,
    and feeding it more raises ``StreamBroken``."""

    def __init__(self) -> None:
        self._buffer = b""
        self.done = False
        self.broken = ""

    def feed(self, data: bytes) -> bytes:
        if self.broken:
            raise StreamBroken(self.broken)
        buffer = self._buffer + data if self._buffer else data
        position = 0
        parts: list[bytes] = []
        while not self.done:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                if len(buffer) - position > 1024:
                    self.broken = "a chunk size line longer than 1 KiB"
                break
            size_text = buffer[position:line_end].split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                self.broken = f"a chunk size that is not hexadecimal: {size_text[:20]!r}"
                break
            size = int(size_text, 16)
            if size == 0:
                self.done = True
                position = len(buffer)
                break
            end = line_end + 2 + size
            if len(buffer) < end + 2:
                break
            if buffer[end : end + 2] != b"\r\n":
                self.broken = "a chunk that does not end where its size says"
                break
            parts.append(buffer[line_end + 2 : end])
            position = end + 2
        self._buffer = b"" if self.broken else buffer[position:]
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)
