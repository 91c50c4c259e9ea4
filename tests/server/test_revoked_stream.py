"""A revoked token stops receiving: an open stream ends within seconds of
``warroom token revoke`` (run by the operator in another process) and gets nothing more."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from httpx_sse import aconnect_sse

from tests.server.harness import warroom


async def test_a_stream_ends_soon_after_its_token_is_revoked(start_server, tokens):
    server = start_server()
    alice = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {tokens['alice']}"}, timeout=10)
    bob = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {tokens['bob']}"}, timeout=30)
    seen: list[int] = []
    streaming = asyncio.Event()

    async def follow() -> None:
        async with aconnect_sse(bob, "GET", "/api/incidents/INC-RV/stream") as source:
            streaming.set()
            async for message in source.aiter_sse():
                if message.data:
                    seen.append(json.loads(message.data)["seq"])

    async def note(text: str) -> int:
        response = await alice.post("/api/incidents/INC-RV/events", json={"body": {"type": "note_added", "text": text}})
        assert response.status_code == 201
        return response.json()["seq"]

    try:
        assert (await alice.post("/api/incidents", json={"incident_id": "INC-RV", "title": "Revoke"})).status_code == 201
        follower = asyncio.create_task(follow())
        await asyncio.wait_for(streaming.wait(), 10)
        before = await note("before the revoke")
        while before not in seen:
            await asyncio.sleep(0.02)
        await asyncio.to_thread(warroom, "token", "revoke", "bob", "--db", str(server.db), env=server.env)
        revoked_at = time.monotonic()
        after = [await note("after the revoke")]
        await asyncio.wait_for(follower, 10)  # the server ended the stream
        ended_in = time.monotonic() - revoked_at
        after.append(await note("after the stream ended"))
        print(f"\nstream ended {ended_in:.2f} s after `token revoke` returned")
        assert ended_in < 6
        assert after[-1] not in seen
        again = await bob.get("/api/incidents/INC-RV/stream")
        assert again.status_code == 401
    finally:
        await alice.aclose()
        await bob.aclose()
