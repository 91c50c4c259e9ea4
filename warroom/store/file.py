"""The embedded store: one JSON-lines file per incident in a (possibly shared) folder.

Zero set-up: point several responders at the same folder (local disk or a network
share) and they share one board. Appends are serialised by an exclusive ``flock``
on the incident's file; under the lock the writer catches up on lines others wrote,
checks the rules against that fresh state, writes exactly one line with one
``write``, then flushes and fsyncs before unlocking, so an acknowledged event is on
disk. Readers never lock: they tail the file and only consume complete lines.

The folder may be shared with people (and programs) we do not trust to be careful, so
files are opened through ``opening``: no symlinks, regular files only, and every OS
error (permissions, a read-only share, a full disk) a ``StoreError`` naming the file.

A line that does not parse (junk, a torn write from a crashed process, an unknown
event type) is reported once, naming the file and line, and skipped; everything
after it still loads and appends keep working. A writer that finds a torn tail
ends it with a newline first, so its own line is never glued to garbage.

A reader remembers where the last complete line ended and what it held: when the file
under it was replaced (``warroom import --replace``: a new inode, a shorter file, or
different bytes where its last line was) it starts again from the top and counts the
replacement in ``log_epoch``, so a ``Room`` can re-fold instead of mixing two logs. An
unfinished last line is kept, not re-read: each look reads only the bytes added since.
"""

from __future__ import annotations

import asyncio
import bisect
import fcntl
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Container
from datetime import datetime
from pathlib import Path
from uuid import UUID

from pydantic import ValidationError

from warroom.files import write_atomic
from warroom.incident import EventDraft, IncidentState, StoredEvent, apply, check, fold
from warroom.incident.events import IncidentDeclared, dump_stored, parse_stored, utcnow
from warroom.words import validation_problem

from . import checkpoint
from .base import (
    EventStore,
    IncidentChanges,
    IncidentSummary,
    InvalidIncidentId,
    LogReplaced,
    Rejected,
    StoreError,
    UnknownIncident,
    checked_incident_id,
    default_warning,
    mirror_refusal,
    retry_of,
)
from .opening import file_error, make_folder, open_incident, raise_if_unreachable, truncate_quietly

log = logging.getLogger("warroom.store")

SUFFIX = ".jsonl"
POLL_SECONDS = 0.02
WATCH_SECONDS = 0.04
"""How often the folder watcher (the lobby) looks: a change in any incident shows within it."""
MAX_REPORTED_LINE = 80
LINE_HEAD = 64  # the first bytes of a line (seq, id): enough to tell whether it is still there


