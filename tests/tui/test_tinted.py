"""The board under the catch-up box (``screens/tinted.py``): Textual's cells, each style blended once."""

from __future__ import annotations

import pytest
from textual.renderables.background_screen import BackgroundScreen
from textual.visual import RichVisual, Visual

from warroom.incident import events as ev
from warroom.tui.screens.info import CatchUpScreen
from warroom.tui.screens.tinted import Kept, TintedLines

from .conftest import SIZE, until


async def caught_up(pilot) -> CatchUpScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, CatchUpScreen) and app.board is not None and app.board.ready)
    await pilot.pause()
    return app.screen


def textual_tint(box: CatchUpScreen, below) -> list[list[tuple[str, object]]]:
    """The box's background as Textual draws it (``Screen.render``: ``BackgroundScreen`` through Rich)."""
    visual = RichVisual(box, BackgroundScreen(below, box.styles.background))
    return [[(text, style) for text, style, _ in strip] for strip in Visual.to_strips(box, visual, *box.size, box.visual_style)]


def our_tint(box: CatchUpScreen, below) -> list[list[tuple[str, object]]]:
    visual = TintedLines(below, box.styles.background, Kept(box.styles.background))
    return [[(text, style) for text, style, _ in strip] for strip in Visual.to_strips(box, visual, *box.size, box.visual_style)]


@pytest.mark.parametrize("theme", [None, "textual-light"])
@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_the_board_under_the_catch_up_box_is_drawn_as_textual_draws_it(incident, make_board, size, theme) -> None:
    """Segment for segment: the same text, colours, weights, in the same runs (dark and light themes)."""
    incident.act("alice", ev.NoteAdded(text="rolling back"))
    incident.act("alice", ev.WorkstreamOpened(title="Roll back the deploy"))
    app = make_board("bob")
    async with app.run_test(size=size) as pilot:
        if theme is not None:
            app.theme = theme
        box = await caught_up(pilot)
        await pilot.pause()
        ours, textuals = our_tint(box, app.board), textual_tint(box, app.board)
        assert len(ours) == size[1]
        assert ours == textuals


async def test_the_catch_up_box_blends_each_style_of_the_board_once(incident, make_board, monkeypatch) -> None:
    """Textual blends every segment of the board with the tint for every frame of the box
    (~2.5 ms of CPU a frame after a join); each style is blended once, and a frame drawn again
    blends nothing."""
    incident.act("alice", ev.NoteAdded(text="rolling back"))
    blended: list[object] = []
    process = BackgroundScreen.process_segments.__func__  # type: ignore[attr-defined]

    def counted(cls, segments, color):
        for segment in segments:
            blended.append(segment.style)  # the board's style, to blend
            yield from process(cls, [segment], color)

    monkeypatch.setattr(BackgroundScreen, "process_segments", classmethod(counted))
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await caught_up(pilot)
        assert blended and len(blended) == len(set(blended))  # Textual's: every segment, each frame (here 1,500 a frame)
        blended.clear()
        box = app.screen
        box.refresh()
        await pilot.pause()
        assert blended == []


async def test_the_board_under_the_box_is_taken_again_only_once_it_changed(incident, make_board, monkeypatch) -> None:
    """Each repaint of the box drew the whole board again under it (its widgets' lines cut together
    and tinted: 4-7 ms of CPU), for a toast that came or a layout of the box's own; the lines are
    kept until the board is drawn anew somewhere (Textual hands that repaint to the box as its
    regions), and then the box shows what changed (here the title, in the header above the box)."""
    from warroom.tui.screens import tinted

    incident.act("alice", ev.NoteAdded(text="rolling back"))
    taken: list[object] = []
    screen_lines = tinted.screen_lines
    monkeypatch.setattr(tinted, "screen_lines", lambda screen: (taken.append(screen), screen_lines(screen))[1])
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        box = await caught_up(pilot)
        await pilot.pause()
        taken.clear()
        box.refresh()  # as a toast's mount or the box's own layout asks
        await pilot.pause()
        assert taken == []
        incident.act("alice", ev.IncidentRenamed(title="Card payments failing in eu-west-1"))
        await until(pilot, lambda: "Card payments failing" in "".join(text for text, _, _ in box._compositor.render_strips()[0]))
        assert taken and app.screen is box
        assert our_tint(box, app.board) == textual_tint(box, app.board)
