"""The network goes away under a live board: it says so, queues what you do, and catches up exactly.

A Pilot-driven board on the HTTP store; the server is killed mid-incident and started
again on the same port and database. While it is down the board keeps its last state,
shows "offline — reconnecting" and queues two actions; when it is back they are
delivered in order, and the board ends identical to a fresh follower's fold of the log.
"""

from __future__ import annotations

import asyncio

from tests.tui.conftest import SIZE, ready, type_text, until
from warroom.config import Config
from warroom.incident import events as ev
from warroom.incident import fold
from warroom.room import Room
from warroom.store.http import HttpStore
from warroom.tui.app import board_app


async def test_a_board_rides_out_a_server_outage(start_server, tokens, tmp_path):
    server = start_server()
    alice_store = HttpStore(server.url, token=tokens["alice"], backoff_max=0.2)
    bob_store = HttpStore(server.url, token=tokens["bob"])
    await bob_store.append("INC-9", ev.EventDraft(actor="bob", body=ev.IncidentDeclared(incident_id="INC-9", title="Payments down")))
    await bob_store.append("INC-9", ev.EventDraft(actor="bob", body=ev.NoteAdded(text="before the outage")))

    app = board_app(Room(alice_store, "INC-9", "alice"), config=Config(), themes_dir=tmp_path / "themes", export_folder=tmp_path / "exports")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert [e.text for e in app.board.state.timeline][-2:] == ["before the outage", "joined"]

        server.kill()
        await pilot.press("n")
        await type_text(pilot, "Fail over to the standby")
        await pilot.press("enter")
        await until(pilot, lambda: "offline — reconnecting" in str(app.board.header.render()), tries=1000)
        assert "Payments down" in str(app.board.header.render())  # the last state stays on screen
        await pilot.press("t")
        await type_text(pilot, "written while offline")
        await pilot.press("enter")
        await until(pilot, lambda: alice_store.pending() == 2)
        assert [draft.body.type for _, draft in alice_store.pending_drafts()] == ["workstream_opened", "note_added"]
        assert "WS-1" not in app.board.state.workstreams  # not shown as if it had happened

        server.start()  # same port, same database
        await until(pilot, lambda: alice_store.pending() == 0 and "written while offline" in [e.text for e in app.board.state.timeline], tries=2000)
        await until(pilot, lambda: "offline" not in str(app.board.header.render()))
        assert app.board.state.workstreams["WS-1"].title == "Fail over to the standby"
        texts = [e.text for e in app.board.state.timeline]
        assert texts.index('opened WS-1 "Fail over to the standby"') < texts.index("written while offline")

        fresh = HttpStore(server.url, token=tokens["carol"])
        events = await fresh.read("INC-9")
        await fresh.aclose()
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert app.board.state.summary_dict() == fold(events).summary_dict()
    await asyncio.gather(alice_store.aclose(), bob_store.aclose())
