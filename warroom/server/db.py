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
import json
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from warroom.incident import EventDraft, IncidentState, apply, check, snapshot
from warroom.incident.events import dump_stored, parse_stored, utcnow
from warroom.store.base import IncidentSummary, Rejected, StoreUnavailable, UnknownIncident, retry_of

log = logging.getLogger("warroom.server")

SCHEMA_VERSION = 1
MAX_BATCH = 256
CHECKPOINT_SECONDS = 1.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    incident TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    id       TEXT NOT NULL UNIQUE,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    type     TEXT NOT NULL,
    event    TEXT NOT NULL,
    PRIMARY KEY (incident, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    id         TEXT PRIMARY KEY,
    handle     TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS tokens_by_handle ON tokens (handle);
"""


def _newest_first(summary: IncidentSummary) -> tuple[bool, datetime | None]:
    return (summary.declared_at is not None, summary.declared_at)


class Unprocessable(Exception):
    """The event passed validation but the domain could not apply it (mapped to 422)."""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the settings every part of the server relies on."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA synchronous = FULL")
    if readonly:
        conn.execute("PRAGMA query_only = 1")
    return conn


def create_private(path: Path) -> None:
    """Create the database file 0600 (in a 0700 folder if we make the folder) before SQLite
    opens it: it holds token hashes and every incident, and SQLite gives the WAL and shared
    memory files it makes later the database file's own mode. An existing file keeps its mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
    except FileExistsError:
        pass


def init_db(path: Path) -> None:
    """Create the file (private) and tables if needed and switch it to WAL (a persistent setting)."""
    path = Path(path)
    create_private(path)
    conn = connect(path)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreUnavailable(f"{path}: cannot switch SQLite to WAL mode (got {mode})")
        conn.executescript(SCHEMA)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise StoreUnavailable(f"{path} was written by a newer warroom (schema {version}); upgrade warroom")
    finally:
        conn.close()


@dataclass(slots=True)
class _Cached:
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


def hand_back(
    loop: asyncio.AbstractEventLoop | None,
    on_commit: Callable[[list[Committed]], None] | None,
    outcomes: list[tuple[asyncio.Future, Any]],
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


def _deliver(
    on_commit: Callable[[list[Committed]], None] | None, outcomes: list[tuple[asyncio.Future, Any]], committed: list[Committed]
) -> None:
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


def next_batch(jobs: queue.SimpleQueue, stop: object) -> tuple[list, bool]:
    """Wait for one job, then take whatever else is waiting (up to ``MAX_BATCH``), so one
    commit serves them all: ``(batch, stop seen)``. Jobs queued after ``stop`` are not taken."""
    batch: list = []
    while len(batch) < MAX_BATCH:
        try:
            job = jobs.get() if not batch else jobs.get_nowait()
        except queue.Empty:
            break
        if job is stop:
            return batch, True
        batch.append(job)
    return batch, False


@dataclass(slots=True)
class _Job:
    future: asyncio.Future
    incident: str = ""
    draft: EventDraft | None = None
    call: Callable[[sqlite3.Connection], Any] | None = None


@dataclass(slots=True)
class Committed:
    """Events one commit made durable, handed to the fan-out in seq order."""

    incident: str
    events: list[tuple[int, str]] = field(default_factory=list)


_STOP = object()


class EventLog:
    """The authority: appends through the writer thread, reads from any thread."""

    def __init__(self, path: Path, *, on_commit: Callable[[list[Committed]], None] | None = None):
        self.path = Path(path)
        self.on_commit = on_commit
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._cache: dict[str, _Cached] = {}
        self._local = threading.local()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._stop_checkpoints = threading.Event()
        self._checkpointer: threading.Thread | None = None
        # incident -> (summary, its JSON); written by the writer after commits and by readers
        self._summaries: dict[str, tuple[IncidentSummary, str]] = {}
        self._summaries_lock = threading.Lock()
        self._summaries_loading = threading.Lock()
        self._summaries_complete = False
        self._summaries_version = 0
        self._order: list[str] | None = None  # incident ids, newest first
        self._listing: tuple[int, bytes] = (-1, b"[]")
        self._listing_lock = threading.Lock()

    # --- life ------------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        init_db(self.path)
        self._loop = loop
        self._writer = connect(self.path)
        self._writer.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer does it
        self._writer.execute("PRAGMA journal_size_limit = 67108864")
        self._thread = threading.Thread(target=self._run, name="warroom-writer", daemon=True)
        self._thread.start()
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
        if self._thread is not None:
            self._jobs.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None
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

    # --- the async face ----------------------------------------------------------

    async def append(self, incident_id: str, draft: EventDraft) -> tuple[str, bool]:
        """Store ``draft``; return the stored event's JSON and whether it is new.

        A draft whose id is already stored in this incident returns the original
        (``False``); raises ``Rejected``, ``UnknownIncident``, ``Unprocessable`` or
        ``StoreUnavailable`` (the database could not commit).
        """
        return await self._submit(_Job(self._future(), incident=incident_id, draft=draft))

    async def run(self, call: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``call(conn)`` on the writer thread, between transactions."""
        return await self._submit(_Job(self._future(), call=call))

    async def summaries(self) -> list[IncidentSummary]:
        """Every incident's summary, newest first -- read on a reader thread."""
        return await asyncio.to_thread(lambda: [summary for summary, _ in self._sorted_summaries()[1]])

    async def summaries_json(self) -> bytes:
        """Every incident's summary as a JSON array, newest first -- read on a reader thread."""
        return await asyncio.to_thread(self.read_summaries_json)

    async def checkpoint(self, incident_id: str) -> bytes | None:
        """The incident's state as checkpoint bytes (``warroom.incident.snapshot``); ``None`` if unknown."""
        return await self.run(lambda conn: self._checkpoint(conn, incident_id))

    def _future(self) -> asyncio.Future:
        assert self._loop is not None, "EventLog.start() first"
        return self._loop.create_future()

    async def _submit(self, job: _Job) -> Any:
        if self._thread is None:
            raise StoreUnavailable("the server is shutting down")
        self._jobs.put(job)
        return await job.future

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

    def _sorted_summaries(self) -> tuple[int, list[tuple[IncidentSummary, str]]]:
        if not self._summaries_complete:
            self._load_summaries()
        with self._summaries_lock:
            if self._order is None:  # only a new incident (or a new declared time) moves one
                pairs = sorted(self._summaries.items(), key=lambda item: _newest_first(item[1][0]), reverse=True)
                self._order = [incident_id for incident_id, _ in pairs]
            return self._summaries_version, [self._summaries[incident_id] for incident_id in self._order]

    def read_summaries_json(self) -> bytes:
        with self._listing_lock:  # one reader rebuilds; the others wait and reuse it
            version, listing = self._listing
            if version == self._summaries_version and self._summaries_complete:
                return listing
            version, found = self._sorted_summaries()
            listing = ("[" + ",".join(text for _, text in found) + "]").encode()
            self._listing = (version, listing)
            return listing

    def _load_summaries(self) -> None:
        """Fold, on this reader thread, every incident the writer has not summarised yet (once)."""
        with self._summaries_loading:
            if self._summaries_complete:
                return
            conn = self._reader()
            for (incident_id,) in conn.execute("SELECT DISTINCT incident FROM events").fetchall():
                if incident_id in self._summaries:
                    continue
                rows = conn.execute("SELECT event FROM events WHERE incident = ? ORDER BY seq", (incident_id,))
                state, _ = self._fold(incident_id, rows)
                self._offer_summary(incident_id, state)
            self._summaries_complete = True

    def _offer_summary(self, incident_id: str, state: IncidentState) -> None:
        """Keep ``state``'s summary unless a later one (higher seq) is already kept."""
        if not state.declared:
            return
        summary = IncidentSummary.of(state)
        text = json.dumps(summary.as_dict(), ensure_ascii=False)
        with self._summaries_lock:
            current = self._summaries.get(incident_id)
            if current is None or current[0].seq < summary.seq:
                self._summaries[incident_id] = (summary, text)
                self._summaries_version += 1
                if current is None or current[0].declared_at != summary.declared_at:
                    self._order = None

    def exists(self, incident_id: str) -> bool:
        row = self._reader().execute("SELECT 1 FROM events WHERE incident = ? LIMIT 1", (incident_id,)).fetchone()
        return row is not None

    # --- the writer thread ----------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, stopping = next_batch(self._jobs, _STOP)
            if not batch:
                continue
            try:
                self._process(batch)
            except BaseException as error:  # pragma: no cover - last line of defence
                log.exception("writer batch failed")
                self._settle([(job.future, StoreUnavailable(f"server error: {error}")) for job in batch], [])

    def _process(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[asyncio.Future, Any]] = []
        committed: list[Committed] = []
        appends: list[_Job] = []
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

    def _transaction(self, jobs: list[_Job], committed: list[Committed]) -> list[tuple[asyncio.Future, Any]]:
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
                    text, created, seq = self._append(conn, job.incident, job.draft)
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
                    self._offer_summary(incident, cached.state)
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

    def _append(self, conn: sqlite3.Connection, incident_id: str, draft: EventDraft) -> tuple[str, bool, int]:
        body = draft.body
        declaring = body.type == "incident_declared"
        if declaring and body.incident_id != incident_id:  # type: ignore[union-attr]
            raise Rejected(f"declaring {body.incident_id} into {incident_id}")  # type: ignore[union-attr]
        original = conn.execute("SELECT incident, seq, event FROM events WHERE id = ?", (str(draft.id),)).fetchone()
        if original is not None:
            if original[0] != incident_id:
                raise Rejected(f"event id {draft.id} is already used by an event in {original[0]}")
            retry_of(parse_stored(original[2]), draft)  # raises IdClash unless it is the same action
            return original[2], False, original[1]
        cached = self._cached(conn, incident_id)
        if cached is None:
            if not declaring:
                raise UnknownIncident(incident_id)
            cached = _Cached(IncidentState())
        refusal = check(cached.state, draft.actor, body)
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
            self._cache.pop(incident_id, None)  # possibly half-applied: reload from the log next time
            log.warning("%s: could not apply %s (%s); refused", incident_id, body.type, error)
            raise Unprocessable(f"this {body.type} event cannot be applied: {error}") from None
        conn.execute(
            "INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (incident_id, stored.seq, str(stored.id), stored.at.isoformat(), stored.actor, body.type, text),
        )
        cached.last_at = at
        self._cache[incident_id] = cached
        return text, True, stored.seq

    def _cached(self, conn: sqlite3.Connection, incident_id: str) -> _Cached | None:
        cached = self._cache.get(incident_id)
        if cached is not None:
            return cached
        rows = conn.execute("SELECT event FROM events WHERE incident = ? ORDER BY seq", (incident_id,))
        state, last_at = self._fold(incident_id, rows)
        if not state.declared and state.seq == 0:
            return None
        cached = self._cache[incident_id] = _Cached(state, last_at)
        return cached

    def _fold(self, incident_id: str, rows: sqlite3.Cursor) -> tuple[IncidentState, datetime | None]:
        state = IncidentState()
        last_at = None
        for (text,) in rows:
            try:
                event = parse_stored(text)
            except (ValidationError, ValueError) as error:
                log.warning("%s: unreadable event in %s skipped: %s", incident_id, self.path, error)
                continue
            apply(state, event)
            last_at = event.at
        return state, last_at

    def _checkpoint(self, conn: sqlite3.Connection, incident_id: str) -> bytes | None:
        cached = self._cached(conn, incident_id)
        return None if cached is None else cached.checkpoint()

    # --- handing results back to the event loop ------------------------------------------

    def _settle(self, outcomes: list[tuple[asyncio.Future, Any]], committed: list[Committed]) -> None:
        hand_back(self._loop, self.on_commit, outcomes, committed)
