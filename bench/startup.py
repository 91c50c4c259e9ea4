"""Start-up: `warroom join` of a big incident, to first frame and to full paint, against a bare Textual app.

    python bench/startup.py --events 100000 --runs 5

Both programs run as real processes on a pseudo-terminal (140x45), exactly as a user
starts them. For warroom two clocks stop: the *first frame* when the terminal shows the
board's header with the pane frames, still saying "loading…" (or already the incident's
title, whichever comes first), the *full paint* when it shows the text of the incident's
last timeline entry (the bottom of the timeline pane).
For the bare app (a Header and a Footer, nothing else) both are when its title shows.
Both programs are measured in the same run, alternating, and the median of --runs is
reported.

The log is built as a busy incident's would be: its lines are written straight to the
file, except that one event half a checkpoint interval before the end is appended
through the file store, which writes the checkpoint an appender writes every
``CHECKPOINT_EVERY`` events; so a joiner starts from a checkpoint and folds the 500
events after it, the average case (``--no-checkpoint``: the worst case, no checkpoint).
Prints one final line:
``events= first_frame_s= warroom_s= bare_textual_s= first_ratio= ratio= rss_mib=``.

``--cpu`` also runs both programs through ``bench/cpu_marks.py`` and reports the CPU each had
used when it sent the frame with each marker (medians, and their ratio): on a shared machine a
run's CPU is far steadier than its wall clock, which also counts waiting for a core.

``--breakdown`` also times the bare app with warroom's imports added one layer at a time
(pydantic; the domain with its event models; the CLI and config; the board's modules), in
the same alternating runs, so the difference between the bare app and a join is split into
what importing costs and what loading, composing and painting the incident costs.
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
from warroom.store import FileStore  # noqa: E402
from warroom.store.checkpoint import CHECKPOINT_EVERY  # noqa: E402

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

IMPORT_LAYERS = (
    ("pydantic", "import pydantic; from pydantic import BaseModel"),
    ("domain", "import warroom.incident"),
    ("cli", "import warroom.cli"),
    ("board", "import warroom.cli, warroom.tui.app"),
)
"""(name, imports): each layer includes the ones before it; run before the bare app starts."""

FIRST_FRAME = ("loading…", "Objects expiring")
"""The join's first frame: the header while loading, or the incident's title already."""

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def time_to_marker(command: list[str], markers: list[str | tuple[str, ...]], env: dict[str, str], timeout: float = 60) -> tuple[list[float], int]:
    """Run ``command`` on a pty; return (seconds until each of ``markers`` is on screen, RSS KiB after the last).
    A tuple of markers stops its clock at the first of them shown."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(command[0], command, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))
    started = time.perf_counter()
    seen = b""
    wanted = [tuple(m.encode() for m in ((marker,) if isinstance(marker, str) else marker)) for marker in markers]
    times: list[float | None] = [None] * len(markers)
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
            screen = ANSI.sub(b"", seen[-200_000:])
            now = time.perf_counter() - started
            for index, alternatives in enumerate(wanted):
                if times[index] is None and any(marker in screen for marker in alternatives):
                    times[index] = now
            if all(t is not None for t in times):
                break
        rss = _rss_kib(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if any(t is None for t in times):
        raise RuntimeError(f"{command} never showed {markers!r}")
    return times, rss  # type: ignore[return-value]


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def write_incident(folder: Path, count: int, *, checkpoint: bool = True) -> tuple[list[ev.StoredEvent], str]:
    """Write INC-1's log of ``count`` events in ``folder`` as a busy incident's (see the module),
    a checkpoint half an interval before its end unless ``checkpoint`` is false; the events and
    the words of the last entry (what a full paint shows)."""
    events = realistic_log(count - 1)
    marker = f"last entry {uuid.uuid4().hex[:8]}"
    last = events[-1]
    events.append(
        ev.StoredEvent(seq=last.seq + 1, id=uuid.uuid4(), at=last.at + timedelta(seconds=1), actor="responder1", body=ev.NoteAdded(text=marker))
    )
    log = folder / "INC-1.jsonl"
    if not checkpoint:
        log.write_text("".join(ev.dump_stored(e) + "\n" for e in events))
        return events, marker
    cut = max(len(events) - CHECKPOINT_EVERY // 2, 1)
    log.write_text("".join(ev.dump_stored(e) + "\n" for e in events[: cut - 1]))
    last = events[cut - 1]
    stored = FileStore(folder).append_sync("INC-1", ev.EventDraft(id=last.id, actor=last.actor, body=last.body))
    assert stored.seq == last.seq
    assert (folder / ".INC-1.checkpoint").exists() == (stored.seq >= CHECKPOINT_EVERY)  # none yet below that
    with open(log, "a") as handle:
        handle.write("".join(ev.dump_stored(e) + "\n" for e in events[cut:]))
    return events, marker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-checkpoint", action="store_true", help="no checkpoint beside the log (the worst case)")
    parser.add_argument("--cpu", action="store_true", help="also the CPU each program had used at each frame (bench/cpu_marks.py)")
    parser.add_argument("--breakdown", action="store_true", help="also time the bare app with warroom's imports, layer by layer")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="warroom-startup-"))
    events, marker = write_incident(folder, args.events, checkpoint=not args.no_checkpoint)
    bare = folder / "bare.py"
    bare.write_text(BARE_APP)

    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color", COLORTERM="truecolor")
    env["WARROOM_CONFIG_PATH"] = str(folder / "warroom.toml")
    env.pop("TEXTUAL", None)
    # An installed warroom has its bytecode compiled (pip does it); without this, a shell that
    # sets PYTHONDONTWRITEBYTECODE makes every run compile warroom from source (~13% of its import).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    warroom_cmd = [sys.executable, "-m", "warroom", "join", "INC-1", "--store", str(folder), "--as", "responder0"]
    bare_cmd = [sys.executable, str(bare)]

    marks = folder / "cpu-marks.tsv"
    cpu_first, cpu_full, cpu_bare = [], [], []
    if args.cpu:
        env.update(CPU_MARKS_FILE=str(marks), CPU_MARKS=f"{'/'.join(FIRST_FRAME)}|{marker}|BARE-READY-MARKER")
        warroom_cmd = [sys.executable, str(ROOT / "bench" / "cpu_marks.py"), "-m", *warroom_cmd[2:]]
        bare_cmd = [sys.executable, str(ROOT / "bench" / "cpu_marks.py"), str(bare)]

    def cpu_at(*wanted: str) -> list[float]:
        """The CPU marks of the run just ended (``bench/cpu_marks.py``), for ``wanted`` markers."""
        if not args.cpu:
            return []
        found = dict(line.split("\t") for line in marks.read_text().splitlines())
        marks.unlink()
        return [float(found[name]) for name in wanted]

    layers = IMPORT_LAYERS if args.breakdown else ()
    layer_cmds = []
    for name, imports in layers:
        layered = folder / f"bare_{name}.py"
        layered.write_text(imports + "\n" + BARE_APP)
        layer_cmds.append([sys.executable, str(layered)])
    layer_times: list[list[float]] = [[] for _ in layers]

    first_times, warroom_times, bare_times, rss = [], [], [], []
    first_frame = FIRST_FRAME
    time_to_marker(bare_cmd, ["BARE-READY-MARKER"], env)  # warm the OS file cache for both
    cpu_at()
    time_to_marker(warroom_cmd, [first_frame, marker], env)
    cpu_at()
    for _ in range(args.runs):
        (seconds,), _ = time_to_marker(bare_cmd, ["BARE-READY-MARKER"], env)
        bare_times.append(seconds)
        cpu_bare.extend(cpu_at("BARE-READY-MARKER"))
        (first, seconds), kib = time_to_marker(warroom_cmd, [first_frame, marker], env)
        first_times.append(first)
        warroom_times.append(seconds)
        rss.append(kib)
        if args.cpu:
            first_cpu, full_cpu = cpu_at("/".join(FIRST_FRAME), marker)
            cpu_first.append(first_cpu)
            cpu_full.append(full_cpu)
        for command, times in zip(layer_cmds, layer_times):
            (seconds,), _ = time_to_marker(command, ["BARE-READY-MARKER"], env)
            times.append(seconds)
    first_s, warroom_s, bare_s = (statistics.median(t) for t in (first_times, warroom_times, bare_times))
    runs = lambda times: ", ".join(f"{t:.3f}" for t in times)  # noqa: E731
    print(f"warroom first frame: {runs(first_times)}; full paint: {runs(warroom_times)}; bare: {runs(bare_times)}")
    print(
        f"events={len(events)} first_frame_s={first_s:.3f} warroom_s={warroom_s:.3f} bare_textual_s={bare_s:.3f} "
        f"first_ratio={first_s / bare_s:.2f} ratio={warroom_s / bare_s:.2f} rss_mib={max(rss) / 1024:.1f}"
    )
    if args.cpu:
        first_c, full_c, bare_c = (statistics.median(t) for t in (cpu_first, cpu_full, cpu_bare))
        print(f"CPU, warroom first frame: {runs(cpu_first)}; full paint: {runs(cpu_full)}; bare: {runs(cpu_bare)}")
        print(
            f"cpu_first_frame_s={first_c:.3f} cpu_warroom_s={full_c:.3f} cpu_bare_s={bare_c:.3f} "
            f"cpu_first_ratio={first_c / bare_c:.2f} cpu_ratio={full_c / bare_c:.2f}"
        )
    if layers:
        medians = [statistics.median(times) for times in layer_times]
        steps, before = [], bare_s
        for (name, _), median in zip(layers, medians):
            steps.append(f"import_{name}_s={median - before:.3f}")
            before = median
        print(f"bare_plus_imports_s={medians[-1]:.3f} " + " ".join(steps) + f" load_compose_paint_s={warroom_s - medians[-1]:.3f}")
    subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
