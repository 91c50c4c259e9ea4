"""``warroom join INC-ID`` and ``warroom lobby`` on a terminal: the screen's frame is up before the CLI loads.

The parser, the settings' models and the domain under them take longer to import than Textual
takes to start, so a join used to show nothing for a third of a second and then everything.
This module imports only the standard library: it takes the plain form of those two commands
(``join`` and the incident, or ``lobby``, then any of ``--as``, ``--store``, ``--server`` and
``--token`` with their values) with a terminal on both ends, and hands it to
``tui/frame_first.py``, which paints the frame and then runs the real parser, settings and
checks (``run.app_session``) while the frame is up. Anything else (help, completion, flags
before the command, ``warroom`` alone, a pipe) goes the usual way, through ``run.py``.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.session import Session

WHO_AND_WHERE = frozenset({"--as", "--store", "--server", "--token"})


@dataclass(frozen=True, slots=True)
class PlainStart:
    """What the frame shows before anything is checked: the incident as typed (``None``: the
    lobby), and ``--as`` if given."""

    incident: str | None
    handle: str | None


def plain_start_on_a_terminal(argv: list[str]) -> PlainStart | None:
    """``argv`` as a plain ``warroom join`` or ``warroom lobby`` run on a terminal, else ``None`` (the usual way)."""
    if "_ARGCOMPLETE" in os.environ or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    return plain_start(argv)


def plain_start(argv: list[str]) -> PlainStart | None:
    """``argv`` as ``join INCIDENT`` or ``lobby``, then who-and-where options with their values, else ``None``."""
    if argv[:1] == ["lobby"]:
        incident, options_at = None, 1
    elif len(argv) >= 2 and argv[0] == "join" and not argv[1].startswith("-"):
        incident, options_at = argv[1], 2
    else:
        return None
    options: dict[str, str] = {}
    rest = iter(argv[options_at:])
    for word in rest:
        name, equals, value = word.partition("=")
        if name not in WHO_AND_WHERE:
            return None
        if not equals:
            value = next(rest, "")
        if not value or value.startswith("-"):
            return None
        options[name] = value
    return PlainStart(incident, options.get("--as"))


def start_frame_first(argv: list[str], start: PlainStart) -> int:
    """Open the board or the lobby with its frame painted first; the exit code, errors said as any command says them."""
    import gc

    # Starting makes hundreds of thousands of objects that live as long as the program
    # (modules, classes, styles, the incident), and the collector walked them again and again
    # while they were made: ~40 ms of a 10,000-event join's CPU. It is turned on again once the
    # screen is drawn (``frame_first.py``), after the board has frozen what it loaded.
    gc.disable()
    without_pydantic_plugins()
    from warroom.tui.frame_first import run_frame_first

    def prepare() -> tuple[Session, str | None]:
        from warroom.cli.run import app_session

        return app_session(argv)

    incident = start.incident.upper() if start.incident is not None else None
    try:
        return run_frame_first(incident, (start.handle or "").lower(), ui_in_file(), prepare)
    except Exception as error:
        from warroom.cli.run import report

        return report(error)


PLUGINS_OFF = ("__all__", "1", "true")
"""The values of ``PYDANTIC_DISABLE_PLUGINS`` that turn every pydantic plugin off (pydantic's own list)."""


def without_pydantic_plugins() -> None:
    """No pydantic plugins for a board, unless the environment asks for them.

    When pydantic builds its first validator it imports ``importlib.metadata`` and scans every
    installed distribution's entry points for plugins: ~15 ms of CPU (10 of them the import)
    before the board can draw, for validation hooks a board has no use for. Off by pydantic's
    own switch, ``PYDANTIC_DISABLE_PLUGINS``, unless it is set already. With every plugin off,
    pydantic's loader (``pydantic.plugin._loader``, private) would return none anyway, but only
    after importing ``importlib.metadata``: a stand-in that returns none without it takes its
    place. Should pydantic move its loader, the stand-in is never imported and only the import
    comes back."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] in PLUGINS_OFF and "pydantic.plugin._loader" not in sys.modules:
        loader = types.ModuleType("pydantic.plugin._loader", "warroom's stand-in: every pydantic plugin is off (cli/early.py)")
        setattr(loader, "get_plugins", lambda: ())
        sys.modules["pydantic.plugin._loader"] = loader


def ui_in_file() -> tuple[str, Mapping[str, str]]:
    """The theme and keymap the config file names, read without validating it (a file that
    cannot be read gives the defaults here: the real load says why, a moment later)."""
    from warroom.config_files import DEFAULT_THEME, TomlProblem, config_path, read_toml

    try:
        ui = read_toml(config_path()).get("ui", {})
    except (OSError, TomlProblem):
        ui = {}
    if not isinstance(ui, dict):
        ui = {}
    theme = ui.get("theme")
    keymap = ui.get("keymap")
    keys = {k: v for k, v in keymap.items() if isinstance(v, str)} if isinstance(keymap, dict) else {}
    return (theme if isinstance(theme, str) else DEFAULT_THEME), keys
