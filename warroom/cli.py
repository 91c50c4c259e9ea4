"""The ``warroom`` command: every action the board offers, scriptable for bots, runbooks and tests.

Each subcommand succeeds with exit 0 or fails with one line on stderr that names the
problem (the unknown incident, the rule that refused) and a non-zero exit. Only the
subcommands that need them import the board (Textual) or the server, so the scripted
commands start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from warroom import __version__
from warroom.config import (
    Config,
    StoreLocation,
    config_path,
    data_dir,
    load_config,
    resolve_export_folder,
    resolve_store,
)
from warroom.errors import WarroomError
from warroom.incident import IncidentState, Policy, fold
from warroom.incident import events as ev
from warroom.incident.events import valid_handle
from warroom.safetext import json_safe, safe_line
from warroom.session import Session, UsageError
from warroom.store import EventStore, Rejected, StoreError, checked_incident_id
from warroom.store.base import next_free_id
from warroom.words import coarse_duration, fatigue_word, update_due, validation_problem

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

_WS_RE = re.compile(r"^(?:ws-?)?([1-9][0-9]{0,6})$", re.IGNORECASE)


def _stderr(message: str) -> None:
    print(safe_line(message), file=sys.stderr, flush=True)


class CliContext(Session):
    """What every subcommand needs: its arguments, plus the session they describe."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        super().__init__(
            load_config(), None, getattr(args, "actor", None), warn=lambda message: _stderr(f"warroom: warning: {message}")
        )

    @functools.cached_property
    def location(self) -> StoreLocation:  # type: ignore[override]
        """Resolved on first use: `serve` and `token` need no store, so an ambiguous one cannot stop them."""
        return resolve_store(
            self.config,
            folder_flag=getattr(self.args, "store", None),
            server_flag=getattr(self.args, "server", None),
            token_flag=getattr(self.args, "token", None),
        )


def _run(coroutine: Coroutine[Any, Any, int | None]) -> int:
    return asyncio.run(coroutine) or EXIT_OK


def workstream_id(text: str) -> str:
    """Accept ``WS-3``, ``ws-3`` or ``3``."""
    match = _WS_RE.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"bad workstream {text!r}: expected WS-<number>, e.g. WS-3")
    return f"WS-{match.group(1)}"


def incident_arg(text: str) -> str:
    """The canonical id (any case is accepted); raises InvalidIncidentId, a usage error for argparse."""
    return checked_incident_id(text)


def _incident_type(text: str) -> str:
    try:
        return incident_arg(text)
    except StoreError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


# --- acting ------------------------------------------------------------------


async def _submit(ctx: CliContext, store: EventStore, incident_id: str, body: ev.Body) -> ev.StoredEvent:
    """Act through a room and print the one line that says what happened."""
    room = ctx.room(store, incident_id, await ctx.acting_handle(store))
    await room.load()
    stored = await room.submit(body)
    entry = room.state.entry(stored.seq)
    text = entry.text if entry else stored.type
    print(safe_line(f"{incident_id} #{stored.seq} {stored.actor} {text}"), flush=True)
    return stored


async def _act(ctx: CliContext, incident_id: str, body: ev.Body) -> int:
    async with ctx.open_store() as store:
        await _submit(ctx, store, incident_id, body)
    return EXIT_OK


def _acting(make_body: Callable[[argparse.Namespace], ev.Body]) -> Callable[[CliContext], int]:
    def run(ctx: CliContext) -> int:
        return _run(_act(ctx, ctx.args.incident, make_body(ctx.args)))

    return run


async def _declare(ctx: CliContext) -> int:
    args = ctx.args
    async with ctx.open_store() as store:
        handle = await ctx.acting_handle(store)
        explicit = args.incident
        for attempt in range(20):
            incident_id = explicit or await next_free_id(store, bump=attempt)
            body = ev.IncidentDeclared(
                incident_id=incident_id, title=args.title, severity=args.sev, drill=args.drill, policy=ctx.config.policy
            )
            try:
                await store.append(incident_id, ev.EventDraft(actor=handle, body=body))
            except Rejected:
                if explicit:
                    raise
                continue  # someone declared that id a moment ago: take the next
            if not ctx.location.url:
                ctx.remember_handle()  # on a server the token names you; nothing to remember
            print(incident_id)
            return EXIT_OK
    raise StoreError("could not find a free incident id; pass one explicitly")




