"""``warroom join`` opens its store once, in the board's own event loop, and learns who it acts as
while the incident loads (on a server: no extra round trip before the board starts)."""

from __future__ import annotations

import argparse
import os
import asyncio

import pytest

from tests.server.harness import ServerProcess, warroom
from tests.tui.conftest import SIZE, ready, until
from warroom.cli import CliContext, UsageError
from warroom.tui import app as board
from warroom.tui import launch


@pytest.fixture
def headless_boards(monkeypatch):
    """Run ``run_board``'s app headless; keep each app, and the loops its store was opened and closed in."""
    apps: list[board.WarroomApp] = []
    original = board.WarroomApp.run_async

    async def headless(self, **_options):
        apps.append(self)

        async def pilot(p):
            await until(p, lambda: (self.board is not None and self.board.ready) or self.exit_message)
            if self.board is not None and self.board.ready:
                await ready(p)
                self.exit()

        return await original(self, headless=True, size=SIZE, auto_pilot=pilot)

    monkeypatch.setattr(board.WarroomApp, "run_async", headless)
    return apps


def context(server: ServerProcess, token: str, monkeypatch, tmp_path, actor: str | None = None) -> CliContext:
    monkeypatch.setenv("WARROOM_CONFIG_PATH", str(tmp_path / "warroom.toml"))
    monkeypatch.setenv("WARROOM_HANDLE", "configured-handle")
    args = argparse.Namespace(actor=actor, server=server.url, token=token, store=None, incident="INC-8")
    ctx = CliContext(args)
    opened = []
    open_store = ctx.open_store

    def counting_open():
        store = open_store()
        opened.append(store)
        close = store.aclose

        async def aclose():
            store.closed_in = asyncio.get_running_loop()
            await close()

        store.aclose = aclose
        return store

    ctx.open_store = counting_open  # type: ignore[method-assign]
    ctx.opened = opened  # type: ignore[attr-defined]
    return ctx


def test_join_opens_the_store_once_and_acts_as_the_tokens_owner(server, tokens, headless_boards, monkeypatch, tmp_path):
    warroom("declare", "INC-8", "--title", "t", "--server", server.url, "--token", tokens["alice"], env=server.env)
    ctx = context(server, tokens["bob"], monkeypatch, tmp_path)
    assert launch.run_board(ctx, "INC-8") == 0
    (app,) = headless_boards
    assert len(ctx.opened) == 1
    assert ctx.opened[0].closed_in is not None
    assert app.board.me == app.board.room.actor == app.board.timeline.me == "bob"  # the token decides, not WARROOM_HANDLE
    assert "bob" in app.board.state.responders and "configured-handle" not in app.board.state.responders


def test_join_with_an_as_that_is_not_the_tokens_owner_is_a_usage_error(server, tokens, headless_boards, monkeypatch, tmp_path):
    warroom("declare", "INC-8", "--title", "t", "--server", server.url, "--token", tokens["alice"], env=server.env)
    ctx = context(server, tokens["alice"], monkeypatch, tmp_path, actor="bob")
    with pytest.raises(UsageError, match="--as bob does not match your token, which acts as alice"):
        launch.run_board(ctx, "INC-8")
    assert len(ctx.opened) == 1


def test_join_on_a_terminal_with_its_frame_first_acts_as_the_tokens_owner(server, tokens, tmp_path):
    """The frame-first path (``cli/early.py``) on a real terminal and a real server: the checks
    run after the frame, in a thread, and say what they refuse in one line."""
    from tests.test_cli_frame_first import Terminal

    warroom("declare", "INC-8", "--title", "Database failover", "--server", server.url, "--token", tokens["alice"], env=server.env)
    env = dict(server.env, WARROOM_CONFIG_PATH=str(tmp_path / "warroom.toml"))
    board = Terminal(env, "join", "INC-8", "--server", server.url, "--token", tokens["bob"])
    try:
        board.read_until(b"INC-8", b"loading\xe2\x80\xa6")
        board.read_until(b"Database failover", b"you: bob")
        os.write(board.fd, b"q")
        assert board.exit_code() == 0
    finally:
        board.close()
    refused = Terminal(env, "join", "INC-8", "--server", server.url, "--token", tokens["alice"], "--as", "bob")
    try:
        assert refused.exit_code() == 2
        assert b"warroom: --as bob does not match your token, which acts as alice" in refused.text
        assert b"Traceback" not in refused.text
    finally:
        refused.close()
