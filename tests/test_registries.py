"""Every place that says something per event type says it for every event type.

Event types are body classes; the fold's sentences and handlers, the rules, and the
board's toasts are tables keyed by those classes. A new event type added to
``EventBody`` without a row in each table fails here, not in front of a responder.
"""

from __future__ import annotations

import pytest

from warroom.incident import events as ev
from warroom.incident import handlers, rules, sentences
from warroom.tui.model import toasts

EVERY = set(ev.BODY_TYPES)
BOARD_PARTS = {"header", "command", "broadcasts", "stars", "rows"}


@pytest.mark.parametrize(
    ("name", "registry"),
    [("fold sentences", sentences.SENTENCES), ("fold handlers", handlers.HANDLERS), ("rules", rules.RULES)],
)
def test_every_registry_covers_every_event_type(name: str, registry: dict) -> None:
    assert set(registry) == EVERY, name


def test_toasts_cover_exactly_the_toast_worthy_event_types() -> None:
    assert set(toasts.TOASTS) == {kind for kind in EVERY if kind.toast}


def test_ui_categories_are_declared_on_the_event_types() -> None:
    for kind in EVERY:
        assert kind.redraws <= BOARD_PARTS, kind.__name__
        assert isinstance(kind.catch_up, bool) and isinstance(kind.toast, bool)
    assert ev.BODY_BY_TYPE == {kind.model_fields["type"].default: kind for kind in EVERY}


def test_partial_tables_only_name_event_types() -> None:
    assert set(sentences.COUNTERPARTS) <= EVERY
    assert rules.ALLOWED_AFTER_CLOSE <= EVERY
