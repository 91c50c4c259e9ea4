"""``warroom invite`` and ``warroom login``: adding a responder without handing anyone a token.

The operator (``--db``, on the server's database) or the commander of an open incident
(through the server, with their own token) makes a one-time code for a handle; the new
responder runs ``warroom login CODE --server URL``, which trades the code for their own
token and saves both in their config file (0600), so ``warroom join INC-42`` just works.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import httpx

from warroom.cli.stakeholders import (
    UsageProblem,
    call_server,
    parse_duration,
    public_base,
    server_client,
)
from warroom.config import config_path, load_config, save_config
from warroom.incident.events import valid_handle
from warroom.safetext import safe_line
from warroom.store.base import StoreError

if TYPE_CHECKING:
    from warroom.cli import CliContext


def cmd_invite(ctx: CliContext) -> int:
    """Print the command to run and, alone on the last line, the code."""
    from warroom.db.codes import MAX_EXPIRY

    args = ctx.args
    if not valid_handle(args.handle):
        raise UsageProblem(f"bad handle {args.handle!r}: use up to 40 letters, digits, '.', '_' or '-'")
    expires = parse_duration(args.expires)
    if expires > MAX_EXPIRY:
        raise UsageProblem(f"--expires is at most {MAX_EXPIRY.days}d")
    if args.db:
        from warroom.cli import server_db
        from warroom.cli.followup import server_base_url
        from warroom.db.backend import open_codes
        from warroom.db.codes import INVITE

        book = open_codes(server_db(ctx))
        try:
            info, code = book.add(INVITE, args.handle, "operator", expires)
        finally:
            book.close()
        handle, expires_at = info.handle, info.expires_at
        base = (ctx.config.server.public_url or "").rstrip("/") or server_base_url(ctx)
    else:
        if not ctx.location.url:
            raise UsageProblem("invite through a server (--server URL, with your token) or as the operator on its database (--db)")
        with server_client(ctx) as client:
            made = call_server(client, "POST", "/api/invites", json={"handle": args.handle, "expires_minutes": max(1, int(expires.total_seconds() // 60))})
        assert isinstance(made, dict)
        code, handle, expires_at = str(made["code"]), str(made["handle"]), str(made["expires_at"])
        base = public_base(ctx)
    print(safe_line(f"invite for {handle}: works once, until {expires_at}. Give it to {handle} privately; they run:"))
    print(safe_line(f"  warroom login {code} --server {base}"))
    print(code)
    return 0


def cmd_login(ctx: CliContext) -> int:
    """Trade an invite code for a token and save it, with the server's URL, in the config file."""
    args = ctx.args
    server = (args.server or "").rstrip("/")
    if not server.startswith(("http://", "https://")):
        raise UsageProblem("which server? `warroom login CODE --server https://warroom.example.com` (the invite says)")
    try:
        response = httpx.post(f"{server}/api/login", json={"code": args.code.strip()}, timeout=15)
    except httpx.HTTPError as error:
        raise StoreError(f"cannot reach {server}: {error}") from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = None
        raise StoreError(f"login refused: {detail or response.reason_phrase}")
    answer = response.json()
    config = load_config()
    config.server.url = server
    config.server.token = str(answer["token"])
    folder, config.store.folder = config.store.folder, None  # a folder beside a server is refused: the server wins
    path = save_config(config)
    os.chmod(path, 0o600)  # it holds a token now, whatever mode it had
    print(safe_line(f"logged in to {server} as {answer['handle']}; token {answer['token_id']} saved in {config_path()}"))
    if folder:
        print(safe_line(f"[store] folder = {folder} was removed from the config: commands now use the server (--store DIR still reaches the folder)"))
    print("next: warroom list, or warroom join INC-ID")
    return 0
