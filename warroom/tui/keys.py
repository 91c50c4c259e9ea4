"""Every key the board answers to, in one table: bindings, footer, help screen and palette.

Keeping one table means a key can never be in the footer but missing from the palette,
or remapped in ``[ui] keymap`` but still shown under its old key in the help screen.
Each entry's ``id`` is the binding id users remap (``claim = "c,C"``). Keys that change the
incident run ``act('<name>')``: one row of ``action_table.ACTIONS``, run by the board's controller.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class BoardKey:
    id: str
    keys: str
    action: str
    description: str
    palette: str
    """"category: action", as the command palette lists it; empty for keys with no palette entry."""
    show: bool = True
    priority: bool = False
    key_display: str | None = None


BOARD_KEYS: tuple[BoardKey, ...] = (
    BoardKey("open_workstream", "n", "act('open_workstream')", "new", "workstream: open"),
    BoardKey("claim", "c", "act('claim')", "claim", "workstream: claim"),
    BoardKey("release", "r", "act('release')", "release", "workstream: release"),
    BoardKey("hand_off", "h", "act('hand_off')", "hand off", "workstream: hand off"),
    BoardKey("accept", "y", "act('accept')", "accept", "hand-off: accept offer"),
    BoardKey("decline", "Y,shift+y", "act('decline')", "decline", "hand-off: decline offer", show=False, key_display="Y"),
    BoardKey("workstream_status", "u", "act('workstream_status')", "status", "workstream: set status"),
    BoardKey("story", "w", "story", "story", "workstream: its story (also enter on a row)", show=False),
    BoardKey("note", "t", "act('note')", "note", "timeline: add note (or an impact note)"),
    BoardKey("decide", "d", "act('decide')", "decide", "timeline: record decision", show=False),
    BoardKey("star", "asterisk", "act('star')", "star", "timeline: star entry", show=False, key_display="*"),
    BoardKey("search", "slash", "timeline('search')", "search", "timeline: search (n/N next/previous, esc clears)", show=False, key_display="/"),
    BoardKey("filter", "f", "timeline('filter')", "filter", "timeline: filter (person, workstream, kind, starred, me)", show=False),
    BoardKey("elapsed", "T,shift+t", "timeline('toggle_elapsed')", "T+", "timeline: show / hide T+ beside the time", show=False, key_display="T"),
    BoardKey("take_break", "b", "act('take_break')", "break", "shift: take a break"),
    BoardKey("toggle_shift", "o", "act('toggle_shift')", "shift", "shift: go on / off shift"),
    BoardKey("broadcast", "B,shift+b", "act('broadcast')", "broadcast", "commander: broadcast", key_display="B"),
    BoardKey("command", "i", "act('command')", "command", "commander: take / hand over command"),
    BoardKey("assign_role", "R,shift+r", "act('assign_role')", "roles", "commander: assign a role", show=False, key_display="R"),
    BoardKey("snooze", "z", "act('snooze')", "snooze", "commander: snooze the stakeholder update", show=False),
    BoardKey("severity", "s", "act('severity')", "sev", "incident: severity / status"),
    BoardKey("rename", "E,shift+e", "act('rename')", "rename", "incident: rename", show=False, key_display="E"),
    BoardKey("publish", "P,shift+p", "act('publish')", "publish", "status page: publish, or change the public title and summary", show=False, key_display="P"),
    BoardKey("components", "C,shift+c", "act('components')", "components", "status page: how a component is affected", show=False, key_display="C"),
    BoardKey("action_item", "a", "act('action_item')", "action item", "incident: add action item", show=False),
    BoardKey("action_items", "A,shift+a", "action_items", "action items", "incident: action items (list, start, done)", show=False, key_display="A"),
    BoardKey("checklist", "l", "checklist", "checklist", "incident: checklist (your role's items first; tick, add)", show=False),
    BoardKey("set_field", "F,shift+f", "act('set_field')", "field", "incident: set a field (customers affected ...)", show=False, key_display="F"),
    BoardKey("close_incident", "x", "act('close_incident')", "close", "incident: close", show=False),
    BoardKey("reopen", "X,shift+x", "act('reopen')", "reopen", "incident: reopen (commander)", show=False, key_display="X"),
    BoardKey(
        "declare_secondary", "D,shift+d", "act('declare_secondary')", "secondary",
        "incident: declare a secondary incident caused by this one", show=False, key_display="D",
    ),
    BoardKey("export", "e", "export", "export", "incident: export now", show=False),
    BoardKey("replay", "ctrl+r", "replay", "replay", "board: replay from the highlighted entry", show=False, key_display="^r"),
    BoardKey("help", "question_mark,f1", "help", "help", "board: help (every key)", key_display="?"),
    BoardKey("palette", "ctrl+p", "command_palette", "palette", "", show=False, priority=True, key_display="^p"),
    BoardKey("palette_alt", "colon", "command_palette", "palette", "", show=False),
    BoardKey("quit", "q", "quit", "quit", "board: quit (stays on shift; from the lobby: back to it)"),
    BoardKey("back", "escape", "back", "lobby", "board: back to the lobby (opened from it)"),
    BoardKey("quit_now", "ctrl+q", "quit", "quit", "", show=False, priority=True),
)

ROLE_KEYS: dict[str, frozenset[str]] = {
    "commander": frozenset({"broadcast", "command", "severity"}),
    "comms": frozenset({"broadcast"}),
}
"""By role, the keys (ids) a narrow footer shows before the others: the ones that role is there for."""


def role_key_ids(roles: list[str]) -> frozenset[str]:
    """The footer's first keys for someone holding ``roles`` (``IncidentState.roles_of``)."""
    return frozenset().union(*(ROLE_KEYS.get(role, frozenset()) for role in roles))


