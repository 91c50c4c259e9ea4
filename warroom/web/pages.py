"""Rendering the status page: one Jinja2 environment, autoescaping everything.

Every page and the live fragment are rendered from a ``PublicView`` (the viewer-safe
projection) or an ``IncidentSummary``: templates never see the incident state, so
they cannot show what a viewer must not read. Autoescape is on for every template,
so a title like ``<script>`` is text, never markup; and every value a template prints
passes the one sanitiser first (``safetext.safe_block``: ESC as ``␛``, U+202E as
``<U+202E>``, as the terminal views show them), so no raw control byte reaches a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import markupsafe
from fastapi.templating import Jinja2Templates

from warroom.config import Config
from warroom.incident.public import IMPACT_LABELS, PublicView
from warroom.safetext import safe_block

HERE = Path(__file__).parent
STATIC_FILES = {
    "status.css": "text/css; charset=utf-8",
    "status.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
REFRESH_SECONDS = 30


@dataclass(frozen=True, slots=True)
class StatusSettings:
    """What the status page takes from the config: the team's components (``[[component]]``,
    name and group), how long closed incidents stay listed, and whether pages without a key
    may be cached by a CDN (``[server] public_url`` set)."""

    components: tuple[tuple[str, str | None], ...] = ()
    past_days: int = 30
    public: bool = False
    open_to_all: bool = False
    """``[status] public``: on ``warroom serve``, a page without a key opens too."""

    @classmethod
    def of(cls, config: Config) -> StatusSettings:
        return cls(
            components=tuple((c.name, c.group) for c in config.component),
            past_days=config.status.past_days,
            public=bool(config.server.public_url),
            open_to_all=config.status.public,
        )


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _clock(value: datetime) -> str:
    """A time as a page without JavaScript shows it (the script shows the reader's own zone)."""
    return value.strftime("%d %b %Y %H:%M UTC")


def _duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _shown(value: object) -> object:
    """Every ``{{ value }}`` of every template, before it is escaped: text made safe to show."""
    return safe_block(value) if isinstance(value, str) and not isinstance(value, markupsafe.Markup) else value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        finalize=_shown,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name (the Atom feed's XML too)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(iso=_iso, clock=_clock, duration=_duration, impact=lambda value: IMPACT_LABELS.get(value, value))
    return env


templates = Jinja2Templates(env=_environment())


def with_key(path: str, key: str | None, **params: object) -> str:
    """``path`` with the viewer's key (and other params) as a query string."""
    query = {**({"key": key} if key else {}), **{k: v for k, v in params.items() if v is not None}}
    return f"{path}?{urlencode(query)}" if query else path


def base_context(prefix: str, key: str | None) -> dict[str, object]:
    return {"static_url": f"{prefix}/static", "index_url": with_key(prefix, key), "refresh": REFRESH_SECONDS, "feed_url": None}


def live_fragment(view: PublicView, now: datetime) -> str:
    """The part of the incident page the stream replaces (``#live``'s content)."""
    return templates.env.get_template("_live.html").render(view=view, now=now)


def static_file(name: str) -> tuple[bytes, str] | None:
    media = STATIC_FILES.get(name)
    if media is None:
        return None
    return (HERE / "static" / name).read_bytes(), media
