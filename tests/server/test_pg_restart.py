"""A server outlives a restart of its PostgreSQL without being restarted itself.

Its own cluster (a restart here must not disturb the session's shared one); the
restart is ``pg_ctl restart -m immediate``, a crash as far as connections go: every
connection the server held is dead when PostgreSQL is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.pg import PgCluster, binaries
from tests.server.harness import ServerProcess, cli_env, make_tokens

pytestmark = pytest.mark.skipif(binaries() is None, reason="PostgreSQL is not installed here")


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    own = PgCluster().start()
    try:
        yield own
    finally:
        own.stop()


@pytest.fixture
def server(cluster: PgCluster, tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    db = cluster.url(cluster.create_database(prefix="restart"))
    tokens = make_tokens(db, ["alice"], env=cli_env(home=tmp_path))
    process = ServerProcess(db, log=tmp_path / "server.log", env=cli_env(home=tmp_path)).start()
    try:
        yield process, tokens
    finally:
        process.stop()
        assert "Traceback" not in process.log.read_text(), process.log.read_text()


def test_tokens_are_accepted_again_as_soon_as_postgresql_is_back(server, cluster):
    process, tokens = server
    with httpx.Client(base_url=process.url, headers={"Authorization": f"Bearer {tokens['alice']}"}, timeout=30) as client:
        assert client.get("/api/me").json()["handle"] == "alice"
        for _ in range(2):  # the lookup cache must not hide a dead connection: more than half a second apart
            cluster.restart()
            answer = client.get("/api/me")  # the first request after the restart, not a later retry
            assert answer.status_code == 200, answer.text
            assert answer.json()["handle"] == "alice"


def test_appends_and_reads_work_again_as_soon_as_postgresql_is_back(server, cluster):
    process, tokens = server
    with httpx.Client(base_url=process.url, headers={"Authorization": f"Bearer {tokens['alice']}"}, timeout=30) as client:
        assert client.post("/api/incidents", json={"incident_id": "INC-1", "title": "t"}).status_code == 201
        for n in range(2):
            cluster.restart()  # every pooled connection dies with it
            note = client.post("/api/incidents/INC-1/events", json={"body": {"type": "note_added", "text": f"after restart {n}"}})
            assert note.status_code == 201, note.text
            assert [e["seq"] for e in client.get("/api/incidents/INC-1/events").json()] == list(range(1, n + 3))
            assert client.get("/api/incidents/INC-1/state").status_code == 200