# --- reading -----------------------------------------------------------------


async def _load(ctx: CliContext, incident_id: str) -> IncidentState:
    async with ctx.open_store() as store:
        room = ctx.room(store, incident_id)
        return await room.load()


def cmd_show(ctx: CliContext) -> int:
    state = asyncio.run(_load(ctx, ctx.args.incident))
    if ctx.args.json:
        print(json_safe(json.dumps(state.summary_dict(), indent=2, ensure_ascii=False)))
    else:
        print(render_state(state, ctx.config, every=ctx.args.all))
    return EXIT_OK


def _policy_setting(text: str) -> tuple[str, str | None]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"bad setting {text!r}: use NAME=VALUE, e.g. update_minutes_sev1=15")
    value = value.strip()
    return name.strip(), None if value.lower() in ("", "none") else value


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
            policy = Policy.model_validate({**current, **dict(ctx.args.settings)})
            await _submit(ctx, store, ctx.args.incident, ev.PolicyChanged(policy=policy))
        return EXIT_OK

    return _run(run())


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


def render_state(state: IncidentState, config: Config, *, every: bool = False, now: datetime | None = None) -> str:
    """A plain-text snapshot of the board for terminals and chat pastes: one line per row,
    whatever the text holds (``safe_line``: line breaks show as ``⏎``, controls as pictures)."""
    now = now or datetime.now(timezone.utc)
    policy = state.policy  # the incident's own, never this machine's config: every reader agrees
    lines = [
        f"{state.id}  {state.title}  SEV{state.severity}  {'closed' if state.closed else state.status}"
        + ("  [drill]" if state.drill else "")
    ]
    if state.commander and state.commander_since:
        lines.append(f"commander: {state.commander} (for {coarse_duration(now - state.commander_since)})")
    else:
        lines.append("commander: nobody: take command with `warroom command <id> take`")
    if state.command_offer:
        lines.append(f"  command offered to {state.command_offer.to} (pending)")
    due, _overdue = update_due(state, now, policy)
    if due:
        lines.append(f"stakeholders: {due}")
    lines.append("")
    lines.append("workstreams:" if state.workstreams else "workstreams: none yet (warroom ws open <id> TITLE)")
    for ws in state.workstreams.values():
        owner = ws.owner or "(unowned)"
        if ws.pending:
            owner = f"{ws.owner or '-'} → {ws.pending.to} (pending)"
        stale = "  STALE" if ws.is_stale(now, policy) else ""
        lines.append(f"  {ws.id:<6} {ws.status:<8} {owner:<24} {ws.title}{stale}")
    lines.append("")
    lines.append("responders:")
    for r in state.responders.values():
        shift = r.shift if r.shift != "break" else f"break until {r.back_at:%H:%M}" if r.back_at else "break"
        roles = ",".join(state.roles_of(r.handle))
        on = coarse_duration(r.time_on_shift(now)) if r.shift != "off" else "-"
        tired = fatigue_word(r.fatigue(now, policy))
        lines.append(f"  {r.handle:<14} {shift:<18} {roles:<20} {on:>7} on shift{'  ' + tired if tired else ''}")
    entries = [e for e in state.timeline if not e.rejected]
    shown = entries if every else entries[-20:]
    lines.append("")
    heading = "timeline:" if len(shown) == len(entries) else f"timeline (last {len(shown)} of {len(entries)}; --all):"
    lines.append(heading)
    for e in shown:
        star = "*" if e.starred else " "
        lines.append(f" {star}{e.at:%H:%M} #{e.seq:<4} {e.actor:<12} {e.text}")
    return "\n".join(safe_line(line) for line in lines)


def cmd_locate(ctx: CliContext) -> int:
    what = ctx.args.what
    if what == "config":
        print(safe_line(str(config_path())))
    elif what == "store":
        print(safe_line(ctx.location.describe()))
    return EXIT_OK


def cmd_join(ctx: CliContext) -> int:
    from warroom.tui.app import run_board  # Textual is imported only here

    if not ctx.location.url:
        ctx.remember_handle()  # on a server the token names you; nothing to remember
    return run_board(ctx, ctx.args.incident)


# --- close, export, import ---------------------------------------------------------

EXPORT_CHOICES = ("md", "json", "csv", "all")
_SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".json": "json", ".csv": "csv"}


