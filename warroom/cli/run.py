"""Running one ``warroom`` command: parse, build its session, run it, say what went wrong in one line.

The package's ``__init__`` only decides whether this is ``warroom join`` on a terminal, which
paints the board's frame before this module (and the domain and pydantic under it) loads
(``early.py``, ``tui/frame_first.py``); every other command comes straight here.
"""

from __future__ import annotations

import contextlib
import io
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
    except (Rejected, WarroomError, UsageError, ValidationError, KeyboardInterrupt) as error:
        return say_failure(error)


def say_failure(error: Rejected | WarroomError | UsageError | ValidationError | KeyboardInterrupt) -> int:
    """Say in one line why a command failed; its exit code."""
    if isinstance(error, KeyboardInterrupt):
        return 130
    if isinstance(error, Rejected):
        say_error(f"warroom: refused: {error.reason}")
    elif isinstance(error, ValidationError):
        say_error(f"warroom: invalid {validation_problem(error)}")
        return EXIT_USAGE
    else:
        say_error(f"warroom: {error}")
        if isinstance(error, UsageError):
            return EXIT_USAGE
    return EXIT_ERROR


def app_session(argv: list[str]) -> tuple[CliContext, str | None]:
    """The session of ``warroom join`` or ``warroom lobby`` and the incident to join (``None``:
    the lobby), for an App whose first frame is already on screen (``early.py``): what their
    commands do before the App. An argument argparse refuses raises ``ParserRefused``, with its words."""
    from warroom.cli.incident import before_the_app

    parser = build_parser(up_to_joining=True)
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            args = parse(parser, argv)
    except SystemExit as refused:
        raise ParserRefused(said.getvalue(), refused.code if isinstance(refused.code, int) else EXIT_USAGE) from None
    ctx = CliContext(args)
    ctx.refuse_a_borrowed_handle()
    before_the_app(ctx)
    return ctx, getattr(args, "incident", None)


def report(error: Exception) -> int:
    """After an App opened with its frame first: say why it failed as any command would; its exit code."""
    if isinstance(error, ParserRefused):
        sys.stderr.write(error.text)
        return error.code
    if isinstance(error, (Rejected, WarroomError, UsageError, ValidationError)):
        return say_failure(error)
    raise error


class ParserRefused(Exception):
    """argparse refused the arguments: ``text`` is what it would have printed, ``code`` its exit code."""

    def __init__(self, text: str, code: int) -> None:
        super().__init__(text)
        self.text, self.code = text, code
