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
  ``--seconds``; appends/s, and every subscriber must have received every event; the CPU
  each part used per append (both servers, PostgreSQL's processes, the subscriber
  processes, the appending process), which says where a 2-core machine runs out.
- failover: a client given both URLs appends continuously; the server it talks to is
  killed (SIGKILL) and restarted, ``--rounds`` times; the time from the last ack by
  the killed server to the first ack by the other one, p50/p99/max.

Each board has its own token, as each responder does: the server caps open streams
per token (16 by default), so a hundred boards sharing one token were refused past
the cap and retried for ever -- the run never ended. Nothing here waits without a
bound: every wait has a deadline (``--timeout`` for the whole run, the subscribers'
own deadline, the "ready" line), and a run that misses one prints
``error=...`` and exits non-zero, never hangs.

Prints one final ``key=value`` line per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import cpu_seconds  # noqa: E402
from tests.pg import PgCluster  # noqa: E402
from tests.server.harness import ServerProcess, cli_env, make_tokens  # noqa: E402
from warroom.incident import events as ev  # noqa: E402
from warroom.db.pgtokens import PgTokenBook  # noqa: E402
from warroom.store.http import HttpStore  # noqa: E402

INCIDENT = "BENCH-PG"
END = "__end__"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def _subscribe(urls: list[str], tokens: list[str], until: int, deadline: float) -> None:
    """Child process: one stream per URL (each with its own token); prints "ready", then
    {seq: [arrival, ...]} -- what it has by ``deadline`` seconds, if not everything."""
    arrivals: dict[int, list[float]] = {}
    ready = asyncio.Semaphore(0)

    async def one(url: str, token: str) -> None:
        async with HttpStore(url, token=token) as store:
            stream = store.follow(INCIDENT)
            first = await anext(stream)  # the declaration: connected and caught up
            assert first.seq == 1
            ready.release()
            async for event in stream:
                arrivals.setdefault(event.seq, []).append(time.monotonic())
                if event.seq >= until or getattr(event.body, "text", None) == END:
                    return

    async def everything() -> None:
        tasks = [asyncio.create_task(one(url, token)) for url, token in zip(urls, tokens, strict=True)]
        for _ in urls:
            await ready.acquire()
        print("ready", flush=True)
        await asyncio.gather(*tasks)

    try:
        await asyncio.wait_for(everything(), deadline)
    except TimeoutError:
        pass  # the parent sees what is missing
    print(json.dumps(arrivals), flush=True)


class Setup:
    def __init__(self, folder: Path, boards: int, deadline: float):
        self.deadline = deadline  # monotonic time by which everything must be over
        self.children: list[subprocess.Popen] = []
        self.servers: list[ServerProcess] = []
        self.cluster = PgCluster().start()
        self.db = self.cluster.url(self.cluster.create_database(prefix="bench"))
        self.tokens = make_tokens(self.db, [f"w{n}" for n in range(8)], env=cli_env(home=folder))
        book = PgTokenBook(self.db)  # a token per board, as each responder has one (in-process: quick)
        try:
            self.board_tokens = [book.add(f"board{n}")[1] for n in range(boards)]
        finally:
            book.close()
        self.servers = [
            ServerProcess(self.db, args=["--rate-limit", "0"], log=folder / f"server{n}.log", env=cli_env(home=folder)) for n in range(2)
        ]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(ServerProcess.start, self.servers))

    def left(self) -> float:
        return max(1.0, self.deadline - time.monotonic())

    def kill_children(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=30)

    def close(self) -> None:
        self.kill_children()
        for server in self.servers:
            server.stop()
        self.cluster.stop()

    async def declare(self) -> None:
        async with HttpStore(self.servers[0].url, token=self.tokens["w0"]) as store:
            await store.append(INCIDENT, ev.EventDraft(actor="w0", body=ev.IncidentDeclared(incident_id=INCIDENT, title="bench")))

    async def subscribers(self, count: int, procs: int, until: int) -> list[subprocess.Popen]:
        urls = [self.servers[n % 2].url for n in range(count)]
        tokens = self.board_tokens[:count]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        for p in range(procs):
            if urls[p::procs]:
                self.children.append(
                    subprocess.Popen(
                        [
                            sys.executable, __file__, "child", "--urls", ",".join(urls[p::procs]), "--tokens", ",".join(tokens[p::procs]),
                            "--until", str(until), "--deadline", f"{self.left():.0f}",
                        ],
                        stdout=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL,
                    )
                )
        for child in self.children:
            assert child.stdout is not None
            line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), self.left())
            if line.strip() != "ready":
                raise Stuck(f"a subscriber process was not ready ({line.strip()[:80] or 'it exited'})")
        return self.children


class Stuck(Exception):
    """A run that cannot finish as asked: reported on the result line, never a hang."""


