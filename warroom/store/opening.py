"""Opening incident files in a folder others can write to, and naming what went wrong.

An incident file is opened with ``O_NOFOLLOW`` and must be a regular file: a symlink
planted at ``INC-7.jsonl`` would otherwise make a teammate's warroom append to (or
read) whatever the link points at, and a FIFO would hang the open. Every ``OSError``
(permissions, a read-only share, a full disk) becomes a ``StoreError`` whose message
names the file and the cause, which the CLI prints as one line and the board shows as
a notification.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .base import StoreError

FILE_MODE = 0o664


def open_incident(path: Path, flags: int) -> int:
    """Open an incident file without following a link; refuse anything but a regular file.

    ``O_NONBLOCK`` keeps a FIFO planted at the name from hanging the open (it has no
    effect on regular files). ``FileNotFoundError`` passes through for the caller.
    """
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, FILE_MODE)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _not_regular(path, "a symbolic link") from None
        if error.errno in (errno.EISDIR, errno.ENXIO):
            raise _not_regular(path, "a folder" if error.errno == errno.EISDIR else "a socket or device") from None
        raise file_error(path, error, "write" if flags & (os.O_RDWR | os.O_WRONLY) else "read") from None
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        raise _not_regular(path, _kind_of(kind))
    return fd


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "a socket or device"


def _not_regular(path: Path, kind: str) -> StoreError:
    return StoreError(f"{path} is {kind}, not a regular file; refusing to use it (incident files must be plain files)")


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
    except OSError as error:
        raise file_error(folder, error, "create the folder") from None


def truncate_quietly(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass
