"""The board's widgets: one pane (or one part of a pane) each."""

from .commander import BroadcastFeed, CommanderPane, CommandSummary
from .header import BoardHeader
from .responders import ResponderTable
from .timeline import TimelineDetail, TimelineView
from .workstreams import WorkstreamTable

__all__ = [
    "BoardHeader",
    "BroadcastFeed",
    "CommandSummary",
    "CommanderPane",
    "ResponderTable",
    "TimelineDetail",
    "TimelineView",
    "WorkstreamTable",
]
