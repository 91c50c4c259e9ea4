"""The HTTP store: an ``EventStore`` backed by a ``warroom serve`` server (httpx + httpx-sse).

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
import json
import logging
import random
import re
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import SSEError, aconnect_sse
from pydantic import TypeAdapter, ValidationError

from warroom.incident import EventDraft, IncidentState, StoredEvent, fold, snapshot
from warroom.incident.events import IncidentDeclared, parse_stored

from .base import (
    EventStore,
    IncidentChanges,
    IncidentSummary,
    Queued,
    Rejected,
    StoreError,
    StoreUnavailable,
    UnknownIncident,
    checked_incident_id,
    default_warning,
)

log = logging.getLogger("warroom.store")

PAGE = 1000
TIMEOUT = 10.0
STREAM_READ_TIMEOUT = 60.0  # the server sends a keep-alive every 15 s
RETRIES = 3  # for outcomes we cannot know (dropped connection, 5xx, 429)
BACKOFF_FIRST = 0.05
BACKOFF_MAX = 5.0
MAX_RETRY_AFTER = 10.0

_events = TypeAdapter(list[StoredEvent])
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]+")


class AuthError(StoreError):
    """The server refused the token (401) or what it may do (403)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class LateRefusal:
    """A queued draft the server refused when it was finally delivered."""

    incident_id: str
    draft: EventDraft
    reason: str
    error: StoreError


class _Backoff:
    def __init__(self, first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX):
        self.first, self.cap = first, cap
        self.attempt = 0

    def reset(self) -> None:
        self.attempt = 0

    def next(self) -> float:
        delay = min(self.cap, self.first * (2**self.attempt))
        self.attempt += 1
        return delay * random.uniform(0.8, 1.2)


class _Retry(Exception):
    def __init__(self, delay: float | None = None):
        self.delay = delay


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        return detail
    text = response.text.strip()
    return text[:200] if text else response.reason_phrase


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(response.headers.get("Retry-After", "1"))))
    except ValueError:
        return 1.0


