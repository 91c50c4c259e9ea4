"""Start-up to first paint: `warroom join` on a 10,000-event incident vs a bare Textual app.

Each run starts a fresh process in a pseudo-terminal (140x45) and times, from spawn,
until the screen output contains a marker: for the bare app (Header + Footer) its
title; for the board, the newest timeline entry of the incident (so "painted" means
the incident is loaded and drawn, not just a frame); also the board's first frame
(its pane titles), which it paints before loading. Prints the median of N runs
each and the ratio to the bare app.

    python bench/startup.py [runs]
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import fcntl
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")

BARE_APP = """
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header

class Bare(App):
    TITLE = "bare-app-ready"
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()

Bare().run()
"""


def make_incident(folder: Path, events: int) -> None:
    from warroom.incident import events as ev
    from warroom.incident.events import EventDraft, utcnow
    from warroom.store import FileStore

    at = utcnow()
    stored = [EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-BIG", title="big", severity=2)).stored(1, at)]
    actors = ("alice", "bob", "carol", "dave")
    for seq in range(2, events + 1):
        body = ev.NoteAdded(text=f"note {seq}: restore progress in region {seq % 7}")
        stored.append(EventDraft(actor=actors[seq % 4], body=body).stored(seq, at))
    FileStore(folder).import_events("INC-BIG", stored, replace=True)


def time_to_marker(argv: list[str], marker: bytes, env: dict[str, str], timeout: float = 30.0) -> float:
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(ROOT)
        os.execvpe(argv[0], argv, env)
    started = time.perf_counter()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if marker in ANSI.sub(b"", seen):
                return time.perf_counter() - started
        raise RuntimeError(f"marker {marker!r} not seen; got {ANSI.sub(b'', seen)[-400:]!r}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main(runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="warroom-startup-"))
    make_incident(folder / "store", 10_000)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="140", LINES="45")
    env["WARROOM_STORE"] = str(folder / "store")
    env["WARROOM_CONFIG_PATH"] = str(folder / "warroom.toml")
    env["PYTHONPATH"] = str(ROOT)
    bare_file = folder / "bare.py"
    bare_file.write_text(BARE_APP)
    join = [sys.executable, "-m", "warroom", "join", "INC-BIG", "--as", "alice"]
    bare, frame, board = [], [], []
    for _ in range(runs):
        bare.append(time_to_marker([sys.executable, str(bare_file)], b"bare-app-ready", env))
        frame.append(time_to_marker(join, b"Workstreams", env))  # the board's first frame
        board.append(time_to_marker(join, b"note 10000: restore progress", env))  # loaded and drawn
    b = statistics.median(bare)
    for label, times in (
        ("bare Textual app (Header+Footer)", bare),
        ("warroom join: first frame", frame),
        ("warroom join: 10,000 events drawn", board),
    ):
        m = statistics.median(times)
        print(f"{label:<36} median {m:.3f} s  ratio {m / b:.2f}  ({' '.join(f'{t:.3f}' for t in times)})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
