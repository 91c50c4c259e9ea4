"""Golden files for the fixed INC-42 scenario, plus the facts the post-mortem must state.

The golden files catch any change in the output; the targeted tests say *what* must
be true, so a careless ``WARROOM_UPDATE_GOLDEN=1`` cannot bless a broken export.
Regenerate after an intended change with::

    WARROOM_UPDATE_GOLDEN=1 python -m pytest -q tests/export
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
from pathlib import Path

import pytest
from export_scenario import at, build_scenario

from warroom.export import render, render_csv, render_json, render_markdown
from warroom.incident import events as ev
from warroom.incident import fold

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("WARROOM_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def scenario():
    return build_scenario()


@pytest.fixture(scope="module")
def markdown(scenario) -> str:
    return render_markdown(scenario.state, scenario.events)


@pytest.mark.parametrize(
    ("fmt", "name"), [("md", "INC-42-postmortem.md"), ("json", "INC-42.json"), ("csv", "INC-42-timeline.csv")]
)
def test_matches_golden_file(scenario, fmt: str, name: str) -> None:
    produced = render(fmt, scenario.state, scenario.events)
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(produced)
    assert path.exists(), f"missing golden file {path}: run with WARROOM_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    assert produced == expected, f"{name} differs from the golden file (WARROOM_UPDATE_GOLDEN=1 if intended)"


def test_renderers_are_deterministic(scenario) -> None:
    first = [render_markdown(scenario.state, scenario.events), render_json(scenario.state, scenario.events), render_csv(scenario.state)]
    again = build_scenario()
    second = [render_markdown(again.state, again.events), render_json(again.state, again.events), render_csv(again.state)]
    assert first == second


# --- what the post-mortem must say --------------------------------------------------


def section(markdown: str, title: str) -> str:
    """The text of one ``## title`` section, up to the next ``## ``."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert match, f"no section {title!r}"
    return match.group(1)


def table_rows(block: str) -> list[list[str]]:
    """Rows of every table in ``block`` (header and delimiter rows dropped), split on unescaped pipes."""
    lines = block.splitlines()
    rows = []
    for i, line in enumerate(lines):
        is_delimiter = re.fullmatch(r"\|(?:---\|)+", line)
        is_header = i + 1 < len(lines) and re.fullmatch(r"\|(?:---\|)+", lines[i + 1])
        if line.startswith("|") and not is_delimiter and not is_header:
            rows.append(split_row(line))
    return rows


def split_row(line: str) -> list[str]:
    cells, current, i = [], "", 1
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line):
            current += line[i : i + 2]
            i += 2
            continue
        if char == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += char
        i += 1
    return cells


def test_header_has_title_severity_history_status_and_commanders(markdown: str) -> None:
    assert markdown.startswith("# INC-42: EU card payments failing at checkout\n")
    summary = section(markdown, "Summary")
    assert "| Severity | SEV1 (SEV2 → SEV1 at 09:06:00) |" in summary
    assert "| Status | resolved; closed at 10:02:00 UTC by bob |" in summary
    assert "| Drill | no |" in summary
    assert "alice 09:00:00–09:38:30 (38m 30s)<br>bob 09:38:30–10:02:00 (23m 30s)" in summary
    assert "1 refused, not shown" in summary
    assert "> payments-api 4.12 ran migration 0042" in summary  # the close summary, quoted


def test_key_times_and_durations(markdown: str) -> None:
    keys = section(markdown, "Key times")
    assert "| Started | 08:47:00 | T+00:00:00 | corrected by alice |" in keys
    assert "| Detected | 08:55:00 | T+00:08:00 | corrected by alice |" in keys
    assert "| Mitigated | 09:25:00 | T+00:38:00 | status set to mitigated by alice |" in keys
    assert "| Resolved | 10:00:00 | T+01:13:00 | status set to resolved by bob |" in keys
    assert "| Time to detect | started → detected | 8m |" in keys
    assert "| Time to mitigate | started → mitigated | 38m |" in keys
    assert "| Time to resolve | started → resolved | 1h 13m |" in keys


def test_blameless_purpose_and_prompts(markdown: str) -> None:
    assert "blameless" in section(markdown, "Purpose of this review")
    assert "- _to fill in_" in section(markdown, "Impact")
    factors = section(markdown, "Contributing factors")
    for layer in ("Testing", "Review", "Deployment verification", "Detection", "Response"):
        assert f"### {layer}\n" in factors
    assert "1. Why? _to fill in_" in section(markdown, "Why? chains")


