"""Who held what: command, each workstream's owners and history, and every responder's shift."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.incident.state import OwnershipSpan, Workstream
from warroom.words import long_duration as duration

from ..text import elapsed, md_cell, md_inline, md_table, seconds
from .draft import DraftBase


class Ownership(DraftBase):
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
