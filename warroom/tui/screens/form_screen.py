"""Modal forms for every action that needs words or a choice.

One small form class serves them all: the first field has focus when it opens, Enter
submits from any field (a choice list's Enter picks the highlighted choice and
submits), Escape cancels, and a missing required field gets the focus back with a
one-line reason instead of a refusal from the store. What each action asks is in
``board_forms.py``, one function per form.

Nothing typed is lost without the responder knowing: Escape asks before throwing typed
words away; a paste keeps every line (shown as ↵, sent as line breaks); letters typed
while a choice list has focus go to the text field rather than nowhere; a number field
says what it accepts and says so again when a key is refused; and a complaint goes away
as soon as the answer it complained about is fixed; letters typed straight after the
key that opened the form, from any screen, land in it (``KeysToForms``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import events, on
from textual.app import ComposeResult
from textual.content import Content
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.validation import Function, ValidationResult, Validator
from textual.widgets.option_list import Option

from warroom.limits import MAX_TEXT
from warroom.safetext import safe_block, safe_line

from ..textual_private import forward_key
from .info import ConfirmScreen

FieldKind = Literal["text", "integer", "choice"]

LINE_BREAK = "↵"
"""How a pasted line break shows in a one-line field (sent as a line break)."""


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    kind: FieldKind = "text"
    value: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, label) pairs for a choice; ``value`` says which starts highlighted."""
    required: bool = False
    placeholder: str = ""
    max_length: int = MAX_TEXT
    minimum: int | None = None
    maximum: int | None = None
    one_line: bool = False
    """Pasted line breaks become spaces (a title), not line breaks."""
    check: Callable[[str], str | None] | None = None
    """Why a non-empty answer will not do (a handle, a date), or ``None``: said before submitting."""

    @property
    def accepts(self) -> str:
        """What a number field takes, in words."""
        if self.minimum is not None and self.maximum is not None:
            return f"a whole number from {self.minimum} to {self.maximum}"
        return "a whole number"

    @property
    def shown_label(self) -> str:
        return f"{self.label} ({self.accepts})" if self.kind == "integer" else self.label

    def validators(self) -> list[Validator]:
        """What a text or number answer must be, as Textual validators (the first failure is said)."""
        rules: list[Validator] = []
        if self.required:
            rules.append(Function(lambda text: bool(text.strip()), f"{self.label} is needed"))
        if self.kind == "integer":
            rules.append(Function(lambda text: not text.strip() or _whole(text) is not None, f"{self.label} takes {self.accepts}"))
            rules.append(
                Function(lambda text: self._in_range(_whole(text)), f"{self.label} must be between {self.minimum} and {self.maximum}")
            )
        if self.check is not None:
            rules.append(_Checked(self.check))
        return rules

    def _in_range(self, number: int | None) -> bool:
        if number is None:
            return True  # empty, or not a number: said by the rules before
        return not ((self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum))


def _whole(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


class _Checked(Validator):
    """A field's own check (a handle, a date), whose words depend on the answer."""

    def __init__(self, check: Callable[[str], str | None]) -> None:
        super().__init__()
        self._check = check

    def validate(self, value: str) -> ValidationResult:
        text = value.strip()
        problem = self._check(text) if text else None
        return self.success() if problem is None else self.failure(problem)


def problem_with(widget: Input) -> str | None:
    """Why what ``widget`` holds will not do, by its validators, or ``None``."""
    result = widget.validate(widget.value)
    if result is None or result.is_valid:
        return None
    return result.failure_descriptions[0]


class FormInput(Input):
    """An Input that says when it refuses a key, keeps every line of a paste, and does its own
    editing keys in the order they were typed.

    Textual's Input inserts a letter in its own key handler, but its editing keys (backspace,
    ctrl+u, the arrows, enter ...) are bindings, run only once the key has bubbled up to the App.
    When a terminal delivers several keys in one read (a fast typist on a slow link), the letters
    after an editing key were inserted before it ran: ctrl+u then wiped them, and enter submitted
    what was left. Here the Input's own bindings run as their key arrives.
    """

    EDITING_KEYS: ClassVar[dict[str, str]] = {
        key.strip(): binding.action
        for binding in Input.BINDINGS
        if isinstance(binding, Binding)
        for key in binding.key.split(",")
    }

    async def on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not self and focused is not None and event.key not in ("escape", "ctrl+s"):
            # Typed after a tab in the same burst, so handed here before the tab moved the focus
            # on: it belongs to the field the tab went to ("bucketsraaj" was text, tab, owner).
            event.stop()
            event.prevent_default()
            forward_key(focused, event)
            return
        if event.key in ("tab", "shift+tab"):  # moved now, not once the key has bubbled up to the screen
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        action = self.EDITING_KEYS.get(event.key)
        if action is None:
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)

    class Refused(Message):
        """A key or paste was not taken (a letter in a number field, or past the length limit)."""

        def __init__(self, field: FormInput) -> None:
            super().__init__()
            self.field = field

    def restricted(self) -> None:
        self.post_message(self.Refused(self))

    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Input's own paste handler (one line, tabs kept) does not run
        event.stop()
        text = event.text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip("\n")
        if not text:
            return
        text = text.replace("\n", LINE_BREAK)
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


