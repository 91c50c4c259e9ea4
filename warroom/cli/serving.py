"""The server side of the CLI: `serve`, `db upgrade` and `token` (FastAPI and the database load only here)."""


from __future__ import annotations

import json
import os
from pathlib import Path

from warroom.cli.context import EXIT_OK, CliContext
from warroom.cli.playbooks import alerts_with_playbooks
from warroom.config import (
    data_dir,
)
from warroom.incident.events import valid_handle
from warroom.safetext import safe_line
from warroom.session import UsageError
from warroom.store import StoreError


def server_db(ctx: CliContext) -> Path | str:
    """``--db``, else ``WARROOM_DB``, else ``server.db`` in config, else ``warroom.db`` in the
    platformdirs data folder. A ``postgresql://`` URL stays a string (PostgreSQL backend)."""
    chosen = getattr(ctx.args, "db", None) or os.environ.get("WARROOM_DB") or ctx.config.server.db
    if chosen and chosen.startswith(("postgresql://", "postgres://")):
        return chosen
    return Path(chosen).expanduser() if chosen else data_dir() / "warroom.db"


def cmd_serve(ctx: CliContext) -> int:
    from warroom.chat.routes import mount_chat  # chat sits above the server: mounted from here
    from warroom.server.run import (  # FastAPI and uvicorn are imported only here
        ServerBusy,
        serve,
    )
    from warroom.web.pages import StatusSettings

    args = ctx.args
    rate = 200.0 if args.rate_limit is None else args.rate_limit
    try:
        return serve(
            server_db(ctx),
            host=args.host or ctx.config.server.host,
            port=ctx.config.server.port if args.port is None else args.port,
            rate=rate,
            burst=args.burst if args.burst is not None else 2 * rate,
            keepalive=args.keepalive,
            access_log=args.access_log,
            streams_per_token=args.streams_per_token or ctx.config.server.streams_per_token,
            status_streams_per_key=args.status_streams_per_key or ctx.config.server.status_streams_per_key,
            status_streams=args.status_streams or ctx.config.server.status_streams,
            max_connections=args.max_connections or ctx.config.server.max_connections,
            unauthenticated_share=args.unauthenticated_share or ctx.config.server.unauthenticated_share,
            header_timeout=args.header_timeout,
            body_timeout=args.body_timeout or ctx.config.server.body_timeout,
            write_timeout=args.write_timeout,
            alerts=alerts_with_playbooks(ctx),
            status=StatusSettings.of(ctx.config),
            status_port=ctx.config.server.status_port if args.status_port is None else args.status_port,
            status_nice=ctx.config.server.status_nice,
            status_cpus=ctx.config.server.status_cpus,
            metrics_token=ctx.config.server.metrics_token,
            log_format=args.log_format or ctx.config.server.log_format,
            extensions=(mount_chat,),
        )
    except ServerBusy as error:
        raise StoreError(str(error)) from None


def cmd_db(ctx: CliContext) -> int:
    from warroom.db.backend import upgrade

    print(upgrade(server_db(ctx)))
    return EXIT_OK


def cmd_token(ctx: CliContext) -> int:
    from warroom.db.backend import open_tokens

    args = ctx.args
    book = open_tokens(server_db(ctx))
    try:
        if args.token_command == "add":
            if not valid_handle(args.handle):
                raise UsageError(f"bad handle {args.handle!r}: use up to 40 letters, digits, '.', '_' or '-'")
            info, secret = book.add(args.handle, admin=args.admin)
            admin = " (admin: it may make /status index share keys)" if info.admin else ""
            print(f"token {info.id} for {info.handle}{admin}, shown only now; give it to {info.handle} privately.")
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
                    print(safe_line(f"{t.id:<13} {t.handle:<20} {'admin' if t.admin else '':<6} created {t.created_at}  {state}"))
        else:
            revoked = book.revoke(args.target)
            if not revoked:
                raise StoreError(f"no active token matches {args.target!r} (see `warroom token list`)")
            for t in revoked:
                print(safe_line(f"revoked {t.id} ({t.handle})"))
    finally:
        book.close()
    return EXIT_OK


