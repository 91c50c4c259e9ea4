"""Replacing a file all at once: the one way warroom rewrites a file in place.

Config, exports, secrets and imported incident logs all live in folders other people
(and sync clients, and other warroom processes) read while we write. A reader must see
either the old file or the new one, never half of each, and a crash or a full disk must
leave the old file intact. So every rewrite goes through ``write_atomic``:

- the bytes go to a *unique* temporary file in the same folder (``mkstemp``: created
  with ``O_EXCL``, so a symlink or file planted at a guessable name is never followed or
  overwritten, and two writers never share a temporary file);
- the temporary file is fsynced, then renamed over the final name (``os.replace``), then
  the folder is fsynced so the rename itself survives a power cut;
- the new file keeps the mode (and, where we may, the owner and group) of the file it
  replaces, so rewriting a 0600 secret never makes it world-readable; a new file gets
  ``mode`` (e.g. 0o600 for a secret), or the usual ``0o666`` less the umask.

The final name is replaced, not written through: a symlink there is replaced by a regular
file, never used to write somewhere else.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["write_atomic", "sync_folder", "current_umask"]


def write_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes | memoryview], *, mode: int | None = None) -> Path:
    """Replace ``path`` with ``data`` (bytes, or an iterable of byte chunks) all at once.

    ``mode`` is for a file that does not exist yet; an existing regular file keeps its
    own mode. Raises ``OSError`` (the temporary file is removed and the old file is left
    as it was); callers turn it into their one-line error.
    """
    path = Path(path)
    folder = path.parent
    try:
        existing: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        existing = None  # a symlink or special file is replaced, and lends us nothing
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        try:
            chunks = [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
            for chunk in chunks:
                _write_all(fd, chunk)
            if existing is not None:
                _keep_owner(fd, existing)  # before the mode: a change of owner may clear mode bits
                os.fchmod(fd, stat.S_IMODE(existing.st_mode))
            else:
                os.fchmod(fd, mode if mode is not None else 0o666 & ~current_umask())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        _discard(temporary)
        raise
    sync_folder(folder)
    return path


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename or a new file in ``folder`` durable where the platform allows it (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def current_umask() -> int:
    """The process umask, read without changing it where the platform can (Linux ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: the only portable way is to set it and put it back
    os.umask(mask)
    return mask


def _keep_owner(fd: int, existing: os.stat_result) -> None:
    """Give the new file the old one's owner and group when we may (root, or our own group)."""
    if (existing.st_uid, existing.st_gid) == (os.getuid(), os.getgid()):
        return
    try:
        os.fchown(fd, existing.st_uid, existing.st_gid)
    except OSError:
        try:
            os.fchown(fd, -1, existing.st_gid)
        except OSError:
            pass


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
