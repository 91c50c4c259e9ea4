"""The incident domain: events, the fold that turns them into state, and the rules.

Pure on purpose: nothing here imports Textual, httpx or the server, and nothing does
I/O, so every part of warroom (board, CLI, stores, server, exports) can share it and
start fast.
"""

from . import events
from .events import EventDraft, StoredEvent
from .fold import apply, fold
from .policy import DEFAULT_POLICY, Policy
from .rules import INTEGRATION, PERSON, Writer, check, check_write
from .state import IncidentState

__all__ = [
    "DEFAULT_POLICY",
    "INTEGRATION",
    "PERSON",
    "EventDraft",
    "IncidentState",
    "Policy",
    "StoredEvent",
    "Writer",
    "apply",
    "check",
    "check_write",
    "events",
    "fold",
]
