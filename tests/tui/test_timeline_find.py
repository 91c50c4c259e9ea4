"""Finding things in the timeline (issue 14 part 1): ``/`` search with n / N, ``f`` filters,
Esc clears, and both keep working while new events arrive through the store."""

from __future__ import annotations

from warroom.incident import events as ev
from warroom.tui.screens.form_screen import FormScreen
from warroom.tui.widgets import TimelineView

from .conftest import SIZE, ready, screen_shown, until
from .test_layout import screen_lines


def pane_title(app) -> str:
    return str(app.board.query_one("#timeline-pane").border_title)


def busy_incident(incident) -> None:
    incident.act("bob", ev.ResponderJoined())
    incident.act("carol", ev.ResponderJoined())
    incident.act("alice", ev.WorkstreamOpened(title="Fail over the primary"))
    incident.act("alice", ev.WorkstreamOpened(title="Talk to the storage vendor"))
    incident.act("bob", ev.WorkstreamClaimed(workstream="WS-1"))
    for n in range(30):
        who = ("alice", "bob", "carol")[n % 3]
        text = f"REPLICA {n} lag checked" if n % 5 == 0 else f"routine note {n}"
        incident.act(who, ev.NoteAdded(text=text))
    incident.act("bob", ev.HandoffOffered(workstream="WS-1", to="carol", note="replica promoted"))
    incident.act("alice", ev.BroadcastSent(text="customers see errors; replica failover under way"))
    incident.act("alice", ev.NoteAdded(text="last word"))


def matched(timeline: TimelineView, word: str) -> bool:
    """The highlighted row draws ``word`` in the match style."""
    strip = timeline.render_line(timeline.cursor - int(timeline.scroll_offset.y))
    return any(seg.text.lower() == word and seg.style and seg.style.underline for seg in strip)


async def test_slash_searches_incrementally_and_n_N_move_between_matches(incident, make_board) -> None:
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        await pilot.press("slash")
        assert app.focused is timeline and timeline.typing
        await pilot.press(*"rep")
        assert "/rep▏" in pane_title(app)
        await pilot.press(*"lica")  # case-insensitive; typing on only narrows
        texts = [e.text for e in timeline.entries if "replica" in e.text.lower()]
        assert len(texts) == 8  # 6 notes, the hand-off (its note) and the broadcast
        assert [timeline.entries[i].text for i in timeline.finder.matches] == texts
        assert timeline.highlighted.text == texts[0]  # wrapped round from the end to the first match
        assert "1 of 8" in pane_title(app)
        assert matched(timeline, "replica")
        await pilot.press("enter")  # done typing: n / N now move
        assert "/replica 1 of 8 · n/N · esc clears" in pane_title(app)
        await pilot.press("n", "n")
        assert timeline.highlighted.text == texts[2] and "3 of 8" in pane_title(app)
        await pilot.press("N")
        assert timeline.highlighted.text == texts[1]
        await pilot.press("N", "N")
        assert timeline.highlighted.text == texts[-1]  # wraps round
        await pilot.press("escape")
        assert pane_title(app) == "Timeline" and not timeline.finder.searching
        assert not matched(timeline, "replica")
        await pilot.press("n")  # with no search, n is the board's again: open a workstream
        await screen_shown(pilot, FormScreen, "#field-title")


async def test_backspace_widens_the_search_and_esc_while_typing_cancels(incident, make_board) -> None:
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        await pilot.press("slash", *"note 2")
        assert {e.text for e in (timeline.entries[i] for i in timeline.finder.matches)} == {"routine note 2", "routine note 21", "routine note 22", "routine note 23", "routine note 24", "routine note 26", "routine note 27", "routine note 28", "routine note 29"}
        await pilot.press("backspace", "backspace")
        assert len(timeline.finder.matches) == 24  # every "routine note"
        await pilot.press("escape")
        assert not timeline.typing and not timeline.finder.searching and pane_title(app) == "Timeline"


async def test_search_counts_matches_that_arrive_while_searching(incident, make_board) -> None:
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        await pilot.press("slash", *"replica", "enter")
        assert "1 of 8" in pane_title(app)
        incident.act("carol", ev.NoteAdded(text="replica 3 caught up"))
        incident.act("carol", ev.NoteAdded(text="unrelated"))
        await until(pilot, lambda: timeline.entries[-1].text == "unrelated")
        assert "1 of 9" in pane_title(app)
        assert timeline.new_below == 2  # a search marks, it hides nothing: both arrivals are below
        await pilot.press("N")  # the last match is the new one
        assert timeline.highlighted.text == "replica 3 caught up"



async def list_shown(pilot) -> None:
    """Wait until ``f``'s list is open over the timeline's foot and the timeline has the keys."""
    app = pilot.app
    await until(pilot, lambda: app.board.timeline.menu is not None and app.focused is app.board.timeline)


async def pick(pilot, choice: str) -> None:
    """``f``, the highlight moved onto ``choice`` (as arrow keys would), Enter."""
    await pilot.press("f")
    await list_shown(pilot)
    pilot.app.board.timeline.menu.highlight(choice)
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.board.timeline.menu is None)


def timeline_rows(app) -> list[str]:
    """The timeline view's rows as drawn on screen now."""
    region = app.board.timeline.region
    return [line[region.x : region.right] for line in screen_lines(app)[region.y : region.bottom]]


