"""Every event type folds into the state it should, and refused events change nothing."""

from __future__ import annotations

from datetime import timedelta

from tests.builder import T0, LogBuilder
from warroom.incident import events as ev
from warroom.incident import fold


def declared() -> LogBuilder:
    log = LogBuilder()
    log.declare("alice")
    return log


def test_declaring_makes_the_declarer_commander_and_on_shift():
    state = declared().state()
    assert (state.id, state.title, state.severity, state.declared) == ("INC-1", "Objects expiring", 2, True)
    assert state.commander == "alice" and state.commander_since == T0
    assert state.responders["alice"].shift == "on"
    assert state.key_times["started"] == T0 == state.key_times["detected"]
    assert state.timeline[0].text == 'declared INC-1 "Objects expiring" at SEV2'


def test_a_drill_is_marked():
    log = LogBuilder()
    log.add("alice", ev.IncidentDeclared(incident_id="INC-1", title="Game day", drill=True), minutes=0)
    assert log.state().drill and "(drill)" in log.state().timeline[0].text


def test_first_action_joins_on_shift_and_explicit_join_works():
    log = declared()
    log.add("bob", ev.NoteAdded(text="looking at the dashboards"))
    log.add("carol", ev.ResponderJoined())
    state = log.state()
    assert state.responders["bob"].shift == "on" and state.responders["carol"].shift == "on"
    assert state.timeline[-1].text == "joined"


def test_workstream_lifecycle_numbers_claims_releases_and_status():
    log = declared()
    log.add("bob", ev.WorkstreamOpened(title="Stop the lifecycle rule"))
    log.add("bob", ev.WorkstreamOpened(title="Restore objects"))
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    state = log.state()
    assert list(state.workstreams) == ["WS-1", "WS-2"]
    assert state.workstreams["WS-1"].owner == "bob" and state.workstreams["WS-1"].status == "active"
    assert state.workstreams["WS-2"].owner is None
    log.add("bob", ev.WorkstreamStatusSet(workstream="WS-1", status="blocked", note="need prod access"))
    ws = log.state().workstreams["WS-1"]
    assert ws.status == "blocked" and ws.status_note == "need prod access"
    log.add("bob", ev.WorkstreamReleased(workstream="WS-1"))
    ws = log.state().workstreams["WS-1"]
    assert ws.owner is None and [s.holder for s in ws.owners] == ["bob"] and ws.owners[0].end is not None


def test_handoff_is_pending_until_accepted_and_can_be_declined():
    log = declared()
    log.add("carol", ev.ResponderJoined())
    log.add("bob", ev.WorkstreamOpened(title="Restore objects"))
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    log.add("bob", ev.HandoffOffered(workstream="WS-1", to="carol", note="restored eu-1, eu-2 next"))
    ws = log.state().workstreams["WS-1"]
    assert ws.owner == "bob" and ws.pending.to == "carol" and ws.pending.note == "restored eu-1, eu-2 next"
    assert [w.id for w in log.state().pending_for("carol")] == ["WS-1"]
    log.add("carol", ev.HandoffDeclined(workstream="WS-1"))
    assert log.state().workstreams["WS-1"].pending is None
    log.add("bob", ev.HandoffOffered(workstream="WS-1", to="carol", note="please"))
    log.add("carol", ev.HandoffAccepted(workstream="WS-1"))
    ws = log.state().workstreams["WS-1"]
    assert ws.owner == "carol" and ws.pending is None
    assert [(s.holder, s.note) for s in ws.owners] == [("bob", ""), ("carol", "please")]
    assert log.state().timeline[-1].text == 'accepted WS-1 "Restore objects" from bob'


def test_shift_changes_break_and_off():
    log = declared()
    log.add("bob", ev.ResponderJoined())
    log.add("bob", ev.ShiftChanged(shift="break", minutes=20))
    bob = log.state().responders["bob"]
    assert bob.shift == "break" and bob.back_at == log.events[-1].at + timedelta(minutes=20)
    assert "back at" in log.state().timeline[-1].text
    log.add("bob", ev.ShiftChanged(shift="on"), minutes=15)
    assert log.state().timeline[-1].text == "came back from a break"
    log.add("bob", ev.ShiftChanged(shift="off"), minutes=60)
    bob = log.state().responders["bob"]
    assert bob.shift == "off" and bob.on_shift_total == timedelta(minutes=76)
    assert bob.breaks[0][1] is not None and bob.time_on_shift(log.clock) == timedelta(0)


