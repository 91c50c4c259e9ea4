"""The board's widgets: one pane (or one part of a pane) each.

The names below load with their module on first use, not with the package: the App's key
mixins live in ``timeline_find``, and importing it must not import every pane (and the
domain behind them) before the board's first frame (``tui/frame_first.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .commander import BroadcastFeed, CommanderPane, CommandSummary
    from .header import BoardHeader
    from .responders import ResponderTable
    from .timeline import TimelineDetail, TimelineView
    from .workstreams import WorkstreamTable

_MODULE_OF = {
    "BoardHeader": "header",
    "BroadcastFeed": "commander",
    "CommandSummary": "commander",
    "CommanderPane": "commander",
    "ResponderTable": "responders",
    "TimelineDetail": "timeline",
    "TimelineView": "timeline",
    "WorkstreamTable": "workstreams",
}

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


def __getattr__(name: str) -> object:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
