"""Nobody without a credential can lock the responders out: a request body has a time limit
(408), and connections no request has authenticated hold only part of the connection budget,
so a token holder is answered at once while every one of those slots is taken.

The attack from issue 21: ``--max-connections 50``, then 60 sockets that each send a POST's
headers and one byte of a 10-byte body and wait. Before, ``/healthz`` and ``/api/me`` were
answered 503 for as long as they waited."""

from __future__ import annotations

import select
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.server.harness import ServerProcess, warroom
from tests.web.sse_socket import Stream

SLOW_POST = (
    b"POST /api/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"
)


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def _answer(sock: socket.socket, within: float) -> bytes:
    """Everything the server sends until it closes the connection (or ``within`` runs out)."""
    answer = b""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            break
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        answer += chunk
    return answer


def _get(url: str, path: str, token: str | None = None) -> tuple[bytes, float]:
    """One GET on a new connection: the status line, and how long the answer took."""
    started = time.monotonic()
    with _connect(url) as sock:
        auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth + b"Connection: close\r\n\r\n")
        answer = _answer(sock, within=10)
    return answer.split(b"\r\n", 1)[0], time.monotonic() - started


def _still_open(sock: socket.socket) -> bool:
    """Whether the server has not closed ``sock`` (whatever it sent before is read and dropped)."""
    while select.select([sock], [], [], 0)[0]:
        try:
            if not sock.recv(65536):
                return False
        except ConnectionResetError:
            return False
    return True


def _share_key(url: str, token: str) -> str:
    alice = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{url}/api/incidents", json={"incident_id": "INC-K", "title": "shared"}, headers=alice).status_code == 201
    published = httpx.post(f"{url}/api/incidents/INC-K/events", json={"body": {"type": "incident_published"}}, headers=alice)
    assert published.status_code == 201, published.text  # private until published: its page would be "not found"
    return httpx.post(f"{url}/api/shares", json={"incident": "INC-K"}, headers=alice).json()["key"]


@pytest.mark.parametrize("holding", ["nothing", "a share key"])
def test_a_token_holder_gets_in_while_every_unauthenticated_slot_is_held(start_server, tokens, holding):
    """A share key is a credential on the status page only: a stakeholder's link (they travel
    far) sent with a slow POST elsewhere counts as no credential at all."""
    server = start_server("--max-connections", "50", "--body-timeout", "60", "--header-timeout", "60")
    query = f"?key={_share_key(server.url, tokens['alice'])}".encode() if holding == "a share key" else b""
    attackers: list[socket.socket] = []
    try:
        for _ in range(60):
            sock = _connect(server.url)
            sock.sendall(SLOW_POST.replace(b"/api/incidents ", b"/api/incidents" + query + b" "))
            attackers.append(sock)
        assert _get(server.url, "/healthz")[0] == b"HTTP/1.1 200 OK"  # every attacker is in (or was let go)
        answers = [_get(server.url, "/api/me", tokens["alice"]) for _ in range(10)]
        health = [_get(server.url, "/healthz") for _ in range(5)]
        held = sum(_still_open(sock) for sock in attackers)
        slowest = max(took for _, took in answers)
        print(f"\n60 slow bodies, 50 connections: {held} held on; /api/me 10 x 200, slowest {slowest * 1000:.0f} ms")
        assert [status for status, _ in answers] == [b"HTTP/1.1 200 OK"] * 10
        assert slowest < 1.0
        assert [status for status, _ in health] == [b"HTTP/1.1 200 OK"] * 5
        assert 15 <= held <= 25  # the unauthenticated half of the budget, no more, and the attack is still on
        assert server.open_sockets() <= 50
    finally:
        for sock in attackers:
            sock.close()


def test_a_body_that_does_not_arrive_in_time_is_answered_408_and_closed(tmp_path: Path, start_server, tokens):
    (tmp_path / "warroom.toml").write_text("[server]\nbody_timeout = 1\n")  # the server's config (cli_env(home=tmp_path))
    server: ServerProcess = start_server()
    for token in (None, tokens["alice"]):  # with a token or without, a body has its time limit
        started = time.monotonic()
        with _connect(server.url) as sock:
            auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
            sock.sendall(SLOW_POST.replace(b"Host: x\r\n", b"Host: x\r\n" + auth))
            answer = _answer(sock, within=10)  # _answer returns once the server closes
        took = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"within 1 s" in answer
        assert 0.9 < took < 5
    assert _get(server.url, "/healthz")[0] == b"HTTP/1.1 200 OK"


def test_status_viewers_and_hooks_count_as_authenticated_and_are_not_pushed_out(start_server, tokens):
    """A share key on the status page and a hook secret on its path are credentials: 30 sockets
    without one arriving later close none of them (without a credential they would be the
    oldest of the unauthenticated, the first to go)."""
    server = start_server("--max-connections", "20", "--body-timeout", "60", "--header-timeout", "60")
    key = _share_key(server.url, tokens["alice"])
    added = warroom("hook", "add", "am", "--db", str(server.db), "--url", server.url, env=server.env).stdout
    hook_url = added.strip().splitlines()[-1]
    viewers: list[Stream] = []
    attackers: list[socket.socket] = []
    try:
        viewers = [Stream(server.url, "INC-K", key) for _ in range(5)]
        assert [v.status for v in viewers] == [b"HTTP/1.1 200 OK"] * 5
        hook = _connect(server.url)
        hook_path = hook_url.removeprefix(server.url).encode()
        hook.sendall(SLOW_POST.replace(b"/api/incidents", hook_path).replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n"))
        for _ in range(30):
            sock = _connect(server.url)
            sock.sendall(SLOW_POST)
            attackers.append(sock)
        assert _get(server.url, "/api/me", tokens["alice"])[0] == b"HTTP/1.1 200 OK"
        assert all(_still_open(v.sock) for v in viewers)
        hook.sendall(b"not json!")  # the rest of its body: it was kept, so it is answered
        assert _answer(hook, within=10).startswith(b"HTTP/1.1 422")
        assert sum(_still_open(sock) for sock in attackers) <= 10
    finally:
        for sock in attackers:
            sock.close()
        for viewer in viewers:
            viewer.close()
