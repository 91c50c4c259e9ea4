"""The declare forms' playbook choice (lobby ``n``, and the board of an id not yet declared).

The playbook files are read when a form opens (a few small TOML files), so one added a
minute ago is offered; a bad one is left out and said once, never a stop. The form's
severity is the incident's (each playbook's own is shown beside its name to pick from).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from warroom.incident import Policy
from warroom.incident import events as ev
from warroom.incident.playbook import Playbook
from warroom.playbooks import LoadedPlaybooks, load_playbooks

from .screens.form_screen import Field

NO_PLAYBOOK = "-"


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


def declaration(
    incident_id: str, values: Mapping[str, str], loaded: LoadedPlaybooks, policy: Policy, *, drill: bool = False
) -> ev.IncidentDeclared:
    """The declaration the form's answers make: the playbook copied in, with its policy overrides."""
    playbook: Playbook | None = loaded.playbooks.get(values.get("playbook", NO_PLAYBOOK))
    return ev.IncidentDeclared(
        incident_id=incident_id,
        title=values["title"],
        severity=int(values["severity"]),
        drill=drill,
        policy=playbook.with_policy(policy) if playbook else policy,
        playbook=playbook,
    )
