"""Theme files: the built-ins, a user's good and bad files, and the board's fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from textual.command import CommandList

from warroom.config import Config, UiConfig
from warroom.tui.themes import (
    BUILTIN_THEMES,
    OUR_VARIABLES,
    ThemeError,
    load_theme_file,
    load_themes,
    parse_theme,
)

from .conftest import SIZE, notices, ready, type_text, until

GOOD = """
name = "midnight"
dark = true
primary = "#3366FF"
background = "#000010"
[variables]
severity-1 = "#FF0000"
stale = "#FFAA00"
footer-key-foreground = "#3366FF"
"""


def test_every_builtin_theme_loads_with_all_our_variables() -> None:
    loaded = load_themes(None)
    assert loaded.problems == []
    for name in BUILTIN_THEMES:
        theme = loaded.themes[name]
        assert set(OUR_VARIABLES) <= set(theme.variables), name
    assert loaded.themes["warroom-light"].dark is False


def test_top_level_themes_folder_holds_the_same_files() -> None:
    root = Path(__file__).resolve().parents[2]
    top = sorted(p.name for p in (root / "themes").glob("*.toml"))
    packaged = sorted(p.name for p in (root / "warroom" / "themes").glob("*.toml"))
    assert top == packaged == sorted(f"{name}.toml" for name in BUILTIN_THEMES)


def test_a_good_user_file_loads(tmp_path: Path) -> None:
    (tmp_path / "midnight.toml").write_text(GOOD)
    loaded = load_themes(tmp_path)
    assert loaded.problems == []
    theme = loaded.themes["midnight"]
    assert theme.primary == "#3366FF"
    assert theme.variables["severity-1"] == "#FF0000"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("name = 'x'\nprimary = 'not-a-colour'\n", "is not a colour"),
        ("primary = '#fff'\n", "needs a name"),
        ("name = 'x'\n", "needs a primary"),
        ("name = 'x'\nprimary = '#fff'\nprimry = '#000'\n", "unknown key"),
        ("name = 'x'\nprimary = '#fff'\n[variables]\nstale = 'orange-ish'\n", "variables.stale"),
        ("name = 'x'\nprimary = '#fff'\n[variables]\nborder = 'red; color: blue'\n", "neither a colour"),
        ("name = 'x\nprimary", "not valid TOML"),
    ],
)
def test_bad_theme_files_are_refused_with_the_reason(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ThemeError, match=complaint) as raised:
        load_theme_file(path)
    assert "bad.toml" in str(raised.value)


def test_a_bad_file_does_not_hide_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("name = 'broken'\nprimary = 'nope'\n")
    (tmp_path / "midnight.toml").write_text(GOOD)
    loaded = load_themes(tmp_path)
    assert "midnight" in loaded.themes and "broken" not in loaded.themes
    assert len(loaded.problems) == 1 and "broken.toml" in loaded.problems[0]


def test_parse_theme_keeps_textual_variables() -> None:
    theme = parse_theme({"name": "t", "primary": "#fff", "variables": {"block-cursor-text-style": "none"}}, "t")
    assert theme.variables["block-cursor-text-style"] == "none"


async def test_board_uses_the_configured_user_theme(incident, make_board, tmp_path: Path) -> None:
    themes = tmp_path / "user-themes"
    themes.mkdir()
    (themes / "midnight.toml").write_text(GOOD)
    app = make_board(config=Config(ui=UiConfig(theme="midnight")), themes_dir=themes)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.theme == "midnight"
        assert app.theme_variables["stale"] == "#FFAA00"
        # a variable midnight leaves out falls back to warroom-dark's, so the stylesheet still works
        assert app.theme_variables["starred"] == load_themes(None).themes["warroom-dark"].variables["starred"]


async def test_bad_theme_file_notifies_and_falls_back_to_default(incident, make_board, tmp_path: Path) -> None:
    themes = tmp_path / "user-themes"
    themes.mkdir()
    (themes / "broken.toml").write_text("name = 'broken'\nprimary = 'nope'\n")
    app = make_board(config=Config(ui=UiConfig(theme="broken")), themes_dir=themes)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.theme == "warroom-dark"
        told = notices(app)
        assert "broken.toml" in told and "is not a colour" in told
        assert "'broken' is not available; using warroom-dark" in told


async def test_theme_switch_from_the_palette_recolours_the_board(incident, make_board) -> None:
    app = make_board()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        before = app.theme_variables["severity-1"]
        await pilot.press("ctrl+p")
        await type_text(pilot, "theme: warroom-light")
        commands = app.screen.query_one(CommandList)
        await until(pilot, lambda: commands.option_count and "warroom-light" in str(commands.get_option_at_index(0).prompt))
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "warroom-light"
        assert app.theme_variables["severity-1"] != before


def test_board_stylesheet_uses_theme_variables_not_hex() -> None:
    import re

    root = Path(__file__).resolve().parents[2] / "warroom" / "tui"
    for sheet in root.rglob("*.tcss"):
        assert not re.search(r"#[0-9A-Fa-f]{3,8}\b", sheet.read_text()), sheet
    assert "$severity" in (root / "widgets" / "header.py").read_text()
