"""Racing clients: the server is the one authority, so conflicts have exactly one winner and
nothing accepted is lost, duplicated or numbered out of order."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from tests.server.harness import ServerProcess
from warroom.incident import events as ev
from warroom.store import Rejected
from warroom.store.http import HttpStore

MEMBERS = ("bob", "carol", "dave", "erin")


@pytest.fixture
async def stores(shared_server: ServerProcess, tokens: dict[str, str]):
    made: dict[str, list[HttpStore]] = {}

    def store(handle: str) -> HttpStore:
        s = HttpStore(shared_server.url, token=tokens[handle])
        made.setdefault(handle, []).append(s)
        return s

    yield store
    for group in made.values():
        for s in group:
            await s.aclose()


def draft(actor: str, body: ev.Body) -> ev.EventDraft:
    return ev.EventDraft(actor=actor, body=body)


async def _declare(store: HttpStore, incident_id: str) -> None:
    await store.append(incident_id, draft("alice", ev.IncidentDeclared(incident_id=incident_id, title="Race")))


def _contiguous(events: list[ev.StoredEvent]) -> bool:
    return [e.seq for e in events] == list(range(1, len(events) + 1)) and [e.at for e in events] == sorted(e.at for e in events)


async def test_claims_race_one_winner_per_workstream(stores):
    alice = stores("alice")
    await _declare(alice, "INC-RACE1")
    for n in range(5):
        await alice.append("INC-RACE1", draft("alice", ev.WorkstreamOpened(title=f"stream {n}")))
    members = {h: stores(h) for h in MEMBERS}
    await asyncio.gather(*(s.append("INC-RACE1", draft(h, ev.ResponderJoined())) for h, s in members.items()))
    attempts = [(h, ws) for ws in (f"WS-{n}" for n in range(1, 6)) for h in MEMBERS]
    results = await asyncio.gather(
        *(members[h].append("INC-RACE1", draft(h, ev.WorkstreamClaimed(workstream=ws))) for h, ws in attempts),
        return_exceptions=True,
    )
    won: Counter[str] = Counter()
    for (handle, ws), result in zip(attempts, results):
        if isinstance(result, ev.StoredEvent):
            won[ws] += 1
            assert result.actor == handle
        else:
            assert isinstance(result, Rejected) and "owned by" in result.reason, result
    assert won == Counter({f"WS-{n}": 1 for n in range(1, 6)})
    assert _contiguous(await alice.read("INC-RACE1"))


async def test_concurrent_appends_from_many_clients_lose_nothing(stores):
    alice = stores("alice")
    await _declare(alice, "INC-RACE2")
    clients = [(h, stores(h)) for h in MEMBERS for _ in range(2)]  # 8 clients, 8 connection pools
    drafts = [(h, s, draft(h, ev.NoteAdded(text=f"{h} {i}"))) for i, (h, s) in enumerate(clients) for _ in range(40)]
    stored = await asyncio.gather(*(s.append("INC-RACE2", d) for _, s, d in drafts))
    assert sorted(e.seq for e in stored) == list(range(2, len(drafts) + 2))
    events = await alice.read("INC-RACE2")
    assert _contiguous(events)
    assert Counter(e.id for e in events[1:]) == Counter(d.id for _, _, d in drafts)
    by_id = {e.id: e for e in events}
    assert all(by_id[d.id].actor == h for h, _, d in drafts)


async def test_the_same_draft_raced_from_two_clients_is_stored_once(stores):
    alice = stores("alice")
    await _declare(alice, "INC-RACE3")
    once = draft("alice", ev.NoteAdded(text="sent twice at once"))
    results = await asyncio.gather(*(stores("alice").append("INC-RACE3", once) for _ in range(6)))
    assert len({(r.seq, r.at, r.id) for r in results}) == 1
    assert [e.id for e in await alice.read("INC-RACE3")].count(once.id) == 1


async def test_racing_declares_of_one_id_have_one_winner(stores):
    racers = {h: stores(h) for h in ("alice", *MEMBERS)}
    results = await asyncio.gather(
        *(s.append("INC-RACE4", draft(h, ev.IncidentDeclared(incident_id="INC-RACE4", title=f"by {h}"))) for h, s in racers.items()),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, ev.StoredEvent)]
    assert len(winners) == 1
    assert all(isinstance(r, Rejected) and "already declared" in r.reason for r in results if r not in winners)
    summary = {s.id: s for s in await racers["alice"].incidents()}["INC-RACE4"]
    assert summary.commander == winners[0].actor
