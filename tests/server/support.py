"""A one-call server for scripts that want a bare ``subprocess.Popen`` (e.g. ``bench/propagation.py``).

``start_server_process(folder)`` makes tokens for ``writer`` and ``reader`` with the real
``warroom token add`` (and, in-process, for the handles in ``many``), starts ``warroom serve``
on a free 127.0.0.1 port with a database in ``folder`` and rate limiting off, and returns
``(process, url, tokens)``. The caller owns the process: ``process.kill(); process.wait()``
when done.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from subprocess import Popen

from tests.server.harness import ServerProcess, cli_env, make_tokens
from warroom.db.tokens import TokenBook


def start_server_process(
    folder: Path, handles: tuple[str, ...] = ("writer", "reader"), *, many: Iterable[str] = ()
) -> tuple[Popen, str, dict[str, str]]:
    """``many``: more handles with a token each, made in this process (a hundred boards'
    tokens in milliseconds rather than a hundred ``warroom token add`` processes)."""
    folder = Path(folder)
    db = folder / "server" / "warroom.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    env = cli_env(home=folder)
    tokens = make_tokens(db, handles, env=env)
    book = TokenBook(db)
    try:
        tokens.update((handle, book.add(handle)[1]) for handle in many)
    finally:
        book.close()
    server = ServerProcess(db, args=["--rate-limit", "0"], env=env).start()
    assert server.proc is not None
    return server.proc, server.url, tokens
