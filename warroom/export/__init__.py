"""Exports: the post-mortem draft (Markdown, HTML), the lossless log (JSON) and the timeline (CSV).

``export_incident(state, events, folder)`` is the one entry point the CLI and the board
call; the renderers are pure functions of the state and the events (never
the clock), so the same log always gives the same files. ``import_document`` restores a
JSON export into a store.

Imports only the domain: no Textual, no httpx, no server. The CLI imports this package
only in the commands that export or import.
"""

from __future__ import annotations

from .csvdoc import render_csv
from .errors import DocumentError, ExportError, ImportNotSupported
from .files import FORMATS, export_incident, file_name, render, write_atomic
from .jsondoc import (
    FORMAT,
    VERSION,
    ImportResult,
    IncidentDocument,
    document_from_dict,
    import_document,
    parse_document,
    render_json,
)
from .html import render_html
from .markdown import render_markdown

__all__ = [
    "FORMAT",
    "FORMATS",
    "VERSION",
    "DocumentError",
    "ExportError",
    "ImportNotSupported",
    "ImportResult",
    "IncidentDocument",
    "document_from_dict",
    "export_incident",
    "file_name",
    "import_document",
    "parse_document",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "write_atomic",
]