BOOKKEEPING = {"responder_joined", "shift_changed", "update_snoozed", "entry_starred", "action_item_added", "action_item_status_set"}


def test_the_timeline_tells_the_story_and_the_appendix_keeps_the_bookkeeping(scenario, markdown: str) -> None:
    """Issue 25: joins, shifts, snoozes, stars and action-item bookkeeping move to an appendix;
    between them the two tables hold every accepted entry, each once, in log order."""
    timeline = section(markdown, "Timeline").split("The story (")[1]
    rows = table_rows(timeline)
    appendix = table_rows(section(markdown, "Appendix: bookkeeping"))
    accepted = [e for e in scenario.state.timeline if not e.rejected]
    story = [e for e in accepted if e.starred or e.type not in BOOKKEEPING]
    assert [r[0] for r in rows] == [f"#{e.seq}" for e in story]  # as `warroom replay --at #N` takes it
    assert [r[0] for r in appendix] == [f"#{e.seq}" for e in accepted if e not in story]
    assert {r[0] for r in appendix} == {"#2", "#3", "#15", "#23", "#28", "#32", "#33", "#39", "#40", "#41", "#42", "#47"}
    assert "#20" not in [r[0] for r in rows + appendix]  # the refused claim
    first = rows[0]
    assert first[1:5] == ["09:00:00", "T+00:13:00", "", "alice"]
    starred = {int(r[0][1:]) for r in rows if r[3] == "★"}
    assert starred == {10, 27}
    # notes verbatim: the line break kept as <br>, the '->' as typed (no entity, no backslash)
    assert "Error rate on /v1/charge at 38% since 08:47, EU only.<br>US and APAC normal." in timeline
    assert "Error rate 38% -> 4% and falling." in timeline
    assert "| carol | starred entry #27 |" in section(markdown, "Appendix: bookkeeping")
    assert "`warroom replay INC-42 --at #N` shows the board as it was at entry #N." in section(markdown, "Timeline")


def test_workstreams_show_owners_hand_offs_with_notes_and_status_changes(markdown: str) -> None:
    ws = section(markdown, "Workstreams")
    ws1 = ws.split("### WS-2")[0]
    assert "- Final status: **done** (4.11 serving 100% of EU traffic)" in ws1
    assert "- Final owner: erin" in ws1
    owners = [r for r in table_rows(ws1) if len(r) == 6]
    assert [r[0] for r in owners] == ["_nobody_", "bob", "erin"]
    assert owners[2][4] == "hand-off from bob"
    assert owners[2][5].startswith("Tried: rollback via deploy tool") and "<br>Next: kill the migration session" in owners[2][5]
    statuses = [r[4] for r in table_rows(ws1) if len(r) == 5]
    assert "active → blocked" in statuses and "blocked → active" in statuses and "active → done" in statuses
    assert "declined WS-1" in ws1  # the declined offer is part of the story
    ws3 = ws.split("### WS-3")[1]
    assert "released WS-3" in ws3 and "- Final owner: nobody" in ws3


def test_command_section_has_the_hand_over_note(markdown: str) -> None:
    rows = table_rows(section(markdown, "Command"))
    assert rows[0][:5] == ["alice", "09:00:00", "09:38:30", "38m 30s", "declared the incident"]
    assert rows[1][:5] == ["bob", "09:38:30", "10:02:00", "23m 30s", "hand-over from alice"]
    assert rows[1][5].startswith("Mitigated at 09:25.")


def test_responders_time_on_shift_breaks_and_roles(markdown: str) -> None:
    rows = {r[0]: r for r in table_rows(section(markdown, "Responders"))}
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin"}
    assert rows["alice"][2] == "45m" and rows["alice"][5] == "off shift since 09:45:00"
    assert rows["bob"][2] == "1h 01m 20s"  # 09:00:40 to the close at 10:02:00, break included
    assert rows["bob"][3] == "1, 19m 40s in all<br>09:16:30–09:36:10 (19m 40s)"
    assert rows["bob"][4] == "commander 09:38:30–10:02:00 (23m 30s)"
    assert rows["carol"][4] == "scribe 09:02:00–10:02:00 (1h)"
    assert rows["dave"][4] == "comms 09:08:30–10:02:00 (53m 30s)"


