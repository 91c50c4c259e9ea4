"""One insights chart in the terminal: a textual-plotext plot drawn afresh from a ``Chart`` on every render.

plotext keeps state between builds of one figure (textual-plotext's own render notes it:
resizing "doesn't work right" without help), so a plot first built at one size and then at
another could differ from one built at the second size alone: each render therefore clears
the figure and draws the chart again at the widget's current size.
"""

from __future__ import annotations

from typing import Any, cast

from textual.app import RenderResult
from textual.color import Color
from textual_plotext import PlotextPlot

from ..model.insight_charts import Chart, tick_step


class ChartPlot(PlotextPlot):
    """Bars for one ``Chart`` (no plotext title or legend: the caption above says both, and
    plotext's legend would cover the bars in a small terminal)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id, classes=classes)
        self.chart: Chart | None = None

    def show(self, chart: Chart) -> None:
        self.chart = chart
        self.refresh()

    def render(self) -> RenderResult:
        self._draw()
        return super().render()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        chart = self.chart
        if chart is None or chart.empty:
            plt.xticks([], [])
            plt.yticks([], [])
            return
        variables = self.app.theme_variables
        colours = [Color.parse(variables.get(key, "#888888")).rgb for key in chart.colours]
        values = [v for _, v in chart.series]
        each = cast(Any, colours)  # one colour per series; plotext's type stub says a single colour
        if len(values) == 1:
            plt.bar(chart.labels, values[0], color=colours[0])
        elif chart.kind == "stacked":
            # narrower than plotext's 0.8, so neighbouring bars do not run together in a small terminal
            plt.stacked_bar(chart.labels, values, color=each, width=0.6)
        else:
            plt.multiple_bar(chart.labels, values, color=each)
        step = tick_step(chart.labels, self.size.width or 40)
        positions = [float(i) for i in range(1, len(chart.labels) + 1)]
        plt.xticks(positions[::step], chart.labels[::step])
