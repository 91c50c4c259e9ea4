"""Insights and the post-mortem mean the same by "time to detect": from when the impact started to
when it was detected (they disagreed: insights measured detected -> declared). One incident, its
moments all different, read by both; a definition that drifts in either fails here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.builder import LogBuilder
from warroom.export import render_markdown
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.incident.measures import IMPACT, RESPONSE, TIME_TO_DETECT, moments
from warroom.insights.compute import compute

DECLARED = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def incident() -> list[ev.StoredEvent]:
    """Started 08:30, detected 08:48 (time to detect: 18 min), declared 09:00, mitigated 09:40."""
    log = LogBuilder("INC-7", DECLARED)
    log.add("alice", ev.IncidentDeclared(incident_id="INC-7", title="Checkout down", severity=1, detected_at=DECLARED - timedelta(minutes=12)), minutes=0)
    log.add("alice", ev.KeyTimeSet(which="started", time=DECLARED - timedelta(minutes=30)), minutes=5)
    log.add("alice", ev.StatusChanged(status="mitigated"), minutes=35)
    return log.events


def test_insights_and_the_post_mortem_report_the_same_time_to_detect() -> None:
    events = incident()
    state = fold(events)
    assert TIME_TO_DETECT.of(moments(state)) == timedelta(minutes=18)

    insights = compute([events], now=DECLARED + timedelta(days=1), since=timedelta(days=7))
    sev1 = next(row for row in insights.by_severity if row.severity == 1)
    assert (sev1.timings["detect"].count, sev1.timings["detect"].median_minutes) == (1, 18)

    markdown = render_markdown(state, events)
    assert "| Time to detect | started → detected | 18m |" in markdown
    assert "From the log: time to detect 18m." in markdown


def test_both_take_time_to_detect_from_the_one_definition() -> None:
    assert TIME_TO_DETECT in RESPONSE and TIME_TO_DETECT in IMPACT
    assert [m for m in (*RESPONSE, *IMPACT) if m.name == "detect"] == [TIME_TO_DETECT, TIME_TO_DETECT]