def test_going_off_shift_lets_offers_to_you_lapse_and_clears_roles():
    log = declared()
    log.add("bob", ev.ResponderJoined())
    log.add("alice", ev.RoleAssigned(role="scribe", handle="bob"))
    log.add("alice", ev.WorkstreamOpened(title="Verify"))
    log.add("alice", ev.WorkstreamClaimed(workstream="WS-1"))
    log.add("alice", ev.HandoffOffered(workstream="WS-1", to="bob"))
    log.add("bob", ev.ShiftChanged(shift="off"))
    state = log.state()
    assert state.workstreams["WS-1"].pending is None and "scribe" not in state.roles


def test_command_handover_offer_accept_decline_and_assume():
    log = declared()
    log.add("bob", ev.ResponderJoined())
    log.add("alice", ev.CommandHandoverOffered(to="bob", note="sev2, two workstreams"))
    assert log.state().command_offer.to == "bob" and log.state().commander == "alice"
    log.add("bob", ev.CommandHandoverDeclined())
    assert log.state().command_offer is None and log.state().commander == "alice"
    log.add("alice", ev.CommandHandoverOffered(to="bob", note="for real"))
    log.add("bob", ev.CommandHandoverAccepted())
    state = log.state()
    assert state.commander == "bob" and [(s.holder, s.note) for s in state.command_spans] == [("alice", ""), ("bob", "for real")]
    log.add("bob", ev.ShiftChanged(shift="break", minutes=10))
    log.add("alice", ev.CommandAssumed())
    assert log.state().commander == "alice"
    assert log.state().timeline[-1].text == "assumed command (bob was on a break)"


def test_roles_assign_and_clear():
    log = declared()
    log.add("bob", ev.ResponderJoined())
    log.add("alice", ev.RoleAssigned(role="comms", handle="bob"))
    assert log.state().roles == {"comms": "bob"} and log.state().roles_of("bob") == ["comms"]
    log.add("alice", ev.RoleCleared(role="comms"))
    assert log.state().roles == {}
    assert log.state().timeline[-1].text == "cleared the comms role (was bob)"


def test_notes_stars_and_broadcasts():
    log = declared()
    log.add("bob", ev.NoteAdded(text="rule `expire-30d` | prod", star=True))
    log.add("bob", ev.NoteAdded(text="plain"))
    log.add("bob", ev.EntryStarred(target=3))
    log.add("alice", ev.BroadcastSent(text="all hands: stop deploys"))
    log.add("alice", ev.BroadcastSent(text="we are restoring data", audience="stakeholders"))
    state = log.state()
    assert state.timeline[1].text == "rule `expire-30d` | prod" and state.timeline[1].starred
    assert state.entry(3).starred
    assert [b.audience for b in state.broadcasts] == ["responders", "stakeholders"]
    assert state.last_stakeholder_update == log.events[-1].at


def test_stakeholder_update_cadence_snooze_and_overdue():
    log = declared()  # SEV2: every 30 minutes
    state = log.state()
    assert state.next_update_due() == T0 + timedelta(minutes=30)
    assert state.update_overdue_by(T0 + timedelta(minutes=34)) == timedelta(minutes=4)
    log.add("alice", ev.BroadcastSent(text="update", audience="stakeholders"), minutes=10)
    assert log.state().next_update_due() == T0 + timedelta(minutes=40)
    log.add("alice", ev.UpdateSnoozed(minutes=60), minutes=1)
    assert log.state().next_update_due() == T0 + timedelta(minutes=100), "snooze moves the due time itself: 40 + 60"
    log.add("alice", ev.SeverityChanged(severity=4))
    assert log.state().next_update_due() is None


