"""The server's side of the status page's own process: start it, restart it, stop it.

``warroom serve --status-port`` binds the status port itself (so a port in use is one
error line before anything starts) and hands the listening socket to a child process
(``python -m warroom.server.statusproc``), which serves the status page on it. The child
runs in a session of its own, so a Ctrl-C at the terminal reaches only the server, which
then stops the child itself; and it holds the read end of a pipe only the server writes,
so it ends too when the server dies without stopping it (SIGKILL, a crash). A child that
dies alone is started again, after a pause that doubles up to ``MAX_BACKOFF`` (reset once
one has run ``STEADY_SECONDS``), and each restart is logged. ``running`` is what
``/healthz`` reports.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from .statusproc import StatusOptions

log = logging.getLogger("warroom.server")

FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0
STEADY_SECONDS = 60.0
STOP_SECONDS = 8.0


class StatusProcess:
    def __init__(self, sock: socket.socket, options: StatusOptions, say: Callable[[str], None] = log.warning):
        self.sock = sock
        self.options = options
        self.say = say
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._parent_end: int | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else process.pid

    @property
    def running(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    def start(self) -> None:
        self._spawn()
        self._thread = threading.Thread(target=self._supervise, name="warroom-status-process", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        child_end, parent_end = os.pipe()
        os.set_inheritable(parent_end, False)
        with self._lock:
            if self._stopping.is_set():
                os.close(child_end)
                os.close(parent_end)
                return
            listen_fd = self.sock.fileno()
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "warroom.server.statusproc", str(listen_fd), str(child_end), self.options.to_json()],
                    pass_fds=(listen_fd, child_end),
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except BaseException:
                os.close(parent_end)
                raise
            finally:
                os.close(child_end)
            self._parent_end = parent_end

    def _supervise(self) -> None:
        backoff = FIRST_BACKOFF
        while True:
            process = self._process
            if process is None:
                return
            started = time.monotonic()
            code = process.wait()
            self._close_pipe()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= STEADY_SECONDS:
                backoff = FIRST_BACKOFF
            self.say(f"the status page's process (pid {process.pid}) ended with code {code}; starting it again in {backoff:g} s")
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF)
            self.restarts += 1
            try:
                self._spawn()
            except OSError as error:  # no process to start (out of memory, of pids): the old one's exit again, later
                self.say(f"cannot start the status page's process: {error}")

    def _close_pipe(self) -> None:
        with self._lock:
            end, self._parent_end = self._parent_end, None
        if end is not None:
            os.close(end)

    def stop(self) -> None:
        """Stop the child (SIGTERM: it drains its pages; SIGKILL past ``STOP_SECONDS``) and never start it again."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)
        self._close_pipe()
