"""Making file permissions bite in tests even when they run as root (as CI does).

Root ignores permission bits through two capabilities, CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH. Without them a root-owned ``0o444`` file really is read-only and a
``0o000`` file really is unreadable, so the kernel refuses exactly as it would refuse a
teammate -- no mocks. ``unprivileged(command)`` runs a subprocess without them
(``setpriv`` trims its bounding set); ``permission_bits_apply()`` drops them from this
thread's effective set for the length of a ``with`` (threads started inside inherit it).
For a non-root user both do nothing: the bits already apply.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

_DAC_CAPS = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
_VERSION_3 = 0x20080522


def is_root() -> bool:
    return os.geteuid() == 0


def unprivileged(command: list[str]) -> list[str]:
    """``command`` run so that permission bits apply to it."""
    if not is_root():
        return command
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test permission errors as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *command]


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _capabilities(change: callable) -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    header = _Header(_VERSION_3, 0)
    data = (_Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    change(data[0])
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


@contextmanager
def permission_bits_apply() -> Iterator[None]:
    """Within the block, this thread (and threads it starts) obeys permission bits."""
    if not is_root():
        yield
        return
    mask = sum(1 << cap for cap in _DAC_CAPS)

    def drop(data: _Data) -> None:
        data.effective &= ~mask

    def restore(data: _Data) -> None:
        data.effective |= mask & data.permitted

    _capabilities(drop)
    try:
        yield
    finally:
        _capabilities(restore)
