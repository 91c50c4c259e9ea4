"""For the review meeting: its purpose, the prompts by layer of defence, "why?" chains and action items."""

from __future__ import annotations

from ..text import elapsed, md_cell, md_table
from .draft import TO_FILL_IN, DraftBase

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

WHY_PROMPT = """\
_Take each contributing factor and ask "why?" until the answer is a condition the system \
(tools, defaults, process) can change. Stop at a condition, not a person._"""

ACTION_PROMPT = """\
_Add what the review decides. Each action needs an owner and a kind: detective (find it \
sooner), preventative (stop it happening) or corrective (fix what broke)._"""


class Review(DraftBase):
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


def why_chain() -> str:
    lines = ["**Contributing factor:** _to fill in_", ""]
    lines.extend(f"{n}. Why? _to fill in_" for n in range(1, 6))
    return "\n".join(lines)
