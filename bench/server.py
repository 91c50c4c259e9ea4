"""Server throughput and fan-out latency: appenders and N SSE subscribers against a real server.

    python bench/server.py --subscribers 1 --seconds 10
    python bench/server.py --subscribers 50 --seconds 10 --rate 100
    python bench/server.py --subscribers 100 --seconds 10 --rate 50

Starts ``warroom serve`` on a free 127.0.0.1 port with a fresh database (default rate
limits unless ``--rate-limit``; tokens made by ``warroom token add``), declares an
incident, connects N SSE subscribers spread over a few processes, waits until every
one is connected, then runs K appender connections for S seconds -- as fast as each
gets its acknowledgement, or paced to ``--rate`` appends/s in total. Appenders use a
lean HTTP/1.1 client (httpx would make this measure the client); subscribers run in
their own processes and read with a minimal SSE reader that takes whatever the socket has and
splits it at once, as the boards' own stream reader (``warroom/store/stream.py``) reads
(``bulk``, the default since 2026-12-07: 5-6 µs of CPU per event); with the same reader taking a
line at a time (``--client lean``, the default before: 7-8 µs, so on 2 cores its processes, not
the server, made the fan-out's tail); or with httpx + httpx-sse (``--client httpx``, the way
boards read before they got their own reader; on a small machine that mostly measures the
subscribers).

Each note carries the moment it was sent (``time.monotonic_ns``: one clock for every
process on the machine); each subscriber notes when the event reached it. Fan-out
latency is arrival minus send, for every (event, subscriber) pair, so it includes
the append's commit and fsync. Appends/s counts acknowledged appends only (acked
after their commit is on disk). Prints one final line:
``appends_per_s=... p50_fanout_ms=... p99_fanout_ms=... server_cpu_ms_per_append=... ...``
(the server process's CPU per acknowledged append: on a shared machine it moves far less
than appends/s does, so compare it between runs). The fan-out is split in two, per event:
``*_ack_ms``, the appender's round trip (send to ack: the append's wait in the server, its
commit and fsync; the hub writes the subscribers before it acks), and ``*_after_ack_ms``,
arrival minus that ack (the subscribers' side: their sockets' backlog and their processes'
turn on the CPU); ``server_cores``, ``subscriber_cores`` and ``appender_cores`` say who had
the machine's CPU while the appenders ran, ``*_waiting_cores`` how long their threads were
ready to run and waiting for a CPU meanwhile (seconds per second: 0.5 is half a thread
starved all the time); ``server_writes_per_append`` counts the server's write calls (each
subscriber is written once per publish, each append acked in one or two). ``--pg-pair`` runs the same clients against
two servers on one PostgreSQL (half the subscribers and appenders on each, so half of all
deliveries cross between the servers) and counts both servers' CPU: the SQLite server and the
PostgreSQL pair then meet the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from httpx_sse import aconnect_sse  # noqa: E402

INCIDENT = "BENCH-1"
STOP = "STOP"


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runqueue_seconds(pid: int) -> float:
    """How long the process's threads have been ready to run and waiting for a CPU (Linux
    ``/proc/PID/task/*/schedstat``, its second field; 0 elsewhere): a process starved of CPU
    waits there, not in its own code."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a thread that has just ended
    return total / 1e9


def write_calls(pid: int) -> int:
    """The write syscalls the process has made so far (Linux ``/proc/PID/io``, ``syscw``; 0 elsewhere)."""
    try:
        for line in open(f"/proc/{pid}/io"):
            if line.startswith("syscw:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# --- subscriber processes ------------------------------------------------------------


async def _open_stream(url: str, token: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """The incident's event stream on a plain connection, its status line read (200 or fail)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(
        f"GET /api/incidents/{INCIDENT}/stream HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\nLast-Event-ID: 1\r\n\r\n".encode()
    )
    status = await reader.readline()
    assert b" 200 " in status, status
    return reader, writer


async def _lean_stream(url: str, token: str, on_connected, on_text) -> None:
    """A minimal SSE reader (one JSON ``data:`` line per message, as the server sends)."""
    reader, writer = await _open_stream(url, token)
    on_connected()
    try:
        while line := await reader.readline():
            if line.startswith(b"data: "):
                arrived = time.monotonic_ns()
                if on_text(json.loads(line[6:])["body"].get("text", ""), arrived):
                    return
    finally:
        writer.close()


async def _bulk_stream(url: str, token: str, on_connected: Callable[[], None], on_text: Callable[[str, int], bool]) -> None:
    """The minimal reader without a ``readline`` per line: whatever the socket has, split at once,
    one arrival time per read (``--client bulk``: about half the lean reader's CPU per event)."""
    reader, writer = await _open_stream(url, token)
    on_connected()
    rest = b""
    try:
        while data := await reader.read(256 * 1024):
            arrived = time.monotonic_ns()
            lines = (rest + data).split(b"\n")
            rest = lines.pop()  # a line the next read completes
            for line in lines:
                if line.startswith(b"data: ") and on_text(json.loads(line[6:])["body"].get("text", ""), arrived):
                    return
    finally:
        writer.close()


async def _httpx_stream(url: str, token: str, on_connected, on_text) -> None:
    """httpx + httpx-sse: a generic client (boards read with ``warroom/store/stream.py`` now)."""
    timeout = httpx.Timeout(10, read=300)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout) as client:
        async with aconnect_sse(client, "GET", f"/api/incidents/{INCIDENT}/stream", headers={"Last-Event-ID": "1"}) as source:
            assert source.response.status_code == 200, source.response.status_code
            on_connected()
            async for message in source.aiter_sse():
                if message.data:
                    arrived = time.monotonic_ns()
                    if on_text(json.loads(message.data)["body"].get("text", ""), arrived):
                        return


async def _subscribe(url: str, token: str, count: int, client: str, conn) -> None:
    sends, arrivals = array("q"), array("q")  # per delivered event: when it was sent, when it arrived
    connected = 0
    all_connected = asyncio.Event()

    def on_connected() -> None:
        nonlocal connected
        connected += 1
        if connected == count:
            all_connected.set()

    def on_text(text: str, arrived: int) -> bool:
        if text == STOP:
            return True
        if text.startswith("t="):
            sends.append(int(text[2:]))
            arrivals.append(arrived)
        return False

    follow = {"lean": _lean_stream, "bulk": _bulk_stream, "httpx": _httpx_stream}[client]
    tasks = [asyncio.create_task(follow(url, token, on_connected, on_text)) for _ in range(count)]
    await asyncio.wait_for(all_connected.wait(), 60)
    conn.send("ready")
    await asyncio.gather(*tasks)
    conn.send((sends, arrivals))


def subscriber_process(url: str, token: str, count: int, client: str, conn) -> None:
    asyncio.run(_subscribe(url, token, count, client, conn))


# --- appenders ----------------------------------------------------------------------------


class _Connection:
    """A lean keep-alive HTTP/1.1 client for the appenders: httpx costs about a millisecond of
    CPU per request, which on a 2-core machine would make the benchmark measure the client."""

    def __init__(self, url: str, token: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.head = f"Host: {parts.netloc}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n".encode()

    async def __aenter__(self) -> _Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.writer.close()

    async def post(self, path: str, payload: dict) -> tuple[int, dict[bytes, bytes], bytes]:
        body = json.dumps(payload).encode()
        self.writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\n" + self.head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        status = int((await self.reader.readline()).split()[1])
        headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return status, headers, await self.reader.readexactly(int(headers.get(b"content-length", b"0")))


async def _appender(
    url: str, token: str, deadline: float, interval: float | None, offset: float, stats: Counter, first_send: list[int], acks: dict[int, int]
) -> None:
    path = f"/api/incidents/{INCIDENT}/events"
    async with _Connection(url, token) as connection:
        next_at = time.monotonic() + offset  # paced appenders take turns instead of firing together
        while time.monotonic() < deadline:
            if interval is not None:
                delay = next_at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)  # pacing, not synchronisation
                next_at += interval
            sent = time.monotonic_ns()
            if not first_send:
                first_send.append(sent)
            status, headers, _ = await connection.post(path, {"body": {"type": "note_added", "text": f"t={sent}"}})
            stats[status] += 1
            if status == 201:
                acks[sent] = time.monotonic_ns()
            if status == 429:
                await asyncio.sleep(float(headers.get(b"retry-after", b"1")))


async def run(args: argparse.Namespace) -> str:
    from tests.server.harness import ServerProcess, cli_env, make_tokens

    workdir = Path(tempfile.mkdtemp(prefix="warroom-bench-server-"))
    cluster = None
    if args.pg_pair:
        from tests.pg import PgCluster

        cluster = PgCluster().start()
        db: Path | str = cluster.url(cluster.create_database(prefix="bench"))
    else:
        db = workdir / "warroom.db"
    env = cli_env(home=workdir)
    writers = [f"bench-w{n}" for n in range(args.appenders)]
    tokens = make_tokens(db, ["bench-lead", "bench-sub", *writers], env=env)
    serve_args = ["--rate-limit", str(args.rate_limit)] if args.rate_limit is not None else []
    # every subscriber reads with the one bench-sub token: lift the per-token stream cap (16) above them
    serve_args += ["--streams-per-token", str(args.subscribers + 16)]
    servers = [ServerProcess(db, args=serve_args, env=env, log=workdir / f"server{n}.log") for n in range(2 if args.pg_pair else 1)]
    server = servers[0]
    procs: list[multiprocessing.Process] = []
    try:
        for each in servers:
            each.start()
        lead = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {tokens['bench-lead']}"}, timeout=30)
        declared = await lead.post("/api/incidents", json={"incident_id": INCIDENT, "title": "bench"})
        assert declared.status_code == 201, declared.text

        ctx = multiprocessing.get_context("spawn")
        pipes = []
        groups = min(args.subscribers, args.subscriber_procs) if args.subscribers else 0
        for n in range(groups):
            count = args.subscribers // groups + (1 if n < args.subscribers % groups else 0)
            parent, child = ctx.Pipe()
            url = servers[n % len(servers)].url  # a pair: half the subscribers on each server
            proc = ctx.Process(target=subscriber_process, args=(url, tokens["bench-sub"], count, args.client, child), daemon=True)
            proc.start()
            procs.append(proc)
            pipes.append(parent)
        for pipe in pipes:
            assert await asyncio.to_thread(pipe.recv) == "ready"

        stats: Counter = Counter()
        first_send: list[int] = []
        acks: dict[int, int] = {}  # each acknowledged append's send (its note's t=) -> when its ack arrived
        interval = args.appenders / args.rate if args.rate else None
        cpu_before = sum(cpu_seconds(each.proc.pid) for each in servers if each.proc is not None)
        clients_before = sum(cpu_seconds(proc.pid) for proc in procs if proc.pid is not None), time.process_time()
        server_pids = [each.proc.pid for each in servers if each.proc is not None]
        subscriber_pids = [proc.pid for proc in procs if proc.pid is not None]
        waited_before = sum(map(runqueue_seconds, server_pids)), sum(map(runqueue_seconds, subscriber_pids))
        writes_before = sum(map(write_calls, server_pids))
        started = time.monotonic()
        deadline = started + args.seconds
        await asyncio.gather(
            *(
                _appender(servers[n % len(servers)].url, tokens[w], deadline, interval, n * (interval or 0) / len(writers), stats, first_send, acks)
                for n, w in enumerate(writers)
            )
        )
        elapsed = time.monotonic() - first_send[0] / 1e9 if first_send else args.seconds
        acked = stats[201]
        server_cpu = sum(cpu_seconds(each.proc.pid) for each in servers if each.proc is not None) - cpu_before
        subscribers_cpu = sum(cpu_seconds(proc.pid) for proc in procs if proc.pid is not None) - clients_before[0]
        appenders_cpu = time.process_time() - clients_before[1]  # this process: the appenders' loop
        server_waited = sum(map(runqueue_seconds, server_pids)) - waited_before[0]
        server_writes = sum(map(write_calls, server_pids)) - writes_before
        subscribers_waited = sum(map(runqueue_seconds, subscriber_pids)) - waited_before[1]
        stop = await lead.post(f"/api/incidents/{INCIDENT}/events", json={"body": {"type": "note_added", "text": STOP}})
        assert stop.status_code == 201, stop.text
        await lead.aclose()

        latencies: list[float] = []  # per delivered event: arrival at the subscriber minus the appender's send
        after_ack: list[float] = []  # ... minus the moment the appender had its ack
        delivered = 0
        for pipe in pipes:
            sends, arrivals = await asyncio.to_thread(pipe.recv)
            delivered += len(sends)
            for sent, arrived in zip(sends, arrivals):
                latencies.append((arrived - sent) / 1e6)
                acked_at = acks.get(sent)
                if acked_at is not None:  # else stored, but its ack was not a 201 (never in a clean run)
                    after_ack.append((arrived - acked_at) / 1e6)
        for proc in procs:
            proc.join(timeout=30)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        for each in servers:
            each.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    expected = acked * args.subscribers
    round_trips = [(acked_at - sent) / 1e6 for sent, acked_at in acks.items()]
    print(
        f"server bench: {args.appenders} appenders, {args.subscribers} {args.client} subscribers in {len(procs)} processes, "
        f"{args.seconds:g} s, rate {'max' if not args.rate else f'{args.rate:g}/s'}; statuses {dict(stats)}; "
        f"delivered {delivered}/{expected}; append ack p50 {percentile(round_trips, 50):.1f} ms p99 {percentile(round_trips, 99):.1f} ms; "
        f"max fan-out {max(latencies, default=float('nan')):.1f} ms; server CPU {server_cpu:.2f} s "
        f"({server_cpu / max(elapsed, 1e-9):.2f} cores), subscribers' processes {subscribers_cpu:.2f} s, appenders {appenders_cpu:.2f} s",
        flush=True,
    )
    return (
        f"appends_per_s={acked / elapsed:.0f} p50_fanout_ms={percentile(latencies, 50):.1f} "
        f"p99_fanout_ms={percentile(latencies, 99):.1f} server_cpu_ms_per_append={1000 * server_cpu / max(acked, 1):.2f} "
        f"p50_ack_ms={percentile(round_trips, 50):.1f} p99_ack_ms={percentile(round_trips, 99):.1f} "
        f"p50_after_ack_ms={percentile(after_ack, 50):.1f} p99_after_ack_ms={percentile(after_ack, 99):.1f} "
        f"server_cores={server_cpu / elapsed:.2f} subscriber_cores={subscribers_cpu / elapsed:.2f} appender_cores={appenders_cpu / elapsed:.2f} "
        f"server_waiting_cores={server_waited / elapsed:.2f} subscriber_waiting_cores={subscribers_waited / elapsed:.2f} "
        f"server_writes_per_append={server_writes / max(acked, 1):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1, help="SSE subscribers (default 1)")
    parser.add_argument("--seconds", type=float, default=10, help="how long to append (default 10)")
    parser.add_argument("--appenders", type=int, default=8, help="appending connections, one token each (default 8)")
    parser.add_argument("--rate", type=float, help="total appends/s to pace at (default: as fast as acknowledged)")
    parser.add_argument("--subscriber-procs", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="processes the subscribers are spread over")
    parser.add_argument("--rate-limit", type=float, help="the server's per-token limit (default: the server's default)")
    parser.add_argument(
        "--client",
        choices=("lean", "bulk", "httpx"),
        default="bulk",
        help="subscribers read whatever the socket has at once, as boards do (bulk, the default), a line at a time "
        "(lean: a third more CPU per event), or with httpx + httpx-sse (a generic client)",
    )
    parser.add_argument(
        "--pg-pair",
        action="store_true",
        help="two servers on one throwaway PostgreSQL (tests/pg.py) instead of one on SQLite: subscribers and appenders "
        "split between them, the CPU of both (the same clients as the SQLite run, so the two compare)",
    )
    args = parser.parse_args()
    print(asyncio.run(run(args)), flush=True)


if __name__ == "__main__":
    main()
