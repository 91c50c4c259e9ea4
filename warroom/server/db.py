"""The server's log: every incident's events in one SQLite file, written by one thread.

Why one writer thread: SQLite allows one writer at a time anyway, the rules must see
the incident exactly as it stands when an event is numbered, and folding a whole log
per append would be slow. So a single thread owns a cached ``IncidentState`` per
incident and takes appends from a queue. It drains whatever is waiting into one
``BEGIN IMMEDIATE`` transaction, checks each draft against the rules on the cached
state (exactly as the file store does under its lock), inserts the accepted ones,
and commits once. Only after that commit -- with ``synchronous=FULL`` the WAL is
fsynced, so the events survive kill -9 and power loss -- are the appends
acknowledged. Batching the fsync is group commit, never an early ack.

Readers (HTTP reads, SSE catch-up, token checks, the list of incidents) use their own
connections on other threads: WAL lets them run beside the writer without waiting for
it, and they never take a turn on the writer's queue (a loop of lists over thousands of
incidents once pushed appends from 6 ms to 870 ms). The list is served from summaries
the writer hands over after each commit, each with its JSON made once; incidents not
yet seen since start are folded once by a reader. WAL checkpoints (copying the log
back into the database file, with its own fsync) run on a separate thread and
connection every second, not inside some unlucky append's commit.

``BEGIN IMMEDIATE`` also keeps two processes honest if someone points a second tool
at the same file; ``warroom serve`` itself takes a lock file so only one server
runs per database (the per-incident cache assumes it is the only writer of events).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warroom.incident import EventDraft, IncidentState, Writer
from warroom.store.base import IncidentSummary, Rejected, StoreUnavailable, UnknownIncident

from warroom.db.sqlite import SCHEMA, SCHEMA_VERSION, connect, create_private, init_db
from .summaries import SummaryCache
from .writer import Cached, Committed, HandOff, Job, Outcomes, Unprocessable, WriterLog, admit, deliver_joined, retry_or_refuse

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Committed", "EventLog", "Unprocessable", "connect", "create_private", "init_db"]

log = logging.getLogger("warroom.server")

CHECKPOINT_SECONDS = 1.0


class EventLog(WriterLog):
    """The authority: appends through the writer thread, reads from any thread."""

    def __init__(self, path: Path, *, on_commit: Callable[[list[Committed]], None] | None = None):
        super().__init__(on_commit)
        self.path = Path(path)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._stop_checkpoints = threading.Event()
        self._checkpointer: threading.Thread | None = None
        self._summaries = SummaryCache(self._load_summaries)  # offered by the writer after commits and by readers
        self._hand_backs: HandOff[tuple[Outcomes, list[Committed]]] = HandOff(lambda taken: deliver_joined(self.on_commit, taken))

    # --- life ------------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        init_db(self.path)
        self._writer = connect(self.path)
        self._writer.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer does it
        self._writer.execute("PRAGMA journal_size_limit = 67108864")
        self._start_writer(loop, "warroom-writer")
        self._stop_checkpoints.clear()
        self._checkpointer = threading.Thread(target=self._checkpoints, name="warroom-checkpoint", daemon=True)
        self._checkpointer.start()

    def _checkpoints(self) -> None:
        conn = connect(self.path)
        try:
            while not self._stop_checkpoints.wait(CHECKPOINT_SECONDS):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as error:  # pragma: no cover - retried next second
                    log.warning("WAL checkpoint failed: %s", error)
        finally:
            conn.close()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._stop_checkpoints.set()
            self._checkpointer.join(timeout=30)
            self._checkpointer = None
        if self._stop_writer():
            try:
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:  # pragma: no cover - readers still open; the next start finishes it
                pass
            self._writer.close()
        with self._readers_lock:
            for conn in self._readers:
                try:
                    conn.close()
                except sqlite3.Error:  # pragma: no cover - closing from another thread at exit
                    pass
            self._readers.clear()

    # --- the async face (append and run: ``WriterLog``) ---------------------------------

    async def summaries(self) -> list[IncidentSummary]:
        """Every incident's summary, newest first -- read on a reader thread."""
        return await asyncio.to_thread(self._summaries.summaries)

    async def summaries_json(self) -> bytes:
        """Every incident's summary as a JSON array, newest first -- read on a reader thread."""
        return await asyncio.to_thread(self.read_summaries_json)

    async def checkpoint(self, incident_id: str) -> bytes | None:
        """The incident's state as checkpoint bytes (``warroom.incident.snapshot``); ``None`` if unknown."""
        return await self.run(lambda conn: self._checkpoint(conn, incident_id))

    # --- reads from any thread -----------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path, readonly=True)
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def read_json(self, incident_id: str, after: int, limit: int, max_bytes: int | None = None) -> list[tuple[int, str]]:
        """Up to ``limit`` events after ``after``; with ``max_bytes``, stop once their JSON adds up to that."""
        rows = self._reader().execute(
            "SELECT seq, event FROM events WHERE incident = ? AND seq > ? ORDER BY seq LIMIT ?",
            (incident_id, after, limit),
        )
        if max_bytes is None:
            return rows.fetchall()
        page, size = [], 0
        try:
            for seq, text in rows:
                page.append((seq, text))
                size += len(text)
                if size >= max_bytes:
                    break
        finally:
            rows.close()
        return page

    def read_summaries_json(self) -> bytes:
        return self._summaries.listing()

    def _load_summaries(self, summaries: SummaryCache) -> None:
        """Fold, on this reader thread, every incident the writer has not summarised yet."""
        conn = self._reader()
        for (incident_id,) in conn.execute("SELECT DISTINCT incident FROM events").fetchall():
            if summaries.known(incident_id):
                continue
            rows = conn.execute("SELECT event FROM events WHERE incident = ? ORDER BY seq", (incident_id,))
            summaries.offer(incident_id, self._fold(incident_id, rows).state)

    def exists(self, incident_id: str) -> bool:
        row = self._reader().execute("SELECT 1 FROM events WHERE incident = ? LIMIT 1", (incident_id,)).fetchone()
        return row is not None

    # --- the writer thread ----------------------------------------------------------

    def _process(self, batch: list[Job]) -> None:
        outcomes: list[tuple[asyncio.Future, Any]] = []
        committed: list[Committed] = []
        appends: list[Job] = []
        for job in batch:
            if job.call is None:
                appends.append(job)
                continue
            if appends:  # keep the order jobs arrived in
                outcomes.extend(self._transaction(appends, committed))
                appends = []
            try:
                outcomes.append((job.future, job.call(self._writer)))
            except Exception as error:
                outcomes.append((job.future, error))
        if appends:
            outcomes.extend(self._transaction(appends, committed))
        self._settle(outcomes, committed)

    def _settle(self, outcomes: Outcomes, committed: list[Committed]) -> None:
        """Publish and acknowledge on the loop: joined with any earlier commit it has not got to yet."""
        self._hand_backs.hand(self._loop, (outcomes, committed))

    def _transaction(self, jobs: list[Job], committed: list[Committed]) -> list[tuple[asyncio.Future, Any]]:
        conn = self._writer
        results: list[tuple[asyncio.Future, Any]] = []
        fresh: dict[str, Committed] = {}
        touched: set[str] = set()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            log.error("cannot start a write transaction: %s", error)
            return [(job.future, StoreUnavailable(f"the server's database is busy or broken: {error}")) for job in jobs]
        try:
            for job in jobs:
                assert job.draft is not None
                touched.add(job.incident)
                try:
                    text, created, seq = self._append(conn, job.incident, job.draft, job.writer)
                except (Rejected, UnknownIncident, Unprocessable) as refusal:
                    results.append((job.future, refusal))
                    continue
                except sqlite3.Error:
                    raise
                except Exception as error:  # a bug must cost one request, not the writer
                    log.exception("%s: unexpected error appending %s", job.incident, job.draft.body.type)
                    self._cache.pop(job.incident, None)
                    results.append((job.future, Unprocessable(f"this event cannot be stored: {error}")))
                    continue
                results.append((job.future, (text, created)))
                if created:
                    fresh.setdefault(job.incident, Committed(job.incident)).events.append((seq, text))
            conn.execute("COMMIT")
            for incident in fresh:
                cached = self._cache.get(incident)
                if cached is not None:
                    self._summaries.offer(incident, cached.state)
        except sqlite3.Error as error:
            log.error("commit failed, nothing in this batch was stored: %s", error)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            for incident in touched:
                self._cache.pop(incident, None)  # the cached states ran ahead of the database
            failure = StoreUnavailable(f"the server could not write to its database: {error}")
            return [(future, outcome if isinstance(outcome, Exception) else failure) for future, outcome in results] + [
                (job.future, failure) for job in jobs[len(results) :]
            ]
        committed.extend(fresh.values())
        return results

    def _append(self, conn: sqlite3.Connection, incident_id: str, draft: EventDraft, writer: Writer) -> tuple[str, bool, int]:
        original = conn.execute("SELECT incident, seq, event FROM events WHERE id = ?", (str(draft.id),)).fetchone()
        retry = retry_or_refuse(incident_id, draft, original)
        if retry is not None:
            return retry
        stored, text = admit(self._cache, self._cached(conn, incident_id), incident_id, draft, writer)
        conn.execute(
            "INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (incident_id, stored.seq, str(stored.id), stored.at.isoformat(), stored.actor, draft.body.type, text),
        )
        return text, True, stored.seq

    def _cached(self, conn: sqlite3.Connection, incident_id: str) -> Cached | None:
        cached = self._cache.get(incident_id)
        if cached is not None:
            return cached
        rows = conn.execute("SELECT event FROM events WHERE incident = ? ORDER BY seq", (incident_id,))
        cached = self._fold(incident_id, rows)
        if not cached.state.declared and cached.state.seq == 0:
            return None
        self._cache[incident_id] = cached
        return cached

    def _fold(self, incident_id: str, rows: sqlite3.Cursor) -> Cached:
        cached = Cached(IncidentState())
        cached.fold((text for (text,) in rows), incident_id, str(self.path))
        return cached

    def _checkpoint(self, conn: sqlite3.Connection, incident_id: str) -> bytes | None:
        cached = self._cached(conn, incident_id)
        return None if cached is None else cached.checkpoint()
