"""What the SQLite log (``db``) and the PostgreSQL log (``pg``) do alike.

Both take appends from a queue on one writer thread, batch whatever is waiting into
one transaction, check each draft against a cached ``IncidentState`` with the rules,
and acknowledge only after the commit, publishing the committed events first. Only
the SQL and how a transaction is begun, retried and ended differ, so those stay in
each backend; the queue, the cached states, the rule check that numbers and stamps
an event, and the hand-back to the event loop live here once.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from warroom.incident import (
    PERSON,
    EventDraft,
    IncidentState,
    Writer,
    apply,
    check_write,
    snapshot,
)
from warroom.incident.events import StoredEvent, dump_stored, parse_stored, utcnow
from warroom.store.base import Rejected, StoreUnavailable, UnknownIncident, retry_of

log = logging.getLogger("warroom.server")

MAX_BATCH = 256

T = TypeVar("T")


class Unprocessable(Exception):
    """The event passed validation but the domain could not apply it (mapped to 422)."""


@dataclass(slots=True)
class Cached:
    state: IncidentState
    last_at: datetime | None = None
    encoded: tuple[int, bytes] | None = None
    """The state as checkpoint bytes, and its seq: what ``GET .../state`` serves."""

    def checkpoint(self) -> bytes:
        """The checkpoint bytes, re-encoded only once they are ``CHECKPOINT_EVERY`` events old
        (a reader folds the rest). The state is swapped for the one decoded from the bytes
        (equal by construction), so its long lists stay encoded and the next encoding
        reuses them: cheap on the writer thread."""
        if self.encoded is None or self.state.seq - self.encoded[0] >= snapshot.CHECKPOINT_EVERY:
            data = b"".join(snapshot.encode(self.state))
            self.state = snapshot.decode(data)
            self.encoded = (self.state.seq, data)
        return self.encoded[1]

    def fold(self, texts: Iterable[str], incident_id: str, where: str = "") -> None:
        """Apply stored events (their JSON) to the state; an unreadable one is logged and skipped."""
        for text in texts:
            try:
                event = parse_stored(text)
            except (ValidationError, ValueError) as error:
                log.warning("%s: unreadable event%s skipped: %s", incident_id, f" in {where}" if where else "", error)
                continue
            apply(self.state, event)
            self.last_at = event.at


@dataclass(slots=True)
class Job:
    future: asyncio.Future
    incident: str = ""
    draft: EventDraft | None = None
    writer: Writer = PERSON
    call: Callable[[Any], Any] | None = None


@dataclass(slots=True)
class Committed:
    """Events one commit made durable, handed to the fan-out in seq order."""

    incident: str
    events: list[tuple[int, str]] = field(default_factory=list)


Outcomes = list[tuple[asyncio.Future, Any]]
"""Each job's future with what settles it: a result, or an exception to raise in its client."""


def retry_or_refuse(incident_id: str, draft: EventDraft, original: tuple[str, int, str] | None) -> tuple[str, bool, int] | None:
    """Raise ``Rejected`` for a draft that cannot go into this incident whatever its state;
    the stored original ``(text, False, seq)`` for a retry of an event already stored
    (``original`` is its ``(incident, seq, text)``); ``None`` for a new event."""
    body = draft.body
    if body.type == "incident_declared" and body.incident_id != incident_id:
        raise Rejected(f"declaring {body.incident_id} into {incident_id}")
    if original is None:
        return None
    if original[0] != incident_id:
        raise Rejected(f"event id {draft.id} is already used by an event in {original[0]}")
    retry_of(parse_stored(original[2]), draft)  # raises IdClash unless it is the same action
    return original[2], False, original[1]


def admit(
    cache: dict[str, Cached], cached: Cached | None, incident_id: str, draft: EventDraft, writer: Writer
) -> tuple[StoredEvent, str]:
    """Check ``draft`` from a ``writer`` of that kind against ``cached`` (``None``: the incident is not in the log), number and
    stamp it, and apply it to the cached state: the stored event and its JSON, for the
    caller to insert. Raises ``Rejected``, ``UnknownIncident`` or ``Unprocessable``."""
    body = draft.body
    if cached is None:
        if body.type != "incident_declared":
            raise UnknownIncident(incident_id)
        cached = Cached(IncidentState())
    refusal = check_write(cached.state, draft.actor, body, writer)
    if refusal is not None:
        raise Rejected(refusal)
    now = utcnow()
    at = max(now, cached.last_at) if cached.last_at else now
    try:
        stored = draft.stored(seq=cached.state.seq + 1, at=at)
        text = dump_stored(stored)
    except (ValidationError, ValueError) as error:
        raise Unprocessable(f"this event cannot be stored: {error}") from None
    try:
        apply(cached.state, stored)
    except Exception as error:
        cache.pop(incident_id, None)  # possibly half-applied: reload from the log next time
        log.warning("%s: could not apply %s (%s); refused", incident_id, body.type, error)
        raise Unprocessable(f"this {body.type} event cannot be applied: {error}") from None
    cached.last_at = at
    cache[incident_id] = cached
    return stored, text


