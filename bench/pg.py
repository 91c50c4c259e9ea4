"""Two ``warroom serve`` processes on one PostgreSQL: propagation, throughput, failover.

    python bench/pg.py propagation --boards 100 --events 200
    python bench/pg.py throughput --subscribers 100 --seconds 10
    python bench/pg.py failover --rounds 20

Starts a throwaway PostgreSQL cluster (tests/pg.py: Debian's binaries, fsync on) and
two servers on one database. Subscribers are real ``HttpStore.follow`` streams, spread
over a few child processes and split evenly between the two servers; appends
alternate between the servers, so half of all deliveries cross from one server to the
other through NOTIFY/LISTEN.

- propagation: time from an append returning to each subscriber having it
  (``time.monotonic()`` is one clock for every process on the machine); p50/p99/max.
- throughput: appenders over both servers as fast as they are acknowledged for
  ``--seconds``; appends/s, and every subscriber must have received every event.
- failover: a client given both URLs appends continuously; the server it talks to is
  killed (SIGKILL) and restarted, ``--rounds`` times; the time from the last ack by
  the killed server to the first ack by the other one, p50/p99/max.

Prints one final ``key=value`` line per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg import PgCluster  # noqa: E402
from tests.server.harness import ServerProcess, cli_env, make_tokens  # noqa: E402
from warroom.incident import events as ev  # noqa: E402
from warroom.store.http import HttpStore  # noqa: E402

INCIDENT = "BENCH-PG"
END = "__end__"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def _subscribe(urls: list[str], token: str, until: int) -> None:
    """Child process: one stream per URL in ``urls``; prints "ready", then {seq: [arrival, ...]}."""
    arrivals: dict[int, list[float]] = {}
    ready = asyncio.Semaphore(0)

    async def one(url: str) -> None:
        async with HttpStore(url, token=token) as store:
            stream = store.follow(INCIDENT)
            first = await anext(stream)  # the declaration: connected and caught up
            assert first.seq == 1
            ready.release()
            async for event in stream:
                arrivals.setdefault(event.seq, []).append(time.monotonic())
                if event.seq >= until or getattr(event.body, "text", None) == END:
                    return

    tasks = [asyncio.create_task(one(url)) for url in urls]
    for _ in urls:
        await ready.acquire()
    print("ready", flush=True)
    await asyncio.gather(*tasks)
    print(json.dumps(arrivals), flush=True)


class Setup:
    def __init__(self, folder: Path):
        self.cluster = PgCluster().start()
        self.db = self.cluster.url(self.cluster.create_database(prefix="bench"))
        handles = [f"w{n}" for n in range(8)] + ["reader"]
        self.tokens = make_tokens(self.db, handles, env=cli_env(home=folder))
        self.servers = [
            ServerProcess(self.db, args=["--rate-limit", "0"], log=folder / f"server{n}.log", env=cli_env(home=folder)) for n in range(2)
        ]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(ServerProcess.start, self.servers))

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.cluster.stop()

    async def declare(self) -> None:
        async with HttpStore(self.servers[0].url, token=self.tokens["w0"]) as store:
            await store.append(INCIDENT, ev.EventDraft(actor="w0", body=ev.IncidentDeclared(incident_id=INCIDENT, title="bench")))

    async def subscribers(self, count: int, procs: int, until: int) -> list[subprocess.Popen]:
        urls = [self.servers[n % 2].url for n in range(count)]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        children = []
        for p in range(procs):
            mine = urls[p::procs]
            if mine:
                children.append(
                    subprocess.Popen(
                        [sys.executable, __file__, "child", "--urls", ",".join(mine), "--token", self.tokens["reader"], "--until", str(until)],
                        stdout=subprocess.PIPE, text=True, env=env,
                    )
                )
        for child in children:
            assert child.stdout is not None
            line = await asyncio.to_thread(child.stdout.readline)
            assert line.strip() == "ready", line
        return children


async def _collect(children: list[subprocess.Popen]) -> dict[int, list[float]]:
    merged: dict[int, list[float]] = {}
    for child in children:
        out, _ = await asyncio.to_thread(child.communicate, timeout=600)
        for seq, times in json.loads(out.strip().splitlines()[-1]).items():
            merged.setdefault(int(seq), []).extend(times)
    return merged


async def propagation(setup: Setup, args: argparse.Namespace) -> str:
    await setup.declare()
    until = 1 + args.events
    children = await setup.subscribers(args.boards, args.procs, until)
    stores = [HttpStore(server.url, token=setup.tokens[f"w{n}"]) for n, server in enumerate(setup.servers)]
    returned: dict[int, float] = {}
    for n in range(args.events):
        store = stores[n % 2]
        stored = await store.append(INCIDENT, ev.EventDraft(actor=f"w{n % 2}", body=ev.NoteAdded(text=f"tick {n}")))
        returned[stored.seq] = time.monotonic()
        await asyncio.sleep(args.interval_ms / 1000)
    for store in stores:
        await store.aclose()
    arrivals = await _collect(children)
    latencies = [(t - returned[seq]) * 1000 for seq, times in arrivals.items() if seq in returned for t in times]
    assert len(latencies) == args.boards * args.events, (len(latencies), args.boards * args.events)
    return (
        f"mode=propagation boards={args.boards} servers=2 events={args.events} p50_ms={percentile(latencies, 50):.1f} "
        f"p99_ms={percentile(latencies, 99):.1f} max_ms={max(latencies):.1f}"
    )


async def throughput(setup: Setup, args: argparse.Namespace) -> str:
    await setup.declare()
    children = await setup.subscribers(args.subscribers, args.procs, until=10**12)  # they stop at END
    acked = [0]
    started = time.monotonic()
    stop = started + args.seconds

    async def appender(n: int) -> None:
        async with HttpStore(setup.servers[n % 2].url, token=setup.tokens[f"w{n}"]) as store:
            while time.monotonic() < stop:
                await store.append(INCIDENT, ev.EventDraft(actor=f"w{n}", body=ev.NoteAdded(text="x")))
                acked[0] += 1

    await asyncio.gather(*(appender(n) for n in range(args.appenders)))
    elapsed = time.monotonic() - started
    async with HttpStore(setup.servers[1].url, token=setup.tokens["w1"]) as store:
        end = await store.append(INCIDENT, ev.EventDraft(actor="w1", body=ev.NoteAdded(text=END)))
        ended = time.monotonic()
    arrivals = await _collect(children)
    complete = all(len(arrivals.get(seq, [])) == args.subscribers for seq in range(2, end.seq + 1))
    drain = max(arrivals.get(end.seq, [ended])) - ended
    return (
        f"mode=throughput subscribers={args.subscribers} servers=2 appenders={args.appenders} seconds={elapsed:.1f} "
        f"appends={acked[0]} appends_per_s={acked[0] / elapsed:.0f} every_subscriber_got_every_event={complete} "
        f"last_event_reached_all_after_ms={drain * 1000:.0f}"
    )


async def failover(setup: Setup, args: argparse.Namespace) -> str:
    await setup.declare()
    a, b = setup.servers
    gaps: list[float] = []
    async with HttpStore(f"{a.url},{b.url}", token=setup.tokens["w0"], retries=50, backoff_max=0.05) as store:
        for _ in range(args.rounds):
            victim = a if store.url == a.url else b
            last_ack = 0.0
            killed = False
            kill_at = time.monotonic() + 0.3
            while True:
                await store.append(INCIDENT, ev.EventDraft(actor="w0", body=ev.NoteAdded(text="f")))
                now = time.monotonic()
                if killed:
                    assert store.url != victim.url
                    gaps.append(now - last_ack)
                    break
                last_ack = now
                if now >= kill_at:
                    await asyncio.to_thread(victim.kill)
                    killed = True
            await asyncio.to_thread(victim.start, 120.0)  # a loaded machine boots slowly
    ms = [g * 1000 for g in gaps]
    return f"mode=failover rounds={len(ms)} p50_ms={percentile(ms, 50):.0f} p99_ms={percentile(ms, 99):.0f} max_ms={max(ms):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("propagation", "throughput", "failover", "child"))
    parser.add_argument("--boards", type=int, default=100)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--interval-ms", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--appenders", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--procs", type=int, default=4, help="processes the subscribers are spread over")
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--until", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "child":
        asyncio.run(_subscribe(args.urls.split(","), args.token, args.until))
        return
    folder = Path(tempfile.mkdtemp(prefix="warroom-bench-pg-"))
    setup = Setup(folder)
    try:
        run = {"propagation": propagation, "throughput": throughput, "failover": failover}[args.mode]
        print(asyncio.run(run(setup, args)), flush=True)
    finally:
        setup.close()


if __name__ == "__main__":
    main()
