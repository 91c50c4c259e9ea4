"""The facts at the top of the draft: title, summary, linked incidents, key times, changes and the timeline."""

from __future__ import annotations

from warroom.incident.state import TimelineEntry

from ..text import elapsed, md_block, md_cell, md_inline, md_table, offset
from .draft import DraftBase

LINK_KIND_WORDS = {
    "caused-by": "this incident was caused by it",
    "causes": "this incident caused it",
    "related": "related",
    "duplicate-of": "this incident is a duplicate of it",
    "duplicated-by": "it is a duplicate of this incident",
}


class Facts(DraftBase):
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