async def test_f_opens_a_list_over_the_timeline_and_esc_gives_the_keys_back(incident, make_board) -> None:
    busy_incident(incident)
    incident.act("bob", ev.WorkstreamOpened(title="[bold red]pwned[/] db"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        board = app.screen
        app.board.workstreams.focus()
        await pilot.press("f")  # from another pane: the timeline takes the keys
        await list_shown(pilot)
        assert app.screen is board  # no screen pushed
        await until(pilot, lambda: any("Filter the timeline" in row for row in timeline_rows(app)))
        rows = timeline_rows(app)
        assert any("kind: notes" in row for row in rows) and any("Filter the timeline" in row and "· 1/" in row for row in rows)
        await until(pilot, lambda: screen_lines(app)[-1].startswith("↑↓ move enter add / take off a-z narrow esc back"))
        await pilot.press(*"pwned")
        await until(pilot, lambda: any("[bold red]pwned[/] db" in row for row in timeline_rows(app)))  # as typed, not markup
        await pilot.press("down", "escape")
        await until(pilot, lambda: app.board.timeline.menu is None)
        assert app.focused is app.board.timeline
        assert pane_title(app) == "Timeline" and app.board.timeline.finder.rows is None  # Esc chose nothing
        await until(pilot, lambda: not any("Filter the timeline" in row for row in timeline_rows(app)))
        await until(pilot, lambda: screen_lines(app)[-1].startswith("n new c claim"))  # the board's keys again
        await pilot.press("f")
        await list_shown(pilot)
        await pilot.press("enter")  # the first choice
        await until(pilot, lambda: "filter: " in pane_title(app) and app.board.timeline.menu is None)


async def test_typing_in_the_list_narrows_it_and_keys_in_a_burst_after_f_are_the_lists(incident, make_board) -> None:
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        await pilot.pause()
        board, entries = app.screen, len(app.board.timeline.entries)
        # One burst from the workstreams pane: none of these may run as board keys (s: severity, o: shift, a: action item).
        await pilot.press("f", "s", "t", "o", "r", "a", "g", "e")
        await until(pilot, lambda: app.board.timeline.menu is not None and app.board.timeline.menu.typed == "storage")
        assert [label for _, label in app.board.timeline.menu.shown] == ["  workstream: WS-2 Talk to the storage vendor"]
        await until(pilot, lambda: any("storage▏" in row for row in timeline_rows(app)))
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "b", "o", "b")
        await until(pilot, lambda: app.board.timeline.menu.typed == "bob")
        assert [choice for choice, _ in app.board.timeline.menu.shown] == ["person:bob"]
        await pilot.press("enter")
        await until(pilot, lambda: "filter: bob (" in pane_title(app))
        assert app.screen is board and len(app.board.timeline.entries) == entries  # no form, no break, nothing done
        await pilot.press("f", "z", "z", "z")
        await until(pilot, lambda: app.board.timeline.menu is not None and app.board.timeline.menu.typed == "zzz")
        await until(pilot, lambda: any("nothing matches “zzz”" in row for row in timeline_rows(app)))
        await pilot.press("enter")  # nothing to add: the list closes, the filter stays
        await until(pilot, lambda: app.board.timeline.menu is None)
        assert "filter: bob (" in pane_title(app)


async def test_a_click_on_a_choice_adds_it_and_tab_closes_the_list(incident, make_board) -> None:
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f")
        await list_shown(pilot)
        await until(pilot, lambda: any("kind: hand-offs" in row for row in timeline_rows(app)))
        row = next(n for n, text in enumerate(timeline_rows(app)) if "kind: hand-offs" in text)
        await pilot.click(app.board.timeline, offset=(4, row))
        await until(pilot, lambda: "filter: hand-offs (" in pane_title(app))
        assert app.board.timeline.menu is None
        await pilot.press("f")
        await list_shown(pilot)
        await pilot.press("tab")
        await until(pilot, lambda: app.board.timeline.menu is None and app.focused is not app.board.timeline)
        assert not any("Filter the timeline" in row for row in timeline_rows(app))


async def test_f_filters_by_kind_and_person_shown_in_the_title_and_esc_clears(incident, make_board) -> None:
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        everything = len(timeline.entries)
        await pick(pilot, "kind:notes")
        shown = [timeline.entries[timeline.finder.entry_index(row)] for row in range(len(timeline.finder))]
        assert len(shown) == 31 and {e.type for e in shown} == {"note_added"}
        assert f"filter: notes (31 of {everything})" in pane_title(app)
        assert timeline.highlighted.text == "last word"  # it was following: it still is
        await pick(pilot, "person:bob")
        await until(pilot, lambda: "filter: bob · notes (10 of" in pane_title(app))
        assert all(timeline.entries[i].actor == "bob" for i in timeline.finder.rows)
        # Filtered and scrolled up: arrivals the filter shows are counted, the rest are not.
        timeline.focus()
        await pilot.press("home")
        incident.act("carol", ev.NoteAdded(text="carol says hi"))
        incident.act("bob", ev.NoteAdded(text="bob's new note"))
        incident.act("alice", ev.NoteAdded(text="alice's note"))
        await until(pilot, lambda: timeline.entries[-1].text == "alice's note")
        assert timeline.new_below == 1
        assert "1 new below" in str(app.board.query_one("#timeline-new-below").render())
        await pilot.press("end")
        assert timeline.highlighted.text == "bob's new note" and timeline.new_below == 0
        await pilot.press("escape")
        assert pane_title(app) == "Timeline" and timeline.finder.rows is None
        assert timeline.highlighted.text == "alice's note"


async def test_filters_by_workstream_starred_and_involving_me(incident, make_board) -> None:
    busy_incident(incident)
    incident.act("alice", ev.NoteAdded(text="starred finding", star=True))
    incident.act("carol", ev.HandoffAccepted(workstream="WS-1"))
    app = make_board("carol")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline

        async def choose(choice: str) -> list[str]:
            await pick(pilot, choice)
            return [timeline.entries[i].text for i in (timeline.finder.rows or [])]

        ws1 = await choose("workstream:WS-1")
        assert [text.split()[0] for text in ws1] == ["opened", "claimed", "offered", "accepted"]
        assert "filter: WS-1" in pane_title(app)
        assert await choose("workstream:WS-1") == []  # chosen again: off
        assert timeline.finder.rows is None and pane_title(app) == "Timeline"
        assert await choose("starred") == ["starred finding"]
        await pilot.press("escape")
        mine = await choose("me:carol")
        people = {(timeline.entries[i].actor, timeline.entries[i].counterpart) for i in timeline.finder.rows}
        assert all("carol" in pair for pair in people)
        assert any(actor == "bob" for actor, _ in people)  # bob's hand-off to carol involves her
        assert "involving me" in pane_title(app) and len(mine) >= 12


async def test_the_filter_index_is_built_in_idle_time_with_no_key_pressed(incident, make_board) -> None:
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline
        await until(pilot, lambda: timeline.finder.indexed == len(timeline.entries) > 30)
        incident.act("bob", ev.NoteAdded(text="after the index was built"))
        await until(pilot, lambda: timeline.entries[-1].text == "after the index was built")
        assert timeline.finder.indexed == len(timeline.entries)  # kept up entry by entry


async def test_a_filter_applied_before_the_index_is_ready_and_arrivals_after_are_right(
    incident, make_board, monkeypatch
) -> None:
    from warroom.tui.model.find import Filter
    from warroom.tui.widgets import timeline_find

    monkeypatch.setattr(timeline_find, "INDEX_SLICE", 10)
    monkeypatch.setattr(timeline_find, "INDEX_EVERY", 3600)  # idle slices come only when the test takes one
    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timeline = app.board.timeline

        def expected(flt: Filter) -> list[str]:
            keep = flt.predicate()
            return [e.text for e in timeline.entries if keep(e)]

        def shown() -> list[str]:
            return [timeline.entries[timeline.finder.entry_index(row)].text for row in range(len(timeline.finder))]

        timeline._index_slice()  # one slice: 10 entries of 40-odd
        assert timeline.finder.indexed == 10 < len(timeline.entries)
        incident.act("bob", ev.NoteAdded(text="bob, mid-index"))
        incident.act("carol", ev.HandoffDeclined(workstream="WS-1"))  # declined to bob: involves him
        await until(pilot, lambda: timeline.entries[-1].type == "handoff_declined")
        assert timeline.finder.indexed == 10  # arrivals wait for the slices to reach them
        await pick(pilot, "person:bob")
        assert shown() == expected(Filter(person="bob"))
        assert "bob, mid-index" in shown() and timeline.entries[-1].text in shown()
        assert timeline.finder.indexed == len(timeline.entries)  # the filter finished the index
        incident.act("bob", ev.NoteAdded(text="bob, after the index"))
        incident.act("carol", ev.NoteAdded(text="carol, after the index"))
        await until(pilot, lambda: timeline.entries[-1].text == "carol, after the index")
        assert shown() == expected(Filter(person="bob")) and shown()[-1] == "bob, after the index"
        await pick(pilot, "kind:notes")  # a new selection from the index, arrivals included
        assert shown() == expected(Filter(person="bob", kind="notes"))
        await pick(pilot, "person:bob")
        await pick(pilot, "person:carol")
        assert shown() == expected(Filter(person="carol", kind="notes"))
        assert shown()[-1] == "carol, after the index"


async def test_the_palettes_timeline_entries_act_on_a_replay_on_top_not_the_live_timeline(incident, make_board) -> None:
    from warroom.tui.screens.replay import ReplayScreen

    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.timeline.focus()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ReplayScreen))
        await app.run_action("timeline('search')", app.screen)  # what the palette's "timeline: search" runs
        await pilot.press(*"replica")
        assert app.screen.timeline.finder.query == "replica" and app.screen.timeline.typing
        assert not app.board.timeline.typing and not app.board.timeline.finder.searching