def test_a_rename_changes_the_title_and_the_timeline_says_from_what():
    log = declared()
    declared_title = log.state().title
    log.add("alice", ev.IncidentRenamed(title="EU buckets lose objects"))
    log.add("bob", ev.IncidentRenamed(title="Not the commander's idea"))
    state = log.state()
    assert state.title == "EU buckets lose objects"
    assert state.timeline[-2].text == f'renamed the incident: "{declared_title}" → "EU buckets lose objects"'
    assert state.timeline[-1].rejected and "only the commander" in state.timeline[-1].rejected


def test_severity_status_key_times_action_items_and_close():
    log = declared()
    log.add("alice", ev.SeverityChanged(severity=1))
    log.add("alice", ev.StatusChanged(status="mitigated"))
    log.add("alice", ev.KeyTimeSet(which="started", time=T0 - timedelta(hours=2)))
    log.add("bob", ev.ActionItemAdded(text="Guard lifecycle rules with a dry run", owner="carol", kind="preventative"))
    log.add("alice", ev.IncidentClosed(summary="restored"))
    state = log.state()
    assert state.severity == 1 and [s for _, s in state.severity_history] == [2, 1]
    assert state.status == "mitigated" and state.key_times["mitigated"] == log.events[2].at
    assert state.key_times["started"] == T0 - timedelta(hours=2)
    assert state.action_items[0].kind == "preventative" and state.action_items[0].owner == "carol"
    assert state.closed and state.closed_at == log.events[-1].at and state.key_times["resolved"] == state.closed_at
    assert state.timeline[1].text == "changed severity SEV2 → SEV1"


