"""The store contract: every EventStore implementation must pass all of these."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from uuid import uuid4

import pytest

from tests.conftest import REPO_ROOT
from warroom.incident import events as ev
from warroom.store import InvalidIncidentId, Rejected, StoreError, UnknownIncident


def draft(actor: str, body: ev.Body) -> ev.EventDraft:
    return ev.EventDraft(actor=actor, body=body)


async def declare(store, incident_id: str = "INC-1", actor: str = "alice") -> ev.StoredEvent:
    return await store.append(incident_id, draft(actor, ev.IncidentDeclared(incident_id=incident_id, title="Checkout down", severity=2)))


async def next_event(iterator, timeout: float = 10.0) -> ev.StoredEvent:
    return await asyncio.wait_for(anext(iterator), timeout)


async def test_declare_then_read(backend):
    store = backend.store_for("alice")
    first = await declare(store)
    assert first.seq == 1 and first.actor == "alice" and first.at.tzinfo is not None
    events = await store.read("INC-1")
    assert [e.seq for e in events] == [1]
    assert events[0].id == first.id
    assert isinstance(events[0].body, ev.IncidentDeclared)


async def test_seqs_are_contiguous_and_read_after_returns_the_tail(backend):
    store = backend.store_for("alice")
    await declare(store)
    for n in range(5):
        await store.append("INC-1", draft("alice", ev.NoteAdded(text=f"note {n}")))
    assert [e.seq for e in await store.read("INC-1")] == [1, 2, 3, 4, 5, 6]
    tail = await store.read("INC-1", after=4)
    assert [e.seq for e in tail] == [5, 6]
    assert [e.body.text for e in tail] == ["note 3", "note 4"]
    assert await store.read("INC-1", after=6) == []
    stamps = [e.at for e in await store.read("INC-1")]
    assert stamps == sorted(stamps)


async def test_a_retried_append_stores_once_and_returns_the_original(backend):
    store = backend.store_for("alice")
    await declare(store)
    once = draft("alice", ev.NoteAdded(text="restarted the fleet"))
    first = await store.append("INC-1", once)
    again = await store.append("INC-1", once)
    assert again.seq == first.seq and again.at == first.at and again.id == first.id
    notes = [e for e in await store.read("INC-1") if e.type == "note_added"]
    assert len(notes) == 1


async def test_a_rule_refusal_raises_with_the_reason_and_stores_nothing(backend):
    alice, bob = backend.store_for("alice"), backend.store_for("bob")
    await declare(alice)
    await alice.append("INC-1", draft("alice", ev.WorkstreamOpened(title="Stop the rule")))
    await alice.append("INC-1", draft("alice", ev.WorkstreamClaimed(workstream="WS-1")))
    with pytest.raises(Rejected) as refused:
        await bob.append("INC-1", draft("bob", ev.WorkstreamClaimed(workstream="WS-1")))
    assert "owned by alice" in refused.value.reason
    with pytest.raises(Rejected) as refused:
        await bob.append("INC-1", draft("bob", ev.BroadcastSent(text="all good")))
    assert "only the commander" in refused.value.reason
    assert [e.seq for e in await alice.read("INC-1")] == [1, 2, 3]


async def test_declaring_an_existing_incident_is_refused(backend):
    store = backend.store_for("alice")
    await declare(store)
    with pytest.raises(Rejected, match="already declared"):
        await declare(store)


async def test_unknown_incident(backend):
    store = backend.store_for("alice")
    with pytest.raises(UnknownIncident, match="INC-404"):
        await store.read("INC-404")
    with pytest.raises(UnknownIncident, match="INC-404"):
        await store.append("INC-404", draft("alice", ev.NoteAdded(text="hello?")))


@pytest.mark.parametrize("bad", ["../x", "a/b", "..", "INC 1", "", "x" * 100])
async def test_unsafe_incident_ids_are_refused(backend, bad):
    store = backend.store_for("alice")
    with pytest.raises(InvalidIncidentId):
        await store.read(bad)
    with pytest.raises((InvalidIncidentId, Rejected)):
        await store.append(bad, draft("alice", ev.NoteAdded(text="x")))


async def test_incidents_lists_what_was_declared(backend):
    store = backend.store_for("alice")
    await declare(store, "INC-1")
    await declare(store, "INC-2")
    await store.append("INC-2", draft("alice", ev.SeverityChanged(severity=1)))
    found = {s.id: s for s in await store.incidents()}
    assert set(found) == {"INC-1", "INC-2"}
    assert found["INC-2"].severity == 1 and found["INC-2"].commander == "alice"
    assert found["INC-1"].title == "Checkout down"


async def test_follow_yields_history_then_new_events_in_order(backend):
    store = backend.store_for("alice")
    await declare(store)
    await store.append("INC-1", draft("alice", ev.NoteAdded(text="one")))
    follower = backend.store_for("alice")
    stream = follower.follow("INC-1", after=0)
    try:
        assert (await next_event(stream)).seq == 1
        assert (await next_event(stream)).seq == 2
        await store.append("INC-1", draft("alice", ev.NoteAdded(text="three")))
        third = await next_event(stream)
        assert third.seq == 3 and third.body.text == "three"
    finally:
        await stream.aclose()


async def test_follow_after_skips_what_was_seen(backend):
    store = backend.store_for("alice")
    await declare(store)
    for n in range(3):
        await store.append("INC-1", draft("alice", ev.NoteAdded(text=str(n))))
    stream = store.follow("INC-1", after=3)
    try:
        assert (await next_event(stream)).seq == 4
    finally:
        await stream.aclose()


async def test_follow_sees_events_appended_by_another_process(backend):
    store = backend.store_for("alice")
    await declare(store)
    stream = backend.store_for("alice").follow("INC-1", after=1)
    try:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        command = [sys.executable, "-m", "warroom", "note", "INC-1", "from another process", *backend.cli_args("bob")]
        result = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60
        )
        assert result.returncode == 0, result.stderr
        seen = await next_event(stream)
        assert seen.seq == 2 and seen.actor == "bob" and seen.body.text == "from another process"
    finally:
        await stream.aclose()


async def test_two_racing_claims_have_exactly_one_winner(backend):
    alice = backend.store_for("alice")
    await declare(alice)
    await alice.append("INC-1", draft("alice", ev.WorkstreamOpened(title="Restore objects")))
    handles = ["bob", "carol", "dave", "erin"]
    stores = [backend.store_for(h) for h in handles]
    for handle, store in zip(handles, stores):
        await store.append("INC-1", draft(handle, ev.ResponderJoined()))
    results = await asyncio.gather(
        *(s.append("INC-1", draft(h, ev.WorkstreamClaimed(workstream="WS-1"))) for h, s in zip(handles, stores)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, ev.StoredEvent)]
    losers = [r for r in results if isinstance(r, Rejected)]
    assert len(winners) == 1 and len(losers) == 3
    assert all("owned by" in loser.reason for loser in losers)
    events = await alice.read("INC-1")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


async def test_an_event_id_is_the_clients(backend):
    store = backend.store_for("alice")
    await declare(store)
    chosen = uuid4()
    stored = await store.append("INC-1", ev.EventDraft(id=chosen, actor="alice", body=ev.NoteAdded(text="x")))
    assert stored.id == chosen


async def test_an_event_id_reused_for_another_action_is_refused_and_the_retry_still_works(backend):
    alice, bob = backend.store_for("alice"), backend.store_for("bob")
    await declare(alice)
    theirs = ev.EventDraft(actor="alice", body=ev.NoteAdded(text="rolled back deploy 118"))
    original = await alice.append("INC-1", theirs)
    with pytest.raises(Rejected) as clash:  # another responder, same id
        await bob.append("INC-1", ev.EventDraft(id=theirs.id, actor="bob", body=ev.NoteAdded(text="rolled back deploy 118")))
    assert "already used" in clash.value.reason
    with pytest.raises(Rejected) as clash:  # the same responder, a different action
        await alice.append("INC-1", ev.EventDraft(id=theirs.id, actor="alice", body=ev.NoteAdded(text="something else")))
    assert "already used" in clash.value.reason
    again = await alice.append("INC-1", theirs)  # a true retry
    assert (again.seq, again.id, again.at) == (original.seq, original.id, original.at)
    events = await alice.read("INC-1")
    assert [e.seq for e in events] == [1, 2] and events[1].body.text == "rolled back deploy 118"


async def test_load_state_equals_folding_every_event_and_keeps_up(backend):
    from warroom.incident import fold

    store = backend.store_for("alice")
    await declare(store)
    await store.append("INC-1", draft("alice", ev.WorkstreamOpened(title="Roll back")))
    await store.append("INC-1", draft("alice", ev.BroadcastSent(text="rolling back", audience="stakeholders")))
    first = await backend.store_for("bob").load_state("INC-1")
    assert first == fold(await store.read("INC-1")) and first.seq == 3
    for n in range(4):  # the store's checkpoint (if any) is now behind: the rest is folded on top
        await store.append("INC-1", draft("alice", ev.NoteAdded(text=f"note {n}")))
    later = await backend.store_for("carol").load_state("INC-1")
    assert later == fold(await store.read("INC-1")) and later.seq == 7
    assert later.timeline[-1].text == "note 3"
    with pytest.raises(UnknownIncident):
        await store.load_state("INC-404")


async def test_incident_ids_and_handles_are_case_insensitive(backend):
    """One canonical form in the log (ids upper case, handles lower case); any case on input."""
    store = backend.store_for("alice")
    first = await store.append("inc-7", draft("Alice", ev.IncidentDeclared(incident_id="inc-7", title="t")))
    assert first.actor == "alice" and first.body.incident_id == "INC-7"
    await store.append("Inc-7", draft("ALICE", ev.NoteAdded(text="same person, same incident")))
    for spelling in ("INC-7", "inc-7", "iNc-7"):
        events = await store.read(spelling)
        assert [(e.seq, e.actor) for e in events] == [(1, "alice"), (2, "alice")]
    assert [s.id for s in await store.incidents()] == ["INC-7"]
    with pytest.raises(Rejected, match="already declared"):
        await store.append("INC-7", draft("alice", ev.IncidentDeclared(incident_id="INC-7", title="a second INC-7")))


async def test_a_link_is_written_into_both_logs_and_a_forged_mirror_is_refused(backend):
    """The authority checks a link's second half against the other log (no rule over one log can)."""
    from warroom.links import link_incidents

    alice, bob = backend.store_for("alice"), backend.store_for("bob")
    await declare(alice, "INC-1", "alice")
    await declare(bob, "INC-2", "bob")
    forged = ev.IncidentLinked(incident="INC-1", kind="caused-by", mirror=True)
    with pytest.raises(Rejected, match="INC-1 holds no link to INC-2 to mirror"):
        await alice.append("INC-2", draft("alice", forged))
    done = await link_incidents(alice, "alice", "INC-2", "INC-1", "caused-by")
    assert [(incident, stored.body.kind, stored.body.mirror) for incident, stored, _ in done.written] == [
        ("INC-1", "causes", False),
        ("INC-2", "caused-by", True),
    ]
    again = await link_incidents(bob, "bob", "INC-2", "INC-1", "caused-by")
    assert again.written == [] and again.already == ["INC-2", "INC-1"]
    assert (await bob.load_state("INC-2")).summary_dict()["links"] == [{"incident": "INC-1", "kind": "caused-by"}]
    found = {s.id: [(link.incident, link.kind) for link in s.links] for s in await bob.incidents()}
    assert found == {"INC-1": [("INC-2", "causes")], "INC-2": [("INC-1", "caused-by")]}


