"""Opening files in a folder others can write to, and naming what went wrong.

A shared folder (the file store's, a relay's) holds files anyone with write access can
replace: a symlink planted at ``INC-7.jsonl`` or ``.INC-7.checkpoint`` would make a
teammate's warroom read (or write) whatever the link points at -- ``/dev/zero`` reads
until memory runs out -- and a FIFO would hang the open or the read for ever. So every
file warroom opens in such a folder goes through here:

- ``open_regular``: opened with ``O_NOFOLLOW`` (a link is refused, never followed) and
  ``O_NONBLOCK`` (a FIFO cannot hang the open; no effect on regular files), then
  ``fstat``-checked to be a regular file;
- ``read_regular``: the same, then read with a size bound (a 3 GB sparse file is refused
  by its size, not read until ``MemoryError``);
- ``check_database``: an SQLite database in the folder, and the ``-wal``/``-shm``/
  ``-journal`` files SQLite would open by name beside it, must be regular files (SQLite
  itself follows links), created private if missing.

Every ``OSError`` (permissions, a read-only share, a full disk) becomes a ``StoreError``
whose message names the file and the cause, which the CLI prints as one line and the
board shows as a notification.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .base import StoreError

FILE_MODE = 0o664
DATABASE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class UnsafeFile(StoreError):
    """A file warroom will not use; ``fact`` says what is wrong with it, without the refusal."""

    def __init__(self, fact: str, refusal: str):
        super().__init__(f"{fact}; {refusal}")
        self.fact = fact


class NotRegularFile(UnsafeFile):
    """A link, FIFO, device, socket or folder where warroom expects a plain file."""


class FileTooLarge(UnsafeFile):
    """A file larger than what warroom reads of its kind."""


def open_regular(path: Path, flags: int, *, mode: int = FILE_MODE, what: str = "incident files") -> int:
    """Open ``path`` without following a link or blocking; refuse anything but a regular file.

    ``what`` names the kind of file in the refusal. ``FileNotFoundError`` passes through
    for the caller.
    """
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _not_regular(path, "a symbolic link", what) from None
        if error.errno in (errno.EISDIR, errno.ENXIO):
            raise _not_regular(path, "a folder" if error.errno == errno.EISDIR else "a socket or device", what) from None
        raise file_error(path, error, "write" if flags & (os.O_RDWR | os.O_WRONLY) else "read") from None
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        raise _not_regular(path, _kind_of(kind), what)
    return fd


def read_regular(path: Path, *, limit: int, what: str, prefix: bool = False) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    A larger file is refused (``FileTooLarge``), or with ``prefix`` only its first
    ``limit`` bytes are read. The read stops at ``limit`` (+1, to notice) whatever the
    file claims, so a file that grows while we read cannot outgrow the bound.
    """
    fd = open_regular(path, os.O_RDONLY, what=what)
    try:
        size = os.fstat(fd).st_size
        if size > limit and not prefix:
            raise _too_large(path, size, limit, what)
        chunks, wanted = [], limit if prefix else limit + 1
        while wanted > 0:
            chunk = os.read(fd, min(wanted, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise _too_large(path, len(data), limit, what)
        return data
    except BlockingIOError:  # cannot happen on a regular file; named for the reader's sake
        raise file_error(path, OSError(errno.EAGAIN, "would block"), "read") from None
    except OSError as error:
        raise file_error(path, error, "read") from None
    finally:
        os.close(fd)


def check_size(path: Path, size: int, limit: int, what: str) -> None:
    """Refuse to read ``size`` bytes of ``path`` when that is more than ``limit``."""
    if size > limit:
        raise _too_large(path, size, limit, what)


def check_database(path: Path, *, create: bool = True) -> None:
    """Make sure SQLite will open plain files at ``path``: the database (created 0600 if
    missing and ``create``) and any side file SQLite opens by name beside it.

    SQLite follows links, so a link planted at any of these names would put the database
    (or its log) wherever the link points. An existing file is only ``lstat``-ed, never
    opened: closing any descriptor of a database file drops every POSIX lock this process
    holds on it, its open SQLite connections' included. What is left is a swap between
    this check and SQLite's own open.
    """
    if create:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, DATABASE_MODE))
        except FileExistsError:
            pass  # checked below, like its side files
        except OSError as error:
            raise file_error(path, error, "create") from None
    for name in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_SIDE_FILES)):
        try:
            info = os.lstat(name)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise file_error(name, error, "read") from None
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(name, _kind_of(info.st_mode), "databases")


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "a socket or device"


def _not_regular(path: Path, kind: str, what: str) -> StoreError:
    return NotRegularFile(f"{path} is {kind}, not a regular file", f"refusing to use it ({what} must be plain files)")


def _too_large(path: Path, size: int, limit: int, what: str) -> StoreError:
    return FileTooLarge(f"{path} is {_mib(size)}, more than {what} may be ({_mib(limit)})", "refusing to read it")


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def file_error(path: Path, error: OSError, doing: str) -> StoreError:
    return StoreError(f"cannot {doing} {path}: {error.strerror or error}")


def raise_if_unreachable(path: Path) -> None:
    """An incident that is missing is ``UnknownIncident``; one we may not look at is not."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise file_error(path, error, "read") from None


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # exist_ok takes only a folder: this is something else
        raise StoreError(f"cannot create the folder {folder}: it is a file, not a folder") from None
    except OSError as error:
        raise file_error(folder, error, "create the folder") from None


def truncate_quietly(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass
