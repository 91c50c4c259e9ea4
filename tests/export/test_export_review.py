"""The post-mortem you can run the review from (issue 25): decisions, impact, alerts, linked incidents
told in a few lines, roles over time, owners who never joined, responder-hours, and Markdown that
reads the same rendered or pasted."""

from __future__ import annotations

import html
import re

import pytest
from export_scenario import LogBuilder, build_review_scenario
from markdown_it import MarkdownIt
from test_export_golden import section, table_rows

from warroom.export import render_html, render_markdown
from warroom.incident import events as ev
from warroom.safetext import is_unsafe_char


@pytest.fixture(scope="module")
def logs() -> tuple[LogBuilder, LogBuilder]:
    return build_review_scenario()


@pytest.fixture(scope="module")
def markdown(logs) -> str:
    log, other = logs
    return render_markdown(log.state, log.events, {"INC-8": other.state})


def test_decisions_say_who_when_what_why_and_the_alternatives(markdown: str) -> None:
    rows = table_rows(section(markdown, "Decisions"))
    assert rows == [[
        "#6", "10:05:00", "T+00:05:00", "bob", "Turn the lifecycle rule off in the console",
        "stops the deletions now", "revert in Terraform (20 min); wait for the fix",
    ]]
    story = [r for r in table_rows(section(markdown, "Timeline")) if r[0] == "#6"]
    assert story and story[0][5].startswith("◆ decided: Turn the lifecycle rule off in the console")


def test_impact_is_built_from_the_notes_marked_as_impact(markdown: str) -> None:
    impact = section(markdown, "Impact")
    assert table_rows(impact) == [["10:06:00", "T+00:06:00", "carol", "4,821 customers lost objects (ticket #4821) -> about ~5 min of deletes"]]
    assert "- _to fill in_" in impact


def test_the_impact_section_takes_playbook_fields_when_there_are_some(logs) -> None:
    from warroom.export.history import derive
    from warroom.export.postmortem.context import Draft
    from warroom.export.postmortem.review import impact

    log, _ = logs
    draft = Draft(log.state, derive(log.state, log.events), log.state.policy, len(log.events))
    assert impact(draft)["fields"] == []
    assert impact(draft, [("Customers affected", "4,821")])["fields"] == [["Customers affected", "4,821"]]


def test_alerts_table_with_fired_resolved_summary_and_the_description_kept(markdown: str) -> None:
    alerts = section(markdown, "Alerts")
    assert table_rows(alerts) == [["ObjectsDeleted", "s3-eu-1", "09:58:00", "10:20:00", "deletes above 1000/min"]]
    assert (
        "- ObjectsDeleted on s3-eu-1: Lifecycle deletes far above baseline.<br>See the storage dashboard. "
        "runbook: https://runbooks.example/objects" in alerts
    )


def test_a_linked_incident_in_the_store_is_told_in_a_few_lines(markdown: str) -> None:
    linked = section(markdown, "Linked incidents")
    assert table_rows(linked)[0][:3] == ["INC-8", "this incident caused it", "Terraform drift on the lifecycle rule"]
    assert "### INC-8: Terraform drift on the lifecycle rule" in linked
    assert "- Link: this incident caused it; SEV3, closed; lasted 15m" in linked
    assert "- Commander(s): erin 10:26:00–10:41:00 (15m)" in linked
    assert "- Key times (UTC): started 10:26:00, detected 10:26:00, resolved 10:40:00" in linked
    assert "  - A-1 Import the console change (erin, open)" in linked
    # and the responder who moved there is seen going there, not just going off shift
    carol = {r[0]: r for r in table_rows(section(markdown, "Responders"))}["carol"]
    assert carol[5] == "off shift since 10:28:00; joined INC-8 at 10:28:30"


def test_without_the_linked_log_the_link_is_one_row(logs) -> None:
    log, _ = logs
    linked = section(render_markdown(log.state, log.events), "Linked incidents")
    assert len(table_rows(linked)) == 1 and "### INC-8" not in linked


def test_roles_over_time_never_overlap_a_deputy_is_deputy_until_taking_command(markdown: str) -> None:
    assert table_rows(section(markdown, "Roles over time")) == [
        ["commander", "alice", "10:00:00", "10:11:00", "11m"],
        ["commander", "bob", "10:11:00", "10:30:00", "19m"],
        ["deputy", "bob", "10:02:30", "10:11:00", "8m 30s"],
    ]
    bob = {r[0]: r for r in table_rows(section(markdown, "Responders"))}["bob"]
    assert bob[4] == "commander 10:11:00–10:30:00 (19m)<br>deputy 10:02:30–10:11:00 (8m 30s)"


def test_an_owner_who_never_joined_is_flagged(markdown: str) -> None:
    items = section(markdown, "Action items")
    assert table_rows(items)[0][2] == "lenna (never joined)"
    assert "- ⚠ lenna owns A-1 but never joined this incident: make sure they know." in items


def test_an_owner_who_has_since_worked_on_the_item_is_not_flagged() -> None:
    log, _ = build_review_scenario()
    log.add("11:00:00", "lenna", ev.ActionItemStatusSet(item="A-1", status="in_progress"))  # after close: no join
    items = section(render_markdown(log.state, log.events), "Action items")
    assert table_rows(items)[0][2] == "lenna" and "never joined" not in items


def test_responder_hours_exclude_breaks(markdown: str) -> None:
    # alice 30m on shift less a 10 min break; bob 28m; carol 25m (off at 10:28)
    assert "| Responder-hours | 1h 13m (time on shift, breaks excluded) |" in section(markdown, "Summary")
    assert "Incident cost: 1h 13m in responder-hours (time on shift, breaks excluded): alice 20m, bob 28m, carol 25m." in markdown


