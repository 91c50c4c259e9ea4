"""For the review meeting: its purpose, the impact, the decisions taken, the prompts (looking back, by
layer of defence, "why?" chains) and the action items."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.incident.events import NoteAdded
from warroom.incident.measures import TIME_TO_DETECT, moments
from warroom.incident.playbook import show_value

from ..text import elapsed
from .context import Cell, Draft, Em

PURPOSE = """\
This review is blameless. Its purpose is to understand what happened and how our systems, \
tools and ways of working made it possible, so that we can change them. Everyone involved \
acted in good faith on what they knew at the time. Names in this document show who did what \
so that the story can be followed; they are not a judgement. We are looking for the \
conditions that let the failure happen and go unnoticed, and for the changes that make the \
safe choice the easy one next time."""

IMPACT_PROMPT = """\
Who was affected, and how? For how long (see the key times)? Was it visible to customers? \
Was data lost or wrong? What did it cost: money, error budget, trust?"""

DECISIONS_PROMPT = """\
For each: what did we know when it was taken? Did it hold up? What did it cost later \
(a change made by hand that the next deploy undoes, drift from the configuration's source)?"""

LOOKING_BACK: tuple[tuple[str, str], ...] = (
    ("What went well", "What helped: tools, people, practice, luck we can turn into design?"),
    ("Where we got lucky", "What could have made this much worse, and did not only by chance?"),
    ("What was hard", "Where did responders struggle: access, knowledge, tools, coordination, fatigue?"),
)

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
Take each contributing factor and ask "why?" until the answer is a condition the system \
(tools, defaults, process) can change. Stop at a condition, not a person."""

ACTION_PROMPT = """\
Add what the review decides. Each action needs an owner and a kind: detective (find it \
sooner), preventative (stop it happening) or corrective (fix what broke)."""


FACTORS_PROMPT = (
    "By layer of defence: for each, what let the problem through, or what slowed us down? "
    "Look for conditions in systems and processes, not for mistakes by people."
)


def impact_fields(d: Draft) -> list[tuple[str, str]]:
    """The playbook's fields as (label, value), in its order; an unset one says so (required or not)."""
    return [
        (f.label, show_value(f.kind, f.value) if f.value is not None else "not set" + (" (required)" if f.required else ""))
        for f in d.state.fields.values()
    ]


def impact(d: Draft, fields: Sequence[tuple[str, str]] | None = None) -> dict:
    """What the incident did: the incident's impact ``fields`` (label, value: by default the
    playbook's fields) and every note marked as impact, in log order."""
    fields = impact_fields(d) if fields is None else fields
    notes = [
        [d.clock(a.event.at), d.t(a.event.at), a.event.actor, a.event.body.text]
        for a in d.history.accepted
        if isinstance(a.event.body, NoteAdded) and a.event.body.impact
    ]
    return {"fields": [[name, value] for name, value in fields], "notes": notes, "prompt": IMPACT_PROMPT}


CHECKLIST_PROMPT = "Was anything skipped for a reason the playbook should know? Change the playbook, not the people."


def checklist(d: Draft) -> dict:
    """The playbook's checklist as it ended: what was done, by whom and when, and what was skipped
    (a required item skipped says so). Empty rows when the incident had no checklist."""
    rows = []
    for item in d.state.checklist.values():
        if item.done and item.at is not None:
            done, by, at, t = "done", item.by or " ", d.clock(item.at), d.t(item.at)
        else:
            done, by, at, t = "skipped, required" if item.required else "skipped", " ", " ", " "
        added = f" (added by {item.added_by})" if item.added_by else ""
        rows.append([item.id, item.role, item.stage, item.text + added, done, by, at, t])
    return {"playbook": d.state.playbook, "rows": rows, "prompt": CHECKLIST_PROMPT}


def decisions(d: Draft) -> dict:
    rows = [
        [f"#{x.seq}", d.clock(x.at), d.t(x.at), x.by, x.text, x.why or " ", x.alternatives or " "]
        for x in d.state.decisions
    ]
    return {"rows": rows, "prompt": DECISIONS_PROMPT}


def looking_back(d: Draft) -> dict:
    return {"prompts": [{"title": title, "prompt": prompt} for title, prompt in LOOKING_BACK]}


def contributing_factors(d: Draft) -> dict:
    facts = _layer_facts(d)
    return {
        "prompt": FACTORS_PROMPT,
        "layers": [{"title": layer, "prompt": prompt, "facts": facts.get(layer)} for layer, prompt in LAYERS],
    }


def _layer_facts(d: Draft) -> dict[str, dict]:
    state, history = d.state, d.history
    facts: dict[str, dict] = {}
    detection = TIME_TO_DETECT.span(moments(state))
    if detection is not None:
        facts["Detection"] = {"text": f"From the log: time to detect {elapsed(*detection)}.", "items": []}
    handovers = sum(1 for how in history.command_how[1:] if how.startswith("hand-over"))
    assumed = max(len(history.command_how) - 1 - handovers, 0)
    hand_offs = sum(1 for hows in history.owner_how.values() for how in hows if how.startswith("hand-off"))
    declined = sum(1 for a in history.accepted if a.event.type == "handoff_declined")
    released = sum(1 for a in history.accepted if a.event.type == "workstream_released")
    breaks = sum(len(r.breaks) for r in state.responders.values())
    over = sum(1 for u in history.updates if u.late_by is not None)
    facts["Response"] = {
        "text": "From the log:",
        "items": [
            f"command hand-overs: {handovers}; command assumed without a hand-over: {assumed}",
            f"workstream hand-offs: {hand_offs} (declined offers: {declined}); workstreams released: {released}",
            f"responders: {len(state.responders)}; breaks taken: {breaks}",
            f"stakeholder waits over the cadence: {over} of {len(history.updates)}",
        ],
    }
    return facts


def why_chains(d: Draft) -> dict:
    return {"prompt": WHY_PROMPT, "chains": 2, "steps": 5}


def action_items(d: Draft) -> dict:
    """The items, where each stands now, and owners who never joined (they may not know they own it:
    someone who has since worked on an item in the log, after the close, evidently does)."""
    state = d.state
    rows: list[list[Cell]] = []
    strangers: dict[str, list[str]] = {}
    acted = {a.event.actor for a in d.history.accepted}
    for a in state.action_items:
        owner: Cell = a.owner if a.owner else Em("unassigned")
        if a.owner and a.owner not in state.responders and a.owner not in acted:
            strangers.setdefault(a.owner, []).append(a.id)
            owner = f"{a.owner} (never joined)"
        rows.append([a.id, a.text, owner, a.kind, a.due.isoformat() if a.due else "", a.status_text, a.added_by])
    never_joined = [
        f"{handle} owns {', '.join(ids)} but never joined this incident: make sure they know." for handle, ids in strangers.items()
    ]
    return {"rows": rows, "never_joined": never_joined, "prompt": ACTION_PROMPT}
