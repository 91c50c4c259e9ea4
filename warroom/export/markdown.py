"""The post-mortem draft: a Markdown document a facilitator can take into the review.

Facts come from the log (timeline, decisions, who held what and when, how long stakeholders
waited); judgement is left to the meeting, as empty prompts for impact, what went well,
contributing factors by layer of defence, "why?" chains and action items. The wording is
blameless by construction: names say who did what so the story can be followed, never who
is at fault.

It renders on GitHub and GitLab (GFM tables, one ``mermaid`` gantt chart, no HTML beyond
``<br>``) and reads the same pasted as plain text: user text is escaped only where Markdown
would read structure into it (``text.py``). The sections are data (``postmortem/``), the
shape is one template (``templates/postmortem.md.j2``). The output depends only on the state,
the events and the linked incidents given (the policy is the incident's own), never on the
clock, so the same log always gives the same document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from warroom.incident import IncidentState, StoredEvent

from .postmortem.document import sections
from .templating import render_template


def render_markdown(
    state: IncidentState, events: Sequence[StoredEvent], linked: Mapping[str, IncidentState] | None = None
) -> str:
    """The post-mortem draft for ``state``, the fold of ``events``; ``linked``: other incidents by id."""
    return render_template("md", "postmortem.md.j2", sections(state, events, linked))
