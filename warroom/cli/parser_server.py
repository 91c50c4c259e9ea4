"""The parser's commands for running and administering servers and reaching outside the room:
``serve``, ``db``, ``token``, the stakeholder commands (``share``, ``status-page``, ``relay``,
``notify``) and alert hooks (``hook``, ``alerts``). Apart from ``parser.py``, which keeps the
commands responders type during an incident."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from warroom.cli.context import positive_float, positive_int, command_group, loaded_on_use
from warroom.cli.serving import cmd_db, cmd_serve, cmd_token

DB_HELP = (
    "the server's SQLite file or a postgresql://user@host/db URL "
    "(default: WARROOM_DB, then server.db in config, else warroom.db in the data folder)"
)


def _share(text: str) -> float:
    """A fraction above 0 and at most 1."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction above 0 and at most 1 (0.5 is half), got {text!r}")
    return value


def add_server_commands(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """Add every command of this module to ``sub``; ``command`` makes one with the common options."""
    p = sub.add_parser(
        "serve",
        help="run a warroom server for responders without a shared folder",
        description="Run the warroom HTTP server (FastAPI + uvicorn, SQLite log, bearer tokens, SSE). "
        "Make tokens with `warroom token add HANDLE`.",
    )
    p.set_defaults(run=cmd_serve)
    p.add_argument("--host", help="address to listen on (default: server.host in config, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: server.port in config, 8765; 0 picks a free one)")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p.add_argument(
        "--status-port", type=int, metavar="PORT",
        help="serve the status page on this port too, in a process of its own at a lower CPU priority, "
        "so a crowd of stakeholders never slows the responders (default: server.status_port in config; SQLite only)",
    )
    p.add_argument("--rate-limit", type=float, metavar="N", help="requests per second per token (default 200; 0 turns it off)")
    p.add_argument("--burst", type=float, metavar="N", help="burst allowance per token (default 2 x the rate)")
    p.add_argument("--keepalive", type=float, default=15.0, metavar="SECONDS", help="SSE keep-alive interval (default 15)")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument(
        "--log-format", choices=("text", "json"),
        help="json: one JSON object per request and per event on stderr, never a secret (default: config, text)",
    )
    p.add_argument(
        "--streams-per-token", type=positive_int, metavar="N", help="open SSE streams per token (default: config, 16)"
    )
    p.add_argument(
        "--status-streams-per-key", type=positive_int, metavar="N",
        help="open status-page streams per share key (default: config, 64)",
    )
    p.add_argument(
        "--status-streams", type=positive_int, metavar="N",
        help="open status-page streams in all, at most half of --max-connections (default: config, 256)",
    )
    p.add_argument(
        "--max-connections", type=positive_int, metavar="N",
        help="open connections; past it the longest-idle one is closed (default: config, 1024)",
    )
    p.add_argument(
        "--unauthenticated-share", type=_share, metavar="FRACTION",
        help="the part of --max-connections that connections without a valid token or key may hold (default: config, 0.5)",
    )
    p.add_argument(
        "--header-timeout", type=positive_float, default=10.0, metavar="SECONDS",
        help="drop a connection whose request headers are not all in within this (default 10)",
    )
    p.add_argument(
        "--body-timeout", type=positive_float, metavar="SECONDS",
        help="answer 408 and close when a request body is not all in within this after its headers (default: config, 10)",
    )
    p.add_argument(
        "--write-timeout", type=positive_float, default=30.0, metavar="SECONDS",
        help="drop a connection that reads nothing of a response for this long (default 30)",
    )

    db_sub = command_group(
        sub, "db", "create or migrate the server's database schema",
        "`warroom db upgrade` applies pending schema migrations (safe while servers run: migrations are additive).",
    )
    p = db_sub.add_parser("upgrade", help="apply pending migrations", description="Create the schema or apply pending migrations; prints the version.")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p.set_defaults(run=cmd_db)

    token_sub = command_group(
        sub, "token", "make, list and revoke responders' server tokens",
        "Per-responder bearer tokens for `warroom serve`. Only a hash is stored; a new token is shown once.",
    )
    p = token_sub.add_parser("add", help="make a token for HANDLE (printed on the last line)", description="Make a new token for HANDLE; it is printed once, on the last line.")
    p.add_argument("handle", metavar="HANDLE")
    p.add_argument("--admin", action="store_true", help="it may also make and revoke /status index share keys (every open incident)")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p.set_defaults(run=cmd_token)
    p = token_sub.add_parser("list", help="list tokens (ids and owners, never the secrets)", description="List tokens: id, owner, admin, created, revoked.")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=cmd_token)
    p = token_sub.add_parser("revoke", help="revoke a token by id, or every token of a handle", description="Revoke one token (tok_...) or every active token of a HANDLE. Takes effect within a second.")
    p.add_argument("target", metavar="HANDLE-or-TOKEN-ID")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p.set_defaults(run=cmd_token)
    _stakeholder_commands(command)
    _alert_commands(sub)
    _invite_commands(command)
    _chat_commands(sub, command)