async def test_a_decision_and_an_impact_note_round_trip_and_the_rules_refuse_one_from_a_break(backend):
    """Issue 25: decisions and impact notes are events like any other, on every backend, the CLI included."""
    alice, bob = backend.store_for("alice"), backend.store_for("bob")
    await declare(alice)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [
        sys.executable, "-m", "warroom", "decide", "INC-1", "Disable the rule in the console",
        "--why", "fastest stop", "--alternatives", "revert in Terraform", *backend.cli_args("bob"),
    ]
    result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "◆ decided: Disable the rule in the console (why: fastest stop)" in result.stdout
    await alice.append("INC-1", draft("alice", ev.NoteAdded(text="4,821 customers affected", impact=True)))
    await bob.append("INC-1", draft("bob", ev.ShiftChanged(shift="break", minutes=5)))
    with pytest.raises(Rejected) as refused:
        await bob.append("INC-1", draft("bob", ev.DecisionMade(text="Fail over")))
    assert "on a break" in refused.value.reason
    events = await alice.read("INC-1")
    decision, note = events[1].body, events[2].body
    assert (events[1].actor, decision.text, decision.why, decision.alternatives) == (
        "bob", "Disable the rule in the console", "fastest stop", "revert in Terraform",
    )
    assert note.impact is True and len(events) == 4
    state = await alice.load_state("INC-1")
    assert [(d.by, d.text) for d in state.decisions] == [("bob", "Disable the rule in the console")]


