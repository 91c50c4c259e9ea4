"""Insights across incidents: who is carrying the load, how fast incidents are handled, and
whether action items get done -- one pure fold over many incident logs.

Pure like ``warroom.incident`` (no Textual, no server, no I/O but what a caller passes in):
the CLI's JSON and HTML and the app's insights screen all draw the one ``Insights`` that
``compute`` returns.
"""

from .compute import DEFAULT_OUT_OF_HOURS_FLAG_HOURS, compute, percentile
from .numbers import Flag, Insights, ItemCounts, ResponderLoad, SeverityRow, Timing, WeekRow
from .reading import LogSource, read_logs

__all__ = [
    "DEFAULT_OUT_OF_HOURS_FLAG_HOURS",
    "Flag",
    "Insights",
    "ItemCounts",
    "LogSource",
    "ResponderLoad",
    "SeverityRow",
    "Timing",
    "WeekRow",
    "compute",
    "percentile",
    "read_logs",
]