def test_refused_events_are_kept_marked_and_change_nothing():
    log = declared()
    log.add("bob", ev.WorkstreamOpened(title="Stop the rule"))
    log.add("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    before = log.state()
    log.add("carol", ev.WorkstreamClaimed(workstream="WS-1"))
    log.add("bob", ev.BroadcastSent(text="I am not the commander"))
    log.add("bob", ev.ShiftChanged(shift="off"))
    after = log.state()
    assert [e.rejected is not None for e in after.timeline[-3:]] == [True, True, True]
    assert after.timeline[-3].rejected == "WS-1 is owned by bob: ask them to hand it off"
    assert "carol" not in after.responders
    assert after.workstreams["WS-1"].owner == "bob" and after.broadcasts == []
    assert after.responders["bob"].shift == "on"
    assert after.seq == before.seq + 3


def test_events_before_a_declaration_are_refused():
    log = LogBuilder()
    log.add("bob", ev.NoteAdded(text="hello?"))
    state = log.state()
    assert state.timeline[0].rejected == "the incident has not been declared" and not state.responders


def test_closed_incident_refuses_everything_but_action_items():
    log = declared()
    log.add("alice", ev.IncidentClosed())
    log.add("alice", ev.WorkstreamOpened(title="late"))
    log.add("alice", ev.NoteAdded(text="post-mortem on Friday"))
    log.add("alice", ev.ActionItemAdded(text="post-mortem on Friday"))
    state = log.state()
    assert [e.rejected for e in state.timeline[-3:]] == ["INC-1 is closed", "INC-1 is closed", None]
    assert not state.workstreams and len(state.action_items) == 1


def test_reopen_and_link_fold_into_the_state():
    log = declared()
    log.add("alice", ev.IncidentLinked(incident="INC-2", kind="causes"))
    log.add("alice", ev.IncidentClosed())
    log.add("alice", ev.IncidentReopened(reason="came back"))
    state = log.state()
    assert [(link.incident, link.kind, link.by) for link in state.links] == [("INC-2", "causes", "alice")]
    assert not state.closed and all(e.rejected is None for e in state.timeline)


def test_replayed_or_duplicate_events_are_ignored():
    log = declared()
    log.add("alice", ev.NoteAdded(text="once"))
    state = fold(log.events)
    fold(log.events, state)  # the same prefix again
    assert state.seq == 2 and len(state.timeline) == 2


def test_fatigue_and_command_hint_and_stale_workstreams():
    log = declared()
    log.add("bob", ev.WorkstreamOpened(title="Verify"))
    state = log.state()
    alice = state.responders["alice"]
    assert alice.fatigue(T0 + timedelta(hours=3)) is None
    assert alice.fatigue(T0 + timedelta(hours=4)) == "warn"
    assert alice.fatigue(T0 + timedelta(hours=8, minutes=1)) == "limit"
    assert not state.command_handover_suggested(T0 + timedelta(minutes=59))
    assert state.command_handover_suggested(T0 + timedelta(minutes=60))
    assert state.stale_workstreams(T0 + timedelta(minutes=20)) == []
    assert [ws.id for ws in state.stale_workstreams(T0 + timedelta(minutes=31))] == ["WS-1"]


def test_every_event_type_is_covered_here():
    import pathlib

    source = pathlib.Path(__file__).read_text()
    missing = [cls.__name__ for cls in ev.BODY_TYPES if f"ev.{cls.__name__}(" not in source]
    assert missing == []


# --- action items --------------------------------------------------------------


def test_action_items_get_short_ids_a_due_date_and_a_status_that_follows_through():
    from datetime import date

    log = declared()
    log.add("bob", ev.ActionItemAdded(text="Lock timeout on migrations", owner="erin", kind="preventative", due=date(2026, 12, 9)))
    log.add("bob", ev.ActionItemAdded(text="Alert on EU errors"))
    state = log.state()
    assert [(a.id, a.status, a.due) for a in state.action_items] == [("A-1", "open", date(2026, 12, 9)), ("A-2", "open", None)]
    assert state.timeline[-2].text == "added action item A-1 (preventative, owner erin, due 2026-12-09): Lock timeout on migrations"
    log.add("erin", ev.ActionItemStatusSet(item="A-1", status="in_progress"))
    log.add("alice", ev.IncidentClosed())
    log.add("erin", ev.ActionItemStatusSet(item="A-1", status="done"))
    log.add("bob", ev.ActionItemStatusSet(item="A-2", status="wont_do", reason="covered by the SLO alert"))
    state = log.state()
    a1, a2 = state.action_items
    assert (a1.status, a1.status_by, a1.is_open) == ("done", "erin", False)
    assert (a2.status, a2.reason) == ("wont_do", "covered by the SLO alert")
    assert state.timeline[-1].text == 'will not do action item A-2 "Alert on EU errors": covered by the SLO alert'
    assert state.timeline[-2].text == 'finished action item A-1 "Lock timeout on migrations"'
    assert all(e.rejected is None for e in state.timeline)
    log.add("bob", ev.ActionItemStatusSet(item="A-2", status="open"))
    state = log.state()
    assert (state.action_items[1].status, state.action_items[1].reason) == ("open", "")
    assert state.action_items[1].is_overdue(date(2030, 1, 1)) is False  # no due date
    assert state.summary_dict()["action_items"][0] == {
        "id": "A-1", "seq": 2, "text": "Lock timeout on migrations", "owner": "erin", "kind": "preventative",
        "status": "done", "reason": "", "due": "2026-12-09",
    }


def test_an_action_item_edit_rewrites_text_owner_and_due_and_says_what_changed():
    from datetime import date

    log = declared()
    log.add("bob", ev.ActionItemAdded(text="Lock timeout", owner="erin", due=date(2026, 12, 9)))
    log.add("bob", ev.ActionItemEdited(item="A-1", text="Lock timeout on migrations", owner="erin", due=date(2026, 12, 9)))
    log.add("alice", ev.IncidentClosed())
    log.add("bob", ev.ActionItemEdited(item="A-1", text="Lock timeout on migrations", owner=None))  # after close: allowed
    log.add("bob", ev.ActionItemEdited(item="A-1", text="Lock timeout on migrations", owner=None))  # unchanged
    log.add("bob", ev.ActionItemEdited(item="A-2", text="x"))
    state = log.state()
    item = state.action_items[0]
    assert (item.text, item.owner, item.due, item.kind, item.status) == ("Lock timeout on migrations", None, None, "corrective", "open")
    assert [e.text for e in state.timeline[-5:] if e.type == "action_item_edited" and not e.rejected] == [
        'edited action item A-1: text "Lock timeout on migrations" (was "Lock timeout")',
        "edited action item A-1: owner nobody (was erin), no due date",
    ]
    assert [e.rejected for e in state.timeline[-2:]] == [
        "A-1 already reads so: change its text, owner or due date",
        "there is no action item A-2 in INC-1 (A-1 to A-1)",
    ]


def test_a_due_date_is_overdue_only_while_open():
    from datetime import date

    log = declared()
    log.add("bob", ev.ActionItemAdded(text="x", due=date(2026, 12, 1)))
    item = log.state().action_items[0]
    assert not item.is_overdue(date(2026, 12, 1)) and item.is_overdue(date(2026, 12, 2))
    log.add("bob", ev.ActionItemStatusSet(item="A-1", status="done"))
    assert not log.state().action_items[0].is_overdue(date(2026, 12, 2))


# --- alerts --------------------------------------------------------------------

FIRED_AT = T0 - timedelta(minutes=7)


def alert_declared() -> LogBuilder:
    log = LogBuilder()
    log.add(
        "alertmanager",
        ev.IncidentDeclared(incident_id="INC-1", title="Checkout p99 over 2s", severity=1, alert_group="{}:{alertname=\"X\"}", detected_at=FIRED_AT),
        minutes=0,
    )
    return log


def test_an_alert_declares_with_nobody_in_command_and_the_hook_is_no_responder():
    log = alert_declared()
    link = ev.AlertLink(title="runbook", url="https://runbooks.example/x")
    log.add("alertmanager", ev.AlertFired(group="{}:{alertname=\"X\"}", fingerprint="f1", name="X", summary="Checkout p99 over 2s",
                                           labels={"alertname": "X", "severity": "critical"}, links=[link], starts_at=FIRED_AT))
    state = log.state()
    assert state.commander is None and state.responders == {} and state.integrations == {"alertmanager"}
    assert state.key_times["detected"] == FIRED_AT == state.key_times["started"]
    assert state.alert_groups == {"{}:{alertname=\"X\"}"}
    assert state.timeline[0].text == 'declared INC-1 "Checkout p99 over 2s" at SEV1 from an alert: nobody is in command yet'
    assert state.timeline[1].text == "alert firing: X: Checkout p99 over 2s [severity=critical] runbook: https://runbooks.example/x"
    log.add("bob", ev.CommandAssumed())
    assert log.state().commander == "bob" and log.last_entry().rejected is None


def test_alerts_deduplicate_resolve_and_fire_again():
    log = alert_declared()
    group = "{}:{alertname=\"X\"}"
    log.add("alertmanager", ev.AlertFired(group=group, fingerprint="f1", name="X", starts_at=FIRED_AT))
    log.add("alertmanager", ev.AlertFired(group=group, fingerprint="f2", name="Y", starts_at=FIRED_AT))
    log.add("alertmanager", ev.AlertFired(group=group, fingerprint="f1", name="X", starts_at=FIRED_AT))
    assert "already recorded" in log.last_entry().rejected
    log.add("alertmanager", ev.AlertResolved(group=group, fingerprint="f1", name="X", ends_at=T0))
    state = log.state()
    assert state.alerts["f1"].status == "resolved" and state.alerts["f1"].ends_at == T0 and not state.all_alerts_resolved
    assert state.timeline[-1].text == "alert resolved: X"
    log.add("alertmanager", ev.AlertResolved(group=group, fingerprint="f2", name="Y"))
    state = log.state()
    assert state.all_alerts_resolved
    assert state.timeline[-1].text == "alert resolved: Y (every alert of this incident has resolved)"
    assert not state.closed and state.status == "investigating"  # nothing closes by itself
    log.add("alertmanager", ev.AlertFired(group=group, fingerprint="f2", name="Y", starts_at=T0 + timedelta(minutes=30)))
    state = log.state()
    assert not state.all_alerts_resolved and list(state.alerts) == ["f1", "f2"]
    assert [a["status"] for a in state.summary_dict()["alerts"]] == ["resolved", "firing"]


def test_alert_text_with_control_characters_is_refused_by_the_model():
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError):
        ev.AlertFired(group="g", fingerprint="f", name="X\x1b[2J", starts_at=T0)
    with pytest.raises(pydantic.ValidationError):
        ev.AlertFired(group="g", fingerprint="f", name="X", labels={"a": "b\u202e"}, starts_at=T0)


