"""Where a join's CPU goes from the incident loaded to its full paint, and in the second after: Textual's steps, timed in the process.

    python bench/join_split.py --events 10000 --runs 5

``bench/startup.py`` says how long a join takes; this says what the board does with the part of
it after the incident is loaded. The join runs as a real process on a pseudo-terminal (140x45 by
default, ``--size 80x24``), on the log ``startup.py`` writes (a newcomer: the catch-up box over
the board), under this same file with ``--inside``, which wraps Textual's steps (mounting,
styling, layouts, frames) and the board's (``draw_all``, the catch-up box) with
``time.process_time()`` and writes what it saw a second after the last entry is on screen.
Printed per run: CPU from loaded to the full paint and each step's (inclusive: a layout holds the
frame it draws), the counts (stylesheet parses and applications, layouts per screen, frames and
characters written); then the same for the second after. Ends with
``loaded_to_full_paint_ms= frame_ms= after_render_ms= after_frames=`` (medians).
A measurement tool: the wrapping costs a little CPU itself, so compare runs of it, not its sums
with ``startup.py``'s.
"""

from __future__ import annotations

import argparse
import os
import pty
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
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AFTER_SECONDS = 1.0
"""How long after the full paint the process keeps recording."""


def inside() -> None:
    """In the join's process: wrap Textual's steps, then run ``warroom join``."""
    import re
    import runpy
    import threading

    from textual import app as textual_app
    from textual import screen as textual_screen
    from textual._compositor import Compositor
    from textual.css.stylesheet import Stylesheet
    from textual.drivers import _writer_thread

    trace_file, marker = os.environ["JOIN_SPLIT_FILE"], os.environ["JOIN_SPLIT_MARKER"]
    ansi = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
    clock = time.process_time
    log: list[tuple[float, str, str, float]] = []  # (CPU when it ended, step, detail, CPU it took)

    def timed(owner: type, name: str, step: str, detail=lambda *args, **kwargs: "") -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = clock()
            try:
                return original(*args, **kwargs)
            finally:
                log.append((clock(), step, detail(*args, **kwargs), clock() - started))

        setattr(owner, name, wrapper)

    def marked(owner: type, name: str, step: str) -> None:
        original = getattr(owner, name)

        async def wrapper(*args, **kwargs):
            try:
                return await original(*args, **kwargs)
            finally:
                log.append((clock(), step, "", 0.0))

        setattr(owner, name, wrapper)

    screen_name = lambda screen, *args, **kwargs: type(screen).__name__  # noqa: E731
    timed(Stylesheet, "parse", "stylesheet parsed")
    timed(Stylesheet, "apply", "stylesheet applied")
    timed(Stylesheet, "update_nodes", "restyled")
    timed(textual_app.App, "_register", "mounted (a batch)")
    timed(textual_screen.Screen, "_refresh_layout", "laid out", screen_name)
    timed(Compositor, "render_update", "frame rendered")
    timed(textual_app.App, "_display", "frame written", lambda app, screen, update: type(update).__name__)

    seen = [""]
    shown = [False]
    write = _writer_thread.WriterThread.write

    def marking_write(self, text: str) -> None:
        log.append((clock(), "written", str(len(text)), 0.0))
        if not shown[0]:
            seen[0] = (seen[0] + ansi.sub("", text))[-200_000:]
            if marker in seen[0]:
                shown[0] = True
                log.append((clock(), "FULL PAINT", "", 0.0))
                threading.Thread(target=dump, daemon=True).start()
        write(self, text)

    def dump() -> None:
        time.sleep(AFTER_SECONDS)
        Path(trace_file + ".part").write_text("".join(f"{c:.6f}\t{s}\t{d}\t{t:.6f}\n" for c, s, d, t in list(log)))
        os.rename(trace_file + ".part", trace_file)

    _writer_thread.WriterThread.write = marking_write  # type: ignore[method-assign]

    def board_loaded() -> None:
        from warroom.tui.board import drawing, following

        marked(following.BoardFollowing, "load_before_mount", "LOADED")
        timed(drawing.BoardDrawing, "draw_all", "drawn (draw_all)")
        timed(drawing.BoardDrawing, "show_catch_up", "catch-up box made")

    import warroom.tui.frame_first as frame_first

    prepared = frame_first._prepared

    def prepared_then_wrapped(prepare):
        result = prepared(prepare)
        board_loaded()  # the board's modules are imported by now
        return result

    frame_first._prepared = prepared_then_wrapped
    sys.argv = ["warroom", *sys.argv[2:]]
    runpy.run_module("warroom", run_name="__main__", alter_sys=True)


