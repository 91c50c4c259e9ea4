"""The one board change for alerts: the commander hears when every alert has resolved."""

from __future__ import annotations

from datetime import timedelta

from tests.builder import T0, LogBuilder
from warroom.incident import events as ev
from warroom.tui.model.toasts import TOASTS, About, Seen, toast_for


def _about(log: LogBuilder, me: str) -> About:
    state = log.state()
    return About(state.timeline[-1], state, me, None, Seen(), state.commander)


def test_the_commander_is_told_when_the_last_alert_resolves_and_nobody_else_is() -> None:
    log = LogBuilder()
    log.add("alertmanager", ev.IncidentDeclared(incident_id="INC-1", title="Errors", alert_group="g", detected_at=T0), minutes=0)
    for fp in ("f1", "f2"):
        log.add("alertmanager", ev.AlertFired(group="g", fingerprint=fp, name=fp, starts_at=T0 - timedelta(minutes=3)))
    log.add("bob", ev.CommandAssumed())
    log.add("alertmanager", ev.AlertResolved(group="g", fingerprint="f1", name="f1"))
    assert toast_for(_about(log, "bob")) is None  # f2 still fires
    log.add("alertmanager", ev.AlertResolved(group="g", fingerprint="f2", name="f2"))
    toast = toast_for(_about(log, "bob"))
    assert toast is not None and "every alert of INC-1 has resolved" in toast.message and "mitigated" in toast.message
    assert toast_for(_about(log, "carol")) is None
    assert log.state().status == "investigating" and not log.state().closed


def test_toasts_cover_exactly_the_event_types_marked_toast() -> None:
    assert set(TOASTS) == {cls for cls in ev.BODY_TYPES if cls.toast}


async def test_the_board_refuses_to_record_an_alert_by_hand(tmp_path) -> None:
    """Issue 21: the board's room asks the same writer rule as the stores, and writes nothing."""
    import pytest

    from warroom.room import Room
    from warroom.store import FileStore, Rejected

    store = FileStore(tmp_path)
    room = Room(store, "INC-1", "alice")
    await room.submit(ev.IncidentDeclared(incident_id="INC-1", title="Errors"))
    fired = ev.AlertFired(group="g", fingerprint="f1", name="f1", starts_at=T0)
    assert room.refusal(fired) == "alert_fired comes only from an alert hook (`warroom hook add`), never from a person"
    with pytest.raises(Rejected, match="only from an alert hook"):
        await room.submit(fired)
    assert [e.type for e in await store.read("INC-1")] == ["incident_declared"]
    await store.aclose()
