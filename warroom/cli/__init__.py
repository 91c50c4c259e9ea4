"""The ``warroom`` command: every action the board offers, scriptable for bots, runbooks and tests.

Each subcommand succeeds with exit 0 or fails with one line on stderr that names the
problem (the unknown incident, the rule that refused) and a non-zero exit. Only the
subcommands that need them import the board (Textual) or the server, so the scripted
commands start fast. The package splits by what a command is about: ``context`` (what every
command shares), ``incident`` (acting on and reading one incident), ``records`` (close,
export, import), ``serving`` (the server, its database and tokens), ``insights`` (numbers across
every incident), ``parser``, and ``run`` (one command, start to end).

This ``__init__`` imports none of them: ``warroom join`` and ``warroom lobby`` on a terminal
paint their frame before the parser, pydantic and the domain load (``early.py``). The names below load
from their modules on first use.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.cli.context import (
        EXIT_ERROR,
        EXIT_OK,
        EXIT_USAGE,
        CliContext,
        act_on_incident,
        incident_arg,
        run_command,
        workstream_id,
    )
    from warroom.cli.board_text import render_state
    from warroom.cli.parser import build_parser
    from warroom.cli.serving import server_db
    from warroom.session import UsageError

_MODULE_OF = {
    "EXIT_ERROR": "warroom.cli.context",
    "EXIT_OK": "warroom.cli.context",
    "EXIT_USAGE": "warroom.cli.context",
    "CliContext": "warroom.cli.context",
    "act_on_incident": "warroom.cli.context",
    "incident_arg": "warroom.cli.context",
    "run_command": "warroom.cli.context",
    "workstream_id": "warroom.cli.context",
    "render_state": "warroom.cli.board_text",
    "build_parser": "warroom.cli.parser",
    "server_db": "warroom.cli.serving",
    "UsageError": "warroom.session",
}

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliContext",
    "UsageError",
    "act_on_incident",
    "build_parser",
    "incident_arg",
    "main",
    "render_state",
    "run_command",
    "server_db",
    "workstream_id",
]


def __getattr__(name: str) -> object:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code."""
    from warroom.cli.early import plain_start_on_a_terminal

    args = sys.argv[1:] if argv is None else argv
    start = plain_start_on_a_terminal(args)
    if start is not None:
        from warroom.cli.early import start_frame_first

        return start_frame_first(args, start)
    from warroom.cli.run import main as run

    return run(argv)
