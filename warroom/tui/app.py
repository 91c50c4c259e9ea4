"""The one Textual App behind ``warroom``, ``warroom join``, ``warroom replay`` and ``warroom demo``.

The App is thin: the themes, the keymap, the toasts (sanitised, and remembered as what a
responder was told) and which screen is where. The work is in the screens: the lobby
(``lobby.py``), the board (``board/screen.py``), replay (``screens/replay.py``).
Enter on a lobby row pushes a board, leaving the board pops back to the lobby, ctrl+r
pushes a replay over the board and Esc pops it; one store connection for all of them.
``launch.py`` starts the App for each command. This module imports no pydantic, domain or
board module (they load when first needed): ``warroom join`` paints the board's frame
before any of them (``frame_first.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, Notify
from textual.binding import Binding
from textual.command import Provider
from textual.notifications import Notification, SeverityLevel
from textual.screen import Screen

from warroom.config_files import user_themes_dir
from warroom.safetext import safe_block, safe_line

from .keys import BOARD_KEYS, KEY_IDS, LOBBY_KEYS, PANE_KEYS, BoardKey
from .screens.form_screen import KeysToForms
from .screens.info import HelpScreen
from .textual_private import UnderneathScreen, withdraw_notification
from .themes import use_themes, variable_defaults
from .toast_placement import arrange as arrange_toasts
from .widgets.timeline_find import KeysToSearch

if TYPE_CHECKING:
    from warroom.config import Config
    from warroom.room import Room

    from .board.screen import BoardScreen

KNOWN_KEY_IDS = KEY_IDS | {k.id for k in LOBBY_KEYS}


def _board_commands() -> type[Provider]:
    from .commands import BoardCommands  # with the board's panes: loaded when the palette first opens

    return BoardCommands


class WarroomApp(KeysToForms, KeysToSearch, App[int]):
    CSS_PATH: ClassVar = [Path(__file__).with_name(name) for name in ("app.tcss", "lobby.tcss", "insights.tcss")]
    TITLE = "warroom"
    BINDINGS: ClassVar = [
        Binding("ctrl+c", "help_quit", "Quit help", show=False, system=True, id="quit_help"),
        # Textual's own two, with the ids ``[ui.keymap]`` knows; they work over any modal.
        Binding("ctrl+q", "quit", "quit", show=False, priority=True, id="quit_now"),
        Binding("ctrl+p", "command_palette", "palette", show=False, priority=True, id="palette"),
    ]
    COMMANDS: ClassVar = {_board_commands}
    NOTIFICATION_TIMEOUT = 6

    def __init__(
        self,
        first: Callable[[], Screen],
        config: Config | None = None,
        *,
        themes_dir: Path | None = None,
        title: str | None = None,
        ui: tuple[str, Mapping[str, str]] | None = None,
        then: Callable[[WarroomApp], Awaitable[None]] | None = None,
    ) -> None:
        """``first``: the screen the App starts on (the lobby, a board or a replay), made once the App runs.
        ``ui``: the theme and keymap read straight from the file, for a frame drawn before the
        config is validated (``frame_first.py``); the config then comes through ``configure``.
        ``then``: run once the first frame is on screen (``frame_first.py`` opens the board)."""
        super().__init__()
        self._first = first
        self._then = then
        self._themes_dir = themes_dir
        if title is not None:
            self.title = title
        self.notices: list[tuple[SeverityLevel, str]] = []
        """Every notification shown, in order (what a responder was told)."""
        self._last_board: BoardScreen | None = None
        self.exit_message: str | None = None
        """Said on the terminal once the App has ended (why a board could not open)."""
        self.startup_error: Exception | None = None
        """Raised by the launcher once the App has ended (who acts was refused)."""
        self._ui: tuple[str, dict[str, str]] | None = None
        self.config: Config
        if ui is None:
            if config is None:
                from warroom.config import Config

                config = Config()
            self.config = config
            ui = (config.ui.theme, config.ui.keymap)
        self._startup_problems = self._use_ui(*ui)

    def _use_ui(self, theme: str, keymap: Mapping[str, str]) -> list[str]:
        """Switch to ``theme`` and ``keymap`` (once per change); the problems to tell the user."""
        if self._ui == (theme, dict(keymap)):
            return []
        self._ui = (theme, dict(keymap))
        themes_dir = self._themes_dir if self._themes_dir is not None else user_themes_dir()
        self.warroom_themes, problems = use_themes(self, theme, themes_dir)
        unknown = sorted(set(keymap) - KNOWN_KEY_IDS)
        if unknown:
            problems.append(f"[ui] keymap: unknown binding id(s) {', '.join(unknown)}")
        self.remapped = {k: v for k, v in keymap.items() if k in KNOWN_KEY_IDS}
        """The keys ``[ui.keymap]`` moved, by binding id (what help and the footer say)."""
        self.set_keymap(self.remapped)
        return problems

    def configure(self, config: Config) -> None:
        """The validated config, once it is loaded (after a frame drawn from the file's own words)."""
        self.config = config
        for problem in self._use_ui(config.ui.theme, config.ui.keymap):
            self.notify(problem, severity="warning", timeout=15)

    def on_ready(self) -> None:
        """Textual's ``Ready``: the first frame has been drawn."""
        if self._then is not None:
            self.run_worker(self._then(self), group="then")

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults()

    def get_default_screen(self) -> Screen:
        return UnderneathScreen()

    def on_mount(self) -> None:
        # Pushed over Textual's default screen, not made it: a board can then give way to another
        # (``BoardScreen.Replaced``), and the first screen is closed like any other.
        self.push_screen(self._first())
        # A screen coming up (a modal over the board, the board again) gets the toasts placed for it.
        self.screen_change_signal.subscribe(self, lambda screen: screen.call_after_refresh(arrange_toasts, screen))
        for problem in self._startup_problems:
            self.notify(problem, severity="warning", timeout=15)

    @property
    def board(self) -> BoardScreen | None:
        """The board on screen (under any modal or replay over it), if one is open; once the
        App has ended, the last one shown (what it ended on)."""
        if not self.is_running:
            return self._last_board
        from .board.screen import BoardScreen

        board = next((screen for screen in reversed(self.screen_stack) if isinstance(screen, BoardScreen)), None)
        if board is not None:
            self._last_board = board
        return board

    # --- toasts ---------------------------------------------------------------------

    def on_notify(self, event: Notify) -> None:
        # Textual's own handler (``App._on_notify``) runs next and mounts the toast; this
        # arranges the stack once it has.
        self.call_later(arrange_toasts, self.screen)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None:
        """Show a toast (plain text: user words are never markup, controls never raw)."""
        self.toast(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def toast(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> Notification:
        """``notify`` that remembers the toast and returns it, so a toast about a condition can be
        withdrawn when the condition goes."""
        message, title = safe_block(message), safe_line(title)
        self.notices.append((severity, message))
        notification = Notification(
            message, title, severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout, markup=markup
        )
        self.post_message(Notify(notification))  # what Textual's own notify does, keeping the notification
        return notification

    def withdraw(self, notification: Notification) -> None:
        """Take a toast down before its time (what it was about is over)."""
        withdraw_notification(self, notification)

    # --- screens --------------------------------------------------------------------

    def on_board_screen_closed(self, event: BoardScreen.Closed) -> None:
        """Back to the lobby the board was opened from, else the App ends (a board that could
        not open ends it too, saying why)."""
        board, message, return_code = event.board, event.message, event.return_code
        if board not in self.screen_stack:
            return
        if board.from_lobby and return_code == 0:
            while self.screen is not board:
                self.pop_screen()
            self.pop_screen()
            return
        self.exit_message = message
        self.exit(return_code=return_code)

    def on_board_screen_replaced(self, event: BoardScreen.Replaced) -> None:
        """A board gives way to another (a merge's "join the other"), opened the same way."""
        if event.board not in self.screen_stack:
            return
        while self.screen is not event.board:
            self.pop_screen()
        self.switch_screen(event.other)

    def show_help(self) -> None:
        rows = [(self.key_label(k), k.description, k.palette, k.id) for k in BOARD_KEYS + PANE_KEYS]
        self.push_screen(HelpScreen(rows))

    def key_label(self, key: BoardKey) -> str:
        """The key(s) bound to ``key`` now, as a person would type them."""
        names = self.remapped.get(key.id, key.keys).split(",")
        return " / ".join(self.get_key_display(Binding(name.strip(), "")) for name in names)

    def action_quit(self) -> None:  # type: ignore[override]  # Textual's is async; this one needs no wait
        """ctrl+q: a board closes (back to the lobby it came from); anywhere else the App ends."""
        board = self.board
        if board is not None:
            board.leave()
        else:
            self.exit()

    def switch_theme(self, name: str) -> None:
        self.theme = name
        self.notify(f"theme: {name}")


def board_app(room: Room, config: Config | None = None, *, themes_dir: Path | None = None, **board: Any) -> WarroomApp:
    """The App showing one board (``warroom join``, the demo, tests and benches); ``board``:
    ``BoardScreen``'s options (clock, export folder, simulation ...)."""
    from warroom.config import Config

    from .board.screen import BoardScreen

    config = config or Config()
    return WarroomApp(lambda: BoardScreen(room, config, **board), config, themes_dir=themes_dir)