def _stakeholder_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """``share``, ``status-page``, ``relay``, ``notify``: implemented in ``warroom.cli.stakeholders``."""


    p = command(
        "share",
        "print a read-only status-page link for stakeholders (commander or comms); also: share list, share revoke KEY",
        loaded_on_use("warroom.cli.stakeholders", "cmd_share"),
        epilog="The link is alone on the last line. Keys expire (default 24h) and are revocable. "
        "With --db the operator acts on the server's database itself: makes any key (--all included), "
        "lists and revokes every key, no token needed.",
    )
    p.add_argument("what", nargs="?", metavar="INC-ID|list|revoke", help="the incident to share, or list / revoke")
    p.add_argument("target", nargs="?", metavar="KEY", help="with revoke: the key's id (shr_...) or the key itself")
    p.add_argument("--all", action="store_true", help="a link to the list of every open incident")
    p.add_argument("--expires", default="24h", metavar="DURATION", help="e.g. 90m, 24h, 7d (default 24h, at most 30d)")
    p.add_argument("--json", action="store_true", help="with list: machine-readable output")
    p.add_argument("--db", metavar="PATH", help="as the operator, on the server's database: " + DB_HELP)

    p = command(
        "status-page",
        "serve the read-only status page from a shared folder (no keys; 127.0.0.1 unless --public)",
        loaded_on_use("warroom.cli.stakeholders", "cmd_status_page"),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8766, help="port (default 8766; 0 picks a free one)")
    p.add_argument("--public", action="store_true", help="allow a non-loopback --host: anyone reaching it can read it")
    p.add_argument("--keepalive", type=float, default=15.0, metavar="SECONDS", help="stream keep-alive interval")

    command("relay", "send a shared folder's [[notify]] notifications (one relay per folder)", loaded_on_use("warroom.cli.stakeholders", "cmd_relay"))
    p = command("notify", "notification delivery health per target (`notify status`)", loaded_on_use("warroom.cli.stakeholders", "cmd_notify_status"))
    p.add_argument("action", choices=("status",))
    p.add_argument("--db", metavar="PATH", help="a server's database: an SQLite file (its records are beside it) or a postgresql:// URL")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _alert_commands(sub: Any) -> None:
    hook_sub = command_group(
        sub, "hook", "make, list and revoke alert webhooks (Alertmanager, Grafana, generic JSON)",
        "Alert hooks for `warroom serve` and `warroom alerts`: one secret per alert source, stored hashed.",
        run=loaded_on_use("warroom.cli.followup", "cmd_hook"),
    )
    p = hook_sub.add_parser(
        "add",
        help="make a hook; its URL is printed on the last line",
        description="Make a hook NAME (the actor on the timeline). Its URL, holding the secret, is printed once, on the last line.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--kind", choices=("alertmanager", "grafana", "generic"), default="alertmanager", help="payload shape (default alertmanager)")
    p.add_argument("--url", metavar="BASE", help="where senders reach the receiver (default: server.url in config, else http://server.host:server.port)")
    p.add_argument("--playbook", metavar="PLAYBOOK", help="declare this hook's incidents with PLAYBOOK (saved as [alerts.playbooks] in the config)")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p = hook_sub.add_parser("list", help="list hooks (never the secrets)", description="List hooks: id, name, kind, created, revoked.")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = hook_sub.add_parser(
        "revoke",
        help="revoke a hook by id, or every hook of a name",
        description="Revoke one hook (hook_...) or every active hook called NAME; its URL stops working at once.",
    )
    p.add_argument("target", metavar="NAME-or-HOOK-ID")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)

    p = sub.add_parser(
        "alerts",
        help="receive alert webhooks into a shared folder (what `serve` does for a server)",
        description="Run the alert webhook receiver (POST /hooks/<secret>) beside a folder of incident logs. "
        "Hooks come from --db (make them with `warroom hook add`).",
    )
    p.set_defaults(run=loaded_on_use("warroom.cli.followup", "cmd_alerts"))
    p.add_argument("--store", metavar="DIR", help="the shared folder (default: WARROOM_STORE, config, data folder)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8767, help="port (default 8767; 0 picks a free one)")
    p.add_argument("--db", metavar="PATH", help="where the hooks are: " + DB_HELP)


def _invite_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """``invite`` and ``login``: implemented in ``warroom.cli.invite``."""
    p = command(
        "invite",
        "make a one-time code that lets HANDLE log in to the server (commander, or the operator with --db)",
        loaded_on_use("warroom.cli.invite", "cmd_invite"),
        epilog="The code is alone on the last line, the command to use it above it. It works once and expires.",
    )
    p.add_argument("handle", metavar="HANDLE")
    p.add_argument("--expires", default="1h", metavar="DURATION", help="e.g. 30m, 1h, 2d (default 1h, at most 7d)")
    p.add_argument("--url", metavar="BASE", help="with --db: where responders reach the server (default: server.public_url, server.url)")
    p.add_argument("--db", metavar="PATH", help="as the operator, on the server's database: " + DB_HELP)
    p = command(
        "login",
        "trade an invite code for your own token; saves the server and token in your config",
        loaded_on_use("warroom.cli.invite", "cmd_login"),
    )
    p.add_argument("code", metavar="CODE")


def _chat_commands(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``chat add|list|revoke|link|code``: implemented in ``warroom.cli.chat``."""
    run = loaded_on_use("warroom.cli.chat", "cmd_chat")
    chat_sub = command_group(
        sub, "chat", "connect Slack or Mattermost to the server; link chat users to handles",
        "Chat connections for `warroom serve`: /warroom commands and Slack's message shortcut act as the linked handle.",
        run=run,
    )
    p = chat_sub.add_parser(
        "add",
        help="connect a Slack app or a Mattermost slash command; the request URL is printed on the last line",
        description="Connect a chat app. Its secret is kept for the server only (never shown again); the URL to give the app is the last line.",
    )
    p.add_argument("platform", choices=("slack", "mattermost"))
    p.add_argument("--signing-secret", metavar="SECRET", help="slack: the app's signing secret (Basic Information > App Credentials)")
    p.add_argument("--token", metavar="TOKEN", help="mattermost: the slash command's token")
    p.add_argument("--url", metavar="BASE", help="where the chat platform reaches the server (default: server.public_url, server.url)")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p = chat_sub.add_parser("list", help="list chat connections (never the secrets)", description="List chat connections: id, platform, created, revoked.")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = chat_sub.add_parser("revoke", help="stop answering a chat connection", description="Revoke a chat connection (chat_...): its requests are refused at once.")
    p.add_argument("connection", metavar="CONNECTION-ID")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p = chat_sub.add_parser("link", help="make a chat user act as a handle (operator)", description="Link a Slack or Mattermost user id (e.g. U024BE7LH) to a warroom handle.")
    p.add_argument("platform", choices=("slack", "mattermost"))
    p.add_argument("user_id", metavar="USER-ID")
    p.add_argument("handle", metavar="HANDLE")
    p.add_argument("--db", metavar="PATH", help=DB_HELP)
    p = chat_sub.add_parser(
        "code",
        help="print a one-time code to link your chat user (/warroom iam CODE)",
        description="Ask the server (with your token) for a one-time code; type `/warroom iam CODE` in chat.",
    )
    p.add_argument("--server", metavar="URL", help="the warroom server (default: WARROOM_SERVER, config)")
    p.add_argument("--token", metavar="TOKEN", help="your token (default: WARROOM_TOKEN, config)")
