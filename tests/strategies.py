"""Hypothesis strategies for well-formed event logs over a small cast, so rules actually bite."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import strategies as st

from tests.builder import PLAYBOOK, T0
from warroom.incident import Policy
from warroom.incident import events as ev

handles = st.sampled_from(["alice", "bob", "carol", "dave"])
workstreams = st.sampled_from(["WS-1", "WS-2", "WS-3"])
texts = st.text(min_size=1, max_size=30).filter(lambda t: not ev.is_blank(t))
notes = st.text(max_size=30)
policies = st.builds(
    Policy,
    update_minutes_sev1=st.none() | st.integers(1, 90),
    update_minutes_sev2=st.none() | st.integers(1, 90),
    fatigue_warn_hours=st.floats(0.5, 12),
    stale_workstream_minutes=st.integers(1, 120),
)

bodies = st.one_of(
    st.builds(ev.IncidentDeclared, incident_id=st.just("INC-1"), title=texts, severity=st.integers(1, 4), drill=st.booleans(), policy=st.none() | policies, playbook=st.none() | st.just(PLAYBOOK)),
    st.builds(ev.PolicyChanged, policy=policies),
    st.builds(ev.SeverityChanged, severity=st.integers(1, 4)),
    st.builds(ev.StatusChanged, status=st.sampled_from(ev.INCIDENT_STATUSES)),
    st.builds(ev.KeyTimeSet, which=st.sampled_from(ev.KEY_TIMES), time=st.just(T0)),
    st.builds(ev.IncidentClosed, summary=notes),
    st.builds(ev.ResponderJoined),
    st.builds(ev.ShiftChanged, shift=st.sampled_from(ev.SHIFTS), minutes=st.none() | st.integers(1, 120)),
    st.builds(ev.RoleAssigned, role=st.sampled_from(ev.ROLES), handle=handles),
    st.builds(ev.RoleCleared, role=st.sampled_from(ev.ROLES)),
    st.builds(ev.CommandHandoverOffered, to=handles, note=notes),
    st.builds(ev.CommandHandoverAccepted),
    st.builds(ev.CommandHandoverDeclined),
    st.builds(ev.CommandAssumed),
    st.builds(ev.WorkstreamOpened, title=texts),
    st.builds(ev.WorkstreamClaimed, workstream=workstreams),
    st.builds(ev.WorkstreamReleased, workstream=workstreams),
    st.builds(ev.HandoffOffered, workstream=workstreams, to=handles, note=notes),
    st.builds(ev.HandoffAccepted, workstream=workstreams),
    st.builds(ev.HandoffDeclined, workstream=workstreams),
    st.builds(ev.WorkstreamStatusSet, workstream=workstreams, status=st.sampled_from(ev.WORKSTREAM_STATUSES), note=notes),
    st.builds(ev.NoteAdded, text=texts, star=st.booleans()),
    st.builds(ev.EntryStarred, target=st.integers(1, 40), starred=st.booleans()),
    st.builds(ev.BroadcastSent, text=texts, audience=st.sampled_from(("responders", "stakeholders"))),
    st.builds(ev.UpdateSnoozed, minutes=st.integers(1, 240)),
    st.builds(ev.ChecklistTicked, item=st.sampled_from(["C-1", "C-2", "C-4"]), done=st.booleans()),
    st.builds(ev.ChecklistItemAdded, text=texts, role=st.sampled_from(("commander", "comms", "everyone")), required=st.booleans()),
    st.builds(ev.FieldSet, name=st.sampled_from(["customers_affected", "automation", "nope"]), value=st.none() | st.integers(0, 9) | st.sampled_from(["stopped", "x"])),
    st.builds(ev.ActionItemAdded, text=texts, owner=st.none() | handles, kind=st.sampled_from(ev.ACTION_KINDS)),
    st.builds(ev.ActionItemEdited, item=st.sampled_from(("A-1", "A-2", "A-3")), text=texts, owner=st.none() | handles),
    st.builds(ev.ActionItemStatusSet, item=st.sampled_from(("A-1", "A-2")), status=st.sampled_from(ev.ACTION_STATUSES)),
)


@st.composite
def event_logs(draw, max_size: int = 40, declared_first: bool = True) -> list[ev.StoredEvent]:
    """A log with contiguous seqs and non-decreasing times; usually opened by a declaration."""
    steps = draw(st.lists(st.tuples(handles, bodies, st.integers(0, 90)), max_size=max_size))
    if declared_first and draw(st.booleans() | st.just(True)):
        playbook = PLAYBOOK if draw(st.booleans()) else None
        steps.insert(0, ("alice", ev.IncidentDeclared(incident_id="INC-1", title="t", severity=2, playbook=playbook), 0))
    clock = T0
    events = []
    for seq, (actor, body, minutes) in enumerate(steps, start=1):
        clock += timedelta(minutes=minutes)
        events.append(ev.StoredEvent(seq=seq, id=uuid.UUID(int=seq), at=clock, actor=actor, body=body))
    return events
