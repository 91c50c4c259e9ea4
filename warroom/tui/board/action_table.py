"""The board's actions as one table: what each checks, which form it asks, what it submits.

Every key that changes the incident follows the same steps -- find what it is about
(the highlighted workstream, the offer made to you ...: ``action_targets.py``), ask the rules before any form
opens (so a refusal is instant and names the reason), ask for words or a yes/no, build
the event bodies from the answers, submit, then do any follow-up. Each row below says
only what is particular to one action; ``controller.BoardController.run`` is the one
runner of those steps. Adding an action is a row here and a key in ``keys.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from warroom.incident.state import ActionItem
from warroom.incident import events as ev
from warroom.incident.lifecycle import still_open
from warroom.words import owner_outside

from ..screens.form_screen import FormScreen
from ..screens.board_forms import (
    IMPACT,
    NOBODY,
    WHOLE_INCIDENT,
    action_item_edit_form,
    action_item_form,
    break_form,
    broadcast_form,
    close_form,
    command_handover_form,
    component_form,
    decision_form,
    handoff_form,
    note_form,
    offer_picker,
    open_workstream_form,
    publish_form,
    reason_form,
    role_form,
    rename_form,
    severity_form,
    snooze_form,
    workstream_status_form,
)
from ..screens.info import ConfirmScreen
from ..screens.lifecycle import reopen_form, secondary_form

if TYPE_CHECKING:
    from ..board_api import Board

from .action_row import Action, ActionRow, Ask, Follow, Refusal, Values
from .action_targets import (
    highlighted_entry,
    highlighted_workstream,
    note_about,
    offer_for_me,
    someone_else_on_shift,
    workstream_to_hand_off,
)
from .checklist_actions import CHECKLIST_ACTIONS, first_update

__all__ = ["ACTIONS", "Action", "ActionRow", "Ask", "Follow", "Refusal", "Values"]


# --- follow-ups ------------------------------------------------------------------------


def _say_done(verb: str) -> Callable[[Ask], None]:
    """A toast naming the workstream a key without a form acted on ("claimed WS-2 …")."""

    def say(ask: Ask) -> None:
        ws = ask.target
        ask.board.notify(f"{verb} {ws.id} “{ws.title}”")

    return say


def _keep_cursor_on_starred(ask: Ask) -> None:
    # The star's own line was just appended: keep the cursor on the entry starred.
    entry, following = ask.target
    timeline = ask.board.timeline
    timeline.move_cursor(timeline.index_of(entry.seq) or 0)
    timeline.auto_follow = following


def _back_on_shift(ask: Ask) -> None:
    ask.board.notify("you are on shift")
    ask.board.show_catch_up(ask.since, "While you were away")


def _hand_over_first(ask: Ask, reason: str) -> Follow | None:
    """Going off shift was refused: offer the step that clears the way."""
    owned = ask.state.owned_by(ask.me)
    if owned:
        waiting = [ws for ws in owned if ws.pending is None]
        if not waiting:  # every one is offered already: nothing to do but wait for the answers
            ask.board.notify("every workstream you own is offered: going off shift waits for the answers", severity="warning")
            return None
        first = waiting[0].id
        return ConfirmScreen("You still own work", f"{reason}.", yes=f"Hand off {first}", undoable=True), "hand_off", {"ws_id": first}
    if ask.state.commander == ask.me and not ask.state.closed:
        return ConfirmScreen("You are in command", f"{reason}.", yes="Hand over command", undoable=True), "command", {}
    return None


def _take_command(ask: Ask) -> ConfirmScreen | None:
    holder = ask.state.commander
    if holder is None:
        return None
    away = ask.state.responders.get(holder)
    where = "off shift" if away is None or away.shift == "off" else "on a break"
    if away is not None and away.shift == "break" and away.back_at is not None:
        where += f" until {away.back_at:%H:%M} UTC"
    return ConfirmScreen(
        f"{holder} holds command", f"{holder} is {where}. Take command from {holder}?", yes="Take command", undoable=False
    )


def _in_command_now(ask: Ask) -> None:
    """Taking command while owning work or holding another role changed nothing else ("commander,
    deputy" with two workstreams): ask, starting on keep, whether to let them go."""
    state, me = ask.state, ask.me
    if state.commander != me:
        return
    owned = [ws.id for ws in state.owned_by(me)]
    roles = [role for role in ev.ROLES if state.roles.get(role) == me]
    if not owned and not roles:
        return
    if owned:
        held = f"still own {', '.join(owned)}" + (f" and are {' and '.join(roles)}" if roles else "")
    else:
        held = f"are still {' and '.join(roles)}"
    steps = [f"release {', '.join(owned)} (unowned: anyone on shift can claim them)"] if owned else []
    steps += [f"drop {' and '.join(roles)}"] if roles else []
    question = ConfirmScreen(
        "You are in command",
        f"You {held}. A commander coordinates rather than works a stream: "
        f"{' and '.join(steps)}?",
        yes="Let them go",
        no="Keep them",
        undoable=False,  # someone may claim a released workstream at once
    )

    async def answered(yes: bool | None) -> None:
        if not yes:
            return
        controller = ask.board.controller
        for ws_id in owned:
            await controller.submit(ev.WorkstreamReleased(workstream=ws_id))
        for role in roles:
            await controller.submit(ev.RoleCleared(role=role))

    ask.board.app.push_screen(question, answered)


def _command_taken(ask: Ask) -> None:
    ask.board.notify("you are in command")
    _in_command_now(ask)


def _break_in_command(ask: Ask) -> ConfirmScreen | None:
    if ask.state.commander != ask.me or ask.state.closed:
        return None
    return ConfirmScreen(
        "You are in command",
        "Hand over command first (i), or break anyway: command stays yours, shown as on a break, "
        "and anyone on shift can take it.",
        yes="Break anyway",
        undoable=True,  # the break form follows, and a break ends with one key
    )


def _replace_offer(ask: Ask) -> ConfirmScreen | None:
    ws = ask.target
    if ws.pending is None:
        return None
    return ConfirmScreen(
        f"{ws.id} is already offered to {ws.pending.to}", f"Replace the offer to {ws.pending.to}?", yes="Replace the offer", undoable=True
    )


def _take_over(ask: Ask) -> ConfirmScreen | None:
    # Only the commander gets past the rules here: taking work from someone is allowed, never by accident.
    ws = ask.target
    if ws.owner in (None, ask.me) or ask.room.refusal(ev.WorkstreamClaimed(workstream=ws.id)) is not None:
        return None  # claims, or says why not
    return ConfirmScreen(f"{ws.id} is owned by {ws.owner}", f"Take {ws.id} over from {ws.owner}?", yes="Take over", undoable=False)


def _note_form(ask: Ask) -> FormScreen:
    ws, likely = ask.target
    return note_form((ws.id, ws.title) if ws is not None else None, about_it=likely)


def _note(ask: Ask, v: Values) -> Iterable[ev.Body]:
    about = v.get("workstream", WHOLE_INCIDENT)
    return [
        ev.NoteAdded(text=v["text"], workstream=None if about == WHOLE_INCIDENT else about, impact=v.get("impact") == IMPACT)
    ]


def _owner_outside(ask: Ask, v: Values) -> ConfirmScreen | None:
    """Owners can be outside the room, but a name nobody here answers to is more often a typo."""
    try:
        owner = ev.ActionItemAdded(text="x", owner=v["owner"] or None).owner
    except ValueError:
        return None  # a malformed handle: submitting says what is wrong with it
    if isinstance(ask.target, ActionItem) and owner == ask.target.owner:
        return None  # an edit that keeps the owner asks nothing about them
    warning = owner_outside(ask.state, owner)
    if warning is None:
        return None
    verb = "Give it to" if isinstance(ask.target, ActionItem) else "Add it for"
    return ConfirmScreen(
        f"{owner} is not in the room",
        f"{warning}. Action items may be owned by someone outside the incident: {verb.lower()} {owner} anyway?",
        yes=f"{verb} {owner}",
        no="Change the owner",
        undoable=False,  # an action item is never deleted, only marked won't do
    )


def _item_to_edit(board: Board, item: str) -> ActionItem:
    found = board.state.action_item(item)
    if found is None:
        raise Refusal(f"there is no action item {item}")
    return found


def _edit_form(ask: Ask) -> FormScreen:
    item: ActionItem = ask.target
    answers = dict(ask.answers) or {"text": item.text, "owner": item.owner or "", "due": f"{item.due:%Y-%m-%d}" if item.due else ""}
    return action_item_edit_form(item.id, answers["text"], answers["owner"], answers["due"], start_on=ask.revisit)


def _edited(ask: Ask, v: Values) -> Iterable[ev.Body]:
    due = date.fromisoformat(v["due"]) if v["due"] else None  # the form checked it
    return [ev.ActionItemEdited(item=ask.target.id, text=v["text"], owner=v["owner"] or None, due=due)]


def _action_item(board: Board, item: str, status: str):
    found = board.state.action_item(item)
    if found is None:
        raise Refusal(f"there is no action item {item}")
    return found, status


def _close_with_open_work(ask: Ask) -> ConfirmScreen | None:
    still = still_open(ask.state)
    if not still:
        return None
    listing = "\n".join(f"• {line}" for line in still)
    return ConfirmScreen(f"{ask.state.id} still has open work", f"{listing}\n\nClose it anyway?", yes="Close anyway", undoable=False)


async def _declare_secondary(ask: Ask, v: Values) -> None:
    """Declare a new incident and link it, caused by this one, in both logs; the board stays here."""
    from warroom.links import link_incidents
    from warroom.store import Rejected, StoreError
    from warroom.store.base import next_free_id

    board, store, primary = ask.board, ask.room.store, ask.state.id
    try:
        for attempt in range(20):
            secondary = await next_free_id(store, bump=attempt)
            body = ev.IncidentDeclared(incident_id=secondary, title=v["title"], severity=int(v["severity"]), policy=ask.room.defaults)
            try:
                await store.append(secondary, ev.EventDraft(actor=ask.me, body=body))
                break
            except Rejected:
                continue  # someone declared that id a moment ago: take the next
        else:
            raise StoreError("could not find a free incident id")
        await link_incidents(store, ask.me, secondary, primary, "caused-by")
    except StoreError as error:
        board.notify(f"declaring a secondary incident failed: {error}", severity="error", timeout=20)
        return
    board.sync()
    board.notify(f"declared {secondary}, caused by {primary}; you command it: warroom join {secondary}", title="secondary incident", timeout=30)


def _severity_and_status(ask: Ask, v: Values) -> Iterable[ev.Body]:
    """Only what changed is recorded."""
    if int(v["severity"]) != ask.state.severity:
        yield ev.SeverityChanged(severity=int(v["severity"]))
    if v["status"] != ask.state.status:
        yield ev.StatusChanged(status=v["status"])


def _published(ask: Ask, v: Values) -> Iterable[ev.Body]:
    """Only what changed; the first publish always (its empty title means the default one)."""
    state = ask.state
    title = v["title"].strip() or None
    summary = v["summary"].strip()
    if not state.published:
        return [ev.IncidentPublished(title=title, summary=summary or None)]
    title_changed = title is not None and title != state.public_title
    summary_changed = summary != state.public_summary
    if not (title_changed or summary_changed):
        return []
    return [ev.IncidentPublished(title=title if title_changed else None, summary=summary if summary_changed else None)]


def _component_names(board: Board) -> list[str]:
    """The target of C: the configured components (refused when there are none)."""
    names = [component.name for component in board.config.component]
    if not names:
        raise Refusal("no components: add [[component]] tables to your config to say what is affected")
    return names


def _role(ask: Ask, v: Values) -> Iterable[ev.Body]:
    if v["handle"] == NOBODY:
        return [ev.RoleCleared(role=v["role"])]
    return [ev.RoleAssigned(role=v["role"], handle=v["handle"])]


def _answer(accept: bool) -> Action:
    def bodies(ask: Ask, v: Values) -> Iterable[ev.Body]:
        offer = v.get("offer", ask.target)
        if offer == "command":
            return [ev.CommandHandoverAccepted() if accept else ev.CommandHandoverDeclined()]
        return [ev.HandoffAccepted(workstream=offer) if accept else ev.HandoffDeclined(workstream=offer)]

    def picker(ask: Ask) -> FormScreen | None:
        return offer_picker(ask.target, accept) if isinstance(ask.target, list) else None

    def answered(ask: Ask) -> None:
        ask.board.app.clear_notifications()
        if accept and ask.answers.get("offer", ask.target) == "command":
            _in_command_now(ask)

    return Action(target=offer_for_me, form=picker, submit=bodies, done=answered)


def _probe_role(ask: Ask) -> list[ev.Body]:
    role = next((r for r in ev.ROLES if ask.state.roles.get(r) != ask.me), "deputy")
    return [ev.RoleAssigned(role=role, handle=ask.me)]


# --- the table ---------------------------------------------------------------------------

_ASSUME_COMMAND = Action(
    probes=lambda a: [ev.CommandAssumed()],
    confirm=_take_command,
    submit=lambda a, v: [ev.CommandAssumed()],
    done=_command_taken,
)
_HAND_OVER_COMMAND = Action(
    target=someone_else_on_shift,
    probes=lambda a: [ev.CommandHandoverOffered(to=a.others[0])],
    form=lambda a: command_handover_form(a.others),
    submit=lambda a, v: [ev.CommandHandoverOffered(to=v["to"], note=v["note"])],
)
_COME_BACK = Action(submit=lambda a, v: [ev.ShiftChanged(shift="on")], done=_back_on_shift)
_GO_OFF = Action(
    probes=lambda a: [ev.ShiftChanged(shift="off")],
    when_refused=_hand_over_first,
    submit=lambda a, v: [ev.ShiftChanged(shift="off")],
    done=lambda a: a.board.notify("you are off shift; the board stays open (q leaves it)"),
)

ACTIONS: dict[str, ActionRow] = {
    "open_workstream": Action(
        probes=lambda a: [ev.WorkstreamOpened(title="probe")],
        form=lambda a: open_workstream_form(),
        submit=lambda a, v: [ev.WorkstreamOpened(title=v["title"])],
        done=lambda a: a.board.workstreams.move_cursor(row=a.board.workstreams.row_count - 1),
    ),
    "claim": Action(
        target=highlighted_workstream,
        confirm=_take_over,
        submit=lambda a, v: [ev.WorkstreamClaimed(workstream=a.target.id)],
        done=_say_done("claimed"),
    ),
    "release": Action(
        target=highlighted_workstream,
        submit=lambda a, v: [ev.WorkstreamReleased(workstream=a.target.id)],
        done=_say_done("released"),
    ),
    "hand_off": Action(
        target=workstream_to_hand_off,
        probes=lambda a: [ev.HandoffOffered(workstream=a.target.id, to=a.others[0], replace=a.target.pending is not None)],
        form=lambda a: handoff_form(a.target.id, a.target.title, a.others),
        confirm=_replace_offer,
        submit=lambda a, v: [
            ev.HandoffOffered(workstream=a.target.id, to=v["to"], note=v["note"], replace=a.target.pending is not None)
        ],
    ),
    "accept": _answer(True),
    "decline": _answer(False),
    "workstream_status": Action(
        target=highlighted_workstream,
        probes=lambda a: [ev.WorkstreamStatusSet(workstream=a.target.id, status=a.target.status, note="probe")],
        form=lambda a: workstream_status_form(a.target.id, a.target.title, a.target.status),
        submit=lambda a, v: [ev.WorkstreamStatusSet(workstream=a.target.id, status=v["status"], note=v["note"])],
    ),
    "note": Action(
        target=note_about,
        probes=lambda a: [ev.NoteAdded(text="probe")],  # a closed incident says no before anything is typed
        form=_note_form,
        submit=_note,
    ),
    "decide": Action(
        probes=lambda a: [ev.DecisionMade(text="probe")],
        form=lambda a: decision_form(),
        submit=lambda a, v: [ev.DecisionMade(text=v["text"], why=v["why"], alternatives=v["alternatives"])],
    ),
    "star": Action(
        target=highlighted_entry,
        submit=lambda a, v: [ev.EntryStarred(target=a.target[0].seq, starred=not a.target[0].starred)],
        done=_keep_cursor_on_starred,
    ),
    "take_break": Action(
        probes=lambda a: [ev.ShiftChanged(shift="break", minutes=15)],
        confirm=_break_in_command,
        form=lambda a: break_form(),
        submit=lambda a, v: [ev.ShiftChanged(shift="break", minutes=int(v["minutes"]))],
    ),
    "toggle_shift": lambda a: _COME_BACK if (a.state.shift_of(a.me) or "on") != "on" else _GO_OFF,
    "broadcast": Action(
        # Comms may update stakeholders without being in command: refused only if both are.
        probes=lambda a: [ev.BroadcastSent(text="probe", audience="stakeholders"), ev.BroadcastSent(text="probe")],
        form=lambda a: broadcast_form(first_update(a.state), published=a.state.published),
        submit=lambda a, v: [ev.BroadcastSent(text=v["text"], audience=v["audience"])],
    ),
    "command": lambda a: _HAND_OVER_COMMAND if a.state.commander == a.me else _ASSUME_COMMAND,
    "severity": Action(
        probes=lambda a: [ev.SeverityChanged(severity=1 if a.state.severity != 1 else 2)],
        form=lambda a: severity_form(a.state.severity, a.state.status),
        submit=_severity_and_status,
    ),
    "rename": Action(
        probes=lambda a: [ev.IncidentRenamed(title="probe" if a.state.title != "probe" else "probe 2")],
        form=lambda a: rename_form(a.state.title),
        submit=lambda a, v: [ev.IncidentRenamed(title=v["title"])],
    ),
    "publish": Action(
        probes=lambda a: [ev.IncidentPublished(title="probe" if a.state.public_title != "probe" else "probe 2")],
        form=lambda a: publish_form(a.state),
        submit=_published,
    ),
    "components": Action(
        target=_component_names,
        probes=lambda a: [ev.ComponentImpactSet(component=name, impact="major") for name in a.target],
        form=lambda a: component_form(a.target, ev.COMPONENT_IMPACTS),
        submit=lambda a, v: [ev.ComponentImpactSet(component=v["component"], impact=v["impact"])],
    ),
    "assign_role": Action(
        probes=_probe_role,
        form=lambda a: role_form([r.handle for r in a.state.on_shift()]),
        submit=_role,
    ),
    "snooze": Action(
        probes=lambda a: [ev.UpdateSnoozed(minutes=10)],
        form=lambda a: snooze_form(),
        submit=lambda a, v: [ev.UpdateSnoozed(minutes=int(v["minutes"]))],
    ),
    "action_item": Action(
        form=lambda a: action_item_form(**a.answers, start_on=a.revisit),
        confirm_answers=_owner_outside,
        revisit="owner",
        submit=lambda a, v: [
            ev.ActionItemAdded(
                text=v["text"], owner=v["owner"] or None, kind=v["kind"], due=date.fromisoformat(v["due"]) if v["due"] else None
            )
        ],
    ),
    "action_item_edit": Action(
        target=_item_to_edit,
        probes=lambda a: [ev.ActionItemEdited(item=a.target.id, text="probe" if a.target.text != "probe" else "probe 2")],
        form=_edit_form,
        confirm_answers=_owner_outside,
        revisit="owner",
        submit=_edited,
    ),
    "action_item_status": Action(
        target=_action_item,
        probes=lambda a: [ev.ActionItemStatusSet(item=a.target[0].id, status=a.target[1], reason="probe")],
        form=lambda a: reason_form(a.target[0].id, a.target[0].text) if a.target[1] == "wont_do" else None,
        submit=lambda a, v: [ev.ActionItemStatusSet(item=a.target[0].id, status=a.target[1], reason=v.get("reason", ""))],
    ),
    "close_incident": Action(
        probes=lambda a: [ev.IncidentClosed()],
        confirm=_close_with_open_work,
        form=lambda a: close_form(a.state.id),
        submit=lambda a, v: [ev.IncidentClosed(summary=v["summary"])],
        done=lambda a: a.board.action_export(),
    ),
    "reopen": Action(
        probes=lambda a: [ev.IncidentReopened(reason="probe")],
        form=lambda a: reopen_form(a.state.id),
        submit=lambda a, v: [ev.IncidentReopened(reason=v["reason"])],
        done=lambda a: a.board.notify(f"{a.state.id} is open again"),
    ),
    "declare_secondary": Action(form=lambda a: secondary_form(a.state.id), submit=lambda a, v: [], run=_declare_secondary),
    **CHECKLIST_ACTIONS,
}
