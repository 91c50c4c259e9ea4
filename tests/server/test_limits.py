"""Per-token rate limits: 429 with Retry-After, and the store retries without losing anything."""

from __future__ import annotations

import httpx

from warroom.incident import events as ev
from warroom.server.limits import RateLimiter
from warroom.store.http import HttpStore


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_token_bucket():
    clock = Clock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [None, None, None]
    wait = limiter.take("a")
    assert wait is not None and 0 < wait <= 0.5
    assert limiter.take("b") is None  # per key
    clock.now += 0.5
    assert limiter.take("a") is None and limiter.take("a") is not None
    clock.now += 100
    assert [limiter.take("a") for _ in range(4)][:3] == [None, None, None]  # refills up to the burst only
    assert RateLimiter.retry_after_header(0.01) == "1" and RateLimiter.retry_after_header(1.2) == "2"
    assert RateLimiter(rate=0).take("a") is None


async def test_over_the_limit_is_429_and_nothing_is_lost(start_server, tokens):
    server = start_server("--rate-limit", "5", "--burst", "3")
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        statuses = [(await client.get("/api/me")).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
        limited = await client.get("/api/me")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
        assert "too many requests" in limited.json()["detail"]
        other = await client.get("/api/me", headers={"Authorization": f"Bearer {tokens['bob']}"})
        assert other.status_code == 200  # another token has its own bucket
    store = HttpStore(server.url, token=tokens["alice"], retries=10)
    try:
        await store.append("INC-L", ev.EventDraft(actor="alice", body=ev.IncidentDeclared(incident_id="INC-L", title="Limits")))
        drafts = [ev.EventDraft(actor="alice", body=ev.NoteAdded(text=f"n{i}")) for i in range(4)]
        for d in drafts:
            await store.append("INC-L", d)  # waits out each 429 and retries the same id
        events = await store.read("INC-L")
    finally:
        await store.aclose()
    assert [e.id for e in events[1:]] == [d.id for d in drafts]
    assert [e.seq for e in events] == list(range(1, 6))
