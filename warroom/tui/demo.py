"""``warroom demo``: a living incident for a newcomer to watch and join.

The demo writes to a fresh temporary folder (never the user's real store), seeds an
incident -- an automation change started expiring customer data objects -- and runs a
few simulated responders. Each acts through its own ``Room`` exactly as a person at
another board would: claims, hand-offs, breaks, notes, broadcasts, all checked by the
same rules. The story comes first (stop the rule, restore, verify, tell customers);
after it the responders keep up a steady murmur of notes and status updates. They
accept what is handed to them, and one of them hands the newcomer some work.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.incident import events as ev
from warroom.room import Room
from warroom.safetext import safe_line
from warroom.store import EventStore, FileStore, StoreError

if TYPE_CHECKING:
    from warroom.session import Session

DEMO_INCIDENT = "DEMO-1"
COMMANDER = "dana"
BOTS = ("dana", "raj", "mei", "sam")
TITLE = "Automation change is expiring customer data objects"
WORKSTREAMS = (
    "Stop the lifecycle rule",
    "Restore expired objects",
    "Verify restored data",
    "Talk to affected customers",
)

Step = Callable[["Simulation"], tuple[str, ev.Body] | None]

_NOTES = {
    "raj": [
        "No new expirations in the last 5 minutes (metric objects_expired_total flat)",
        "Change freeze on storage-automation repo until further notice",
        "CHG-1182 diff: prefix filter removed from rule expire-30d",
    ],
    "mei": [
        "us-east restore at 40%, eu-west queued",
        "Restore throughput limited by per-bucket rate limit; raised ticket with storage team",
        "Spot-checked 20 restored objects: checksums match",
    ],
    "sam": [
        "Support has 14 tickets mentioning missing files so far",
        "Status page draft ready for review",
        "Account managers for top 10 affected customers briefed",
    ],
    "dana": [
        "Holding severity until restore rate is known",
        "Reminder: notes with times please, this will be the post-mortem",
    ],
}


def seed_events(incident_id: str = DEMO_INCIDENT) -> list[tuple[str, ev.Body]]:
    """The first minutes of the incident, already on the board when the newcomer arrives."""
    return [
        (COMMANDER, ev.IncidentDeclared(incident_id=incident_id, title=TITLE, severity=2, drill=True)),
        ("raj", ev.ResponderJoined()),
        ("mei", ev.ResponderJoined()),
        ("sam", ev.ResponderJoined()),
        (COMMANDER, ev.NoteAdded(text="Support reports customers' files disappearing since ~09:15 UTC")),
        *[(COMMANDER, ev.WorkstreamOpened(title=title)) for title in WORKSTREAMS],
        ("raj", ev.WorkstreamClaimed(workstream="WS-1")),
        ("raj", ev.NoteAdded(text="Suspect change CHG-1182 (storage lifecycle automation) deployed 09:12")),
        ("mei", ev.WorkstreamClaimed(workstream="WS-2")),
        (COMMANDER, ev.RoleAssigned(role="comms", handle="sam")),
        (
            COMMANDER,
            ev.BroadcastSent(text="WS-1 stop the rule first; nobody deletes or restores by hand until raj says so"),
        ),
    ]


def _story() -> list[Step]:
    def by(actor: str, body: ev.Body) -> Step:
        return lambda sim: (actor, body)

    return [
        by("raj", ev.WorkstreamStatusSet(workstream="WS-1", status="active", note="CHG-1182 widened expire-30d to all buckets")),
        by(COMMANDER, ev.SeverityChanged(severity=1)),
        by(
            COMMANDER,
            ev.BroadcastSent(
                text="SEV1: an automation change is expiring customer objects. Disabling the rule; restore next.",
                audience="stakeholders",
            ),
        ),
        by("raj", ev.NoteAdded(text="Lifecycle rule expire-30d disabled in all regions", star=True, workstream="WS-1")),
        by("raj", ev.WorkstreamStatusSet(workstream="WS-1", status="done", note="rule disabled, expirations stopped")),
        by(COMMANDER, ev.StatusChanged(status="identified")),
        by("mei", ev.NoteAdded(text="Versioning is on for 96% of affected buckets: restoring from noncurrent versions", workstream="WS-2")),
        by("sam", ev.WorkstreamClaimed(workstream="WS-4")),
        by(
            "mei",
            ev.HandoffOffered(
                workstream="WS-2", to="raj", note="restore job 7731 running in us-east; eu-west next (runbook step 4)"
            ),
        ),
        lambda sim: sim.take_break("mei", 2),
        by("raj", ev.WorkstreamClaimed(workstream="WS-3")),
        lambda sim: sim.offer_to_newcomer(),
        by(COMMANDER, ev.WorkstreamOpened(title="Find buckets without versioning")),
        by("sam", ev.NoteAdded(text="Customer notice drafted: explains the cause, the restore, and what to check")),
        by(COMMANDER, ev.StatusChanged(status="mitigated")),
        by(
            COMMANDER,
            ev.ActionItemAdded(
                text="Lifecycle-rule changes touching more than 10 buckets need a second reviewer",
                owner="raj",
                kind="preventative",
            ),
        ),
    ]


class Simulation:
    """Simulated responders acting every few seconds, each through its own ``Room``."""

    def __init__(
        self,
        store: EventStore,
        incident_id: str = DEMO_INCIDENT,
        newcomer: str | None = None,
        *,
        rng: random.Random | None = None,
        pace: float = 1.0,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ):
        self.store = store
        self.incident_id = incident_id
        self.newcomer = newcomer
        self.rng = rng or random.Random()
        self.pace = pace
        self.clock = clock
        self.rooms = {bot: Room(store, incident_id, bot) for bot in BOTS}
        self.story = _story()
        self.offered_newcomer = False
        self.done: list[str] = []
        """What the responders did, as "actor: event type" (for tests and curiosity)."""

    async def run(self, _app: object = None) -> None:
        while True:
            await asyncio.sleep(self.rng.uniform(2.0, 5.0) / self.pace)
            await self.step()

    async def step(self) -> bool:
        """One beat: answer pending offers, return from breaks, else the next story or filler move."""
        for room in self.rooms.values():
            try:
                await room.load()
            except StoreError:
                return False
        for move in (self._answer_offers, self._return_from_breaks):
            if await self._try(move()):
                return True
        while self.story:
            if await self._try(self.story.pop(0)(self)):
                return True
        return await self._try(self._filler())

    async def _try(self, move: tuple[str, ev.Body] | None) -> bool:
        if move is None:
            return False
        actor, body = move
        room = self.rooms[actor]
        if room.refusal(body) is not None:
            return False
        try:
            await room.submit(body)
        except StoreError:
            return False
        self.done.append(f"{actor}: {body.type}")
        return True

    @property
    def state(self):  # noqa: ANN201 - any room's state; all are caught up before a step
        return self.rooms[COMMANDER].state

    def _answer_offers(self) -> tuple[str, ev.Body] | None:
        state = self.state
        for ws in state.workstreams.values():
            if ws.pending and ws.pending.to in self.rooms and state.shift_of(ws.pending.to) == "on":
                return ws.pending.to, ev.HandoffAccepted(workstream=ws.id)
        offer = state.command_offer
        if offer and offer.to in self.rooms:
            return offer.to, ev.CommandHandoverAccepted()
        return None

    def _return_from_breaks(self) -> tuple[str, ev.Body] | None:
        now = self.clock()
        for bot in BOTS:
            r = self.state.responders.get(bot)
            if r and r.shift == "break" and r.back_at and r.back_at <= now:
                return bot, ev.ShiftChanged(shift="on")
        return None

    def take_break(self, bot: str, minutes: int) -> tuple[str, ev.Body] | None:
        if self.state.owned_by(bot):
            return None
        return bot, ev.ShiftChanged(shift="break", minutes=minutes)

    def offer_to_newcomer(self) -> tuple[str, ev.Body] | None:
        """Hand the newcomer the customer workstream, so they see a hand-off arrive."""
        state = self.state
        if self.offered_newcomer or not self.newcomer or state.shift_of(self.newcomer) != "on":
            return None
        ws = state.workstream("WS-4")
        if ws is None or ws.owner != "sam" or ws.pending:
            return None
        self.offered_newcomer = True
        return "sam", ev.HandoffOffered(
            workstream="WS-4",
            to=self.newcomer,
            note="customer notice is drafted in the comms doc; needs a review and a send (y to accept)",
        )

    def _filler(self) -> tuple[str, ev.Body] | None:
        state = self.state
        on_shift = [bot for bot in BOTS if state.shift_of(bot) == "on"]
        if not on_shift:
            return None
        bot = self.rng.choice(on_shift)
        roll = self.rng.random()
        owned = state.owned_by(bot)
        if roll < 0.5:
            return bot, ev.NoteAdded(text=self.rng.choice(_NOTES[bot]))
        if roll < 0.7 and owned:
            ws = self.rng.choice(owned)
            return bot, ev.WorkstreamStatusSet(workstream=ws.id, status="active", note="still on it")
        if roll < 0.8:
            free = [ws for ws in state.workstreams.values() if ws.owner is None and ws.status != "done"]
            if free:
                return bot, ev.WorkstreamClaimed(workstream=free[0].id)
        if roll < 0.9 and not owned and bot != COMMANDER:
            return self.take_break(bot, self.rng.randint(1, 3))
        return bot, ev.NoteAdded(text=self.rng.choice(_NOTES[bot]))


def seed(store: FileStore, incident_id: str = DEMO_INCIDENT) -> None:
    for actor, body in seed_events(incident_id):
        store.append_sync(incident_id, ev.EventDraft(actor=actor, body=body))


def run_demo(ctx: Session, *, folder: str | None = None, pace: float = 1.0, rng_seed: int | None = None) -> int:
    """Seed a throwaway store, start the simulated responders, and open the board as you."""
    import sys

    from .app import WarroomApp
    from .board.screen import BoardScreen

    handle = ctx.handle
    if handle in BOTS:
        print(f"warroom: {handle} is one of the demo's simulated responders; pick another --as", file=sys.stderr)
        return 2
    where = Path(folder).expanduser() if folder else Path(tempfile.mkdtemp(prefix="warroom-demo-"))
    store = FileStore(where)
    if not store.path_for(DEMO_INCIDENT).exists():
        seed(store)
    simulation = Simulation(store, newcomer=handle, pace=pace, rng=random.Random(rng_seed))
    room = Room(store, DEMO_INCIDENT, handle, ctx.config.policy)
    app = WarroomApp(lambda: BoardScreen(room, ctx.config, simulation=simulation.run, export_folder=where / "exports"), ctx.config)
    app.run()
    print(safe_line(f"demo store: {where} (browse it: warroom show {DEMO_INCIDENT} --store {where})"))
    if app.exit_message:
        print(f"warroom: {safe_line(app.exit_message)}", file=sys.stderr)
    return app.return_code or 0
