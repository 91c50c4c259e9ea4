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

from warroom.incident import IncidentState, StoredEvent

from .history import derive
from .postmortem.chart import Chart
from .postmortem.communication import Communication
from .postmortem.draft import TO_FILL_IN
from .postmortem.facts import Facts
from .postmortem.ownership import Ownership
from .postmortem.review import IMPACT_PROMPT, PURPOSE, WHY_PROMPT, Review, why_chain


def render_markdown(state: IncidentState, events: Sequence[StoredEvent]) -> str:
    """The post-mortem draft for ``state``, the fold of ``events``."""
    return _Draft(state, derive(state, events), state.policy, len(events)).render()


class _Draft(Facts, Chart, Ownership, Communication, Review):
    """The whole draft: ``render`` puts the sections (each from its module in ``postmortem``) in reading order."""

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
            *[why_chain() for _ in range(2)],
            *self.action_items(),
        ]
        return "\n\n".join(part for part in parts if part) + "\n"
