"""A separate process that appends notes to a file store: ``python -m tests.store.writer DIR INC HANDLE N``.

Prints one line per acknowledged append (``seq id``) so a test can check that every
acknowledged event is in the log, even if this process is killed.
"""

from __future__ import annotations

import sys

from warroom.incident import events as ev
from warroom.store import FileStore


def main() -> None:
    folder, incident_id, handle, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = FileStore(folder, warn=lambda message: print(f"warning {message}", file=sys.stderr))
    for n in range(count):
        draft = ev.EventDraft(actor=handle, body=ev.NoteAdded(text=f"{handle} {n}"))
        stored = store.append_sync(incident_id, draft)
        print(f"{stored.seq} {stored.id}", flush=True)


if __name__ == "__main__":
    main()