async def _export_from_store(
    ctx: CliContext, store: EventStore, incident_id: str, folder: Path, formats: tuple[str, ...]
) -> list[Path]:
    """Read the whole log, fold it, and write the chosen exports (file I/O off the event loop)."""
    from warroom.export import export_incident  # the renderers load only when exporting

    events = await store.read(incident_id)
    state = fold(events)
    return await asyncio.to_thread(export_incident, state, events, folder, formats)


async def _close(ctx: CliContext) -> int:
    args = ctx.args
    folder = resolve_export_folder(ctx.config, args.dir)
    async with ctx.open_store() as store:
        await _submit(ctx, store, args.incident, ev.IncidentClosed(summary=args.summary))
        if args.no_export:
            return EXIT_OK
        try:
            paths = await _export_from_store(ctx, store, args.incident, folder, ("md", "json", "csv"))
        except WarroomError as error:
            _stderr(
                f"warroom: {args.incident} is closed, but the export failed: {error} "
                f"(retry with `warroom export {args.incident}`)"
            )
            return EXIT_ERROR
    for path in paths:
        print(safe_line(f"exported {path}"))
    return EXIT_OK


def cmd_close(ctx: CliContext) -> int:
    return _run(_close(ctx))


def _export_formats(args: argparse.Namespace) -> tuple[str, ...]:
    fmt = args.format
    if args.output:
        if fmt is None:
            fmt = _SUFFIX_FORMATS.get(Path(args.output).suffix.lower())
            if fmt is None:
                raise UsageError("-o writes one file: choose it with --format md, json or csv")
        if fmt == "all":
            raise UsageError("-o writes one file: --format all needs --dir instead")
        if args.dir:
            raise UsageError("give either -o PATH (one file) or --dir DIR, not both")
    fmt = fmt or "all"
    return ("md", "json", "csv") if fmt == "all" else (fmt,)


def cmd_export(ctx: CliContext) -> int:
    args = ctx.args
    formats = _export_formats(args)

    async def run() -> int:
        async with ctx.open_store() as store:
            if not args.output:
                folder = resolve_export_folder(ctx.config, args.dir)
                for path in await _export_from_store(ctx, store, args.incident, folder, formats):
                    print(safe_line(str(path)))
                return EXIT_OK
            from warroom.export import render, write_atomic

            events = await store.read(args.incident)
            state = fold(events)
            if not state.declared:
                from warroom.export import ExportError

                raise ExportError(f"nothing to export: {args.incident} has not been declared")
            data = render(formats[0], state, events)
            if args.output == "-":
                sys.stdout.flush()
                sys.stdout.buffer.write(data.removeprefix(b"\xef\xbb\xbf"))  # UTF-8 whatever the locale; no BOM in a pipe
                sys.stdout.buffer.flush()
                return EXIT_OK
            path = Path(args.output).expanduser()
            await asyncio.to_thread(write_atomic, path, data)
            print(safe_line(str(path)))
            return EXIT_OK

    return _run(run())


def cmd_import(ctx: CliContext) -> int:
    from warroom.export import DocumentError, import_document, parse_document  # loaded on use

    args = ctx.args
    source = "stdin" if args.file == "-" else args.file
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).expanduser().read_bytes()
    except OSError as error:
        raise DocumentError(f"cannot read {source}: {error.strerror or error}") from None
    doc = parse_document(data, source)

    async def run() -> int:
        async with ctx.open_store() as store:
            result = await import_document(store, doc, replace=args.replace)
        for warning in result.warnings:
            _stderr(f"warroom: warning: {warning}")
        print(safe_line(f"imported {result.incident_id} ({result.events} events) into {result.location}"))
        return EXIT_OK

    return _run(run())
def cmd_demo(ctx: CliContext) -> int:
    from warroom.tui.demo import run_demo  # Textual is imported only here

    return run_demo(ctx, folder=ctx.args.folder, pace=ctx.args.pace, rng_seed=ctx.args.seed)


# --- the server ----------------------------------------------------------------


def _server_db(ctx: CliContext) -> Path | str:
    """``--db``, else ``WARROOM_DB``, else ``server.db`` in config, else ``warroom.db`` in the
    platformdirs data folder. A ``postgresql://`` URL stays a string (PostgreSQL backend)."""
    chosen = getattr(ctx.args, "db", None) or os.environ.get("WARROOM_DB") or ctx.config.server.db
    if chosen and chosen.startswith(("postgresql://", "postgres://")):
        return chosen
    return Path(chosen).expanduser() if chosen else data_dir() / "warroom.db"


