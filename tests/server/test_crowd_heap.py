"""A crowd of open status pages is frozen out of the garbage collector's full collections, and a
page that ends leaves nothing frozen behind (issue 26).

Before: 10,000 open pages were ~2.2 million objects in the collector's oldest generation, and
each full collection walked them all in the middle of a broadcast (0.8 and 1.1 s measured, the
two slow broadcasts in ten), finding nothing. And each page left ~100 objects of cyclic garbage
when it ended (the streaming response's task group and cancelled generator), which a frozen heap
would have kept for good."""

from __future__ import annotations

import gc
import re
import time
import weakref
from pathlib import Path

import httpx

from tests.server.harness import ServerProcess, cli_env, make_tokens
from tests.web.sse_socket import Stream
from warroom.asgi.heap import MIN_GROWTH, FrozenCrowd


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


def test_the_crowd_is_frozen_as_it_grows_and_thawed_when_it_halves():
    streams = [0]
    crowd = FrozenCrowd(lambda: streams[0])
    try:
        crowd.freeze(0)
        assert gc.get_freeze_count() > 0
        streams[0] = MIN_GROWTH - 1  # a few boards are not a crowd, even once they stop coming
        crowd.look()
        crowd.look()
        assert crowd.freezes == 1
        garbage = _Node()
        gone = weakref.ref(garbage)
        del garbage
        streams[0] = 20 * MIN_GROWTH
        crowd.look()
        assert crowd.freezes == 2 and crowd.frozen_at == 20 * MIN_GROWTH
        assert gone() is None, "young garbage was frozen instead of collected"
        streams[0] = 21 * MIN_GROWTH  # grown by MIN_GROWTH, but by less than a tenth: still arriving
        crowd.look()
        assert crowd.freezes == 2
        crowd.look()  # no longer growing: the rest of the crowd is frozen too
        assert crowd.freezes == 3 and crowd.frozen_at == 21 * MIN_GROWTH
        streams[0] = crowd.frozen_at // 2  # half: kept
        crowd.look()
        assert crowd.thaws == 0 and gc.get_freeze_count() > 0
        streams[0] -= 1  # fewer than half: what the crowd left is the collector's again
        crowd.look()
        assert crowd.thaws == 1 and gc.get_freeze_count() == 0 and crowd.frozen_at == streams[0]
    finally:
        gc.unfreeze()


def _frozen(url: str) -> int:
    metrics = httpx.get(f"{url}/metrics", timeout=10).text
    return int(float(re.search(r"^warroom_gc_frozen_objects (\S+)$", metrics, re.M).group(1)))


def _status_streams(url: str) -> int:
    metrics = httpx.get(f"{url}/metrics", timeout=10).text
    return int(float(re.search(r'^warroom_open_streams\{kind="status"\} (\S+)$', metrics, re.M).group(1)))


def _steady(url: str) -> int | None:
    """The frozen count, once two looks a moment apart agree (pages end a loop turn after their place is given back)."""
    first = _frozen(url)
    time.sleep(0.3)
    return first if _frozen(url) == first else None


def _wait_for(what, within: float = 30.0):
    deadline = time.monotonic() + within
    while not (found := what()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)  # the server looks at its streams every 0.5 s: nothing to await from outside
    return found


def test_a_crowd_of_pages_is_frozen_and_each_page_that_ends_takes_its_objects_with_it(tmp_path: Path):
    pages, leaving = 300, 100
    env = cli_env(home=tmp_path)
    db = tmp_path / "warroom.db"
    token = make_tokens(db, ["alice"], env=env)["alice"]
    caps = ["--status-streams-per-key", str(pages), "--status-streams", str(pages), "--max-connections", str(2 * pages + 64)]
    opened: list[Stream] = []
    with ServerProcess(db, args=caps, env=env) as server:
        try:
            alice = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            alice.post("/api/incidents", json={"incident_id": "INC-C", "title": "Crowd", "published": True}).raise_for_status()
            key = alice.post("/api/shares", json={"incident": "INC-C"}).json()["key"]
            before = _frozen(server.url)
            assert before > 0  # the server froze what it held once it started
            for _ in range(pages):
                opened.append(Stream(server.url, "INC-C", key))
            assert all(stream.read_until(b"event: view", within=10) for stream in opened)
            crowd = _wait_for(lambda: (n := _frozen(server.url)) > before + pages * 50 and n)  # a page is ~150 objects
            per_page = (crowd - before) / pages
            for stream in opened[:leaving]:
                stream.close()
            _wait_for(lambda: _status_streams(server.url) == pages - leaving)
            after = _wait_for(lambda: _steady(server.url))
            freed_per_page = (crowd - after) / leaving
            print(f"\n{per_page:.0f} objects frozen per page; {freed_per_page:.0f} freed per page that ended")
            assert freed_per_page >= 0.8 * per_page, "pages that ended left objects frozen (cyclic garbage)"
            alice.post("/api/incidents/INC-C/events", json={"body": {"type": "broadcast_sent", "text": "still live", "audience": "stakeholders"}}).raise_for_status()
            assert all(stream.read_until(b"still live", within=10) for stream in opened[leaving:])
        finally:
            for stream in opened:
                stream.close()
