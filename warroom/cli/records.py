"""Close, export and import: the commands that turn an incident into files and files back into an incident."""


from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from warroom.cli.context import EXIT_ERROR, EXIT_OK, CliContext, run_command, say_error, submit_and_say
from warroom.config import (
    resolve_export_folder,
)
from warroom.errors import WarroomError
from warroom.incident import events as ev
from warroom.incident import IncidentState, fold
from warroom.incident.lifecycle import still_open
from warroom.safetext import safe_line
from warroom.session import UsageError
from warroom.store import EventStore, Rejected, StoreError

EXPORT_CHOICES = ("md", "json", "csv", "html", "all")
ALL_FORMATS = ("md", "json", "csv", "html")
_SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".json": "json", ".csv": "csv", ".html": "html", ".htm": "html"}


async def linked_states(store: EventStore, state: IncidentState) -> dict[str, IncidentState]:
    """The incidents ``state`` is linked to that this store holds (the draft tells their story);
    one that is missing or unreadable is left out: the draft then lists only its link."""
    found = {}
    for link in state.links:
        try:
            found[link.incident] = await store.load_state(link.incident)
        except StoreError:
            continue
    return found


async def _export_from_store(
    ctx: CliContext, store: EventStore, incident_id: str, folder: Path, formats: tuple[str, ...]
) -> list[Path]:
    """Read the whole log, fold it, and write the chosen exports (file I/O off the event loop)."""
    from warroom.export import export_incident  # the renderers load only when exporting

    events = await store.read(incident_id)
    state = fold(events)
    linked = await linked_states(store, state)
    return await asyncio.to_thread(export_incident, state, events, folder, formats, linked)


async def _close(ctx: CliContext) -> int:
    args = ctx.args
    folder = resolve_export_folder(ctx.config, args.dir)
    async with ctx.open_store() as store:
        body = ev.IncidentClosed(summary=args.summary)
        room = ctx.room(store, args.incident, await ctx.acting_handle(store))
        state = await room.load()
        if (refusal := room.refusal(body)) is not None:
            raise Rejected(refusal)
        if (still := still_open(state)) and not args.force:
            raise Rejected(f"{args.incident} still has open work: {'; '.join(still)} (finish it, or close anyway with --force)")
        await submit_and_say(ctx, store, args.incident, body)
        if args.no_export:
            return EXIT_OK
        try:
            paths = await _export_from_store(ctx, store, args.incident, folder, ALL_FORMATS)
        except WarroomError as error:
            say_error(
                f"warroom: {args.incident} is closed, but the export failed: {error} "
                f"(retry with `warroom export {args.incident}`)"
            )
            return EXIT_ERROR
    for path in paths:
        print(safe_line(f"exported {path}"))
    return EXIT_OK


def cmd_close(ctx: CliContext) -> int:
    return run_command(_close(ctx))


async def export_closed(ctx: CliContext, store: EventStore, incident_id: str) -> None:
    """Re-write a closed incident's exports, so what is added after close (action items, a merge)
    is in them too. An export that fails is said, never fatal: the action itself is stored."""
    folder = resolve_export_folder(ctx.config, getattr(ctx.args, "dir", None))
    try:
        if not (await store.load_state(incident_id)).closed:
            return
        paths = await _export_from_store(ctx, store, incident_id, folder, ALL_FORMATS)
    except WarroomError as error:
        say_error(f"warroom: warning: {incident_id} is closed and its export is out of date: {error} (retry with `warroom export {incident_id}`)")
        return
    for path in paths:
        print(safe_line(f"exported {path}"))


def cmd_reopen(ctx: CliContext) -> int:
    """Reopen a closed incident (its commander), saying why; recorded on the timeline."""

    async def run() -> int:
        async with ctx.open_store() as store:
            await submit_and_say(ctx, store, ctx.args.incident, ev.IncidentReopened(reason=ctx.args.reason))
        return EXIT_OK

    return run_command(run())


def _export_formats(args: argparse.Namespace) -> tuple[str, ...]:
    fmt = args.format
    if args.output:
        if fmt is None:
            fmt = _SUFFIX_FORMATS.get(Path(args.output).suffix.lower())
            if fmt is None:
                raise UsageError("-o writes one file: choose it with --format md, json, csv or html")
        if fmt == "all":
            raise UsageError("-o writes one file: --format all needs --dir instead")
        if args.dir:
            raise UsageError("give either -o PATH (one file) or --dir DIR, not both")
    fmt = fmt or "all"
    return ALL_FORMATS if fmt == "all" else (fmt,)


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
            data = render(formats[0], state, events, await linked_states(store, state))
            if args.output == "-":
                sys.stdout.flush()
                sys.stdout.buffer.write(data.removeprefix(b"\xef\xbb\xbf"))  # UTF-8 whatever the locale; no BOM in a pipe
                sys.stdout.buffer.flush()
                return EXIT_OK
            path = Path(args.output).expanduser()
            await asyncio.to_thread(write_atomic, path, data)
            print(safe_line(str(path)))
            return EXIT_OK

    return run_command(run())


def cmd_import(ctx: CliContext) -> int:
    from warroom.export import (  # loaded on use
        DocumentError,
        import_document,
        parse_document,
    )

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
            say_error(f"warroom: warning: {warning}")
        print(safe_line(f"imported {result.incident_id} ({result.events} events) into {result.location}"))
        return EXIT_OK

    return run_command(run())