def cmd_serve(ctx: CliContext) -> int:
    from warroom.server.run import ServerBusy, serve  # FastAPI and uvicorn are imported only here

    args = ctx.args
    rate = 200.0 if args.rate_limit is None else args.rate_limit
    try:
        return serve(
            _server_db(ctx),
            host=args.host or ctx.config.server.host,
            port=ctx.config.server.port if args.port is None else args.port,
            rate=rate,
            burst=args.burst if args.burst is not None else 2 * rate,
            keepalive=args.keepalive,
            access_log=args.access_log,
            streams_per_token=args.streams_per_token or ctx.config.server.streams_per_token,
            max_connections=args.max_connections or ctx.config.server.max_connections,
            header_timeout=args.header_timeout,
            write_timeout=args.write_timeout,
            alerts=ctx.config.alerts,
        )
    except ServerBusy as error:
        raise StoreError(str(error)) from None


def cmd_db(ctx: CliContext) -> int:
    from warroom.server.backend import upgrade

    print(upgrade(_server_db(ctx)))
    return EXIT_OK


def cmd_token(ctx: CliContext) -> int:
    from warroom.server.backend import open_tokens

    args = ctx.args
    book = open_tokens(_server_db(ctx))
    try:
        if args.token_command == "add":
            if not valid_handle(args.handle):
                raise UsageError(f"bad handle {args.handle!r}: use up to 40 letters, digits, '.', '_' or '-'")
            info, secret = book.add(args.handle)
            print(f"token {info.id} for {info.handle}, shown only now; give it to {info.handle} privately.")
            print("use it with WARROOM_TOKEN=<token> (or --token) and WARROOM_SERVER=<url> (or --server):")
            print(secret)
        elif args.token_command == "list":
            tokens = book.list()
            if args.json:
                print(json.dumps([t.as_dict() for t in tokens], indent=2))
            elif not tokens:
                print(safe_line(f"no tokens in {book.path} (make one: warroom token add HANDLE)"))
            else:
                for t in tokens:
                    state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
                    print(safe_line(f"{t.id:<13} {t.handle:<20} created {t.created_at}  {state}"))
        else:
            revoked = book.revoke(args.target)
            if not revoked:
                raise StoreError(f"no active token matches {args.target!r} (see `warroom token list`)")
            for t in revoked:
                print(safe_line(f"revoked {t.id} ({t.handle})"))
    finally:
        book.close()
    return EXIT_OK


