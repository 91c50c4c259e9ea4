"""``warroom action`` / ``actions`` (action items followed through) and ``hook`` / ``alerts`` (alert intake).

Kept apart from the other commands so the parser stays one page per area; ``cli`` loads this
module only when one of these commands runs.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import sys
from collections.abc import Callable
from datetime import datetime, timezone

from warroom.cli import EXIT_OK, CliContext, UsageError, run_command, server_db, incident_arg
from warroom.incident import IncidentState
from warroom.incident import events as ev
from warroom.cli.playbooks import alerts_with_playbooks, bind_playbook
from warroom.incident.events import canonical_handle, valid_handle
from warroom.safetext import json_safe, safe_line
from warroom.store import StoreError
from warroom.words import owner_outside

ACTION_VERBS = {"start": "in_progress", "done": "done", "wontdo": "wont_do", "reopen": "open"}
_ITEM_RE = re.compile(r"^(?:a-?)?([1-9][0-9]{0,5})$", re.IGNORECASE)


def _incident(text: str) -> str:
    try:
        return incident_arg(text)
    except StoreError as error:
        raise UsageError(str(error)) from None


def _item_id(text: str) -> str:
    match = _ITEM_RE.match(text.strip())
    if not match:
        raise UsageError(f"bad action item {text!r}: expected A-<number>, e.g. A-3")
    return f"A-{match.group(1)}"


def _edit(ctx: CliContext) -> int:
    """``warroom action edit INC-ID A-N [--text T] [--owner H | --no-owner] [--due D | --no-due]``:
    what is not given stays as it reads."""
    args = ctx.args
    if len(args.words) != 3:
        raise UsageError("usage: warroom action edit INC-ID A-N [--text T] [--owner H | --no-owner] [--due DATE | --no-due]")
    _, incident, item_id = args.words
    item_id = _item_id(item_id)
    if args.kind or args.reason:
        raise UsageError("an edit changes text, owner and due date; --kind and --reason do not go with it")
    if (args.owner and args.no_owner) or (args.due and args.no_due):
        raise UsageError("--owner with --no-owner, or --due with --no-due: say one")
    if args.text is None and not (args.owner or args.no_owner or args.due or args.no_due):
        raise UsageError("say what to change: --text, --owner / --no-owner, --due / --no-due")

    def edited(state: IncidentState) -> ev.ActionItemEdited:
        item = state.action_item(item_id)
        if item is None:  # the rules say which items there are
            return ev.ActionItemEdited(item=item_id, text=args.text or "-")
        owner = None if args.no_owner else (args.owner or item.owner)
        due = None if args.no_due else (args.due or item.due)
        return ev.ActionItemEdited(item=item_id, text=item.text if args.text is None else args.text, owner=owner, due=due)

    def warn(state: IncidentState) -> str | None:
        return owner_outside(state, edited(state).owner) if args.owner else None  # a new owner nobody here answers to

    return run_command(_act_and_reexport(ctx, _incident(incident), edited, warn=warn))


def cmd_action(ctx: CliContext) -> int:
    args = ctx.args
    words = args.words
    if words[0] == "edit":
        return _edit(ctx)
    if args.text is not None or args.no_owner or args.no_due:
        raise UsageError("--text, --no-owner and --no-due go with `warroom action edit`")
    if words[0] in ACTION_VERBS:
        if len(words) != 3:
            raise UsageError(f"usage: warroom action {words[0]} INC-ID A-N")
        verb, incident, item = words
        match = _ITEM_RE.match(item.strip())
        if not match:
            raise UsageError(f"bad action item {item!r}: expected A-<number>, e.g. A-3")
        if args.owner or args.kind or args.due:
            raise UsageError("--owner, --kind and --due go with adding an item, not with changing its status")
        if args.reason and verb != "wontdo":
            raise UsageError("--reason goes with `wontdo`")
        if verb == "wontdo" and not (args.reason or "").strip():
            raise UsageError("wontdo needs --reason: say why it will not be done")
        body: ev.Body = ev.ActionItemStatusSet(item=f"A-{match.group(1)}", status=ACTION_VERBS[verb], reason=args.reason or "")
    else:
        if words[0] == "add":
            words = words[1:]
        if len(words) != 2:
            raise UsageError(_shape_hint(words))
        incident, text = words
        if args.reason:
            raise UsageError("--reason goes with `wontdo`")
        body = ev.ActionItemAdded(text=text, owner=args.owner, kind=args.kind or "corrective", due=args.due)
        owner = body.owner
        return run_command(_act_and_reexport(ctx, _incident(incident), body, warn=lambda state: owner_outside(state, owner)))
    return run_command(_act_and_reexport(ctx, _incident(incident), body))


def _shape_hint(words: list[str]) -> str:
    """What to type instead of ``warroom action`` + ``words`` (not INC-ID TEXT, nor a verb's three words)."""
    verbs = (*ACTION_VERBS, "edit")
    if len(words) == 3 and _ITEM_RE.match(words[1].strip()) and words[2] in verbs:
        return f"the verb goes first: warroom action {words[2]} {words[0]} {words[1]}"
    if len(words) == 3 and _ITEM_RE.match(words[2].strip()):
        return f"no verb {words[0]!r}: {', '.join(verbs[:-1])} or {verbs[-1]}"
    if len(words) > 2:
        return f"the item's text is one argument: warroom action {words[0]} {shlex.quote(' '.join(words[1:]))}"
    return f"usage: warroom action INC-ID TEXT (or: warroom action {'|'.join(verbs)} INC-ID A-N)"


async def _act_and_reexport(
    ctx: CliContext,
    incident_id: str,
    body: ev.Body | Callable[[IncidentState], ev.Body],
    warn: Callable[[IncidentState], str | None] | None = None,
) -> int:
    """An action item changed on a closed incident re-writes its exports: the post-mortem stays current."""
    from warroom.cli.context import submit_and_say
    from warroom.cli.records import export_closed

    async with ctx.open_store() as store:
        await submit_and_say(ctx, store, incident_id, body, warn)
        await export_closed(ctx, store, incident_id)
    return EXIT_OK


def cmd_actions(ctx: CliContext) -> int:
    from warroom.export.actions import collect, render_text, render_tracker_csv, select

    args = ctx.args

    async def rows() -> list:
        async with ctx.open_store() as store:
            return await collect(store)

    today = datetime.now(timezone.utc).date()
    chosen = select(asyncio.run(rows()), owner=args.owner, only_open=args.open, overdue_on=today if args.overdue else None)
    if args.json:
        print(json_safe(json.dumps([row.as_dict() for row in chosen], indent=2, ensure_ascii=False)))
    elif args.csv:
        sys.stdout.flush()
        sys.stdout.buffer.write(render_tracker_csv(chosen).encode("utf-8"))
        sys.stdout.buffer.flush()
    elif chosen:
        print("\n".join(safe_line(line) for line in render_text(chosen, today).splitlines()))
    elif args.owner or args.open or args.overdue:
        print("no action items match")
    else:
        print("no action items yet (add one: warroom action INC-ID TEXT)")
    return EXIT_OK


def server_base_url(ctx: CliContext) -> str:
    """Where others reach the server: ``--url`` (where the command has it), else config, else host and port."""
    base = getattr(ctx.args, "url", None) or ctx.config.server.url
    if not base:
        host = ctx.config.server.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        base = f"http://{shown}:{ctx.config.server.port}"
    return base.rstrip("/")


def cmd_hook(ctx: CliContext) -> int:
    from warroom.server.logs import open_hooks
    from warroom.server.hooks import hook_path

    args = ctx.args
    if args.hook_command == "add" and not valid_handle(args.name):
        raise UsageError(f"bad hook name {args.name!r}: use up to 40 letters, digits, '.', '_' or '-' (it is the actor on the timeline)")
    book = open_hooks(server_db(ctx))
    try:
        if args.hook_command == "add":
            if args.playbook is not None:
                where = bind_playbook(ctx, canonical_handle(args.name), args.playbook)
            info, secret = book.add(args.name, args.kind)
            print(f"hook {info.id} ({info.kind}) records alerts as {info.name}; its URL holds the secret and is shown only now.")
            if args.playbook is not None:
                print(f"its incidents are declared with the {args.playbook.lower()} playbook ([alerts.playbooks] in {where}; "
                      "a running receiver takes it at its next start)")
            print("give the sender this URL (Alertmanager: webhook_configs url; Grafana: a webhook contact point):")
            print(server_base_url(ctx) + hook_path(secret))
        elif args.hook_command == "list":
            hooks = book.list()
            if args.json:
                print(json.dumps([h.as_dict() for h in hooks], indent=2))
            elif not hooks:
                print(f"no hooks in {book.path} (make one: warroom hook add alertmanager)")
            else:
                for h in hooks:
                    state = f"revoked {h.revoked_at}" if h.revoked_at else "active"
                    print(f"{h.id:<14} {h.name:<20} {h.kind:<13} created {h.created_at}  {state}")
        else:
            revoked = book.revoke(args.target)
            if not revoked:
                raise StoreError(f"no active hook matches {args.target!r} (see `warroom hook list`)")
            for h in revoked:
                print(f"revoked {h.id} ({h.name})")
    finally:
        book.close()
    return EXIT_OK


def cmd_alerts(ctx: CliContext) -> int:
    from warroom.server.receiver import run_alerts  # FastAPI and uvicorn are imported only here

    if ctx.location.url:
        raise UsageError("`warroom alerts` writes to a folder; a server receives alerts itself (POST /hooks/... on `warroom serve`)")
    assert ctx.location.folder is not None
    args = ctx.args
    return run_alerts(ctx.location.folder, server_db(ctx), host=args.host, port=args.port, alerts=alerts_with_playbooks(ctx))
