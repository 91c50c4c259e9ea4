"""A follower process: ``python -m tests.reliability.follower DIR INC UNTIL_SEQ``.

Follows the incident through a ``Room`` (as a board does) until it has applied
``UNTIL_SEQ``, then prints the seqs it saw and a digest of its folded state, so a
test can check that every follower ends with the identical state and saw no gap,
duplicate or reordering.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import sys

from warroom.store import StoreLocation
from warroom.room import Room
from warroom.store import open_store


def digest(state) -> str:
    return hashlib.sha256(json.dumps(state.summary_dict(), sort_keys=True).encode()).hexdigest()


async def follow(location: StoreLocation, incident_id: str, until: int) -> None:
    store = open_store(location, warn=lambda message: print(f"warning {message}", file=sys.stderr))
    room = Room(store, incident_id, "follower")
    await room.load()
    seen = [e.seq for e in room.state.timeline]
    print("ready", flush=True)
    if room.state.seq < until:
        async with contextlib.aclosing(room.follow()) as changes:
            async for change in changes:
                seen.append(change.event.seq)
                if change.event.seq >= until:
                    break
    print(json.dumps({"seen": seen, "digest": digest(room.state)}), flush=True)
    await store.aclose()


if __name__ == "__main__":
    folder_or_url, incident, until = sys.argv[1], sys.argv[2], int(sys.argv[3])
    token = sys.argv[4] if len(sys.argv) > 4 else None
    location = StoreLocation(url=folder_or_url, token=token) if folder_or_url.startswith("http") else StoreLocation(folder=folder_or_url)
    asyncio.run(follow(location, incident, until))
