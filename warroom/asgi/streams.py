"""Open SSE streams: how many each holder may have, how many in all, and ending a holder's.

A stream is the one request that lasts: it holds a connection, a task and whatever it
has not yet written for as long as the client keeps it open. So each holder -- a
responder's token on ``/api``, a share key on the status page -- may hold at most
``per_holder`` at once (a board needs one per incident it shows), and all holders
together at most ``total`` (the status page's viewers must leave room for the
responders); one more is a 429 that says so, not a slow death of the server by a
script that opens thousands.

A holder is checked when a request starts; a stream would otherwise keep delivering
for hours after its token or key is revoked. A revocation made through this server
ends the holder's streams at once (``end_streams_of``). One made in another process
(``warroom token revoke`` on the database, another server on PostgreSQL) cannot tell
this server, so every ``check_every`` seconds, while any stream is open, one indexed
query (``gone_among``) asks which of the holders are no longer valid; their streams
are marked and woken, and end before writing anything more.

Streams also write in pages of at most ``PAGE_BYTES`` (plus one event): with the
protocol's small send buffer and a write only when the socket drains, a reader that
stops reading holds about that much in the server, not its whole backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("warroom.server")

STREAMS_PER_TOKEN = 16
STATUS_STREAMS_PER_KEY = 64
STATUS_STREAMS = 256
"""Status-page streams, every key's together (and never more than half the connection budget: ``run``)."""
REVOCATION_CHECK_SECONDS = 2.0
PAGE_BYTES = 16 * 1024


def within_bytes(rows: list[tuple[int, str]], max_bytes: int) -> list[tuple[int, str]]:
    """The first rows whose text adds up to ``max_bytes`` (always at least one row)."""
    size = 0
    for n, (_, text) in enumerate(rows):
        size += len(text)
        if size >= max_bytes:
            return rows[: n + 1]
    return rows


class TooManyStreams(Exception):
    """``limit`` streams are open already: for this holder, or in all (``in_total``)."""

    def __init__(self, limit: int, in_total: bool):
        super().__init__(f"{limit} open streams ({'in all' if in_total else 'for this holder'})")
        self.limit = limit
        self.in_total = in_total


@dataclass(eq=False, slots=True)
class OpenStream:
    holder: str
    wake: Callable[[], None]  # wakes the stream's task so it sees ``revoked``
    revoked: bool = False


class Streams:
    def __init__(
        self,
        gone_among: Callable[[list[str]], set[str]],
        per_holder: int = STREAMS_PER_TOKEN,
        total: int | None = None,
        check_every: float = REVOCATION_CHECK_SECONDS,
    ):
        self.gone_among = gone_among
        self.per_holder = per_holder
        self.total = total
        self.check_every = check_every
        self._by_holder: dict[str, set[OpenStream]] = {}
        self._open = 0
        self._watcher: asyncio.Task | None = None

    def open(self, holder: str, wake: Callable[[], None]) -> OpenStream:
        """Count a new stream for ``holder``; raises ``TooManyStreams`` past either limit."""
        if self.total is not None and self._open >= self.total:
            raise TooManyStreams(self.total, in_total=True)
        held = self._by_holder.setdefault(holder, set())
        if holder and len(held) >= self.per_holder:  # "": no key (a public page), capped by the total alone
            if not held:
                del self._by_holder[holder]
            raise TooManyStreams(self.per_holder, in_total=False)
        stream = OpenStream(holder, wake)
        held.add(stream)
        self._open += 1
        return stream

    def closer(self, stream: OpenStream) -> Callable[[], None]:
        def close() -> None:
            held = self._by_holder.get(stream.holder)
            if held is not None and stream in held:
                held.discard(stream)
                self._open -= 1
                if not held:
                    del self._by_holder[stream.holder]

        return close

    def count(self, holder: str | None = None) -> int:
        """Open streams of ``holder``, or of everyone."""
        return self._open if holder is None else len(self._by_holder.get(holder, ()))

    def start_watching(self) -> None:
        self._watcher = asyncio.get_running_loop().create_task(self._watch(), name="warroom-revocations")

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            if not self._by_holder:
                continue
            try:
                gone = await asyncio.to_thread(self.gone_among, list(self._by_holder))
            except Exception as error:  # pragma: no cover - the database is briefly busy: next time
                log.warning("could not check for revoked credentials: %s", error)
                continue
            for holder in gone:
                self.end_streams_of(holder)

    def end_streams_of(self, holder: str) -> None:
        for stream in self._by_holder.get(holder, ()):
            if not stream.revoked:
                stream.revoked = True
                stream.wake()