def test_old_declarations_serialise_exactly_as_before():
    body = ev.IncidentDeclared(incident_id="INC-1", title="t")
    assert body.model_dump_json() == '{"type":"incident_declared","incident_id":"INC-1","title":"t","severity":3,"drill":false}'
    assert ev.ActionItemAdded(text="x").model_dump_json() == '{"type":"action_item_added","text":"x","owner":null,"kind":"corrective"}'
def test_snooze_moves_the_current_due_time_and_says_where_it_moved_it():
    """A snooze that did not move the due time used to claim it had (issue 10, item 7)."""
    log = declared()  # SEV2: due at T0+30
    log.add("alice", ev.UpdateSnoozed(minutes=10), minutes=12)
    state = log.state()
    assert state.next_update_due() == T0 + timedelta(minutes=40)
    assert state.timeline[-1].text == "snoozed the stakeholder update by 10 min (now due 09:40 UTC)"
    log.add("alice", ev.UpdateSnoozed(minutes=5), minutes=1)
    assert log.state().next_update_due() == T0 + timedelta(minutes=45), "a second snooze adds to the first"


def test_the_policy_is_the_incident_s_own_recorded_at_declaration_and_changed_by_the_commander():
    from warroom.incident import Policy

    log = LogBuilder()
    log.add("alice", ev.IncidentDeclared(incident_id="INC-1", title="t", severity=2, policy=Policy(update_minutes_sev2=5)))
    assert log.state().next_update_due() == log.events[0].at + timedelta(minutes=5)
    log.add("bob", ev.PolicyChanged(policy=Policy(update_minutes_sev2=15)))
    assert log.state().timeline[-1].rejected == "only the commander can change the incident's policy (alice is in command)"
    log.add("alice", ev.PolicyChanged(policy=Policy(update_minutes_sev2=15, fatigue_warn_hours=2)))
    state = log.state()
    assert state.policy.update_minutes_sev2 == 15 and state.policy.fatigue_warn_hours == 2
    assert state.next_update_due() == log.events[0].at + timedelta(minutes=15)
    assert state.timeline[-1].text == "changed the policy: update_minutes_sev2 5 → 15, fatigue_warn_hours 4.0 → 2.0"
    assert state.summary_dict()["policy"]["update_minutes_sev2"] == 15


