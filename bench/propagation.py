"""Time from an append returning to the event being applied by other followers.

    python bench/propagation.py --backend file --boards 20 --events 200
    python bench/propagation.py --backend http --boards 100 --events 200

Starts N follower processes (each a ``Room`` following the store, as a board does),
waits until all have loaded, appends a warm-up note and waits until every follower has it
(so each stream is open and nothing timed is a connection being made), then appends M notes
at a steady pace from this process.
Each follower records when it applied each event (``time.monotonic()``, which is one
clock for every process on the machine); latency is that minus the moment the append
returned here (negative when a follower applies it before the writer has read the
acknowledgement; ``p99_from_send_ms`` counts from when the append was sent). With ``--backend http`` a real ``warroom serve`` is started on a free
127.0.0.1 port (a token per board, as each responder has one) and stopped at the end. It also
prints the CPU each follower and the server spent per event: a hundred followers on two
cores is a question of CPU first. Prints one final line:
``backend= boards= events= p50_ms= p99_ms= max_ms=``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import cpu_seconds  # noqa: E402
from warroom.store import StoreLocation  # noqa: E402
from warroom.incident import events as ev  # noqa: E402
from warroom.room import Room  # noqa: E402
from warroom.store import open_store  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def follower(location: StoreLocation, handle: str, until_seq: int) -> None:
    """Run as a child process: follow the incident and print when each event was applied."""
    store = open_store(location)
    room = Room(store, "BENCH-1", handle)
    await room.load()
    print("loaded", flush=True)
    applied: dict[int, float] = {}
    cpu_at_first = 0.0  # from the warm-up event on: opening the stream is not a cost per event
    async with contextlib.aclosing(room.follow()) as changes:
        async for change in changes:
            applied[change.event.seq] = time.monotonic()
            if not cpu_at_first:
                cpu_at_first = time.process_time()
                print("ready", flush=True)  # the warm-up came through the open stream
            if change.event.seq >= until_seq:
                break
    cpu_per_event = (time.process_time() - cpu_at_first) / max(1, len(applied) - 1)
    print(json.dumps({"applied": applied, "cpu_per_event_s": cpu_per_event}), flush=True)
    await store.aclose()


def start_server(folder: Path, boards: int) -> tuple[subprocess.Popen, str, dict[str, str]]:
    """Start `warroom serve` on a free port; return it, its URL and a token per handle.

    Each board has its own token, as each responder does: the server caps open streams per
    token (16 by default), so boards sharing one were refused past the 16th and backed off."""
    from tests.server.support import start_server_process  # the same helper the tests use

    return start_server_process(folder, ("writer",), many=[f"board{n}" for n in range(boards)])


async def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    server = None
    tokens: dict[str, str] = {}
    if args.backend == "file":
        location = StoreLocation(folder=workdir)
        child_location = ["--store", str(workdir)]
    else:
        server, url, tokens = start_server(workdir, args.boards)
        location = StoreLocation(url=url, token=tokens["writer"])
        child_location = ["--server", url]
    try:
        store = open_store(location)
        await store.append("BENCH-1", ev.EventDraft(actor="writer", body=ev.IncidentDeclared(incident_id="BENCH-1", title="bench")))
        until = 2 + args.events  # the declaration, the warm-up, then the timed events
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        children = []
        for n in range(args.boards):
            handle = f"board{n}"
            extra = ["--token", tokens[handle]] if tokens else []
            children.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--child", handle, "--until", str(until), *child_location, *extra],
                    stdout=subprocess.PIPE, text=True, env=env,
                )
            )
        async def all_say(word: str) -> None:
            for child in children:
                assert child.stdout is not None
                line = await asyncio.to_thread(child.stdout.readline)
                assert line.strip() == word, line

        await all_say("loaded")
        await store.append("BENCH-1", ev.EventDraft(actor="writer", body=ev.NoteAdded(text="warm-up")))
        await all_say("ready")  # every follower's stream is open: what follows is propagation only
        returned: dict[int, float] = {}
        sent: dict[int, float] = {}
        server_cpu_before = cpu_seconds(server.pid) if server is not None else 0.0
        for n in range(args.events):
            before = time.monotonic()
            stored = await store.append("BENCH-1", ev.EventDraft(actor="writer", body=ev.NoteAdded(text=f"tick {n}")))
            returned[stored.seq] = time.monotonic()
            sent[stored.seq] = before
            await asyncio.sleep(args.interval_ms / 1000)
        latencies, from_send = [], []
        followers_cpu = 0.0
        for child in children:
            out, _ = await asyncio.to_thread(child.communicate, timeout=120)
            reported = json.loads(out.strip().splitlines()[-1])
            applied = {int(k): v for k, v in reported["applied"].items()}
            followers_cpu += reported["cpu_per_event_s"]
            latencies += [(applied[seq] - at) * 1000 for seq, at in returned.items()]
            from_send += [(applied[seq] - at) * 1000 for seq, at in sent.items()]
        server_cpu = cpu_seconds(server.pid) - server_cpu_before if server is not None else 0.0
        every_ms = 1000 * (max(returned.values()) - min(sent.values())) / args.events  # the acks take time too
        await store.aclose()
    finally:
        if server is not None:
            server.kill()
            server.wait()
    print(
        f"{len(latencies)} deliveries to {args.boards} followers; mean {statistics.fmean(latencies):.1f} ms; "
        f"CPU per event: each follower {1000 * followers_cpu / args.boards:.2f} ms, all followers "
        f"{1000 * followers_cpu:.1f} ms, the server {1000 * server_cpu / args.events:.1f} ms "
        f"(an event every {every_ms:.1f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
    )
    print(
        f"backend={args.backend} boards={args.boards} events={args.events} "
        f"p50_ms={percentile(latencies, 50):.1f} p99_ms={percentile(latencies, 99):.1f} max_ms={max(latencies):.1f} "
        f"p99_from_send_ms={percentile(from_send, 99):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("file", "http"), default="file")
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--interval-ms", type=float, default=10, help="pause between appends")
    parser.add_argument("--child", metavar="HANDLE", help=argparse.SUPPRESS)
    parser.add_argument("--until", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--server", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        location = StoreLocation(folder=Path(args.store)) if args.store else StoreLocation(url=args.server, token=args.token)
        asyncio.run(follower(location, args.child, args.until))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
