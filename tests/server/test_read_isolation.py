"""Reads never queue behind or in front of writes: listing thousands of incidents in a
loop (several clients at once) leaves another responder's append latency near its baseline."""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from tests.server.harness import REPO_ROOT, ServerProcess, cli_env, copy_db
from warroom.incident import events as ev

INCIDENTS = 3000
LISTERS = 4
APPENDS = 60

_FLOOD = """
import http.client, sys, threading
host, port, token, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
said = threading.Lock()
def loop():
    conn = http.client.HTTPConnection(host, port, timeout=60)
    while True:
        conn.request("GET", "/api/incidents", headers={"Authorization": "Bearer " + token})
        response = conn.getresponse()
        assert response.status == 200, response.status
        response.read()
        with said:
            print("listed", flush=True)
for _ in range(threads):
    threading.Thread(target=loop, daemon=True).start()
threading.Event().wait()
"""


def _many_incidents(db: Path, count: int) -> None:
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    rows = []
    for n in range(count):
        incident_id = f"INC-{n + 1000}"
        body = ev.IncidentDeclared(incident_id=incident_id, title=f"Incident {n}")
        stored = ev.EventDraft(actor="alice", body=body).stored(seq=1, at=start + timedelta(minutes=n))
        rows.append((incident_id, 1, str(stored.id), stored.at.isoformat(), "alice", body.type, ev.dump_stored(stored)))
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def _append_p50_ms(client: httpx.Client, count: int) -> float:
    times = []
    for n in range(count):
        started = time.perf_counter()
        response = client.post("/api/incidents/INC-W/events", json={"body": {"type": "note_added", "text": f"n{n}"}})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201
    return statistics.median(times)


def test_list_floods_do_not_slow_other_responders_appends(tmp_path: Path, server_template: tuple[Path, dict[str, str]], tokens):
    db = copy_db(server_template[0], tmp_path / "warroom.db")
    _many_incidents(db, INCIDENTS)
    server = ServerProcess(db, args=["--rate-limit", "0"], env=cli_env(home=tmp_path))
    flood = None
    try:
        server.start()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens['bob']}"}, timeout=60) as bob:
            assert bob.post("/api/incidents", json={"incident_id": "INC-W", "title": "Writes"}).status_code == 201
            assert len(bob.get("/api/incidents").json()) == INCIDENTS + 1  # warm: every incident folded once
            _append_p50_ms(bob, 10)
            baseline = _append_p50_ms(bob, APPENDS)
            host, port = server.url.removeprefix("http://").split(":")
            flood = subprocess.Popen(
                [sys.executable, "-c", _FLOOD, host, port, tokens["carol"], str(LISTERS)],
                stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
            )
            assert flood.stdout is not None
            for _ in range(LISTERS):  # every lister is looping
                assert flood.stdout.readline().strip() == "listed"
            flooded = _append_p50_ms(bob, APPENDS)
        print(f"\nappend p50: {baseline:.1f} ms alone, {flooded:.1f} ms while {LISTERS} clients list {INCIDENTS} incidents in a loop")
        assert flooded < max(10 * baseline, baseline + 100)  # on a 2-core machine the listers' CPU is felt (main: 40x)
    finally:
        if flood is not None:
            flood.kill()
            flood.wait()
        server.stop()