def test_a_log_declared_before_policies_were_recorded_folds_with_the_defaults():
    from warroom.incident import DEFAULT_POLICY

    body = ev.IncidentDeclared(incident_id="INC-1", title="t")
    assert "policy" not in body.model_dump(mode="json"), "old logs and exports stay byte-identical"
    log = LogBuilder()
    log.add("alice", body)
    assert log.state().policy == DEFAULT_POLICY


# --- decisions and impact notes (issue 25) ---------------------------------------


def test_a_decision_records_who_when_what_why_and_alternatives_and_is_marked_on_the_timeline():
    log = declared()
    log.add("bob", ev.DecisionMade(text="Disable the lifecycle rule in the console", why="fastest stop", alternatives="revert via Terraform (20 min)"))
    log.add("carol", ev.DecisionMade(text="Restore from versions"))
    state = log.state()
    first, second = state.decisions
    assert (first.by, first.text, first.why, first.alternatives) == ("bob", "Disable the lifecycle rule in the console", "fastest stop", "revert via Terraform (20 min)")
    assert first.at == state.timeline[1].at and first.seq == 2
    assert state.timeline[1].text == (
        "◆ decided: Disable the lifecycle rule in the console (why: fastest stop) (alternatives: revert via Terraform (20 min))"
    )
    assert state.timeline[2].text == "◆ decided: Restore from versions" and second.why == ""
    assert state.responders["carol"].shift == "on"  # deciding joins, like any first action
    assert state.summary_dict()["decisions"][0] == {
        "seq": 2, "at": state.timeline[1].at.isoformat().replace("+00:00", "Z"), "by": "bob",
        "text": "Disable the lifecycle rule in the console", "why": "fastest stop", "alternatives": "revert via Terraform (20 min)",
    }


