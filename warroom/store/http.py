"""The HTTP store: an ``EventStore`` backed by a ``warroom serve`` server (httpx; streams: ``stream``, ``sse``).

Selected by ``--server URL`` / ``WARROOM_SERVER`` / ``server.url`` in config; the token
comes from ``--token`` / ``WARROOM_TOKEN`` / ``server.token`` and is sent only in the
``Authorization`` header -- never printed, never put in an error message.

Errors map back to the store's own exceptions: 409 -> ``Rejected`` (the rule's
reason), 404 -> ``UnknownIncident``, 401/403 -> ``AuthError`` (a ``StoreError`` saying
what to check), an unreachable or failing server -> ``StoreUnavailable``. Appends are
retried with the same event id when the outcome is unknown (a dropped connection, a
5xx, a 429 after its ``Retry-After``): the server returns the original for an id it
already stored, so nothing is ever applied twice.

The actor
    The server acts as the token's owner. A draft's ``actor`` is sent along and the
    server refuses (403) one that names someone else, so build drafts with
    ``await store.whoami()`` as the actor (the CLI does).

``follow``
    Streams ``/api/incidents/{id}/stream`` (SSE, each message's id is its seq). After
    any disconnect it reconnects forever with capped exponential backoff, sending
    ``Last-Event-ID`` = the last seq it yielded, so the events it yields are
    contiguous: no gap, no duplicate (it also drops anything at or below its cursor,
    and fills a gap with a plain read should one ever appear). Only a permanent
    answer ends it: 401/403 (``AuthError``) or 404 (``UnknownIncident``).

Several servers (failover)
    ``url`` may name several servers of one deployment, comma-separated
    (``WARROOM_SERVER=http://a:8765,http://b:8765``: servers sharing one PostgreSQL
    database). The store talks to one at a time; when it stops answering (a
    connection error, or a 5xx from a proxy or a server without its database) the
    store moves to the next one at once and repeats the request there -- an append
    with the same event id, so a request that did reach the dead server is answered
    with the original. ``follow`` resumes on the next server with ``Last-Event-ID``,
    so the events it yields stay contiguous across the switch. Offline is reported
    only when none answers. Behind a load balancer give its one URL: the same
    resume-by-seq makes that work too.

The offline queue (for the board)
    ``HttpStore(..., queue_offline=True)`` queues what cannot be delivered and sends it
    in order when a server answers: see ``warroom.store.offline``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Collection
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from warroom.incident import EventDraft, IncidentState, StoredEvent, fold, snapshot
from warroom.incident.events import IncidentDeclared, parse_stored, parse_stored_array

from .base import (
    EventStore, IncidentChanges, IncidentSummary, Queued, Rejected, StoreError, StoreUnavailable, UnknownIncident, checked_incident_id, default_warning,
)
from .offline import LateRefusal, OfflineQueue
from .replies import BACKOFF_FIRST, BACKOFF_MAX, MAX_RETRY_AFTER, AuthError, Backoff, error_for, retry_after, retryable
from .sse import Message, SSEParser, StreamBroken
from .stream import open_event_stream

__all__ = [
    "BACKOFF_FIRST",
    "BACKOFF_MAX",
    "MAX_RETRY_AFTER",
    "PAGE",
    "RETRIES",
    "STREAM_READ_TIMEOUT",
    "TIMEOUT",
    "AuthError",
    "HttpStore",
    "LateRefusal",
    "Queued",
]

log = logging.getLogger("warroom.store")

PAGE = 1000
TIMEOUT = 10.0
STREAM_READ_TIMEOUT = 60.0  # the server sends a keep-alive every 15 s
RETRIES = 3  # for outcomes we cannot know (dropped connection, 5xx, 429)

_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]+")
T = TypeVar("T")


class _Retry(Exception):
    def __init__(self, delay: float | None = None):
        self.delay = delay


class HttpStore(OfflineQueue, EventStore):
    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        warn: Callable[[str], None] = default_warning,
        queue_offline: bool = False,
        timeout: float = TIMEOUT,
        stream_read_timeout: float = STREAM_READ_TIMEOUT,
        retries: int = RETRIES,
        backoff_max: float = BACKOFF_MAX,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        super().__init__(queue_offline=queue_offline)
        self.urls = [part.strip().rstrip("/") for part in url.split(",") if part.strip()] or [url.rstrip("/")]
        self.url = self.urls[0]
        if token and not _TOKEN_CHARS.fullmatch(token):
            # Never echo it: a pasted token with a stray space or newline is still a secret.
            raise AuthError("the token has characters a warroom token never has (spaces, quotes, non-ASCII): check WARROOM_TOKEN / --token", 0)
        self._token = token or None
        self.warn = warn
        self.timeout = timeout
        self.stream_read_timeout = stream_read_timeout
        self.retries = retries
        self.backoff_max = backoff_max
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._closed = False
        self._handle: str | None = None

    def __repr__(self) -> str:  # never show the token
        return f"HttpStore({','.join(self.urls)!r})"

    @property
    def location(self) -> str:
        return ",".join(self.urls)

    def _failover(self, failed: str) -> bool:
        """Move on from ``failed`` to the next server (if it is still the current one)."""
        if len(self.urls) == 1:
            return False
        if self.url == failed:
            self.url = self.urls[(self.urls.index(failed) + 1) % len(self.urls)]
            if self._client is not None:
                self._client.base_url = httpx.URL(self.url)
            log.info("warroom server %s is not answering; switched to %s", failed, self.url)
        return True

    # --- plumbing ------------------------------------------------------------------

    @property
    def client(self) -> httpx.AsyncClient:
        if self._closed:
            raise StoreUnavailable("this store is closed")
        if self._client is None:
            headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
            self._client = httpx.AsyncClient(
                base_url=self.url,
                headers=headers,
                timeout=httpx.Timeout(self.timeout),
                transport=self._transport,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._closed:
            return
        await self._stop_queue()
        self._closed = True
        if self._client is not None:
            await self._client.aclose()

    def _error(self, response: httpx.Response, incident_id: str | None) -> StoreError:
        return error_for(response, incident_id, token_sent=bool(self._token), url=self.url)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        incident_id: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        retries: int | None = None,
    ) -> httpx.Response:
        """One request, retried (same payload, so the same event id) while the outcome is unknown."""
        retries = self.retries if retries is None else retries
        backoff = Backoff(cap=1.0)
        attempt = 0
        switches = 0  # each other server is tried once at once, before any backoff
        while True:
            used = self.url
            try:
                response = await self.client.request(method, path, json=json, params=params)
            except httpx.TransportError as error:
                if self._failover(used) and switches < len(self.urls) - 1:
                    switches += 1
                    continue
                switches = 0
                self._set_online(False)
                if attempt < retries:
                    attempt += 1
                    await asyncio.sleep(backoff.next())
                    continue
                reason = type(error).__name__ if not str(error) else str(error)
                where = self.url if len(self.urls) == 1 else "any of " + ", ".join(self.urls)
                raise StoreUnavailable(f"cannot reach the warroom server at {where} ({reason})") from None
            self._set_online(True)
            status = response.status_code
            if status >= 500 and self._failover(used) and switches < len(self.urls) - 1:
                switches += 1
                continue
            if retryable(status) and attempt < retries:
                attempt += 1
                await asyncio.sleep(retry_after(response) if status in (429, 503) else backoff.next())
                continue
            if response.is_success:
                return response
            raise self._error(response, incident_id)

    # --- EventStore ------------------------------------------------------------------

    async def whoami(self) -> str:
        """The handle the server acts as for this token (asked once, then remembered)."""
        if self._handle is None:
            response = await self._request("GET", "/api/me")
            self._handle = str(response.json()["handle"])
        return self._handle

    async def append(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        incident_id = checked_incident_id(incident_id)
        body = draft.body
        if isinstance(body, IncidentDeclared) and body.incident_id != incident_id:
            raise Rejected(f"declaring {body.incident_id} into {incident_id}")
        if self.queue_offline and self._queue:
            self._enqueue(incident_id, draft)  # raises Queued: keep order behind what already waits
        known_down = self.queue_offline and self._online is False
        try:
            return await self._send(incident_id, draft, retries=0 if known_down else None)
        except StoreUnavailable:
            if not self.queue_offline:
                raise
            self._enqueue(incident_id, draft)
            raise  # pragma: no cover - _enqueue raises

    async def _send(self, incident_id: str, draft: EventDraft, retries: int | None = None) -> StoredEvent:
        body = draft.body.model_dump(mode="json")
        if isinstance(draft.body, IncidentDeclared):
            path = "/api/incidents"
            payload = {"id": str(draft.id), "actor": draft.actor, **body}
        else:
            path = f"/api/incidents/{incident_id}/events"
            payload = {"id": str(draft.id), "actor": draft.actor, "body": body}
        response = await self._request("POST", path, incident_id=incident_id, json=payload, retries=retries)
        try:
            return StoredEvent.model_validate_json(response.content)
        except ValidationError:
            raise StoreUnavailable(f"the warroom server at {self.url} sent an unreadable event") from None

    async def load_state(self, incident_id: str) -> IncidentState:
        """The server's checkpoint of the incident, then only the events after it."""
        incident_id = checked_incident_id(incident_id)
        try:
            response = await self._request("GET", f"/api/incidents/{incident_id}/state", incident_id=incident_id)
            state = snapshot.decode(response.content)
        except (UnknownIncident, snapshot.BadCheckpoint):  # unknown, or a server of another version: fold it all
            return await super().load_state(incident_id)
        return fold(await self.read(incident_id, after=state.seq), state)

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        incident_id = checked_incident_id(incident_id)
        events: list[StoredEvent] = []
        cursor = after
        while True:
            response = await self._request(
                "GET", f"/api/incidents/{incident_id}/events", incident_id=incident_id, params={"after": cursor, "limit": PAGE}
            )
            try:
                page = parse_stored_array(response.content)
            except ValidationError:
                raise StoreUnavailable(f"the warroom server at {self.url} sent unreadable events") from None
            events.extend(page)
            if len(page) < PAGE:
                return events
            cursor = page[-1].seq

    async def incidents(self) -> list[IncidentSummary]:
        response = await self._request("GET", "/api/incidents")
        return [IncidentSummary.from_dict(item) for item in response.json()]

    # --- streams -----------------------------------------------------------------------

    async def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        incident_id = checked_incident_id(incident_id)
        cursor = after

        def resume() -> dict[str, Any]:  # each (re)connection asks for what comes after the cursor
            return {"params": {"after": cursor}, "headers": {"Last-Event-ID": str(cursor)}}

        async def contiguous(message: Message) -> list[StoredEvent]:
            nonlocal cursor
            if not message.data:
                return []  # a keep-alive comment or a bare retry hint
            try:
                event = parse_stored(message.data)
            except (ValidationError, ValueError):
                self.warn(f"{self.url}: skipped an unreadable event in the {incident_id} stream")
                return []
            if event.seq <= cursor:
                return []
            fresh: list[StoredEvent] = []
            if event.seq > cursor + 1:  # never expected; a plain read closes the gap
                fresh = list(itertools.takewhile(lambda missing: missing.seq < event.seq, await self.read(incident_id, after=cursor)))
            fresh.append(event)
            cursor = event.seq
            return fresh

        stream = self._stream(f"/api/incidents/{incident_id}/stream", contiguous, resume=resume, incident_id=incident_id)
        async with contextlib.aclosing(stream):
            async for event in stream:
                yield event

    async def watch_incidents(self, every: float = 2.0) -> AsyncIterator[IncidentChanges]:
        """One stream for the whole list (``/api/incidents/stream``): a ``snapshot`` of every
        summary, then each ``changed`` summary. After a disconnect it reconnects with backoff
        (moving to the next server like ``follow``) and starts again from a fresh snapshot.
        Only 401/403 end it (``AuthError``)."""
        stream = self._stream("/api/incidents/stream", self._changes, absent=(404, 405))
        async with contextlib.aclosing(stream):
            async for changes in stream:
                yield changes
        if self._closed:
            return
        async for changes in super().watch_incidents(every):  # a server from before the list stream: poll the list
            yield changes

    async def _changes(self, message: Message) -> list[IncidentChanges]:
        if message.event not in ("snapshot", "changed") or not message.data:
            return []
        try:
            found = [IncidentSummary.from_dict(item) for item in json.loads(message.data)]
        except (ValueError, KeyError, TypeError):
            self.warn(f"{self.url}: skipped an unreadable message in the incident list stream")
            return []
        return [IncidentChanges(found, complete=message.event == "snapshot")]

    async def _stream(
        self,
        path: str,
        handle: Callable[[Message], Awaitable[list[T]]],
        *,
        resume: Callable[[], dict[str, Any]] = dict,
        incident_id: str | None = None,
        absent: Collection[int] = (),
    ) -> AsyncGenerator[T]:
        """A server-sent event stream that outlives its servers, yielding what ``handle`` makes
        of each message. After any disconnect it reconnects until the store closes -- to the
        next server at once (each other one tried once), then with capped backoff; after a 429
        or a 503 when the server says -- with ``resume()``'s params and headers each time.
        A status in ``absent`` (a server without this stream) ends it quietly; any other
        refusal raises (``AuthError``, ``UnknownIncident``)."""
        backoff = Backoff(cap=self.backoff_max)
        timeout = httpx.Timeout(self.timeout, read=self.stream_read_timeout)
        switches = 0
        while not self._closed:
            delay: float | None = None
            used = self.url
            try:
                async with open_event_stream(self.client, path, timeout=timeout, lean=self._transport is None, **resume()) as (response, body):
                    if response.status_code != 200:
                        await response.aread()
                        if response.status_code in absent:
                            return
                        if retryable(response.status_code):
                            self._set_online(True)
                            if response.status_code >= 500 and self._failover(used) and switches < len(self.urls) - 1:
                                switches += 1
                                raise _Retry(0.0)
                            raise _Retry(retry_after(response) if response.status_code in (429, 503) else None)
                        raise self._error(response, incident_id)
                    self._set_online(True)
                    backoff.reset()
                    switches = 0
                    parser = SSEParser()
                    async for chunk in body:
                        for message in parser.feed(chunk):  # every message the chunk completes, in one go
                            for item in await handle(message):
                                yield item
            except _Retry as retry:
                delay = retry.delay
            except (httpx.TransportError, StreamBroken, StoreUnavailable):
                if self._closed:
                    return
                if self._failover(used) and switches < len(self.urls) - 1:
                    switches += 1
                    continue  # the next server at once, from the same resume point
                switches = 0
                self._set_online(False)
            await asyncio.sleep(delay if delay is not None else backoff.next())