class FormScreen(ModalScreen[dict[str, str] | None]):
    """Ask for ``fields``; dismisses with ``{name: value}``, or ``None`` on Escape."""

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        background: $panel; border: thick $primary; padding: 0 1;
    }
    FormScreen .form-title { text-style: bold; color: $primary; margin-bottom: 1; width: 100%; }
    FormScreen .form-intro { color: $text-muted; margin-bottom: 1; }
    FormScreen .field-label { margin-top: 1; }
    FormScreen OptionList { height: auto; max-height: 8; }
    FormScreen #form-error { color: $error; height: auto; }
    FormScreen .form-hint { color: $text-muted; margin-top: 1; }
    """
    AUTO_FOCUS = ""
    """``on_mount`` focuses the first field without scrolling to it (Textual's auto-focus would
    centre it, hiding the form's title in a form taller than the terminal)."""
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Submit", show=False, id="form.submit"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        *,
        intro: str = "",
        start_on: str | None = None,
        name: str | None = None,
        check: Callable[[dict[str, str]], tuple[str, str] | None] | None = None,
    ) -> None:
        """``start_on``: the field that has the focus first (the one a "no, change it" came back for).
        ``check``: what is wrong with the answers as a whole, as (field name, why), or ``None``
        (a value whose kind depends on another field's choice); the form stays open with it."""
        super().__init__(name=name)
        self.start_on = start_on
        self.form_title = safe_line(title)
        self.fields = tuple(fields)
        self.check = check
        self.intro = safe_block(intro)
        self._complaint: str | None = None
        """The field the error line is about."""
        self._last_text: str | None = None
        """The text field typed in last (where typing goes when a choice list has focus)."""

    def compose(self) -> ComposeResult:
        # Scrolls to the focused field when the form is taller than the terminal (80x24: the
        # lobby's declare form's playbook choice, the action item's Kind); never a tab stop.
        with VerticalScroll(id="form", can_focus=False):
            yield Label(self.form_title, classes="form-title")
            if self.intro:
                yield Static(self.intro, classes="form-intro", markup=False)
            for field in self.fields:
                yield Label(field.shown_label, classes="field-label")
                yield self._widget(field)
            yield Static("", id="form-error", markup=False)
            yield Static("enter: submit   esc: cancel   tab: next field", classes="form-hint")

    def _widget(self, field: Field) -> Input | OptionList:
        widget_id = f"field-{field.name}"
        if field.kind == "choice":
            options = OptionList(*(Option(Content(safe_line(label)), id=value) for value, label in field.choices), id=widget_id)  # literal: a label may hold [brackets]
            return options
        return FormInput(
            value=field.value,
            placeholder=field.placeholder or (field.accepts if field.kind == "integer" else ""),
            type="integer" if field.kind == "integer" else "text",
            max_length=field.max_length,
            select_on_focus=False,  # tab back into a field and type: the words are added to, not replaced
            validators=field.validators(),
            validate_on=["submitted"],  # checked as the form submits: a half-typed date is not an error
            id=widget_id,
        )

    def on_mount(self) -> None:
        for field in self.fields:
            if field.kind == "choice":
                options = self.query_one(f"#field-{field.name}", OptionList)
                values = [value for value, _ in field.choices]
                options.highlighted = values.index(field.value) if field.value in values else 0
        if self.fields:
            first = self.start_on if any(f.name == self.start_on for f in self.fields) else self.fields[0].name
            # The first field is in view already: scrolling to it would centre it in a form taller
            # than the terminal and hide the form's title above it (80x24: "Declare an incident").
            self.query_one(f"#field-{first}").focus(scroll_visible=first != self.fields[0].name)

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _enter(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        event.stop()
        self.action_submit()

    def _field(self, widget: Input | OptionList) -> Field:
        return next(field for field in self.fields if widget.id == f"field-{field.name}")

    def _typed(self) -> Field | None:
        """The first text field whose words differ from what the form opened with."""
        for field in self.fields:
            if field.kind == "text" and self.query_one(f"#field-{field.name}", Input).value.strip() != field.value.strip():
                return field
        return None

    def action_cancel(self) -> None:
        typed = self._typed()
        if typed is None:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Discard this {typed.label.lower()}?", "What you typed is lost.", yes="Discard", no="Keep editing", undoable=False
            ),
            self._discard,
        )

    def _discard(self, yes: bool | None) -> None:
        if yes:
            self.dismiss(None)

    def action_submit(self) -> None:
        values: dict[str, str] = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, OptionList):
                index = widget.highlighted
                if index is None:
                    self._complain(widget, f"choose {field.label.lower()}")
                    return
                values[field.name] = field.choices[index][0]
                continue
            assert isinstance(widget, Input)
            text = widget.value.strip()
            if (problem := problem_with(widget)) is not None:
                self._complain(widget, problem)
                return
            values[field.name] = text.replace(LINE_BREAK, " " if field.one_line else "\n")
        if self.check is not None and (found := self.check(values)) is not None:
            name, why = found
            self._complain(self.query_one(f"#field-{name}", Input), why)
            return
        self.dismiss(values)

    def _complain(self, widget: Input | OptionList, why: str) -> None:
        self._complaint = widget.id
        self.query_one("#form-error", Static).update(safe_line(why))
        widget.focus()

    @on(Input.Changed)
    def _recheck(self, event: Input.Changed) -> None:
        """A complaint lasts only as long as the answer it is about is still wrong."""
        if self._complaint == event.input.id and problem_with(event.input) is None:
            self._complaint = None
            self.query_one("#form-error", Static).update("")

    @on(FormInput.Refused)
    def _refused(self, event: FormInput.Refused) -> None:
        field = self._field(event.field)
        if field.kind == "integer":
            why = f"{field.label} takes {field.accepts}: only digits can be typed here"
        else:
            why = f"{field.label} is limited to {field.max_length} characters: the rest was not added"
        self._complain(event.field, why)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input) and self._field(event.widget).kind == "text":
            self._last_text = event.widget.id

    def on_key(self, event: events.Key) -> None:
        """Letters that reach the form itself go to a text field rather than nowhere: typed while
        a choice list has focus (straight after tab), or straight after the key that opened the
        form, before its first field had the focus (a fast typist, a burst from the terminal)."""
        _PAST_A_FORM.add(event)
        if not (event.is_printable and event.character):
            return
        focused = self.focused
        if isinstance(focused, Input):
            field = focused  # sent to the form before the focus had landed on this field
        else:
            if focused is not None and not isinstance(focused, OptionList):
                return
            target = self._last_text or next((f"field-{f.name}" for f in self.fields if f.kind == "text"), None)
            if target is None:
                return
            field = self.query_one(f"#{target}", Input)
            self.set_focus(field)
        event.prevent_default()
        event.stop()
        field.insert_text_at_cursor(event.character)


