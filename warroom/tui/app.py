"""The board: one responder's live, keyboard-first view of one incident.

``WarroomApp`` holds a ``Room`` and acts only through it: every key that changes the
incident is a row of ``action_table.ACTIONS`` run by ``controller.BoardController`` (rules
first, so a refusal is instant and names the reason; then the form; then submit).
The App composes the panes (``panes.py``, shared with replay) and acts; joining and
following the store are ``following.Following``, drawing what each event touched is
``drawing.Drawing``, the screen and its layout ``boardscreen.BoardScreen``.
``launch.run_board`` is what ``warroom join`` calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult, Notify
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from warroom.config import Config, resolve_export_folder, user_themes_dir
from warroom.incident import fold
from warroom.room import Room
from warroom.safetext import safe_block, safe_line

from .action_row import RoomView
from .boardscreen import BoardScreen, SteppingPanes
from .commands import BoardCommands
from .controller import BoardController
from .drawing import Drawing
from .following import Following
from .keys import BOARD_KEYS, KEY_IDS, PANE_KEYS, bindings
from .panes import compose_panes, title_panes
from .model.reminder import UpdateReminder
from .screens.form_screen import KeysToForms
from .screens.info import HelpScreen
from .themes import use_themes, variable_defaults
from .toast_placement import arrange as arrange_toasts
from .model.toasts import Seen
from .widgets import TimelineView, WorkstreamTable
from .widgets.timeline_find import KeysToSearch

Clock = Callable[[], datetime]
Simulation = Callable[["WarroomApp"], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class WarroomApp(SteppingPanes, RoomView, KeysToForms, KeysToSearch, Following, Drawing, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "warroom"
    BINDINGS: ClassVar = [
        *bindings(BOARD_KEYS),
        Binding("ctrl+c", "help_quit", "Quit help", show=False, system=True, id="quit_help"),
    ]
    COMMANDS: ClassVar = {BoardCommands}
    NOTIFICATION_TIMEOUT = 6

    def __init__(
        self,
        room: Room,
        config: Config | None = None,
        *,
        clock: Clock = utcnow,
        themes_dir: Path | None = None,
        export_folder: Path | None = None,
        simulation: Simulation | None = None,
        offer_declare: bool = True,
        acting: Callable[[], Awaitable[str]] | None = None,
        from_lobby: bool = False,
    ) -> None:
        super().__init__()
        self.room = room
        self.from_lobby = from_lobby
        """Opened from the lobby: q and Escape go back to it (``back_to_lobby``)."""
        self.back_to_lobby = False
        self._acting = acting
        """Who this board acts as, asked while the incident loads (on a server: the token's owner)."""
        self.startup_error: Exception | None = None
        self.config = config or Config()
        self.clock = clock
        self.export_folder = export_folder
        self.simulation = simulation
        self.offer_declare = offer_declare
        self.ready = False
        """True once the board has loaded, joined and drawn the incident."""
        self.notices: list[tuple[SeverityLevel, str]] = []
        """Every notification shown, in order (what a responder was told)."""
        self.exported: list[Path] = []
        self.next_incident: str | None = None
        """The incident to open when this board exits (a merge's "join the other"), if any."""
        self.exit_message: str | None = None
        self.controller = BoardController(self)
        self._shown_seq = 0
        self._seen: dict[str, Seen] = {}
        """Each workstream as last drawn (for what a toast about "your" work means)."""
        self._commander: str | None = None
        self._startup_problems: list[str] = []
        self._reloads_drawn = 0
        self.reminder = UpdateReminder()

        self.warroom_themes, problems = use_themes(self, self.config.ui.theme, themes_dir if themes_dir is not None else user_themes_dir())
        self._startup_problems.extend(problems)

        keymap = dict(self.config.ui.keymap)
        unknown = sorted(set(keymap) - KEY_IDS)
        if unknown:
            self._startup_problems.append(f"[ui] keymap: unknown binding id(s) {', '.join(unknown)}")
        self.remapped = {k: v for k, v in keymap.items() if k in KEY_IDS}
        """The keys ``[ui.keymap]`` moved, by binding id (what help and the footer say)."""
        self.set_keymap(self.remapped)

    # --- set-up --------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return BoardScreen(id="board")

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults()

    def compose(self) -> ComposeResult:
        yield from compose_panes(self, self.room.incident_id, self.me)

    def on_mount(self) -> None:
        title_panes(self, self.timeline)
        self.header.show(self.state, self.me, loading=True)
        for problem in self._startup_problems:
            self.notify(problem, severity="warning", timeout=15)
        self.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self.workstreams.focus()
        # Paint the (empty) board first, then load: a long incident never shows a blank terminal.
        self.call_after_refresh(self._start)
    # --- acting --------------------------------------------------------------------

    def on_notify(self, event: Notify) -> None:
        # Textual's own handler (``App._on_notify``) runs next and mounts the toast; this
        # arranges the stack once it has.
        self.call_later(arrange_toasts, self.screen)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None:  # type: ignore[override]
        """Show a toast (plain text: user words are never markup, controls never raw) and remember it."""
        message, title = safe_block(message), safe_line(title)
        self.notices.append((severity, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    async def action_act(self, name: str) -> None:
        """Every key that changes the incident: one row of ``action_table.ACTIONS``, run by the controller."""
        if getattr(self.screen, "read_only", False):  # a replay on top (the palette reaches here too)
            self.screen.refuse(name.replace("_", " "))
            return
        await self.controller.run(name)

    async def action_replay(self) -> None:
        """``ctrl+r``: the board as it was at the highlighted timeline entry (Esc comes back)."""
        from .replay import open_replay

        await open_replay(self)

    def action_timeline(self, what: str) -> None:
        """The timeline's keys that work from any pane: / search, f filter, T the T+ column."""
        on_top = getattr(self.screen, "action_timeline", None)
        if on_top is not None:  # a replay on top (the palette reaches here): its timeline, not the live one under it
            on_top(what)
            return
        if what == "filter":
            self.timeline.choose_filter(self.state)
        else:
            getattr(self.timeline, f"action_{what}")()

    @on(TimelineView.Highlighted)
    def _timeline_highlighted(self, message: TimelineView.Highlighted) -> None:
        self.detail.show(message.entry)

    @on(WorkstreamTable.Chosen)
    def _workstream_chosen(self, message: WorkstreamTable.Chosen) -> None:
        self.open_story(message.workstream)

    def action_story(self) -> None:
        ws_id = self.workstreams.highlighted_key
        if ws_id is None:
            self.controller.refuse("no workstream highlighted: open one with n")
        else:
            self.open_story(ws_id)

    def action_action_items(self) -> None:
        """Every action item, with owner and kind; start / done / won't do / reopen from there (issue 10 item 8)."""
        if self.controller.can_act():
            from .screens.actionitems import ActionItemsScreen

            self.push_screen(ActionItemsScreen())

    def open_story(self, ws_id: str) -> None:
        """The workstream's story (issue 14): its title, owners, status changes and notes; c/h/u/t act on it."""
        if self.controller.can_act():
            from .screens.story import StoryScreen

            self.push_screen(StoryScreen(ws_id))

    async def action_export(self) -> None:
        if not self.controller.can_act():
            return
        from warroom.export import export_incident  # loaded when first needed

        folder = self.export_folder or resolve_export_folder(self.config)
        try:
            events = await self.room.store.read(self.room.incident_id)

            def export() -> list[Path]:
                return list(export_incident(fold(events), events, folder))

            paths = await asyncio.to_thread(export)
        except Exception as error:  # an export bug must not take the board down
            self.notify(f"export failed: {error}", severity="error", timeout=20)
            return
        self.exported = paths
        listing = "\n".join(str(p) for p in paths) or str(folder)
        self.notify(f"exported to {folder}:\n{listing}", title="exported", timeout=30)

    def action_help(self) -> None:
        rows = [(self.key_label(k.id), k.description, k.palette, k.id) for k in BOARD_KEYS + PANE_KEYS]
        self.push_screen(HelpScreen(rows))

    def key_label(self, binding_id: str) -> str:
        """The key(s) bound to ``binding_id`` now, as a person would type them."""
        key = next(k for k in BOARD_KEYS + PANE_KEYS if k.id == binding_id)
        names = self.remapped.get(binding_id, key.keys).split(",")
        return " / ".join(self.get_key_display(Binding(name.strip(), "")) for name in names)

    def action_quit(self) -> None:  # type: ignore[override]
        """Leave the board (never going off shift); opened from the lobby, back to the lobby."""
        self.back_to_lobby = self.from_lobby
        self.exit()

    def action_back(self) -> None:
        if self.from_lobby and isinstance(self.screen, BoardScreen):  # Escape in a modal closes the modal
            self.action_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.from_lobby
        return True

    def switch_theme(self, name: str) -> None:
        self.theme = name
        self.notify(f"theme: {name}")
