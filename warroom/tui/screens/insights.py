"""Insights across incidents in the app: the numbers of ``warroom insights`` as terminal charts.

Opened from the lobby (``i``). It reads every incident's log once (``warroom.insights.read_logs``,
the same list the lobby shows), computes with the one pure fold the CLI's JSON and HTML use,
and draws four charts with textual-plotext: incidents per week by severity, hours on shift per
responder (in and out of hours), times to detect / acknowledge / mitigate / resolve by severity,
and action items; the flags go on a line above them. ``d`` changes the period and ``p`` the
statistic without reading again; ``r`` reads again. Escape goes back to the lobby.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from warroom.config import Config
from warroom.incident import StoredEvent
from warroom.insights import Insights, LogSource, compute, read_logs
from warroom.safetext import safe_line
from warroom.store import StoreError

from ..footer import BoardFooter
from ..keys import INSIGHTS_KEYS, bindings
from ..model import insight_charts as charts
from ..widgets.chart import ChartPlot

CHART_IDS = ("weeks", "load", "timings", "items")


class InsightsScreen(Screen[None]):
    """Four charts over every incident in the store; Escape pops back to the lobby."""

    TITLE = "warroom insights"
    BINDINGS: ClassVar = bindings(INSIGHTS_KEYS)

    def __init__(self, store: LogSource, config: Config, *, clock: Callable[[], datetime]) -> None:
        super().__init__(id="insights")
        self.store = store
        self.config = config
        self.clock = clock
        self.period = charts.PERIODS[2]
        self.statistic = "median"
        self.logs: list[list[StoredEvent]] | None = None
        self.insights: Insights | None = None
        self.draws = 0
        """Times the charts were drawn (tests wait on it)."""
        self.header = Static("warroom insights · reading every incident…", id="insights-header", markup=False)
        self.flags = Static("", id="insights-flags", markup=False)
        self.plots = {name: ChartPlot(id=f"insights-{name}", classes="insights-chart") for name in CHART_IDS}
        self.captions = {name: Static("", id=f"insights-{name}-caption", classes="insights-caption") for name in CHART_IDS}

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.flags
        with Grid(id="insights-grid"):
            for name in CHART_IDS:
                with Vertical(classes="insights-cell"):
                    yield self.captions[name]
                    yield self.plots[name]
        yield BoardFooter()

    def on_mount(self) -> None:
        self._read()

    @work(exclusive=True, group="insights-read", exit_on_error=False)
    async def _read(self) -> None:
        try:
            self.logs = await read_logs(self.store)
        except StoreError as error:  # unreachable or unreadable: say so, keep the screen
            self.header.update(safe_line(f"warroom insights · could not read the incidents: {error}"))
            return
        await self._compute()

    async def _compute(self) -> None:
        if self.logs is None:
            return
        logs = self.logs
        self.insights = await asyncio.to_thread(
            compute,
            logs,
            now=self.clock(),
            since=self.period,
            zones=self.config.time_zones(),
            out_of_hours_flag_hours=self.config.insights.out_of_hours_flag_hours,
        )
        self.draw()

    def draw(self) -> None:
        insights = self.insights
        if insights is None:
            return
        self.header.update(safe_line(charts.header_line(insights, self.period)))
        self.flags.update("\n".join(charts.flag_lines(insights)))
        self.flags.set_class(bool(insights.flags), "-flagged")
        drawn = {
            "weeks": charts.weeks_chart(insights),
            "load": charts.load_chart(insights),
            "timings": charts.timings_chart(insights, self.statistic),
            "items": charts.items_chart(insights),
        }
        for name, chart in drawn.items():
            width = self.captions[name].content_region.width
            self.captions[name].update(Content.assemble(*charts.caption(chart, width or None)))
            self.plots[name].show(chart)
        self.draws += 1

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw)  # the captions' legends fit the new width

    # --- keys ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    async def action_period(self) -> None:
        index = charts.PERIODS.index(self.period)
        self.period = charts.PERIODS[(index + 1) % len(charts.PERIODS)]
        await self._compute()
        self.notify(f"insights over the {charts.period_words(self.period)}", markup=False)

    def action_statistic(self) -> None:
        self.statistic = "p90" if self.statistic == "median" else "median"
        self.draw()

    def action_reload(self) -> None:
        self._read()