def test_stakeholder_update_gaps_against_cadence(markdown: str) -> None:
    text = section(markdown, "Broadcasts and stakeholder updates")
    broadcasts, cadence = text.split("### Stakeholder update cadence")
    assert [r[4] for r in table_rows(broadcasts)] == ["responders", "stakeholders", "stakeholders", "stakeholders"]
    rows = table_rows(cadence)
    assert rows[0] == ["update #18", "09:00:00", "09:10:00", "10m", "SEV1: 20m", "09:20:00", "within"]
    # due 09:30, snoozed by 10 min at 09:28: the due time itself moves to 09:40 (issue 10, item 7)
    assert rows[1] == ["update #37", "09:10:00", "09:42:00", "32m", "SEV1: 20m", "09:40:00 (snoozed)", "over by 2m"]
    assert rows[2][0] == "no cadence after status resolved"
    assert len(rows) == 3  # the update after resolution owes nothing to the cadence
    assert "3 stakeholder updates; 1 wait over the cadence; longest wait 32m (until 09:42:00)." in cadence


def test_action_items(markdown: str) -> None:
    rows = table_rows(section(markdown, "Action items"))
    assert rows == [
        ["A-1", "Give schema migrations a lock timeout", "erin", "preventative", "", "open", "bob"],
        ["A-2", "Alert on EU checkout error rate above 5% for 2 minutes", "carol", "detective", "", "in progress", "bob"],
    ]


def test_action_items_show_their_current_status_and_due_date(scenario) -> None:
    """Followed through after the close: the export shows where each item stands now."""
    from datetime import date

    events = list(scenario.events)
    last = events[-1]

    def then(seq: int, actor: str, body: ev.Body) -> ev.StoredEvent:
        return ev.StoredEvent(seq=seq, id=uuid.uuid4(), at=last.at, actor=actor, body=body)

    events += [
        then(last.seq + 1, "erin", ev.ActionItemStatusSet(item="A-1", status="done")),
        then(last.seq + 2, "carol", ev.ActionItemStatusSet(item="A-2", status="wont_do", reason="the SLO alert | covers it")),
        then(last.seq + 3, "bob", ev.ActionItemAdded(text="Runbook for locks", due=date(2026, 4, 1))),
    ]
    state = fold(events)
    markdown = render("md", state, events).decode()
    assert table_rows(section(markdown, "Action items")) == [
        ["A-1", "Give schema migrations a lock timeout", "erin", "preventative", "", "done", "bob"],
        ["A-2", "Alert on EU checkout error rate above 5% for 2 minutes", "carol", "detective", "", "won't do: the SLO alert \\| covers it", "bob"],
        ["A-3", "Runbook for locks", "_unassigned_", "corrective", "2026-04-01", "open", "bob"],
    ]
    items = json.loads(render("json", state, events))["state"]["action_items"]
    assert [(i["id"], i["status"], i["reason"], i["due"]) for i in items] == [
        ("A-1", "done", "", None),
        ("A-2", "wont_do", "the SLO alert | covers it", None),
        ("A-3", "open", "", "2026-04-01"),
    ]


def test_gantt_chart_shows_every_ownership_span(markdown: str) -> None:
    block = re.search(r"```mermaid\n(.*?)```", markdown, re.S)
    assert block
    chart = block.group(1)
    assert "dateFormat YYYY-MM-DD HH:mm:ss" in chart
    assert "    section Command\n    alice :s4b1, 2026-03-14 09:00:00, 2026-03-14 09:38:30\n    bob :s4b2, 2026-03-14 09:38:30, 2026-03-14 10:02:00" in chart
    assert "    section WS-1 Roll back payments-api 4.12\n    bob :s5b1, 2026-03-14 09:03:00, 2026-03-14 09:16:00\n    erin (hand-off) :s5b2, 2026-03-14 09:16:00, 2026-03-14 10:02:00" in chart
    assert "not yet detected :s1b1, 2026-03-14 08:47:00, 2026-03-14 08:55:00" in chart


