"""Streams that never read cannot grow the server: each token holds a bounded number of
streams (429 past it, saying why), a stream writes small pages only when its socket has
drained, and a connection that stays unwritable is ended."""

from __future__ import annotations

import socket
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from tests.server.harness import ServerProcess, cli_env, copy_db, healthz_ms
from warroom.incident import events as ev

STREAMS = 150
NOTES = 1500  # x 4 KB: 6 MB of backlog each stream is asked for, more than the kernel buffers hold


def _incident_with_big_notes(db: Path, incident_id: str, notes: int) -> None:
    """Write the incident straight into the (stopped) server's database: fast, and the same rows."""
    start = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    bodies = [ev.IncidentDeclared(incident_id=incident_id, title="Slow readers")]
    bodies += [ev.NoteAdded(text=f"{n:05d} " + "x" * 3990) for n in range(notes)]
    rows = []
    for seq, body in enumerate(bodies, start=1):
        stored = ev.EventDraft(actor="alice", body=body).stored(seq=seq, at=start + timedelta(seconds=seq))
        rows.append((incident_id, seq, str(stored.id), stored.at.isoformat(), "alice", body.type, ev.dump_stored(stored)))
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO events (incident, seq, id, at, actor, type, event) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def _open_readers(url: str, token: str, count: int) -> list[socket.socket]:
    """``count`` streams whose readers read the status line and then never read again."""
    host, port = url.removeprefix("http://").split(":")
    request = f"GET /api/incidents/INC-SLOW/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    readers = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        readers.append(sock)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # so it fills up at once
        sock.settimeout(30)
        sock.connect((host, int(port)))
        sock.sendall(request)
    for sock in readers:
        assert sock.recv(12) == b"HTTP/1.1 200"  # the stream is open (and counted)
    return readers


def test_hundreds_of_streams_that_never_read_stay_bounded(tmp_path: Path, server_template: tuple[Path, dict[str, str]], tokens):
    db = copy_db(server_template[0], tmp_path / "warroom.db")
    _incident_with_big_notes(db, "INC-SLOW", NOTES)
    server = ServerProcess(db, args=["--streams-per-token", str(STREAMS), "--write-timeout", "8"], env=cli_env(home=tmp_path))
    readers: list[socket.socket] = []
    try:
        server.start()
        healthz_ms(server.url)
        before = server.status("VmRSS")
        sockets_before = server.open_sockets()
        readers = _open_readers(server.url, tokens["bob"], STREAMS)
        open_at_once = server.open_sockets() - sockets_before
        assert healthz_ms(server.url) < 5000

        deadline = time.monotonic() + 90
        while server.open_sockets() > sockets_before:  # every stalled stream is ended by the server
            assert time.monotonic() < deadline, f"{server.open_sockets() - sockets_before} stalled streams still open"
            time.sleep(0.2)
        grown_mb = (server.status("VmHWM") - before) / 1024
        print(f"\n{STREAMS} streams that never read ({open_at_once} open at once, {NOTES} x 4 KB notes): server peak RSS grew {grown_mb:.1f} MB")
        assert grown_mb < 60
    finally:
        for sock in readers:
            sock.close()
        server.stop()


def test_streams_per_token_are_capped_with_a_429_that_says_why(start_server, tokens):
    server = start_server("--streams-per-token", "2")
    bob = {"Authorization": f"Bearer {tokens['bob']}"}
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens['alice']}"}) as alice:
        assert alice.post("/api/incidents", json={"incident_id": "INC-CAP", "title": "Cap"}).status_code == 201
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream("GET", "/api/incidents/INC-CAP/stream", headers=bob) as first:
            with client.stream("GET", "/api/incidents/INC-CAP/stream", headers=bob) as second:
                assert first.status_code == second.status_code == 200
                third = client.get("/api/incidents/INC-CAP/stream", headers=bob)
                assert third.status_code == 429 and third.headers["retry-after"]
                assert "already has 2 open streams" in third.json()["detail"]
                with client.stream("GET", "/api/incidents/INC-CAP/stream", headers={"Authorization": f"Bearer {tokens['carol']}"}) as other:
                    assert other.status_code == 200  # the cap is per token
        deadline = time.monotonic() + 10
        while not _can_stream(client, bob):  # closed streams give their places back
            assert time.monotonic() < deadline, "closed streams did not give their places back"
            time.sleep(0.1)

