"""Who held what, when (status, severity, command, each workstream): bars on one time axis.

The Markdown draws them as one ``mermaid`` gantt chart, the HTML as plain boxes placed
by percentage (no script); both read the same bars from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..text import seconds
from .context import Draft

# Mermaid refuses diagrams past ~50,000 characters (GitHub's limit too); 200 bars stay far below.
MAX_CHART_TASKS = 200


def chart(d: Draft) -> dict:
    state = d.state
    sections: list[tuple[str, list[tuple[str, datetime, datetime | None]]]] = []
    before: list[tuple[str, datetime, datetime | None]] = []
    detected, declared = d.kt.get("detected"), state.declared_at
    if detected and d.start < detected:
        before.append(("not yet detected", d.start, detected))
    if detected and declared and detected < declared:
        before.append(("detected, not yet declared", detected, declared))
    sections.append(("Before the declaration", before))
    sections.append(("Status", _steps(state.status_history, d.as_of)))
    sections.append(("Severity", [(f"SEV{sev}", s, e) for sev, s, e in _steps(state.severity_history, d.as_of)]))
    sections.append(("Command", [(span.holder, span.start, span.end) for span in state.command_spans]))
    for ws in state.workstreams.values():
        how = d.history.owner_how.get(ws.id, [])
        bars: list[tuple[str, datetime, datetime | None]] = []
        for i, owned in enumerate(ws.owners):
            kind = how[i] if i < len(how) else ""
            label = owned.holder + (" (hand-off)" if kind.startswith("hand-off") else " (taken over)" if kind.startswith("taken") else "")
            bars.append((label, owned.start, owned.end))
        sections.append((f"{ws.id} {ws.title}", bars))
    total = sum(len(bars) for _, bars in sections)
    length = max((seconds(d.as_of) - seconds(d.start)).total_seconds(), 1.0)
    span = d.as_of - d.start
    drawn = []
    shown = 0
    for s_index, (name, bars) in enumerate(sections, start=1):
        if not bars or shown >= MAX_CHART_TASKS:
            continue
        drawn_bars = []
        for b_index, (label, start, end) in enumerate(bars, start=1):
            if shown >= MAX_CHART_TASKS:
                break
            begin = seconds(start)
            finish = max(seconds(end or d.as_of), begin + timedelta(seconds=1))
            left = max((begin - seconds(d.start)).total_seconds() / length, 0.0)
            width = min(max((finish - begin).total_seconds() / length, 0.004), 1.0 - min(left, 0.996))
            drawn_bars.append(
                {
                    "label": label, "id": f"s{s_index}b{b_index}",
                    "begin": f"{begin:%Y-%m-%d %H:%M:%S}", "finish": f"{finish:%Y-%m-%d %H:%M:%S}",
                    "from": d.clock(start), "to": d.clock(end or d.as_of),
                    "left": round(left * 100, 2), "width": round(width * 100, 2),
                }
            )
            shown += 1
        drawn.append({"name": name, "bars": drawn_bars})
    axis = "%H:%M:%S" if span < timedelta(minutes=30) else "%H:%M" if d.one_day else "%m-%d %H:%M"
    return {"axis": axis, "sections": drawn, "shown": shown, "total": total}


def _steps(history: Sequence[tuple[datetime, object]], end: datetime) -> list[tuple[str, datetime, datetime | None]]:
    """Turn ``[(when, value), ...]`` into ``[(value, from, to), ...]``."""
    out: list[tuple[str, datetime, datetime | None]] = []
    for i, (at, value) in enumerate(history):
        until = history[i + 1][0] if i + 1 < len(history) else end
        out.append((str(value), at, until))
    return out
