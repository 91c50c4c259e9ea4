"""Silent and half-sent connections cannot lock anyone out: a request whose headers do not
arrive in time is dropped, and past the connection limit the longest-idle connection makes
room -- even when the open-files limit is low (the usual ``ulimit -n`` of 1024, here 256)."""

from __future__ import annotations

import resource
import select
import socket
import time
from pathlib import Path

from tests.server.harness import ServerProcess, cli_env, copy_db, healthz_ms

FILES = 256


def _low_open_files_limit() -> None:  # runs in the server's process before exec
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))


def _connect(url: str, send: bytes = b"") -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    if send:
        sock.sendall(send)
    return sock


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    ready, _, _ = select.select([sock], [], [], within)
    if not ready:
        return False
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_more_silent_connections_than_the_server_can_hold_do_not_lock_out_healthz(
    tmp_path: Path, server_template: tuple[Path, dict[str, str]]
):
    db = copy_db(server_template[0], tmp_path / "warroom.db")
    server = ServerProcess(db, args=["--header-timeout", "3"], env=cli_env(home=tmp_path), preexec_fn=_low_open_files_limit)
    silent: list[socket.socket] = []
    try:
        server.start()
        assert "allows only" in server.log.read_text()  # the operator is told the limit is low
        baseline = healthz_ms(server.url)
        for n in range(FILES + 150):  # more than the server has descriptors for
            silent.append(_connect(server.url, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" if n % 2 else b""))
        latencies = sorted(healthz_ms(server.url) for _ in range(10))
        print(f"\n/healthz under {len(silent)} silent connections: p50 {latencies[5]:.1f} ms, max {latencies[-1]:.1f} ms (idle {baseline:.1f} ms)")
        assert latencies[-1] < 2000
        assert server.open_sockets() < FILES
        # and the ones that kept their place are dropped after the header timeout
        newest = silent[-1]
        assert _closed_by_server(newest, within=15)
    finally:
        for sock in silent:
            sock.close()
        server.stop()


def test_a_half_sent_request_is_dropped_after_the_header_timeout(start_server):
    server = start_server("--header-timeout", "1")
    started = time.monotonic()
    half = _connect(server.url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    try:
        assert _closed_by_server(half, within=10)
    finally:
        half.close()
    assert 0.9 < time.monotonic() - started < 10
    assert healthz_ms(server.url) < 2000