def _can_stream(client: httpx.Client, headers: dict[str, str]) -> bool:
    with client.stream("GET", "/api/incidents/INC-CAP/stream", headers=headers) as response:
        return response.status_code == 200


PAGES = 150
BROADCASTS = 70  # x ~3.9 KB, all in the public view: each update sends the whole view (~270 KB at the end), ~9 MB in all: more than the kernel buffers hold


def test_status_pages_that_stop_reading_hold_little_and_are_ended_while_a_reading_page_gets_every_update(tmp_path: Path):
    """Issue 26's crowd, its slowest part: a status page's stream is the request's own task writing the
    shared bytes (warroom.web.stream), a page that stops reading waits on its own socket only, and
    holds a 16 KiB piece of a view, not the whole view, until the server ends it."""
    from tests.server.harness import make_tokens
    from tests.web.sse_socket import Stream

    env = cli_env(home=tmp_path)
    db = tmp_path / "warroom.db"
    token = make_tokens(db, ["alice"], env=env)["alice"]
    caps = ["--status-streams-per-key", str(PAGES + 1), "--status-streams", str(PAGES + 1), "--max-connections", "400", "--write-timeout", "8"]
    server = ServerProcess(db, args=["--rate-limit", "0", *caps], env=env)
    stalled: list[socket.socket] = []
    reading: Stream | None = None
    try:
        server.start()
        alice = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        alice.post("/api/incidents", json={"incident_id": "INC-SLOW", "title": "Slow pages", "published": True}).raise_for_status()
        key = alice.post("/api/shares", json={"incident": "INC-SLOW"}).json()["key"]
        host, port = server.url.removeprefix("http://").split(":")
        before = server.status("VmRSS")
        sockets_before = server.open_sockets()
        for _ in range(PAGES):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            stalled.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # so it fills up at once
            sock.settimeout(30)
            sock.connect((host, int(port)))
            sock.sendall(f"GET /status/INC-SLOW/stream?key={key} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        for sock in stalled:
            assert sock.recv(12) == b"HTTP/1.1 200"  # open and counted; never read again
        reading = Stream(server.url, "INC-SLOW", key)
        for n in range(BROADCASTS):
            text = f"update-{n:02d} " + "y" * 3880
            alice.post("/api/incidents/INC-SLOW/events", json={"body": {"type": "broadcast_sent", "text": text, "audience": "stakeholders"}}).raise_for_status()
            # each update's fan-out reaches every page before the next is sent (the reading page is woken
            # among them): a page sent only the newest of a burst of views could keep all it was sent
            # in its socket's kernel buffer, never stall the server, and never be ended
            assert reading.read_until(f"update-{n:02d}".encode(), within=30)  # the stalled pages hold nobody up

        deadline = time.monotonic() + 90
        while server.open_sockets() > sockets_before + 1:  # every stalled page is ended by the server; the reading one stays
            assert time.monotonic() < deadline, f"{server.open_sockets() - sockets_before - 1} stalled pages still open"
            time.sleep(0.2)
        grown_mb = (server.status("VmHWM") - before) / 1024
        print(f"\n{PAGES} status pages that stopped reading, {BROADCASTS} updates of up to ~270 KB: server peak RSS grew {grown_mb:.1f} MB")
        assert grown_mb < 30  # a whole view each (~270 KB here): 42 MB on main; a 16 KiB piece each: 20 MB
        assert not reading.ended(within=0.5)
    finally:
        for sock in stalled:
            sock.close()
        if reading is not None:
            reading.close()
        server.stop()
