"""The stakeholder-facing commands: ``share``, ``status-page``, ``relay`` and ``notify``.

Kept apart from the incident commands so that they do not grow, and
imported only when one of these runs (they pull in httpx, FastAPI or Apprise).
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from warroom.safetext import safe_line
from warroom.store.base import StoreError

if TYPE_CHECKING:
    from warroom.cli import CliContext

_DURATION = re.compile(r"^\s*(\d{1,6})\s*([mhd])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
MAX_SHARE = timedelta(days=30)


class UsageProblem(StoreError):
    """Bad input for these commands, as one line."""


def parse_duration(text: str) -> timedelta:
    """``90m``, ``24h`` or ``7d``."""
    match = _DURATION.fullmatch(text)
    if not match or int(match.group(1)) == 0:
        raise UsageProblem(f"bad duration {text!r}: use minutes, hours or days, e.g. 90m, 24h, 7d")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def public_base(ctx: CliContext) -> str:
    """Where stakeholders reach the server: ``[server] public_url``, else the URL we talk to."""
    return (ctx.config.server.public_url or ctx.location.url or "").rstrip("/")


def server_client(ctx: CliContext) -> httpx.Client:
    if not ctx.location.url:
        raise UsageProblem(
            "share links need a warroom server (--server URL or WARROOM_SERVER); "
            "for a shared folder run `warroom status-page --store DIR` instead"
        )
    if not ctx.location.token:
        raise UsageProblem("no token: pass --token or set WARROOM_TOKEN (ask whoever runs the server)")
    return httpx.Client(
        base_url=ctx.location.url.rstrip("/"), headers={"Authorization": f"Bearer {ctx.location.token}"}, timeout=15
    )


def call_server(client: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as error:
        raise StoreError(f"cannot reach {client.base_url}: {error}") from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = None
        raise StoreError(f"the server said {response.status_code}: {detail or response.reason_phrase}")
    return response.json()


def cmd_share(ctx: CliContext) -> int:
    """Make, list or revoke share keys: through the server with a token, or (``--db``) as
    the operator on the server's database."""
    args = ctx.args
    if args.db:
        return _share_as_operator(ctx)
    what, target = args.what, args.target
    with server_client(ctx) as client:
        if what == "list":
            _print_shares(call_server(client, "GET", "/api/shares"), args.json)
            return 0
        if what == "revoke":
            revoked = call_server(client, "POST", "/api/shares/revoke", json={"target": _revoke_target(target)})
            _print_revoked(revoked)
            return 0
        incident, expires = _what_to_share(args)
        made = call_server(client, "POST", "/api/shares", json={"incident": incident, "expires_minutes": int(expires.total_seconds() // 60)})
    _print_made(made, public_base(ctx))
    return 0


def _share_as_operator(ctx: CliContext) -> int:
    """``warroom share ... --db``: whoever can open the server's database is the operator,
    who makes any key (the index included), and lists and revokes every key."""
    from warroom.cli import server_db
    from warroom.cli.followup import server_base_url
    from warroom.db.backend import open_shares
    from warroom.web.routes import PREFIX
    from warroom.db.shares import ALL, OPERATOR

    args = ctx.args
    book = open_shares(server_db(ctx))
    try:
        if args.what == "list":
            _print_shares([share.as_dict() for share in book.list()], args.json)
            return 0
        if args.what == "revoke":
            share = book.find(_revoke_target(args.target))
            if share is None:
                raise StoreError(f"no share key {args.target!r} in {book.path} (see `warroom share list --db`)")
            _print_revoked(book.revoke(share.id).as_dict())
            return 0
        incident, expires = _what_to_share(args)
        share, key = book.add(incident or ALL, OPERATOR, expires, token=None)
    finally:
        book.close()
    page = PREFIX if share.scope is None else f"{PREFIX}/{share.scope}"
    _print_made(share.as_dict() | {"path": f"{page}?key={key}"}, public_base(ctx) or server_base_url(ctx))
    return 0


def _what_to_share(args: argparse.Namespace) -> tuple[str | None, timedelta]:
    """The incident to share (``None``: the index) and for how long, from the arguments."""
    what, target = args.what, args.target
    if target:
        raise UsageProblem(f"unexpected {target!r}: `warroom share INC-ID [--expires 24h]`")
    if bool(what) == bool(args.all):
        raise UsageProblem("share what? give one INC-ID, or --all for the list of open incidents")
    expires = parse_duration(args.expires)
    if expires > MAX_SHARE:
        raise UsageProblem("--expires is at most 30d")
    if what:
        from warroom.store.base import checked_incident_id

        what = checked_incident_id(what)
    return what, expires


def _revoke_target(target: str | None) -> str:
    if not target:
        raise UsageProblem("which key? `warroom share revoke shr_...` (see `warroom share list`)")
    return target


def _print_shares(shares: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(shares, indent=2))
        return
    if not shares:
        print("no share keys yet (make one: warroom share INC-ID)")
    for s in shares:
        if s["revoked_at"]:
            state = f"revoked {s['revoked_at']}"
        elif s.get("maker_revoked"):
            state = f"stopped: {s['created_by']}'s token was revoked"
        else:
            state = f"expires {s['expires_at']}"
        scope = "all open incidents" if s["incident"] == "*" else s["incident"]
        print(safe_line(f"{s['id']:<13} {scope:<20} by {s['created_by']:<14} {state}"))


def _print_revoked(revoked: dict) -> None:
    print(safe_line(f"revoked {revoked['id']} ({revoked['incident']}); pages open with it close at once"))


def _print_made(made: dict, base: str) -> None:
    scope = "every open incident" if made["incident"] == "*" else made["incident"]
    print(f"read-only link to {scope}, key {made['id']}, expires {made['expires_at']}")
    print(f"revoke it with: warroom share revoke {made['id']}")
    print(base + made["path"])


def cmd_status_page(ctx: CliContext) -> int:
    """Serve the status page read-only from a folder (no keys: bind to loopback unless told)."""
    import sys

    import uvicorn

    from warroom.asgi.listener import bind_listener
    from warroom.store import FileStore
    from warroom.web.pages import StatusSettings
    from warroom.web.standalone import create_status_app

    args = ctx.args
    if not ctx.location.folder:
        raise UsageProblem("status-page serves a shared folder (--store DIR); a server has its own at /status")
    if args.host not in ("127.0.0.1", "::1", "localhost") and not args.public:
        raise UsageProblem(
            f"--host {args.host}: the folder's status page has no keys, so anyone who reaches it can read every "
            "open incident's public page; add --public if that is what you want"
        )
    try:
        sock = bind_listener(args.host, args.port)
    except OSError as error:
        raise StoreError(f"cannot listen on {args.host}:{args.port}: {error.strerror}") from None
    host, port = sock.getsockname()[:2]
    store = FileStore(ctx.location.folder, warn=lambda message: print(safe_line(f"warroom: warning: {message}"), file=sys.stderr))
    app = create_status_app(store, keepalive=args.keepalive, settings=StatusSettings.of(ctx.config))
    config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False, server_header=False)
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    print(f"warroom status-page: listening on http://{shown}:{port}/status (folder {ctx.location.folder})", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


def cmd_relay(ctx: CliContext) -> int:
    """Send the folder's notifications (one relay per folder)."""
    import asyncio
    import os
    import sys

    from warroom.notify import records_for_folder
    from warroom.notify.records import Deliveries
    from warroom.notify.relay import Notifier, lock_folder
    from warroom.notify.targets import targets_from
    from warroom.store import FileStore

    folder = ctx.location.folder
    if not folder:
        raise UsageProblem("relay sends a shared folder's notifications (--store DIR); `warroom serve` sends its own")
    if not ctx.config.notify:
        raise UsageProblem("no [[notify]] targets in the config: nothing to send (see warroom.toml.example)")
    lock = lock_folder(folder)
    deliveries = Deliveries(records_for_folder(folder))
    store = FileStore(folder, warn=lambda message: print(safe_line(f"warroom: warning: {message}"), file=sys.stderr))
    targets = targets_from(ctx.config.notify)
    notifier = Notifier(
        store,
        targets,
        deliveries,
        status_base=ctx.config.server.public_url,
    )
    names = ", ".join(t.name for t in targets)
    print(f"warroom relay: sending {folder} to {names}", flush=True)
    try:
        asyncio.run(notifier.run())
    except KeyboardInterrupt:
        pass
    finally:
        deliveries.close()
        os.close(lock)
    return 0


def cmd_notify_status(ctx: CliContext) -> int:
    """Per-target delivery health from the records (a folder's, or a server database's)."""
    from pathlib import Path

    from warroom.notify import records_for_folder, records_for_server, server_records
    from warroom.notify.records import Deliveries
    from warroom.db.backend import is_postgres

    args = ctx.args
    if args.db and is_postgres(args.db):
        path = None  # the records are in the database itself
    elif args.db:
        path = records_for_server(Path(args.db).expanduser())
    elif ctx.location.folder:
        path = records_for_folder(ctx.location.folder)
    else:
        raise UsageProblem("notify status reads delivery records: give --store DIR (relay) or --db PATH (server)")
    if path is not None and not path.exists():
        print(f"no deliveries recorded yet ({path})")
        return 0
    records = server_records(args.db, readonly=True) if path is None else Deliveries(path, readonly=True)
    try:
        health = records.health()
    finally:
        records.close()
    if args.json:
        from dataclasses import asdict

        print(json.dumps([asdict(h) for h in health], indent=2))
        return 0
    for h in health:
        uncertain = f" ({h.uncertain} resent after a crash)" if h.uncertain else ""
        print(safe_line(h.line() + uncertain))
    return 0
