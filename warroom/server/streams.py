"""Open SSE streams: how many each token may hold, and ending those whose token is revoked.

A stream is the one request that lasts: it holds a connection, a task and whatever it
has not yet written for as long as the client keeps it open. So each token may hold at
most ``per_token`` at once (a board needs one per incident it shows); one more is a 429
that says so, not a slow death of the server by a script that opens thousands.

A token is checked when a request starts; a stream would otherwise keep delivering
events for hours after ``warroom token revoke`` (which runs in another process and
cannot tell the server). So every ``check_every`` seconds, while any stream is open,
one indexed query asks which of the tokens holding streams have been revoked; their
streams are marked and woken, and end before writing anything more.

Streams also write in pages of at most ``PAGE_BYTES`` (plus one event): with the
protocol's small send buffer and a write only when the socket drains, a reader that
stops reading holds about that much in the server, not its whole backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from .hub import Hub
from .tokens import Principal, TokenBook

log = logging.getLogger("warroom.server")

STREAMS_PER_TOKEN = 16
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
    def __init__(self, limit: int):
        super().__init__(
            f"this token already has {limit} open streams (the limit per token): close one "
            "(a board needs one per incident it shows), or ask the operator to raise server.streams_per_token"
        )


@dataclass(eq=False, slots=True)
class OpenStream:
    token_id: str
    incident_id: str
    revoked: bool = False


class Streams:
    def __init__(self, tokens: TokenBook, hub: Hub, per_token: int = STREAMS_PER_TOKEN, check_every: float = REVOCATION_CHECK_SECONDS):
        self.tokens = tokens
        self.hub = hub
        self.per_token = per_token
        self.check_every = check_every
        self._by_token: dict[str, set[OpenStream]] = {}
        self._watcher: asyncio.Task | None = None

    def open(self, who: Principal, incident_id: str) -> OpenStream:
        """Count a new stream for ``who``; raises ``TooManyStreams`` past the limit."""
        held = self._by_token.setdefault(who.token_id, set())
        if len(held) >= self.per_token:
            if not held:
                del self._by_token[who.token_id]
            raise TooManyStreams(self.per_token)
        stream = OpenStream(who.token_id, incident_id)
        held.add(stream)
        return stream

    def closer(self, stream: OpenStream) -> Callable[[], None]:
        def close() -> None:
            held = self._by_token.get(stream.token_id)
            if held is not None:
                held.discard(stream)
                if not held:
                    del self._by_token[stream.token_id]

        return close

    def count(self, token_id: str) -> int:
        return len(self._by_token.get(token_id, ()))

    def start_watching(self) -> None:
        self._watcher = asyncio.get_running_loop().create_task(self._watch(), name="warroom-revocations")

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            if not self._by_token:
                continue
            try:
                revoked = await asyncio.to_thread(self.tokens.revoked_among, list(self._by_token))
            except Exception as error:  # pragma: no cover - the database is briefly busy: next time
                log.warning("could not check for revoked tokens: %s", error)
                continue
            for token_id in revoked:
                self.end_streams_of(token_id)

    def end_streams_of(self, token_id: str) -> None:
        for stream in self._by_token.get(token_id, ()):
            if not stream.revoked:
                stream.revoked = True
                self.hub.wake(stream.incident_id)