class HttpStore(EventStore):
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
        self.urls = [part.strip().rstrip("/") for part in url.split(",") if part.strip()] or [url.rstrip("/")]
        self.url = self.urls[0]
        if token and not _TOKEN_CHARS.fullmatch(token):
            # Never echo it: a pasted token with a stray space or newline is still a secret.
            raise AuthError("the token has characters a warroom token never has (spaces, quotes, non-ASCII): check WARROOM_TOKEN / --token", 0)
        self._token = token or None
        self.warn = warn
        self.queue_offline = queue_offline
        self.timeout = timeout
        self.stream_read_timeout = stream_read_timeout
        self.retries = retries
        self.backoff_max = backoff_max
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._closed = False
        self._handle: str | None = None
        self._online: bool | None = None
        self._queue: deque[tuple[str, EventDraft]] = deque()
        self._drainer: asyncio.Task | None = None
        self._kick: asyncio.Event | None = None
        self._emptied: asyncio.Event | None = None
        self._status_listeners: list[Callable[[bool], None]] = []
        self._refused_listeners: list[Callable[[LateRefusal], None]] = []
        self._delivered_listeners: list[Callable[[str, StoredEvent], None]] = []

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
        if self._drainer is not None:
            self._drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._drainer
        if self._queue:
            self.warn(f"{len(self._queue)} queued action(s) were never delivered to {self.url}")
        self._closed = True
        if self._client is not None:
            await self._client.aclose()

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

    def _error(self, response: httpx.Response, incident_id: str | None) -> StoreError:
        status = response.status_code
        detail = _detail(response)
        if status == 401:
            if not self._token:
                return AuthError(
                    "no token for the warroom server: set WARROOM_TOKEN or pass --token "
                    "(someone with the server's database makes one: `warroom token add HANDLE`)",
                    status,
                )
            return AuthError(
                f"the server refused your token (401: {detail}): check WARROOM_TOKEN / --token, "
                "or ask for a new one (`warroom token add HANDLE` on the server)",
                status,
            )
        if status == 403:
            return AuthError(f"the server refused this for your token (403): {detail}", status)
        if status == 404 and incident_id is not None:
            return UnknownIncident(incident_id)
        if status == 409:
            return Rejected(detail)
        if status == 413:
            return StoreError(f"the server refused a request that large (413): {detail}")
        if status == 429:
            return StoreUnavailable(f"the server is rate-limiting this token (429): {detail}")
        if status >= 500:
            return StoreUnavailable(f"the warroom server at {self.url} failed ({status}): {detail}")
        return StoreError(f"the warroom server refused the request ({status}): {detail}")

    async def _request(
        self,
        method: str,
        path: str,
        *,
        incident_id: str | None = None,
        json: Any = None,
        params: dict | None = None,
        retries: int | None = None,
    ) -> httpx.Response:
        """One request, retried (same payload, so the same event id) while the outcome is unknown."""
        retries = self.retries if retries is None else retries
        backoff = _Backoff(cap=1.0)
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
            if (status == 429 or status >= 500) and attempt < retries:
                attempt += 1
                await asyncio.sleep(_retry_after(response) if status in (429, 503) else backoff.next())
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
                page = _events.validate_json(response.content)
            except ValidationError:
                raise StoreUnavailable(f"the warroom server at {self.url} sent unreadable events") from None
            events.extend(page)
            if len(page) < PAGE:
                return events
            cursor = page[-1].seq

    async def incidents(self) -> list[IncidentSummary]:
        response = await self._request("GET", "/api/incidents")
        return [IncidentSummary.from_dict(item) for item in response.json()]

    async def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        incident_id = checked_incident_id(incident_id)
        cursor = after
        backoff = _Backoff(cap=self.backoff_max)
        path = f"/api/incidents/{incident_id}/stream"
        timeout = httpx.Timeout(self.timeout, read=self.stream_read_timeout)
        switches = 0
        while not self._closed:
            delay: float | None = None
            used = self.url
            try:
                async with aconnect_sse(
                    self.client, "GET", path, params={"after": cursor}, headers={"Last-Event-ID": str(cursor)}, timeout=timeout
                ) as source:
                    response = source.response
                    if response.status_code != 200:
                        await response.aread()
                        if response.status_code == 429 or response.status_code >= 500:
                            self._set_online(True)
                            if response.status_code >= 500 and self._failover(used) and switches < len(self.urls) - 1:
                                switches += 1
                                raise _Retry(0.0)
                            raise _Retry(_retry_after(response) if response.status_code in (429, 503) else None)
                        raise self._error(response, incident_id)
                    self._set_online(True)
                    backoff.reset()
                    switches = 0
                    async for message in source.aiter_sse():
                        if not message.data:
                            continue  # a keep-alive comment or a bare retry hint
                        try:
                            event = parse_stored(message.data)
                        except (ValidationError, ValueError):
                            self.warn(f"{self.url}: skipped an unreadable event in the {incident_id} stream")
                            continue
                        if event.seq <= cursor:
                            continue
                        if event.seq > cursor + 1:  # never expected; a plain read closes the gap
                            for missing in await self.read(incident_id, after=cursor):
                                if missing.seq >= event.seq:
                                    break
                                yield missing
                                cursor = missing.seq
                            if event.seq <= cursor:
                                continue
                        yield event
                        cursor = event.seq
            except _Retry as retry:
                delay = retry.delay
            except (httpx.TransportError, SSEError, StoreUnavailable):
                if self._closed:
                    return
                if self._failover(used) and switches < len(self.urls) - 1:
                    switches += 1
                    continue  # the next server at once, from the same cursor
                switches = 0
                self._set_online(False)
            await asyncio.sleep(delay if delay is not None else backoff.next())

    async def watch_incidents(self, every: float = 2.0) -> AsyncIterator[IncidentChanges]:
        """One stream for the whole list (``/api/incidents/stream``): a ``snapshot`` of every
        summary, then each ``changed`` summary. After a disconnect it reconnects with backoff
        (moving to the next server like ``follow``) and starts again from a fresh snapshot.
        Only 401/403 end it (``AuthError``)."""
        backoff = _Backoff(cap=self.backoff_max)
        timeout = httpx.Timeout(self.timeout, read=self.stream_read_timeout)
        switches = 0
        while not self._closed:
            delay: float | None = None
            used = self.url
            try:
                async with aconnect_sse(self.client, "GET", "/api/incidents/stream", timeout=timeout) as source:
                    response = source.response
                    if response.status_code != 200:
                        await response.aread()
                        if response.status_code in (404, 405):  # a server from before the list stream
                            break
                        if response.status_code == 429 or response.status_code >= 500:
                            self._set_online(True)
                            if response.status_code >= 500 and self._failover(used) and switches < len(self.urls) - 1:
                                switches += 1
                                raise _Retry(0.0)
                            raise _Retry(_retry_after(response) if response.status_code in (429, 503) else None)
                        raise self._error(response, None)
                    self._set_online(True)
                    backoff.reset()
                    switches = 0
                    async for message in source.aiter_sse():
                        if message.event not in ("snapshot", "changed") or not message.data:
                            continue
                        try:
                            found = [IncidentSummary.from_dict(item) for item in json.loads(message.data)]
                        except (ValueError, KeyError, TypeError):
                            self.warn(f"{self.url}: skipped an unreadable message in the incident list stream")
                            continue
                        yield IncidentChanges(found, complete=message.event == "snapshot")
            except _Retry as retry:
                delay = retry.delay
            except (httpx.TransportError, SSEError, StoreUnavailable):
                if self._closed:
                    return
                if self._failover(used) and switches < len(self.urls) - 1:
                    switches += 1
                    continue
                switches = 0
                self._set_online(False)
            await asyncio.sleep(delay if delay is not None else backoff.next())
        else:
            return
        async for changes in super().watch_incidents(every):  # polling the list instead
            yield changes

    # --- the offline queue --------------------------------------------------------------

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

    def on_delivered(self, callback: Callable[[str, StoredEvent], None]) -> Callable[[], None]:
        return self._listen(self._delivered_listeners, callback)

    @staticmethod
    def _listen(listeners: list, callback: Callable) -> Callable[[], None]:
        listeners.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                listeners.remove(callback)

        return unsubscribe

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

    def _enqueue(self, incident_id: str, draft: EventDraft) -> None:
        self._queue.append((incident_id, draft))
        if self._kick is None:
            self._kick = asyncio.Event()
            self._emptied = asyncio.Event()
        assert self._emptied is not None
        self._emptied.clear()
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain(), name="warroom-offline-queue")
        raise Queued(incident_id, draft, len(self._queue))

    async def _drain(self) -> None:
        assert self._kick is not None and self._emptied is not None
        backoff = _Backoff(cap=self.backoff_max)
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
                refusal = LateRefusal(incident_id, draft, getattr(error, "reason", str(error)), error)
                for callback in list(self._refused_listeners):
                    self._call(callback, refusal)
                continue
            self._queue.popleft()
            backoff.reset()
            for callback in list(self._delivered_listeners):
                self._call(callback, incident_id, stored)
        self._emptied.set()
