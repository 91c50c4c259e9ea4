"""The listening socket every warroom ASGI server binds (``serve``, ``alerts``, ``status-page``).

Bound before uvicorn starts, so port 0 can pick a free port and the real address be
printed once the server accepts connections.
"""

from __future__ import annotations

import socket


def bind_listener(host: str, port: int) -> socket.socket:
    """A listening TCP socket. Say IPPROTO_TCP explicitly: asyncio turns Nagle off
    (TCP_NODELAY) only on sockets whose ``proto`` says TCP, and ``socket.create_server``
    leaves it 0 -- which costs every keep-alive request a 40 ms delayed-ACK stall on
    the plain asyncio loop."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock
