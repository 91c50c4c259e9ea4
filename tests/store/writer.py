"""A separate process that appends notes: ``python -m tests.store.writer DIR|URL INC HANDLE N [TOKEN]``.

With a folder it writes to the file store; with an ``http://`` URL (and a token) to a server.

Prints one line per acknowledged append (``seq id``) so a test can check that every
acknowledged event is in the log, even if this process is killed.
"""

from __future__ import annotations

import asyncio
import sys

from warroom.incident import events as ev
from warroom.store import FileStore


async def append_over_http(url: str, token: str, incident_id: str, handle: str, count: int) -> None:
    from warroom.store.http import HttpStore

    async with HttpStore(url, token=token) as store:
        actor = await store.whoami()
        for n in range(count):
            draft = ev.EventDraft(actor=actor, body=ev.NoteAdded(text=f"{handle} {n}"))
            stored = await store.append(incident_id, draft)
            print(f"{stored.seq} {stored.id}", flush=True)


def main() -> None:
    where, incident_id, handle, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if where.startswith("http"):
        asyncio.run(append_over_http(where, sys.argv[5], incident_id, handle, count))
        return
    store = FileStore(where, warn=lambda message: print(f"warning {message}", file=sys.stderr))
    for n in range(count):
        draft = ev.EventDraft(actor=handle, body=ev.NoteAdded(text=f"{handle} {n}"))
        stored = store.append_sync(incident_id, draft)
        print(f"{stored.seq} {stored.id}", flush=True)


if __name__ == "__main__":
    main()
