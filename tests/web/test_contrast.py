"""The status page's colours meet WCAG AA (4.5:1 for text) in light and dark, computed from the CSS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.tui.test_theme_contrast import contrast

CSS = (Path(__file__).resolve().parents[2] / "warroom" / "web" / "static" / "status.css").read_text()
AA = 4.5
# text colour on background colour, as the stylesheet pairs them
PAIRS = [
    ("fg", "bg"), ("muted", "bg"), ("fg", "card"), ("muted", "card"), ("link", "bg"), ("warn-fg", "warn-bg"),
    ("on-badge", "sev1"), ("on-badge", "sev2"), ("on-badge", "sev3"), ("on-badge", "sev4"),
]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _schemes() -> dict[str, dict[str, str]]:
    light = _variables(CSS.split("@media (prefers-color-scheme: dark)")[0])
    dark = {**light, **_variables(CSS.split("@media (prefers-color-scheme: dark)")[1].split("}\n}")[0])}
    return {"light": light, "dark": dark}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_colour_meets_aa(scheme: str):
    colours = _schemes()[scheme]
    ratios = {f"{fg} on {bg}": round(contrast(colours[fg], colours[bg]), 2) for fg, bg in PAIRS}
    assert {pair: ratio for pair, ratio in ratios.items() if ratio < AA} == {}
