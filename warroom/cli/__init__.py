"""The ``warroom`` command: every action the board offers, scriptable for bots, runbooks and tests.

Each subcommand succeeds with exit 0 or fails with one line on stderr that names the
problem (the unknown incident, the rule that refused) and a non-zero exit. Only the
subcommands that need them import the board (Textual) or the server, so the scripted
commands start fast. The package splits by what a command is about: ``context`` (what every
command shares), ``incident`` (acting on and reading one incident), ``records`` (close,
export, import), ``serving`` (the server, its database and tokens), ``insights`` (numbers across
every incident) and ``parser``.
"""

from __future__ import annotations

import os
import sys

from pydantic import ValidationError

from warroom.cli.completion import complete_if_asked
from warroom.cli.context import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliContext,
    act_on_incident,
    run_command,
    say_error,
    incident_arg,
    workstream_id,
)
from warroom.cli.board_text import render_state
from warroom.cli.parser import build_parser, parse
from warroom.cli.serving import server_db
from warroom.errors import WarroomError
from warroom.session import UsageError
from warroom.store import Rejected
from warroom.words import validation_problem

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliContext",
    "UsageError",
    "act_on_incident",
    "run_command",
    "server_db",
    "build_parser",
    "incident_arg",
    "main",
    "render_state",
    "workstream_id",
]


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code. A reader that went away (``warroom show INC-1 | head``)
    ends the command quietly: the recipe from Python's ``signal`` docs, stdout pointed at
    ``/dev/null`` so the interpreter's own last flush cannot fail again."""
    try:
        code = _run_command(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    return code


def _run_command(argv: list[str] | None) -> int:
    parser = build_parser()
    complete_if_asked(parser)
    args = parse(parser, argv)
    try:
        ctx = CliContext(args)
        ctx.refuse_a_borrowed_handle()
        return args.run(ctx)
    except Rejected as error:
        say_error(f"warroom: refused: {error.reason}")
    except WarroomError as error:
        say_error(f"warroom: {error}")
    except UsageError as error:
        say_error(f"warroom: {error}")
        return EXIT_USAGE
    except ValidationError as error:
        say_error(f"warroom: invalid {validation_problem(error)}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
