"""Theme files (TOML) loaded into Textual's own theme system.

A theme file names Textual's base colours (``primary``, ``background``, ...) and, under
``[variables]``, warroom's own (``severity-1`` ... ``severity-4``, ``shift-on``, ``stale``,
``blocked``, ``starred`` ...) which the board's ``.tcss`` uses as ``$severity-1``. The
built-in themes ship inside the package (``warroom/themes/``, so a wheel has them); users
add more in ``warroom.config.user_themes_dir()``, where a file with a built-in's name
replaces it. A file that cannot be used is reported, never fatal: the board says which
file and why, and carries on with the others (and with the default theme if the chosen
one is the broken one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from rich.style import Style as RichStyle
from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

from warroom.config_files import DEFAULT_THEME, TomlProblem, read_toml

BUILTIN_THEMES = ("warroom-dark", "warroom-light", "warroom-high-contrast")

OUR_VARIABLES = (
    "severity-1",
    "severity-2",
    "severity-3",
    "severity-4",
    "shift-on",
    "shift-break",
    "shift-off",
    "stale",
    "blocked",
    "starred",
    "pending",
    "unowned",
    "fatigue-warn",
    "fatigue-limit",
    "overdue",
    "you",
    "refused",
)
"""warroom's own theme variables; each must be a colour. Missing ones fall back to warroom-dark's."""

COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
_KNOWN_KEYS = frozenset(COLOUR_FIELDS) | {"name", "dark", "variables"}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_WORD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_ -]*$")


class ThemeError(Exception):
    """A theme file that cannot be used; the message names the file and the problem."""


@dataclass
class LoadedThemes:
    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


def _colour(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{where} must be a colour string like \"#4C9AFF\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{where} = {value!r} is not a colour") from None
    return value


def parse_theme(data: dict, source: str) -> Theme:
    """Build a ``Theme`` from a parsed TOML table, or raise ``ThemeError`` naming ``source``."""
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ThemeError(f"{source}: unknown key(s) {', '.join(unknown)} (put your own colours under [variables])")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ThemeError(f"{source}: needs a name (letters, digits, '-', '_' or '.')")
    if "primary" not in data:
        raise ThemeError(f"{source}: needs a primary colour")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"{source}: dark must be true or false")
    colours: dict[str, Any] = {key: _colour(data[key], f"{source}: {key}") for key in COLOUR_FIELDS if key in data}
    raw_variables = data.get("variables", {})
    if not isinstance(raw_variables, dict):
        raise ThemeError(f"{source}: [variables] must be a table")
    variables: dict[str, str] = {}
    for key, value in raw_variables.items():
        where = f"{source}: variables.{key}"
        if key in OUR_VARIABLES:
            variables[key] = _colour(value, where)
            continue
        # Textual's own variables (footer-key-foreground, block-cursor-text-style, ...):
        # a colour or one plain word, so a typo cannot break the stylesheet.
        if not isinstance(value, str):
            raise ThemeError(f"{where} must be a string")
        try:
            Color.parse(value)
        except ColorParseError:
            if not _WORD_RE.fullmatch(value):
                raise ThemeError(f"{where} = {value!r} is neither a colour nor a plain word") from None
        variables[key] = value
    return Theme(name=name, dark=dark, variables=variables, **colours)


def load_theme_file(path: Path | Traversable) -> Theme:
    try:
        data = read_toml(path)
    except FileNotFoundError as error:
        raise ThemeError(f"{path}: cannot read it ({error.strerror or error})") from None
    except TomlProblem as problem:
        raise ThemeError(f"{path}: {problem}") from None
    return parse_theme(data, str(path))


def builtin_theme_files() -> list[Traversable]:
    folder = resources.files("warroom") / "themes"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


@cache
def variable_defaults() -> dict[str, str]:
    """Fallbacks for warroom's variables: the default theme's, so any theme (even one of
    Textual's, or a user's that defines only a few) renders."""
    for file in builtin_theme_files():
        if file.name == f"{DEFAULT_THEME}.toml":
            theme = load_theme_file(file)
            return {key: value for key, value in theme.variables.items() if key in OUR_VARIABLES}
    raise ThemeError(f"the built-in {DEFAULT_THEME} theme is missing from the installation")


def load_themes(user_dir: Path | None) -> LoadedThemes:
    """Every usable theme: the built-ins, then the user's folder (which may replace them)."""
    loaded = LoadedThemes()
    sources: list[Path | Traversable] = list(builtin_theme_files())
    if user_dir is not None and user_dir.is_dir():
        sources.extend(sorted(user_dir.glob("*.toml")))
    for source in sources:
        try:
            theme = load_theme_file(source)
        except ThemeError as error:
            loaded.problems.append(str(error))
            continue
        loaded.themes[theme.name] = theme
        loaded.sources[theme.name] = str(source)
    return loaded


def use_themes(app: App, wanted: str, user_dir: Path | None) -> tuple[list[str], list[str]]:
    """Register every usable theme on ``app`` and switch to ``wanted`` (else the default);
    returns (the theme names, the problems to tell the user)."""
    loaded = load_themes(user_dir)
    for theme in loaded.themes.values():
        app.register_theme(theme)
    problems = [f"theme: {problem}" for problem in loaded.problems]
    chosen = wanted
    if chosen not in loaded.themes:
        if DEFAULT_THEME in loaded.themes and chosen != DEFAULT_THEME:
            problems.append(f"theme {chosen!r} is not available; using {DEFAULT_THEME}")
        chosen = DEFAULT_THEME
    app.theme = chosen
    return sorted(loaded.themes), problems


_ATTRIBUTES = frozenset({"bold", "italic", "dim", "reverse", "underline", "strike"})


def theme_style(app: App, spec: str) -> RichStyle:
    """A cell's style spec (``"$stale bold"``) as a Rich style, with the app's theme colours."""
    variables = app.theme_variables
    colour = None
    attributes: dict[str, Any] = {}
    for word in spec.split():
        if word.startswith("$"):
            value = variables.get(word[1:])
            if value:
                try:
                    colour = Color.parse(value).rich_color
                except ColorParseError:
                    colour = None
        elif word in _ATTRIBUTES:
            attributes[word] = True
    return RichStyle(color=colour, **attributes)
