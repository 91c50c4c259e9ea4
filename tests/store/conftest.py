"""Backends for the store contract suite: each gives stores acting as a handle, and CLI flags.

The same contract tests run against every backend listed in ``BACKENDS``:

- ``file``: a ``FileStore`` on a temporary folder.
- ``http``: an ``HttpStore`` talking to a real ``warroom serve`` subprocess on 127.0.0.1
  and a free port, with its own fresh database per test and a token per handle made
  by ``warroom token add``. The server is always stopped when the test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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


BACKENDS = ["file", "http"]


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
    else:  # pragma: no cover
        raise AssertionError(request.param)
    try:
        yield made
    finally:
        await made.aclose()
