"""The declare forms' playbook choice (lobby ``n``, and the board of an id not yet declared).

The playbook files are read when a form opens (a few small TOML files), so one added a
minute ago is offered; a bad one is left out and said once, never a stop. The form's
severity starts on "the playbook's", as ``warroom declare --playbook`` without ``--sev``:
a data-loss incident declared from the board is a SEV1, not the form's SEV3; a severity
picked in the form still wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from warroom.incident import Policy
from warroom.incident import events as ev
from warroom.incident.playbook import Playbook
from warroom.playbooks import LoadedPlaybooks, load_playbooks

from .screens.form_screen import Field

NO_PLAYBOOK = "-"
PLAYBOOK_SEVERITY = "playbook"
DEFAULT_SEVERITY = 3
"""Without a playbook, and for ``warroom declare`` without ``--sev`` or ``--playbook``."""


def loaded_playbooks(warn: Callable[[str], None]) -> LoadedPlaybooks:
    loaded = load_playbooks()
    for problem in loaded.problems:
        warn(f"playbook left out: {problem}")
    return loaded


def playbook_field(loaded: LoadedPlaybooks) -> Field:
    """The playbook to declare with, each shown with the severity it suggests."""
    choices = [(NO_PLAYBOOK, "none")]
    choices += [(name, f"{name} (SEV{p.severity})") for name, p in sorted(loaded.playbooks.items())]
    return Field("playbook", "Playbook", "choice", value=NO_PLAYBOOK, choices=tuple(choices))


def severity_field() -> Field:
    """The severity to declare at: the chosen playbook's unless one is picked."""
    choices = [(PLAYBOOK_SEVERITY, f"the playbook's (SEV{DEFAULT_SEVERITY} with none)")]
    choices += [(str(n), f"SEV{n}") for n in range(1, 5)]
    return Field("severity", "Severity", "choice", value=PLAYBOOK_SEVERITY, choices=tuple(choices))


def declaration(
    incident_id: str, values: Mapping[str, str], loaded: LoadedPlaybooks, policy: Policy, *, drill: bool = False, published: bool = False
) -> ev.IncidentDeclared:
    """The declaration the form's answers make: the playbook copied in, with its policy overrides
    (``published``: ``[status] publish_on_declare``)."""
    playbook: Playbook | None = loaded.playbooks.get(values.get("playbook", NO_PLAYBOOK))
    picked = values.get("severity", PLAYBOOK_SEVERITY)
    if picked != PLAYBOOK_SEVERITY:
        severity = int(picked)
    else:
        severity = playbook.severity if playbook else DEFAULT_SEVERITY
    return ev.IncidentDeclared(
        incident_id=incident_id,
        title=values["title"],
        severity=severity,
        drill=drill,
        policy=playbook.with_policy(policy) if playbook else policy,
        playbook=playbook,
        published=published,
    )
