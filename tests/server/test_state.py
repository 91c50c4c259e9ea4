"""``GET /api/incidents/{id}/state``: a joining board gets the folded state and reads only what came after."""

from __future__ import annotations

import asyncio

import httpx

from tests.server.harness import ServerProcess
from warroom.incident import events as ev
from warroom.incident import fold, snapshot
from warroom.server.db import EventLog


def test_state_needs_a_token_like_the_events_and_says_404_for_an_unknown_incident(server: ServerProcess, tokens):
    auth = {"Authorization": f"Bearer {tokens['alice']}"}
    declared = httpx.post(f"{server.url}/api/incidents", json={"incident_id": "INC-5", "title": "t"}, headers=auth)
    assert declared.status_code == 201
    assert httpx.get(f"{server.url}/api/incidents/INC-5/state").status_code == 401
    revoked = httpx.get(f"{server.url}/api/incidents/INC-5/state", headers={"Authorization": f"Bearer {tokens['zed']}"})
    assert revoked.status_code == 401
    assert httpx.get(f"{server.url}/api/incidents/INC-404/state", headers=auth).status_code == 404
    got = httpx.get(f"{server.url}/api/incidents/INC-5/state", headers=auth)
    assert got.status_code == 200 and got.headers["content-type"] == "application/vnd.warroom.checkpoint"
    state = snapshot.decode(got.content)
    assert state.seq == 1 and state.title == "t" and "alice" in state.responders
    assert "/api/incidents/{incident_id}/state" in httpx.get(f"{server.url}/openapi.json").json()["paths"]


async def test_the_server_re_encodes_only_when_its_checkpoint_is_old_and_stays_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "CHECKPOINT_EVERY", 10)
    log = EventLog(tmp_path / "server.db")
    log.start(asyncio.get_running_loop())
    try:
        async def add(actor: str, body: ev.Body) -> None:
            await log.append("INC-1", ev.EventDraft(actor=actor, body=body))

        await add("alice", ev.IncidentDeclared(incident_id="INC-1", title="t", severity=2))
        await add("alice", ev.WorkstreamOpened(title="Roll back"))
        await add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
        first = await log.checkpoint("INC-1")
        for n in range(9):
            await add("bob", ev.NoteAdded(text=f"note {n}"))
        assert await log.checkpoint("INC-1") == first  # 9 events old: served as it is
        await add("alice", ev.BroadcastSent(text="update", audience="stakeholders"))
        newer = await log.checkpoint("INC-1")
        assert snapshot.read_header(newer)["seq"] == 13
        await add("bob", ev.WorkstreamReleased(workstream="WS-1"))  # folded into the swapped-in state
        rows = log.read_json("INC-1", 0, 1000)
        everything = fold(ev.parse_stored(text) for _, text in rows)
        assert snapshot.decode(newer) == fold(ev.parse_stored(text) for _, text in rows[:13])
        assert log._cache["INC-1"].state == everything
        assert await log.checkpoint("INC-404") is None
    finally:
        log.close()


async def test_on_postgresql_the_checkpoint_is_kept_caught_up_with_other_servers_and_re_encoded_only_when_old(postgres, monkeypatch):
    from warroom.server.pg import PgEventLog

    monkeypatch.setattr(snapshot, "CHECKPOINT_EVERY", 10)
    url = postgres.url(postgres.create_database(prefix="state"))
    mine, other = PgEventLog(url), PgEventLog(url)  # two servers' logs on one database
    loop = asyncio.get_running_loop()
    mine.start(loop)
    other.start(loop)
    try:
        async def add(log: PgEventLog, actor: str, body: ev.Body) -> None:
            await log.append("INC-1", ev.EventDraft(actor=actor, body=body))

        await add(other, "alice", ev.IncidentDeclared(incident_id="INC-1", title="t", severity=2))
        await add(other, "alice", ev.WorkstreamOpened(title="Roll back"))
        first = await mine.checkpoint("INC-1")  # everything came through the other server
        assert snapshot.read_header(first)["seq"] == 2 and snapshot.decode(first).workstreams
        for n in range(9):
            await add(other if n % 2 else mine, "bob", ev.NoteAdded(text=f"note {n}"))
        assert await mine.checkpoint("INC-1") == first  # 9 events old: served as it is
        await add(other, "alice", ev.BroadcastSent(text="update", audience="stakeholders"))
        newer = await mine.checkpoint("INC-1")
        assert snapshot.read_header(newer)["seq"] == 12
        rows = mine.read_json("INC-1", 0, 1000)
        assert snapshot.decode(newer) == fold(ev.parse_stored(text) for _, text in rows)
        await add(mine, "bob", ev.WorkstreamClaimed(workstream="WS-1"))  # appends go on from the swapped-in state
        assert mine._cache["INC-1"].state == fold(ev.parse_stored(text) for _, text in mine.read_json("INC-1", 0, 1000))
        assert await mine.checkpoint("INC-404") is None
    finally:
        mine.close()
        other.close()
