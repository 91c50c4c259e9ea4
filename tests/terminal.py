"""The real CLI on a pseudo-terminal, its screen read as plain text (the frame-first join, the lobby).

Started with ``subprocess`` on ``os.openpty()``, not ``pty.fork()``: under pytest-xdist the test
process has threads, and forking a threaded process (as ``pty.fork`` does, in Python) may
deadlock the child; Python 3.12+ warns of it. The child gets the terminal as its standard
streams in a session of its own, which is all the board and the lobby ask of a terminal.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time

from tests.conftest import REPO_ROOT

ANSI = re.compile(rb"\x1b\[[0-9;?>]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class Terminal:
    """``python -m warroom ARGS`` on a pseudo-terminal of ``columns`` x ``rows``."""

    def __init__(self, env: dict[str, str], *args: str, columns: int = 140, rows: int = 45) -> None:
        self.seen = b""
        self.fd, child = os.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "warroom", *args], stdin=child, stdout=child, stderr=child, env=env, cwd=REPO_ROOT, start_new_session=True
            )
        finally:
            os.close(child)

    @property
    def text(self) -> bytes:
        return ANSI.sub(b"", self.seen)

    def write(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def read_until(self, *words: bytes, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not all(word in self.text for word in words):
            assert time.monotonic() < deadline, f"never shown {words!r}: {self.text[-2000:]!r}"
            if select.select([self.fd], [], [], 0.5)[0]:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:  # the program ended
                    assert all(word in self.text for word in words), f"ended without {words!r}: {self.text[-2000:]!r}"

    def exit_code(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self._drain()
                return code
            self._drain(0.2)
        raise AssertionError(f"still running: {self.text[-2000:]!r}")

    def _drain(self, wait: float = 0) -> None:
        while select.select([self.fd], [], [], wait)[0]:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.seen += chunk

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.fd)
