"""The server's own log as a read-only ``EventStore``, for readers inside the server.

The status page and the notifier are written against the one store interface
(``read``, ``follow``, ``incidents``) so that they run the same over a shared folder
(``FileStore``) and inside ``warroom serve``. Inside the server they must not go
through HTTP to themselves: this adapter reads the hub's in-memory tail or SQLite,
and follows commits by waiting on the hub, exactly as the SSE stream does. It never
appends: readers have no business writing the log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import TYPE_CHECKING

from warroom.incident import EventDraft, StoredEvent
from warroom.store.base import EventStore, IncidentSummary, StoreError, UnknownIncident, checked_incident_id

from .rowlog import Rows, follow_rows, read_rows

if TYPE_CHECKING:
    from .parts import Parts

PAGE = 500


class ServerReader(EventStore):
    def __init__(self, parts: Parts):
        self.parts = parts

    @property
    def location(self) -> str:
        return str(self.parts.db)

    async def append(self, incident_id: str, draft: EventDraft) -> StoredEvent:
        raise StoreError("the server's readers never write")

    async def read(self, incident_id: str, after: int = 0) -> list[StoredEvent]:
        checked_incident_id(incident_id)
        if not await self.parts.exists(incident_id):
            raise UnknownIncident(incident_id)
        return await read_rows(self._page(incident_id), after)

    def follow(self, incident_id: str, after: int = 0) -> AsyncIterator[StoredEvent]:
        """Events past ``after`` and then each commit; ends when the server stops."""
        hub = self.parts.hub
        return follow_rows(self._page(incident_id), after, partial(hub.changed, incident_id), lambda: hub.closing)

    def _page(self, incident_id: str) -> Rows:
        return lambda after: self.parts.rows(incident_id, after, PAGE)

    async def incidents(self) -> list[IncidentSummary]:
        return await self.parts.log.summaries()