PANE_KEYS: tuple[BoardKey, ...] = (
    BoardKey("next_pane", "tab", "focus_next", "next pane", "board: next pane", show=False),
    BoardKey("previous_pane", "shift+tab", "focus_previous", "previous pane", "board: previous pane", show=False),
)

KEY_IDS = frozenset(k.id for k in BOARD_KEYS + PANE_KEYS)

REPLAY_KEY_IDS = frozenset({"help", "palette", "palette_alt", "quit", "quit_now", "replay", "search", "filter", "elapsed", "back"})
"""Board keys that work in a replay (``tui/screens/replay.py``); every other one is refused there, since it
changes the incident or opens a view of the live incident rather than of the replayed moment.
The timeline's own keys (search, filter, T+) act on the replay's timeline there."""

LOBBY_KEYS: tuple[BoardKey, ...] = (
    BoardKey("lobby_join", "enter", "join", "join", "lobby: join the highlighted incident"),
    BoardKey("lobby_declare", "n", "declare", "declare", "lobby: declare an incident"),
    BoardKey("lobby_mine", "m", "view('mine')", "mine", "lobby: only incidents I am on"),
    BoardKey("lobby_all", "a", "view('all')", "all", "lobby: every open incident"),
    BoardKey("lobby_drills", "d", "view('drills')", "drills", "lobby: only drills"),
    BoardKey("lobby_insights", "i", "insights", "insights", "lobby: insights across incidents (load, response times, action items)"),
    BoardKey("lobby_quit", "q", "quit", "quit", "lobby: quit"),
    BoardKey("lobby_quit_now", "ctrl+q", "quit", "quit", "", show=False, priority=True),
)
"""The lobby's keys (its own screen, so its own table; remappable in ``[ui.keymap]`` by these ids)."""

INSIGHTS_KEYS: tuple[BoardKey, ...] = (
    BoardKey("insights_back", "escape,q", "back", "back", "insights: back to the lobby", key_display="esc"),
    BoardKey("insights_period", "d", "period", "period", "insights: next period (7, 30, 90, 365 days)"),
    BoardKey("insights_statistic", "p", "statistic", "median/p90", "insights: times as median or 90th percentile"),
    BoardKey("insights_reload", "r", "reload", "reload", "insights: read every incident again"),
)
"""The insights screen's keys (``tui/screens/insights.py``)."""


def moving_keys(
    scope: str, up: str = "cursor_up", down: str = "cursor_down", page_up: str = "page_up", page_down: str = "page_down"
) -> list[Binding]:
    """The cursor keys every list shares (up/k, down/j, page up, page down) running the given
    actions, with ids ``{scope}.up``, ``{scope}.down``, ``{scope}.page_up``, ``{scope}.page_down``
    (what ``[ui.keymap]`` remaps)."""
    return [
        Binding("up,k", up, "Up", show=False, id=f"{scope}.up"),
        Binding("down,j", down, "Down", show=False, id=f"{scope}.down"),
        Binding("pageup", page_up, "Page up", show=False, id=f"{scope}.page_up"),
        Binding("pagedown", page_down, "Page down", show=False, id=f"{scope}.page_down"),
    ]


def bindings(keys: tuple[BoardKey, ...]) -> list[BindingType]:
    return [
        Binding(
            k.keys,
            k.action,
            k.description,
            show=k.show,
            priority=k.priority,
            key_display=k.key_display,
            id=k.id,
            tooltip=k.palette,
        )
        for k in keys
    ]