def run_once(folder: Path, marker: str, size: tuple[int, int], trace: Path) -> list[tuple[float, str, str, float]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color", COLORTERM="truecolor", JOIN_SPLIT_FILE=str(trace), JOIN_SPLIT_MARKER=marker)
    env["WARROOM_CONFIG_PATH"] = str(folder / "warroom.toml")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("TEXTUAL", None)
    command = [sys.executable, __file__, "--inside", "join", "INC-1", "--store", str(folder), "--as", "responder0"]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(command[0], command, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    started = time.monotonic()
    try:
        while not trace.exists():
            if time.monotonic() - started > 60:
                raise RuntimeError("the join never showed its last entry")
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    os.read(fd, 65536)
                except OSError:
                    break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    rows = [line.split("\t") for line in trace.read_text().splitlines()]
    trace.unlink()
    return [(float(cpu), step, detail, float(took)) for cpu, step, detail, took in rows]


def summary(rows: list[tuple[float, str, str, float]], start: float, end: float) -> tuple[dict[str, list[float]], Counter[str], int]:
    steps: dict[str, list[float]] = defaultdict(list)
    counts: Counter[str] = Counter()
    written = 0
    for cpu, step, detail, took in rows:
        if not start <= cpu <= end:
            continue
        if step == "written":
            written += int(detail)
        elif step == "laid out":
            counts[f"layouts of {detail}"] += 1
        elif step == "frame written" and detail != "NoneType":
            counts["frames"] += 1
        if step not in ("written", "frame written", "LOADED", "FULL PAINT"):
            steps[step].append(took * 1000)
    return steps, counts, written


def main() -> None:
    if sys.argv[1:2] == ["--inside"]:
        inside()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="140x45")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from startup import write_incident

    size = tuple(int(n) for n in args.size.split("x"))
    folder = Path(tempfile.mkdtemp(prefix="warroom-join-split-"))
    _, marker = write_incident(folder, args.events)
    trace = folder / "trace.tsv"
    run_once(folder, marker, size, trace)  # warms the OS file cache
    windows, frames, after_renders, after_frames = [], [], [], []
    for run in range(args.runs):
        rows = run_once(folder, marker, size, trace)
        loaded = next(cpu for cpu, step, _, _ in rows if step == "LOADED")
        full = next(cpu for cpu, step, _, _ in rows if step == "FULL PAINT")
        steps, counts, written = summary(rows, loaded, full)
        windows.append((full - loaded) * 1000)
        frames.append(max(steps.get("frame rendered", [0.0])))
        print(f"run {run + 1}: loaded to full paint {windows[-1]:.1f} ms of CPU; {written:,} characters written")
        for step, took in sorted(steps.items(), key=lambda item: -sum(item[1])):
            print(f"  {step:<22} {sum(took):6.1f} ms  x{len(took)}")
        print("  " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
        steps, counts, written = summary(rows, full + 1e-9, float("inf"))
        after_renders.append(sum(steps.get("frame rendered", [])))
        after_frames.append(counts["frames"])
        print(f"  the second after: {after_frames[-1]} frames ({written:,} characters), rendering {after_renders[-1]:.1f} ms, "
              f"laid out {sum(steps.get('laid out', [])):.1f} ms, restyled {sum(steps.get('restyled', [])):.1f} ms")
    print(
        f"events={args.events} size={args.size} loaded_to_full_paint_ms={statistics.median(windows):.1f} frame_ms={statistics.median(frames):.1f} "
        f"after_render_ms={statistics.median(after_renders):.1f} after_frames={statistics.median(after_frames):g}"
    )
    subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
