"""How long exporting a big incident takes: fold + every export format for 10,000 events.

Builds a realistic log through the domain (rules checked for every event, so the log is
one a store would have accepted): 25 responders joining, taking breaks and going off
shift, 80 workstreams claimed, handed off with notes and moved through their statuses,
command handed over, broadcasts to responders and stakeholders, action items, status
to resolved and the close. Then times a fresh fold and ``export_incident`` (Markdown,
JSON, CSV and the HTML page written to a temporary folder), best of ``--repeat`` runs.

    python bench/export.py [--events 10000] [--repeat 3]

The last line is ``key=value`` pairs for scripts.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.export import export_incident  # noqa: E402
from warroom.incident import EventDraft, IncidentState, StoredEvent, apply, check, fold  # noqa: E402
from warroom.incident import events as ev  # noqa: E402

START = datetime(2026, 3, 14, 9, 0, tzinfo=timezone.utc)
WORDS = "rollback canary error rate latency p99 shard replica failover cache warmup deploy lock queue backlog".split()


def build_log(target: int, seed: int = 42) -> list[StoredEvent]:
    rng = random.Random(seed)
    state = IncidentState()
    events: list[StoredEvent] = []
    clock = START

    def add(actor: str, body: ev.Body) -> bool:
        nonlocal clock
        if check(state, actor, body) is not None:
            return False
        clock += timedelta(seconds=rng.randint(1, 20))
        event = EventDraft(id=UUID(int=len(events) + 1), actor=actor, body=body).stored(seq=len(events) + 1, at=clock)
        apply(state, event)
        events.append(event)
        return True

    def sentence(n: int = 8) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    handles = [f"r{i:02d}" for i in range(1, 26)]
    add("r01", ev.IncidentDeclared(incident_id="INC-10000", title="Big one: payments degraded in every region", severity=2))
    for handle in handles[1:]:
        add(handle, ev.ResponderJoined())
    for i in range(80):
        add(state.commander or "r01", ev.WorkstreamOpened(title=f"Workstream {i + 1}: {sentence(4)}"))
    add("r01", ev.SeverityChanged(severity=1))

    closing = target - 8
    while len(events) < closing:
        commander = state.commander or "r01"
        on = [r.handle for r in state.on_shift()]
        who = rng.choice(on)
        ws = state.workstreams[f"WS-{rng.randint(1, 80)}"]
        roll = rng.random()
        if roll < 0.35:
            add(who, ev.NoteAdded(text=sentence(rng.randint(5, 30)), star=rng.random() < 0.02))
        elif roll < 0.50:
            if ws.owner is None and ws.status != "done":
                add(who, ev.WorkstreamClaimed(workstream=ws.id))
            elif ws.owner and ws.owner in on:
                add(ws.owner, ev.WorkstreamStatusSet(workstream=ws.id, status=rng.choice(["active", "blocked"]), note=sentence(6)))
        elif roll < 0.62:
            if ws.owner and ws.owner in on and who != ws.owner and add(
                ws.owner, ev.HandoffOffered(workstream=ws.id, to=who, note=f"Tried: {sentence(10)}\nNext: {sentence(8)}")
            ):
                if rng.random() < 0.85:
                    add(who, ev.HandoffAccepted(workstream=ws.id))
                else:
                    add(who, ev.HandoffDeclined(workstream=ws.id))
        elif roll < 0.66:
            if ws.owner and ws.owner in on:
                add(ws.owner, ev.WorkstreamReleased(workstream=ws.id))
        elif roll < 0.74:
            audience = "stakeholders" if rng.random() < 0.4 else "responders"
            add(commander, ev.BroadcastSent(text=sentence(15), audience=audience))
        elif roll < 0.80:
            responder = state.responders[who]
            if not state.owned_by(who) and who != commander:
                if rng.random() < 0.2:
                    add(who, ev.ShiftChanged(shift="off"))
                else:
                    add(who, ev.ShiftChanged(shift="break", minutes=rng.randint(5, 30)))
            elif responder.shift != "on":
                add(who, ev.ShiftChanged(shift="on"))
        elif roll < 0.86:
            away = [r.handle for r in state.responders.values() if r.shift != "on"]
            if away:
                add(rng.choice(away), ev.ShiftChanged(shift="on"))
        elif roll < 0.88:
            if who != commander and add(commander, ev.CommandHandoverOffered(to=who, note=sentence(12))):
                add(who, ev.CommandHandoverAccepted())
        elif roll < 0.90:
            add(who, ev.ActionItemAdded(text=sentence(8), owner=rng.choice(handles), kind=rng.choice(ev.ACTION_KINDS)))
        elif roll < 0.91:
            add(commander, ev.UpdateSnoozed(minutes=10))
        else:
            add(who, ev.NoteAdded(text=sentence(12)))

    closing = 4  # three status changes and the close
    on_shift = [r.handle for r in state.responders.values() if r.shift == "on"]
    while len(events) < target - closing:  # notes before the close: a closed incident takes none
        add(rng.choice(on_shift), ev.NoteAdded(text=sentence(10)))
    commander = state.commander or "r01"
    for status in ("identified", "mitigated", "resolved"):
        add(commander, ev.StatusChanged(status=status))
    add(commander, ev.IncidentClosed(summary=sentence(40)))
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    events = build_log(args.events)
    build_s = time.perf_counter() - started

    fold_s = export_s = float("inf")
    sizes: dict[str, int] = {}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        state = fold(events)
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            paths = export_incident(state, events, Path(folder))
            t2 = time.perf_counter()
            sizes = {p.suffix.lstrip("."): p.stat().st_size for p in paths}
        fold_s = min(fold_s, t1 - t0)
        export_s = min(export_s, t2 - t1)

    print(
        f"built {len(events)} events in {build_s:.2f}s: {len(state.workstreams)} workstreams, "
        f"{len(state.responders)} responders, {len(state.command_spans)} commanders, "
        f"{sum(len(ws.owners) for ws in state.workstreams.values())} ownership spans, "
        f"{len(state.broadcasts)} broadcasts, {len(state.action_items)} action items; closed={state.closed}"
    )
    print("files: " + ", ".join(f"{kind} {size / 1e6:.1f} MB" for kind, size in sizes.items()))
    print(f"events={len(events)} fold_s={fold_s:.3f} export_s={export_s:.3f} total_s={fold_s + export_s:.3f}")


if __name__ == "__main__":
    main()
