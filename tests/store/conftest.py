"""Backends for the store contract suite: each gives stores acting as a handle, and CLI flags.

The same contract tests run against every backend listed in ``BACKENDS``:

- ``file``: a ``FileStore`` on a temporary folder.
- ``http``: an ``HttpStore`` talking to a real ``warroom serve`` subprocess on 127.0.0.1
  and a free port, with its own fresh database per test and a token per handle made
  by ``warroom token add``. The server is always stopped when the test ends.
- ``pg``: two ``warroom serve`` processes on one real PostgreSQL database; the stores a
  test asks for alternate between them (and the CLI uses the second), so every
  contract also holds across servers: what one appends, the other reads and streams.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.server.harness import ServerProcess, cli_env, copy_db, make_tokens
from warroom.store import EventStore, FileStore

COMMON_HANDLES = ("alice", "bob", "carol", "dave", "erin")


class FileBackend:
    name = "file"

    def __init__(self, folder: Path):
        self.folder = folder
        self.warnings: list[str] = []
        self._stores: list[EventStore] = []

    def store_for(self, handle: str) -> EventStore:
        store = FileStore(self.folder, warn=self.warnings.append)
        self._stores.append(store)
        return store

    def cli_args(self, handle: str) -> list[str]:
        return ["--store", str(self.folder), "--as", handle]

    async def aclose(self) -> None:
        for store in self._stores:
            await store.aclose()


class HttpBackend:
    name = "http"

    def __init__(self, server: ServerProcess, tokens: dict[str, str]):
        self.server = server
        self.tokens = dict(tokens)
        self.warnings: list[str] = []
        self._stores: list[EventStore] = []

    def token(self, handle: str) -> str:
        if handle not in self.tokens:
            self.tokens.update(make_tokens(self.server.db, [handle]))
        return self.tokens[handle]

    def store_for(self, handle: str, **options) -> EventStore:
        from warroom.store.http import HttpStore

        store = HttpStore(self.server.url, token=self.token(handle), warn=self.warnings.append, **options)
        self._stores.append(store)
        return store

    def cli_args(self, handle: str) -> list[str]:
        return ["--server", self.server.url, "--token", self.token(handle), "--as", handle]

    async def aclose(self) -> None:
        try:
            for store in self._stores:
                await store.aclose()
        finally:
            self.server.stop()


@pytest.fixture(scope="session")
def token_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A server database holding a token per common handle, made once and copied per test."""
    folder = tmp_path_factory.mktemp("token-template")
    db = folder / "template.db"
    tokens = make_tokens(db, COMMON_HANDLES, env=cli_env(home=folder))
    return db, tokens


def fresh_server(tmp_path: Path, token_template: tuple[Path, dict[str, str]], *args: str) -> tuple[ServerProcess, dict[str, str]]:
    template, tokens = token_template
    db = copy_db(template, tmp_path / "server" / "warroom.db")
    return ServerProcess(db, args=args, env=cli_env(home=tmp_path)), tokens


class PgBackend(HttpBackend):
    name = "pg"

    def __init__(self, servers: list[ServerProcess], tokens: dict[str, str], drop: object):
        super().__init__(servers[0], tokens)
        self.servers = servers
        self._drop = drop
        self._turn = 0

    def store_for(self, handle: str, **options) -> EventStore:
        self.server = self.servers[self._turn % len(self.servers)]
        self._turn += 1
        return super().store_for(handle, **options)

    def cli_args(self, handle: str) -> list[str]:
        return ["--server", self.servers[-1].url, "--token", self.token(handle), "--as", handle]

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            for server in self.servers:
                server.stop()
            self._drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def pg_token_template(postgres, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("pg-token-template")
    name = postgres.create_database(prefix="tmpl_tokens")
    return name, make_tokens(postgres.url(name), COMMON_HANDLES, env=cli_env(home=folder))


def pg_servers(postgres, template: str, folder: Path, count: int = 2, *args: str) -> tuple[list[ServerProcess], str]:
    """``count`` servers (not started) on one fresh database cloned from ``template``."""
    name = postgres.create_database(template=template)
    env = cli_env(home=folder)
    servers = [ServerProcess(postgres.url(name), args=args, log=folder / f"{name}-{n}.server.log", env=env) for n in range(count)]
    return servers, name


BACKENDS = ["file", "http", "pg"]


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileBackend | HttpBackend]:
    if request.param == "file":
        made: FileBackend | HttpBackend = FileBackend(tmp_path / "store")
    elif request.param == "http":
        server, tokens = fresh_server(tmp_path, request.getfixturevalue("token_template"))
        try:
            server.start()
        except BaseException:
            server.stop()
            raise
        made = HttpBackend(server, tokens)
    elif request.param == "pg":
        postgres = request.getfixturevalue("postgres")
        template, tokens = request.getfixturevalue("pg_token_template")
        servers, name = pg_servers(postgres, template, tmp_path)
        try:
            with ThreadPoolExecutor(len(servers)) as pool:  # both boot at once
                list(pool.map(ServerProcess.start, servers))
        except BaseException:
            for server in servers:
                server.stop()
            raise
        made = PgBackend(servers, tokens, lambda: postgres.drop_database(name))
    else:  # pragma: no cover
        raise AssertionError(request.param)
    try:
        yield made
    finally:
        await made.aclose()
