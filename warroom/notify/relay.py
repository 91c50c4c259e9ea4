"""The notifier: follows every incident in a store and delivers notices to the targets.

Runs inside ``warroom serve`` (over the server's own log) or as ``warroom relay --store
DIR`` (over a shared folder; one per folder, enforced by a lock file). Two loops:

- the *reader* follows each incident (discovering new ones every ``poll`` seconds),
  folds it, and for every accepted event past the incident's cursor writes the rows
  its notice calls for together with the new cursor (``Deliveries.record``); it also
  derives ``update_overdue`` from the incident's cadence.
- the *sender* takes due rows, marks each ``sending``, hands it to Apprise on a worker
  thread, then marks it ``sent`` or schedules a retry with exponential backoff.

Neither touches the append path: a slow or dead receiver delays only its own rows.
All database work runs on one dedicated thread, in order. On PostgreSQL several servers
run a notifier over one set of records (``pgrecords``): each row is claimed before it
is sent, so it is sent by one of them.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warroom.incident import IncidentState, apply
from warroom.store.base import EventStore, StoreError
from warroom.store.opening import open_regular

from .messages import Notice, message, notice_for, overdue_notice
from .records import Deliveries, Pending
from .targets import Target

if TYPE_CHECKING:
    from .pgrecords import PgDeliveries  # psycopg: loaded only for a PostgreSQL-backed server

log = logging.getLogger("warroom.notify")

Send = Callable[[Target, str, str], "str | None"]  # returns an error, or None when delivered


class RelayBusy(StoreError):
    pass


def lock_folder(folder: Path) -> int:
    """One relay per folder: an exclusive lock the kernel drops if the relay dies."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".warroom-relay.lock"
    fd = open_regular(path, os.O_RDWR | os.O_CREAT, mode=0o600, what="lock files")  # it is written: never through a link
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise RelayBusy(f"another relay (pid {holder}) is already running for {folder}") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def apprise_sender() -> Send:
    import apprise  # loaded only where notifications are sent

    cache: dict[str, Any] = {}

    def send(target: Target, title: str, body: str) -> str | None:
        client = cache.get(target.id)
        if client is None:
            client = apprise.Apprise()
            if not client.add(target.url):
                return "not a valid Apprise URL"
            cache[target.id] = client
        with apprise.LogCapture(level=logging.WARNING) as output:
            ok = client.notify(title=title, body=body)
            lines = [line for line in output.getvalue().splitlines() if line.strip()]
        if ok:
            return None
        return (lines[-1] if lines else "the receiver refused it").strip()[:300]

    return send


