"""A link cannot be pre-claimed (issue 21 item 3's spirit, for links).

Each half of a link used to get an id anyone could compute (uuid5 of a published namespace
and the two incident ids and the kind). A token holder who posted a note with that id first
made the commander's link fail with 409 "already used", for ever. Links are idempotent by
content instead (the rules refuse a second link between two incidents; a rerun skips a half
already recorded), so their ids are fresh and nothing can be claimed in advance.
"""

from __future__ import annotations

from uuid import UUID, uuid5

import httpx

from warroom.incident import events as ev
from warroom.links import link_incidents
from warroom.store.http import HttpStore

PUBLISHED_NAMESPACE = UUID("0d6f1f5e-6c1a-4c38-9f43-6f2b1a8a3e10")
"""The namespace the old link ids were derived from (``incident/lifecycle.py`` published it)."""


async def test_a_pre_claimed_link_id_does_not_stop_the_link(server, tokens) -> None:
    def auth(handle: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[handle]}"}

    async with httpx.AsyncClient(base_url=server.url) as client:
        for incident_id in ("INC-71", "INC-72"):
            declared = await client.post("/api/incidents", json={"incident_id": incident_id, "title": f"{incident_id} outage"}, headers=auth("alice"))
            assert declared.status_code == 201
            assert (await client.post(f"/api/incidents/{incident_id}/events", json={"body": {"type": "responder_joined"}}, headers=auth("bob"))).status_code == 201
        # bob computes both halves' ids of the link alice is about to make, and claims them with notes
        for this, other, kind in (("INC-72", "INC-71", "caused-by"), ("INC-71", "INC-72", "causes")):
            claim = {"id": str(uuid5(PUBLISHED_NAMESPACE, f"{this}|{other}|{kind}")), "body": {"type": "note_added", "text": "mine now"}}
            assert (await client.post(f"/api/incidents/{this}/events", json=claim, headers=auth("bob"))).status_code == 201

    store = HttpStore(server.url, token=tokens["alice"])
    try:
        done = await link_incidents(store, "alice", "INC-72", "INC-71", "caused-by")
        assert [incident for incident, _, _ in done.written] == ["INC-72", "INC-71"]
        again = await link_incidents(store, "alice", "INC-72", "INC-71", "caused-by")  # still never recorded twice
        assert again.written == [] and again.already == ["INC-72", "INC-71"]
        for this, other, kind in (("INC-72", "INC-71", "caused-by"), ("INC-71", "INC-72", "causes")):
            links = [e.body for e in await store.read(this) if isinstance(e.body, ev.IncidentLinked)]
            assert [(b.incident, b.kind) for b in links] == [(other, kind)]
    finally:
        await store.aclose()
