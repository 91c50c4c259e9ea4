"""The SSE stream on the wire, and the HTTP store's client-side behaviour around it."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from httpx_sse import aconnect_sse

from tests.server.harness import ServerProcess, cli_env, copy_db
from warroom.incident import events as ev
from warroom.store import UnknownIncident
from warroom.store import http as http_store
from warroom.store.http import AuthError, HttpStore


def draft(actor: str, body: ev.Body) -> ev.EventDraft:
    return ev.EventDraft(actor=actor, body=body)


@pytest.fixture(scope="module")
def stream_server(tmp_path_factory, server_template, tokens):
    """A server with fast keep-alives and INC-S holding seqs 1..5 (tests add only to INC-S2)."""
    folder = tmp_path_factory.mktemp("stream")
    server = ServerProcess(copy_db(server_template[0], folder / "warroom.db"), args=["--keepalive", "0.2"], env=cli_env(home=folder))
    try:
        server.start()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens['alice']}"}) as client:
            for incident in ("INC-S", "INC-S2"):
                assert client.post("/api/incidents", json={"incident_id": incident, "title": "Stream"}).status_code == 201
            for n in range(4):
                assert client.post("/api/incidents/INC-S/events", json={"body": {"type": "note_added", "text": f"n{n}"}}).status_code == 201
        yield server
    finally:
        server.stop()


@pytest.fixture
async def noted(stream_server, tokens):
    store = HttpStore(stream_server.url, token=tokens["alice"])
    yield stream_server, store
    await store.aclose()


async def _first_ids(server: ServerProcess, token: str, count: int, **kwargs) -> list[str]:
    ids = []
    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        async with aconnect_sse(client, "GET", "/api/incidents/INC-S/stream", **kwargs) as source:
            async for message in source.aiter_sse():
                if message.data:
                    assert json.loads(message.data)["seq"] == int(message.id)
                    ids.append(message.id)
                    if len(ids) == count:
                        return ids
    return ids


async def test_resume_points(noted, tokens):
    server, _ = noted
    token = tokens["bob"]
    assert await _first_ids(server, token, 5) == ["1", "2", "3", "4", "5"]
    assert await _first_ids(server, token, 2, headers={"Last-Event-ID": "3"}) == ["4", "5"]
    assert await _first_ids(server, token, 3, params={"after": 2}) == ["3", "4", "5"]
    assert await _first_ids(server, token, 1, params={"after": 0}, headers={"Last-Event-ID": "4"}) == ["5"]


async def test_idle_streams_get_keep_alive_comments(noted, tokens):
    server, _ = noted
    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {tokens['bob']}"}, timeout=10) as client:
        async with client.stream("GET", "/api/incidents/INC-S/stream", headers={"Last-Event-ID": "5"}) as response:
            assert response.headers["cache-control"] == "no-cache"

            async def first_keepalive() -> None:
                async for line in response.aiter_lines():
                    if line == ": keep-alive":
                        return

            await asyncio.wait_for(first_keepalive(), 10)


async def test_a_new_event_reaches_every_subscriber(noted, tokens):
    server, store = noted
    followers = [HttpStore(server.url, token=tokens[h]) for h in ("bob", "carol", "dave", "erin") for _ in range(5)]
    streams = [f.follow("INC-S2", after=1) for f in followers]
    try:
        pending = [asyncio.ensure_future(anext(s)) for s in streams]
        stored = await store.append("INC-S2", draft("alice", ev.NoteAdded(text="to everyone")))
        got = await asyncio.wait_for(asyncio.gather(*pending), 20)
        assert {e.id for e in got} == {stored.id} and {e.seq for e in got} == {2}
    finally:
        for s in streams:
            await s.aclose()
        for f in followers:
            await f.aclose()


async def test_follow_ends_on_permanent_answers(noted, tokens):
    server, _ = noted
    store = HttpStore(server.url, token=tokens["bob"])
    with pytest.raises(UnknownIncident):
        await asyncio.wait_for(anext(store.follow("INC-NONE")), 10)
    await store.aclose()
    stranger = HttpStore(server.url, token="wr_unknown")
    with pytest.raises(AuthError) as refused:
        await asyncio.wait_for(anext(stranger.follow("INC-S")), 10)
    assert refused.value.status == 401 and "wr_unknown" not in str(refused.value)
    await stranger.aclose()


async def test_read_pages_through_long_logs(noted, tokens, monkeypatch):
    server, _ = noted
    monkeypatch.setattr(http_store, "PAGE", 2)
    store = HttpStore(server.url, token=tokens["bob"])
    try:
        assert [e.seq for e in await store.read("INC-S")] == [1, 2, 3, 4, 5]
        assert [e.seq for e in await store.read("INC-S", after=3)] == [4, 5]
    finally:
        await store.aclose()


async def test_a_draft_for_someone_else_is_refused_not_rewritten(noted, tokens):
    server, store = noted
    bob = HttpStore(server.url, token=tokens["bob"])
    try:
        assert await bob.whoami() == "bob"
        assert "wr_" not in repr(bob)
        with pytest.raises(AuthError) as refused:
            await bob.append("INC-S", draft("alice", ev.NoteAdded(text="signed alice")))
        assert refused.value.status == 403 and "cannot act as alice" in str(refused.value)
    finally:
        await bob.aclose()
    assert [e.seq for e in await store.read("INC-S")] == [1, 2, 3, 4, 5]
