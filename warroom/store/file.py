"""The embedded store: one JSON-lines file per incident in a (possibly shared) folder.

Zero set-up: point several responders at the same folder (local disk or a network
share) and they share one board. Appends are serialised by an exclusive ``flock``
on the incident's file; under the lock the writer catches up on lines others wrote,
checks the rules against that fresh state, writes exactly one line with one
``write``, then flushes and fsyncs before unlocking, so an acknowledged event is on
disk. Readers never lock: they tail the file and only consume complete lines
(``filelog``: how one file is read, what a replaced file or a bad line does).

The folder may be shared with people (and programs) we do not trust to be careful, so
files are opened through ``opening``: no symlinks, regular files only, and every OS
error (permissions, a read-only share, a full disk) a ``StoreError`` naming the file.
A writer that finds a torn tail ends it with a newline first, so its own line is
never glued to garbage.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from warroom.files import write_atomic
from warroom.incident import PERSON, EventDraft, IncidentState, StoredEvent, Writer, check_write
from warroom.incident.events import IncidentDeclared, dump_stored, utcnow

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
from .filelog import IncidentLog
from .opening import file_error, make_folder, open_regular, raise_if_unreachable, truncate_quietly

log = logging.getLogger("warroom.store")

SUFFIX = ".jsonl"
POLL_SECONDS = 0.02
WATCH_SECONDS = 0.04
"""How often the folder watcher (the lobby) looks: a change in any incident shows within it."""


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
        self._logs: dict[str, IncidentLog] = {}
        self._logs_lock = threading.Lock()

    @property
    def location(self) -> str:
        return str(self.folder)

    def path_for(self, incident_id: str) -> Path:
        return self.folder / f"{checked_incident_id(incident_id)}{SUFFIX}"

    def _log(self, incident_id: str, *, must_exist: bool = True) -> IncidentLog:
        incident_id = checked_incident_id(incident_id)
        path = self.path_for(incident_id)
        with self._logs_lock:
            cached = self._logs.get(incident_id)
            if cached is None:
                if must_exist and not os.path.lexists(path):
                    raise_if_unreachable(path)
                    raise UnknownIncident(incident_id)
                cached = self._logs[incident_id] = IncidentLog(path, self.warn)
        return cached

    def log_epoch(self, incident_id: str) -> int:
        cached = self._logs.get(incident_id)
        return cached.epoch if cached is not None else 0

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        return self._log(incident_id).after(after)

    async def load_state(self, incident_id: str) -> IncidentState:
        """The checkpoint beside the log (if it matches) plus the events after it, folded."""
        entry = self._log(incident_id)
        entry.refresh()
        return entry.fresh_state()

    async def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        """Like every store's ``follow``; raises ``LogReplaced`` if the file is replaced under it."""
        entry = self._log(incident_id)
        epoch = entry.epoch
        cursor = after
        while True:
            fresh = entry.after(cursor)
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
            if (summary := self._summary(incident_id)) is not None:
                found.append(summary)
        found.sort(key=lambda s: (s.declared_at is not None, s.declared_at), reverse=True)
        return found

    def _summary(self, incident_id: str) -> IncidentSummary | None:
        """The incident's summary, read up to date; ``None`` for a stray, gone, undeclared or
        unreadable file (warned about: one bad file must not hide the others)."""
        try:
            entry = self._log(incident_id)
            entry.refresh()
        except (InvalidIncidentId, UnknownIncident):  # a stray file with an unsafe name, or gone
            return None
        except StoreError as error:
            self.warn(f"{error}; not listed")
            return None
        return IncidentSummary.of(entry.state) if entry.state.declared else None

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
            if (summary := self._summary(incident_id)) is not None:
                fresh.append(summary)
        gone = [incident_id for incident_id in seen if incident_id not in present]
        for incident_id in gone:
            del seen[incident_id]
        return fresh, gone

    # --- writing -------------------------------------------------------------

    async def append(self, incident_id: str, draft: EventDraft, writer: Writer = PERSON) -> StoredEvent:
        """As every store's; ``writer`` is ``INTEGRATION`` only from the alert intake
        (``warroom alerts``, after checking the hook's secret): the CLI and the board write as a person."""
        if (refusal := await mirror_refusal(self.load_state, incident_id, draft)) is not None:
            raise Rejected(refusal)
        return await asyncio.to_thread(self.append_sync, incident_id, draft, writer)

    def append_sync(self, incident_id: str, draft: EventDraft, writer: Writer = PERSON) -> StoredEvent:
        """The blocking append (the async ``append`` runs it in a thread)."""
        incident_id = checked_incident_id(incident_id)
        declaring = isinstance(draft.body, IncidentDeclared)
        if isinstance(draft.body, IncidentDeclared) and draft.body.incident_id != incident_id:
            raise Rejected(f"declaring {draft.body.incident_id} into {incident_id}")
        entry = self._log(incident_id, must_exist=not declaring)
        flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT if declaring else 0)
        if declaring:
            make_folder(self.folder)
        fd = self._open_locked(entry, flags, incident_id)
        due = None
        try:
            entry.refresh(fd)
            if draft.id in entry.base_ids and draft.id not in entry.by_id:
                entry.read_whole(fd)  # a retry of an event the checkpoint folded: find the original
            original = entry.by_id.get(draft.id)
            if original is not None:
                return retry_of(original, draft)
            refusal = check_write(entry.state, draft.actor, draft.body, writer)
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
            entry.refresh(fd)
            due = checkpoint.due(entry, fd)
            return entry.by_id.get(stored.id, stored)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            if due is not None:
                checkpoint.save_for(entry, due)  # outside the lock: appends go on meanwhile

    def _open_locked(self, entry: IncidentLog, flags: int, incident_id: str) -> int:
        """Open the incident's file and take its exclusive lock.

        An import may have replaced the file while we waited for the lock; writing to
        the old, unlinked file would lose the write, so in that case open the new one.
        """
        while True:
            try:
                fd = open_regular(entry.path, flags)
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

    def import_events(self, incident_id: str, events: Sequence[StoredEvent], *, replace: bool = False) -> Path:
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

