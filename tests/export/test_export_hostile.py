"""Hostile text in every field a responder can type: the exports must stay well-formed.

Markdown is checked twice: structurally (every table row has the header's column count,
split on unescaped pipes) and by a real CommonMark+tables parser (markdown-it-py, which
ships with Rich) with raw HTML *enabled*, as GitHub allows some: any unescaped
``<script>`` would come through as HTML. The chart is checked against the statement
shapes Mermaid's gantt lexer accepts.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from export_scenario import LogBuilder
from markdown_it import MarkdownIt
from test_export_golden import split_row

from warroom.export import parse_document, render_csv, render_json, render_markdown
from warroom.export.text import csv_safe, md_block, md_cell, md_inline, mermaid_name
from warroom.incident import events as ev
from warroom.incident.events import MAX_TEXT
from warroom.safetext import is_unsafe_char, safe_line

LONG = "x" * 3000 + " " + "🔥" * 500 + "y" * 400
HOSTILE = [
    "pipe | in | the | middle |",
    "back`tick`s and ```fences``` and ~~~tildes~~~",
    "line one\nline two\r\nline three\rline four\u2028line five",
    "<script>alert('x')</script> and <img src=x onerror=alert(1)> <!-- comment",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2-2",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "# not a heading\n- not a list\n> not a quote\n1. not ordered\n---\n===\n    not code",
    "[link](javascript:alert(1)) ![img](x.png) **bold** _em_ *em* __b__ <http://x.y> $x^2$ \\",
    "colon: semi; hash # percent %% comment %%{init: {}}%% end",
    "title gantt section click call href dateFormat",
    "nul \x00 bell \x07 escape \x1b[31m red",
    "&lt;already escaped&gt; &amp; &#60;script&#62;",
    "unicode: naïve café 東京 مرحبا \u202ereversed\u202c zero\u200bwidth",
    "trailing backslash \\",
    "|",
    LONG,
]
TITLE = "<script>alert(1)</script> | `x` : # ; %% gantt title\nsecond line"


def hostile_log() -> LogBuilder:
    log = LogBuilder()
    a = log.add
    minute = iter(range(10_000))

    def t() -> str:
        m = next(minute)
        return f"{10 + m // 60:02d}:{m % 60:02d}:00"

    a(t(), "alice", ev.IncidentDeclared(incident_id="INC-666", title=TITLE, severity=1))
    a(t(), "bob", ev.ResponderJoined())
    for i, text in enumerate(HOSTILE, start=1):
        title = text[:200] if text.strip() else "blank"
        a(t(), "alice", ev.WorkstreamOpened(title=title))
        a(t(), "bob", ev.WorkstreamClaimed(workstream=f"WS-{i}"))
        a(t(), "bob", ev.NoteAdded(text=text[:MAX_TEXT], star=i % 2 == 0))
        a(t(), "bob", ev.WorkstreamStatusSet(workstream=f"WS-{i}", status="blocked", note=text[:MAX_TEXT]))
        a(t(), "bob", ev.HandoffOffered(workstream=f"WS-{i}", to="alice", note=text[:MAX_TEXT]))
        a(t(), "alice", ev.HandoffAccepted(workstream=f"WS-{i}"))
        a(t(), "alice", ev.BroadcastSent(text=text[:MAX_TEXT], audience="stakeholders" if i % 2 else "responders"))
        a(t(), "bob", ev.ActionItemAdded(text=text[:MAX_TEXT], owner="bob"))
    a(t(), "alice", ev.CommandHandoverOffered(to="bob", note=HOSTILE[2] + HOSTILE[3]))
    a(t(), "bob", ev.CommandHandoverAccepted())
    a(t(), "bob", ev.IncidentClosed(summary="\n".join(HOSTILE[:-1])))
    return log


@pytest.fixture(scope="module")
def log() -> LogBuilder:
    return hostile_log()


@pytest.fixture(scope="module")
def markdown(log) -> str:
    return render_markdown(log.state, log.events)


def tables(markdown: str) -> list[list[str]]:
    """Each table as its list of lines (header, delimiter, rows)."""
    found, current = [], []
    for line in markdown.split("\n"):
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def test_every_table_row_keeps_the_header_column_count(markdown: str) -> None:
    found = tables(markdown)
    assert len(found) > 20
    for table in found:
        assert re.fullmatch(r"\|(?:---\|)+", table[1]), table[:2]
        width = len(split_row(table[0]))
        for row in table[2:]:
            assert len(split_row(row)) == width, row[:200]


OUR_CELL_MARKUP = {"_nobody_", "_unassigned_"}  # the only formatting we put in cells ourselves
OUR_QUOTES = ("**Drill.**", "Post-mortem draft written by warroom", "The incident is still open")


def user_text_tokens(tokens) -> list:
    """Inline tokens that hold what responders typed: table cells, headings, the quoted close summary."""
    found, in_cell, in_heading, in_quote = [], False, False, False
    for token in tokens:
        if token.type in ("td_open", "th_open"):
            in_cell = True
        elif token.type in ("td_close", "th_close"):
            in_cell = False
        elif token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "blockquote_open":
            in_quote = True
        elif token.type == "blockquote_close":
            in_quote = False
        elif token.type == "inline" and (in_cell or in_heading or in_quote):
            if token.content not in OUR_CELL_MARKUP and not token.content.startswith(OUR_QUOTES):
                found.append(token)
    return found


def test_a_real_parser_sees_the_same_tables_and_no_html(markdown: str) -> None:
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = parser.parse(markdown)
    assert sum(1 for t in tokens if t.type == "table_open") == len(tables(markdown))
    widths: list[int] = []
    cells = 0
    for token in tokens:
        if token.type == "table_open":
            widths.append(-1)
        elif token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            if widths[-1] == -1:
                widths[-1] = cells
            assert cells == widths[-1]
    # nothing a responder typed becomes a tag, a link, code or emphasis; our <br> is the only HTML
    checked = user_text_tokens(tokens)
    assert len(checked) > 500
    for token in checked:
        for child in token.children or []:
            assert child.type in ("text", "softbreak", "html_inline"), (child.type, token.content[:80])
            if child.type == "html_inline":
                assert child.content == "<br>"
    for token in tokens:
        assert token.type not in ("html_block", "code_block") and (token.type != "fence" or token.info == "mermaid")
    assert sum(1 for t in tokens if t.type == "fence") == 1
    rendered = parser.render(markdown)
    assert "<script" not in rendered.lower()
    assert "<img" not in rendered.lower()
    # in the source, a tag a responder typed is only ever a literal: backslash-escaped
    assert re.search(r"(?<!\\)<(script|img)", markdown, re.I) is None


def test_headings_are_only_ours(markdown: str) -> None:
    headings = [line for line in markdown.split("\n") if line.startswith("#")]
    assert headings[0].startswith("# INC-666: ")
    for heading in headings:
        assert re.match(r"#{1,3} [A-Z]", heading), heading[:120]


def cell_text(inline_token) -> str:
    """What a reader sees in a cell: text, with our <br> as a line break."""
    out = []
    for child in inline_token.children:
        if child.type == "html_inline" and child.content == "<br>":
            out.append("\n")
        elif child.type in ("text", "softbreak"):
            out.append(child.content if child.type == "text" else " ")
        else:  # pragma: no cover - the previous test forbids anything else
            raise AssertionError(child.type)
    return "".join(out)  # markdown-it has already decoded entities and escapes


def test_notes_read_verbatim_in_the_timeline(log, markdown: str) -> None:
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(markdown)
    seen = {cell_text(t) for t in user_text_tokens(tokens)}
    for text in HOSTILE:
        # controls and bidi overrides read as the terminal views show them (ESC as ␛, U+202E as <U+202E>)
        expected = "\n".join(safe_line(line.strip()) for line in re.split(r"\r\n|[\r\n\u2028]", text)).strip()
        assert expected in seen, text[:80]


def mermaid_block(markdown: str) -> list[str]:
    match = re.search(r"^```mermaid\n(.*?)^```$", markdown, re.S | re.M)
    assert match
    return match.group(1).rstrip("\n").split("\n")


TASK = re.compile(r"^    ([^:#;%\n]+) :s\d+b\d+, (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d), (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)$")
SECTION = re.compile(r"^    section ([^:#;%\n]+)$")
KEYWORD = re.compile(
    r"^(gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|"
    r"title|accdescr|acctitle|section|click|call|href|\d{4}-\d\d-\d\d)",
    re.I,
)


def test_mermaid_chart_stays_valid(markdown: str) -> None:
    lines = mermaid_block(markdown)
    assert lines[:6] == [
        "gantt",
        "    title Who held what, when (UTC)",
        "    dateFormat YYYY-MM-DD HH:mm:ss",
        lines[3],
        "    todayMarker off",
        lines[5],
    ]
    assert lines[3].startswith("    axisFormat %")
    tasks = 0
    for line in lines[5:]:
        if m := SECTION.match(line):
            name = m.group(1)
        else:
            m = TASK.match(line)
            assert m, f"not a task line: {line[:120]!r}"
            assert m.group(2) < m.group(3), line  # every bar has a positive length
            name = m.group(1)
            tasks += 1
            assert not KEYWORD.match(name.strip()), name
        assert len(name) <= 60 and "`" not in name and "<" not in name
    assert tasks >= len(HOSTILE) * 2  # every owner of every workstream is drawn
    assert len("\n".join(lines)) < 50_000  # Mermaid's (and GitHub's) size limit


def test_chart_is_capped_for_huge_incidents() -> None:
    log = LogBuilder()
    log.add("09:00:00", "alice", ev.IncidentDeclared(incident_id="INC-9", title="many"))
    for i in range(1, 301):
        log.add(f"09:{i // 60:02d}:{i % 60:02d}", "alice", ev.WorkstreamOpened(title=f"ws {i}"))
        log.add(f"10:{i // 60:02d}:{i % 60:02d}", "alice", ev.WorkstreamClaimed(workstream=f"WS-{i}"))
    md = render_markdown(log.state, log.events)
    tasks = [line for line in mermaid_block(md) if TASK.match(line)]
    assert len(tasks) == 200
    assert "_The chart shows the first 200 of 303 bars; the tables below have every one._" in md


def test_csv_parses_back_verbatim_with_formulas_neutralised(log) -> None:
    text = render_csv(log.state)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header[0] == "seq" and header[-2:] == ["text", "rejected"]
    assert len(body) == len(log.state.timeline)
    assert all(len(row) == len(header) for row in body)
    for row, entry in zip(body, log.state.timeline, strict=True):
        assert row[header.index("text")] == csv_safe(entry.text)
    notes = [row[header.index("text")] for row in body if row[header.index("type")] == "note_added"]
    assert "'=cmd|' /C calc'!A0" in notes and "'+1+1" in notes and "'-2-2" in notes
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in notes
    # Line breaks are kept, in one cell, as plain LF: a lone CR would let `cat` overwrite a row.
    assert "line one\nline two\nline three\nline four\nline five" in notes
    assert "nul ␀ bell ␇ escape ␛[31m red" in notes  # controls visible, never raw
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell[:40]


def test_json_round_trips_hostile_text(log) -> None:
    doc = parse_document(render_json(log.state, log.events).encode("utf-8"))
    assert doc.events == log.events
    assert json.loads(render_json(log.state, log.events))["state"]["title"] == TITLE


@pytest.mark.parametrize("text", HOSTILE + [TITLE, "", " ", "\n\n"])
def test_escapers_never_emit_structure(text: str) -> None:
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    for escaped in (md_cell(text), md_inline(text)):
        assert "\n" not in escaped and "\r" not in escaped
        assert re.search(r"(?<!\\)(\\\\)*\|", escaped) is None  # no unescaped pipe
        for child in parser.parseInline(escaped)[0].children:  # nothing but text (and our <br>)
            assert child.type in ("text", "softbreak") or (child.type, child.content) == ("html_inline", "<br>"), child
        assert not any(is_unsafe_char(char) for char in escaped)  # controls and bidi shown, never raw
    block = md_block(text, "> ")
    assert all(line.startswith(">") for line in block.split("\n"))
    name = mermaid_name(text)
    assert name and not set(name) & set(":#;%`<>\n\r,{}")
    assert not KEYWORD.match(name)


def test_an_alert_declared_incident_exports_with_its_alerts_and_no_commander() -> None:
    """An incident a hook declared has nobody in command until someone takes it: every export still renders."""
    from datetime import datetime, timezone

    from tests.builder import LogBuilder
    from warroom.export import render
    from warroom.incident import events as ev

    log = LogBuilder()
    start = datetime(2026, 11, 25, 8, 52, tzinfo=timezone.utc)
    log.add("alertmanager", ev.IncidentDeclared(incident_id="INC-1", title="EU checkout slow", severity=1, alert_group="g", detected_at=start), minutes=0)
    log.add("alertmanager", ev.AlertFired(group="g", fingerprint="f1", name="CheckoutLatencyHigh", summary="p99 | over 2s", labels={"region": "eu"}, starts_at=start))
    log.add("alertmanager", ev.AlertResolved(group="g", fingerprint="f1", name="CheckoutLatencyHigh"))
    state = log.state()
    markdown = render("md", state, log.events).decode()
    assert "alert firing: CheckoutLatencyHigh: p99 \\| over 2s [region=eu]" in markdown
    assert "alert resolved: CheckoutLatencyHigh (every alert of this incident has resolved)" in markdown
    document = json.loads(render("json", state, log.events))
    assert document["state"]["commander"] is None and document["state"]["alerts"][0]["status"] == "resolved"
    assert document["state"]["key_times"]["detected"] == "2026-11-25T08:52:00Z"
    assert "alert_fired" in render("csv", state, log.events).decode("utf-8-sig")
