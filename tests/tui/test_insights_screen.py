"""The insights screen under Pilot: ``i`` in the lobby opens it over a real folder holding the
hand-built scenario (tests/insights/scenario.py), it draws the same numbers as the JSON, its keys
change the period and the statistic, and Escape goes back. Snapshots pin how it looks at 80×24
and 120×36 (clock fixed at the scenario's ``NOW``, default theme)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.insights import scenario
from tests.tui.conftest import until
from warroom.config import Config, InsightsConfig, UiConfig
from warroom.store import FileStore
from warroom.tui.app import WarroomApp
from warroom.tui.launch import lobby_app
from warroom.tui.model import insight_charts
from warroom.tui.screens.insights import InsightsScreen
from warroom.tui.lobby import LobbyScreen

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}


def lobby_with_scenario(store_dir: Path) -> WarroomApp:
    store = FileStore(store_dir)
    for events in scenario.logs():
        store.import_events(events[0].body.incident_id, events)  # type: ignore[union-attr]
    config = Config(ui=UiConfig(bell=False), insights=InsightsConfig(out_of_hours_flag_hours=5))
    return lobby_app(store, "alice", config, clock=lambda: scenario.NOW, themes_dir=store_dir.parent / "no-user-themes")


def shown(app: WarroomApp) -> InsightsScreen:
    screen = app.screen
    assert isinstance(screen, InsightsScreen)
    return screen


async def opened(pilot) -> InsightsScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, LobbyScreen) and app.screen.loaded)
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, InsightsScreen) and app.screen.draws > 0)
    await pilot.pause()
    return shown(app)


async def test_i_opens_insights_with_the_numbers_and_escape_goes_back(store_dir: Path) -> None:
    app = lobby_with_scenario(store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await opened(pilot)
        assert str(screen.header.render()) == (
            "warroom insights · last 90 days · 4 incidents · 5 responders · 3 action items (1 overdue)"
        )
        assert "carol: a 5 h shift (fatigue warning at 4 h); carol: 6 h out of hours (more than 5 h)" in str(screen.flags.render())
        assert screen.insights is not None and [r.handle for r in screen.insights.responders][0] == "carol"
        assert "carol" in str(screen.plots["load"].render())
        assert "Hours on shift" in str(screen.captions["load"].render())
        assert "Minutes, median" in str(screen.captions["timings"].render())
        await pilot.press("p")
        assert "Minutes, p90" in str(screen.captions["timings"].render())
        draws = screen.draws
        await pilot.press("d")  # 90 -> 365 days: INC-6 (July) comes in
        await until(pilot, lambda: screen.draws > draws)
        assert "last 365 days · 5 incidents" in str(screen.header.render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LobbyScreen))


def test_the_charts_carry_the_numbers_of_the_json() -> None:
    from datetime import timedelta

    from warroom.insights import compute

    insights = compute(scenario.logs(), now=scenario.NOW, since=timedelta(days=90))
    weeks = insight_charts.weeks_chart(insights)
    assert len(weeks.labels) == 14 and dict((n, sum(v)) for n, v in weeks.series) == {"SEV1": 1, "SEV2": 2, "SEV3": 1, "SEV4": 0}
    load = insight_charts.load_chart(insights)
    assert load.labels[0] == "carol" and [values[0] for _, values in load.series] == [1, 6]
    timings = insight_charts.timings_chart(insights, "p90")
    assert timings.labels == ["SEV1", "SEV2", "SEV3"] and dict(timings.series)["resolve"] == [120, 606, 60]
    assert insight_charts.items_chart(insights).series == [("items", [3, 1, 1])]
    assert insight_charts.tick_step(weeks.labels, 40) == 4 and insight_charts.tick_step(weeks.labels, 120) == 1
    assert insight_charts.caption(load) == [("Hours on shift", "bold"), ("  ", ""), ("■", "$primary"), (" in hours", ""), ("  ", ""), ("■", "$warning"), (" out of hours", "")]


def test_a_legend_too_wide_for_its_chart_starts_a_line_of_its_own() -> None:
    """At 80 columns a colour's square ended one line and its name began the next."""
    from datetime import timedelta

    from warroom.insights import compute

    weeks = insight_charts.weeks_chart(compute(scenario.logs(), now=scenario.NOW, since=timedelta(days=90)))
    text = "".join(piece for piece, _ in insight_charts.caption(weeks, 38))
    assert text == "Incidents per week\n■ SEV1  ■ SEV2  ■ SEV3  ■ SEV4"
    assert "\n" not in "".join(piece for piece, _ in insight_charts.caption(weeks, 60))
    timings = insight_charts.timings_chart(compute(scenario.logs(), now=scenario.NOW, since=timedelta(days=90)), "median")
    assert "".join(piece for piece, _ in insight_charts.caption(timings, 36)) == "Minutes, median\n■ detect ■ ack ■ mitigate ■ resolve"


async def test_at_80x24_the_header_and_legends_keep_every_word(store_dir: Path) -> None:
    app = lobby_with_scenario(store_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        assert screen.header.size.height == 2 and "(1 overdue)" in str(screen.header.render())
        for name, caption in screen.captions.items():
            lines = str(caption.render()).splitlines()
            assert all(not line.rstrip().endswith("■") for line in lines), (name, lines)


@pytest.mark.parametrize("size", SIZES)
def test_insights_screen(snap_compare, store_dir: Path, size: str) -> None:
    async def settled(pilot) -> None:
        await opened(pilot)

    assert snap_compare(lobby_with_scenario(store_dir), terminal_size=SIZES[size], run_before=settled)


async def test_a_store_that_cannot_be_read_is_said_on_the_screen(store_dir: Path) -> None:
    from warroom.store import StoreUnavailable

    class Unreachable:
        async def incidents(self) -> list:
            raise StoreUnavailable("cannot reach http://127.0.0.1:9 (connection refused)")

        async def read(self, incident_id: str, after: int = 0) -> list:
            raise AssertionError("not reached")

    app = lobby_with_scenario(store_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LobbyScreen) and app.screen.loaded)
        app.push_screen(InsightsScreen(Unreachable(), Config(), clock=lambda: scenario.NOW))
        await until(pilot, lambda: isinstance(app.screen, InsightsScreen) and "could not read" in str(app.screen.header.render()))
        assert str(shown(app).header.render()) == (
            "warroom insights · could not read the incidents: cannot reach http://127.0.0.1:9 (connection refused)"
        )
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LobbyScreen))
