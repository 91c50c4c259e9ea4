"""The embedded store: one JSON-lines file per incident in a (possibly shared) folder.

Zero set-up: point several responders at the same folder (local disk or a network
share) and they share one board. Appends are serialised by an exclusive ``flock``
on the incident's file; under the lock the writer catches up on lines others wrote,
checks the rules against that fresh state, writes exactly one line with one
``write``, then flushes and fsyncs before unlocking, so an acknowledged event is on
disk. Readers never lock: they tail the file and only consume complete lines.

A line that does not parse (junk, a torn write from a crashed process, an unknown
event type) is reported once, naming the file and line, and skipped; everything
after it still loads and appends keep working. A writer that finds a torn tail
ends it with a newline first, so its own line is never glued to garbage.
"""

from __future__ import annotations

import asyncio
import bisect
import fcntl
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import UUID

from pydantic import ValidationError

from warroom.files import write_atomic
from warroom.incident import EventDraft, IncidentState, StoredEvent, apply, check
from warroom.incident.events import IncidentDeclared, dump_stored, parse_stored, utcnow
from warroom.words import validation_problem

from .base import EventStore, IncidentSummary, Rejected, UnknownIncident, checked_incident_id, retry_of

log = logging.getLogger("warroom.store")

SUFFIX = ".jsonl"
POLL_SECONDS = 0.02
MAX_REPORTED_LINE = 80


def default_warning(message: str) -> None:
    log.warning(message)


