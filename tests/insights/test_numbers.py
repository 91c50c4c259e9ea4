"""The insights numbers against incidents whose answers were worked out by hand (tests/insights/scenario.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.builder import LogBuilder
from tests.insights import scenario
from warroom.incident import events as ev
from warroom.insights import Insights, compute, percentile
from warroom.insights.intervals import merged, minus, out_of_hours


@pytest.fixture(scope="module")
def insights() -> Insights:
    return compute(scenario.logs(), now=scenario.NOW, since=timedelta(days=90), zones=scenario.ZONES, out_of_hours_flag_hours=5)


def test_only_real_incidents_of_the_period_count(insights: Insights) -> None:
    assert insights.incidents == 4  # the drill and July's incident are left out


def test_incidents_per_week_by_severity_list_every_week_of_the_period(insights: Insights) -> None:
    assert [w.week for w in insights.weeks][0] == date(2026, 8, 31) and len(insights.weeks) == 14
    busy = {w.week: w.by_severity for w in insights.weeks if w.total}
    assert busy == {date(2026, 11, 23): {1: 1, 2: 2, 3: 1, 4: 0}}  # INC-2 was declared on the Sunday


def test_times_to_detect_acknowledge_mitigate_resolve_per_severity(insights: Insights) -> None:
    rows = {row.severity: row for row in insights.by_severity}
    sev1, sev2, sev3 = rows[1].timings, rows[2].timings, rows[3].timings
    assert (sev1["detect"].median_minutes, sev1["acknowledge"].median_minutes) == (15, 0)  # started 08:35, detected 08:50
    assert (sev2["detect"].count, sev2["detect"].median_minutes) == (2, 0)  # started and detected default to the declaration
    assert (sev1["mitigate"].median_minutes, sev1["resolve"].median_minutes) == (60, 120)
    # SEV2: INC-3 resolved in 2 h, INC-2 (reopened) in 11 h; only INC-3 was marked mitigated.
    assert (sev2["resolve"].count, sev2["resolve"].median_minutes, sev2["resolve"].p90_minutes) == (2, 390, 606)
    assert (sev2["mitigate"].count, sev2["mitigate"].median_minutes) == (1, 60)
    assert sev3["acknowledge"].median_minutes == 15  # an alert hook declared it; erin took command 15 min later
    assert sev3["mitigate"].count == 0 and sev3["mitigate"].median_minutes is None
    assert rows[4].incidents == 0 and rows[4].timings["resolve"].p90_minutes is None


def test_responder_load(insights: Insights) -> None:
    load = {r.handle: r for r in insights.responders}
    assert [r.handle for r in insights.responders] == ["carol", "dave", "alice", "bob", "erin"]
    carol, dave, alice, bob, erin = (load[h] for h in ("carol", "dave", "alice", "bob", "erin"))
    # A shift across midnight, closed and reopened: 22:00-03:00 and 07:00-09:00.
    assert (carol.hours_on_shift, carol.hours_out_of_hours, carol.longest_shift_hours) == (7, 6, 5)
    assert carol.tz == "UTC"  # her configured zone does not exist
    assert carol.hours_by_week == {date(2026, 11, 23): 2, date(2026, 11, 30): 5}
    assert carol.hours_in_command == 7 and carol.fatigue == "warn"
    # On two incidents at once: the hour they overlap counts once.
    assert (dave.hours_on_shift, dave.incidents, dave.incident_ids, dave.hours_in_command) == (2.5, 2, ("INC-1", "INC-3"), 2)
    # Berlin from config: 10:00-12:00 there.
    assert (alice.tz, alice.hours_on_shift, alice.hours_out_of_hours, alice.hours_in_command) == ("Europe/Berlin", 2, 0, 2)
    # New York from `shift on --tz`: 04:10-06:00 there; a 30 min break is not on shift.
    assert (bob.tz, bob.hours_on_shift, bob.hours_out_of_hours) == ("America/New_York", 1.33, 1.33)
    assert (bob.breaks, bob.breaks_per_on_shift_hour, bob.longest_shift_hours) == (1, 0.75, 1.83)
    assert (erin.hours_on_shift, erin.hours_in_command, erin.incidents) == (0.75, 0.75, 1)
    assert erin.breaks_per_on_shift_hour is None  # under an hour on shift: no rate to give
    assert "alertmanager" not in load  # an alert hook is nobody's shift


def test_action_items(insights: Insights) -> None:
    items = insights.action_items
    assert (items.opened, items.done, items.overdue, items.median_days_to_done) == (3, 1, 1, 2.0)
    by_owner = {o.owner: (o.opened, o.done, o.overdue, o.median_days_to_done) for o in insights.action_items_by_owner}
    assert by_owner == {"alice": (1, 1, 0, 2.0), "bob": (1, 0, 1, None), "lenna": (1, 0, 0, None)}


def test_flags(insights: Insights) -> None:
    assert [(f.handle, f.kind, f.hours, f.threshold_hours) for f in insights.flags] == [
        ("carol", "fatigue_warn", 5, 4),
        ("carol", "out_of_hours", 6, 5),
    ]


def test_json_carries_the_documented_keys(insights: Insights) -> None:
    doc = insights.as_dict()
    assert {"handle", "hours_on_shift", "hours_out_of_hours", "longest_shift_hours", "incidents"} <= set(doc["responders"][0])
    assert doc["responders"][0]["incidents"] == 1
    assert {"opened", "done", "overdue"} <= set(doc["action_items"])
    assert doc["by_severity"][0]["severity"] == 1 and doc["by_severity"][0]["resolve"]["median_minutes"] == 120


def test_drills_count_when_asked() -> None:
    with_drills = compute(scenario.logs(), now=scenario.NOW, since=timedelta(days=90), include_drills=True)
    assert with_drills.incidents == 5
    assert {r.handle: r.hours_on_shift for r in with_drills.responders}["alice"] == 10  # + the 8 h game day


def test_a_shorter_period_cuts_hours_at_its_start() -> None:
    last_day = compute(scenario.logs(), now=scenario.NOW, since=timedelta(hours=12))
    assert last_day.incidents == 0  # INC-2 was declared 14 h before now
    assert [(r.handle, r.hours_on_shift) for r in last_day.responders] == [("carol", 5)]  # 00:00-03:00, 07:00-09:00


def test_an_open_incident_counts_until_now_and_a_refused_shift_change_counts_for_nothing() -> None:
    log = LogBuilder("INC-9", scenario.NOW - timedelta(hours=3))
    log.declare("alice")
    log.add("alice", ev.ShiftChanged(shift="off"), minutes=30)  # refused: she is in command
    insights = compute([log.events], now=scenario.NOW, since=timedelta(days=1))
    assert insights.responders[0].hours_on_shift == 3 and insights.responders[0].fatigue is None


def test_a_break_minutes_into_a_shift_is_no_rate_per_hour() -> None:
    """One break 5 minutes in read as 12 an hour (823 an hour after 4 seconds, in a try-out)."""
    log = LogBuilder("INC-9", scenario.NOW - timedelta(hours=3))
    log.declare("alice")
    log.add("bob", ev.ShiftChanged(shift="on"))
    log.add("bob", ev.ShiftChanged(shift="break", minutes=10), minutes=5)
    bob = {r.handle: r for r in compute([log.events], now=scenario.NOW, since=timedelta(days=1)).responders}["bob"]
    assert (bob.breaks, bob.breaks_per_on_shift_hour) == (1, None)


def test_shift_on_with_a_time_zone_while_on_shift_is_accepted_and_recorded() -> None:
    log = LogBuilder("INC-9", scenario.NOW - timedelta(hours=3))
    log.declare("alice")
    log.add("alice", ev.ShiftChanged(shift="on", tz="Asia/Tokyo"))
    assert log.last_entry().rejected is None and log.last_entry().text == "set their time zone to Asia/Tokyo"
    log.add("alice", ev.ShiftChanged(shift="on"))
    assert log.last_entry().rejected == "you are already on shift"
    insights = compute([log.events], now=scenario.NOW, since=timedelta(days=1), zones={"alice": "Europe/Berlin"})
    assert insights.responders[0].tz == "Asia/Tokyo"  # what she said beats the config


def test_a_time_zone_goes_only_with_shift_on() -> None:
    log = LogBuilder()
    log.declare("alice")
    log.add("bob", ev.ShiftChanged(shift="break", minutes=5, tz="Europe/Paris"))
    assert log.last_entry().rejected == "a time zone goes with going on shift"


def test_percentile_interpolates() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([0, 10], 90) == 9


def test_out_of_hours_on_a_daylight_saving_day() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-03-29: clocks go forward at 02:00 local; a span 00:00-12:00 local is 11 h long, 8 of them before 08:00... minus the lost hour.
    start = datetime(2026, 3, 29, 0, 0, tzinfo=berlin).astimezone(timezone.utc)
    end = datetime(2026, 3, 29, 12, 0, tzinfo=berlin).astimezone(timezone.utc)
    assert end - start == timedelta(hours=11)
    assert out_of_hours((start, end), berlin) == timedelta(hours=7)


def test_span_arithmetic() -> None:
    t = scenario.at
    assert merged([(t(1, 9), t(1, 10)), (t(1, 10), t(1, 11)), (t(1, 12), t(1, 12))]) == [(t(1, 9), t(1, 11))]
    assert minus([(t(1, 9), t(1, 12))], [(t(1, 10), t(1, 11))]) == [(t(1, 9), t(1, 10)), (t(1, 11), t(1, 12))]


def test_fatigue_limit_uses_the_strictest_policy_of_the_incidents_a_shift_touched() -> None:
    from warroom.incident import Policy

    strict = Policy(fatigue_warn_hours=2, fatigue_limit_hours=3)
    long_one = LogBuilder("INC-10", scenario.NOW - timedelta(hours=10))
    long_one.declare("alice")  # default policy: warn 4 h, limit 8 h
    short_strict = LogBuilder("INC-11", scenario.NOW - timedelta(hours=9))
    short_strict.add("alice", ev.IncidentDeclared(incident_id="INC-11", title="x", policy=strict), minutes=0)
    short_strict.add("alice", ev.IncidentClosed(), minutes=60)
    alone = compute([long_one.events], now=scenario.NOW, since=timedelta(days=1))
    assert [(f.kind, f.hours, f.threshold_hours) for f in alone.flags] == [("fatigue_limit", 10, 8)]
    both = compute([long_one.events, short_strict.events], now=scenario.NOW, since=timedelta(days=1))
    assert [(f.kind, f.hours, f.threshold_hours) for f in both.flags] == [("fatigue_limit", 10, 3)]
    assert both.responders[0].hours_on_shift == 10 and both.responders[0].incidents == 2  # the hour in both counts once
