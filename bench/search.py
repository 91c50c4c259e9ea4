"""Timeline search and filter on a 100,000-event incident: keystroke to redrawn pane.

A real board (headless Textual, 140x45 unless ``--size``) joins a log of ``--events`` events (the
realistic mix of ``bench/fold.py``: notes, hand-offs, claims, broadcasts) on a temporary
file store. Then, by keys:

- search: ``/`` and a query typed one key at a time (each key narrows the matches),
  then backspaced one key at a time (each key widens them: a full rescan), ``--rounds``
  times with different queries;
- filter: ``f`` and a choice (kind, person, workstream, starred, involving me), each
  applied on top of the last and then cleared with Esc.

The clock runs from the key (or the choice) to the last timeline line drawn for it (the
view draws only the rows on screen; nothing renders 100,000 rows). A choice in the picker
(a list shown in the timeline pane) also hides it, which lays the pane out again, so two
baselines are printed beside it:
the same filters applied to the view directly (``filter_apply``), and Esc in the picker
with nothing chosen (``picker_close``); and a cursor key in the timeline (``cursor_key``)
for what any key costs on this machine; ``picker_open`` is the ``f`` key itself (it used to
index every entry for filtering; now the index is built in idle time after the join).
``gc_full_max_ms`` is the longest full (generation 2) garbage collection during the keys: one
landing inside a key is a pause no index can remove. ``*_cpu_*`` is this process's CPU time over the
same span: what the key costs on a core of its own (the wall clock of a shared machine
includes waiting for one). ``first_search_ms`` is the first key after ``/``
(the text is folded for searching when ``/`` opens the prompt). ``tab`` is tab from pane to
pane, from the key to the last frame Textual composed for it (the focus moved, both panes'
borders redrawn); ``tab_idle`` is the same key until Textual's test pilot calls the board idle,
which is never under ~60 ms: ``Pilot.press`` and ``pause`` each wait for 20 ms windows in which
the process used under 1 ms of CPU, three of them at least. Ends with one line of key=value pairs.

``--size 80x24`` runs it all on a small terminal, where the board shows one lower pane at a
time and tab steps through them (the tab goes from the timeline to the Workstreams pane, which
always shows).

    python bench/search.py [--events 100000] [--rounds 5] [--size 140x45]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fold import realistic_log  # noqa: E402

from warroom.incident import events as ev  # noqa: E402
from warroom.room import Room  # noqa: E402
from warroom.store import FileStore  # noqa: E402
from warroom.tui.app import board_app  # noqa: E402
from warroom.tui.model.find import Filter  # noqa: E402
from warroom.tui.screens.info import CatchUpScreen  # noqa: E402

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.screen import Screen

QUERIES = ["observation 4242", "latency back", "WS-17", "stakeholders", "error rate falling", "nothing like this"]
FILTERS = [
    ["kind:notes", "person:responder2"],
    ["kind:hand-offs", "person:responder3"],
    ["kind:broadcasts", "me:responder0"],
    ["person:responder1", "kind:notes"],
    ["starred"],
    ["workstream:WS-33", "kind:status"],
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(share * (len(ordered) - 1))), len(ordered) - 1)]


async def run(events: int, rounds: int, size: tuple[int, int] = (140, 45)) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="warroom-search-"))
    log = realistic_log(events)
    (folder / "INC-1.jsonl").write_text("".join(ev.dump_stored(e) + "\n" for e in log))
    app = board_app(Room(FileStore(folder), "INC-1", "responder0"), themes_dir=folder / "none", export_folder=folder / "exports")
    drawn: list[tuple[float, float]] = []
    cpu: dict[str, list[float]] = {
        "search": [], "filter": [], "apply": [], "cursor": [], "picker_open": [], "f_from_pane": [], "tab": []
    }
    phase = ["search"]
    full_collections: list[float] = []
    collecting = [0.0]

    def on_gc(phase_: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase_ == "start":
                collecting[0] = time.perf_counter()
            else:
                full_collections.append((time.perf_counter() - collecting[0]) * 1000)

    async with app.run_test(size=size) as pilot:
        while not app.board.ready:
            await asyncio.sleep(0.01)
        await pilot.pause()
        if isinstance(app.screen, CatchUpScreen):
            await pilot.press("escape")
        timeline = app.board.timeline
        assert len(timeline.entries) >= events - 1, len(timeline.entries)
        original = timeline.render_line

        def render_line(y: int):
            strip = original(y)
            drawn.append((time.perf_counter(), time.process_time()))
            return strip

        timeline.render_line = render_line  # type: ignore[method-assign]

        def picker_open() -> bool:
            return timeline.menu is not None and app.focused is timeline
        gc.callbacks.append(on_gc)

        cpu_started = [0.0]

        def start() -> float:
            drawn.clear()
            cpu_started[0] = time.process_time()
            return time.perf_counter()

        async def key(name: str) -> float:
            started = start()
            await pilot.press(name)
            return await until_drawn_after(started)

        async def until_drawn_after(started: float) -> float:
            for _ in range(2000):
                if drawn:
                    break
                await asyncio.sleep(0.001)
            await pilot.pause()
            if not drawn:
                return float("nan")
            cpu[phase[0]].append((drawn[-1][1] - cpu_started[0]) * 1000)
            return (drawn[-1][0] - started) * 1000

        search: list[float] = []
        first_search = 0.0
        for round_ in range(rounds):
            query = QUERIES[round_ % len(QUERIES)]
            await key("slash")
            for n, char in enumerate(query):
                took = await key(char if char != " " else "space")
                if round_ == 0 and n == 0:
                    first_search = took  # folds every entry's text once
                else:
                    search.append(took)
            matches = len(timeline.finder.matches)
            for _ in query:
                search.append(await key("backspace"))
            await key("escape")
            print(f"search round {round_ + 1}: {query!r} ({matches:,} matches) typed and backspaced")

        phase[0] = "filter"
        filtering: list[float] = []  # the choice (Enter in the picker): hides it, filters, redraws
        applying: list[float] = []  # the same filters applied without the picker: the pane alone
        closing: list[float] = []  # baseline: Esc in the picker, nothing chosen (the pane is laid out again)
        opening: list[float] = []  # the ``f`` key: until the picker is up
        for round_ in range(rounds):
            chosen = FILTERS[round_ % len(FILTERS)]
            for choice in chosen:
                phase[0] = "picker_open"
                opening.append(await key("f"))
                assert picker_open()
                phase[0] = "filter"
                timeline.menu.highlight(choice)
                started = start()
                await pilot.press("enter")
                filtering.append(await until_drawn_after(started))
            shown = len(timeline.finder)
            timeline.focus()
            filtering.append(await key("escape"))
            await key("f")
            closing.append(await key("escape"))
            current = Filter()
            for choice in chosen:
                current = current.choose(choice)
                phase[0] = "apply"
                started = start()
                timeline.apply_filter(current)
                applying.append(await until_drawn_after(started))
            started = start()
            timeline.apply_filter(Filter())
            applying.append(await until_drawn_after(started))
            phase[0] = "filter"
            print(f"filter round {round_ + 1}: {' + '.join(chosen)} ({shown:,} shown) then esc")

        phase[0] = "f_from_pane"
        from_pane: list[float] = []  # ``f`` with the workstreams pane focused: the timeline takes focus too
        tabs: list[float] = []  # tab from pane to pane: until the last frame composed for it
        tabs_idle: list[float] = []  # the same, until the pilot calls the board idle
        frames: list[tuple[float, float]] = []
        display = app._display

        def displayed(screen: Screen, renderable: RenderableType | None) -> None:
            if renderable is not None:
                frames.append((time.perf_counter(), time.process_time()))
            display(screen, renderable)

        vars(app)["_display"] = displayed  # the method replaced on this one instance
        for _ in range(5 * rounds):
            app.board.workstreams.focus()
            await pilot.pause()
            from_pane.append(await key("f"))
            await key("escape")
            frames.clear()
            started, cpu_at = time.perf_counter(), time.process_time()
            await pilot.press("tab")
            await pilot.pause()
            tabs_idle.append((time.perf_counter() - started) * 1000)
            if frames:
                tabs.append((frames[-1][0] - started) * 1000)
                cpu["tab"].append((frames[-1][1] - cpu_at) * 1000)

        phase[0] = "cursor"
        moving: list[float] = []  # baseline: a cursor key in the timeline (no search, no filter)
        timeline.focus()
        for n in range(20 * rounds):
            moving.append(await key("up" if n % 2 else "pageup"))
        gc.callbacks.remove(on_gc)
    return {
        "events": len(log),
        "search_keys": len(search),
        "search_p50_ms": statistics.median(search),
        "search_p99_ms": percentile(search, 0.99),
        "filter_keys": len(filtering),
        "filter_p50_ms": statistics.median(filtering),
        "filter_p99_ms": percentile(filtering, 0.99),
        "filter_apply_p50_ms": statistics.median(applying),
        "filter_apply_p99_ms": percentile(applying, 0.99),
        "picker_open_p50_ms": statistics.median(opening),
        "picker_open_p99_ms": percentile(opening, 0.99),
        "first_picker_open_ms": opening[0],
        "first_picker_open_cpu_ms": cpu["picker_open"][0],
        "picker_close_p50_ms": statistics.median(closing),
        "f_from_pane_p50_ms": statistics.median(from_pane),
        "f_from_pane_p99_ms": percentile(from_pane, 0.99),
        "tab_p50_ms": statistics.median(tabs),
        "tab_p99_ms": percentile(tabs, 0.99),
        "tab_idle_p50_ms": statistics.median(tabs_idle),
        "cursor_key_p50_ms": statistics.median(moving),
        "cursor_key_p99_ms": percentile(moving, 0.99),
        "first_search_ms": first_search,
        "first_filter_ms": filtering[0],
        "gc_full_collections": len(full_collections),
        "gc_full_max_ms": max(full_collections, default=0.0),
        **{f"{name}_cpu_p50_ms": statistics.median(values) for name, values in cpu.items() if values},
        **{f"{name}_cpu_p99_ms": percentile(values, 0.99) for name, values in cpu.items() if values},
    }


def terminal_size(text: str) -> tuple[int, int]:
    """``80x24`` as (80, 24); argparse turns the ValueError into one line of error."""
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) and int(height)):
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT (such as 80x24)")
    return int(width), int(height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=terminal_size, default=(140, 45), help="the terminal, WIDTHxHEIGHT (80x24: one lower pane at a time)")
    args = parser.parse_args()
    results = asyncio.run(run(args.events, args.rounds, args.size))
    print(" ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in results.items()))


if __name__ == "__main__":
    main()
