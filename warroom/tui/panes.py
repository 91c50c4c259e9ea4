"""The board's panes, composed in one place for the live board and for replay.

A replay must look like the board it replays: the same four panes in the same frames,
the same timeline detail line, the same "↓ N new below" marker and delivery line (both
hidden until they have something to say). So both compose them here, and only what is
theirs differs (replay adds its time bar under the header and "(replay)" to each title).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.dom import DOMNode
from textual.widget import Widget

from .footer import BoardFooter
from .widgets import (
    BoardHeader,
    BroadcastFeed,
    CommanderPane,
    CommandSummary,
    ResponderTable,
    TimelineDetail,
    TimelineView,
    WorkstreamTable,
)
from .widgets.deliveries import DeliveryHealth
from .widgets.timeline import NewBelow

TITLES = (("#workstreams-pane", "Workstreams"), ("#commander-pane", "Commander"), ("#responders-pane", "Responders"))
"""The panes with a fixed title (the timeline's says what it shows: ``TimelineView.pane_title``)."""


def compose_panes(owner: Any, incident_id: str, me: str, *, under_header: Iterable[Widget] = ()) -> ComposeResult:
    """Yield the header, the four panes and the footer; each widget a board feeds is also set on
    ``owner`` (``owner.timeline``...), so events and timers reach it without a query,
    whichever screen is on top."""
    owner.header = BoardHeader(incident_id, me, id="header")
    owner.workstreams = WorkstreamTable(id="workstreams")
    owner.responders = ResponderTable(id="responders")
    owner.summary = CommandSummary(id="command-summary")
    owner.broadcasts = BroadcastFeed(id="broadcasts")
    owner.timeline = TimelineView(me, id="timeline")
    owner.detail = TimelineDetail(id="timeline-detail")
    owner.new_below = NewBelow(owner.timeline, id="timeline-new-below")
    owner.deliveries = DeliveryHealth(id="delivery-health", classes="-hidden")
    yield owner.header
    yield from under_header
    with Vertical(id="workstreams-pane", classes="pane"):
        yield owner.workstreams
    with Horizontal(id="middle"):
        with CommanderPane(id="commander-pane", classes="pane"):
            yield owner.summary
            yield owner.broadcasts
            yield owner.deliveries
        with Vertical(id="responders-pane", classes="pane"):
            yield owner.responders
    with Vertical(id="timeline-pane", classes="pane"):
        yield owner.timeline
        yield owner.new_below
        yield owner.detail
    yield BoardFooter()


def title_panes(node: DOMNode, timeline: TimelineView, suffix: str = "") -> None:
    """Put each pane's title on its frame (the timeline's follows what it shows)."""
    for pane, title in TITLES:
        node.query_one(pane).border_title = title + suffix
    timeline_pane = node.query_one("#timeline-pane")
    node.watch(timeline, "pane_title", lambda title: setattr(timeline_pane, "border_title", Content(title + suffix)))