def test_a_decision_needs_someone_on_shift_and_an_open_incident():
    log = declared()
    log.add("bob", ev.ShiftChanged(shift="break", minutes=10))
    refused = log.add("bob", ev.DecisionMade(text="Fail over"))
    assert log.state().entry(refused.seq).rejected == "you are on a break: come back on shift first"
    log.add("alice", ev.IncidentClosed())
    closed = log.add("alice", ev.DecisionMade(text="Fail over"))
    assert log.state().entry(closed.seq).rejected == "INC-1 is closed"
    assert log.state().decisions == []


def test_an_impact_note_is_marked_and_an_ordinary_note_keeps_its_old_json():
    log = declared()
    log.add("bob", ev.NoteAdded(text="4,821 customers lost objects", impact=True))
    assert log.state().timeline[-1].text == "impact: 4,821 customers lost objects"
    assert '"impact"' not in ev.NoteAdded(text="plain").model_dump_json()  # old logs stay byte-identical
    assert ev.StoredEvent.model_validate_json(log.events[-1].model_dump_json()).body.impact is True


# --- playbooks: checklist and fields --------------------------------------------------------


def test_a_playbook_in_the_declaration_opens_its_workstreams_and_starts_its_checklist_and_fields():
    log = LogBuilder()
    log.declare_with_playbook("alice")
    state = log.state()
    assert state.playbook == "data-loss"
    assert [(ws.id, ws.title, ws.owner, ws.status) for ws in state.workstreams.values()] == [
        ("WS-1", "Stop the automation", None, "open"), ("WS-2", "Restore the data", None, "open"),
    ]
    assert [(i.id, i.role, i.stage, i.required, i.done) for i in state.checklist.values()] == [
        ("C-1", "commander", "triage", True, False), ("C-2", "comms", "triage", False, False),
        ("C-3", "everyone", "mitigate", True, False),
    ]
    assert [f.name for f in state.fields.values()] == ["customers_affected", "automation", "window"]
    assert state.timeline[0].text == 'declared INC-1 "Objects expiring" at SEV1 with the data-loss playbook'
    log.add("bob", ev.WorkstreamOpened(title="By hand"))
    assert list(log.state().workstreams) == ["WS-1", "WS-2", "WS-3"]


def test_ticks_added_items_and_fields_are_events_with_who_and_when():
    log = LogBuilder()
    log.declare_with_playbook("alice")
    log.add("bob", ev.ChecklistTicked(item="C-3"))
    log.add("alice", ev.ChecklistItemAdded(text="Call the DPO", role="commander", stage="resolve", required=True))
    log.add("bob", ev.FieldSet(name="customers_affected", value=1200))
    log.add("bob", ev.FieldSet(name="window", value=9000))
    state = log.state()
    assert (state.checklist["C-3"].done, state.checklist["C-3"].by, state.checklist["C-3"].at) == (True, "bob", T0 + timedelta(minutes=1))
    assert state.checklist["C-4"].added_by == "alice" and state.checklist["C-4"].required
    assert [e.text for e in state.timeline[1:]] == [
        'ticked C-3 "Count the customers"',
        "added checklist item C-4 (commander, resolve, required): Call the DPO",
        "set Customers affected to 1,200",
        "set Window lost to 2h 30m",
    ]
    log.add("carol", ev.ChecklistTicked(item="C-3", done=False))
    log.add("bob", ev.FieldSet(name="customers_affected", value=None))
    state = log.state()
    assert (state.checklist["C-3"].done, state.checklist["C-3"].by) == (False, "carol")
    assert state.fields["customers_affected"].value is None and state.timeline[-1].text == "cleared Customers affected"


