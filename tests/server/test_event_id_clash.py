"""An event id is a retry key, not a way to speak over someone: reusing alice's id for
bob's action is a 409 that says so, and nothing of bob's is silently dropped."""

from __future__ import annotations

from uuid import uuid4

import httpx


async def test_bob_reusing_alices_event_id_is_409_and_alices_retry_is_200(shared_server, tokens):
    def auth(handle: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[handle]}"}

    async with httpx.AsyncClient(base_url=shared_server.url) as client:
        declared = await client.post("/api/incidents", json={"incident_id": "INC-IDS", "title": "Ids"}, headers=auth("alice"))
        assert declared.status_code == 201
        joined = await client.post("/api/incidents/INC-IDS/events", json={"body": {"type": "responder_joined"}}, headers=auth("bob"))
        assert joined.status_code == 201
        note_id = str(uuid4())
        note = {"id": note_id, "body": {"type": "note_added", "text": "db failover done"}}
        first = await client.post("/api/incidents/INC-IDS/events", json=note, headers=auth("alice"))
        assert first.status_code == 201

        clash = await client.post("/api/incidents/INC-IDS/events", json=note, headers=auth("bob"))
        assert clash.status_code == 409
        assert "already used" in clash.json()["detail"] and note_id in clash.json()["detail"]
        other_body = {"id": note_id, "body": {"type": "note_added", "text": "something else"}}
        assert (await client.post("/api/incidents/INC-IDS/events", json=other_body, headers=auth("alice"))).status_code == 409

        retry = await client.post("/api/incidents/INC-IDS/events", json=note, headers=auth("alice"))
        assert retry.status_code == 200 and retry.json() == first.json()
        events = (await client.get("/api/incidents/INC-IDS/events", headers=auth("alice"))).json()
    assert [(e["seq"], e["actor"]) for e in events] == [(1, "alice"), (2, "bob"), (3, "alice")]
