"""The post-mortem draft: a Markdown document a facilitator can take into the review.

Facts come from the log (timeline, who held what and when, how long stakeholders
waited); judgement is left to the meeting, as empty prompts for impact, contributing
factors by layer of defence, "why?" chains and action items. The wording is
blameless by construction: names say who did what so the story can be followed,
never who is at fault.

It renders on GitHub and GitLab: GFM tables, one ``mermaid`` gantt chart, and no HTML
beyond ``<br>``. Everything a responder typed is escaped (see ``text.py``), so a note
with ``|``, backticks or ``<script>`` reads as written and cannot break a table, the
chart or the page. The output depends only on the state and the events (the policy is the incident's own),
never on the clock, so the same log always gives the same document.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.incident import IncidentState, Policy, StoredEvent
from warroom.incident.state import OwnershipSpan, TimelineEntry, Workstream

from warroom.words import long_duration as duration

from .history import History, UpdateInterval, derive
from .text import elapsed, md_block, md_cell, md_inline, md_table, mermaid_name, offset, seconds, utc

# Mermaid refuses diagrams past ~50,000 characters (GitHub's limit too); 200 bars stay far below.
MAX_CHART_TASKS = 200
TO_FILL_IN = "- _to fill in_"

PURPOSE = """\
This review is blameless. Its purpose is to understand what happened and how our systems, \
tools and ways of working made it possible, so that we can change them. Everyone involved \
acted in good faith on what they knew at the time. Names in this document show who did what \
so that the story can be followed; they are not a judgement. We are looking for the \
conditions that let the failure happen and go unnoticed, and for the changes that make the \
safe choice the easy one next time."""

IMPACT_PROMPT = """\
_Who was affected, and how? For how long (see the key times)? Was it visible to customers? \
Was data lost or wrong? What did it cost: money, error budget, trust?_"""

LAYERS: tuple[tuple[str, str], ...] = (
    (
        "Testing",
        "What tests covered the part that failed? What would a test that catches this look like, "
        "and what made it hard to have one?",
    ),
    (
        "Review",
        "What could reviewers see of the change or the condition, and what could they not see? "
        "Did the review process give them what they needed?",
    ),
    (
        "Deployment verification",
        "How was the change rolled out and checked (canary, health checks, automatic rollback)? "
        "Why did that not stop it?",
    ),
    (
        "Detection",
        "How did we find out: an alert, a customer, by chance? Which signal existed earlier, and "
        "why did it not reach anyone?",
    ),
    (
        "Response",
        "What helped responders and what got in their way: tools, access, runbooks, hand-overs, "
        "communication?",
    ),
)

LINK_KIND_WORDS = {
    "caused-by": "this incident was caused by it",
    "causes": "this incident caused it",
    "related": "related",
    "duplicate-of": "this incident is a duplicate of it",
    "duplicated-by": "it is a duplicate of this incident",
}

WHY_PROMPT = """\
_Take each contributing factor and ask "why?" until the answer is a condition the system \
(tools, defaults, process) can change. Stop at a condition, not a person._"""

ACTION_PROMPT = """\
_Add what the review decides. Each action needs an owner and a kind: detective (find it \
sooner), preventative (stop it happening) or corrective (fix what broke)._"""


def render_markdown(state: IncidentState, events: Sequence[StoredEvent]) -> str:
    """The post-mortem draft for ``state``, the fold of ``events``."""
    return _Draft(state, derive(state, events), state.policy, len(events)).render()


class _Draft:
    def __init__(self, state: IncidentState, history: History, policy: Policy, event_count: int):
        self.state = state
        self.history = history
        self.policy = policy
        self.event_count = event_count
        self.start = history.start
        self.as_of = history.as_of
        self.kt = {which: utc(at) for which, at in state.key_times.items()}
        moments = [a.event.at for a in history.accepted] + list(self.kt.values()) + [self.as_of]
        self.dates = sorted({m.date() for m in moments})
        self.one_day = len(self.dates) == 1

    # --- small helpers ---------------------------------------------------------------

    def clock(self, at: datetime | None) -> str:
        if at is None:
            return "—"
        at = utc(at)
        return f"{at:%H:%M:%S}" if self.one_day else f"{at:%Y-%m-%d %H:%M:%S}"

    def t(self, at: datetime) -> str:
        return offset(at, self.start)

    def span_text(self, start: datetime, end: datetime | None, still: str = "still held") -> str:
        until = self.clock(end) if end else "…"
        held = elapsed(start, end or self.as_of)
        return f"{self.clock(start)}–{until} ({held}{'' if end else f', {still}'})"

    def closed_by(self) -> str | None:
        for accepted in reversed(self.history.accepted):
            if accepted.event.type == "incident_closed":
                return accepted.event.actor
        return None

    # --- the document ----------------------------------------------------------------

    def render(self) -> str:
        parts = [
            self.title(),
            self.summary(),
            *self.linked(),
            "## Purpose of this review",
            PURPOSE,
            "## Impact",
            IMPACT_PROMPT,
            TO_FILL_IN,
            *self.key_times(),
            *self.severity_and_status(),
            *self.timeline(),
            *self.chart(),
            *self.command(),
            *self.workstreams(),
            *self.responders(),
            *self.broadcasts(),
            *self.contributing_factors(),
            "## Why? chains",
            WHY_PROMPT,
            *[_why_chain() for _ in range(2)],
            *self.action_items(),
        ]
        return "\n\n".join(part for part in parts if part) + "\n"

    def title(self) -> str:
        state = self.state
        drill = " (drill)" if state.drill else ""
        lines = [f"# {state.id}: {md_inline(state.title)}{drill}", ""]
        if state.drill:
            lines.append("> **Drill.** This incident was an exercise, not a real outage.")
            lines.append(">")
        lines.append(
            f"> Post-mortem draft written by warroom from the incident log ({self.event_count} events). "
            "The facts come from the timeline; the prompts in _italics_ are for the review meeting."
        )
        if not state.closed:
            lines.append(">")
            lines.append(f"> The incident is still open: figures are as of its last event, {self.clock(self.as_of)} UTC.")
        return "\n".join(lines)

    def summary(self) -> str:
        state, history = self.state, self.history
        severity_changes = [c for c in history.changes if c.kind == "severity" and c.before]
        severity = f"SEV{state.severity}"
        if severity_changes:
            steps = ", ".join(f"{c.before} → {c.after} at {self.clock(c.at)}" for c in severity_changes)
            severity += f" ({steps})"
        status = state.status
        if state.closed:
            by = self.closed_by()
            status += f"; closed at {self.clock(state.closed_at)} UTC" + (f" by {by}" if by else "")
        else:
            status += "; still open"
        commanders = "<br>".join(
            f"{md_cell(span.holder)} {self.span_text(span.start, span.end)}" for span in state.command_spans
        )
        done = sum(1 for ws in state.workstreams.values() if ws.status == "done")
        workstreams = f"{len(state.workstreams)} ({done} done)" if state.workstreams else "none"
        refused = f" ({history.rejected} refused, not shown)" if history.rejected else ""
        rows = [
            ["Incident", md_cell(state.id)],
            ["Title", md_cell(state.title)],
            ["Severity", severity],
            ["Status", status],
            ["Drill", "yes" if state.drill else "no"],
            ["Declared", f"{self.clock(state.declared_at)} UTC by {md_cell(state.declared_by)}"],
            ["Commander(s)", commanders or "nobody"],
            ["Responders", str(len(state.responders))],
            ["Workstreams", workstreams],
            ["Timeline", f"{len(history.accepted)} entries{refused}"],
        ]
        if self.one_day:
            rows.insert(1, ["Date (UTC)", f"{self.dates[0]:%Y-%m-%d}"])
        parts = ["## Summary", md_table(["", ""], rows)]
        if state.summary.strip():
            parts.append("Summary written at close:\n\n" + md_block(state.summary, "> "))
        return "\n\n".join(parts)

    def linked(self) -> list[str]:
        """Linked incidents; for a cause and its effect, how long after the primary the secondary began."""
        if not self.state.links:
            return []
        rows = []
        for link in self.state.links:
            began = "—"
            if link.started is not None and link.kind in ("caused-by", "causes"):
                primary, secondary = (link.started, self.start) if link.kind == "caused-by" else (self.start, link.started)
                who = "this incident" if link.kind == "caused-by" else md_cell(link.incident)
                began = f"{who} began {offset(secondary, primary)} from the primary's start"
            rows.append([md_cell(link.incident), LINK_KIND_WORDS[link.kind], md_cell(link.title) or "—", began])
        return ["## Linked incidents", md_table(["Incident", "Link", "Title", "Secondary began"], rows)]

    def key_times(self) -> list[str]:
        kt = self.kt
        sources = self.history.key_time_sources
        rows = []
        for which in ("started", "detected", "mitigated", "resolved"):
            at = kt.get(which)
            rows.append(
                [
                    which.capitalize(),
                    self.clock(at) if at else "not reached",
                    self.t(at) if at else "—",
                    md_cell(sources.get(which, "")) if at else "—",
                ]
            )
        measures = []
        started = kt.get("started")
        for label, which in (("Time to detect", "detected"), ("Time to mitigate", "mitigated"), ("Time to resolve", "resolved")):
            at = kt.get(which)
            measures.append(
                [label, f"started → {which}", elapsed(started, at) if at and started else "not reached"]
            )
        note = (
            "_Started and detected default to the declaration; correct them with "
            "`warroom keytime` if the problem began, or was noticed, earlier._"
        )
        return [
            "## Key times",
            md_table(["Key time", "UTC", "T+", "Source"], rows),
            md_table(["Measure", "From → to", "Duration"], measures),
            note,
        ]

    def severity_and_status(self) -> list[str]:
        rows = []
        for change in self.history.changes:
            what = f"{change.kind}: {change.after}" if change.before is None else f"{change.kind}: {change.before} → {change.after}"
            rows.append([self.clock(change.at), self.t(change.at), md_cell(what), md_cell(change.actor)])
        return ["## Severity and status", md_table(["UTC", "T+", "Change", "By"], rows)]

    def timeline(self) -> list[str]:
        history = self.history
        intro = f"All times UTC{f' on {self.dates[0]:%Y-%m-%d}' if self.one_day else ''}. T+ counts from the start ({self.clock(self.start)}). ★ marks starred entries."
        intro += f" `warroom replay {self.state.id} --at #N` shows the board as it was at entry #N."
        if history.rejected:
            intro += (
                f" {history.rejected} refused action{'s are' if history.rejected != 1 else ' is'} left out; "
                "the CSV and JSON exports keep them with the reason."
            )
        rows = [self.timeline_row(a.entry) for a in history.accepted]
        parts = ["## Timeline", intro]
        starred = [a.entry for a in history.accepted if a.entry.starred]
        if starred:
            parts.append("Starred moments:")
            parts.append(md_table(["#", "UTC", "T+", "★", "Actor", "What happened"], [self.timeline_row(e) for e in starred]))
            parts.append("Every entry:")
        parts.append(md_table(["#", "UTC", "T+", "★", "Actor", "What happened"], rows))
        return parts

    def timeline_row(self, entry: TimelineEntry) -> list[str]:
        return [
            f"#{entry.seq}",  # as `warroom replay --at` and `show --at` take it
            self.clock(entry.at),
            self.t(entry.at),
            "★" if entry.starred else " ",
            md_cell(entry.actor),
            md_cell(entry.text),
        ]

    # --- who held what -----------------------------------------------------------------

    def command(self) -> list[str]:
        rows = []
        how = self.history.command_how
        for i, span in enumerate(self.state.command_spans):
            rows.append(self.span_row(span, how[i] if i < len(how) else ""))
        return [
            "## Command",
            "Who was incident commander, and how command changed hands.",
            md_table(["Commander", "From", "To", "Held for", "How", "Hand-over note"], rows),
        ]

    def span_row(self, span: OwnershipSpan, how: str) -> list[str]:
        end = span.end
        return [
            md_cell(span.holder),
            self.clock(span.start),
            self.clock(end) if end else "still held",
            elapsed(span.start, end or self.as_of),
            md_cell(how) if how else " ",
            md_cell(span.note) if span.note else " ",
        ]

    def workstreams(self) -> list[str]:
        state = self.state
        if not state.workstreams:
            return ["## Workstreams", "_No workstreams were opened._"]
        parts = ["## Workstreams"]
        for ws in state.workstreams.values():
            parts.extend(self.workstream(ws))
        return parts

    def workstream(self, ws: Workstream) -> list[str]:
        steps = self.history.workstream_steps.get(ws.id, [])
        how = self.history.owner_how.get(ws.id, [])
        final = f"**{ws.status}**"
        if ws.status_note:
            final += f" ({md_inline(ws.status_note)})"
        facts = [
            f"- Opened at {self.clock(ws.opened_at)} UTC ({self.t(ws.opened_at)}) by {md_inline(ws.opened_by)}",
            f"- Final status: {final}",
            f"- Final owner: {md_inline(ws.owner) if ws.owner else 'nobody'}",
            f"- Hand-offs: {sum(1 for h in how if h.startswith('hand-off'))}",
        ]
        owner_rows = []
        previous_end = ws.opened_at
        for i, span in enumerate(ws.owners):
            if span.start > previous_end:
                owner_rows.append(self.unowned_row(previous_end, span.start))
            owner_rows.append(self.span_row(span, how[i] if i < len(how) else ""))
            previous_end = span.end or self.as_of
        if previous_end < self.as_of and ws.status != "done" and (not ws.owners or ws.owners[-1].end is not None):
            owner_rows.append(self.unowned_row(previous_end, None))
        history_rows = []
        for step in steps:
            if step.status_before is None or step.status_before == step.status_after:
                status = step.status_after
            else:
                status = f"{step.status_before} → {step.status_after}"
            history_rows.append(
                [self.clock(step.event.at), self.t(step.event.at), md_cell(step.event.actor), md_cell(step.entry.text), status]
            )
        parts = [f"### {ws.id}: {md_inline(ws.title)}", "\n".join(facts)]
        if owner_rows:
            parts.append(md_table(["Owner", "From", "To", "Held for", "How", "Hand-off note"], owner_rows))
        parts.append(md_table(["UTC", "T+", "By", "What happened", "Status"], history_rows))
        return parts

    def unowned_row(self, start: datetime, end: datetime | None) -> list[str]:
        return [
            "_nobody_",
            self.clock(start),
            self.clock(end or self.as_of),
            elapsed(start, end or self.as_of),
            "unowned",
            " ",
        ]

    def responders(self) -> list[str]:
        state = self.state
        roles: dict[str, list[str]] = {}
        for span in state.command_spans:
            roles.setdefault(span.holder, []).append(f"commander {self.span_text(span.start, span.end)}")
        for role in self.history.role_spans:
            roles.setdefault(role.holder, []).append(f"{role.role} {self.span_text(role.start, role.end)}")
        rows = []
        for r in state.responders.values():
            on_shift = r.on_shift_total
            if r.shift != "off" and r.shift_started_at is not None:
                on_shift += max(seconds(self.as_of) - seconds(r.shift_started_at), timedelta(0))
            breaks = list(r.breaks)
            break_total = sum((seconds(end or self.as_of) - seconds(start) for start, end in breaks), timedelta(0))
            break_lines = [self.span_text(start, end, still="still away") for start, end in breaks]
            if breaks:
                break_lines.insert(0, f"{len(breaks)}, {duration(break_total)} in all")
            if r.shift == "on":
                end_state = "on shift"
            elif r.shift == "break":
                end_state = f"on a break, back at {self.clock(r.back_at)}" if r.back_at else "on a break"
            else:
                end_state = f"off shift since {self.clock(r.left_at)}" if r.left_at else "off shift"
            rows.append(
                [
                    md_cell(r.handle),
                    self.clock(r.joined_at),
                    duration(on_shift),
                    "<br>".join(break_lines) or "none",
                    "<br>".join(roles.get(r.handle, [])) or "—",
                    end_state,
                ]
            )
        note = (
            "_Time on shift counts from coming on shift (breaks included, as on the board) "
            f"until going off shift or {'the close' if state.closed else 'the last event'}._"
        )
        return [
            "## Responders",
            md_table(["Responder", "Joined", "On shift", "Breaks", "Roles held", "At the end"], rows),
            note,
        ]

    # --- communication -----------------------------------------------------------------

    def broadcasts(self) -> list[str]:
        state = self.state
        parts = ["## Broadcasts and stakeholder updates"]
        if state.broadcasts:
            rows = [
                [str(b.seq), self.clock(b.at), self.t(b.at), md_cell(b.sender), b.audience, md_cell(b.text)]
                for b in state.broadcasts
            ]
            parts.append(md_table(["#", "UTC", "T+", "From", "To", "Message"], rows))
        else:
            parts.append("_No broadcasts were sent._")
        cadences = ", ".join(
            f"SEV{sev} every {duration(c)}" if (c := self.policy.update_cadence(sev)) else f"SEV{sev} none"
            for sev in range(1, 5)
        )
        parts.append("### Stakeholder update cadence")
        parts.append(
            f"The policy asked for a stakeholder update at least this often: {cadences}. Each row is one wait for "
            "an update, from the previous update (or the declaration) to the next one, or to the moment no "
            "cadence applied any more. _Due_ is what the board showed, snoozes included."
        )
        updates = self.history.updates
        if not updates:
            parts.append("_No cadence applied to this incident._")
            return parts
        rows = [self.update_row(u) for u in updates]
        parts.append(md_table(["Ended by", "Since", "Until", "Waited", "Cadence", "Due", "Against cadence"], rows))
        sent = [b for b in state.broadcasts if b.audience == "stakeholders"]
        over = [u for u in updates if u.late_by is not None]
        longest = max(updates, key=lambda u: u.gap)
        parts.append(
            f"{len(sent)} stakeholder update{'s' if len(sent) != 1 else ''}; "
            f"{len(over)} wait{'s' if len(over) != 1 else ''} over the cadence; "
            f"longest wait {elapsed(longest.since, longest.end)} (until {self.clock(longest.end)})."
        )
        return parts

    def update_row(self, u: UpdateInterval) -> list[str]:
        if u.ended_by == "update":
            ended = f"update #{u.seq}"
        elif u.ended_by == "open":
            ended = "still waiting"
        else:
            ended = f"no cadence after {md_cell(u.reason)}"
        cadence = f"SEV{u.severity}: {duration(u.cadence)}" if u.cadence else f"SEV{u.severity}: none"
        due = self.clock(u.due) + (" (snoozed)" if u.snoozed else "") if u.due else "—"
        if u.due is None:
            verdict = "no cadence"
        elif u.late_by is not None:
            verdict = f"over by {elapsed(u.due, u.end)}"
        elif u.ended_by == "open":
            verdict = "not yet due"
        else:
            verdict = "within"
        until = self.clock(u.end) + (" (as of)" if u.ended_by == "open" else "")
        return [ended, self.clock(u.since), until, elapsed(u.since, u.end), cadence, due, verdict]

    # --- for the meeting ---------------------------------------------------------------

    def contributing_factors(self) -> list[str]:
        parts = [
            "## Contributing factors",
            "_By layer of defence: for each, what let the problem through, or what slowed us down? "
            "Look for conditions in systems and processes, not for mistakes by people._",
        ]
        facts = self.layer_facts()
        for layer, prompt in LAYERS:
            parts.append(f"### {layer}")
            text = f"_{prompt}_"
            if layer in facts:
                text += "\n\n" + facts[layer]
            parts.append(text)
            parts.append(TO_FILL_IN)
        return parts

    def layer_facts(self) -> dict[str, str]:
        state, history = self.state, self.history
        kt = self.kt
        facts: dict[str, str] = {}
        if "started" in kt and "detected" in kt:
            facts["Detection"] = f"From the log: time to detect {elapsed(kt['started'], kt['detected'])}."
        handovers = sum(1 for how in history.command_how[1:] if how.startswith("hand-over"))
        assumed = max(len(history.command_how) - 1 - handovers, 0)
        hand_offs = sum(1 for hows in history.owner_how.values() for how in hows if how.startswith("hand-off"))
        declined = sum(1 for a in history.accepted if a.event.type == "handoff_declined")
        released = sum(1 for a in history.accepted if a.event.type == "workstream_released")
        breaks = sum(len(r.breaks) for r in state.responders.values())
        over = sum(1 for u in history.updates if u.late_by is not None)
        lines = [
            f"- command hand-overs: {handovers}; command assumed without a hand-over: {assumed}",
            f"- workstream hand-offs: {hand_offs} (declined offers: {declined}); workstreams released: {released}",
            f"- responders: {len(state.responders)}; breaks taken: {breaks}",
            f"- stakeholder waits over the cadence: {over} of {len(history.updates)}",
        ]
        facts["Response"] = "From the log:\n\n" + "\n".join(lines)
        return facts

    def action_items(self) -> list[str]:
        items = self.state.action_items
        parts = ["## Action items"]
        if items:
            rows = [
                [
                    a.id,
                    md_cell(a.text),
                    md_cell(a.owner) if a.owner else "_unassigned_",
                    a.kind,
                    a.due.isoformat() if a.due else "",
                    md_cell(a.status_text),
                    md_cell(a.added_by),
                ]
                for a in items
            ]
            parts.append(md_table(["Id", "Action", "Owner", "Kind", "Due", "Status", "Added by"], rows))
        else:
            parts.append("_None recorded during the incident._")
        parts.append(ACTION_PROMPT)
        parts.append(TO_FILL_IN)
        return parts

    # --- the chart ---------------------------------------------------------------------

    def chart(self) -> list[str]:
        state = self.state
        sections: list[tuple[str, list[tuple[str, datetime, datetime | None]]]] = []
        before = []
        detected, declared = self.kt.get("detected"), state.declared_at
        if detected and self.start < detected:
            before.append(("not yet detected", self.start, detected))
        if detected and declared and detected < declared:
            before.append(("detected, not yet declared", detected, declared))
        sections.append(("Before the declaration", before))
        sections.append(("Status", _steps(state.status_history, self.as_of)))
        sections.append(("Severity", [(f"SEV{sev}", s, e) for sev, s, e in _steps(state.severity_history, self.as_of)]))
        sections.append(("Command", [(span.holder, span.start, span.end) for span in state.command_spans]))
        for ws in state.workstreams.values():
            how = self.history.owner_how.get(ws.id, [])
            bars = []
            for i, span in enumerate(ws.owners):
                kind = how[i] if i < len(how) else ""
                label = span.holder + (" (hand-off)" if kind.startswith("hand-off") else " (taken over)" if kind.startswith("taken") else "")
                bars.append((label, span.start, span.end))
            sections.append((f"{ws.id} {ws.title}", bars))
        total = sum(len(bars) for _, bars in sections)
        span = self.as_of - self.start
        axis = "%H:%M:%S" if span < timedelta(minutes=30) else "%H:%M" if self.one_day else "%m-%d %H:%M"
        lines = [
            "```mermaid",
            "gantt",
            "    title Who held what, when (UTC)",
            "    dateFormat YYYY-MM-DD HH:mm:ss",
            f"    axisFormat {axis}",
            "    todayMarker off",
        ]
        shown = 0
        for s_index, (name, bars) in enumerate(sections, start=1):
            if not bars or shown >= MAX_CHART_TASKS:
                continue
            lines.append(f"    section {mermaid_name(name)}")
            for b_index, (label, start, end) in enumerate(bars, start=1):
                if shown >= MAX_CHART_TASKS:
                    break
                begin = seconds(start)
                finish = max(seconds(end or self.as_of), begin + timedelta(seconds=1))
                lines.append(
                    f"    {mermaid_name(label)} :s{s_index}b{b_index}, {begin:%Y-%m-%d %H:%M:%S}, {finish:%Y-%m-%d %H:%M:%S}"
                )
                shown += 1
        lines.append("```")
        parts = ["## Who held what, when", "\n".join(lines)]
        if shown < total:
            parts.append(f"_The chart shows the first {shown} of {total} bars; the tables below have every one._")
        return parts


def _steps(history: list[tuple[datetime, object]], end: datetime) -> list[tuple[str, datetime, datetime]]:
    """Turn ``[(when, value), ...]`` into ``[(value, from, to), ...]``."""
    out = []
    for i, (at, value) in enumerate(history):
        until = history[i + 1][0] if i + 1 < len(history) else end
        out.append((str(value), at, until))
    return out


def _why_chain() -> str:
    lines = ["**Contributing factor:** _to fill in_", ""]
    lines.extend(f"{n}. Why? _to fill in_" for n in range(1, 6))
    return "\n".join(lines)
