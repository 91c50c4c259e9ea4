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


async def test_restarting_postgresql_under_load_loses_no_acknowledged_event(cluster, tmp_path):
    """Two servers, four clients appending through both, a follower on each; PostgreSQL is
    restarted (as after a crash) in the middle. Every acknowledged event is stored once, in
    one contiguous order, and both followers see exactly that order."""
    import asyncio

    from warroom.incident import events as ev
    from warroom.store.http import HttpStore

    db = cluster.url(cluster.create_database(prefix="load"))
    env = cli_env(home=tmp_path)
    tokens = make_tokens(db, ["alice", "bob"], env=env)
    servers = [ServerProcess(db, args=["--rate-limit", "0"], log=tmp_path / f"s{n}.log", env=env).start() for n in range(2)]
    try:
        stores = [HttpStore(servers[n % 2].url, token=tokens["alice"], retries=60, backoff_max=0.2) for n in range(4)]
        await stores[0].append("INC-1", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-1", title="load")))
        followers = [HttpStore(s.url, token=tokens["bob"], backoff_max=0.2) for s in servers]
        streams = [f.follow("INC-1") for f in followers]
        for stream in streams:
            assert (await asyncio.wait_for(anext(stream), 30)).seq == 1
        acked: list[str] = []
        restarted = asyncio.Event()

        async def client(n: int) -> None:
            for i in range(25):
                stored = await stores[n].append("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text=f"{n}.{i}")))
                acked.append(str(stored.id))
                if n == 0 and i == 8:
                    await asyncio.to_thread(cluster.restart)  # the others keep appending meanwhile
                    restarted.set()

        await asyncio.gather(*(client(n) for n in range(4)))
        assert restarted.is_set() and len(acked) == 100
        rows = httpx.get(f"{servers[1].url}/api/incidents/INC-1/events", headers={"Authorization": f"Bearer {tokens['bob']}"}).json()
        assert [r["seq"] for r in rows] == list(range(1, 102))
        assert sorted(r["id"] for r in rows[1:]) == sorted(acked)  # each acknowledged event once, nothing else
        for stream in streams:
            seen = [(await asyncio.wait_for(anext(stream), 30)).seq for _ in range(100)]
            assert seen == list(range(2, 102))
            await stream.aclose()
        for store in [*stores, *followers]:
            await store.aclose()
    finally:
        for server in servers:
            server.stop()
        for server in servers:
            assert "Traceback" not in server.log.read_text(), server.log.read_text()
