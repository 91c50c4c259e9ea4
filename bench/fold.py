"""How fast the fold turns a log into state: ``python bench/fold.py --events 100000``.

Builds a realistic log in memory (declare, responders joining, workstreams opened,
claimed, handed off, status changes, notes, broadcasts, breaks), then times folding it
and, separately, parsing it from JSON lines: line by line, each event dropped at once
(``parse_events_per_s``), and as a store reads a log, every event kept
(``parse_log_events_per_s``); the median of --repeat runs each.
Times are this process's CPU seconds (``time.process_time``): on a shared machine the wall
clock also counts whatever else ran. It counts the full garbage collections that landed in
the timed folds: one walks every object in memory (the 100,000 events here), and whether
one landed in the middle run decided the median before the fold kept the collector out.
Prints one final line: ``events= events_per_s= parse_events_per_s= parse_log_events_per_s= full_collections= peak_mib=``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.incident import events as ev  # noqa: E402
from warroom.incident import IncidentState, apply, check, fold  # noqa: E402

HANDLES = [f"responder{n}" for n in range(12)]


def realistic_log(count: int) -> list[ev.StoredEvent]:
    """A plausible incident of ``count`` events: mostly notes and workstream traffic."""
    start = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    bodies: list[tuple[str, ev.Body]] = [("responder0", ev.IncidentDeclared(incident_id="INC-1", title="Objects expiring", severity=1))]
    bodies += [(h, ev.ResponderJoined()) for h in HANDLES[1:]]
    n = 0
    while len(bodies) < count:
        n += 1
        who = HANDLES[n % len(HANDLES)]
        other = HANDLES[(n + 1) % len(HANDLES)]
        ws = f"WS-{(n % 40) + 1}"
        phase = n % 10
        if n <= 40:
            bodies.append((who, ev.WorkstreamOpened(title=f"Workstream {n}")))
        elif phase == 0:
            bodies.append((who, ev.WorkstreamClaimed(workstream=ws)))
        elif phase == 1:
            bodies.append((who, ev.HandoffOffered(workstream=ws, to=other, note="state of play")))
        elif phase == 2:
            bodies.append((other, ev.HandoffAccepted(workstream=ws)))
        elif phase == 3:
            bodies.append((other, ev.WorkstreamStatusSet(workstream=ws, status="blocked", note="waiting")))
        elif phase == 4:
            bodies.append(("responder0", ev.BroadcastSent(text=f"update {n}", audience="stakeholders")))
        elif phase == 5:
            bodies.append((other, ev.WorkstreamReleased(workstream=ws)))
        else:
            bodies.append((who, ev.NoteAdded(text=f"observation {n}: p99 latency back to normal in eu-west-1")))
    # Keep the log realistic: an action the rules would refuse becomes a note instead.
    state = IncidentState()
    events = []
    for i, (actor, body) in enumerate(bodies[:count], start=1):
        if check(state, actor, body) is not None:
            body = ev.NoteAdded(text=f"observation {i}: error rate falling")
        event = ev.StoredEvent(seq=i, id=uuid.uuid4(), at=start + timedelta(seconds=i), actor=actor, body=body)
        apply(state, event)
        events.append(event)
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    events = realistic_log(args.events)
    full_collections = 0
    timing = False

    def count_full_collections(phase: str, info: dict) -> None:
        nonlocal full_collections
        full_collections += timing and phase == "start" and info["generation"] == 2

    gc.callbacks.append(count_full_collections)
    timings = []
    for _ in range(args.repeat):
        timing = True
        started = time.process_time()
        state = fold(events)
        timings.append(time.process_time() - started)
        timing = False
    rejected = sum(1 for e in state.timeline if e.rejected)

    lines = [ev.dump_stored(e) for e in events]
    parse_timings = []
    for _ in range(args.repeat):
        started = time.process_time()
        for line in lines:
            ev.parse_stored(line)
        parse_timings.append(time.process_time() - started)
    parse_s = statistics.median(parse_timings)

    # As a store reads a log: every line's event kept, in one list (``parse_stored_lines``, the
    # collector out). Dearer per line than the loop above, whose events die at once and leave
    # their memory to the next: here 100,000 events are made to stay.
    raw_lines = [line.encode() for line in lines]
    log_timings = []
    for _ in range(args.repeat):
        started = time.process_time()
        parsed = ev.parse_stored_lines(raw_lines)
        log_timings.append(time.process_time() - started)
        del parsed
    parse_log_s = statistics.median(log_timings)

    tracemalloc.start()
    fold(events)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    fold_s = statistics.median(timings)
    print(f"folded {len(events)} events ({rejected} refused by the rules) in {fold_s:.3f}s CPU (median of {args.repeat})")
    print(
        f"events={len(events)} events_per_s={len(events) / fold_s:.0f} "
        f"parse_events_per_s={len(events) / parse_s:.0f} parse_log_events_per_s={len(events) / parse_log_s:.0f} "
        f"full_collections={full_collections} peak_mib={peak / 2**20:.1f}"
    )


if __name__ == "__main__":
    main()
