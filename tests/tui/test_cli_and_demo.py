"""The board's way in from the command line, the demo's simulated responders, import hygiene."""

from __future__ import annotations

import random
import subprocess
import sys

from warroom.incident import events as ev
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.demo import BOTS, DEMO_INCIDENT, Simulation, seed
from warroom.tui.widgets import TimelineView

from .conftest import REPO_ROOT_FOR_TESTS, SIZE, notices, ready, until


def test_join_help(cli) -> None:
    result = cli("join", "--help", actor=None)
    assert "open the live board for an incident" in result.stdout
    assert "INC-ID" in result.stdout


def test_demo_help(cli) -> None:
    result = cli("demo", "--help", actor=None)
    assert "simulated responders" in result.stdout
    assert "never your real store" in result.stdout
    assert "--pace" in result.stdout


def test_join_with_a_bad_incident_id_is_a_usage_error(cli) -> None:
    result = cli("join", "../etc", check=False)
    assert result.returncode == 2 and "bad incident id" in result.stderr


def test_scripted_commands_do_not_import_textual() -> None:
    code = "import sys, warroom.cli, warroom.room, warroom.store; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT_FOR_TESTS, check=True)
    assert out.stdout.strip() == "False"


async def test_simulated_responders_act_through_the_rules(store_dir) -> None:
    store = FileStore(store_dir)
    seed(store)
    # the newcomer joins first, as the board would
    newcomer = Room(store, DEMO_INCIDENT, "newbie")
    await newcomer.load()
    await newcomer.submit(ev.ResponderJoined())
    sim = Simulation(store, newcomer="newbie", rng=random.Random(7))
    for _ in range(40):
        await sim.step()
    state = await newcomer.load()
    actors = {entry.split(":")[0] for entry in sim.done}
    assert actors >= {"dana", "raj", "mei", "sam"}
    kinds = {entry.split(": ")[1] for entry in sim.done}
    assert {"handoff_offered", "handoff_accepted", "shift_changed", "broadcast_sent", "note_added"} <= kinds
    assert state.severity == 1 and state.workstreams["WS-1"].status == "done"
    assert state.workstreams["WS-4"].pending and state.workstreams["WS-4"].pending.to == "newbie"
    assert not any(e.rejected for e in state.timeline)  # bots never write what the rules refuse


async def test_demo_board_shows_the_simulation_live(store_dir, tmp_path) -> None:
    from warroom.tui.app import board_app

    store = FileStore(store_dir)
    seed(store)
    sim = Simulation(store, newcomer="newbie", rng=random.Random(3), pace=50.0)
    app = board_app(Room(store, DEMO_INCIDENT, "newbie"), simulation=sim.run, themes_dir=tmp_path / "none")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        seq = app.board.state.seq
        await until(pilot, lambda: app.board.state.seq >= seq + 8, tries=1500)
        await until(pilot, lambda: app.board.query_one(TimelineView).entries[-1].seq == app.board.state.seq)
        assert set(BOTS) <= set(app.board.state.responders)
        assert "DRILL" in str(app.board.header.render())
        await until(pilot, lambda: "offers you WS-4" in notices(app), tries=1500)
