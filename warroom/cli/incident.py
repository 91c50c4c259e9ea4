"""Commands that act on or read one incident: declare, show, list, policy, join, and the bodies of the simple acting commands."""


from __future__ import annotations

import argparse
import asyncio
import json
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.cli.board_text import render_state
from warroom.cli.context import EXIT_OK, EXIT_USAGE, CliContext, act_on_incident, run_command, say_error, submit_and_say
from warroom.config import (
    config_path,
)
from warroom.incident import IncidentState, Policy
from warroom.incident import events as ev
from warroom.incident.playbook import Playbook
from warroom.safetext import json_safe, safe_line
from warroom.session import UsageError
from warroom.store.base import declare_next


async def declare_command(ctx: CliContext) -> int:
    args = ctx.args
    playbook = chosen_playbook(args.playbook)
    severity = args.sev or (playbook.severity if playbook else 3)
    policy = playbook.with_policy(ctx.config.policy) if playbook else ctx.config.policy
    async with ctx.open_store() as store:
        handle = await ctx.acting_handle(store)
        incident_id = await declare_next(
            store,
            handle,
            lambda incident_id: ev.IncidentDeclared(
                incident_id=incident_id,
                title=args.title,
                severity=severity,
                drill=args.drill,
                policy=policy,
                playbook=playbook,
                published=ctx.config.status.publish_on_declare,
            ),
            explicit=args.incident,
        )
    if not ctx.location.url:
        ctx.remember_handle()  # on a server the token names you; nothing to remember
    print(incident_id)
    return EXIT_OK



def cmd_affect(ctx: CliContext) -> int:
    """``warroom affect INC-7 "Storage API" degraded``: only a component the config names."""
    names = {component.name.casefold(): component.name for component in ctx.config.component}
    name = names.get(ctx.args.component.strip().casefold())
    if name is None:
        known = ", ".join(sorted(names.values())) or f"none: add [[component]] tables to {config_path()}"
        say_error(safe_line(f"warroom: no component {ctx.args.component!r} (components: {known})"))
        return EXIT_USAGE
    return run_command(act_on_incident(ctx, ctx.args.incident, ev.ComponentImpactSet(component=name, impact=ctx.args.impact)))


def chosen_playbook(name: str | None) -> Playbook | None:
    """The playbook called ``name`` (``None`` for none); an unknown or bad one is a usage error,
    said in one line before anything is written."""
    if name is None:
        return None
    from warroom.playbooks import PlaybookError, load_playbooks  # only a declaration with one reads the files

    try:
        return load_playbooks().get(name)
    except PlaybookError as error:
        raise UsageError(str(error)) from None


# --- reading -----------------------------------------------------------------


async def _load(ctx: CliContext, incident_id: str) -> IncidentState:
    async with ctx.open_store() as store:
        room = ctx.room(store, incident_id)
        return await room.load()


def cmd_show(ctx: CliContext) -> int:
    if getattr(ctx.args, "at", None) is not None:
        from warroom.cli.replay import cmd_show_at

        return cmd_show_at(ctx)
    state = asyncio.run(_load(ctx, ctx.args.incident))
    if ctx.args.json:
        print(json_safe(json.dumps(state.summary_dict(), indent=2, ensure_ascii=False)))
    else:
        print(render_state(state, ctx.config, every=ctx.args.all))
    return EXIT_OK



def cmd_policy(ctx: CliContext) -> int:
    """Print the incident's policy, or change it (commander): it is the incident's, not this machine's."""

    async def run() -> int:
        async with ctx.open_store() as store:
            if not ctx.args.settings:
                state = await ctx.room(store, ctx.args.incident).load()
                print(json.dumps(state.policy.model_dump(), indent=2))
                return EXIT_OK
            room = ctx.room(store, ctx.args.incident)
            current = (await room.load()).policy.model_dump()
            given = dict(ctx.args.settings)
            policy = Policy.model_validate({**current, **given})
            if (beyond := policy.beyond_a_year(given)) is not None:
                raise UsageError(beyond)
            await submit_and_say(ctx, store, ctx.args.incident, ev.PolicyChanged(policy=policy))
        return EXIT_OK

    return run_command(run())


def cmd_list(ctx: CliContext) -> int:
    async def incidents() -> list:
        async with ctx.open_store() as store:
            return await store.incidents()

    found = asyncio.run(incidents())
    if ctx.args.json:
        print(json_safe(json.dumps([s.as_dict() for s in found], indent=2, ensure_ascii=False)))
        return EXIT_OK
    if not found:
        print(safe_line(f"no incidents in {ctx.location.describe()} (start one: warroom declare --title '...')"))
        return EXIT_OK
    for s in found:
        state = "closed" if s.closed else s.status
        drill = " [drill]" if s.drill else ""
        print(safe_line(f"{s.id:<12} SEV{s.severity}  {state:<13} {s.commander or '-':<14} {s.title}{drill}"))
    return EXIT_OK


