"""The commander sees a notification target that keeps failing (fed from the relay's records)."""

from __future__ import annotations

from warroom.config import NotifyTarget
from warroom.notify import records_for_folder
from warroom.notify.messages import Notice
from warroom.notify.records import Deliveries
from warroom.notify.targets import targets_from

from .conftest import SIZE
from .test_live import ready


async def test_the_commander_sees_failing_deliveries(incident, make_board, store_dir) -> None:
    records = Deliveries(records_for_folder(store_dir))
    try:
        (slack,) = targets_from([NotifyTarget(url="slack://T/B/C")])
        records.remember_targets([(slack.id, slack.name)])
        notice = Notice("broadcast", "INC-1", "2", 1, False, "[SEV1] INC-1 update", "x")
        records.record("INC-1", 2, [(notice, slack.id)])
        for _ in range(3):
            (pending,) = records.due(float("inf"), [slack.id])
            records.sending(pending)
            records.failed(pending, "HTTP 404 channel_not_found")
    finally:
        records.close()
    commander, member = make_board("alice"), make_board("bob")
    async with commander.run_test(size=SIZE) as pilot:
        await ready(pilot)
        commander.board.refresh_clocks()
        await pilot.pause()
        line = str(commander.board.deliveries.render())
        assert line == "Slack: 3 failed deliveries, last error HTTP 404 channel_not_found"
        assert commander.board.deliveries.display
    async with member.run_test(size=SIZE) as pilot:
        await ready(pilot)
        member.board.refresh_clocks()
        await pilot.pause()
        assert not member.board.deliveries.display  # only the commander is bothered with it
