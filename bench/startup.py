"""Start-up: `warroom join` to first full paint of a big incident, against a bare Textual app.

    python bench/startup.py --events 10000 --runs 5

Both programs run as real processes on a pseudo-terminal (140x45), exactly as a user
starts them; the clock stops when the terminal output contains a marker that is only
drawn once the screen is fully painted: for warroom, the text of the incident's last
timeline entry (the bottom of the timeline pane); for the bare app (a Header and a
Footer, nothing else), its title. Both are measured in the same run, alternating, and
the median of --runs is reported. Prints one final line:
``events= warroom_s= bare_textual_s= ratio= rss_mib=``.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import fcntl
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fold import realistic_log  # noqa: E402

from warroom.incident import events as ev  # noqa: E402

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header

class Bare(App):
    TITLE = "BARE-READY-MARKER"
    def compose(self):
        yield Header()
        yield Footer()

Bare().run()
"""

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def time_to_marker(command: list[str], marker: str, env: dict[str, str], timeout: float = 60) -> tuple[float, int]:
    """Run ``command`` on a pty and return (seconds until ``marker`` is on screen, peak RSS KiB)."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(command[0], command, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))
    started = time.perf_counter()
    seen = b""
    wanted = marker.encode()
    elapsed = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if wanted in ANSI.sub(b"", seen[-200_000:]):
                elapsed = time.perf_counter() - started
                break
        rss = _rss_kib(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if elapsed is None:
        raise RuntimeError(f"{command} never showed {marker!r}")
    return elapsed, rss


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="warroom-startup-"))
    events = realistic_log(args.events - 1)
    marker = f"last entry {uuid.uuid4().hex[:8]}"
    last = events[-1]
    events.append(
        ev.StoredEvent(seq=last.seq + 1, id=uuid.uuid4(), at=last.at + timedelta(seconds=1), actor="responder1", body=ev.NoteAdded(text=marker))
    )
    (folder / "INC-1.jsonl").write_text("".join(ev.dump_stored(e) + "\n" for e in events))
    bare = folder / "bare.py"
    bare.write_text(BARE_APP)

    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color", COLORTERM="truecolor")
    env["WARROOM_CONFIG_PATH"] = str(folder / "warroom.toml")
    env.pop("TEXTUAL", None)
    warroom_cmd = [sys.executable, "-m", "warroom", "join", "INC-1", "--store", str(folder), "--as", "responder0"]
    bare_cmd = [sys.executable, str(bare)]

    warroom_times, bare_times, rss = [], [], []
    time_to_marker(bare_cmd, "BARE-READY-MARKER", env)  # warm the OS file cache for both
    time_to_marker(warroom_cmd, marker, env)
    for _ in range(args.runs):
        seconds, _ = time_to_marker(bare_cmd, "BARE-READY-MARKER", env)
        bare_times.append(seconds)
        seconds, kib = time_to_marker(warroom_cmd, marker, env)
        warroom_times.append(seconds)
        rss.append(kib)
    warroom_s, bare_s = statistics.median(warroom_times), statistics.median(bare_times)
    print(f"warroom runs: {', '.join(f'{t:.3f}' for t in warroom_times)}; bare runs: {', '.join(f'{t:.3f}' for t in bare_times)}")
    print(
        f"events={len(events)} warroom_s={warroom_s:.3f} bare_textual_s={bare_s:.3f} "
        f"ratio={warroom_s / bare_s:.2f} rss_mib={max(rss) / 1024:.1f}"
    )
    subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
