"""The lobby on a server: one stream for the whole list (``/api/incidents/stream``), against a
real ``warroom serve`` subprocess; the lobby under Pilot follows every incident through it."""

from __future__ import annotations

import asyncio
import json

import httpx
from httpx_sse import aconnect_sse

from tests.server.harness import ServerProcess
from tests.tui.conftest import SIZE, until
from warroom.config import Config
from warroom.incident import events as ev
from warroom.store.http import HttpStore
from warroom.tui.launch import lobby_app
from warroom.tui.lobby import LobbyScreen


async def declare(store: HttpStore, actor: str, incident_id: str, title: str, severity: int = 3) -> None:
    body = ev.IncidentDeclared(incident_id=incident_id, title=title, severity=severity)
    await store.append(incident_id, ev.EventDraft(actor=actor, body=body))


async def next_message(messages):
    """The next SSE message with data (the stream also sends comments: connected, keep-alive)."""
    while not (message := await asyncio.wait_for(anext(messages), 10)).data:
        pass
    return message


async def test_the_list_stream_sends_a_snapshot_then_only_what_changed(server: ServerProcess, tokens: dict[str, str]) -> None:
    async with HttpStore(server.url, token=tokens["alice"]) as alice:
        await declare(alice, "alice", "INC-1", "Checkout errors", severity=1)
        await declare(alice, "alice", "INC-2", "Search lag")
        headers = {"Authorization": f"Bearer {tokens['bob']}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=10) as client:
            async with aconnect_sse(client, "GET", "/api/incidents/stream") as source:
                messages = source.aiter_sse()
                first = await next_message(messages)
                assert first.event == "snapshot"
                assert sorted(s["id"] for s in json.loads(first.data)) == ["INC-1", "INC-2"]
                await alice.append("INC-2", ev.EventDraft(actor="alice", body=ev.WorkstreamOpened(title="Reindex")))
                change = await next_message(messages)
                assert change.event == "changed"
                (summary,) = json.loads(change.data)
                assert (summary["id"], summary["seq"], summary["unowned"]) == ("INC-2", 2, 1)
                assert [p["handle"] for p in summary["present"]] == ["alice"]


async def test_the_list_stream_needs_a_token(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        response = await client.get("/api/incidents/stream")
    assert response.status_code == 401


async def test_the_lobby_follows_every_incident_on_a_server(server: ServerProcess, tokens: dict[str, str], tmp_path) -> None:
    async with HttpStore(server.url, token=tokens["alice"]) as alice, HttpStore(server.url, token=tokens["bob"]) as bob:
        await declare(alice, "alice", "INC-1", "Checkout errors", severity=2)
        await declare(bob, "bob", "INC-2", "Search lag", severity=3)
        await bob.append("INC-1", ev.EventDraft(actor="bob", body=ev.ResponderJoined()))

        async def acting() -> str:
            return await alice.whoami()

        app = lobby_app(alice, "someone", Config(), acting=acting, themes_dir=tmp_path / "themes")
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, LobbyScreen), tries=1000)
            lobby = app.screen
            await until(pilot, lambda: lobby.loaded and lobby.table.row_count == 2, tries=1000)
            assert lobby.me == "alice"  # the token decides who the lobby is
            assert lobby.table.keys() == ["INC-1", "INC-2"]
            assert lobby.table.spec("INC-1")[6] == "2 (1 also elsewhere)"  # alice and bob; bob also commands INC-2
            await bob.append("INC-2", ev.EventDraft(actor="bob", body=ev.SeverityChanged(severity=1)))
            await until(pilot, lambda: lobby.table.keys() == ["INC-2", "INC-1"], tries=1000)
            await declare(bob, "bob", "INC-3", "Login page blank", severity=1)
            await until(pilot, lambda: "INC-3" in lobby.table.keys(), tries=1000)
            await pilot.press("m")
            assert lobby.table.keys() == ["INC-1"]
