"""The status page's Atom feeds: one per incident and one for the index.

A stakeholder who will not keep a tab open subscribes instead. Each feed is drawn from
the same public values as its page (``PublicView``, ``StatusBoard``) by one template,
with autoescape on, so a feed can say no more than its page. Entry ids are stable (the
incident, the kind of entry, its time and its place), so a reader shows each update once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.incident.public import PublicView

from .board import StatusBoard
from .pages import templates

ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    title: str
    at: datetime
    url: str
    text: str


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%SZ")


def incident_feed(view: PublicView, page_url: str, self_url: str) -> str:
    base = f"urn:warroom:status:{view.id}"
    count = len(view.timeline)
    entries = [
        FeedEntry(
            id=f"{base}:{count - place}:{entry.kind}:{_stamp(entry.at)}",
            title=f"{view.id} {entry.label}: {entry.text.splitlines()[0][:120] if entry.text else entry.kind}",
            at=entry.at,
            url=page_url,
            text=entry.text,
        )
        for place, entry in enumerate(view.timeline)
    ]
    updated = view.last_updated or EPOCH
    title = f"{view.id}: {view.title}"
    return _render(base, title, updated, page_url, self_url, entries)


def index_feed(board: StatusBoard, urls: dict[str, str], page_url: str, self_url: str) -> str:
    entries = [
        FeedEntry(
            id=f"urn:warroom:status:{item.id}:{_stamp(item.updated_at)}",
            title=f"{item.id} {item.label}: {item.title}",
            at=item.updated_at,
            url=urls[item.id],
            text=item.summary or item.label,
        )
        for item in sorted(board.listed, key=lambda item: item.updated_at, reverse=True)
    ]
    return _render("urn:warroom:status", "Service status", board.last_updated or EPOCH, page_url, self_url, entries)


def _render(feed_id: str, title: str, updated: datetime, page_url: str, self_url: str, entries: list[FeedEntry]) -> str:
    return templates.env.get_template("feed.atom").render(
        feed_id=feed_id, title=title, updated=updated, page_url=page_url, self_url=self_url, entries=entries
    )
