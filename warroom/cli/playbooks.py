"""The playbook commands: list and show playbooks, and work an incident's checklist and fields.

``warroom playbooks [show NAME]`` reads the playbook files (no store needed); ``checklist``,
``check`` and ``field`` act on one incident through its room, so the same rules refuse them
as on the board. Every piece of playbook or incident text is printed through the sanitiser.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warroom.incident.alert_severity import AlertsConfig
from warroom.cli.context import EXIT_ERROR, EXIT_OK, CliContext, act_on_incident, run_command
from warroom.config import save_config
from warroom.incident import events as ev
from warroom.incident.playbook import CHECKLIST_ROLES, STAGES, ChecklistItem, Playbook, checklist_json, for_role, parse_value
from warroom.safetext import json_safe, safe_block, safe_line
from warroom.session import UsageError


def add_playbook_commands(
    sub: Any,
    command: Callable[..., argparse.ArgumentParser],
    with_incident: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Add ``playbooks``, ``checklist``, ``check`` and ``field`` to ``sub``."""
    p = sub.add_parser(
        "playbooks",
        help="list the playbooks (incident types), or show one",
        description="List the playbooks `warroom declare --playbook NAME` takes, or print one. "
        "Built-in ones ship with warroom; a NAME.toml in the playbooks folder beside the config adds or replaces one.",
    )
    show = p.add_argument("action", nargs="?", metavar="show", help="show one playbook")  # no choices: `playbooks NAME` gets a hint
    setattr(show, "completer", lambda **_: ["show"])  # argcomplete reads it, as it read the choices
    p.add_argument("name", nargs="?", metavar="NAME")
    p.set_defaults(run=cmd_playbooks)

    p = with_incident(command(
        "checklist", "list the incident's checklist (your role's items first), or --add an item (commander)", cmd_checklist,
        epilog="Items are numbered C-1, C-2 ...; tick one with `warroom check INC-ID C-N`.",
    ))
    p.add_argument("--role", choices=CHECKLIST_ROLES, help="this role's items first (default: your roles on the incident)")
    p.add_argument("--json", action="store_true", help="a list of {id, role, stage, text, required, done, by, at}")
    p.add_argument("--add", metavar="TEXT", help="add an item to the checklist (commander)")
    p.add_argument("--stage", choices=STAGES, default="mitigate", help="with --add (default mitigate)")
    p.add_argument("--for", dest="for_role", choices=CHECKLIST_ROLES, default="everyone", help="with --add: whose item it is (default everyone)")
    p.add_argument("--required", action="store_true", help="with --add: required before close")

    p = with_incident(command("check", "tick a checklist item (or --undo to untick it)", cmd_check))
    p.add_argument("item", type=_checklist_id, metavar="C-N")
    p.add_argument("--undo", action="store_true", help="untick it")

    p = with_incident(command(
        "field", "set one of the incident's fields (customers affected, data lost ...)", cmd_field,
        epilog="VALUE by kind: a whole number (1200 or 1,200), yes/no, a duration (90m, 2h30m), "
        "one of a choice's words, or text. --clear unsets it. `warroom show INC-ID` lists the fields.",
    ))
    p.add_argument("name", metavar="NAME")
    p.add_argument("value", nargs="*", metavar="VALUE")  # words, so `field INC-1 data_window 2 hours` is one value
    p.add_argument("--clear", action="store_true", help="unset the field")


def _checklist_id(text: str) -> str:
    number = text.strip().upper().removeprefix("C-").removeprefix("C")
    if not number.isdigit() or not 0 < int(number) < 10000:
        raise argparse.ArgumentTypeError(f"bad checklist item {text!r}: use C-N, e.g. C-3")
    return f"C-{int(number)}"


# --- playbooks -------------------------------------------------------------------------


def cmd_playbooks(ctx: CliContext) -> int:
    from warroom.playbooks import PlaybookError, load_playbooks

    if ctx.args.action not in (None, "show"):
        if ctx.args.name is None:
            raise UsageError(f"to print a playbook: `warroom playbooks show {ctx.args.action}`")
        raise UsageError(f"`warroom playbooks` lists them, `warroom playbooks show NAME` prints one (not {ctx.args.action!r})")
    loaded = load_playbooks()
    if ctx.args.action is None:
        for problem in loaded.problems:  # the list names every bad file; show NAME only its own (below)
            print(safe_line(f"warroom: warning: playbook left out: {problem}"), file=sys.stderr)
        for name, playbook in sorted(loaded.playbooks.items()):
            source = loaded.sources[name]
            print(safe_line(f"{name:<12} SEV{playbook.severity}  {playbook.description}  ({source})"))
        return EXIT_OK
    if ctx.args.name is None:
        raise UsageError("which playbook? `warroom playbooks show NAME`")
    try:
        playbook = loaded.get(ctx.args.name)
    except PlaybookError as error:
        print(safe_line(f"warroom: {error}"), file=sys.stderr)
        return EXIT_ERROR
    print(render_playbook(playbook, loaded.sources[playbook.name]))
    return EXIT_OK


