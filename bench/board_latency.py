"""How long an action on one board takes to show on another board on the same store folder.

Two boards (alice, bob) run headless in this process on one temporary FileStore
folder. Alice adds a note by keys (t, text, Enter); the clock runs from the Enter
key to the moment bob's board draws the new timeline line. Prints every sample and
the median / 95th percentile in milliseconds.

With ``--other-process`` the note is written instead by a separate process through
its own FileStore (as another responder's board or CLI would, minus interpreter
start-up); the clock runs from just before that append to bob's draw.

    python bench/board_latency.py [samples] [--other-process]
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.widgets import Input  # noqa: E402

from warroom.incident import events as ev  # noqa: E402
from warroom.room import Room  # noqa: E402
from warroom.store import FileStore  # noqa: E402
from warroom.tui.app import board_app  # noqa: E402
from warroom.tui.screens.info import CatchUpScreen  # noqa: E402


async def main(samples: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="warroom-latency-"))
    store = FileStore(folder)
    store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t")))
    store.append_sync("INC-1", ev.EventDraft(actor="bob", body=ev.ResponderJoined()))
    alice = board_app(Room(FileStore(folder), "INC-1", "alice"), themes_dir=folder / "none")
    bob = board_app(Room(FileStore(folder), "INC-1", "bob"), themes_dir=folder / "none")
    seen: dict[str, float] = {}
    async with alice.run_test(size=(140, 45)) as pa, bob.run_test(size=(140, 45)):
        while not (alice.board.ready and bob.board.ready):
            await asyncio.sleep(0.01)
        original = bob.board.timeline.append

        def append(entry):  # timestamp the moment bob's board draws the line
            seen.setdefault(entry.text, time.perf_counter())
            return original(entry)

        bob.board.timeline.append = append  # type: ignore[method-assign]
        while isinstance(alice.screen, CatchUpScreen):  # "while you were away": bob joined after alice declared
            await pa.press("escape")
        results = []
        for n in range(samples):
            text = f"ping {n}"
            await pa.press("t")
            while not isinstance(alice.focused, Input):  # the note form, its field focused once mounted
                await asyncio.sleep(0.001)
            alice.focused.insert_text_at_cursor(text)
            started = time.perf_counter()
            await pa.press("enter")
            while text not in seen:
                await asyncio.sleep(0.001)
            results.append((seen[text] - started) * 1000)
            await asyncio.sleep(0.05)
    report(results)


WRITER = """
import sys, time
from warroom.incident import events as ev
from warroom.store import FileStore
store = FileStore(sys.argv[1])
for n in range(int(sys.argv[2])):
    time.sleep(0.1)
    store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text=f"ping {n} {time.time()!r}")))
"""


async def other_process(samples: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="warroom-latency-"))
    store = FileStore(folder)
    store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t")))
    bob = board_app(Room(FileStore(folder), "INC-1", "bob"), themes_dir=folder / "none")
    results: list[float] = []
    async with bob.run_test(size=(140, 45)):
        while not bob.board.ready:
            await asyncio.sleep(0.01)
        original = bob.board.timeline.append

        def append(entry):
            if entry.text.startswith("ping "):
                results.append((time.time() - float(entry.text.split()[2])) * 1000)
            return original(entry)

        bob.board.timeline.append = append  # type: ignore[method-assign]
        root = str(Path(__file__).resolve().parent.parent)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(samples)], cwd=root)
        while len(results) < samples:
            await asyncio.sleep(0.01)
        writer.wait()
    report(results)


def report(results: list[float]) -> None:
    for value in results:
        print(f"{value:7.1f} ms")
    ordered = sorted(results)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    print(f"samples={len(results)} median={statistics.median(results):.1f} ms p95={p95:.1f} ms max={max(results):.1f} ms")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(arguments[0]) if arguments else 30
    asyncio.run(other_process(count) if "--other-process" in sys.argv else main(count))
