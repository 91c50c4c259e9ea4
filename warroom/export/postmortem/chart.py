"""The one mermaid gantt chart: who held what, when (status, severity, command, each workstream)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..text import mermaid_name, seconds
from .draft import DraftBase

# Mermaid refuses diagrams past ~50,000 characters (GitHub's limit too); 200 bars stay far below.
MAX_CHART_TASKS = 200


class Chart(DraftBase):
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
