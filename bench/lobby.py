"""The lobby with many open incidents: first paint against a bare Textual app, and how soon a change
in any incident shows.

    python bench/lobby.py --incidents 200 --runs 5 --changes 300

*Paint*: `warroom lobby` and the bare Textual app of ``bench/startup.py`` run as real processes
on a pseudo-terminal (140x45), alternating, in the same run (median of ``--runs``). The lobby's
*first paint* is when its frame shows (the header line, "warroom lobby"); its *full paint* when
the first row (the most urgent incident's title) shows. The bare app's is when its title shows.

*Change*: a lobby runs headless in this process over the same folder while a writer process
appends ``--changes`` events to incidents picked at random (a status change, a note, a
workstream...), one every ``--interval`` seconds. For each, the time from the writer's
acknowledged append (fsynced) to the lobby having drawn that incident's new summary into its
table; both clocks are this machine's ``time.time()``.

Each incident's log is written the way it would be (declared, joined, workstreams, notes; about
25 events), severities and drills mixed. Prints ``key=value`` lines, the last one the summary:
``incidents= first_paint_s= full_paint_s= bare_textual_s= first_ratio= full_ratio= change_p50_ms=
change_p99_ms= change_max_ms= changes=``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from startup import BARE_APP, time_to_marker  # noqa: E402

from warroom.incident import events as ev  # noqa: E402
from warroom.store import FileStore  # noqa: E402

HANDLES = [f"responder{n}" for n in range(40)]


def build(folder: Path, incidents: int, rng: random.Random) -> str:
    """``incidents`` open incidents; returns the title of the one the lobby lists first."""
    store = FileStore(folder)
    now = datetime.now(timezone.utc)
    first: tuple[int, datetime, str] | None = None
    for number in range(1, incidents + 1):
        incident_id = f"INC-{number}"
        at = now - timedelta(minutes=rng.randint(5, 600))
        severity = rng.choice((1, 2, 2, 3, 3, 3, 4))
        title = f"Incident {number} {uuid.uuid4().hex[:6]}"
        events: list[ev.StoredEvent] = []

        def add(actor: str, body: ev.Body) -> None:
            nonlocal at
            at += timedelta(seconds=rng.randint(5, 90))
            events.append(ev.StoredEvent(seq=len(events) + 1, id=uuid.uuid4(), at=at, actor=actor, body=body))

        commander = rng.choice(HANDLES)
        add(commander, ev.IncidentDeclared(incident_id=incident_id, title=title, severity=severity, drill=rng.random() < 0.1))
        started = events[0].at
        people = rng.sample([h for h in HANDLES if h != commander], 3)
        for handle in people:
            add(handle, ev.ResponderJoined())
        for n in range(1, 5):
            add(commander, ev.WorkstreamOpened(title=f"workstream {n}"))
        for n, handle in enumerate(people[:3], start=1):
            add(handle, ev.WorkstreamClaimed(workstream=f"WS-{n}"))
        add(people[0], ev.WorkstreamStatusSet(workstream="WS-1", status="blocked"))
        for n in range(12):
            add(rng.choice(people), ev.NoteAdded(text=f"note {n}: looked at the dashboards"))
        store.import_events(incident_id, events)
        key = (severity, started, incident_id)
        if first is None or key < first[:3]:
            first = (*key, title)  # type: ignore[assignment]
    assert first is not None
    return first[3]  # type: ignore[misc]


def writer(folder: str, incidents: int, changes: int, interval: float, seed: int) -> None:
    """The other process: append ``changes`` events, printing ``incident seq acked_at`` per append."""
    rng = random.Random(seed)
    store = FileStore(folder)
    for n in range(changes):
        incident_id = f"INC-{rng.randint(1, incidents)}"
        body: ev.Body = rng.choice(
            (
                ev.NoteAdded(text=f"change {n}"),
                ev.StatusChanged(status=rng.choice(("investigating", "identified", "mitigated"))),
                ev.WorkstreamOpened(title=f"more work {n}"),
                ev.ResponderJoined(),
            )
        )
        actor = rng.choice(HANDLES)
        try:
            stored = store.append_sync(incident_id, ev.EventDraft(actor=actor, body=body))
        except Exception:  # a refused change (already joined, same status): try another
            continue
        print(json.dumps([incident_id, stored.seq, time.time()]), flush=True)
        time.sleep(interval)


async def change_latency(folder: Path, incidents: int, changes: int, interval: float) -> list[float]:
    from warroom.tui.app import WarroomApp
    from warroom.tui.lobby import LobbyScreen

    drawn: dict[str, list[tuple[int, float]]] = {}  # incident -> (seq drawn, when), as it grew

    class Measured(LobbyScreen):
        def _apply(self, changes) -> None:  # type: ignore[no-untyped-def]
            super()._apply(changes)
            at = time.time()
            for summary in self.summaries.values():
                history = drawn.setdefault(summary.id, [])
                if not history or history[-1][0] < summary.seq:
                    history.append((summary.seq, at))

    def drawn_at(incident_id: str, seq: int) -> float | None:
        """When the lobby first drew ``incident_id`` at ``seq`` or later (two quick changes: one draw)."""
        return next((at for drawn_seq, at in drawn.get(incident_id, ()) if drawn_seq >= seq), None)

    lobby = Measured(FileStore(folder), "responder0")
    app = WarroomApp(lambda: lobby, themes_dir=folder / "no-themes")
    acked: list[tuple[str, int, float]] = []

    async def drive(pilot) -> None:
        while not lobby.loaded:
            await asyncio.sleep(0.05)
        process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--writer", str(folder), "--incidents", str(incidents),
            "--changes", str(changes), "--interval", str(interval),
            stdout=asyncio.subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        assert process.stdout is not None
        async for line in process.stdout:
            incident_id, seq, at = json.loads(line)
            acked.append((incident_id, seq, at))
        await process.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(drawn_at(i, s) is None for i, s, _ in acked):
            await asyncio.sleep(0.05)
        app.exit()

    await app.run_async(headless=True, size=(140, 45), auto_pilot=drive)
    missing = [(i, s) for i, s, _ in acked if drawn_at(i, s) is None]
    if missing:
        raise RuntimeError(f"{len(missing)} changes never drawn, e.g. {missing[:3]}")
    return [max(drawn_at(i, s) - at, 0.0) * 1000 for i, s, at in acked]  # type: ignore[operator]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--changes", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between the writer's appends")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--writer", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        writer(args.writer, args.incidents, args.changes, args.interval, args.seed)
        return

    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="warroom-lobby-"))
    try:
        first_title = build(folder / "store", args.incidents, rng)
        bare = folder / "bare.py"
        bare.write_text(BARE_APP)
        env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color", COLORTERM="truecolor")
        env["WARROOM_CONFIG_PATH"] = str(folder / "warroom.toml")
        env.pop("TEXTUAL", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed warroom has its bytecode compiled
        lobby_cmd = [sys.executable, "-m", "warroom", "lobby", "--store", str(folder / "store"), "--as", "responder0"]
        bare_cmd = [sys.executable, str(bare)]
        time_to_marker(bare_cmd, ["BARE-READY-MARKER"], env)  # warm the OS file cache for both
        time_to_marker(lobby_cmd, ["warroom lobby", first_title], env)
        firsts, fulls, bares, rss = [], [], [], []
        for _ in range(args.runs):
            (seconds,), _ = time_to_marker(bare_cmd, ["BARE-READY-MARKER"], env)
            bares.append(seconds)
            (first, full), kib = time_to_marker(lobby_cmd, ["warroom lobby", first_title], env)
            firsts.append(first)
            fulls.append(full)
            rss.append(kib)
        runs = lambda times: ", ".join(f"{t:.3f}" for t in times)  # noqa: E731
        print(f"lobby first paint: {runs(firsts)}; full paint: {runs(fulls)}; bare: {runs(bares)}")
        first_s, full_s, bare_s = (statistics.median(t) for t in (firsts, fulls, bares))
        print(f"paint first_paint_s={first_s:.3f} full_paint_s={full_s:.3f} bare_textual_s={bare_s:.3f} rss_mib={max(rss) / 1024:.1f}")

        latencies = asyncio.run(change_latency(folder / "store", args.incidents, args.changes, args.interval))
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        print(f"change changes={len(latencies)} p50_ms={p50:.1f} p99_ms={p99:.1f} max_ms={max(latencies):.1f}")
        print(
            f"incidents={args.incidents} first_paint_s={first_s:.3f} full_paint_s={full_s:.3f} bare_textual_s={bare_s:.3f} "
            f"first_ratio={first_s / bare_s:.2f} full_ratio={full_s / bare_s:.2f} change_p50_ms={p50:.1f} "
            f"change_p99_ms={p99:.1f} change_max_ms={max(latencies):.1f} changes={len(latencies)}"
        )
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