_PAST_A_FORM: weakref.WeakSet[events.Key] = weakref.WeakSet()
"""Keys that went up through a form (what ``KeysToForms`` must not send to it again)."""


class KeysToForms:
    """Mixed into the App: forms open from every screen (the board, the lobby).

    Letters typed straight after the key that opens a form (a fast typist, a burst from the
    terminal) were sent to a widget of the screen under it before the form was on top; they
    reach the App after the form opened, having never passed through it. They are the
    form's, so they go there instead of nowhere (or to a board key: q would quit). Runs
    before the App's own key handling, which checks the bindings."""

    typed_blind_before: float = 0.0
    """When a key that opens a form was last refused (``textual_private.message_clock``): the words,
    enter included, typed before the refusal showed were meant for that form, not the board
    (on a closed incident "tafter close" ran `a` and filed an action item)."""

    def on_key(self, event: events.Key) -> None:
        form = self.screen  # type: ignore[attr-defined]  # a mixin of the App, which has .screen
        if isinstance(form, FormScreen) and event.is_printable and event not in _PAST_A_FORM:
            event.stop()
            event.prevent_default()
            forward_key(form, event)
        elif event.time < self.typed_blind_before and (event.is_printable or event.key in ("enter", "backspace")):
            event.stop()
            event.prevent_default()