def test_looking_back_prompts(markdown: str) -> None:
    looking = section(markdown, "Looking back")
    for title in ("What went well", "Where we got lucky", "What was hard"):
        assert f"### {title}\n" in looking


def rendered_text(markdown: str) -> str:
    """What a reader of the rendered page sees: markdown-it's HTML with tags dropped and entities decoded."""
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return html.unescape(re.sub(r"<[^>]+>", " ", parser.render(markdown)))


def test_markdown_reads_the_same_rendered_or_pasted(logs, markdown: str) -> None:
    """Few escapes: what responders typed is in the source as typed, and the rendered text says the same words."""
    log, _ = logs
    assert "4,821 customers lost objects (ticket #4821) -> about ~5 min of deletes" in markdown  # no \\#, &gt; or \\~
    seen = " ".join(rendered_text(markdown).split())
    typed = [e.body for e in log.events]
    words = [b.text for b in typed if isinstance(b, (ev.NoteAdded, ev.DecisionMade))]
    words += [b.why for b in typed if isinstance(b, ev.DecisionMade)] + [log.state.title, log.state.summary]
    for text in words:
        assert " ".join(text.split()) in seen, text


HOSTILE_WORDS = [
    "see <b>bold</b> & &amp; [here](http://evil.example) **loud** _quiet_ `code` ~~gone~~ $x$ a|b",
    "# heading? - list? > quote? 1. ordered? <!-- hidden -->",
]


def test_user_text_cannot_inject_structure_yet_renders_as_typed() -> None:
    log = LogBuilder()
    log.add("09:00:00", "alice", ev.IncidentDeclared(incident_id="INC-3", title="Title <i>x</i> [a](b) #1"))
    for text in HOSTILE_WORDS:
        log.add("09:01:00", "alice", ev.NoteAdded(text=text))
        log.add("09:02:00", "alice", ev.DecisionMade(text=text, why=text))
    log.add("09:03:00", "alice", ev.IncidentClosed(summary="\n".join(HOSTILE_WORDS) + "\n- a list?\n# a heading?\n[x]: http://evil.example"))
    markdown = render_markdown(log.state, log.events)
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = parser.parse(markdown)
    kinds = {child.type for token in tokens if token.type == "inline" for child in token.children or []}
    assert kinds <= {"text", "softbreak", "html_inline", "code_inline", "em_open", "em_close", "strong_open", "strong_close"}
    assert not [t for t in tokens if t.type in ("html_block", "link_open", "image")]
    inline_html = {c.content for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "html_inline"}
    assert inline_html == {"<br>"}
    code = {c.content for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "code_inline"}
    assert code <= {"warroom keytime", "warroom decide", "warroom replay INC-3 --at #N"}  # ours only
    headings = [t for t in tokens if t.type == "heading_open"]
    assert all(tokens[i + 1].content[:1].isupper() or tokens[i + 1].content.startswith("INC-") for i, t in enumerate(tokens) if t.type == "heading_open")
    assert len(headings) == len(re.findall(r"^#{1,3} ", markdown, re.M))
    seen = " ".join(rendered_text(markdown).split())
    for text in HOSTILE_WORDS + ["Title <i>x</i> [a](b) #1"]:
        assert " ".join(text.split()) in seen, text


def test_bidi_and_controls_are_shown_as_in_the_terminal_title_included() -> None:
    log = LogBuilder()
    title = "Invoice \u202egnp.exe\u202c \x1b[2J"
    log.add("09:00:00", "alice", ev.IncidentDeclared(incident_id="INC-4", title=title))
    log.add("09:01:00", "alice", ev.NoteAdded(text="rename \u2067x\u2069 done \x07"))
    log.add("09:02:00", "alice", ev.DecisionMade(text="keep \u200fit", alternatives="\u202aa"))
    for output in (render_markdown(log.state, log.events), render_html(log.state, log.events)):
        assert not any(is_unsafe_char(char) for char in output.replace("\n", "")), [c for c in output if is_unsafe_char(c) and c != "\n"]
    markdown = render_markdown(log.state, log.events)
    assert markdown.startswith("# INC-4: Invoice <U+202E>gnp.exe<U+202C> ␛[2J\n")
    assert "rename <U+2067>x<U+2069> done ␇" in markdown
    page = render_html(log.state, log.events)
    assert "<h1>INC-4: Invoice &lt;U+202E&gt;gnp.exe&lt;U+202C&gt; ␛[2J</h1>" in page


def test_the_html_is_one_self_contained_page(logs) -> None:
    log, other = logs
    page = render_html(log.state, log.events, {"INC-8": other.state})
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page.lower() and "src=" not in page and "<link" not in page and "@import" not in page
    for heading in ("Summary", "Impact", "Decisions", "Timeline", "Alerts", "Roles over time", "Looking back", "Action items", "Appendix: bookkeeping"):
        assert f"<h2>{heading}</h2>" in page
    assert "Turn the lifecycle rule off in the console" in page
    assert "-&gt; about ~5 min" in page  # autoescaped


def test_the_json_export_keeps_bidi_text_escaped_and_round_trips() -> None:
    """Issue 21, item 8: the JSON keeps the data, written as \\u202e so printing the file is safe."""
    from warroom.export import parse_document, render_json

    log = LogBuilder()
    log.add("09:00:00", "alice", ev.IncidentDeclared(incident_id="INC-4", title="Invoice \u202egnp.exe"))
    text = render_json(log.state, log.events)
    assert "\u202e" not in text and "Invoice \\u202egnp.exe" in text
    assert parse_document(text.encode("utf-8")).events == log.events
