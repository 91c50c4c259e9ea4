"""The words warroom says in more than one place, said once.

Durations, fatigue and "update due" wordings, and how a validation error reads, are
shown by the board, the CLI and the exports alike; a responder reading two of them
side by side must see the same words. Plain functions of plain values: no Textual,
no I/O, so every layer may import this module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from pydantic import ValidationError


def where(loc: Iterable[Any], *, default: str, drop_indexes: bool = False, drop: Collection[str] = ()) -> str:
    """A pydantic error location as a dotted path (``body.title``), or ``default`` when empty."""
    parts = (str(part) for part in loc if not (drop_indexes and isinstance(part, int)) and part not in drop)
    return ".".join(parts) or default


def validation_problem(error: ValidationError, *, default: str = "input", drop_indexes: bool = True) -> str:
    """The first problem of ``error`` as one line: ``title: String should have at least 1 character``."""
    first = error.errors()[0]
    return f"{where(first.get('loc', ()), default=default, drop_indexes=drop_indexes)}: {first.get('msg')}"