async def test_search_filter_and_t_plus_are_in_help_and_the_palette(incident, make_board) -> None:
    from warroom.tui.commands import BoardCommands
    from warroom.tui.screens.info import HelpScreen

    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        palette = {name: help_text for name, _, help_text in BoardCommands(app.screen)._entries()}
        assert palette["timeline: search (n/N next/previous, esc clears)"] == "key: /"
        assert palette["timeline: filter (person, workstream, kind, starred, me)"] == "key: f"
        assert palette["timeline: show / hide T+ beside the time"].startswith("key: T")
        await pilot.press("question_mark")
        await screen_shown(pilot, HelpScreen, "#help-keys")
        shown = str(app.screen.query_one("#help-keys").render())
        assert "search" in shown and "filter" in shown and "T+" in shown


async def test_slash_and_the_words_in_one_burst_from_another_pane_all_search(incident, make_board) -> None:
    """`/` from the Workstreams pane and the words straight after it (a fast typist): the letters
    are the search's, none runs a board key (`b` would take a break, `c` claim)."""
    from textual import events

    busy_incident(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.board.workstreams.focus()
        await pilot.pause()
        for key, character in [("slash", "/")] + [(c, c) for c in "bcast"]:
            app.post_message(events.Key(key, character))  # all queued before the timeline has focus
        await until(pilot, lambda: app.board.timeline.finder.query == "bcast")
        assert app.focused is app.board.timeline and app.board.timeline.typing
        assert not isinstance(app.screen, FormScreen)