def test_drill_is_marked() -> None:
    from export_scenario import LogBuilder

    log = LogBuilder()
    log.add("10:00:00", "alice", ev.IncidentDeclared(incident_id="DRILL-1", title="Game day: lose a zone", drill=True))
    log.add("10:03:00", "alice", ev.IncidentClosed())
    md = render_markdown(log.state, log.events)
    assert md.startswith("# DRILL-1: Game day: lose a zone (drill)\n")
    assert "> **Drill.** This incident was an exercise" in md
    assert "| Drill | yes |" in md
    # a three-minute drill still gets a readable axis
    assert "axisFormat %H:%M:%S" in md


def test_open_incident_is_as_of_its_last_event() -> None:
    log = build_scenario()
    events = log.events[:30]  # before mitigation, still open
    state = fold(events)
    md = render_markdown(state, events)
    assert "The incident is still open: figures are as of its last event, 09:24:00 UTC." in md
    assert "| Mitigated | not reached | — | — |" in md
    assert "still held" in section(md, "Command")
    cadence = section(md, "Broadcasts and stakeholder updates").split("### Stakeholder update cadence")[1]
    assert table_rows(cadence)[-1][0] == "still waiting"


def test_golden_json_and_csv_agree_with_the_log(scenario) -> None:
    doc = json.loads(render_json(scenario.state, scenario.events))
    assert doc["format"] == "warroom-incident" and doc["version"] == 1
    assert doc["incident"]["id"] == "INC-42" and doc["incident"]["events"] == len(scenario.events)
    assert doc["events"][0]["at"] == "2026-03-14T09:00:00Z"
    assert len(doc["events"]) == len(scenario.events)
    assert doc["state"] == json.loads(json.dumps(scenario.state.summary_dict()))
    rows = list(csv.reader(io.StringIO(render_csv(scenario.state))))
    assert len(rows) == 1 + len(scenario.state.timeline)
    refused = [r for r in rows[1:] if r[-1]]
    assert [r[0] for r in refused] == ["20"] and "owned by bob" in refused[0][-1]
    assert at("09:00:00").isoformat().replace("+00:00", "Z") == rows[1][1]


def test_key_times_in_other_offsets_or_without_one_are_shown_in_utc() -> None:
    from datetime import datetime, timedelta, timezone

    from export_scenario import LogBuilder

    log = LogBuilder()
    log.add("09:00:00", "alice", ev.IncidentDeclared(incident_id="INC-2", title="t"))
    log.add("09:01:00", "alice", ev.KeyTimeSet(which="started", time=datetime(2026, 3, 14, 10, 40, tzinfo=timezone(timedelta(hours=2)))))
    log.add("09:02:00", "alice", ev.KeyTimeSet(which="detected", time=datetime(2026, 3, 14, 8, 50)))  # naive: taken as UTC
    md = render_markdown(log.state, log.events)
    assert "| Started | 08:40:00 | T+00:00:00 | corrected by alice |" in md
    assert "| Detected | 08:50:00 | T+00:10:00 | corrected by alice |" in md
    assert "not yet detected :s1b1, 2026-03-14 08:40:00, 2026-03-14 08:50:00" in md
    assert render_csv(log.state).splitlines()[1].split(",")[2] == "T+00:20:00"


def test_linked_incidents_and_when_the_secondary_began(scenario) -> None:
    """Issue 13: the post-mortem lists linked incidents; for caused-by, the secondary's start relative to the primary's."""
    from datetime import timedelta

    events = list(scenario.events)
    last = events[-1]
    primary_start = scenario.state.key_times["started"] - timedelta(minutes=42, seconds=5)
    events.append(ev.StoredEvent(
        seq=last.seq + 1, id=uuid.uuid4(), at=last.at, actor="bob",
        body=ev.IncidentLinked(incident="INC-41", kind="caused-by", title="Deploy | schema 0042", started=primary_start, mirror=True),
    ))
    events.append(ev.StoredEvent(
        seq=last.seq + 2, id=uuid.uuid4(), at=last.at, actor="bob",
        body=ev.IncidentLinked(incident="INC-43", kind="related", title="EU card retries", mirror=True),
    ))
    linked = table_rows(section(render_markdown(fold(events), events), "Linked incidents"))
    assert linked == [
        ["INC-41", "this incident was caused by it", "Deploy \\| schema 0042", "this incident began T+00:42:05 from the primary's start"],
        ["INC-43", "related", "EU card retries", "—"],
    ]
    assert "## Linked incidents" not in render_markdown(scenario.state, scenario.events)  # none: no section
