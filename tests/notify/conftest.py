"""Fixtures for notifications: real sinks, a config with ``[[notify]]`` tables, a real relay process."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notify.sinks import HttpSink, SmtpSink
from tests.server.harness import REPO_ROOT, cli_env


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    with HttpSink() as sink:
        yield sink


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


def write_config(home: Path, targets: list[str], extra: str = "") -> Path:
    """``warroom.toml`` in ``home`` with one ``[[notify]]`` table per TOML snippet in ``targets``."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "warroom.toml"
    path.write_text(extra + "".join(f"\n[[notify]]\n{t}\n" for t in targets))
    return path


class Relay:
    """``warroom relay --store DIR`` as a subprocess; ``start`` waits for its first line."""

    def __init__(self, folder: Path, home: Path):
        self.folder, self.home = folder, home
        self.proc: subprocess.Popen | None = None
        self.stderr = home / "relay.err"

    def start(self, timeout: float = 30) -> Relay:
        with open(self.stderr, "ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "warroom", "relay", "--store", str(self.folder)],
                stdout=subprocess.PIPE, stderr=err, text=True, env=cli_env(home=self.home), cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
            )
        lines: queue.Queue = queue.Queue()
        proc = self.proc
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout] + [lines.put(None)], daemon=True).start()  # type: ignore[union-attr]
        line = lines.get(timeout=timeout)
        if line is None or "warroom relay: sending" not in line:
            raise AssertionError(f"relay did not start ({proc.wait()}): {self.stderr.read_text()}")
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self.proc = None


@pytest.fixture
def relays(tmp_path: Path) -> Iterator[list[Relay]]:
    started: list[Relay] = []
    yield started
    for relay in started:
        relay.stop()
