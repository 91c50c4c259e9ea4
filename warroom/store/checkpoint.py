"""The file store's checkpoints: a folded state kept beside the log, so a reader skips the prefix.

``.INC-1.checkpoint`` (a dot file: ``warroom list`` and shell globs pass it by) holds the
state after some seq (``warroom.incident.snapshot``) and what it covers: the byte
offset of the log prefix it folded, the line count, the log's inode, and SHA-256
digests of the first and the last 4 KiB of that prefix. Appenders write one every
``CHECKPOINT_EVERY`` events, atomically (``warroom.files.write_atomic``), outside the
log's lock; readers load it and parse only the bytes after the offset.

Why checking those few bytes is enough, without re-reading the log: the log is
append-only, written at its end under an exclusive lock, so while it is the same file
(same inode) the bytes before the offset never change. The one sanctioned rewrite,
``warroom import --replace``, renames a new file in (a new inode) and deletes the
checkpoint. What is left -- a hand edit, a truncation, a restore that happens to reuse
the inode -- shows as a shorter file or different bytes at the start or just before
the offset (the first event and the last covered one, each carrying a random UUID).
Only an edit confined to the middle of the prefix that keeps the file's inode would
go unseen; finding that would mean reading the whole log, which is what checkpoints
are for. Anything that does not match, or does not decode, is ignored: the reader
folds the whole log, and the next appender writes a fresh checkpoint.

The name sits in a folder others can write to, so it is read through ``opening``: a
link, a FIFO or a device planted there, or a file larger than ``MAX_BYTES``, is
``Unusable`` -- the reader warns once and folds the whole log, and the next appender
writes a real checkpoint over it at once (``write_atomic`` replaces the name, never
writes through it).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from warroom.files import write_atomic
from warroom.incident import IncidentState
from warroom.incident import snapshot

from .base import StoreError
from .opening import UnsafeFile, read_regular

CHECKPOINT_EVERY = snapshot.CHECKPOINT_EVERY
DIGEST_SPAN = 4096
HEADER_READ = 64 * 1024
MAX_BYTES = 512 * 1024 * 1024
"""Larger than any real checkpoint (100,000 events fold into a few tens of MiB); a planted
file beyond it is refused by its size, never read."""
WHAT = "checkpoints"

log = logging.getLogger("warroom.store")


def path_beside(log_path: Path) -> Path:
    return log_path.with_name(f".{log_path.stem}.checkpoint")


@dataclass(slots=True)
class Checkpoint:
    """A checkpoint that matches its log; each ``state()`` is a copy of its own."""

    data: bytes
    seq: int
    offset: int
    line_no: int
    last_at: str | None
    reports: tuple[str, ...]
    unclaimed: IncidentState | None = None
    """The state decoded when the checkpoint was checked, handed to the first taker."""

    def state(self) -> IncidentState:
        state, self.unclaimed = self.unclaimed, None
        return state if state is not None else snapshot.decode(self.data)

    def event_ids(self) -> snapshot.EventIds:
        return snapshot.decode_ids(self.data)


def _digests(fd: int, offset: int) -> tuple[str, str]:
    head = os.pread(fd, min(offset, DIGEST_SPAN), 0)
    start = max(offset - DIGEST_SPAN, 0)
    tail = os.pread(fd, offset - start, start)
    return hashlib.sha256(head).hexdigest(), hashlib.sha256(tail).hexdigest()


def describe_prefix(fd: int, offset: int, line_no: int, last_at: str | None, reports: list[str]) -> dict[str, Any]:
    """What a checkpoint of the first ``offset`` bytes of the log open as ``fd`` covers."""
    head, tail = _digests(fd, offset)
    return {
        "offset": offset,
        "line_no": line_no,
        "inode": os.fstat(fd).st_ino,
        "head_sha256": head,
        "tail_sha256": tail,
        "last_at": last_at,
        "reports": reports[-100:],
    }


class Unusable(StoreError):
    """The checkpoint's name holds something that is not a checkpoint warroom may read
    (a link, a FIFO, a device, a file too large): ignored, and rebuilt by the next append."""


def load(log_path: Path, fd: int) -> Checkpoint | None:
    """The checkpoint beside ``log_path`` if it matches the log open as ``fd``; else ``None``
    (none there, or one that does not match). Raises ``Unusable`` for a planted file."""
    try:
        data = read_regular(path_beside(log_path), limit=MAX_BYTES, what=WHAT)
    except FileNotFoundError:
        return None
    except StoreError as error:
        fact = error.fact if isinstance(error, UnsafeFile) else str(error)
        raise Unusable(f"{fact}; ignored (a checkpoint is only a cache: the next append rebuilds it)") from None
    try:
        header = snapshot.read_header(data)
        meta = header["meta"]
        offset, line_no, inode = meta["offset"], meta["line_no"], meta["inode"]
        info = os.fstat(fd)
        if not (isinstance(offset, int) and 0 < offset <= info.st_size and inode == info.st_ino):
            return None
        if _digests(fd, offset) != (meta["head_sha256"], meta["tail_sha256"]):
            return None
        if os.pread(fd, 1, offset - 1) != b"\n":
            return None
        state = snapshot.decode(data)  # all of it checks out (checksum, shape): later decodes cannot fail
        return Checkpoint(
            unclaimed=state,
            data=data,
            seq=header["seq"],
            offset=offset,
            line_no=int(line_no),
            last_at=meta.get("last_at"),
            reports=tuple(str(r) for r in meta.get("reports") or ()),
        )
    except (OSError, ValueError, KeyError, TypeError):  # BadCheckpoint is a ValueError
        return None


def saved_seq(log_path: Path) -> int:
    """The seq of the checkpoint on disk (0 if none or unreadable), from its first line only."""
    try:
        return int(snapshot.read_header(read_regular(path_beside(log_path), limit=HEADER_READ, what=WHAT, prefix=True))["seq"])
    except (OSError, StoreError, ValueError, KeyError, TypeError):
        return 0


def save(log_path: Path, state: IncidentState, meta: dict[str, Any], event_ids: Iterable[UUID]) -> None:
    write_atomic(path_beside(log_path), snapshot.encode(state, meta, event_ids))


def due(entry: Any, fd: int) -> dict[str, Any] | None:
    """For an appender, under the log's lock: what a checkpoint written now would cover, if
    one is due (``entry`` is the file store's view of the log, read up to its end)."""
    if entry.unusable_checkpoint:
        entry.unusable_checkpoint = False  # a planted file: replace it now, whatever the count
    elif entry.last_seq - entry.saved_seq < CHECKPOINT_EVERY:
        return None
    else:
        entry.saved_seq = max(entry.saved_seq, saved_seq(entry.path))
        if entry.last_seq - entry.saved_seq < CHECKPOINT_EVERY:
            return None  # another appender wrote one meanwhile
    last_at = entry.last_at.isoformat() if entry.last_at else None
    return describe_prefix(fd, entry.offset, entry.line_no, last_at, entry.reports) | {"seq": entry.last_seq}


def save_for(entry: Any, meta: dict[str, Any]) -> None:
    """Write the checkpoint ``due`` described, outside the log's lock. A checkpoint is a cache:
    if this process read on meanwhile, or the write fails, the next append tries again."""
    with entry.lock:
        state = entry.state_unlocked()
        if state.seq != meta.pop("seq") or entry.offset != meta["offset"]:
            return
        try:
            save(entry.path, state, meta, entry.ids())
            entry.saved_seq = state.seq
        except OSError as error:
            log.info("%s: no checkpoint written: %s", entry.path, error)


def remove(log_path: Path) -> None:
    try:
        os.unlink(path_beside(log_path))
    except FileNotFoundError:
        pass
