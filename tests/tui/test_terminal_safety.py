"""Hostile text on the board: what the terminal receives never carries a control character.

Each test drives a real board (Pilot) over a real file store full of hostile text in
every field a responder can type, then renders the screen exactly as Textual would
write it to the terminal (the compositor's full update) and checks two things:

- every text segment is free of C0/C1 controls, DEL, bidi controls and line breaks
  (styles are separate segments' business, so this catches an ESC hidden in a note);
- the byte stream, once Textual's own SGR colours and cursor moves are set aside, has
  no control character but the line feeds between rows.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import LONG
from tests.hostile_text import EXAMPLES, FORGED_BANNER, OSC52, hostile, unsafe_chars
from warroom.config import Config
from warroom.incident import events as ev
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp, board_app
from warroom.tui.screens.form_screen import FormScreen
from warroom.tui.screens.board_forms import workstream_status_form
from warroom.tui.screens.info import CatchUpScreen, ConfirmScreen

from .conftest import SIZE, until

_TEXTUAL_OWN = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[[0-9]+;[0-9]+H")


def assert_terminal_safe(app: WarroomApp, where: str) -> str:
    """Render ``app``'s screen as the driver would receive it; fail on any raw control."""
    update = app.screen._compositor.render_update(full=True)
    for line in update.strips:
        for strip in line:
            for segment in strip:
                bad = unsafe_chars(segment.text)
                assert not bad, f"{where}: {bad!r} reached the terminal in {segment.text!r}"
    written = update.render_segments(app.console)
    bad = unsafe_chars(_TEXTUAL_OWN.sub("", written), allowed="\n")
    assert not bad, f"{where}: {bad!r} in the bytes written to the terminal"
    return written


def _seed(folder: Path, texts: list[str]) -> FileStore:
    store = FileStore(folder)

    def act(actor: str, body: ev.Body) -> None:
        store.append_sync("INC-1", ev.EventDraft(actor=actor, body=body))

    title, ws_title, note, broadcast, status_note, action = texts[:6]
    act("alice", ev.IncidentDeclared(incident_id="INC-1", title=title[:200], severity=1))
    act("bob", ev.ResponderJoined())
    act("alice", ev.WorkstreamOpened(title=ws_title[:200]))
    act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    act("bob", ev.NoteAdded(text=note, star=True))
    act("alice", ev.BroadcastSent(text=broadcast))
    act("bob", ev.WorkstreamStatusSet(workstream="WS-1", status="blocked", note=status_note))
    act("alice", ev.ActionItemAdded(text=action, owner="bob"))
    return store


async def _board_sees(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        outside = _seed(folder, texts)
        app = board_app(
            room=Room(FileStore(folder), "INC-1", "carol"),
            config=Config(),
            clock=lambda: datetime.now(timezone.utc),
            themes_dir=folder / "themes",
            export_folder=folder / "exports",
        )
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.board.ready and isinstance(app.screen, CatchUpScreen))
            await pilot.pause()
            assert_terminal_safe(app, "catch-up")
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, CatchUpScreen))
            assert_terminal_safe(app, "board")

            # Toasts: a broadcast, and a hand-off offered to you with a hostile note.
            seen = len(app.notices)
            outside.append_sync("INC-1", ev.EventDraft(actor="alice", body=ev.BroadcastSent(text=texts[6])))
            outside.append_sync(
                "INC-1",
                ev.EventDraft(actor="bob", body=ev.HandoffOffered(workstream="WS-1", to="carol", note=texts[7])),
            )
            await until(pilot, lambda: len(app.notices) >= seen + 2)
            await pilot.pause()
            assert_terminal_safe(app, "toasts")

            # Modals that show user text back: a form whose intro is the workstream title,
            # and a confirmation naming it.
            ws_title = app.board.state.workstreams["WS-1"].title
            app.push_screen(workstream_status_form("WS-1", ws_title, "blocked"))
            await until(pilot, lambda: isinstance(app.screen, FormScreen))
            await pilot.pause()
            assert_terminal_safe(app, "form")
            app.pop_screen()
            app.push_screen(ConfirmScreen(ws_title, f"Take WS-1 over? {texts[0]}"))
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.pause()
            assert_terminal_safe(app, "confirm")


def test_the_issue_examples_never_reach_the_terminal_raw() -> None:
    texts = [FORGED_BANNER, OSC52, *EXAMPLES]
    asyncio.run(_board_sees(texts))


def test_the_forged_banner_is_shown_visibly_on_the_board() -> None:
    async def run() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            _seed(folder, ["Title", "WS title", FORGED_BANNER, OSC52, "status", "action"])
            app = board_app(
                room=Room(FileStore(folder), "INC-1", "alice"),
                config=Config(),
                clock=lambda: datetime.now(timezone.utc),
                themes_dir=folder / "themes",
                export_folder=folder / "exports",
            )
            async with app.run_test(size=SIZE) as pilot:
                await until(pilot, lambda: app.board.ready)
                await pilot.pause()
                written = assert_terminal_safe(app, "board")
                assert "␛[2J␛[1;1H␛[41m INCIDENT RESOLVED ␛[0m" in written  # the note, legible, inert
                assert "␛]52;c;cm0gLXJmIH4K␇" in written  # the broadcast

    asyncio.run(run())


@settings(max_examples=40 if LONG else 4, deadline=None)
@given(texts=st.lists(hostile(), min_size=8, max_size=8))
def test_hostile_text_in_every_field_never_reaches_the_terminal_raw(texts: list[str]) -> None:
    asyncio.run(_board_sees(texts))
