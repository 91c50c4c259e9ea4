"""Request headers are bounded: a flood of them from a client without a token is cut off
at the limit (431) and the server neither grows nor stops answering."""

from __future__ import annotations

import socket

import httpx

from tests.server.harness import healthz_ms

MB = 1024 * 1024


def _flood(url: str, total: int, line: bytes) -> int:
    """Send a request head made of ``line`` repeated up to ``total`` bytes; return how many went out."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        chunk = line * (256 * 1024 // len(line))
        try:
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up on us: the point
    return sent


def test_100_mb_of_headers_neither_grows_the_server_nor_stops_it(server):
    healthz_ms(server.url)
    before = server.status("VmRSS")
    many_lines = _flood(server.url, 100 * MB, b"X-Junk: " + b"j" * 1000 + b"\r\n")
    one_line = _flood(server.url, 100 * MB, b"k" * 4096)  # one endless header value: no line end
    grown_mb = (server.status("VmHWM") - before) / 1024
    print(f"\nheader flood: {many_lines / MB:.1f} MB + {one_line / MB:.1f} MB sent; server peak RSS grew {grown_mb:.1f} MB")
    assert grown_mb < 50
    assert healthz_ms(server.url) < 5000


def test_a_head_past_the_limit_is_431_and_a_normal_one_is_served(server, tokens):
    auth = {"Authorization": f"Bearer {tokens['alice']}"}
    ok = httpx.get(f"{server.url}/api/me", headers={**auth, "X-Big": "b" * 8000})
    assert ok.status_code == 200
    too_big = httpx.get(f"{server.url}/api/me", headers={**auth, "X-Big": "b" * 40_000})
    assert too_big.status_code == 431 and "request headers too large" in too_big.text
    too_many = httpx.get(f"{server.url}/api/me", headers={**auth, **{f"X-H{n}": "v" for n in range(150)}})
    assert too_many.status_code == 431