def hand_back(
    loop: asyncio.AbstractEventLoop | None,
    on_commit: Callable[[list[Committed]], None] | None,
    outcomes: Outcomes,
    committed: list[Committed],
) -> None:
    """From a database thread: on the event loop, publish ``committed`` and then settle each
    future with its outcome (an exception or a result). Publishing first means a client that
    gets its ack and then reads sees its own event. Both logs (SQLite, PostgreSQL) end so."""
    if loop is None or loop.is_closed():
        return
    try:
        loop.call_soon_threadsafe(_deliver, on_commit, outcomes, committed)
    except RuntimeError:  # pragma: no cover - the loop closed under us at shutdown
        pass


def joined(batches: list[Committed]) -> list[Committed]:
    """``batches`` with each one that follows on from (or overlaps) the last one kept for its
    incident appended to it, past what that one holds: one commit per incident to publish
    instead of several. (The PostgreSQL writer's commit starts with the rows it caught up on,
    which its listener has often handed over already.)"""
    out: list[Committed] = []
    last: dict[str, Committed] = {}
    for batch in batches:
        before = last.get(batch.incident)
        if before is not None and before.events and batch.events and batch.events[0][0] <= before.events[-1][0] + 1:
            newest = before.events[-1][0]
            before.events.extend(event for event in batch.events if event[0] > newest)
        else:
            last[batch.incident] = Committed(batch.incident, list(batch.events))
            out.append(last[batch.incident])
    return out


def _deliver(on_commit: Callable[[list[Committed]], None] | None, outcomes: Outcomes, committed: list[Committed]) -> None:
    if committed and on_commit is not None:
        try:
            on_commit(committed)
        except Exception:  # pragma: no cover - a fan-out bug must not lose acks
            log.exception("fan-out failed")
    for future, outcome in outcomes:
        if future.done():
            continue  # the client went away; the append still stands (a retry returns it)
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


def next_batch(jobs: queue.SimpleQueue, stop: object, held: deque | None = None) -> tuple[list, bool]:
    """Wait for one job, then take whatever else is waiting (up to ``MAX_BATCH``), so one
    commit serves them all: ``(batch, stop seen)``. Jobs queued after ``stop`` are not taken.
    ``held``: jobs taken off the queue earlier and put back, which come first."""
    batch: list = []
    while len(batch) < MAX_BATCH:
        try:
            job = held.popleft() if held else jobs.get() if not batch else jobs.get_nowait()
        except queue.Empty:
            break
        if job is stop:
            return batch, True
        batch.append(job)
    return batch, False


_STOP = object()