class _Log:
    """This process's cached view of one incident file: events read so far and their fold."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.inode: int | None = None
        self.offset = 0
        self.line_no = 0
        self._state = IncidentState()
        self._folded = 0
        self.events: list[StoredEvent] = []
        self.seqs: list[int] = []
        self.by_id: dict[UUID, StoredEvent] = {}

    @property
    def last_seq(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    @property
    def state(self) -> IncidentState:
        """The fold of every event read so far, brought up to date only when asked for:
        a reader that never appends (a board catching up) never pays for a second fold."""
        with self.lock:
            for event in self.events[self._folded :]:
                apply(self._state, event)
            self._folded = len(self.events)
            return self._state

    def after(self, seq: int) -> list[StoredEvent]:
        return self.events[bisect.bisect_right(self.seqs, seq) :]


class FileStore(EventStore):
    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        warn: Callable[[str], None] = default_warning,
        poll_seconds: float = POLL_SECONDS,
    ):
        self.folder = Path(folder).expanduser()
        self.warn = warn
        self.poll_seconds = poll_seconds
        self._logs: dict[str, _Log] = {}
        self._logs_lock = threading.Lock()

    @property
    def location(self) -> str:
        return str(self.folder)

    def path_for(self, incident_id: str) -> Path:
        return self.folder / f"{checked_incident_id(incident_id)}{SUFFIX}"

    def _log(self, incident_id: str, *, must_exist: bool = True) -> _Log:
        path = self.path_for(incident_id)
        with self._logs_lock:
            cached = self._logs.get(incident_id)
            if cached is None:
                if must_exist and not path.exists():
                    raise UnknownIncident(incident_id)
                cached = self._logs[incident_id] = _Log(path)
        return cached

    # --- reading -------------------------------------------------------------

    def _refresh(self, entry: _Log, fd: int | None = None) -> None:
        """Read whatever complete lines were added since we last looked."""
        with entry.lock:
            try:
                info = os.fstat(fd) if fd is not None else entry.path.stat()
            except FileNotFoundError:
                return
            size = info.st_size
            if info.st_ino != entry.inode:
                if entry.inode is not None:  # replaced by an import: start again from its top
                    entry.reset()
                entry.inode = info.st_ino
            elif size < entry.offset:
                self.warn(f"{entry.path}: file shrank from {entry.offset} to {size} bytes; re-reading it")
                entry.reset()
            if size == entry.offset:
                return
            if fd is not None:
                data = os.pread(fd, size - entry.offset, entry.offset)
            else:
                with open(entry.path, "rb") as handle:
                    handle.seek(entry.offset)
                    data = handle.read(size - entry.offset)
            end = data.rfind(b"\n")
            if end < 0:
                return  # only part of a line so far: its writer has not finished
            for raw in data[:end].split(b"\n"):
                entry.line_no += 1
                self._ingest(entry, raw)
            entry.offset += end + 1

    def _ingest(self, entry: _Log, raw: bytes) -> None:
        if not raw.strip():
            return
        try:
            event = parse_stored(raw)
        except (ValidationError, ValueError) as error:
            self._report(entry, _why_unreadable(raw, error))
            return
        if event.seq <= entry.last_seq:
            self._report(entry, f"seq {event.seq} repeats or goes back (last was {entry.last_seq})")
            return
        if event.id in entry.by_id:
            self._report(entry, f"event id {event.id} is stored twice")
            return
        if event.seq != entry.last_seq + 1:
            self._report(entry, f"seq jumps from {entry.last_seq} to {event.seq}; kept", skipped=False)
        entry.events.append(event)
        entry.seqs.append(event.seq)
        entry.by_id[event.id] = event

    def _report(self, entry: _Log, why: str, *, skipped: bool = True) -> None:
        self.warn(f"{entry.path} line {entry.line_no}: {why}{'; skipped' if skipped else ''}")

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        entry = self._log(incident_id)
        self._refresh(entry)
        return entry.after(after)

    async def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        entry = self._log(incident_id)
        cursor = after
        while True:
            self._refresh(entry)
            fresh = entry.after(cursor)
            for event in fresh:
                yield event
                cursor = event.seq
            if not fresh:
                await asyncio.sleep(self.poll_seconds)

    async def incidents(self) -> list[IncidentSummary]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            incident_id = path.name[: -len(SUFFIX)]
            try:
                entry = self._log(incident_id)
            except Exception:  # a stray file with an unsafe name: not an incident
                continue
            self._refresh(entry)
            if entry.state.declared:
                found.append(IncidentSummary.of(entry.state))
        found.sort(key=lambda s: (s.declared_at is not None, s.declared_at), reverse=True)
        return found

    # --- writing -------------------------------------------------------------

    async def append(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        return await asyncio.to_thread(self.append_sync, incident_id, draft)

    def append_sync(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        """The blocking append (the async ``append`` runs it in a thread)."""
        checked_incident_id(incident_id)
        declaring = isinstance(draft.body, IncidentDeclared)
        if declaring and draft.body.incident_id != incident_id:
            raise Rejected(f"declaring {draft.body.incident_id} into {incident_id}")
        entry = self._log(incident_id, must_exist=not declaring)
        flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT if declaring else 0)
        if declaring:
            self.folder.mkdir(parents=True, exist_ok=True)
        fd = self._open_locked(entry, flags, incident_id)
        try:
            self._refresh(entry, fd)
            original = entry.by_id.get(draft.id)
            if original is not None:
                return retry_of(original, draft)
            refusal = check(entry.state, draft.actor, draft.body)
            if refusal is not None:
                raise Rejected(refusal)
            last_at = entry.events[-1].at if entry.events else None
            now = utcnow()
            stored = draft.stored(seq=entry.state.seq + 1, at=max(now, last_at) if last_at else now)
            line = dump_stored(stored).encode() + b"\n"
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a crashed writer left half a line: end it, keep ours whole
            _write_all(fd, line)
            os.fsync(fd)
            self._refresh(entry, fd)
            return entry.by_id.get(stored.id, stored)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _open_locked(self, entry: _Log, flags: int, incident_id: str) -> int:
        """Open the incident's file and take its exclusive lock.

        An import may have replaced the file while we waited for the lock; appending to
        the old, unlinked file would lose the event, so in that case open the new one.
        """
        while True:
            try:
                fd = os.open(entry.path, flags, 0o664)
            except FileNotFoundError:
                raise UnknownIncident(incident_id) from None
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.stat(entry.path).st_ino == os.fstat(fd).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def import_events(self, incident_id: str, events: list[StoredEvent], *, replace: bool = False) -> Path:
        """Write a whole log at once (``warroom import``), keeping each event's envelope.

        Holds the incident's lock while it swaps the file in, so no append is lost to it.
        """
        path = self.path_for(incident_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o664)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_size and not replace:
                raise Rejected(f"{incident_id} already exists in {self.folder}; pass --replace to overwrite it")
            write_atomic(path, (dump_stored(event).encode() + b"\n" for event in events))
            with self._logs_lock:
                self._logs.pop(incident_id, None)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return path


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _why_unreadable(raw: bytes, error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        if first.get("type") == "json_invalid":
            reason = "not valid JSON (torn or corrupt line)"
        elif first.get("type") == "union_tag_invalid":
            reason = f"unknown event type ({first.get('input')!r})"[:MAX_REPORTED_LINE]
        else:
            reason = f"not a valid event ({validation_problem(error, default='', drop_indexes=False)})"
    else:
        reason = "not valid JSON (torn or corrupt line)"
    return reason