# --- the parser ----------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("who and where")
    group.add_argument("--as", dest="actor", metavar="HANDLE", help="act as HANDLE (default: config, then login name)")
    group.add_argument("--store", metavar="DIR", help="shared folder of incident logs (file store)")
    group.add_argument("--server", metavar="URL", help="use a warroom server instead of a folder")
    group.add_argument("--token", metavar="TOKEN", help="bearer token for --server (or WARROOM_TOKEN)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="warroom",
        description="A terminal war room for live incidents.",
        epilog="Run `warroom COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, run: Callable[[CliContext], int], **kwargs: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common], **kwargs)
        p.set_defaults(run=run)
        return p

    def with_incident(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("incident", type=_incident_type, metavar="INC-ID")
        return p

    p = command("declare", "declare an incident (you become its commander); prints its id", lambda c: _run(_declare(c)))
    p.add_argument("incident", nargs="?", type=_incident_type, metavar="INC-ID", help="default: the next free INC-n")
    p.add_argument("--title", required=True, help="one line: what is broken, for whom")
    p.add_argument("--sev", type=int, choices=range(1, 5), default=3, help="severity 1 (worst) to 4 (default 3)")
    p.add_argument("--drill", action="store_true", help="mark this incident as a drill")

    p = command("list", "list incidents in the store", cmd_list)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = with_incident(command("show", "print the board of one incident", cmd_show))
    p.add_argument("--json", action="store_true", help="the state as JSON")
    p.add_argument("--all", action="store_true", help="the whole timeline, not the last 20 entries")

    with_incident(command("join", "open the live board for an incident", cmd_join))

    p = sub.add_parser(
        "demo",
        help="watch a simulated incident on the board and join in",
        description=(
            "Open the board on a simulated incident: an automation change is expiring customer data "
            "objects, and a few simulated responders claim, hand off, take breaks and post notes while "
            "you watch and join in as yourself. Uses a new temporary folder, never your real store."
        ),
    )
    p.add_argument("--as", dest="actor", metavar="HANDLE", help="join as HANDLE (default: config, then login name)")
    p.add_argument("--folder", metavar="DIR", help="keep the demo store in DIR (default: a new temporary folder)")
    p.add_argument("--pace", type=float, default=1.0, help="how many times faster the simulated responders act (default 1)")
    p.add_argument("--seed", type=int, help="random seed, for a repeatable demo")
    p.set_defaults(run=cmd_demo)

    p = with_incident(command("note", "add a note to the timeline", _acting(lambda a: ev.NoteAdded(text=a.text, star=a.star))))
    p.add_argument("text")
    p.add_argument("--star", action="store_true", help="star it for the post-mortem")

    p = with_incident(command("star", "star a timeline entry", _acting(lambda a: ev.EntryStarred(target=a.seq, starred=not a.off))))
    p.add_argument("seq", type=int, help="the entry's number (#N in `warroom show`)")
    p.add_argument("--off", action="store_true", help="unstar instead")

    ws = sub.add_parser("ws", help="workstreams: open, claim, release, hand off, status", description="Workstreams.")
    ws_sub = ws.add_subparsers(dest="ws_command", metavar="ACTION", required=True)

    def ws_command(name: str, help: str, make: Callable[[argparse.Namespace], ev.Body]) -> argparse.ArgumentParser:
        p = ws_sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(run=_acting(make))
        p.add_argument("incident", type=_incident_type, metavar="INC-ID")
        if name != "open":
            p.add_argument("workstream", type=workstream_id, metavar="WS-N")
        return p

    ws_command("open", "open a workstream", lambda a: ev.WorkstreamOpened(title=a.title)).add_argument("title")
    ws_command("claim", "claim a workstream (the commander may take an owned one)", lambda a: ev.WorkstreamClaimed(workstream=a.workstream))
    ws_command("release", "give up a workstream you own", lambda a: ev.WorkstreamReleased(workstream=a.workstream))
    p = ws_command("handoff", "offer your workstream to someone on shift", lambda a: ev.HandoffOffered(workstream=a.workstream, to=a.to, note=a.note, replace=a.replace))
    p.add_argument("--to", required=True, metavar="HANDLE")
    p.add_argument("--note", required=True, help="what was tried, what is next")
    p.add_argument("--replace", action="store_true", help="replace the offer still pending on this workstream")
    ws_command("accept", "accept a workstream handed to you", lambda a: ev.HandoffAccepted(workstream=a.workstream))
    ws_command("decline", "decline a workstream handed to you", lambda a: ev.HandoffDeclined(workstream=a.workstream))
    p = ws_command("status", "set a workstream's status", lambda a: ev.WorkstreamStatusSet(workstream=a.workstream, status=a.status, note=a.note))
    p.add_argument("status", choices=ev.WORKSTREAM_STATUSES)
    p.add_argument("--note", default="")

    p = with_incident(command("shift", "go on shift, on a break, or off shift", _acting(_shift_body)))
    p.add_argument("shift", choices=ev.SHIFTS)
    p.add_argument("--minutes", type=int, help="length of a break (default 15)")

    p = with_incident(command("command", "take, hand over or accept command", _acting(_command_body)))
    p.add_argument("action", choices=("take", "handoff", "accept", "decline"))
    p.add_argument("--to", metavar="HANDLE", help="with handoff: who takes command")
    p.add_argument("--note", default="", help="with handoff: the situation in a sentence or two")

    p = with_incident(command("role", "assign (or --clear) deputy, scribe or comms", _acting(_role_body)))
    p.add_argument("role", choices=ev.ROLES)
    p.add_argument("handle", nargs="?", metavar="HANDLE")
    p.add_argument("--clear", action="store_true", help="clear the role instead")

    p = with_incident(command("broadcast", "send a message to every board (commander)", _acting(lambda a: ev.BroadcastSent(text=a.text, audience="stakeholders" if a.stakeholders else "responders"))))
    p.add_argument("text")
    p.add_argument("--stakeholders", action="store_true", help="this is a stakeholder update (resets the update clock)")

    p = with_incident(command("snooze", "push the next stakeholder update back (commander)", _acting(lambda a: ev.UpdateSnoozed(minutes=a.minutes))))
    p.add_argument("minutes", type=int)

    p = with_incident(command(
        "policy",
        "show the incident's policy, or change it (commander): update cadence, fatigue, staleness",
        cmd_policy,
        epilog="Settings: " + ", ".join(Policy.model_fields) + ". 'none' clears a cadence. "
        "Every board computes from the incident's policy; [policy] in your config only seeds new incidents.",
    ))
    p.add_argument("settings", nargs="*", type=_policy_setting, metavar="NAME=VALUE")

    p = with_incident(command("sev", "change severity (commander)", _acting(lambda a: ev.SeverityChanged(severity=a.severity))))
    p.add_argument("severity", type=int, choices=range(1, 5))

    p = with_incident(command("status", "change the incident status (commander)", _acting(lambda a: ev.StatusChanged(status=a.status))))
    p.add_argument("status", choices=ev.INCIDENT_STATUSES)

    p = with_incident(command("keytime", "correct a key time (commander or scribe)", _acting(lambda a: ev.KeyTimeSet(which=a.which, time=a.time))))
    p.add_argument("which", choices=ev.KEY_TIMES)
    p.add_argument("time", type=_utc_time, help="ISO time, e.g. 2026-11-25T09:40Z (UTC if no zone)")

    _action_commands(command)

    p = with_incident(command("close", "close the incident (commander) and export its post-mortem draft, JSON and CSV", cmd_close))
    p.add_argument("--summary", default="", help="one paragraph for the post-mortem")
    p.add_argument("--dir", metavar="DIR", help="export folder (default: WARROOM_EXPORT_DIR, then config, then Documents/warroom)")
    p.add_argument("--no-export", action="store_true", help="close without exporting")

    p = with_incident(
        command(
            "export",
            "write an incident's post-mortem draft (Markdown), log (JSON) and timeline (CSV), open or closed",
            cmd_export,
            epilog="Files: INC-ID-postmortem.md, INC-ID.json, INC-ID-timeline.csv. Prints each path written.",
        )
    )
    p.add_argument("--format", choices=EXPORT_CHOICES, default=None, help="which export (default: all)")
    p.add_argument("-o", "--output", metavar="PATH", help="write one format to PATH instead ('-' for stdout)")
    p.add_argument("--dir", metavar="DIR", help="export folder (default: WARROOM_EXPORT_DIR, then config, then Documents/warroom)")

    p = command(
        "import",
        "restore an incident from a JSON export into the store",
        cmd_import,
        epilog="The restored incident shows exactly as the exported one (same events, same seq, same times).",
    )
    p.add_argument("file", metavar="FILE", help="a JSON export such as INC-42.json ('-' reads stdin)")
    p.add_argument("--replace", action="store_true", help="overwrite an incident with the same id in the store")

    p = command("locate", "print where the config or the store is", cmd_locate)
    p.add_argument("what", choices=("config", "store"))

    db_help = (
        "the server's SQLite file or a postgresql://user@host/db URL "
        "(default: WARROOM_DB, then server.db in config, else warroom.db in the data folder)"
    )
    p = sub.add_parser(
        "serve",
        help="run a warroom server for responders without a shared folder",
        description="Run the warroom HTTP server (FastAPI + uvicorn, SQLite log, bearer tokens, SSE). "
        "Make tokens with `warroom token add HANDLE`.",
    )
    p.set_defaults(run=cmd_serve)
    p.add_argument("--host", help="address to listen on (default: server.host in config, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: server.port in config, 8765; 0 picks a free one)")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.add_argument("--rate-limit", type=float, metavar="N", help="requests per second per token (default 200; 0 turns it off)")
    p.add_argument("--burst", type=float, metavar="N", help="burst allowance per token (default 2 x the rate)")
    p.add_argument("--keepalive", type=float, default=15.0, metavar="SECONDS", help="SSE keep-alive interval (default 15)")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument(
        "--streams-per-token", type=_positive_int, metavar="N", help="open SSE streams per token (default: config, 16)"
    )
    p.add_argument(
        "--max-connections", type=_positive_int, metavar="N",
        help="open connections; past it the longest-idle one is closed (default: config, 1024)",
    )
    p.add_argument(
        "--header-timeout", type=_positive_float, default=10.0, metavar="SECONDS",
        help="drop a connection whose request headers are not all in within this (default 10)",
    )
    p.add_argument(
        "--write-timeout", type=_positive_float, default=30.0, metavar="SECONDS",
        help="drop a connection that reads nothing of a response for this long (default 30)",
    )

    p = sub.add_parser(
        "db",
        help="create or migrate the server's database schema",
        description="`warroom db upgrade` applies pending schema migrations (safe while servers run: migrations are additive).",
    )
    db_sub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    p = db_sub.add_parser("upgrade", help="apply pending migrations", description="Create the schema or apply pending migrations; prints the version.")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.set_defaults(run=cmd_db)

    token = sub.add_parser(
        "token",
        help="make, list and revoke responders' server tokens",
        description="Per-responder bearer tokens for `warroom serve`. Only a hash is stored; a new token is shown once.",
    )
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    p = token_sub.add_parser("add", help="make a token for HANDLE (printed on the last line)", description="Make a new token for HANDLE; it is printed once, on the last line.")
    p.add_argument("handle", metavar="HANDLE")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.set_defaults(run=cmd_token)
    p = token_sub.add_parser("list", help="list tokens (ids and owners, never the secrets)", description="List tokens: id, owner, created, revoked.")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=cmd_token)
    p = token_sub.add_parser("revoke", help="revoke a token by id, or every token of a handle", description="Revoke one token (tok_...) or every active token of a HANDLE. Takes effect within a second.")
    p.add_argument("target", metavar="HANDLE-or-TOKEN-ID")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.set_defaults(run=cmd_token)
    _stakeholder_commands(command)
    _alert_commands(sub, db_help)
    return parser


def _stakeholder_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """``share``, ``status-page``, ``relay``, ``notify``: implemented in ``warroom.stakeholders``."""

    def later(name: str) -> Callable[[CliContext], int]:
        def run(ctx: CliContext) -> int:
            from warroom import stakeholders

            return getattr(stakeholders, name)(ctx)

        return run

    p = command(
        "share",
        "print a read-only status-page link for stakeholders (commander or comms); also: share list, share revoke KEY",
        later("cmd_share"),
        epilog="The link is alone on the last line. Keys expire (default 24h) and are revocable.",
    )
    p.add_argument("what", nargs="?", metavar="INC-ID|list|revoke", help="the incident to share, or list / revoke")
    p.add_argument("target", nargs="?", metavar="KEY", help="with revoke: the key's id (shr_...) or the key itself")
    p.add_argument("--all", action="store_true", help="a link to the list of every open incident")
    p.add_argument("--expires", default="24h", metavar="DURATION", help="e.g. 90m, 24h, 7d (default 24h, at most 30d)")
    p.add_argument("--json", action="store_true", help="with list: machine-readable output")

    p = command(
        "status-page",
        "serve the read-only status page from a shared folder (no keys; 127.0.0.1 unless --public)",
        later("cmd_status_page"),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8766, help="port (default 8766; 0 picks a free one)")
    p.add_argument("--public", action="store_true", help="allow a non-loopback --host: anyone reaching it can read it")
    p.add_argument("--keepalive", type=float, default=15.0, metavar="SECONDS", help="stream keep-alive interval")

    command("relay", "send a shared folder's [[notify]] notifications (one relay per folder)", later("cmd_relay"))
    p = command("notify", "notification delivery health per target (`notify status`)", later("cmd_notify_status"))
    p.add_argument("action", choices=("status",))
    p.add_argument("--db", metavar="PATH", help="a server's database (its records are beside it)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _followup(name: str) -> Callable[[CliContext], int]:
    """Action items, hooks and alerts: implemented in ``warroom.followup`` (loaded on use)."""

    def run(ctx: CliContext) -> int:
        from warroom import followup

        return getattr(followup, name)(ctx)

    return run


def _action_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(
        "action",
        "add an action item, or follow one through: start, done, wontdo --reason, reopen",
        _followup("cmd_action"),
        usage="warroom action INC-ID TEXT [--owner H] [--kind K] [--due DATE]\n"
        "       warroom action start|done|wontdo|reopen INC-ID A-N [--reason R]",
        epilog="Items are numbered A-1, A-2 ... per incident (`warroom show` and `warroom actions` list them). "
        "Their status can change after the incident is closed.",
    )
    p.add_argument("words", nargs="+", metavar="ARG", help="INC-ID TEXT, or a verb (start, done, wontdo, reopen), INC-ID and A-N")
    p.add_argument("--owner", metavar="HANDLE")
    p.add_argument("--kind", choices=ev.ACTION_KINDS, default=None, help="default corrective")
    p.add_argument("--due", type=_due_date, metavar="DATE", help="due date, YYYY-MM-DD")
    p.add_argument("--reason", help="with wontdo: why it will not be done")

    p = command("actions", "list action items across every incident", _followup("cmd_actions"))
    p.add_argument("--owner", metavar="HANDLE", help="only this owner's")
    p.add_argument("--open", action="store_true", help="only open or in progress")
    p.add_argument("--overdue", action="store_true", help="only open ones past their due date (UTC)")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="a list of {incident, id, text, owner, kind, status, due}")
    shape.add_argument("--csv", action="store_true", help="CSV for GitHub/GitLab/Jira importers (see README: Action items)")


def _alert_commands(sub: Any, db_help: str) -> None:
    hook = sub.add_parser(
        "hook",
        help="make, list and revoke alert webhooks (Alertmanager, Grafana, generic JSON)",
        description="Alert hooks for `warroom serve` and `warroom alerts`: one secret per alert source, stored hashed.",
    )
    hook_sub = hook.add_subparsers(dest="hook_command", metavar="ACTION", required=True)
    p = hook_sub.add_parser(
        "add",
        help="make a hook; its URL is printed on the last line",
        description="Make a hook NAME (the actor on the timeline). Its URL, holding the secret, is printed once, on the last line.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--kind", choices=("alertmanager", "grafana", "generic"), default="alertmanager", help="payload shape (default alertmanager)")
    p.add_argument("--url", metavar="BASE", help="where senders reach the receiver (default: server.url in config, else http://server.host:server.port)")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p = hook_sub.add_parser("list", help="list hooks (never the secrets)", description="List hooks: id, name, kind, created, revoked.")
    p.add_argument("--db", metavar="PATH", help=db_help)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = hook_sub.add_parser(
        "revoke",
        help="revoke a hook by id, or every hook of a name",
        description="Revoke one hook (hook_...) or every active hook called NAME; its URL stops working at once.",
    )
    p.add_argument("target", metavar="NAME-or-HOOK-ID")
    p.add_argument("--db", metavar="PATH", help=db_help)
    hook.set_defaults(run=_followup("cmd_hook"))

    p = sub.add_parser(
        "alerts",
        help="receive alert webhooks into a shared folder (what `serve` does for a server)",
        description="Run the alert webhook receiver (POST /hooks/<secret>) beside a folder of incident logs. "
        "Hooks come from --db (make them with `warroom hook add`).",
    )
    p.set_defaults(run=_followup("cmd_alerts"))
    p.add_argument("--store", metavar="DIR", help="the shared folder (default: WARROOM_STORE, config, data folder)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8767, help="port (default 8767; 0 picks a free one)")
    p.add_argument("--db", metavar="PATH", help="where the hooks are: " + db_help)


def _due_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad date {text!r}: use YYYY-MM-DD, e.g. 2026-12-09") from None


def _utc_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad time {text!r}: use ISO format, e.g. 2026-11-25T09:40Z") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _shift_body(args: argparse.Namespace) -> ev.ShiftChanged:
    if args.shift != "break" and args.minutes is not None:
        raise UsageError("--minutes goes with `break` only")
    minutes = (args.minutes or 15) if args.shift == "break" else None
    return ev.ShiftChanged(shift=args.shift, minutes=minutes)


def _command_body(args: argparse.Namespace) -> ev.Body:
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


def _role_body(args: argparse.Namespace) -> ev.Body:
    if args.clear:
        return ev.RoleCleared(role=args.role)
    if not args.handle:
        raise UsageError(f"who should be {args.role}? give a HANDLE (or --clear)")
    return ev.RoleAssigned(role=args.role, handle=args.handle)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(CliContext(args))
    except Rejected as error:
        _stderr(f"warroom: refused: {error.reason}")
    except WarroomError as error:
        _stderr(f"warroom: {error}")
    except UsageError as error:
        _stderr(f"warroom: {error}")
        return EXIT_USAGE
    except ValidationError as error:
        _stderr(f"warroom: invalid {validation_problem(error)}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
