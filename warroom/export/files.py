"""Writing exports to disk: one entry point, predictable names, atomic files.

``export_incident`` is what both the CLI (``warroom export``, ``warroom close``) and the
board (its close key) call. Each file is rendered in full first, then written with
``warroom.files.write_atomic`` (temporary file, fsync, rename), so a
reader (or a sync client watching the folder) never sees half a post-mortem, and a
failed export leaves the previous one intact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from warroom import files
from warroom.incident import IncidentState, StoredEvent, fold

from .csvdoc import render_csv
from .errors import ExportError
from .html import render_html
from .jsondoc import render_json
from .markdown import render_markdown

FORMATS: tuple[str, ...] = ("md", "json", "csv", "html")
FILE_MODE = 0o644


def file_name(incident_id: str, fmt: str) -> str:
    """``INC-42-postmortem.md``, ``INC-42.json``, ``INC-42-timeline.csv``, ``INC-42-postmortem.html``."""
    names = {
        "md": f"{incident_id}-postmortem.md",
        "json": f"{incident_id}.json",
        "csv": f"{incident_id}-timeline.csv",
        "html": f"{incident_id}-postmortem.html",
    }
    try:
        return names[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}: choose from {', '.join(FORMATS)}") from None


def render(
    fmt: str, state: IncidentState, events: Sequence[StoredEvent], linked: Mapping[str, IncidentState] | None = None
) -> bytes:
    """The bytes of one export file (the CSV starts with a UTF-8 BOM; see ``csvdoc``). ``linked``: the
    incidents this one is linked to that the store holds, by id (the drafts tell their story)."""
    if fmt == "md":
        text = render_markdown(state, events, linked)
    elif fmt == "html":
        text = render_html(state, events, linked)
    elif fmt == "json":
        text = render_json(state, events)
    elif fmt == "csv":
        text = "\ufeff" + render_csv(state)
    else:
        file_name("", fmt)  # raises the one-line error
        raise AssertionError  # pragma: no cover
    # Lone surrogates (from undecodable terminal input) cannot be UTF-8: show them as U+FFFD
    # rather than fail the whole export.
    return text.encode("utf-8", errors="replace")


def export_incident(
    state: IncidentState,
    events: Iterable[StoredEvent],
    folder: Path,
    formats: Iterable[str] = FORMATS,
    linked: Mapping[str, IncidentState] | None = None,
) -> list[Path]:
    """Write the chosen exports of an incident into ``folder``; return their paths in order.

    ``state`` must be the fold of ``events`` (a board passes its live state and the log it
    read); if they disagree (the state lags behind the events or runs ahead), the state is
    rebuilt from the events so the files always agree with each other.
    """
    events = list(events)
    chosen = list(dict.fromkeys(formats))
    if not chosen:
        raise ExportError("no export format chosen")
    for fmt in chosen:
        file_name("", fmt)
    if state.seq != (events[-1].seq if events else 0) or len(state.timeline) != len(events):
        state = fold(events)
    if not state.declared:
        raise ExportError("nothing to export: the incident has not been declared")
    rendered = [(Path(folder) / file_name(state.id, fmt), render(fmt, state, events, linked)) for fmt in chosen]
    for path, data in rendered:
        write_atomic(path, data)
    return [path for path, _ in rendered]


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once; a failure is an ``ExportError``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot write to {path.parent}: {error.strerror or error}") from None
    try:
        files.write_atomic(path, data, mode=FILE_MODE)  # an export is meant to be shared
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
