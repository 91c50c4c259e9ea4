"""Closing, reopening and linking incidents, as the rules and the fold see them (issue 10 item 4, issue 13 part 2)."""

from __future__ import annotations

from datetime import timedelta

from tests.builder import T0, LogBuilder
from warroom.incident import events as ev
from warroom.incident.lifecycle import still_open
from warroom.incident.rules import check


def declared(actor: str = "alice", incident_id: str = "INC-1") -> LogBuilder:
    log = LogBuilder(incident_id)
    log.declare(actor)
    return log


def test_closing_lists_what_is_still_open():
    log = declared()
    log.add("alice", ev.StatusChanged(status="mitigated"))
    log.add("bob", ev.WorkstreamOpened(title="Fail over the replica"))
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    log.add("bob", ev.WorkstreamOpened(title="Tell support"))
    log.add("bob", ev.WorkstreamOpened(title="Done already"))
    log.add("bob", ev.WorkstreamStatusSet(workstream="WS-3", status="done"))
    log.add("carol", ev.ResponderJoined())
    log.add("bob", ev.HandoffOffered(workstream="WS-1", to="carol", note="half way"))
    log.add("alice", ev.CommandHandoverOffered(to="carol"))
    assert still_open(log.state()) == [
        "status is mitigated, not resolved",
        'WS-1 "Fail over the replica" is active (bob)',
        'WS-2 "Tell support" is open (unowned)',
        "WS-1 is offered to carol (hand-off pending)",
        "command is offered to carol (pending)",
    ]
    log.add("alice", ev.StatusChanged(status="resolved"))
    log.add("bob", ev.WorkstreamStatusSet(workstream="WS-1", status="done"))
    log.add("bob", ev.WorkstreamStatusSet(workstream="WS-2", status="done"))
    log.add("carol", ev.HandoffDeclined(workstream="WS-1"))
    log.add("carol", ev.CommandHandoverDeclined())
    assert still_open(log.state()) == []


def test_a_closed_incident_refuses_all_but_action_items_links_and_a_reopen():
    log = declared()
    log.add("alice", ev.ActionItemAdded(text="Add a lock timeout"))
    log.add("alice", ev.IncidentClosed())
    state = log.state()
    for body in (ev.NoteAdded(text="late"), ev.EntryStarred(target=1), ev.KeyTimeSet(which="started", time=T0),
                 ev.WorkstreamOpened(title="x"), ev.SeverityChanged(severity=1), ev.ShiftChanged(shift="off")):
        assert check(state, "alice", body) == "INC-1 is closed", body
    assert check(state, "bob", ev.ActionItemAdded(text="more")) is None
    assert check(state, "bob", ev.ActionItemStatusSet(item="A-1", status="done")) is None
    assert check(state, "alice", ev.IncidentLinked(incident="INC-2", kind="causes", mirror=True)) is None
    assert check(state, "bob", ev.IncidentReopened(reason="it came back")) == "only the commander can reopen the incident (alice is in command)"
    assert check(state, "alice", ev.IncidentReopened(reason="it came back")) is None


def test_reopen_runs_the_incident_again_and_is_on_the_timeline():
    log = declared()
    log.add("bob", ev.WorkstreamOpened(title="Fail over"))
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    log.add("alice", ev.IncidentClosed(summary="fixed"))
    assert check(log.state(), "alice", ev.IncidentReopened(reason="x")) is None
    assert check(declared().state(), "alice", ev.IncidentReopened(reason="x")) == "INC-1 is not closed"
    reopened = log.add("alice", ev.IncidentReopened(reason="errors are back"))
    log.add("alice", ev.NoteAdded(text="back at it"))
    state = log.state()
    assert not state.closed and state.closed_at is None and "resolved" not in state.key_times
    assert state.timeline[-2].text == "reopened the incident: errors are back" and state.timeline[-1].rejected is None
    assert state.command_spans[-1].holder == "alice" and state.command_spans[-1].start == reopened.at
    assert state.workstreams["WS-1"].owners[-1].end is None and state.age(T0 + timedelta(hours=1)) > timedelta(0)


def test_linking_needs_the_commander_unless_it_mirrors_the_other_log():
    state = declared().state()
    link = ev.IncidentLinked(incident="INC-2", kind="caused-by")
    assert check(state, "bob", link) == "only the commander can link incidents (alice is in command)"
    assert check(state, "alice", link) is None
    assert check(state, "bob", ev.IncidentLinked(incident="INC-2", kind="caused-by", mirror=True)) is None
    assert check(state, "alice", ev.IncidentLinked(incident="INC-1", kind="related")) == "INC-1 cannot be linked to itself"


def test_a_link_is_recorded_once_and_shown_in_the_json():
    log = declared()
    log.add("alice", ev.IncidentLinked(incident="inc-2", kind="caused-by", title="Deploy broke auth", started=T0 - timedelta(hours=1)))
    state = log.state()
    assert state.timeline[-1].text == 'linked: this incident was caused by INC-2 "Deploy broke auth"'
    assert state.summary_dict()["links"] == [{"incident": "INC-2", "kind": "caused-by"}]
    again = check(state, "alice", ev.IncidentLinked(incident="INC-2", kind="related"))
    assert again == "INC-1 is already linked to INC-2 (caused-by)"


def test_duplicate_of_closes_the_duplicate_with_a_pointer_and_reopen_clears_it():
    log = declared()
    log.add("bob", ev.IncidentLinked(incident="INC-2", kind="duplicate-of", mirror=True))
    state = log.state()
    assert state.closed and state.duplicate_of == "INC-2" and state.summary == "duplicate of INC-2"
    assert state.timeline[-1].text == "linked: this incident is a duplicate of INC-2 (closed: the work goes on there)"
    log.add("alice", ev.IncidentReopened(reason="not the same after all"))
    state = log.state()
    assert not state.closed and state.duplicate_of is None and state.links[0].kind == "duplicate-of"


def test_the_other_commanders_mirror_link_and_work_after_close_join_nobody():
    """Linking from INC-2 writes its mirror here as INC-2's commander: that does not put them on
    shift in this incident (they would count in its fatigue and be offered its hand-offs), nor does
    following an action item up after the close."""
    log = declared()
    log.add("carol", ev.IncidentLinked(incident="INC-2", kind="causes", mirror=True))
    log.add("alice", ev.IncidentClosed())
    log.add("dave", ev.ActionItemAdded(text="Add a canary"))
    state = log.state()
    assert [link.incident for link in state.links] == ["INC-2"] and len(state.action_items) == 1
    assert list(state.responders) == ["alice"]


def test_still_open_lists_unticked_required_items_and_unset_required_fields():
    from tests.builder import LogBuilder
    from warroom.incident import events as ev
    from warroom.incident.lifecycle import still_open

    log = LogBuilder()
    log.declare_with_playbook("alice")
    log.add("alice", ev.ChecklistTicked(item="C-1"))
    lines = still_open(log.state())
    assert 'C-3 "Count the customers" (everyone) is not ticked' in lines
    assert "field customers_affected (Customers affected) is not set" in lines
    assert not any(line.startswith(("C-1", "C-2", "field automation")) for line in lines)
    log.add("alice", ev.ChecklistTicked(item="C-3"))
    log.add("alice", ev.FieldSet(name="customers_affected", value=0))
    assert not any("C-3" in line or "customers_affected" in line for line in still_open(log.state()))
