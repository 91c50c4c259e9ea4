"""What one event did, as the fold saw it: ``apply`` returns one for every event it folds.

Its own module so the fold's plumbing (``fold``) and the handlers that fill it in
(``handlers``) can both use it.
"""

from __future__ import annotations

from .state import TimelineEntry


class Change:
    """What one event did, as the fold saw it: its timeline entry and what it changed.

    Readers that need the *how* of the story (the post-mortem's history: was a
    workstream claimed or handed off, whose command ended, which roles moved) read it
    here instead of comparing snapshots of the state before and after. A rejected event
    changes nothing: only ``entry`` is filled in.

    One is made for every event folded, most of which change none of the fields below, so
    they are class-level defaults that a handler sets on the instance only when the event
    changes them (a dataclass's ``__init__`` setting all fourteen cost a fifth of a fold).
    ``apply`` makes it bare and sets ``entry``: an ``__init__`` of one line still cost a
    Python call per event, 3 % of a fold.
    """

    entry: TimelineEntry

    workstream: str | None = None
    """The workstream the event touched (a new one for ``workstream_opened``)."""
    workstream_status_before: str | None = None
    """Its status just before (``None`` for a workstream just opened)."""
    owner_before: str | None = None
    new_owner: bool = False
    """A new ownership span began (claimed or handed off); ``owner_before`` held it until now."""
    commander_before: str | None = None
    new_commander: bool = False
    """A new command span began; ``commander_before`` held command until now."""
    severity_before: int | None = None
    severity_changed: bool = False
    status_before: str | None = None
    status_changed: bool = False
    key_times: tuple[str, ...] = ()
    """Key times this event set or moved."""
    roles: tuple[tuple[str, str | None, str | None], ...] = ()
    """(role, holder before, holder after) for each role that moved, in role order."""

    @property
    def rejected(self) -> str | None:
        return self.entry.rejected

    def __repr__(self) -> str:
        return f"Change({vars(self)})"