def render_playbook(playbook: Playbook, source: str) -> str:
    lines = [f"{playbook.name}  SEV{playbook.severity}  ({source})", *safe_block(playbook.description).splitlines()]
    if playbook.workstreams:
        lines += ["", "Workstreams opened at declare:", *(f"  {title}" for title in playbook.workstreams)]
    if playbook.checklist:
        lines += ["", "Checklist (* required before close):"]
        for stage in STAGES:
            items = [item for item in playbook.checklist if item.stage == stage]
            lines += [f"  {stage}:"] if items else []
            lines += [f"    {'*' if item.required else ' '} {item.role:<9} {item.text}" for item in items]
    if playbook.fields:
        lines += ["", "Fields:"]
        for spec in playbook.fields:
            kind = f"choice of {', '.join(spec.choices)}" if spec.kind == "choice" else spec.kind
            flags = ", ".join(flag for flag, on in (("required", spec.required), ("public", spec.public)) if on)
            lines.append(f"  {spec.name:<20} {spec.label} ({kind}{'; ' + flags if flags else ''})")
    if given := playbook.policy.given():
        lines += ["", "Policy: " + ", ".join(f"{name} = {value}" for name, value in given.items())]
    if playbook.first_update:
        lines += ["", "First stakeholder update:", *(f"  {line}" for line in safe_block(playbook.first_update).splitlines())]
    return "\n".join(safe_line(line) for line in lines)


# --- alert hooks ----------------------------------------------------------------------


def alerts_with_playbooks(ctx: CliContext) -> AlertsConfig:
    """The config's ``[alerts]``, able to declare with the playbooks it names (read here, once, at
    the receiver's start); a playbook it names that cannot be used is a warning, not a stop."""
    alerts = ctx.config.alerts
    if not alerts.playbooks and not alerts.playbook_rules:
        return alerts
    from warroom.playbooks import load_playbooks

    loaded = load_playbooks()
    ready = alerts.with_playbooks(loaded.playbooks)
    for name in ready.missing_playbooks():
        print(safe_line(f"warroom: warning: [alerts] names playbook {name!r}, which cannot be used: "
                        "its incidents are declared without one"), file=sys.stderr)
    return ready


def bind_playbook(ctx: CliContext, hook: str, name: str) -> Path:
    """Save ``[alerts.playbooks] hook = name`` in the config (the playbook must exist); returns the file."""
    from warroom.playbooks import PlaybookError, load_playbooks

    try:
        playbook = load_playbooks().get(name)
    except PlaybookError as error:
        raise UsageError(str(error)) from None
    alerts = ctx.config.alerts.model_copy(update={"playbooks": {**ctx.config.alerts.playbooks, hook: playbook.name}})
    return save_config(ctx.config.model_copy(update={"alerts": alerts}))


# --- an incident's checklist and fields --------------------------------------------------


def cmd_checklist(ctx: CliContext) -> int:
    args = ctx.args
    if args.add is not None:
        body = ev.ChecklistItemAdded(text=args.add, role=args.for_role, stage=args.stage, required=args.required)
        return run_command(act_on_incident(ctx, args.incident, body))

    async def run() -> int:
        async with ctx.open_store() as store:
            handle = await ctx.acting_handle(store)
            room = ctx.room(store, args.incident, handle)
            state = await room.load()
        roles = [args.role] if args.role else state.roles_of(handle)
        items = for_role(state.checklist, roles)
        if args.json:
            by_id = {entry["id"]: entry for entry in checklist_json(state.checklist)}
            print(json_safe(json.dumps([by_id[item.id] for item in items], indent=2, ensure_ascii=False)))
        elif not items:
            print(f"{state.id} has no checklist (declare with --playbook to start one)")
        else:
            print(safe_line(f"{state.id} checklist ({state.playbook or 'added by hand'}): "
                            f"{sum(i.done for i in items)}/{len(items)} done"))
            print("\n".join(safe_line(checklist_line(item)) for item in items))
        return EXIT_OK

    return run_command(run())


def checklist_line(item: ChecklistItem) -> str:
    """``[x] C-3  everyone  mitigate  Count the customers  (required; bob 10:42 UTC)``."""
    mark = "[x]" if item.done else "[ ]"
    notes = ["required"] if item.required else []
    if item.by and item.at:
        notes.append(f"{'ticked' if item.done else 'unticked'} by {item.by} {item.at:%H:%M} UTC")
    tail = f"  ({'; '.join(notes)})" if notes else ""
    return f"{mark} {item.id:<5} {item.role:<9} {item.stage:<8} {item.text}{tail}"


def cmd_check(ctx: CliContext) -> int:
    return run_command(act_on_incident(ctx, ctx.args.incident, ev.ChecklistTicked(item=ctx.args.item, done=not ctx.args.undo)))


def cmd_field(ctx: CliContext) -> int:
    args = ctx.args
    value_given = " ".join(args.value)
    if args.clear == bool(args.value):
        raise UsageError("give a VALUE, or --clear to unset the field")

    async def run() -> int:
        async with ctx.open_store() as store:
            room = ctx.room(store, args.incident, await ctx.acting_handle(store))
            state = await room.load()
        found = state.fields.get(args.name.lower())
        if found is None:
            known = ", ".join(state.fields) or "none: declare with --playbook to have fields"
            raise UsageError(f"{state.id} has no field {args.name!r} (fields: {known})")
        try:
            value = None if args.clear else parse_value(found.kind, value_given, found.choices)
        except ValueError as error:
            raise UsageError(f"{found.name}: {error}") from None
        return await act_on_incident(ctx, args.incident, ev.FieldSet(name=found.name, value=value))

    return run_command(run())
