"""The status page's index as data: what is public now, worst first, and what closed lately.

Built from the incidents' summaries only (no fold per incident), and from their public
part only (``IncidentSummary.public``): an incident nobody published is not listed, and
its internal title is never read here. The index page and the index's Atom feed both
draw this one value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.incident.public import status_label, worst_impact
from warroom.store.base import IncidentSummary

from .pages import StatusSettings


@dataclass(frozen=True, slots=True)
class Listed:
    """One published incident as the index lists it."""

    id: str
    title: str
    summary: str
    severity: int
    status: str
    drill: bool
    started_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    components: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return status_label(self.status)

    @property
    def lasted(self) -> timedelta | None:
        if self.closed_at is None or self.started_at is None:
            return None
        return max(self.closed_at - self.started_at, timedelta(0))


@dataclass(frozen=True, slots=True)
class ComponentState:
    name: str
    group: str | None
    impact: str  # the worst any open incident says, "operational" when none


@dataclass(frozen=True, slots=True)
class StatusBoard:
    open: tuple[Listed, ...]  # worst first: SEV, then the oldest
    past: tuple[Listed, ...]  # closed within the configured days, latest first
    components: tuple[ComponentState, ...]  # in config order
    last_updated: datetime | None

    @property
    def listed(self) -> tuple[Listed, ...]:
        return self.open + self.past


def _listed(summary: IncidentSummary) -> Listed | None:
    public = summary.public
    if public is None:
        return None
    return Listed(
        id=summary.id,
        title=public.title,
        summary=public.summary,
        severity=summary.severity,
        status="closed" if summary.closed else summary.status,
        drill=summary.drill,
        started_at=summary.started_at,
        closed_at=public.closed_at,
        updated_at=public.updated_at or public.published_at,
        components=public.components,
    )


def status_board(summaries: Iterable[IncidentSummary], settings: StatusSettings, now: datetime) -> StatusBoard:
    listed = [item for item in map(_listed, summaries) if item is not None]
    since = now - timedelta(days=settings.past_days)
    still_open = sorted(
        (item for item in listed if item.closed_at is None),
        key=lambda item: (item.severity, item.started_at or item.updated_at),
    )
    past = sorted(
        (item for item in listed if item.closed_at is not None and item.closed_at >= since),
        key=lambda item: item.closed_at or now,
        reverse=True,
    )
    impacts: dict[str, list[str]] = {}
    for item in still_open:
        for name, impact in item.components:
            impacts.setdefault(name, []).append(impact)
    components = tuple(ComponentState(name, group, worst_impact(impacts.get(name, ()))) for name, group in settings.components)
    shown = still_open + past
    return StatusBoard(
        open=tuple(still_open),
        past=tuple(past),
        components=components,
        last_updated=max((item.updated_at for item in shown), default=None),
    )
