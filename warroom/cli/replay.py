"""Commands that look at an incident as it was: ``show --at`` and ``replay``; and ``keytime``,
which names a time in the same words.

All three name a moment the same way (``#SEQ``, ``T+HH:MM[:SS]`` or a UTC time; one parser,
``incident.keyframes.parse_moment``, resolved against the incident by its ``History``). The
first two compute every clock-driven number -- time on shift, fatigue, "update due",
staleness -- at that moment, never now.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from warroom.cli.context import EXIT_OK, CliContext, run_command, submit_and_say
from warroom.cli.board_text import render_state
from warroom.incident import IncidentState
from warroom.incident import events as ev
from warroom.errors import WarroomError
from warroom.incident.keyframes import BadMoment, History, Moment, PastTheEnd, parse_moment
from warroom.safetext import json_safe
from warroom.session import UsageError
from warroom.store import Rejected
from warroom.words import update_due


def moment_arg(text: str) -> str:
    """argparse type for ``--at``: the words are checked here, the incident later."""
    try:
        parse_moment(text)
    except BadMoment as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


class NoSuchEntry(WarroomError):
    """``--at #N`` past the last entry: exit 1, as for any other thing the incident does not have."""


@contextmanager
def _words_for(incident_id: str) -> Iterator[None]:
    """Words that name no moment are a ``UsageError``; an entry the incident lacks, ``NoSuchEntry``."""
    try:
        yield
    except PastTheEnd as error:
        raise NoSuchEntry(f"{incident_id} has only {error.entries:,} {'entry' if error.entries == 1 else 'entries'}") from None
    except BadMoment as error:
        raise UsageError(str(error)) from None


def find_moment(history: History, text: str | None, incident_id: str) -> Moment:
    """``text`` in ``history`` (default: its last moment); a ``UsageError`` names what is wrong
    with the words, ``NoSuchEntry`` an entry the incident does not have."""
    if text is None:
        return history.at_seq(history.last_seq)
    with _words_for(incident_id):
        return history.moment(text, now=datetime.now(timezone.utc))


def cmd_keytime(ctx: CliContext) -> int:
    """``warroom keytime INC-42 mitigated 10:41`` (or ``T+01:20``, ``#312``, an ISO time)."""

    async def correct() -> int:
        incident_id = ctx.args.incident
        async with ctx.open_store() as store:
            history = await ctx.room(store, incident_id).history()
            now = datetime.now(timezone.utc)
            with _words_for(incident_id):
                at = history.time_named(ctx.args.time, now=now)
            if at > now and not ctx.args.time.lstrip().startswith("#"):  # an entry's time has come, whatever a server's clock says
                raise Rejected(f"a {ctx.args.which} time of {at:%Y-%m-%d %H:%M} UTC has not come yet")
            await submit_and_say(ctx, store, incident_id, ev.KeyTimeSet(which=ctx.args.which, time=at))
        return EXIT_OK

    return run_command(correct())


async def _history(ctx: CliContext, incident_id: str) -> History:
    async with ctx.open_store() as store:
        return await ctx.room(store, incident_id).history()


def moment_dict(history: History, moment: Moment, state: IncidentState) -> dict:
    """What ``show --at --json`` adds to the summary: where it is, and the numbers of that moment."""
    due, overdue = update_due(state, moment.at, state.policy)
    return {
        "seq": moment.seq,
        "position": history.position(moment.seq),
        "events": len(history),
        "at": moment.at.isoformat(),
        "t_plus": history.describe(moment).split(" · ")[0],
        "update_due": due,
        "update_overdue": overdue,
        "stale_workstreams": [ws.id for ws in state.stale_workstreams(moment.at)],
        "responders": [
            {"handle": r.handle, "on_shift_seconds": int(r.time_on_shift(moment.at).total_seconds()), "fatigue": r.fatigue(moment.at, state.policy)}
            for r in state.responders.values()
        ],
    }


def cmd_show_at(ctx: CliContext) -> int:
    """``warroom show INC-42 --at T``: the board as it was then."""
    history = asyncio.run(_history(ctx, ctx.args.incident))
    moment = find_moment(history, ctx.args.at, ctx.args.incident)
    state = history.state_at(moment.seq)
    if ctx.args.json:
        document = {**state.summary_dict(), "as_of": moment_dict(history, moment, state)}
        print(json_safe(json.dumps(document, indent=2, ensure_ascii=False)))
    else:
        print(f"as of {history.describe(moment)}")
        print(render_state(state, ctx.config, every=ctx.args.all, now=moment.at))
    return EXIT_OK


def cmd_replay(ctx: CliContext) -> int:
    """``warroom replay INC-42 [--at T]``: the read-only board at a moment, with a time bar."""
    history = asyncio.run(_history(ctx, ctx.args.incident))
    moment = find_moment(history, ctx.args.at, ctx.args.incident)  # a bad moment fails here, before any screen
    from warroom.tui.launch import run_replay  # Textual is imported only here

    return run_replay(ctx, history, ctx.args.incident, moment)
