"""One responder's live view of one incident: the state, the store, and who is acting.

The board and the CLI both act through a ``Room``. ``submit`` checks the rules on the
local state first (instant, exact feedback without a round trip), then appends to
the store, which checks again as the authority. ``follow`` applies events from the
store as they arrive, in seq order, and yields each with its timeline entry so a
view can redraw just what changed.

If the store says the log was replaced under it (``log_epoch`` moved: someone ran
``warroom import --replace``), the room folds the new log from the top rather than
stacking its events on the old state, counts it in ``reloads`` and, while following,
raises ``LogReplaced`` once it has reloaded, so a view redraws everything and says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from warroom.incident import DEFAULT_POLICY, PERSON, EventDraft, IncidentState, Policy, StoredEvent, apply, check_write
from warroom.incident.events import Body, canonical_handle
from warroom.incident.keyframes import History
from warroom.incident.state import TimelineEntry
from warroom.store import EventStore, LogReplaced, Rejected, checked_incident_id


@dataclass(frozen=True, slots=True)
class Applied:
    """An event as the room applied it, and its timeline entry."""

    event: StoredEvent
    entry: TimelineEntry


class Room:
    def __init__(self, store: EventStore, incident_id: str, actor: str, defaults: Policy = DEFAULT_POLICY):
        """``defaults``: the policy a new incident declared from this room starts with (local config)."""
        self.store = store
        self.incident_id = checked_incident_id(incident_id)
        self.actor = canonical_handle(actor)
        self.defaults = defaults
        self.state = IncidentState()
        self.reloads = 0  # times the log was replaced under this room and folded again
        self._epoch = 0

    @property
    def policy(self) -> Policy:
        """The incident's own policy, from its log: every board computes from the same numbers."""
        return self.state.policy

    async def load(self) -> IncidentState:
        """Catch up with everything stored so far (raises ``UnknownIncident``)."""
        if self.state.seq == 0:
            self.state = await self.store.load_state(self.incident_id)
        await self._catch_up()
        return self.state

    async def _catch_up(self) -> list[Applied]:
        while True:
            if (epoch := self.store.log_epoch(self.incident_id)) != self._epoch:
                self._start_over(epoch)
            events = await self.store.read(self.incident_id, after=self.state.seq)
            if self.store.log_epoch(self.incident_id) == self._epoch:
                break  # else it was replaced while we read: read it again, from the top
        applied = []
        for event in events:
            if (change := apply(self.state, event)) is not None:
                applied.append(Applied(event, change.entry))
        return applied

    async def history(self) -> History:
        """Every moment of this incident so far (replay, ``show --at``): the whole log, read once.
        T+0 is where the post-mortem counts from (``export.history.start_of``)."""
        from warroom.export.history import start_of

        await self.load()
        events = await self.store.read(self.incident_id)
        return History(events, start=start_of(self.state))

    def _start_over(self, epoch: int) -> None:
        if self.state.seq:
            self.reloads += 1
        self.state = IncidentState()
        self._epoch = epoch

    def _replaced(self) -> bool:
        return self.store.log_epoch(self.incident_id) != self._epoch

    def refusal(self, body: Body) -> str | None:
        """Why the rules would refuse ``body`` from this room's actor right now, if they would."""
        return check_write(self.state, self.actor, body, PERSON)

    async def submit(self, body: Body) -> StoredEvent:
        """Check, append, and apply; raises ``Rejected`` with the rule's reason."""
        if (reason := self.refusal(body)) is not None:
            raise Rejected(reason)
        stored = await self.store.append(self.incident_id, EventDraft(actor=self.actor, body=body))
        if self._replaced():
            await self._catch_up()
        elif self.absorb(stored) is None and stored.seq > self.state.seq:
            await self._catch_up()
        return stored

    def absorb(self, event: StoredEvent) -> Applied | None:
        """Apply ``event`` if it is the next one; events out of order wait for ``follow``/``load``."""
        if event.seq != self.state.seq + 1:
            return None
        change = apply(self.state, event)
        return Applied(event, change.entry) if change is not None else None

    async def follow(self) -> AsyncIterator[Applied]:
        """Apply and yield each new event, in order, forever.

        Raises ``LogReplaced`` after folding a replaced log again from the top."""
        if self._replaced():
            await self._catch_up()
            raise LogReplaced(self.incident_id)
        try:
            async for event in self.store.follow(self.incident_id, after=self.state.seq):
                if self._replaced():
                    raise LogReplaced(self.incident_id)
                if event.seq <= self.state.seq:
                    continue
                change = apply(self.state, event)
                if change is not None:
                    yield Applied(event, change.entry)
        except LogReplaced:
            await self._catch_up()
            raise
