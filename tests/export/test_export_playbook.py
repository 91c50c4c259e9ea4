"""The post-mortem of an incident declared with a playbook (issue 24): the Impact section from its
fields, and a Checklist section saying what was done, by whom, when, and what was skipped."""

from __future__ import annotations

from export_scenario import LogBuilder
from test_export_golden import section, table_rows

from tests.builder import PLAYBOOK
from warroom.export import render_html, render_markdown
from warroom.incident import events as ev


def playbook_incident() -> LogBuilder:
    log = LogBuilder()
    log.add("10:00:00", "alice", ev.IncidentDeclared(incident_id="INC-7", title="Objects expiring", severity=1, playbook=PLAYBOOK))
    log.add("10:04:00", "alice", ev.ChecklistTicked(item="C-1"))
    log.add("10:05:00", "bob", ev.FieldSet(name="customers_affected", value=4821))
    log.add("10:06:00", "alice", ev.ChecklistItemAdded(text="Call the DPO | legal", role="commander", stage="resolve", required=True))
    log.add("10:07:00", "bob", ev.NoteAdded(text="about 490k objects lost", impact=True))
    log.add("10:30:00", "bob", ev.ChecklistTicked(item="C-4"))
    return log


def test_impact_takes_the_playbook_fields_and_keeps_the_impact_notes() -> None:
    log = playbook_incident()
    impact = section(render_markdown(log.state, log.events), "Impact")
    assert table_rows(impact) == [
        ["Customers affected", "4,821"], ["Automation", "not set"], ["Window lost", "not set"],
        ["10:07:00", "T+00:07:00", "bob", "about 490k objects lost"],
    ]


def test_the_checklist_section_says_what_was_done_by_whom_when_and_what_was_skipped() -> None:
    log = playbook_incident()
    markdown = render_markdown(log.state, log.events)
    checklist = section(markdown, "Checklist")
    assert "From the data-loss playbook" in checklist
    assert table_rows(checklist) == [
        ["C-1", "commander", "triage", "Stop the automation", "done", "alice", "10:04:00", "T+00:04:00"],
        ["C-2", "comms", "triage", "Tell support", "skipped", "", "", ""],
        ["C-3", "everyone", "mitigate", "Count the customers", "skipped, required", "", "", ""],
        ["C-4", "commander", "resolve", "Call the DPO \\| legal (added by alice)", "done", "bob", "10:30:00", "T+00:30:00"],
    ]
    page = render_html(log.state, log.events)
    assert "<h2>Checklist</h2>" in page and "skipped, required" in page


def test_an_incident_without_a_playbook_has_no_checklist_section() -> None:
    log = LogBuilder()
    log.add("10:00:00", "alice", ev.IncidentDeclared(incident_id="INC-7", title="Plain", severity=2))
    assert "## Checklist" not in render_markdown(log.state, log.events)