async def _collect(setup: Setup, children: list[subprocess.Popen]) -> dict[int, list[float]]:
    merged: dict[int, list[float]] = {}
    for child in children:
        out, _ = await asyncio.to_thread(child.communicate, timeout=setup.left())
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
    arrivals = await _collect(setup, children)
    latencies = [(t - returned[seq]) * 1000 for seq, times in arrivals.items() if seq in returned for t in times]
    if len(latencies) != args.boards * args.events:
        raise Stuck(f"only {len(latencies)} of {args.boards * args.events} deliveries arrived in time")
    return (
        f"mode=propagation boards={args.boards} servers=2 events={args.events} p50_ms={percentile(latencies, 50):.1f} "
        f"p99_ms={percentile(latencies, 99):.1f} max_ms={max(latencies):.1f}"
    )


def _postgres_pids(cluster: PgCluster) -> list[int]:
    """The cluster's postmaster and its children (backends, WAL writer, ...), from /proc."""
    try:
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[1]) == postmaster:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def _cpu_by_part(setup: Setup, children: list[subprocess.Popen]) -> dict[str, float]:
    """CPU seconds used so far by each part of the run (PostgreSQL: processes alive now)."""
    own = os.times()
    return {
        "servers": sum(cpu_seconds(server.proc.pid) for server in setup.servers if server.proc is not None),
        "postgres": sum(cpu_seconds(pid) for pid in _postgres_pids(setup.cluster)),
        "subscribers": sum(cpu_seconds(child.pid) for child in children),
        "appenders": own.user + own.system,
    }


async def throughput(setup: Setup, args: argparse.Namespace) -> str:
    await setup.declare()
    children = await setup.subscribers(args.subscribers, args.procs, until=10**12)  # they stop at END
    acked = [0]
    cpu_before = _cpu_by_part(setup, children)
    started = time.monotonic()
    stop = started + args.seconds

    async def appender(n: int) -> None:
        async with HttpStore(setup.servers[n % 2].url, token=setup.tokens[f"w{n}"]) as store:
            while time.monotonic() < stop:
                await store.append(INCIDENT, ev.EventDraft(actor=f"w{n}", body=ev.NoteAdded(text="x")))
                acked[0] += 1

    await asyncio.gather(*(appender(n) for n in range(args.appenders)))
    elapsed = time.monotonic() - started
    cpu = {part: used - cpu_before[part] for part, used in _cpu_by_part(setup, children).items()}
    async with HttpStore(setup.servers[1].url, token=setup.tokens["w1"]) as store:
        end = await store.append(INCIDENT, ev.EventDraft(actor="w1", body=ev.NoteAdded(text=END)))
        ended = time.monotonic()
    arrivals = await _collect(setup, children)
    complete = all(len(arrivals.get(seq, [])) == args.subscribers for seq in range(2, end.seq + 1))
    drain = max(arrivals.get(end.seq, [ended])) - ended
    return (
        f"mode=throughput subscribers={args.subscribers} servers=2 appenders={args.appenders} seconds={elapsed:.1f} "
        f"appends={acked[0]} appends_per_s={acked[0] / elapsed:.0f} every_subscriber_got_every_event={complete} "
        f"last_event_reached_all_after_ms={drain * 1000:.0f} "
        + " ".join(f"cpu_ms_per_append_{part}={1000 * used / max(acked[0], 1):.2f}" for part, used in cpu.items())
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
    parser.add_argument("--timeout", type=float, default=600, help="the whole run ends within this many seconds (default 600)")
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)
    parser.add_argument("--until", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--deadline", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "child":
        asyncio.run(_subscribe(args.urls.split(","), args.tokens.split(","), args.until, args.deadline))
        return
    sys.exit(run_bounded(args))


def run_bounded(args: argparse.Namespace) -> int:
    """Run one mode; whatever happens, print one line and return within ``--timeout`` (plus clean-up)."""
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="warroom-bench-pg-"))
    setup = None
    try:
        setup = Setup(folder, max(args.boards, args.subscribers), started + args.timeout)
        _watchdog(args.timeout + 90, setup)  # even a clean-up that hangs cannot keep the bench alive
        run = {"propagation": propagation, "throughput": throughput, "failover": failover}[args.mode]
        print(asyncio.run(_bounded(setup, run(setup, args))), flush=True)
        return 0
    except (TimeoutError, subprocess.TimeoutExpired):
        print(f"mode={args.mode} error=timeout: not done after {time.monotonic() - started:.0f} s (--timeout {args.timeout:.0f})", flush=True)
    except Stuck as error:
        print(f"mode={args.mode} error={error}", flush=True)
    finally:
        if setup is not None:
            setup.close()
    return 1


async def _bounded(setup: Setup, run) -> str:  # noqa: ANN001 - a coroutine
    try:
        return await asyncio.wait_for(run, setup.left())
    finally:
        setup.kill_children()  # threads still reading their pipes see the end now, so asyncio.run can return


def _watchdog(seconds: float, setup: Setup) -> None:
    def expire() -> None:
        print(f"error=watchdog: the bench was still running after {seconds:.0f} s; killed", flush=True)
        for proc in [*setup.children, *(server.proc for server in setup.servers)]:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        setup.cluster.stop()
        os._exit(2)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


if __name__ == "__main__":
    main()
