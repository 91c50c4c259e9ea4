"""Exports: the post-mortem draft (Markdown), the lossless log (JSON) and the timeline (CSV).

``export_incident(state, events, folder)`` is the one entry point the CLI and the board
call; the renderers are pure functions of the state, the events and the policy (never
the clock), so the same log always gives the same files. ``import_document`` restores a
JSON export into a store.

Imports only the domain: no Textual, no httpx, no server. The renderers load on first
use, so ``from warroom.export import ExportError`` (every CLI command does it) costs
nothing at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import DocumentError, ExportError, ImportNotSupported

if TYPE_CHECKING:
    from .csvdoc import render_csv
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
    from .markdown import render_markdown

_LAZY = {
    "render_csv": ".csvdoc",
    "FORMATS": ".files",
    "export_incident": ".files",
    "file_name": ".files",
    "render": ".files",
    "write_atomic": ".files",
    "FORMAT": ".jsondoc",
    "VERSION": ".jsondoc",
    "ImportResult": ".jsondoc",
    "IncidentDocument": ".jsondoc",
    "document_from_dict": ".jsondoc",
    "import_document": ".jsondoc",
    "parse_document": ".jsondoc",
    "render_json": ".jsondoc",
    "render_markdown": ".markdown",
}

__all__ = sorted(["DocumentError", "ExportError", "ImportNotSupported", *_LAZY])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
