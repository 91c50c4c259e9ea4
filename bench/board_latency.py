"""How long an action on one board takes to show on another board on the same store folder.

Two boards (alice, bob) run headless in this process on one temporary FileStore
folder. Alice adds a note by keys (t, text, Enter); the clock runs from the Enter
key to the moment bob's board draws the new timeline line. Prints every sample and
the median / 95th percentile in milliseconds.

    python bench/board_latency.py [samples]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.incident import events as ev  # noqa: E402
from warroom.room import Room  # noqa: E402
from warroom.store import FileStore  # noqa: E402
from warroom.tui.app import WarroomApp  # noqa: E402


async def main(samples: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="warroom-latency-"))
    store = FileStore(folder)
    store.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="t")))
    store.append_sync("INC-1", ev.EventDraft(actor="bob", body=ev.ResponderJoined()))
    alice = WarroomApp(Room(FileStore(folder), "INC-1", "alice"), themes_dir=folder / "none")
    bob = WarroomApp(Room(FileStore(folder), "INC-1", "bob"), themes_dir=folder / "none")
    seen: dict[str, float] = {}
    async with alice.run_test(size=(140, 45)) as pa, bob.run_test(size=(140, 45)) as pb:
        while not (alice.ready and bob.ready):
            await asyncio.sleep(0.01)
        original = bob.timeline.append

        def append(entry):  # timestamp the moment bob's board draws the line
            seen.setdefault(entry.text, time.perf_counter())
            return original(entry)

        bob.timeline.append = append  # type: ignore[method-assign]
        results = []
        for n in range(samples):
            text = f"ping {n}"
            await pa.press("t")
            alice.focused.insert_text_at_cursor(text)  # type: ignore[union-attr]
            started = time.perf_counter()
            await pa.press("enter")
            while text not in seen:
                await asyncio.sleep(0.001)
            results.append((seen[text] - started) * 1000)
            await asyncio.sleep(0.05)
    for value in results:
        print(f"{value:7.1f} ms")
    ordered = sorted(results)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    print(f"samples={len(results)} median={statistics.median(results):.1f} ms p95={p95:.1f} ms max={max(results):.1f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
