"""``warroom insights``: load, response times and action items across every incident in the
store or on the server, as text, JSON (``--json``) or one HTML file (``--html FILE``)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

from warroom.cli.context import EXIT_OK, CliContext
from warroom.cli.stakeholders import UsageProblem, parse_duration
from warroom.files import write_atomic
from warroom.insights import Insights, compute, read_logs
from warroom.insights.numbers import MEASURES
from warroom.safetext import json_safe, safe_line
from warroom.session import UsageError


def cmd_insights(ctx: CliContext) -> int:
    args = ctx.args
    try:
        since = parse_duration(args.since)
    except UsageProblem:
        raise UsageError(f"bad --since {args.since!r}: a number of minutes, hours or days, e.g. 90d, 24h, 90m") from None

    async def logs() -> list:
        async with ctx.open_store() as store:
            return await read_logs(store)

    insights = compute(
        asyncio.run(logs()),
        now=datetime.now(timezone.utc),
        since=since,
        zones=ctx.config.time_zones(),
        out_of_hours_flag_hours=ctx.config.insights.out_of_hours_flag_hours,
        include_drills=args.drills,
    )
    if args.json:
        print(json_safe(json.dumps(insights.as_dict(), indent=2, ensure_ascii=False)))
    elif args.html:
        from warroom.export.insights import render_insights_html  # the templates load only here

        path = Path(args.html).expanduser()
        try:
            write_atomic(path, render_insights_html(insights).encode("utf-8"))
        except OSError as error:
            raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
        print(safe_line(f"wrote {path}"))
    else:
        print("\n".join(safe_line(line) for line in render_text(insights)))
    return EXIT_OK


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:g}m"


def render_text(insights: Insights) -> list[str]:
    """The numbers as plain lines for a terminal or a chat paste."""
    lines = [f"{insights.incidents} incidents declared {insights.since:%Y-%m-%d %H:%M} to {insights.until:%Y-%m-%d %H:%M} UTC"]
    lines.append("")
    lines.append("severity  incidents  " + "  ".join(f"{m + ' (median/p90)':<26}" for m in MEASURES))
    for row in insights.by_severity:
        cells = [f"{_minutes(row.timings[m].median_minutes)}/{_minutes(row.timings[m].p90_minutes)}" for m in MEASURES]
        lines.append(f"SEV{row.severity:<6} {row.incidents:>9}  " + "  ".join(f"{c:<26}" for c in cells))
    lines.append("")
    lines.append("responder        hours  out-of-hours  longest  incidents  breaks/h  command  tz")
    for r in insights.responders:
        per_hour = "-" if r.breaks_per_on_shift_hour is None else f"{r.breaks_per_on_shift_hour:g}"
        lines.append(
            f"{r.handle:<14} {r.hours_on_shift:>7g}  {r.hours_out_of_hours:>12g}  {r.longest_shift_hours:>7g}  "
            f"{r.incidents:>9}  {per_hour:>8}  {r.hours_in_command:>7g}  {r.tz}"
        )
    if not insights.responders:
        lines.append("(nobody was on shift)")
    items = insights.action_items
    lines.append("")
    days = "-" if items.median_days_to_done is None else f"{items.median_days_to_done:g}"
    lines.append(f"action items: {items.opened} opened, {items.done} done, {items.overdue} overdue, median {days} days to done")
    for owner in insights.action_items_by_owner:
        lines.append(f"  {owner.owner or '(nobody)':<14} {owner.opened} opened, {owner.done} done, {owner.overdue} overdue")
    lines.append("")
    lines.append("flags:" if insights.flags else "flags: none")
    lines.extend(f"  {flag.words}" for flag in insights.flags)
    return lines
