"""Fixtures for the server tests: real ``warroom serve`` subprocesses, always stopped.

Tokens come from a session-wide template database made with the real ``warroom
token add`` (and ``warroom token revoke`` for ``zed``): ``alice`` declares incidents
and so commands them, ``bob``/``carol``/``dave``/``erin`` are members, ``zed``'s token is
revoked. Each server gets its own copy of that database.

The same holds on PostgreSQL: ``pg_server_template`` is a database in the session's
real cluster (``postgres`` fixture) with the same tokens, and each server gets its own
database cloned from it. ``server_starter(kind, ...)`` starts either kind, so a test
module can run its tests against both (``DB_KINDS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.server.harness import ServerProcess, build_template, cli_env, copy_db, make_tokens, warroom

HANDLES = ("alice", "bob", "carol", "dave", "erin")
DB_KINDS = ["sqlite", "postgresql"]


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


@pytest.fixture(scope="session")
def pg_server_template(postgres, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """A PostgreSQL database holding the same handles' tokens (``zed`` revoked); clone it per server."""
    folder = tmp_path_factory.mktemp("pg-template")
    name = postgres.create_database(prefix="tmpl_server")
    url = postgres.url(name)
    env = cli_env(home=folder)
    tokens = make_tokens(url, [*HANDLES, "zed"], env=env)
    warroom("token", "revoke", "zed", "--db", url, env=env)
    return name, tokens


def pg_starter(postgres, template: str, folder: Path, started: list[ServerProcess]) -> Callable[..., ServerProcess]:
    """``start(*serve_args, db=None)``: a server on a fresh clone of ``template`` (or on ``db``, a
    database name, to put several servers on one database)."""

    def start(*args: str, db: str | None = None) -> ServerProcess:
        db = db or postgres.create_database(template=template)
        server = pg_server(postgres, db, folder, len(started), *args)
        started.append(server)
        return server.start()

    return start


def pg_server(postgres, db: str, folder: Path, n: int, *args: str) -> ServerProcess:
    """Server ``n`` on database ``db`` (not started yet): ``warroom serve *args``, logging into ``folder``."""
    return ServerProcess(postgres.url(db), args=args, log=folder / f"{db}-{n}.server.log", env=cli_env(home=folder))


def server_starter(kind: str, request: pytest.FixtureRequest, folder: Path, started: list[ServerProcess]) -> Callable[..., ServerProcess]:
    if kind == "sqlite":
        return _starter(folder, request.getfixturevalue("server_template")[0], started)
    return pg_starter(request.getfixturevalue("postgres"), request.getfixturevalue("pg_server_template")[0], folder, started)


def template_tokens(kind: str, request: pytest.FixtureRequest) -> dict[str, str]:
    return request.getfixturevalue("server_template" if kind == "sqlite" else "pg_server_template")[1]


@pytest.fixture(params=DB_KINDS)
def any_server(request: pytest.FixtureRequest, tmp_path: Path):
    """A server on SQLite, then one on PostgreSQL (hooks live in either database), with its tokens."""
    started: list[ServerProcess] = []
    try:
        yield server_starter(request.param, request, tmp_path, started)(), template_tokens(request.param, request)
    finally:
        for server in started:
            server.stop()
