"""Checkpoint encoding: a state decoded from a checkpoint folds on exactly like the original."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import event_logs
from warroom.incident import IncidentState, fold, snapshot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "export"))
from export_scenario import build_scenario  # noqa: E402


def through_checkpoint(state: IncidentState) -> IncidentState:
    return snapshot.decode(b"".join(snapshot.encode(state)))


@given(event_logs(), st.data())
def test_a_checkpoint_then_the_rest_equals_folding_everything(events, data):
    cut = data.draw(st.integers(0, len(events)))
    resumed = fold(events[cut:], through_checkpoint(fold(events[:cut])))
    whole = fold(events)
    assert resumed == whole
    assert resumed.summary_dict() == whole.summary_dict()
    # ...and a checkpoint of a resumed state (some items decoded, some not) is the same again
    assert through_checkpoint(resumed) == whole


def test_every_prefix_of_the_export_scenario_resumes_to_byte_identical_exports():
    from warroom.export import render

    scenario = build_scenario()
    events = scenario.events
    expected = {fmt: render(fmt, scenario.state, events) for fmt in ("md", "json", "csv")}
    for cut in range(len(events) + 1):
        state = fold(events[cut:], through_checkpoint(fold(events[:cut])))
        assert state == scenario.state, cut
        for fmt, produced in expected.items():
            assert render(fmt, state, events) == produced, (cut, fmt)


def test_items_read_by_index_stay_the_same_object_so_the_fold_can_change_them():
    state = through_checkpoint(build_scenario().state)
    assert state.timeline[3] is state.timeline[3]
    state.timeline[3].starred = not state.timeline[3].starred
    assert list(state.timeline)[3].starred == state.timeline[3].starred
    assert through_checkpoint(state).timeline[3].starred == state.timeline[3].starred


def test_lists_that_grow_with_the_log_are_not_decoded_until_read():
    state = through_checkpoint(build_scenario().state)
    assert isinstance(state.timeline, snapshot.LazyList) and isinstance(state.broadcasts, snapshot.LazyList)
    last = len(state.timeline) - 1
    assert set(state.timeline._read) <= {last}  # decode checks the last entry's seq
    state.timeline[5]
    assert set(state.timeline._read) <= {5, last} and 5 in state.timeline._read
    assert state.broadcasts._read == {}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-2] + bytes([data[-2] ^ 1]) + data[-1:],  # one flipped bit in the last item
        lambda data: data.replace(b'"fingerprint":"', b'"fingerprint":"0', 1),
        lambda data: data.replace(b"warroom-checkpoint/1", b"warroom-checkpoint/0", 1),
        lambda data: b"",
        lambda data: b"\x00" * 100,
        lambda data: b"{}\n" + data,
    ],
)
def test_a_damaged_or_foreign_checkpoint_is_refused(damage):
    data = b"".join(snapshot.encode(build_scenario().state))
    with pytest.raises(snapshot.BadCheckpoint):
        snapshot.decode(damage(data))


def test_iterating_or_slicing_keeps_nothing_so_memory_stays_flat():
    state = through_checkpoint(build_scenario().state)
    before = dict(state.timeline._read)
    assert len(list(state.timeline)) == len(state.timeline[0:]) == len(state.timeline)
    assert state.timeline._read == before


def test_alerts_and_followed_through_action_items_survive_a_checkpoint():
    from datetime import date, timedelta

    from tests.builder import T0, LogBuilder
    from warroom.incident import events as ev

    log = LogBuilder()
    log.add("alertmanager", ev.IncidentDeclared(incident_id="INC-1", title="Errors", alert_group="g", detected_at=T0), minutes=0)
    link = ev.AlertLink(title="runbook", url="https://runbooks.example/x")
    log.add("alertmanager", ev.AlertFired(group="g", fingerprint="f1", name="X", labels={"a": "b"}, links=[link], starts_at=T0 - timedelta(minutes=2)))
    log.add("bob", ev.ActionItemAdded(text="fix", due=date(2026, 12, 9)))
    log.add("bob", ev.ActionItemStatusSet(item="A-1", status="wont_do", reason="dup"))
    state = log.state()
    restored = through_checkpoint(state)
    assert restored.summary_dict() == state.summary_dict()
    assert (restored.alert_groups, restored.integrations) == ({"g"}, {"alertmanager"})
    assert restored.action_items[0].due == date(2026, 12, 9) and restored.alerts["f1"].links == [("runbook", "https://runbooks.example/x")]
    log.add("alertmanager", ev.AlertResolved(group="g", fingerprint="f1", name="X"))
    assert fold(log.events[-1:], restored).all_alerts_resolved


def test_the_fingerprint_covers_every_module_of_the_domain_the_events_package_too():
    """An edit to an event family (a field's default, a validator) can change what a fold makes
    of a log, so it must invalidate checkpoints as an edit to the fold does."""
    hashed = set(snapshot.domain_sources())
    loaded = {Path(module.__file__) for name, module in list(sys.modules.items()) if name.startswith("warroom.incident.") and getattr(module, "__file__", None)}
    assert any(path.parent.name == "events" for path in loaded)
    assert loaded <= hashed
