"""One incident file as this process sees it: the events read so far, their fold, and where reading stopped.

A reader remembers where the last complete line ended and what it held: when the file
under it was replaced (``warroom import --replace``: a new inode, a shorter file, or
different bytes where its last line was) it starts again from the top and counts the
replacement in ``epoch``, so a ``Room`` can re-fold instead of mixing two logs. An
unfinished last line is kept, not re-read: each look reads only the bytes added since.

A line that does not parse (junk, a torn write from a crashed process, an unknown
event type) is reported once, naming the file and line, and skipped; everything
after it still loads. With a checkpoint beside the log (``checkpoint``) the prefix
it folded is not parsed at all until someone asks for old events.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from uuid import UUID

from pydantic import ValidationError

from warroom.incident import IncidentState, StoredEvent, apply, fold, snapshot
from warroom.incident.collector import collector_paused
from warroom.incident.events import parse_stored
from warroom.words import validation_problem

from . import checkpoint
from .opening import check_size, file_error, open_regular

MAX_REPORTED_LINE = 80
MAX_LOG_BYTES = 1 << 30
"""The most a reader reads of one incident log at one look: 1 GiB is millions of events (the
100,000-event benchmark log is about 30 MiB); a planted sparse file is refused by its size."""
LINE_HEAD = 64  # the first bytes of a line (seq, id): enough to tell whether it is still there


class IncidentLog:
    """This process's cached view of one incident file: events read so far and their fold."""

    def __init__(self, path: Path, warn: Callable[[str], None]):
        self.path = path
        self.warn = warn
        self.lock = threading.Lock()
        self.epoch = 0  # how many times the file was seen replaced under us
        self.unusable_checkpoint = False  # something planted at the checkpoint's name: the next append replaces it
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
        self.base_ids = snapshot.EventIds()
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
        # Without a checkpoint (``base_ids`` empty) its search, a Python call per line read, is skipped.
        return event_id in self.by_id or (bool(self.base_ids) and event_id in self.base_ids)

    def ids(self) -> Iterator[UUID]:
        """The id of every event read so far (the checkpoint's, then the lines after it)."""
        yield from self.base_ids
        yield from self.by_id

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
        """The events after ``seq``, reading what was added first (and the whole log if ``seq``
        is inside the checkpoint's prefix)."""
        self.refresh()
        if seq < self.base_seq:
            self.read_whole()
        return self.events[bisect.bisect_right(self.seqs, seq) :]

    def fresh_state(self) -> IncidentState:
        """A state of this process's own (not the cached one): the checkpoint's plus what came after."""
        with self.lock:
            state = self.checkpoint.state() if self.checkpoint is not None else IncidentState()
            events = list(self.events)
        return fold(events, state)

    # --- reading -------------------------------------------------------------

    def refresh(self, fd: int | None = None) -> None:
        """Read whatever complete lines were added since we last looked (only the new bytes)."""
        with self.lock:
            try:
                info = os.fstat(fd) if fd is not None else os.lstat(self.path)  # lstat: never through a link
            except FileNotFoundError:
                return
            except OSError as error:
                raise file_error(self.path, error, "read") from None
            if (info.st_ino, info.st_size, info.st_mtime_ns) == self.looked:
                return  # nothing changed: no read at all
            if fd is not None:
                self._read_new(fd, info)
                return
            try:
                own = open_regular(self.path, os.O_RDONLY)
            except FileNotFoundError:
                return
            try:
                self._read_new(own, os.fstat(own))
            finally:
                os.close(own)

    def read_whole(self, fd: int | None = None) -> None:
        """Hold every event from the top of the log (someone asked for old ones)."""
        if self.base_seq:
            with self.lock:
                self.reset(whole=True)
            self.refresh(fd)

    def _read_new(self, fd: int, info: os.stat_result) -> None:
        size = info.st_size
        if self.inode is not None and not self._same_file(fd, info):
            self.replaced()  # replaced by an import (or rewritten): start again from its top
        if self.inode is None and not self.whole and (found := self._checkpoint(fd)) is not None:
            self.start_from(found)  # skip the prefix the checkpoint folded
            for report in self.reports:
                self.warn(report)
        start = self.read_to
        check_size(self.path, size - start, MAX_LOG_BYTES, "incident logs")
        self.inode = info.st_ino
        self.looked = (info.st_ino, size, info.st_mtime_ns)
        if size <= start:
            return
        try:
            new = os.pread(fd, size - start, start)
        except OSError as error:
            raise file_error(self.path, error, "read") from None
        end = new.rfind(b"\n")
        if end < 0:
            self.partial.append(new)  # only part of a line so far: its writer has not finished
            return
        data = b"".join(self.partial) + new[:end]
        self.partial = [new[end + 1 :]] if end + 1 < len(new) else []
        line_at = self.offset
        with collector_paused():  # the events stay, and in their numbers set off full collections
            for raw in data.split(b"\n"):
                self.line_no += 1
                if raw.strip():
                    self.last_line_at, self.last_line_head = line_at, raw[:LINE_HEAD]
                self._ingest(raw)
                line_at += len(raw) + 1
        self.offset = line_at

    def _checkpoint(self, fd: int) -> checkpoint.Checkpoint | None:
        try:
            return checkpoint.load(self.path, fd)
        except checkpoint.Unusable as error:
            if not self.unusable_checkpoint:
                self.warn(str(error))  # once per file and process, not at every look
            self.unusable_checkpoint = True
            return None

    def _same_file(self, fd: int, info: os.stat_result) -> bool:
        """Is this still the file we read up to ``offset``, only (perhaps) longer?"""
        if info.st_ino != self.inode:
            return False
        if info.st_size < self.read_to:
            self.warn(f"{self.path}: file shrank from {self.read_to} to {info.st_size} bytes; re-reading it")
            return False
        head = self.last_line_head
        return not head or os.pread(fd, len(head), self.last_line_at) == head

    def _ingest(self, raw: bytes) -> None:
        if not raw.strip():
            return
        try:
            event = parse_stored(raw)
        except (ValidationError, ValueError) as error:
            self._report(_why_unreadable(error))
            return
        last_seq = self.last_seq
        if event.seq <= last_seq:
            self._report(f"seq {event.seq} repeats or goes back (last was {last_seq})")
            return
        if self.knows(event.id):
            self._report(f"event id {event.id} is stored twice")
            return
        if event.seq != last_seq + 1:
            self._report(f"seq jumps from {last_seq} to {event.seq}; kept", skipped=False)
        self.events.append(event)
        self.seqs.append(event.seq)
        self.by_id[event.id] = event
        self.last_at = event.at

    def _report(self, why: str, *, skipped: bool = True) -> None:
        report = f"{self.path} line {self.line_no}: {why}{'; skipped' if skipped else ''}"
        self.reports.append(report)
        self.warn(report)


def _why_unreadable(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        if first.get("type") == "json_invalid":
            return "not valid JSON (torn or corrupt line)"
        if first.get("type") == "union_tag_invalid":
            return f"unknown event type ({first.get('input')!r})"[:MAX_REPORTED_LINE]
        return f"not a valid event ({validation_problem(error, default='', drop_indexes=False)})"
    return "not valid JSON (torn or corrupt line)"
