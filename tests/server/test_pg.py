"""Several ``warroom serve`` processes on one real PostgreSQL database.

What only a shared database can get wrong: an event appended through one server must
stream from the other; two servers racing for one workstream give exactly one winner;
a server whose LISTEN connection is cut catches up with no gap and no duplicate; a
client given both URLs moves to the survivor and resumes its stream; a token revoked
anywhere is refused everywhere within a second; migrations may run concurrently.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.server.conftest import pg_server
from tests.server.harness import REPO_ROOT, ServerProcess, booted_together, cli_env, warroom
from warroom.incident import events as ev
from warroom.store.http import HttpStore


@pytest.fixture
def tokens(pg_server_template) -> dict[str, str]:
    return pg_server_template[1]


@pytest.fixture
def two_servers(postgres, pg_server_template, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess, str]]:
    db = postgres.create_database(template=pg_server_template[0])
    servers = [pg_server(postgres, db, tmp_path, n, "--rate-limit", "0") for n in range(2)]
    with booted_together(servers, lambda: postgres.drop_database(db)) as (a, b):
        yield a, b, db


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _declare(store: HttpStore, incident: str = "INC-1") -> None:
    await store.append(incident, ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id=incident, title="shared")))


async def _listening(admin: psycopg.Connection, db: str, servers: int, timeout: float = 15.0) -> None:
    """Until ``servers`` LISTEN connections are open on ``db`` (a server reconnects after a backoff)."""
    deadline = time.monotonic() + timeout
    query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'warroom-listen' AND datname = %s"
    while admin.execute(query, (db,)).fetchone() != (servers,):
        assert time.monotonic() < deadline, f"not {servers} LISTEN connections on {db} after {timeout} s"
        await asyncio.sleep(0.02)


async def _next(stream, timeout: float = 10.0) -> ev.StoredEvent:
    return await asyncio.wait_for(anext(stream), timeout)


async def test_an_event_appended_through_one_server_streams_from_the_other(two_servers, tokens):
    a, b, _ = two_servers
    async with HttpStore(a.url, token=tokens["alice"]) as on_a, HttpStore(b.url, token=tokens["bob"]) as on_b:
        await _declare(on_a)
        stream = on_b.follow("INC-1")
        assert (await _next(stream)).seq == 1
        for n in range(1, 21):  # alternate servers: B's hub must interleave its own commits with A's
            writer = on_a if n % 2 else on_b
            await writer.append("INC-1", ev.EventDraft(actor=await writer.whoami(), body=ev.NoteAdded(text=f"n{n}")))
            got = await _next(stream)
            assert (got.seq, got.body.text) == (n + 1, f"n{n}")
        await stream.aclose()
        assert [e.seq for e in await on_b.read("INC-1")] == list(range(1, 22))


def test_two_servers_racing_for_one_workstream_give_exactly_one_winner(two_servers, tokens):
    a, b, _ = two_servers
    rounds = 15
    with httpx.Client(base_url=a.url, headers=_auth(tokens["alice"]), timeout=30) as alice:
        assert alice.post("/api/incidents", json={"incident_id": "INC-RACE", "title": "race"}).status_code == 201
        for handle, server in (("bob", a), ("carol", b)):
            joined = httpx.post(f"{server.url}/api/incidents/INC-RACE/events", json={"body": {"type": "responder_joined"}}, headers=_auth(tokens[handle]))
            assert joined.status_code == 201, joined.text
        for n in range(rounds):
            assert alice.post("/api/incidents/INC-RACE/events", json={"body": {"type": "workstream_opened", "title": f"w{n}"}}).status_code == 201

    async def claim(server: ServerProcess, handle: str, number: int) -> int:
        async with httpx.AsyncClient(base_url=server.url, headers=_auth(tokens[handle]), timeout=30) as client:
            body = {"body": {"type": "workstream_claimed", "workstream": f"WS-{number}"}}
            return (await client.post("/api/incidents/INC-RACE/events", json=body)).status_code

    async def race() -> list[list[int]]:
        return [
            sorted(await asyncio.gather(claim(a, "bob", n), claim(b, "carol", n))) for n in range(1, rounds + 1)
        ]

    assert asyncio.run(race()) == [[201, 409]] * rounds
    events = httpx.get(f"{b.url}/api/incidents/INC-RACE/events", headers=_auth(tokens["dave"])).json()
    claims = [e for e in events if e["body"]["type"] == "workstream_claimed"]
    assert len(claims) == rounds and [e["seq"] for e in events] == list(range(1, len(events) + 1))


async def test_a_cut_listen_connection_is_caught_up_without_gap_or_duplicate(two_servers, tokens, postgres):
    a, b, db = two_servers
    async with HttpStore(a.url, token=tokens["alice"]) as on_a, HttpStore(b.url, token=tokens["bob"]) as on_b:
        await _declare(on_a)
        stream = on_b.follow("INC-1")
        assert (await _next(stream)).seq == 1
        seen = []
        for cut in range(3):
            with psycopg.connect(postgres.url(db), autocommit=True) as admin:
                await _listening(admin, db, servers=2)  # the last cut's reconnects may still be under way
                killed = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'warroom-listen' AND datname = %s",
                    (db,),
                ).fetchall()
            assert len(killed) == 2  # both servers' listeners
            for n in range(5):  # appended while B (and A) may still be reconnecting
                await on_a.append("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text=f"{cut}.{n}")))
            for _ in range(5):
                seen.append((await _next(stream, timeout=15)).seq)
        assert seen == list(range(2, 17))
        await stream.aclose()


async def test_a_client_given_both_urls_fails_over_and_resumes_its_stream(two_servers, tokens):
    a, b, _ = two_servers
    both = f"{a.url},{b.url}"
    async with HttpStore(both, token=tokens["alice"], backoff_max=0.2) as store, HttpStore(both, token=tokens["bob"], backoff_max=0.2) as follower:
        await _declare(store)
        stream = follower.follow("INC-1")
        assert (await _next(stream)).seq == 1
        await store.append("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text="before")))
        assert (await _next(stream)).seq == 2
        assert store.url == a.url and follower.url == a.url
        a.kill()
        after = await store.append("INC-1", ev.EventDraft(actor="alice", body=ev.NoteAdded(text="after")))
        assert after.seq == 3 and store.url == b.url
        got = await _next(stream, timeout=15)
        assert (got.seq, got.body.text) == (3, "after") and follower.url == b.url
        await stream.aclose()


def test_a_token_revoked_anywhere_is_refused_by_every_server_within_a_second(two_servers, tokens):
    a, b, db = two_servers
    token = warroom("token", "add", "frank", "--db", str(a.db)).stdout.strip().splitlines()[-1]
    clients = [httpx.Client(base_url=s.url, headers=_auth(token)) for s in (a, b)]
    try:
        assert [c.get("/api/me").json()["handle"] for c in clients] == ["frank", "frank"]
        warroom("token", "revoke", "frank", "--db", str(a.db))
        revoked = time.monotonic()
        pending = set(range(len(clients)))
        while pending and time.monotonic() - revoked < 1.0:
            pending = {n for n in pending if clients[n].get("/api/me").status_code != 401}
        assert not pending, "still accepted after a second"
    finally:
        for client in clients:
            client.close()


def test_migrations_run_concurrently_and_while_servers_run(two_servers, postgres, pg_server_template, tmp_path):
    a, _, _ = two_servers
    fresh = postgres.url(postgres.create_database())
    env = cli_env(home=tmp_path)
    upgrades = [
        subprocess.Popen([sys.executable, "-m", "warroom", "db", "upgrade", "--db", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
        for url in (fresh, fresh, fresh, str(a.db))
    ]
    outputs = [proc.communicate(timeout=60) for proc in upgrades]
    assert [proc.returncode for proc in upgrades] == [0, 0, 0, 0], outputs
    assert sum("upgraded from version 0" in out for out, _ in outputs[:3]) == 1
    assert "nothing to do" in outputs[3][0]
    with psycopg.connect(fresh) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM warroom_migrations ORDER BY version")]
    assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 2
    assert httpx.get(f"{a.url}/healthz").status_code == 200


def test_a_server_whose_database_is_unreachable_says_so_in_one_line(tmp_path):
    result = warroom("serve", "--port", "0", "--db", "postgresql://nobody:secret@127.0.0.1:1/none", check=False, env=cli_env(home=tmp_path))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PostgreSQL at postgresql://nobody@127.0.0.1:1/none" in lines[0], result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr
