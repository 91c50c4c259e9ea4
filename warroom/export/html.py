"""The post-mortem draft as one self-contained HTML file, for people who paste into Confluence or Google Docs.

The same sections as the Markdown (``postmortem/``), in the same order, from
``templates/postmortem.html.j2``: inline CSS, no script, nothing fetched; every piece of user
text autoescaped and shown with controls and bidi overrides made visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from warroom.incident import IncidentState, StoredEvent

from .postmortem.document import sections
from .templating import render_template


def render_html(
    state: IncidentState, events: Sequence[StoredEvent], linked: Mapping[str, IncidentState] | None = None
) -> str:
    return render_template("html", "postmortem.html.j2", sections(state, events, linked))
