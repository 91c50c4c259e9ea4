"""The ``f`` list as the timeline draws it (``tui.widgets.filter_list``), without a board."""

from __future__ import annotations

from rich.style import Style

from warroom.tui.widgets.filter_list import FilterList

STYLES = {"base": Style(), "title": Style(bold=True), "hint": Style(dim=True), "cursor": Style(reverse=True)}
CHOICES = [("kind:notes", "  kind: notes"), ("person:bob", "  person: bob")] + [
    (f"workstream:WS-{n}", f"  workstream: WS-{n} Check shard {n}") for n in range(1, 21)
]


def texts(menu: FilterList, width: int = 60, height: int = 6) -> list[str]:
    return [strip.text for strip in menu.lines(width, height, STYLES)]


def test_typing_narrows_any_case_and_the_highlight_starts_at_the_top() -> None:
    menu = FilterList(CHOICES)
    menu.move(3)
    menu.narrow("SHARD 1")
    assert [choice for choice, _ in menu.shown] == ["workstream:WS-1"] + [f"workstream:WS-{n}" for n in range(10, 20)]
    assert menu.choice == "workstream:WS-1"
    menu.narrow("nobody")
    assert menu.choice is None
    assert "nothing matches “nobody”" in texts(menu)[1]


def test_the_highlight_stays_in_the_list_and_the_lines_follow_it() -> None:
    menu = FilterList(CHOICES)
    menu.move(-5)
    assert menu.highlighted == 0
    menu.move(1_000)
    assert menu.choice == "workstream:WS-20"
    drawn = texts(menu, height=6)  # a title and five choices: the last five
    assert "· 22/22" in drawn[0]
    assert drawn[-1].startswith("  workstream: WS-20 Check shard 20")
    assert menu.choice_at(5) == "workstream:WS-20" and menu.choice_at(1) == "workstream:WS-16"
    assert menu.choice_at(0) is None  # the title


def test_the_title_says_what_is_on_and_drops_the_hint_when_narrow() -> None:
    menu = FilterList(CHOICES, current="bob · notes")
    wide, narrow = texts(menu, width=110)[0], texts(menu, width=50)[0]
    assert "now: bob · notes" in wide and "esc: back" in wide and len(wide) == 110
    assert "now: bob · notes" in narrow and "esc" not in narrow and len(narrow) == 50


def test_labels_are_made_safe_for_the_terminal() -> None:
    menu = FilterList([("workstream:WS-1", "  workstream: WS-1 \x1b]0;pwned\x07 db")])
    assert "\x1b" not in texts(menu)[1] and "\x07" not in texts(menu)[1]


def test_the_list_takes_at_most_three_fifths_of_the_view() -> None:
    menu = FilterList(CHOICES)
    assert menu.height(30) == 18 and menu.height(4) == 3
    menu.narrow("kind")
    assert menu.height(30) == 2
