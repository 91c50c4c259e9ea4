"""Linking two incidents: one fact, written into both logs, by the CLI and the board alike.

A link is two appends, one per log, and the second can fail after the first succeeded
(the server goes away, the share unmounts). So the order and the ids are chosen to make
a half-written link safe and finishable:

- The first half goes into the log of the incident the actor commands (the rule there
  checks it); the second is a ``mirror``, which the authority stores only when the first
  is already in the other log. Nobody can write a one-sided link into an incident they
  do not command.
- A link is idempotent by its content, not by a guessable id: a half already recorded is
  skipped, and the rules refuse a second link between the same two incidents. Running the
  same link again therefore finishes a half-written one and never records anything twice;
  a retry of the same append (same draft, same fresh id) returns the original. The ids are
  fresh because one anyone can compute could be claimed first by a note (409 for ever).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warroom.incident import EventDraft, IncidentState, StoredEvent
from warroom.incident import events as ev
from warroom.incident.lifecycle import INVERSE_KIND
from warroom.incident.sentences import describe
from warroom.store import EventStore, Rejected, StoreError, checked_incident_id


@dataclass(slots=True)
class Linked:
    """What ``link_incidents`` did: each half written now, as (incident, stored event, sentence)."""

    written: list[tuple[str, StoredEvent, str]] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    """Incidents whose log already held their half."""


class HalfLinked(StoreError):
    """The first half is recorded, the second is not: running the same link again finishes it."""


async def link_incidents(store: EventStore, actor: str, this: str, other: str, kind: str) -> Linked:
    """Link ``this`` to ``other`` (``kind`` seen from ``this``: caused-by, related, duplicate-of)
    in both logs; ``actor`` must command one of them. Raises ``Rejected`` or ``HalfLinked``."""
    this, other = checked_incident_id(this), checked_incident_id(other)
    if this == other:
        raise Rejected(f"{this} cannot be linked to itself")
    states = {this: await store.load_state(this), other: await store.load_state(other)}
    kinds = {this: kind, other: INVERSE_KIND[kind]}
    for incident_id, state in states.items():
        known = state.link_to(other if incident_id == this else this)
        if known is not None and known.kind != kinds[incident_id]:
            raise Rejected(f"{incident_id} is already linked to {known.incident} ({known.kind})")
    sides = [this, other]
    if states[this].commander != actor and states[other].commander == actor:
        sides.reverse()  # the first half goes where the actor commands
    done = Linked()
    first, second = sides
    for incident_id in (first, second):
        state, peer = states[incident_id], second if incident_id == first else first
        if state.link_to(peer) is not None:
            done.already.append(incident_id)
            continue
        mirror = incident_id == second or states[peer].link_to(incident_id) is not None
        body = ev.IncidentLinked(
            incident=peer,
            kind=kinds[incident_id],
            title=states[peer].title,
            started=states[peer].key_times.get("started") or states[peer].declared_at,
            mirror=mirror,
        )
        try:
            stored = await _append(store, state, incident_id, actor, body)
        except StoreError as error:
            if incident_id == second and done.written:
                raise HalfLinked(
                    f"linked in {first}, but recording it in {second} failed: {error} "
                    "(run the same link again to finish it: it is never recorded twice)"
                ) from error
            raise
        done.written.append((incident_id, stored, describe(state, stored)))
    return done


async def _append(store: EventStore, state: IncidentState, incident_id: str, actor: str, body: ev.IncidentLinked) -> StoredEvent:
    from warroom.incident import check

    if (refusal := check(state, actor, body)) is not None:
        if refusal.startswith("only the commander"):
            refusal = f"only the commander of {incident_id} or of {body.incident} can link them ({state.commander or 'nobody'} commands {incident_id})"
        raise Rejected(refusal)
    draft = EventDraft(actor=actor, body=body)
    return await store.append(incident_id, draft)
