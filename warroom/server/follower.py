"""The server's SQLite log as a read-only ``EventStore`` for another process: the status page's.

``warroom serve --status-port`` runs the public status page in a child process of its
own (``statusproc``), so a crowd of stakeholders never shares the responders' event loop
or GIL. That child has no hub to wait on: it follows the log the server writes. SQLite
cannot tell another process of a commit, but ``PRAGMA data_version`` changes whenever
another connection commits, and asking costs microseconds (the WAL index's header, no
disk read). So one poller asks every ``POLL_SECONDS`` and, when it changed, wakes every
follower, each of which reads the rows past its own cursor (one indexed query per
incident viewed, not per page).

The connection is read-only twice over (``mode=ro`` and ``query_only``) and never holds
a read transaction open between statements: in WAL a reader never blocks the writer,
and one that lets go at once never holds a checkpoint back either. All its queries run
on one thread of their own, off the event loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from warroom.db.sqlite import connect
from warroom.incident import EventDraft, IncidentState, StoredEvent, apply
from warroom.incident.events import parse_stored_lines
from warroom.store.base import EventStore, IncidentSummary, StoreError, StoreUnavailable, UnknownIncident, checked_incident_id

from .rowlog import follow_rows, read_rows
from .summaries import newest_first

POLL_SECONDS = 0.05
LIST_SECONDS = 0.5
"""The list of incidents is brought up to date at most this often (it reads which incidents exist:
the whole table's keys), however many index pages ask."""
PAGE = 500
T = TypeVar("T")

_INCIDENTS = """
WITH RECURSIVE incident(id) AS (
    SELECT MIN(incident) FROM events
    UNION ALL
    SELECT (SELECT MIN(incident) FROM events WHERE incident > incident.id) FROM incident WHERE incident.id IS NOT NULL
)
SELECT id FROM incident WHERE id IS NOT NULL
"""
"""Every incident in the log, one index seek each (``SELECT DISTINCT`` reads every event's key)."""


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write ``path`` (``mode=ro``: not even the checkpoint a last
    connection makes on close), checked as the server's own connections are."""
    connect(path).close()  # the same checks (a plain file, no link) and settings the server's connections pass
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA query_only = 1")
    return conn


class SqliteFollower(EventStore):
    """Reads and follows the server's SQLite log from another process; never appends."""

    def __init__(self, path: Path, poll: float = POLL_SECONDS):
        self.path = Path(path)
        self.poll = poll
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="warroom-follower")
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self.changes = 0  # commits noticed (by polls that saw data_version move)
        self._changed: asyncio.Future[None] | None = None
        self._poller: asyncio.Task | None = None
        self._closing = False
        self._states: dict[str, IncidentState] = {}  # every incident's fold, for the list
        self._listed_at = -1  # ``changes`` when the list was last brought up to date
        self._listed_when = 0.0  # and the loop's clock then
        self._listing = asyncio.Lock()

    @property
    def location(self) -> str:
        return str(self.path)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = open_read_only(self.path)
        return self._conn

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._thread, lambda: work(self._db()))
        except sqlite3.Error as error:
            raise StoreUnavailable(f"cannot read {self.path}: {error}") from None

    # --- noticing commits ------------------------------------------------------------

    def _wait_for_change(self) -> asyncio.Future[None]:
        if self._poller is None:
            self._poller = asyncio.get_running_loop().create_task(self._poll(), name="warroom-follower-poll")
        if self._changed is None or self._changed.done():
            self._changed = asyncio.get_running_loop().create_future()
        return self._changed

    async def _poll(self) -> None:
        while not self._closing:
            try:
                version = await self._run(lambda conn: int(conn.execute("PRAGMA data_version").fetchone()[0]))
            except StoreUnavailable:
                version = None  # retried next poll; the followers keep waiting
            if version is not None and version != self._version:
                self._version = version
                self.changes += 1
                if self._changed is not None and not self._changed.done():
                    self._changed.set_result(None)
            await asyncio.sleep(self.poll)

    # --- the store -------------------------------------------------------------------

    async def append(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        raise StoreError("the status page never writes")

    async def _rows(self, incident_id: str, after: int) -> list[tuple[int, str]]:
        return await self._run(
            lambda conn: conn.execute(
                "SELECT seq, event FROM events WHERE incident = ? AND seq > ? ORDER BY seq LIMIT ?", (incident_id, after, PAGE)
            ).fetchall()
        )

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        checked_incident_id(incident_id)
        found = await read_rows(partial(self._rows, incident_id), after)
        if not found and not await self._run(
            lambda conn: conn.execute("SELECT 1 FROM events WHERE incident = ? LIMIT 1", (incident_id,)).fetchone() is not None
        ):
            raise UnknownIncident(incident_id)
        return found

    def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        """Events past ``after`` and then each commit, noticed within a poll; ends at ``aclose``."""
        return follow_rows(partial(self._rows, incident_id), after, self._wait_for_change, lambda: self._closing)

    async def incidents(self) -> list[IncidentSummary]:
        """Every incident's summary, newest first; brought up to date (once, however many ask at once)
        only when a commit was noticed since, and at most every ``LIST_SECONDS``."""
        self._wait_for_change()
        loop = asyncio.get_running_loop()
        async with self._listing:
            if self._listed_at != self.changes and loop.time() - self._listed_when >= LIST_SECONDS:
                seen = self.changes
                await self._run(self._catch_up)
                self._listed_at, self._listed_when = seen, loop.time()
            summaries = [IncidentSummary.of(state) for state in self._states.values() if state.declared]
        return sorted(summaries, key=newest_first, reverse=True)

    def _catch_up(self, conn: sqlite3.Connection) -> None:
        """Apply to each incident's fold the rows past it (on the follower's thread)."""
        for (incident_id,) in conn.execute(_INCIDENTS).fetchall():
            state = self._states.setdefault(incident_id, IncidentState())
            while rows := conn.execute(
                "SELECT event FROM events WHERE incident = ? AND seq > ? ORDER BY seq LIMIT ?", (incident_id, state.seq, PAGE)
            ).fetchall():
                for event in parse_stored_lines(text for (text,) in rows):
                    apply(state, event)

    async def aclose(self) -> None:
        self._closing = True
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, conn.close)
        self._thread.shutdown(wait=False)
