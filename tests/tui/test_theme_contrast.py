"""Every built-in theme meets WCAG AA (4.5:1) for the text the board draws.

The ratios are computed here from the theme files themselves (WCAG 2.x relative
luminance), independently of Textual, so a colour edited into a theme file that a
responder in a bright room cannot read fails this test rather than a review.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from warroom.tui.themes import BUILTIN_THEMES, OUR_VARIABLES

THEMES = Path(__file__).resolve().parents[2] / "warroom" / "themes"
AA = 4.5

TEXT_COLOURS = ("foreground", "primary", "secondary", "accent", "warning", "error", "success")
"""Textual's colours the board uses as text (refusal toasts, DRILL, 'nobody in command' ...)."""

PANE_BACKGROUNDS = ("background", "surface", "panel")
"""Where text stands: the screen, the four panes, the header and footer."""


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _theme(name: str) -> dict:
    return tomllib.loads((THEMES / f"{name}.toml").read_text(encoding="utf-8"))


def test_the_ratio_is_wcag_s() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", BUILTIN_THEMES)
def test_every_text_colour_meets_aa_on_every_pane_background(name: str) -> None:
    theme = _theme(name)
    texts = {key: theme["variables"][key] for key in OUR_VARIABLES}
    texts |= {key: theme[key] for key in TEXT_COLOURS if key in theme}
    failures = [
        f"{key} {colour} on {ground} {theme[ground]}: {contrast(colour, theme[ground]):.2f}:1"
        for key, colour in texts.items()
        for ground in PANE_BACKGROUNDS
        if ground in theme and contrast(colour, theme[ground]) < AA
    ]
    assert failures == []


@pytest.mark.parametrize("name", BUILTIN_THEMES)
def test_the_header_severity_badges_meet_aa(name: str) -> None:
    """The badge is drawn reversed: the header's panel colour on the severity colour."""
    theme = _theme(name)
    ratios = {n: contrast(theme["panel"], theme["variables"][f"severity-{n}"]) for n in range(1, 5)}
    assert all(ratio >= AA for ratio in ratios.values()), ratios
