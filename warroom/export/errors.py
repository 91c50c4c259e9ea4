"""What can go wrong exporting or importing, in words meant for a responder."""

from __future__ import annotations

from warroom.errors import WarroomError


class ExportError(WarroomError):
    """An export or import could not be done; the message says why, in one line."""


class DocumentError(ExportError):
    """A file given to ``warroom import`` is not a usable warroom incident export."""


class ImportNotSupported(ExportError):
    """The store cannot take an imported log (yet)."""
