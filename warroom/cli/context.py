"""What every subcommand shares: the session it runs in, argument types, and acting through a room."""


from __future__ import annotations

import argparse
import asyncio
import functools
import importlib
import re
import sys
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from warroom.config import (
    load_config,
    resolve_store,
)
from warroom.incident import IncidentState
from warroom.incident import events as ev
from warroom.safetext import safe_line
from warroom.session import Session
from warroom.store import StoreLocation
from warroom.errors import WarroomError
from warroom.store import EventStore, StoreError, StoreUnavailable, checked_incident_id

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

_WS_RE = re.compile(r"^(?:ws-?)?([1-9][0-9]{0,6})$", re.IGNORECASE)


def say_error(message: str) -> None:
    print(safe_line(message), file=sys.stderr, flush=True)


class CliContext(Session):
    """What every subcommand needs: its arguments, plus the session they describe."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        super().__init__(
            load_config(), None, getattr(args, "actor", None), warn=lambda message: say_error(f"warroom: warning: {message}")
        )

    def refuse_a_borrowed_handle(self) -> None:
        """``--as X`` with a token that acts as Y is refused before any command runs, reads
        included (``acting_handle`` says how): one question to the server, asked only when
        ``--as`` is given and the store is a server. An unreachable server is the command's
        own business (a board starts offline)."""
        if not self._handle_flag or not hasattr(self.args, "server"):
            return  # a command that takes no store (serve, token, demo)
        try:
            if not self.location.url:
                return
        except WarroomError:
            return  # no usable store: the command says so itself, if it needs one

        async def ask() -> None:
            async with self.open_store() as store:
                try:
                    await self.acting_handle(store)
                except StoreUnavailable:
                    pass

        asyncio.run(ask())

    @functools.cached_property
    def location(self) -> StoreLocation:  # type: ignore[override]  # Session's attribute, resolved here on first use
        """Resolved on first use: `serve` and `token` need no store, so an ambiguous one cannot stop them."""
        return resolve_store(
            self.config,
            folder_flag=getattr(self.args, "store", None),
            server_flag=getattr(self.args, "server", None),
            token_flag=getattr(self.args, "token", None),
        )


def run_command(coroutine: Coroutine[Any, Any, int | None]) -> int:
    return asyncio.run(coroutine) or EXIT_OK


def workstream_id(text: str) -> str:
    """Accept ``WS-3``, ``ws-3`` or ``3``."""
    match = _WS_RE.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"bad workstream {text!r}: expected WS-<number>, e.g. WS-3")
    return f"WS-{match.group(1)}"


def entry_number(text: str) -> int:
    """A timeline entry's number: ``12`` or ``#12``, as ``warroom show`` prints it."""
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()) or int(digits) < 1:
        raise argparse.ArgumentTypeError(f"bad entry {text!r}: use its number, #N as `warroom show` prints it (from #1)")
    return int(digits)


def incident_arg(text: str) -> str:
    """The canonical id (any case is accepted); raises InvalidIncidentId, a usage error for argparse."""
    return checked_incident_id(text)


def incident_type(text: str) -> str:
    try:
        return incident_arg(text)
    except StoreError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def declared_incident_type(text: str) -> str:
    """``incident_type`` for ``declare``, whose one positional is the id: a newcomer's title
    typed there is told where a title goes."""
    try:
        return incident_type(text)
    except argparse.ArgumentTypeError as error:
        if any(c.isspace() for c in text) and text.isprintable():
            import shlex  # only for this hint: a join loads this module and needs no shlex

            raise argparse.ArgumentTypeError(f"{error}; a title goes after --title: warroom declare --title {shlex.quote(text)}") from None
        raise


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


# --- acting ------------------------------------------------------------------


async def submit_and_say(
    ctx: CliContext,
    store: EventStore,
    incident_id: str,
    body: ev.Body | Callable[[IncidentState], ev.Body],
    warn: Callable[[IncidentState], str | None] | None = None,
) -> ev.StoredEvent:
    """Act through a room and print the one line that says what happened (after ``warn``'s
    warning about the state, if it has one: a warning never stops the action). ``body`` may be
    made from the incident as it is (an edit fills in what it leaves unchanged)."""
    room = ctx.room(store, incident_id, await ctx.acting_handle(store))
    await room.load()
    if not isinstance(body, ev.Body):
        body = body(room.state)
    if warn is not None and (warning := warn(room.state)):
        say_error(f"warroom: warning: {warning}")
    stored = await room.submit(body)
    entry = room.state.entry(stored.seq)
    text = entry.text if entry else stored.type
    print(safe_line(f"{incident_id} #{stored.seq} {stored.actor} {text}"), flush=True)
    return stored


async def act_on_incident(ctx: CliContext, incident_id: str, body: ev.Body, warn: Callable[[IncidentState], str | None] | None = None) -> int:
    async with ctx.open_store() as store:
        await submit_and_say(ctx, store, incident_id, body, warn)
    return EXIT_OK


def submitting(make_body: Callable[[argparse.Namespace], ev.Body]) -> Callable[[CliContext], int]:
    def run(ctx: CliContext) -> int:
        return run_command(act_on_incident(ctx, ctx.args.incident, make_body(ctx.args)))

    return run


def due_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad date {text!r}: use YYYY-MM-DD, e.g. 2026-12-09") from None


def policy_setting(text: str) -> tuple[str, str | None]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"bad setting {text!r}: use NAME=VALUE, e.g. update_minutes_sev1=15")
    value = value.strip()
    return name.strip(), None if value.lower() in ("", "none") else value


def command_group(sub: Any, name: str, help: str, description: str, **defaults: Any) -> Any:
    """A command with actions of its own (``warroom ws claim``): the subparsers its actions go in."""
    group = sub.add_parser(name, help=help, description=description)
    group.set_defaults(**defaults)
    return group.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def loaded_on_use(module: str, name: str) -> Callable[[CliContext], int]:
    """``module.name`` as a command's ``run``, imported only when that command runs (action
    items, hooks and alerts in ``warroom.cli.followup``; stakeholders in ``warroom.cli.stakeholders``):
    the board's start-up does not pay for them."""

    def run(ctx: CliContext) -> int:
        return getattr(importlib.import_module(module), name)(ctx)

    return run
