"""The PostgreSQL log's threads in-process: two servers' logs on one database, CPU per append.

    python bench/pg_writer.py --appends 4000 --clients 8 --rounds 3

Starts a throwaway PostgreSQL cluster (``tests/pg.py``), two ``PgEventLog`` (as two servers
would have) on one database, declares one incident and has ``--clients`` clients append notes
to it, each alternating between the two logs, every one waiting for its acknowledgement. No
HTTP, no hub, no subscribers: what is left is the append transaction. Prints per round the
appends/s and, per append, the CPU of the two writer threads, the event loop's thread (which
also reads both LISTEN connections), the listeners' read threads (rows a notification did not
carry), and the cluster's processes (``/proc``, clock ticks: compare runs of a
few thousand appends, not single ones).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pg import PgCluster  # noqa: E402
from warroom.incident import events as ev  # noqa: E402
from warroom.server.pg import PgEventLog  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _ticks(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def thread_cpu(tid: int) -> float:
    with open(f"/proc/self/task/{tid}/stat") as f:
        return _ticks(f.read())


def cluster_cpu(postmaster: str) -> float:
    """CPU of the cluster's postmaster and its children (the backends)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if pid == postmaster or stat.rsplit(")", 1)[1].split()[1] == postmaster:
            total += _ticks(stat)
    return total


async def one_round(cluster: PgCluster, postmaster: str, appends: int, clients: int) -> str:
    url = cluster.url(cluster.create_database(prefix="writer"))
    logs = [PgEventLog(url, on_commit=lambda committed: None) for _ in range(2)]
    loop = asyncio.get_running_loop()
    for log in logs:
        log.start(loop)
    try:
        for log in logs:
            assert await asyncio.to_thread(log.listening.wait, 15)
        await logs[0].append("INC-1", ev.EventDraft(actor="bench", body=ev.IncidentDeclared(incident_id="INC-1", title="bench")))
        await logs[1].append("INC-1", ev.EventDraft(actor="bench", body=ev.NoteAdded(text="warm")))
        writers = [log._thread.native_id for log in logs if log._thread is not None and log._thread.native_id]
        readers = [thread.native_id for thread in threading.enumerate() if thread.name.startswith("warroom-pg-listen") and thread.native_id]
        before = (sum(map(thread_cpu, writers)), sum(map(thread_cpu, readers)), time.thread_time(), cluster_cpu(postmaster))
        started = time.perf_counter()

        async def client(n: int) -> None:
            for k in range(appends // clients):
                await logs[(n + k) % 2].append("INC-1", ev.EventDraft(actor="bench", body=ev.NoteAdded(text=f"note {n}.{k}")))

        await asyncio.gather(*(client(n) for n in range(clients)))
        wall = time.perf_counter() - started
        after = (sum(map(thread_cpu, writers)), sum(map(thread_cpu, readers)), time.thread_time(), cluster_cpu(postmaster))
    finally:
        for log in logs:
            log.close()
    done = clients * (appends // clients)
    writer, reader, event_loop, postgres = (1e6 * (a - b) / done for a, b in zip(after, before, strict=True))
    return (
        f"{done} appends, {done / wall:.0f}/s; CPU per append: writers {writer:.0f} µs, event loop (with the listeners) "
        f"{event_loop:.0f} µs, listeners' read threads {reader:.0f} µs, PostgreSQL {postgres:.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cluster = PgCluster().start()
    try:
        postmaster = (cluster.data / "postmaster.pid").read_text().split()[0]
        for _ in range(args.rounds):
            print(asyncio.run(one_round(cluster, postmaster, args.appends, args.clients)), flush=True)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
