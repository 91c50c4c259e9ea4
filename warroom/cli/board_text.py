"""The board as plain text, for terminals and chat pastes: ``warroom show`` and ``warroom show --at``.

Its own module because both the incident commands (``incident``) and replay (``replay``)
print it, and replay is loaded from ``incident`` only when ``--at`` is given.
"""

from __future__ import annotations

from datetime import datetime, timezone

from warroom.config import Config
from warroom.incident import IncidentState
from warroom.incident.playbook import show_value
from warroom.safetext import safe_line
from warroom.words import coarse_duration, fatigue_word, update_due


def playbook_lines(state: IncidentState) -> list[str]:
    """The playbook's part of ``show``: checklist progress and every field, set or not."""
    if not state.playbook and not state.checklist:
        return []
    done = sum(item.done for item in state.checklist.values())
    lines = [f"playbook: {state.playbook or '-'}  checklist {done}/{len(state.checklist)} done (warroom checklist {state.id})"]
    lines.extend(f"  {f.label}: {show_value(f.kind, f.value)}{'  (required)' if f.required and f.value is None else ''}"
                 for f in state.fields.values())
    return lines


def render_state(state: IncidentState, config: Config, *, every: bool = False, now: datetime | None = None) -> str:
    """A plain-text snapshot of the board for terminals and chat pastes: one line per row,
    whatever the text holds (``safe_line``: line breaks show as ``⏎``, controls as pictures)."""
    now = now or datetime.now(timezone.utc)
    if state.closed and state.closed_at is not None:
        now = min(now, state.closed_at)  # a closed incident's times stop at the close, as in its post-mortem
    policy = state.policy  # the incident's own, never this machine's config: every reader agrees
    lines = [
        f"{state.id}  {state.title}  SEV{state.severity}  {'closed' if state.closed else state.status}"
        + ("  [drill]" if state.drill else "")
    ]
    if state.commander and state.commander_since:
        lines.append(f"commander: {state.commander} (for {coarse_duration(now - state.commander_since)})")
    else:
        lines.append(f"commander: nobody: take command with `warroom command {state.id} take`")
    if state.command_offer:
        lines.append(f"  command offered to {state.command_offer.to} (pending)")
    if state.links:
        lines.append("linked: " + ", ".join(f"{link.incident} ({link.kind})" for link in state.links))
    lines.extend(playbook_lines(state))
    due, _overdue = update_due(state, now, policy)
    if due:
        lines.append(f"stakeholders: {due}")
    lines.append("")
    lines.append("workstreams:" if state.workstreams else f"workstreams: none yet (warroom ws open {state.id} TITLE)")
    for ws in state.workstreams.values():
        owner = ws.owner or "(unowned)"
        if ws.pending:
            owner = f"{ws.owner or '-'} → {ws.pending.to} (pending)"
        stale = "  STALE" if ws.is_stale(now, policy) else ""
        lines.append(f"  {ws.id:<6} {ws.status:<8} {owner:<24} {ws.title}{stale}")
    lines.append("")
    lines.append("responders:")
    for r in state.responders.values():
        shift = r.shift if r.shift != "break" else f"break until {r.back_at:%H:%M}" if r.back_at else "break"
        roles = ",".join(state.roles_of(r.handle))
        on = coarse_duration(r.time_on_shift(now)) if r.shift != "off" else "-"
        tired = fatigue_word(r.fatigue(now, policy))
        lines.append(f"  {r.handle:<14} {shift:<18} {roles:<20} {on:>7} on shift{'  ' + tired if tired else ''}")
    entries = [e for e in state.timeline if not e.rejected]
    shown = entries if every else entries[-20:]
    lines.append("")
    heading = "timeline:" if len(shown) == len(entries) else f"timeline (last {len(shown)} of {len(entries)}; --all):"
    lines.append(heading)
    for e in shown:
        star = "*" if e.starred else " "
        lines.append(f" {star}{e.at:%H:%M} #{e.seq:<4} {e.actor:<12} {e.text}")
    return "\n".join(safe_line(line) for line in lines)