async def test_a_rename_by_the_commander_through_the_cli_is_the_title_everywhere(backend):
    """Issue 22 item 7: the lobby's summary and the folded state carry the new title, not the declared one."""
    alice, bob = backend.store_for("alice"), backend.store_for("bob")
    await declare(alice)
    await bob.append("INC-1", draft("bob", ev.ResponderJoined()))
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-m", "warroom", "rename", "INC-1", "EU checkout fails for card payments", *backend.cli_args("alice")]
    result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'renamed the incident: "Checkout down" → "EU checkout fails for card payments"' in result.stdout
    with pytest.raises(Rejected) as refused:
        await bob.append("INC-1", draft("bob", ev.IncidentRenamed(title="Something else")))
    assert "only the commander can rename the incident" in refused.value.reason
    assert (await alice.load_state("INC-1")).title == "EU checkout fails for card payments"
    assert [s.title for s in await bob.incidents()] == ["EU checkout fails for card payments"]


async def test_a_person_writes_no_alert_events_whatever_name_they_give(backend):
    """Issue 21: alerts come only from a hook's intake; every store refuses them from a person."""
    store = backend.store_for("alice")
    await declare(store)
    fired = ev.AlertFired(group="g", fingerprint="f1", name="Disk", starts_at=ev.utcnow(), links=[ev.AlertLink(title="runbook", url="https://evil.example/")])
    for body, words in (
        (fired, "alert_fired comes only from an alert hook"),
        (ev.AlertResolved(group="g", fingerprint="f1", name="Disk"), "alert_resolved comes only from an alert hook"),
    ):
        with pytest.raises(Rejected) as refused:
            await store.append("INC-1", draft("alice", body))
        assert words in refused.value.reason
    with pytest.raises(StoreError) as refused:  # the HTTP store declares through /api/incidents, which has no alert_group
        await store.append("INC-2", draft("alice", ev.IncidentDeclared(incident_id="INC-2", title="from a hook", severity=1, alert_group="g")))
    assert any(words in str(refused.value) for words in ("only an alert hook declares an incident for an alert group", "invalid alert_group"))
    assert [summary.id for summary in await store.incidents()] == ["INC-1"]
    assert [e.type for e in await store.read("INC-1")] == ["incident_declared"]


