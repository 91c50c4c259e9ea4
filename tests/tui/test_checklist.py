"""The playbook on the board (issue 24): ``l`` shows the checklist, your role's items first, and
ticks, unticks and adds items as timeline events; ``F`` (and ``f`` in the view) sets a field,
which the commander pane then shows; the declare forms offer the playbooks."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tests.builder import PLAYBOOK
from tests.tui.conftest import SIZE, Incident, ready, screen_shown, type_text, until
from warroom.incident import events as ev
from warroom.tui.screens import FormScreen
from warroom.tui.screens.checklist import ChecklistScreen


def declared_with_playbook(incident: Incident) -> None:
    incident.act("alice", ev.IncidentDeclared(incident_id=incident.id, title="Objects expiring", severity=1, playbook=PLAYBOOK))
    incident.act("bob", ev.ResponderJoined())
    incident.act("alice", ev.RoleAssigned(role="comms", handle="bob"))


async def test_l_shows_my_roles_items_first_and_space_ticks_and_unticks(store_dir: Path, make_board) -> None:
    incident = Incident(store_dir)
    declared_with_playbook(incident)
    app = make_board("bob")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("l")
        await screen_shown(pilot, ChecklistScreen, "#checklist")
        screen = app.screen
        await until(pilot, lambda: screen.table.row_count == 3)
        assert [screen.table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(3)] == ["C-2", "C-3", "C-1"]
        assert "0/3 done · comms first" in str(screen.query_one("#checklist-title").render())
        await pilot.press("space")  # C-2, bob's own (comms)
        await until(pilot, lambda: app.board.state.checklist["C-2"].done)
        await until(pilot, lambda: screen.table.spec("C-2")[5].startswith("bob "))
        await pilot.press("space")
        await until(pilot, lambda: not app.board.state.checklist["C-2"].done)
        await pilot.press("a")  # bob is not in command
        await until(pilot, lambda: "only the commander can add a checklist item" in "\n".join(m for _, m in app.notices))
    texts = [e.text for e in incident.state().timeline]
    assert 'ticked C-2 "Tell support"' in texts and 'unticked C-2 "Tell support"' in texts


async def test_the_commander_adds_an_item_and_a_field_is_set_with_F_and_shown_in_the_commander_pane(store_dir: Path, make_board) -> None:
    incident = Incident(store_dir)
    declared_with_playbook(incident)
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("l")
        await screen_shown(pilot, ChecklistScreen, "#checklist")
        await pilot.press("a")
        await screen_shown(pilot, FormScreen, "#field-text")
        await type_text(pilot, "Call the DPO")
        await pilot.press("enter")
        await until(pilot, lambda: "C-4" in app.board.state.checklist)
        assert app.board.state.checklist["C-4"].added_by == "alice"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ChecklistScreen))
        await pilot.press("F")
        await screen_shown(pilot, FormScreen, "#field-value")
        await pilot.press("tab")
        await type_text(pilot, "lots")
        await pilot.press("enter")  # the form stays open with what was typed and says why
        form = app.screen
        await until(pilot, lambda: "Customers affected: 'lots' is not a whole number" in str(form.query_one("#form-error").render()))
        assert isinstance(app.screen, FormScreen) and form.query_one("#field-value", Input).value == "lots"
        assert app.focused is form.query_one("#field-value")
        await pilot.press("ctrl+u")
        await type_text(pilot, "1,200")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.fields["customers_affected"].value == 1200)
        pane = app.board.query_one("CommandSummary")
        await until(pilot, lambda: "Customers affected 1,200" in pane.render().plain)
        assert "Playbook  data-loss · checklist 0/4 (l)\nFields    Customers affected 1,200\n" in pane.render().plain
    assert incident.state().timeline[-1].text == "set Customers affected to 1,200"


async def test_the_lobby_declare_form_offers_the_playbooks(store_dir: Path) -> None:
    from tests.tui.test_lobby import loaded, lobby

    app = lobby(store_dir)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await screen_shown(pilot, FormScreen, "#field-playbook")
        await type_text(pilot, "Objects expiring")
        await pilot.press("tab", "tab", "tab", "down")  # the playbook's severity, not a drill, the first playbook (data-loss)
        await pilot.press("enter")
        await until(pilot, lambda: app.board is not None and app.board.ready)
    state = Incident(store_dir, "INC-1").state()
    assert (state.playbook, state.severity, len(state.workstreams)) == ("data-loss", 1, 4)
    assert state.policy.stale_workstream_minutes == 20 and "customers_affected" in state.fields


async def test_the_board_of_an_undeclared_id_offers_the_playbooks_too(store_dir: Path, make_board) -> None:
    app = make_board("alice", incident_id="INC-9", offer_declare=True)
    async with app.run_test(size=SIZE) as pilot:
        await screen_shown(pilot, FormScreen, "#field-playbook")
        assert isinstance(app.screen.query_one("#field-title"), Input)
        await type_text(pilot, "Checkout down")
        await pilot.press("tab", "tab")
        for _ in range(3):  # none, data-loss, default, outage
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: app.board.ready and app.board.state.declared)
    state = Incident(store_dir, "INC-9").state()
    assert (state.playbook, state.severity) == ("outage", 2)  # the playbook's severity, as `declare --playbook` gives


async def test_a_severity_picked_in_the_declare_form_beats_the_playbooks(store_dir: Path, make_board) -> None:
    app = make_board("alice", incident_id="INC-9", offer_declare=True)
    async with app.run_test(size=SIZE) as pilot:
        await screen_shown(pilot, FormScreen, "#field-playbook")
        await type_text(pilot, "A few objects expired")
        await pilot.press("tab", "down", "down", "down", "tab", "down")  # SEV3, data-loss (a SEV1 playbook)
        await pilot.press("enter")
        await until(pilot, lambda: app.board.ready and app.board.state.declared)
    state = Incident(store_dir, "INC-9").state()
    assert (state.playbook, state.severity) == ("data-loss", 3)


async def test_the_broadcast_form_offers_the_playbooks_first_update_with_its_fields_filled_in(store_dir: Path, make_board) -> None:
    incident = Incident(store_dir)
    declared_with_playbook(incident)
    incident.act("bob", ev.FieldSet(name="customers_affected", value=1200))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("B")
        await screen_shown(pilot, FormScreen, "#field-text")
        assert app.screen.query_one("#field-text", Input).value == "1,200 customers affected; automation {automation}."
        await pilot.press("enter")
        await until(pilot, lambda: app.board.state.last_stakeholder_update is not None)
        await pilot.press("B")
        await screen_shown(pilot, FormScreen, "#field-text")
        assert app.screen.query_one("#field-text", Input).value == ""  # only the first update


async def test_hostile_text_in_a_playbook_shows_literally_on_the_board(store_dir: Path, make_board) -> None:
    from textual.widgets import OptionList

    from warroom.incident.playbook import ChecklistItemSpec, FieldSpec, Playbook

    evil = "[red]x\x1b[2J\u202e"
    playbook = Playbook(
        name="evil", checklist=[ChecklistItemSpec(text=f"Item {evil}")], fields=[FieldSpec(name="f", label=f"Label {evil}")]
    )
    incident = Incident(store_dir)
    incident.act("alice", ev.IncidentDeclared(incident_id=incident.id, title="Evil", playbook=playbook))
    incident.act("alice", ev.FieldSet(name="f", value=f"value {evil}"))
    app = make_board("alice")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        pane = app.board.query_one("CommandSummary").render().plain
        assert "Label [red]x␛[2J<U+202E> value [red]x␛[2J<U+202E>" in pane
        await pilot.press("l")
        await screen_shown(pilot, ChecklistScreen, "#checklist")
        screen = app.screen
        await until(pilot, lambda: screen.table.row_count == 1)
        assert screen.table.get_row("C-1")[-1].plain == "Item [red]x␛[2J<U+202E>"
        assert "Label [red]x␛[2J<U+202E> value [red]x␛[2J<U+202E>" in screen.query_one("#checklist-fields").render().plain
        await pilot.press("f")
        await screen_shown(pilot, FormScreen, "#field-name")
        option = app.screen.query_one("#field-name", OptionList).get_option_at_index(0)
        assert option.prompt.plain == "Label [red]x␛[2J<U+202E>: value [red]x␛[2J<U+202E>  (text)"


async def test_at_80x24_the_fields_the_highlighted_item_and_the_keys_stay_inside_the_view(tmp_path: Path) -> None:
    """The data-loss playbook's eleven items: the table scrolls rather than push the rest off the box."""
    from tests.tui.test_snapshots import checklist_board

    app = checklist_board(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("l")
        await screen_shown(pilot, ChecklistScreen, "#checklist")
        screen = app.screen
        await until(pilot, lambda: screen.table.row_count == 11)
        await pilot.pause()
        inside = screen.query_one("#box").content_region
        for part in ("#checklist-fields", "#checklist-detail", ".box-hint"):
            await until(pilot, lambda part=part: inside.contains_region(screen.query_one(part).region))
        last = screen.table.coordinate_to_cell_key((10, 0)).row_key.value
        await pilot.press("end")  # the table scrolls to its last row, whose text the detail line shows
        await until(pilot, lambda: str(screen.query_one("#checklist-detail").render()).startswith(f"{last} ("))


async def test_at_80x24_the_lobby_declare_form_scrolls_to_the_playbook_choice(store_dir: Path) -> None:
    """Title, severity, drill and playbook are taller than 24 rows: the focused choice was hidden below the box."""
    from textual.widgets import OptionList

    from tests.tui.test_lobby import loaded, lobby

    app = lobby(store_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await screen_shown(pilot, FormScreen, "#field-playbook")
        await type_text(pilot, "Objects expiring")
        await pilot.press("tab", "tab", "tab")
        form = app.screen
        playbooks = form.query_one("#field-playbook", OptionList)
        await until(pilot, lambda: app.focused is playbooks)
        await until(pilot, lambda: form.query_one("#form").content_region.contains_region(playbooks.region))


async def test_the_broadcast_form_says_a_stakeholder_update_stays_private_until_the_incident_is_published(store_dir: Path, make_board) -> None:
    from textual.widgets import OptionList

    incident = Incident(store_dir)
    declared_with_playbook(incident)
    app = make_board("alice")

    def stakeholders_label() -> str:
        choices = app.screen.query_one("#field-audience", OptionList)
        return next(str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count) if choices.get_option_at_index(i).id == "stakeholders")

    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("B")
        await screen_shown(pilot, FormScreen, "#field-text")
        assert "private until published" in stakeholders_label()
        await pilot.press("escape")
        incident.act("alice", ev.IncidentPublished())
        await until(pilot, lambda: app.board.state.published)
        await pilot.press("B")
        await screen_shown(pilot, FormScreen, "#field-text")
        assert stakeholders_label() == "stakeholders (counts as the update)"
