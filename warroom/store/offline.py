"""The HTTP store's offline queue (for the board): actions taken while the server is away.

``append`` keeps the plain contract by default: it returns the stored event or
raises, and ``StoreUnavailable`` when the server cannot be reached -- a CLI must
not exit 0 for an event that was never delivered.

A board opts in with ``HttpStore(..., queue_offline=True)`` (or by setting
``store.queue_offline = True`` on the store ``open_store`` returned). Then an
append that cannot reach the server is queued -- the ``EventDraft`` itself, with
its client id -- and ``append`` raises ``Queued`` (a ``StoreUnavailable``
subclass: catch it first, show the action as pending). While anything is queued,
later appends queue behind it, so order is kept. A background task delivers the
queue in order as soon as the server answers (a reconnecting ``follow`` wakes it
at once). Delivered events come back through ``follow`` like any other.

- ``pending()`` -> how many drafts wait; ``pending_drafts()`` -> them, in order.
- ``online`` -> ``True``/``False``, or ``None`` before the first request.
- ``on_status(callback(online: bool))`` -> called on every online/offline change.
- ``on_delivered(callback(incident_id, stored_event))`` -> a queued draft was stored.
- ``on_refused(callback(LateRefusal))`` -> a queued draft was refused on delivery
  (a rule said no in the meantime, the incident is gone, the token was revoked):
  ``refusal.reason`` is the sentence to show, ``refusal.draft`` what was tried.
- ``await flush(timeout)`` -> wait until the queue is empty (``True``) or not.

Each ``on_*`` returns a function that unsubscribes. Callbacks run on the event
loop and must not block. The queue lives in memory: ``aclose`` warns through
``warn`` about drafts still undelivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from warroom.incident import EventDraft, StoredEvent

from .base import Queued, StoreError, StoreUnavailable
from .replies import Backoff

log = logging.getLogger("warroom.store")


@dataclass(frozen=True, slots=True)
class LateRefusal:
    """A queued draft the server refused when it was finally delivered."""

    incident_id: str
    draft: EventDraft
    reason: str
    error: StoreError


class OfflineQueue:
    """The queue, its delivery task and the online/offline listeners; mixed into ``HttpStore``,
    which supplies ``_send`` (one delivery attempt), ``warn``, ``url`` and ``backoff_max``."""

    warn: Callable[[str], None]
    url: str
    backoff_max: float

    async def _send(
        self, incident_id: str, draft: EventDraft, retries: int | None = None
    ) -> StoredEvent:
        raise NotImplementedError

    def __init__(self, *, queue_offline: bool) -> None:
        self.queue_offline = queue_offline
        self._online: bool | None = None
        self._queue: deque[tuple[str, EventDraft]] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._kick: asyncio.Event | None = None
        self._emptied: asyncio.Event | None = None
        self._status_listeners: list[Callable[[bool], None]] = []
        self._refused_listeners: list[Callable[[LateRefusal], None]] = []
        self._delivered_listeners: list[Callable[[str, StoredEvent], None]] = []

    def pending(self) -> int:
        return len(self._queue)

    def pending_drafts(self) -> list[tuple[str, EventDraft]]:
        return list(self._queue)

    @property
    def online(self) -> bool | None:
        return self._online

    def on_status(self, callback: Callable[[bool], None]) -> Callable[[], None]:
        return self._listen(self._status_listeners, callback)

    def on_refused(self, callback: Callable[[LateRefusal], None]) -> Callable[[], None]:
        return self._listen(self._refused_listeners, callback)

    def on_delivered(
        self, callback: Callable[[str, StoredEvent], None]
    ) -> Callable[[], None]:
        return self._listen(self._delivered_listeners, callback)

    @staticmethod
    def _listen(listeners: list[Callable[..., None]], callback: Callable[..., None]) -> Callable[[], None]:
        listeners.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                listeners.remove(callback)

        return unsubscribe

    def _set_online(self, online: bool) -> None:
        if self._online == online:
            return
        self._online = online
        if online and self._kick is not None:
            self._kick.set()
        for callback in list(self._status_listeners):
            self._call(callback, online)

    def _call(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as error:  # a listener's bug must not break the store
            log.exception("store listener failed")
            self.warn(f"a store listener failed: {error}")

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued draft was delivered or refused; ``False`` on timeout."""
        if not self._queue:
            return True
        assert self._emptied is not None
        try:
            await asyncio.wait_for(self._emptied.wait(), timeout)
        except TimeoutError:
            return False
        return not self._queue

    async def _stop_queue(self) -> None:
        """Stop delivering (the store is closing) and say what never got through."""
        if self._drainer is not None:
            self._drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._drainer
        if self._queue:
            self.warn(
                f"{len(self._queue)} queued action(s) were never delivered to {self.url}"
            )

    def _enqueue(self, incident_id: str, draft: EventDraft) -> None:
        self._queue.append((incident_id, draft))
        if self._kick is None:
            self._kick = asyncio.Event()
            self._emptied = asyncio.Event()
        assert self._emptied is not None
        self._emptied.clear()
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(
                self._drain(), name="warroom-offline-queue"
            )
        raise Queued(incident_id, draft, len(self._queue))

    async def _drain(self) -> None:
        assert self._kick is not None and self._emptied is not None
        backoff = Backoff(cap=self.backoff_max)
        while self._queue:
            incident_id, draft = self._queue[0]
            try:
                stored = await self._send(incident_id, draft, retries=0)
            except StoreUnavailable:
                self._kick.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._kick.wait(), backoff.next())
                continue
            except StoreError as error:
                self._queue.popleft()
                refusal = LateRefusal(
                    incident_id, draft, getattr(error, "reason", str(error)), error
                )
                for callback in list(self._refused_listeners):
                    self._call(callback, refusal)
                continue
            self._queue.popleft()
            backoff.reset()
            for delivered in list(self._delivered_listeners):
                self._call(delivered, incident_id, stored)
        self._emptied.set()