class WriterLog:
    """The writer thread and the async face both logs share; a backend supplies ``_process``."""

    def __init__(self, on_commit: Callable[[list[Committed]], None] | None):
        self.on_commit = on_commit
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._held: deque = deque()  # jobs a backend took off the queue and left for the next batch, first
        self._cache: dict[str, Cached] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight = 0  # appends and calls submitted and not yet answered (counted on the loop)

    def writing(self) -> bool:
        """Whether an append (or a call) is waiting for the writer thread: work that may yield to it
        does (a status page crowd's fan-out, ``warroom.web.live``)."""
        return self._in_flight > 0

    def _start_writer(self, loop: asyncio.AbstractEventLoop, name: str) -> None:
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _stop_writer(self) -> bool:
        """Let the writer finish what is queued and end; whether it was running."""
        if self._thread is None:
            return False
        self._jobs.put(_STOP)
        self._thread.join(timeout=30)
        self._thread = None
        return True

    async def append(self, incident_id: str, draft: EventDraft, writer: Writer = PERSON) -> tuple[str, bool]:
        """Store ``draft`` from a ``writer`` of that kind (only the hook intake passes
        ``INTEGRATION``); return the stored event's JSON and whether it is new.

        A draft whose id is already stored in this incident returns the original
        (``False``); raises ``Rejected``, ``UnknownIncident``, ``Unprocessable`` or
        ``StoreUnavailable`` (the database could not commit).
        """
        return await self._submit(Job(self._future(), incident=incident_id, draft=draft, writer=writer))

    async def run(self, call: Callable[[Any], Any]) -> Any:
        """Run ``call(conn)`` on the writer thread, between transactions."""
        return await self._submit(Job(self._future(), call=call))

    def _future(self) -> asyncio.Future:
        assert self._loop is not None, f"{type(self).__name__}.start() first"
        return self._loop.create_future()

    async def _submit(self, job: Job) -> Any:
        if self._thread is None:
            raise StoreUnavailable("the server is shutting down")
        self._in_flight += 1
        try:
            self._jobs.put(job)
            return await job.future
        finally:
            self._in_flight -= 1

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, stopping = next_batch(self._jobs, _STOP, self._held)
            if not batch:
                continue
            try:
                self._process(batch)
            except BaseException as error:  # pragma: no cover - last line of defence
                log.exception("writer batch failed")
                self._settle([(job.future, StoreUnavailable(f"server error: {error}")) for job in batch], [])

    def _process(self, batch: list[Job]) -> None:
        raise NotImplementedError

    def _take_waiting(self, fits: Callable[[Job], bool], room: int) -> list[Job]:
        """From the writer thread, mid-batch: the jobs waiting in the queue, in order, as long as
        each ``fits`` (at most ``room``); the first that does not is held back for the next batch."""
        taken: list[Job] = []
        while len(taken) < room and not self._held:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is _STOP or not fits(job):
                self._held.append(job)
                break
            taken.append(job)
        return taken

    def _settle(self, outcomes: Outcomes, committed: list[Committed]) -> None:
        hand_back(self._loop, self.on_commit, outcomes, committed)


class HandOff(Generic[T]):
    """Things handed from another thread to the event loop, taken there all at once, in the order
    handed. The loop is asked for a call (``call_soon_threadsafe``) only when the list was
    empty: whatever is handed before the loop gets to it goes to ``take`` in that same call.
    Both logs hand their commits over so: SQLite's with their acks (``deliver_joined``), the
    PostgreSQL log's of either server before their acks (``pglisten``)."""

    __slots__ = ("_items", "_lock", "_take")

    def __init__(self, take: Callable[[list[T]], None]) -> None:
        self._items: list[T] = []
        self._lock = threading.Lock()
        self._take = take

    def add(self, item: T) -> bool:
        """Add ``item`` to what the loop takes next; whether it is the first (no call asked for yet)."""
        with self._lock:
            self._items.append(item)
            return len(self._items) == 1

    def hand(self, loop: asyncio.AbstractEventLoop | None, item: T) -> None:
        """From a thread: ``add`` ``item`` and, if it is the first, ask ``loop`` to ``deliver``."""
        if not self.add(item):
            return  # the call already asked for takes this one too
        if loop is None or loop.is_closed():
            self._taken()  # nobody will take them: the next hand asks again
            return
        try:
            loop.call_soon_threadsafe(self.deliver)
        except RuntimeError:  # pragma: no cover - the loop closed under us at shutdown
            self._taken()

    def deliver(self) -> None:
        """On the loop: everything handed so far, in order, to ``take``."""
        taken = self._taken()
        if taken:
            self._take(taken)

    def _taken(self) -> list[T]:
        with self._lock:
            taken, self._items = self._items, []
        return taken


def deliver_joined(on_commit: Callable[[list[Committed]], None] | None, taken: list[tuple[Outcomes, list[Committed]]]) -> None:
    """On the loop, for a log whose commits reach the hub only with their acks (SQLite's): the
    hand-backs a ``HandOff`` took at once, their commits joined per incident (``joined``) and
    published once, then every ack in order. A loop that falls behind -- the machine busy, a
    burst of requests -- then writes each subscriber once for the commits it missed, not once
    each (on a 2-core machine with 100 subscribers, 7 % of hand-backs found one or more
    waiting, up to 7), and no commit waits for one to be joined."""
    if len(taken) == 1:
        _deliver(on_commit, *taken[0])
        return
    commits = [batch for _, committed in taken for batch in committed]
    _deliver(on_commit, [outcome for outcomes, _ in taken for outcome in outcomes], joined(commits))
