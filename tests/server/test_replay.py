"""Replay and ``show --at`` on a server store: a real ``warroom serve`` subprocess, a closed
incident written through the CLI, read back whole over HTTP and replayed."""

from __future__ import annotations

import json
import re

from tests.server.harness import ServerProcess, warroom
from tests.tui.conftest import SIZE, until
from warroom.config import Config
from warroom.room import Room
from warroom.store.http import HttpStore
from warroom.tui.launch import replay_app
from warroom.tui.screens.replay import ReplayScreen


def _closed_incident(server: ServerProcess, tokens: dict[str, str]) -> None:
    def as_(who: str, *args: str) -> None:
        warroom(*args, "--server", server.url, "--token", tokens[who], env=server.env)

    as_("alice", "declare", "INC-9", "--title", "Checkout errors", "--sev", "2")  # 1
    as_("bob", "ws", "open", "INC-9", "Roll back 4.12")  # 2 (bob joins as he acts)
    as_("bob", "ws", "claim", "INC-9", "WS-1")  # 3
    as_("bob", "note", "INC-9", "rolled back")  # 4
    as_("alice", "close", "INC-9", "--summary", "rolled back", "--force")  # 5 and on (the close may add entries)


def test_show_at_on_a_server_prints_the_closed_incident_as_it_was(server, tokens):
    _closed_incident(server, tokens)
    env = server.env
    at_3 = warroom("show", "INC-9", "--at", "#3", "--server", server.url, "--token", tokens["carol"], env=env).stdout
    first = at_3.splitlines()[0]
    assert first.startswith("as of T+") and " · #3 of " in first
    assert "WS-1   active   bob" in at_3 and "rolled back" not in at_3 and "closed" not in at_3.splitlines()[1]
    document = json.loads(
        warroom("show", "INC-9", "--at", "#4", "--json", "--server", server.url, "--token", tokens["carol"], env=env).stdout
    )
    assert document["seq"] == 4 and not document["closed"] and document["as_of"]["seq"] == 4
    assert document["timeline"][-1]["text"] == "rolled back"
    bad = warroom("show", "INC-9", "--at", "#99", "--server", server.url, "--token", tokens["carol"], env=env, check=False)
    assert bad.returncode == 1 and re.fullmatch(r"warroom: INC-9 has only \d entries", bad.stderr.strip())  # issue 21 item 10


async def test_replay_over_http_steps_through_a_closed_incident(server, tokens, tmp_path):
    _closed_incident(server, tokens)
    store = HttpStore(server.url, token=tokens["carol"])
    try:
        history = await Room(store, "INC-9", "carol").history()
    finally:
        await store.aclose()
    last = history.last_seq
    app = replay_app(history, "INC-9", "carol", history.moment("#2"), Config(), themes_dir=tmp_path / "themes")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await until(pilot, lambda: screen.header_text)
        assert f"#2 of {last}" in screen.header_text
        assert screen.workstreams.spec("WS-1")[2] != "bob"
        await pilot.press("right_square_bracket")
        assert f"#3 of {last}" in screen.header_text
        assert screen.workstreams.spec("WS-1")[2] == "bob"
        assert not screen.state.closed
        await pilot.press("g")
        await until(pilot, lambda: app.screen is not screen)
        app.screen.query_one("#goto-input").value = f"#{last}"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        assert screen.state.closed and f"#{last} of {last}" in screen.header_text