class Notifier:
    def __init__(
        self,
        store: EventStore,
        targets: list[Target],
        deliveries: Deliveries | PgDeliveries,
        *,
        status_base: str | None = None,
        send: Send | None = None,
        poll: float = 0.5,
        on_delivery: Callable[[bool], None] | None = None,
    ):
        """``on_delivery(sent)`` hears each delivery attempt's outcome (the server's metrics)."""
        self.store = store
        self.targets = targets
        self.by_id = {t.id: t for t in targets}
        self.deliveries = deliveries
        self.status_base = status_base.rstrip("/") if status_base else None
        self.send = send or apprise_sender()
        self.poll = poll
        self.on_delivery = on_delivery
        self._db = ThreadPoolExecutor(1, thread_name_prefix="warroom-notify-db")
        self._wake = asyncio.Event()
        self._states: dict[str, IncidentState] = {}
        self._followers: dict[str, asyncio.Task] = {}
        self._cursors: dict[str, int] = {}

    async def _in_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    async def run(self) -> None:
        await self._in_db(self.deliveries.remember_targets, [(t.id, t.name) for t in self.targets])
        resent = await self._in_db(self.deliveries.recover)
        if resent:
            log.warning("%d notices may have been sent just before the last stop; sending them again", resent)
        self._cursors = await self._in_db(self.deliveries.cursors)
        try:
            await asyncio.gather(self._discover(), self._sender())
        finally:
            for task in self._followers.values():
                task.cancel()
            await asyncio.gather(*self._followers.values(), return_exceptions=True)
            self._db.shutdown(wait=True)

    # --- reading the log ----------------------------------------------------------

    async def _discover(self) -> None:
        while True:
            try:
                for summary in await self.store.incidents():
                    follower = self._followers.get(summary.id)
                    if follower is None or follower.done():  # new, or stopped by a database error: (re)start
                        if follower is not None and not follower.cancelled() and follower.exception() is not None:
                            log.warning("notifier: following %s again after: %s", summary.id, follower.exception())
                        self._followers[summary.id] = asyncio.create_task(self._follow(summary.id), name=f"notify-{summary.id}")
                await self._check_overdue()
            except StoreError as error:
                log.warning("notifier: %s", error)
            await asyncio.sleep(self.poll)

    async def _follow(self, incident: str) -> None:
        cursor = self._cursors.get(incident, 0)
        state = IncidentState()
        for event in await self.store.read(incident):  # catch up first ...
            cursor = await self._take(incident, state, event, cursor)
        self._states[incident] = state  # ... so "overdue" is judged on the whole log, never a prefix
        async for event in self.store.follow(incident, state.seq):
            cursor = await self._take(incident, state, event, cursor)

    async def _take(self, incident: str, state: IncidentState, event: Any, cursor: int) -> int:
        commander, severity = state.commander, state.severity
        change = apply(state, event)
        if event.seq <= cursor:
            return cursor  # read before a restart: its rows are already in the records
        notice = None
        if change is not None and change.entry.rejected is None:
            notice = notice_for(commander, severity, state, event)
        await self._enqueue(incident, event.seq, [notice] if notice else [])
        return event.seq

    async def _enqueue(self, incident: str, seq: int | None, notices: list[Notice]) -> None:
        rows = [(n, t.id) for n in notices for t in self.targets if t.wants(n)]
        added = await self._in_db(self.deliveries.record, incident, seq, rows)
        if added:
            self._wake.set()

    async def _check_overdue(self) -> None:
        now = datetime.now(timezone.utc)
        for incident, state in list(self._states.items()):
            due = state.next_update_due()  # the incident's own cadence
            if state.published and due is not None and now >= due:
                await self._enqueue(incident, None, [overdue_notice(state, due)])

    # --- sending ------------------------------------------------------------------

    async def _sender(self) -> None:
        while True:
            self._wake.clear()
            try:
                timeout = await self._send_due()
            except StoreError as error:  # the records' database is away (PostgreSQL restarting): try again soon
                log.warning("notifier: %s", error)
                timeout = 1.0
            if timeout == 0.0:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    async def _send_due(self) -> float | None:
        """Send what is due; how long until more is (``None``: until woken)."""
        shared = getattr(self.deliveries, "shared", False)  # other servers enqueue and claim rows too
        if shared and await self._in_db(self.deliveries.recover):
            log.warning("notices claimed by a server that is gone are being sent again")
        for pending in await self._in_db(self.deliveries.due, time.time(), list(self.by_id)):
            await self._deliver(pending)
        next_at = await self._in_db(self.deliveries.next_due, list(self.by_id))
        timeout = None if next_at is None else max(0.0, next_at - time.time())
        if shared:
            poll: float = getattr(self.deliveries, "poll")  # shared records (pgrecords) wake every poll seconds
            timeout = poll if timeout is None else min(timeout, poll)
        return timeout

    async def _deliver(self, pending: Pending) -> None:
        target = self.by_id.get(pending.target)
        if target is None:
            return  # a target removed from the config: its rows wait until it comes back
        status = f"{self.status_base}/status/{pending.incident}" if self.status_base else None
        notice_body = message(_as_notice(pending), status)
        if not await self._in_db(self.deliveries.sending, pending):
            return  # another server on the same database claimed it first
        try:
            error = await asyncio.to_thread(self.send, target, pending.title, notice_body)
        except Exception as crash:  # a plugin bug must not stop the other targets
            error = f"{type(crash).__name__}: {crash}"
        if self.on_delivery is not None:
            self.on_delivery(error is None)
        if error is None:
            await self._in_db(self.deliveries.sent, pending)
        else:
            log.warning("notify %s: %s", target.name, error)
            await self._in_db(self.deliveries.failed, pending, error)


def _as_notice(p: Pending) -> Notice:
    return Notice(kind="", incident=p.incident, key=p.key, severity=0, drill=False, title=p.title, body=p.body)