class _Log:
    """This process's cached view of one incident file: events read so far and their fold."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.epoch = 0  # how many times the file was seen replaced under us
        self.reset()

    def reset(self, *, whole: bool = False) -> None:
        self.inode: int | None = None
        self.looked: tuple[int, int, int] | None = None  # (inode, size, mtime) at the last look
        self.offset = 0  # where the last complete line read so far ends
        self.partial: list[bytes] = []  # bytes read after ``offset``: a line not finished yet
        self.last_line_at = 0
        self.last_line_head = b""
        self.line_no = 0
        self._state: IncidentState | None = IncidentState()
        self._folded = 0
        self.events: list[StoredEvent] = []
        self.seqs: list[int] = []
        self.by_id: dict[UUID, StoredEvent] = {}
        self.last_at: datetime | None = None
        self.reports: list[str] = []
        # With a checkpoint: the events up to ``base_seq`` are folded into it, not in ``events``.
        self.whole = whole
        self.checkpoint: checkpoint.Checkpoint | None = None
        self.base_seq = 0
        self.base_ids: Container[UUID] = ()
        self.saved_seq = 0

    def replaced(self) -> None:
        self.reset(whole=self.whole)
        self.epoch += 1

    def start_from(self, found: checkpoint.Checkpoint) -> None:
        self.checkpoint = found
        self._state = None  # decoded only if this process appends: a board that only reads never needs it
        self.base_ids = found.event_ids()
        self.offset, self.line_no = found.offset, found.line_no
        self.base_seq = self.saved_seq = found.seq
        self.last_at = datetime.fromisoformat(found.last_at) if found.last_at else None
        self.reports = list(found.reports)

    def knows(self, event_id: UUID) -> bool:
        return event_id in self.by_id or event_id in self.base_ids

    @property
    def read_to(self) -> int:
        return self.offset + sum(len(chunk) for chunk in self.partial)

    @property
    def last_seq(self) -> int:
        return self.seqs[-1] if self.seqs else self.base_seq

    @property
    def state(self) -> IncidentState:
        """The fold of every event read so far, brought up to date only when asked for:
        a reader that never appends (a board catching up) never pays for a second fold."""
        with self.lock:
            return self.state_unlocked()

    def state_unlocked(self) -> IncidentState:
        if self._state is None:
            self._state = self.checkpoint.state() if self.checkpoint is not None else IncidentState()
        for event in self.events[self._folded :]:
            apply(self._state, event)
        self._folded = len(self.events)
        return self._state

    def after(self, seq: int) -> list[StoredEvent]:
        return self.events[bisect.bisect_right(self.seqs, seq) :]

    def fresh_state(self) -> IncidentState:
        """A state of this process's own (not the cached one): the checkpoint's plus what came after."""
        with self.lock:
            state = self.checkpoint.state() if self.checkpoint is not None else IncidentState()
            events = list(self.events)
        return fold(events, state)


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
        incident_id = checked_incident_id(incident_id)
        path = self.path_for(incident_id)
        with self._logs_lock:
            cached = self._logs.get(incident_id)
            if cached is None:
                if must_exist and not os.path.lexists(path):
                    raise_if_unreachable(path)
                    raise UnknownIncident(incident_id)
                cached = self._logs[incident_id] = _Log(path)
        return cached

    def log_epoch(self, incident_id: str) -> int:
        cached = self._logs.get(incident_id)
        return cached.epoch if cached is not None else 0

    # --- reading -------------------------------------------------------------

    def _refresh(self, entry: _Log, fd: int | None = None) -> None:
        """Read whatever complete lines were added since we last looked (only the new bytes)."""
        with entry.lock:
            try:
                info = os.fstat(fd) if fd is not None else os.lstat(entry.path)  # lstat: never through a link
            except FileNotFoundError:
                return
            except OSError as error:
                raise file_error(entry.path, error, "read") from None
            if (info.st_ino, info.st_size, info.st_mtime_ns) == entry.looked:
                return  # nothing changed: no read at all
            if fd is not None:
                self._read_new(entry, fd, info)
                return
            try:
                own = open_incident(entry.path, os.O_RDONLY)
            except FileNotFoundError:
                return
            try:
                self._read_new(entry, own, os.fstat(own))
            finally:
                os.close(own)

    def _read_new(self, entry: _Log, fd: int, info: os.stat_result) -> None:
        size = info.st_size
        if entry.inode is not None and not self._same_file(entry, fd, info):
            entry.replaced()  # replaced by an import (or rewritten): start again from its top
        if entry.inode is None and not entry.whole and (found := checkpoint.load(entry.path, fd)) is not None:
            entry.start_from(found)  # skip the prefix the checkpoint folded
            for report in entry.reports:
                self.warn(report)
        entry.inode = info.st_ino
        entry.looked = (info.st_ino, size, info.st_mtime_ns)
        start = entry.read_to
        if size <= start:
            return
        try:
            new = os.pread(fd, size - start, start)
        except OSError as error:
            raise file_error(entry.path, error, "read") from None
        end = new.rfind(b"\n")
        if end < 0:
            entry.partial.append(new)  # only part of a line so far: its writer has not finished
            return
        data = b"".join(entry.partial) + new[:end]
        entry.partial = [new[end + 1 :]] if end + 1 < len(new) else []
        line_at = entry.offset
        for raw in data.split(b"\n"):
            entry.line_no += 1
            if raw.strip():
                entry.last_line_at, entry.last_line_head = line_at, raw[:LINE_HEAD]
            self._ingest(entry, raw)
            line_at += len(raw) + 1
        entry.offset = line_at

    def _same_file(self, entry: _Log, fd: int, info: os.stat_result) -> bool:
        """Is this still the file we read up to ``entry.offset``, only (perhaps) longer?"""
        if info.st_ino != entry.inode:
            return False
        if info.st_size < entry.read_to:
            self.warn(f"{entry.path}: file shrank from {entry.read_to} to {info.st_size} bytes; re-reading it")
            return False
        head = entry.last_line_head
        return not head or os.pread(fd, len(head), entry.last_line_at) == head

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
        if entry.knows(event.id):
            self._report(entry, f"event id {event.id} is stored twice")
            return
        if event.seq != entry.last_seq + 1:
            self._report(entry, f"seq jumps from {entry.last_seq} to {event.seq}; kept", skipped=False)
        entry.events.append(event)
        entry.seqs.append(event.seq)
        entry.by_id[event.id] = event
        entry.last_at = event.at

    def _report(self, entry: _Log, why: str, *, skipped: bool = True) -> None:
        report = f"{entry.path} line {entry.line_no}: {why}{'; skipped' if skipped else ''}"
        entry.reports.append(report)
        self.warn(report)

    def _whole(self, entry: _Log, fd: int | None = None) -> None:
        """Make ``entry`` hold every event from the top of the log (someone asked for old ones)."""
        if entry.base_seq:
            with entry.lock:
                entry.reset(whole=True)
            self._refresh(entry, fd)

    def _after(self, entry: _Log, seq: int) -> list[StoredEvent]:
        self._refresh(entry)
        if seq < entry.base_seq:
            self._whole(entry)
        return entry.after(seq)

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        return self._after(self._log(incident_id), after)

    async def load_state(self, incident_id: str) -> IncidentState:
        """The checkpoint beside the log (if it matches) plus the events after it, folded."""
        entry = self._log(incident_id)
        self._refresh(entry)
        return entry.fresh_state()

    async def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        """Like every store's ``follow``; raises ``LogReplaced`` if the file is replaced under it."""
        entry = self._log(incident_id)
        epoch = entry.epoch
        cursor = after
        while True:
            fresh = self._after(entry, cursor)
            if entry.epoch != epoch:
                raise LogReplaced(incident_id)
            for event in fresh:
                yield event
                cursor = event.seq
            if not fresh:
                await asyncio.sleep(self.poll_seconds)

    async def incidents(self) -> list[IncidentSummary]:
        try:
            names = sorted(name for name in os.listdir(self.folder) if name.endswith(SUFFIX))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as error:
            raise file_error(self.folder, error, "read the folder") from None
        found = []
        for name in names:
            incident_id = name[: -len(SUFFIX)]
            if incident_id != incident_id.upper():  # ids are upper case; a lower-case name is from before
                self.warn(f"{self.folder / name}: incident ids are upper case now; rename it to {incident_id.upper()}{SUFFIX}")
                continue
            try:
                entry = self._log(incident_id)
                self._refresh(entry)
            except (InvalidIncidentId, UnknownIncident):  # a stray file with an unsafe name, or gone
                continue
            except StoreError as error:  # one bad file must not hide the others
                self.warn(f"{error}; not listed")
                continue
            if entry.state.declared:
                found.append(IncidentSummary.of(entry.state))
        found.sort(key=lambda s: (s.declared_at is not None, s.declared_at), reverse=True)
        return found

    async def watch_incidents(self, every: float | None = None) -> AsyncIterator[IncidentChanges]:
        """One watcher for the whole folder (the lobby): each look lists the folder and stats
        every incident file; only a file whose inode, size or mtime moved is read (its new
        lines only) and summarised again. ``every`` defaults to ``WATCH_SECONDS``."""
        seen: dict[str, tuple[int, int, int]] = {}
        first = True
        while True:
            fresh, gone = await asyncio.to_thread(self._look_at_folder, seen)
            if first or fresh or gone:
                yield IncidentChanges(fresh, gone, complete=first)
                first = False
            await asyncio.sleep(every if every is not None else WATCH_SECONDS)

    def _look_at_folder(self, seen: dict[str, tuple[int, int, int]]) -> tuple[list[IncidentSummary], list[str]]:
        try:
            with os.scandir(self.folder) as listing:
                entries = [(e.name, e) for e in listing if e.name.endswith(SUFFIX)]
        except (FileNotFoundError, NotADirectoryError):
            entries = []
        except OSError as error:
            raise file_error(self.folder, error, "read the folder") from None
        fresh, present = [], set()
        for name, found in entries:
            incident_id = name[: -len(SUFFIX)]
            if incident_id != incident_id.upper():
                continue  # a lower-case name is from before; `warroom list` says so
            try:
                info = found.stat(follow_symlinks=False)
            except OSError:
                continue
            present.add(incident_id)
            looked = (info.st_ino, info.st_size, info.st_mtime_ns)
            if seen.get(incident_id) == looked:
                continue
            seen[incident_id] = looked
            try:
                entry = self._log(incident_id)
                self._refresh(entry)
            except (InvalidIncidentId, UnknownIncident):
                continue
            except StoreError as error:  # one bad file must not hide the others
                self.warn(f"{error}; not listed")
                continue
            if entry.state.declared:
                fresh.append(IncidentSummary.of(entry.state))
        gone = [incident_id for incident_id in seen if incident_id not in present]
        for incident_id in gone:
            del seen[incident_id]
        return fresh, gone

    # --- writing -------------------------------------------------------------

    async def append(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        if (refusal := await mirror_refusal(self.load_state, incident_id, draft)) is not None:
            raise Rejected(refusal)
        return await asyncio.to_thread(self.append_sync, incident_id, draft)

    def append_sync(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        """The blocking append (the async ``append`` runs it in a thread)."""
        incident_id = checked_incident_id(incident_id)
        declaring = isinstance(draft.body, IncidentDeclared)
        if declaring and draft.body.incident_id != incident_id:
            raise Rejected(f"declaring {draft.body.incident_id} into {incident_id}")
        entry = self._log(incident_id, must_exist=not declaring)
        flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT if declaring else 0)
        if declaring:
            make_folder(self.folder)
        fd = self._open_locked(entry, flags, incident_id)
        due = None
        try:
            self._refresh(entry, fd)
            if draft.id in entry.base_ids and draft.id not in entry.by_id:
                self._whole(entry, fd)  # a retry of an event the checkpoint folded: find the original
            original = entry.by_id.get(draft.id)
            if original is not None:
                return retry_of(original, draft)
            refusal = check(entry.state, draft.actor, draft.body)
            if refusal is not None:
                raise Rejected(refusal)
            last_at = entry.last_at
            now = utcnow()
            stored = draft.stored(seq=entry.state.seq + 1, at=max(now, last_at) if last_at else now)
            line = dump_stored(stored).encode() + b"\n"
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a crashed writer left half a line: end it, keep ours whole
            try:
                _write_all(fd, line)
                os.fsync(fd)
            except OSError as error:
                truncate_quietly(fd, size)  # a full disk must not leave half our line behind
                raise file_error(entry.path, error, "write") from None
            self._refresh(entry, fd)
            due = checkpoint.due(entry, fd)
            return entry.by_id.get(stored.id, stored)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            if due is not None:
                checkpoint.save_for(entry, due)  # outside the lock: appends go on meanwhile

    def _open_locked(self, entry: _Log, flags: int, incident_id: str) -> int:
        """Open the incident's file and take its exclusive lock.

        An import may have replaced the file while we waited for the lock; writing to
        the old, unlinked file would lose the write, so in that case open the new one.
        """
        while True:
            try:
                fd = open_incident(entry.path, flags)
            except FileNotFoundError:
                raise UnknownIncident(incident_id) from None
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.lstat(entry.path).st_ino == os.fstat(fd).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def import_events(self, incident_id: str, events: list[StoredEvent], *, replace: bool = False) -> Path:
        """Write a whole log at once (``warroom import``), keeping each event's envelope.

        Holds the incident's lock (re-checked after taking it, as appends do) while it
        swaps a complete new file in, so no append is lost and racing imports leave
        exactly one of their documents.
        """
        path = self.path_for(incident_id)
        make_folder(self.folder)
        entry = self._log(incident_id, must_exist=False)
        fd = self._open_locked(entry, os.O_RDWR | os.O_CREAT, incident_id)
        try:
            if os.fstat(fd).st_size and not replace:
                raise Rejected(f"{incident_id} already exists in {self.folder}; pass --replace to overwrite it")
            try:
                write_atomic(path, (dump_stored(event).encode() + b"\n" for event in events))
                checkpoint.remove(path)
            except OSError as error:
                raise file_error(path, error, "write") from None
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
