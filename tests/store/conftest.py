"""Backends for the store contract suite: each gives stores acting as a handle, and CLI flags.

The same contract tests run against every backend listed in ``BACKENDS``; the HTTP
backend adds itself here (a real server on 127.0.0.1 and a free port).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from warroom.store import EventStore, FileStore


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


BACKENDS = ["file"]


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileBackend]:
    if request.param == "file":
        made = FileBackend(tmp_path / "store")
    else:  # pragma: no cover - filled in by the HTTP backend
        raise AssertionError(request.param)
    try:
        yield made
    finally:
        await made.aclose()
