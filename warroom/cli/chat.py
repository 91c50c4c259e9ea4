"""``warroom chat``: connect Slack or Mattermost to ``warroom serve`` and say who is who.

``chat add|list|revoke|link`` are the operator's, on the server's database (``--db``);
``chat code`` is a responder's, through the server with their own token: it prints a
one-time code to type as ``/warroom iam CODE`` in chat.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from warroom.cli.stakeholders import UsageProblem, call_server, server_client
from warroom.safetext import safe_line
from warroom.store.base import StoreError

if TYPE_CHECKING:
    from warroom.cli import CliContext
    from warroom.db.chats import ChatBook

_WHERE = {
    "slack": "paste it as the Request URL of the slash command /warroom and of Interactivity & Shortcuts (api.slack.com/apps):",
    "mattermost": "paste it as the Request URL (POST) of the slash command /warroom (Integrations > Slash Commands):",
}


def cmd_chat(ctx: CliContext) -> int:
    action = ctx.args.chat_command
    if action == "code":
        return _code(ctx)
    from warroom.cli import server_db
    from warroom.db.backend import open_chats

    book = open_chats(server_db(ctx))
    try:
        if action == "add":
            _add(ctx, book)
        elif action == "list":
            _list(ctx, book)
        elif action == "revoke":
            revoked = book.revoke(ctx.args.connection)
            if not revoked:
                raise StoreError(f"no active chat connection {ctx.args.connection!r} (see `warroom chat list`)")
            print(safe_line(f"revoked {revoked[0].id} ({revoked[0].platform}): its requests are refused from now on"))
        else:
            try:
                handle = book.link(ctx.args.platform, ctx.args.user_id, ctx.args.handle)
            except ValueError as error:
                raise UsageProblem(str(error)) from None
            print(safe_line(f"{ctx.args.platform} user {ctx.args.user_id} now acts as {handle}"))
    finally:
        book.close()
    return 0


def _add(ctx: CliContext, book: ChatBook) -> None:
    from warroom.cli.followup import server_base_url
    from warroom.db.chats import chat_path

    args = ctx.args
    if (args.platform == "slack" and args.token) or (args.platform == "mattermost" and args.signing_secret):
        raise UsageProblem("slack takes --signing-secret, mattermost takes --token")
    secret = args.signing_secret if args.platform == "slack" else args.token
    if not secret:
        flag = "--signing-secret (Basic Information > App Credentials)" if args.platform == "slack" else "--token (shown when the slash command is made)"
        raise UsageProblem(f"chat add {args.platform} needs {flag}")
    try:
        info = book.add(args.platform, secret)
    except ValueError as error:
        raise UsageProblem(str(error)) from None
    base = (ctx.config.server.public_url or "").rstrip("/") if not args.url else ""
    print(safe_line(f"chat connection {info.id} ({info.platform}); the secret is stored for the server only and not shown again."))
    print(_WHERE[info.platform])
    print((base or server_base_url(ctx)) + chat_path(info.id))


def _list(ctx: CliContext, book: ChatBook) -> None:
    connections = book.connections()
    if ctx.args.json:
        print(json.dumps([c.as_dict() for c in connections], indent=2))
        return
    if not connections:
        print("no chat connections (make one: warroom chat add slack --signing-secret ...)")
    for c in connections:
        state = f"revoked {c.revoked_at}" if c.revoked_at else "active"
        print(safe_line(f"{c.id:<18} {c.platform:<11} created {c.created_at}  {state}"))


def _code(ctx: CliContext) -> int:
    if not ctx.location.url:
        raise UsageProblem("chat code asks the server: give --server URL and your token (or log in with `warroom login`)")
    with server_client(ctx) as client:
        made = call_server(client, "POST", "/api/chat/codes")
    assert isinstance(made, dict)
    print(safe_line(f"type this in Slack or Mattermost within 15 minutes to act there as {made['handle']} (it works once):"))
    print(f"/warroom iam {made['code']}")
    return 0
