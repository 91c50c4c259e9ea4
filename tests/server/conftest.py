"""Fixtures for the server tests: real ``warroom serve`` subprocesses, always stopped.

Tokens come from a session-wide template database made with the real ``warroom
token add`` (and ``warroom token revoke`` for ``zed``): ``alice`` declares incidents
and so commands them, ``bob``/``carol``/``dave``/``erin`` are members, ``zed``'s token is
revoked. Each server gets its own copy of that database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.server.harness import ServerProcess, build_template, cli_env, copy_db

HANDLES = ("alice", "bob", "carol", "dave", "erin")


@pytest.fixture(scope="session")
def server_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    return build_template(tmp_path_factory.mktemp("server-template"), HANDLES, revoked=["zed"])


@pytest.fixture(scope="session")
def tokens(server_template: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return server_template[1]


def _starter(folder: Path, template: Path, started: list[ServerProcess]) -> Callable[..., ServerProcess]:
    def start(*args: str, name: str = "warroom") -> ServerProcess:
        db = copy_db(template, folder / f"{name}-{len(started)}" / "warroom.db")
        server = ServerProcess(db, args=args, env=cli_env(home=folder))
        started.append(server)
        return server.start()

    return start


@pytest.fixture
def start_server(tmp_path: Path, server_template: tuple[Path, dict[str, str]]) -> Iterator[Callable[..., ServerProcess]]:
    """``start_server(*serve_args)`` -> a running server on a fresh copy of the template db."""
    started: list[ServerProcess] = []
    try:
        yield _starter(tmp_path, server_template[0], started)
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def server(start_server: Callable[..., ServerProcess]) -> ServerProcess:
    return start_server()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory, server_template: tuple[Path, dict[str, str]]) -> Iterator[ServerProcess]:
    """One server for a whole module (tests use distinct incident ids)."""
    started: list[ServerProcess] = []
    try:
        yield _starter(tmp_path_factory.mktemp("shared"), server_template[0], started)()
    finally:
        for server in started:
            server.stop()
