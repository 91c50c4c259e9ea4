"""``warroom join INC-ID`` on a terminal: the board's frame is on screen before the CLI loads.

The parser, the settings' models and the domain under them take longer to import than Textual
takes to start, so a join used to show nothing for a third of a second and then everything.
This module imports only the standard library: it takes the plain form of a join (``join``,
the incident, then any of ``--as``, ``--store``, ``--server`` and ``--token`` with their
values) with a terminal on both ends, and hands it to ``tui/frame_first.py``, which paints
the frame and then runs the real parser, settings and checks (``run.join_session``) while
the frame is up. Anything else (help, completion, flags before the command, a pipe) goes
the usual way, through ``run.py``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.session import Session

WHO_AND_WHERE = frozenset({"--as", "--store", "--server", "--token"})


@dataclass(frozen=True, slots=True)
class PlainJoin:
    """What the frame shows before anything is checked: the incident as typed, and ``--as`` if given."""

    incident: str
    handle: str | None


def plain_join_on_a_terminal(argv: list[str]) -> PlainJoin | None:
    """``argv`` as a plain ``warroom join`` run on a terminal, else ``None`` (the usual way)."""
    if "_ARGCOMPLETE" in os.environ or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    return plain_join(argv)


def plain_join(argv: list[str]) -> PlainJoin | None:
    """``argv`` as ``join INCIDENT`` and who-and-where options with their values, else ``None``."""
    if len(argv) < 2 or argv[0] != "join" or argv[1].startswith("-"):
        return None
    options: dict[str, str] = {}
    rest = iter(argv[2:])
    for word in rest:
        name, equals, value = word.partition("=")
        if name not in WHO_AND_WHERE:
            return None
        if not equals:
            value = next(rest, "")
        if not value or value.startswith("-"):
            return None
        options[name] = value
    return PlainJoin(argv[1], options.get("--as"))


def join_frame_first(argv: list[str], join: PlainJoin) -> int:
    """Open the board with its frame painted first; the exit code, errors said as any command says them."""
    from warroom.tui.frame_first import run_frame_first

    def prepare() -> tuple[Session, str]:
        from warroom.cli.run import join_session

        return join_session(argv)

    try:
        return run_frame_first(join.incident.upper(), (join.handle or "").lower(), ui_in_file(), prepare)
    except Exception as error:
        from warroom.cli.run import report

        return report(error)


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