def test_checklist_and_field_events_that_do_not_fit_are_refused():
    log = LogBuilder()
    log.declare_with_playbook("alice")
    refusals = [
        log.add("bob", ev.ChecklistTicked(item="C-9")),
        log.add("bob", ev.ChecklistTicked(item="C-1", done=False)),
        log.add("bob", ev.ChecklistItemAdded(text="Mine")),
        log.add("bob", ev.FieldSet(name="customers_affected", value="lots")),
        log.add("bob", ev.FieldSet(name="customers_affected", value=True)),
        log.add("bob", ev.FieldSet(name="automation", value="paused")),
        log.add("bob", ev.FieldSet(name="nope", value=1)),
    ]
    state = log.state()
    assert [state.entry(e.seq).rejected for e in refusals] == [
        "there is no checklist item C-9 in INC-1 (C-1 to C-3)",
        "C-1 is already not ticked",
        "only the commander can add a checklist item (alice is in command)",
        "customers_affected takes a whole number",
        "customers_affected takes a whole number",
        "automation is one of: running, stopped",
        "there is no field nope in INC-1 (fields: customers_affected, automation, window)",
    ]
    assert not any(i.done for i in state.checklist.values()) and len(state.checklist) == 3


def test_show_json_has_the_playbook_its_checklist_and_its_fields():
    log = LogBuilder()
    log.declare_with_playbook("alice")
    log.add("bob", ev.ChecklistTicked(item="C-2"))
    log.add("bob", ev.FieldSet(name="customers_affected", value=1200))
    summary = log.state().summary_dict()
    assert summary["playbook"] == "data-loss"
    assert summary["checklist"][1] == {
        "id": "C-2", "role": "comms", "stage": "triage", "text": "Tell support", "required": False,
        "done": True, "by": "bob", "at": "2026-11-25T09:01:00Z",
    }
    assert summary["fields"][0] == {
        "name": "customers_affected", "label": "Customers affected", "kind": "int", "value": 1200, "required": True, "public": True,
    }
    assert declared().state().summary_dict()["playbook"] is None


def test_a_declaration_without_a_playbook_keeps_its_old_json():
    assert '"playbook"' not in ev.IncidentDeclared(incident_id="INC-1", title="t").model_dump_json()
# --- the public projection's own fields (issue 26) ----------------------------


def test_an_incident_is_private_until_published_and_its_public_text_is_its_own():
    log = declared()
    assert not log.state().published
    log.add("bob", ev.IncidentPublished(title="Bob is not in command"))
    log.add("alice", ev.IncidentPublished(summary="Some uploads fail."))
    state = log.state()
    assert state.timeline[1].rejected and "only the commander" in state.timeline[1].rejected
    assert state.published and (state.public_title, state.public_summary) == ("Service disruption", "Some uploads fail.")
    assert state.title == "Objects expiring"  # the internal title is untouched
    log.add("alice", ev.IncidentPublished(title="Uploads failing"))
    log.add("alice", ev.IncidentPublished(title="Uploads failing"))
    state = log.state()
    assert state.public_title == "Uploads failing" and state.timeline[-1].rejected == "that is already what the public reads"
    assert [(c.kind, c.value) for c in state.public_changes] == [("title", "Uploads failing")]
    assert state.timeline[3].text == 'changed what the public reads: public title "Uploads failing"'


def test_publish_on_declare_makes_it_public_under_its_title():
    log = LogBuilder()
    log.add("alice", ev.IncidentDeclared(incident_id="INC-1", title="Checkout slow", published=True), minutes=0)
    state = log.state()
    assert state.published and state.public_title == "Checkout slow" and state.timeline[0].text.endswith(", public at once")


def test_comms_sets_component_impact_and_operational_clears_it():
    log = declared()
    log.add("carol", ev.ResponderJoined())
    log.add("alice", ev.RoleAssigned(role="comms", handle="carol"))
    log.add("carol", ev.ComponentImpactSet(component="Storage API", impact="degraded"))
    log.add("carol", ev.ComponentImpactSet(component="Storage API", impact="degraded"))
    assert log.state().components == {"Storage API": "degraded"}
    assert log.state().timeline[-1].rejected == "Storage API is already degraded for INC-1"
    log.add("alice", ev.ComponentImpactSet(component="Storage API", impact="operational"))
    state = log.state()
    assert state.components == {} and [c.value for c in state.public_changes] == ["degraded", "operational"]
