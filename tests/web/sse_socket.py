"""A status-page stream on a raw socket, for tests that hold many and watch them end."""

from __future__ import annotations

import select
import socket
import time


class Stream:
    """One status-page stream on a raw socket: its status line, then what it says."""

    def __init__(self, url: str, incident: str, key: str):
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.sendall(f"GET /status/{incident}/stream?key={key} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        self.got = b""
        self.read_until(b"\r\n\r\n", within=10)
        self.status = self.got.split(b"\r\n", 1)[0]
        if self.status == b"HTTP/1.1 200 OK":
            assert self.read_until(b": connected", within=10)
        else:  # a refusal: read its body too (content-length says how much)
            head, _, body = self.got.partition(b"\r\n\r\n")
            length = int(next(line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")).split(b":")[1])
            self.read_some(length - len(body))

    def read_some(self, size: int) -> None:
        while size > 0 and select.select([self.sock], [], [], 10)[0] and (chunk := self.sock.recv(size)):
            self.got += chunk
            size -= len(chunk)

    def read_until(self, marker: bytes, within: float) -> bool:
        deadline = time.monotonic() + within
        while marker not in self.got and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                break
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.got += chunk
        return marker in self.got

    def ended(self, within: float) -> bool:
        """The server said ``gone`` and ended the response (the chunked body's last chunk)."""
        return self.read_until(b"event: gone", within) and self.read_until(b"0\r\n\r\n", within)

    def close(self) -> None:
        self.sock.close()
