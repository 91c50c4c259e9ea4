"""One server per test module on each database kind (SQLite, PostgreSQL), for suites whose
tests share it: import ``db_kind`` and ``tokens`` as fixtures, open the server with
``server_of_kind`` in a module-scoped fixture."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import DB_KINDS, server_starter, template_tokens
from tests.server.harness import ServerProcess


@pytest.fixture(scope="module", params=DB_KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def tokens(db_kind: str, request: pytest.FixtureRequest) -> dict[str, str]:
    return template_tokens(db_kind, request)


@contextlib.contextmanager
def server_of_kind(db_kind: str, request: pytest.FixtureRequest, folder: Path, *args: str) -> Iterator[ServerProcess]:
    """A ``warroom serve *args`` on ``db_kind``, always stopped."""
    started: list[ServerProcess] = []
    try:
        yield server_starter(db_kind, request, folder, started)(*args)
    finally:
        for server in started:
            server.stop()
