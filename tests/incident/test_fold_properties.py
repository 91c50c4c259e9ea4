"""Properties of the fold over generated logs: total, incremental, deterministic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import event_logs
from warroom.incident import IncidentState, apply, fold


@given(event_logs())
def test_fold_never_raises_and_accounts_for_every_event(events):
    state = fold(events)
    assert state.seq == (events[-1].seq if events else 0)
    assert [e.seq for e in state.timeline] == [e.seq for e in events]
    for entry in state.timeline:
        assert entry.text and (entry.rejected is None or entry.rejected.strip())


@given(event_logs(), st.data())
def test_folding_in_one_go_equals_folding_one_by_one_and_in_pieces(events, data):
    whole = fold(events)
    one_by_one = IncidentState()
    for event in events:
        apply(one_by_one, event)
    assert one_by_one == whole
    cut = data.draw(st.integers(0, len(events)))
    pieces = fold(events[cut:], fold(events[:cut]))
    assert pieces == whole
    assert pieces.summary_dict() == whole.summary_dict()


@given(event_logs())
def test_two_folds_of_the_same_log_are_equal_and_replays_change_nothing(events):
    first, second = fold(events), fold(events)
    assert first == second
    fold(events, second)  # replaying an already-applied prefix is a no-op
    assert second == first


@given(event_logs())
def test_invariants_hold_after_any_log(events):
    state = fold(events)
    for ws in state.workstreams.values():
        assert ws.owner is None or ws.owner in state.responders or ws.owner == state.declared_by
        if ws.pending:
            assert ws.owner is not None and ws.pending.to != ws.owner
    for responder in state.responders.values():
        if responder.shift == "off":
            assert state.owned_by(responder.handle) == []
    if state.declared and not state.closed:
        assert state.commander is not None
    assert list(state.workstreams) == [f"WS-{n}" for n in range(1, len(state.workstreams) + 1)]