async def test_a_playbook_its_ticks_and_fields_give_the_same_show_json_on_every_backend(backend):
    """Issue 24: the playbook copied into the log at declare, ticks and field values are events like
    any other; ``show --json`` says the same on every backend (times left aside), the CLI included."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))

    async def cli(*args: str, actor: str = "alice") -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "warroom", *args, *backend.cli_args(actor)]
        return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60)

    declared = await cli("declare", "INC-1", "--title", "Objects expiring", "--playbook", "data-loss")
    assert declared.returncode == 0, declared.stderr
    bob = backend.store_for("bob")
    await bob.append("INC-1", draft("bob", ev.ChecklistTicked(item="C-6")))
    assert (await cli("check", "INC-1", "C-1")).returncode == 0
    assert (await cli("field", "INC-1", "customers_affected", "1,200", actor="bob")).returncode == 0
    with pytest.raises(Rejected) as refused:
        await bob.append("INC-1", draft("bob", ev.FieldSet(name="customers_affected", value="many")))
    assert "customers_affected takes a whole number" in refused.value.reason
    with pytest.raises(Rejected) as refused:
        await bob.append("INC-1", draft("bob", ev.ChecklistItemAdded(text="Mine")))
    assert "only the commander can add a checklist item" in refused.value.reason
    shown = await cli("show", "INC-1", "--json", actor="bob")
    assert shown.returncode == 0, shown.stderr
    state = json.loads(shown.stdout)
    assert state["playbook"] == "data-loss" and [ws["title"] for ws in state["workstreams"]][:1] == ["Stop the automation"]
    ticked = [(i["id"], i["by"]) for i in state["checklist"] if i["done"]]
    assert ticked == [("C-1", "alice"), ("C-6", "bob")] and all(i["at"] for i in state["checklist"] if i["done"])
    assert [(f["name"], f["value"]) for f in state["fields"]] == [
        ("customers_affected", 1200), ("objects_lost", None), ("objects_affected", None), ("automation_stopped", None), ("data_window", None),
    ]
    assert (await bob.load_state("INC-1")).summary_dict()["checklist"] == state["checklist"]