def cmd_locate(ctx: CliContext) -> int:
    what = ctx.args.what
    if what == "config":
        print(safe_line(str(config_path())))
    elif what == "store":
        print(safe_line(ctx.location.describe()))
    return EXIT_OK


def cmd_join(ctx: CliContext) -> int:
    from warroom.tui.launch import run_board  # Textual is imported only here

    before_the_app(ctx)
    return run_board(ctx, ctx.args.incident)


def before_the_app(ctx: CliContext) -> None:
    """What ``warroom join`` and the lobby do before their screen opens (also when its frame is drawn first)."""
    if not ctx.location.url:
        ctx.remember_handle()  # on a server the token names you; nothing to remember



def cmd_lobby(ctx: CliContext) -> int:
    """``warroom`` (no command) and ``warroom lobby``: every open incident, live."""
    import sys

    location = ctx.location
    if getattr(ctx.args, "command", None) is None and not location.url and not _any_incident_file(location.folder):
        print(
            safe_line(
                f"warroom: no incidents in {location.folder} yet. Declare one with `warroom declare --title '...'` "
                "(or open the lobby anyway with `warroom lobby` and press n); use a shared folder with --store DIR "
                "or a server with --server URL. `warroom --help` lists every command."
            )
        )
        return EXIT_OK
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        say_error("warroom: the lobby needs a terminal; `warroom list` prints the incidents, `warroom --help` every command")
        return EXIT_USAGE
    from warroom.tui.launch import run_lobby  # Textual is imported only here

    before_the_app(ctx)
    return run_lobby(ctx)


def _any_incident_file(folder: object) -> bool:
    import os

    try:
        with os.scandir(str(folder)) as listing:
            return any(entry.name.endswith(".jsonl") for entry in listing)
    except OSError:
        return False


def cmd_demo(ctx: CliContext) -> int:
    from warroom.tui.demo import run_demo  # Textual is imported only here

    return run_demo(ctx, folder=ctx.args.folder, pace=ctx.args.pace, rng_seed=ctx.args.seed)



def shift_body(args: argparse.Namespace) -> ev.ShiftChanged:
    if args.shift != "break" and args.minutes is not None:
        raise UsageError("--minutes goes with `break` only")
    minutes = (15 if args.minutes is None else args.minutes) if args.shift == "break" else None
    if args.tz is not None:
        if args.shift != "on":
            raise UsageError("--tz goes with `on` only")
        try:
            ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"unknown time zone {args.tz!r}: use an IANA name such as Europe/Berlin or America/New_York") from None
    return ev.ShiftChanged(shift=args.shift, minutes=minutes, tz=args.tz)


def command_body(args: argparse.Namespace) -> ev.Body:
    if args.action == "handoff":
        if not args.to:
            raise UsageError("command handoff needs --to HANDLE")
        return ev.CommandHandoverOffered(to=args.to, note=args.note)
    if args.to:
        raise UsageError(f"--to goes with `handoff`, not `{args.action}`")
    return {
        "take": ev.CommandAssumed,
        "accept": ev.CommandHandoverAccepted,
        "decline": ev.CommandHandoverDeclined,
    }[args.action]()


def role_body(args: argparse.Namespace) -> ev.Body:
    if args.clear:
        return ev.RoleCleared(role=args.role)
    if not args.handle:
        raise UsageError(f"who should be {args.role}? give a HANDLE (or --clear)")
    return ev.RoleAssigned(role=args.role, handle=args.handle)



def cmd_link(ctx: CliContext) -> int:
    """Link two incidents in both logs (commander of either); finishing a half-written link is the same command."""
    from warroom.links import link_incidents

    args = ctx.args

    async def run() -> int:
        async with ctx.open_store() as store:
            actor = await ctx.acting_handle(store)
            done = await link_incidents(store, actor, args.incident, args.other, args.kind)
            for incident_id, stored, text in done.written:
                print(safe_line(f"{incident_id} #{stored.seq} {stored.actor} {text}"), flush=True)
            for incident_id in done.already:
                print(safe_line(f"{incident_id} already records the link"))
            if args.kind == "duplicate-of" and any(i == args.incident for i, _, _ in done.written):
                print(safe_line(f"{args.incident} is closed as a duplicate of {args.other}: its boards tell its responders to join {args.other}"))
                await _reexport(ctx, store, args.incident)
        return EXIT_OK

    return run_command(run())


async def _reexport(ctx: CliContext, store, incident_id: str) -> None:
    from warroom.cli.records import export_closed

    await export_closed(ctx, store, incident_id)
