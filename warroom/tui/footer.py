"""The key footer: one line of text, drawn again only when the keys it shows change.

Textual's ``Footer`` is a container of one widget per key, and it recomposes all of them on
every bindings refresh, which every focus change makes (several a keypress): mounting,
styling and laying out 30 widgets cost ~20 ms each time, and made a move between panes
take ~300 ms. This footer keeps the same look (compact keys, the "^p palette" key on the
right behind a thin rule) as a single line: a bindings refresh that leaves the keys as
they were costs a comparison. It shows only keys that fit whole (Textual's lets a cut-off
key peek out under the palette key); ``?`` help and the palette still list them all. When not
all fit, the keys the screen puts first (``put_first``: the viewer's role's, such as the
commander's ``B``, ``i`` and ``s``) get room before the rest; every key keeps its place.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style as RichStyle
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class FooterKey(NamedTuple):
    key: str
    """The key as the binding names it (what a click presses)."""
    key_display: str
    description: str
    enabled: bool
    id: str = ""
    """The binding's id (``put_first`` names keys by it, so a remapped key keeps its place)."""

    @property
    def width(self) -> int:
        return cell_len(self.key_display) + (1 + cell_len(self.description) if self.description else 0)


class BoardFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    DEFAULT_CSS = """
    BoardFooter {
        dock: bottom;
        height: 1;
        text-wrap: nowrap;
        color: $footer-foreground;
        background: $footer-background;
    }
    BoardFooter > .footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    BoardFooter > .footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    BoardFooter > .footer--rule { color: $foreground 20%; background: $footer-item-background; }
    BoardFooter > .footer--hover { background: $block-hover-background; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"footer--key", "footer--description", "footer--rule", "footer--hover"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: tuple[FooterKey, ...] = ()
        """Every key the screen's bindings show, in order (those that fit are ``shown``)."""
        self.palette: FooterKey | None = None
        self.shown: list[tuple[FooterKey, int]] = []
        """The keys drawn on the last render, with the column each starts at."""
        self._hover: FooterKey | None = None
        self._said: tuple[FooterKey, ...] | None = None
        self._first: frozenset[str] = frozenset()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        app = self.app
        keys: list[FooterKey] = []
        palette = None
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if app.ENABLE_COMMAND_PALETTE and binding.key == app.COMMAND_PALETTE_BINDING:
                palette = FooterKey(binding.key, app.get_key_display(binding), binding.description, enabled)
            elif binding.show and binding.action not in seen:  # one key per action, as Textual's footer
                seen.add(binding.action)
                keys.append(FooterKey(binding.key, app.get_key_display(binding), binding.description, enabled, binding.id or ""))
        if (tuple(keys), palette) != (self.keys, self.palette):
            self.keys, self.palette = tuple(keys), palette
            self.refresh()

    def say(self, keys: tuple[tuple[str, str, str], ...] | None) -> None:
        """Show ``keys`` (key, shown as, what it does) instead of the bindings' while a prompt
        or a list has the keys; ``None``: the bindings' again."""
        self._said = None if keys is None else tuple(FooterKey(key, shown, what, True) for key, shown, what in keys)
        self.refresh()

    def put_first(self, ids: frozenset[str]) -> None:
        """Keys with these binding ids are shown before any other is, when not all fit."""
        if ids != self._first:
            self._first = ids
            self.refresh()

    def _fitting(self, keys: tuple[FooterKey, ...], room: int) -> list[FooterKey]:
        """The keys that fit in ``room`` columns, in their order: those put first, then the
        others from the left up to the first that does not fit (a later narrow one is not
        squeezed in: the line reads as the start of the full list)."""
        first = [i for i, key in enumerate(keys) if key.id in self._first]
        rest = [i for i, key in enumerate(keys) if key.id not in self._first]
        chosen: set[int] = set()
        used = 0
        for i in first + rest:
            if used + keys[i].width > room:
                if i in first:
                    continue
                break
            chosen.add(i)
            used += keys[i].width + 1
        return [key for i, key in enumerate(keys) if i in chosen]

    def render(self) -> Text:
        width = self.size.width
        style = self.get_component_rich_style
        key_style, description_style = style("footer--key"), style("footer--description")
        line = Text(no_wrap=True, end="")
        palette = self.palette
        limit = width - (palette.width + 1 if palette else 0)
        self.shown = []
        for key in self._fitting(self.keys if self._said is None else self._said, limit - 1):
            self.shown.append((key, line.cell_len))
            self._add(line, key, key_style, description_style)
            line.append(" ")
        if palette:
            line.append(" " * (limit - line.cell_len))
            line.append("▏", style("footer--rule"))
            self.shown.append((palette, line.cell_len))
            self._add(line, palette, key_style, description_style)
        line.truncate(width, pad=True)
        return line

    def _add(self, line: Text, key: FooterKey, key_style: RichStyle, description_style: RichStyle) -> None:
        extra = RichStyle(dim=not key.enabled) + (self.get_component_rich_style("footer--hover") if key == self._hover else RichStyle())
        line.append(key.key_display, key_style + extra)
        if key.description:
            line.append(f" {key.description}", description_style + extra)

    def key_at(self, x: int) -> FooterKey | None:
        for key, start in self.shown:
            if key.key and start <= x < start + key.width:
                return key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self.key_at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
