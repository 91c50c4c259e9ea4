"""The ``[alerts]`` settings: which label carries an alert's severity, and what it maps to;
which playbook an alert's incident is declared with (by hook, or by label rules).

With the domain rather than in ``warroom.config`` or ``warroom.alerts``: the alert intake
and the server take it without loading the CLI's config machinery, and ``warroom.config``
embeds it as its ``[alerts]`` section without making everything that reads the config
(the notifier among them) depend on the alert intake.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from warroom.incident.factories import empty_list
from warroom.incident.playbook import PLAYBOOK_NAME_PATTERN, Playbook

PlaybookName = Annotated[str, Field(pattern=PLAYBOOK_NAME_PATTERN)]


class PlaybookRule(BaseModel):
    """``[[alerts.playbook_rules]]``: an alert whose ``label`` is ``value`` (any case) declares with ``playbook``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    label: str
    value: str
    playbook: PlaybookName
    hook: str | None = Field(None, description="only for alerts from this hook")


class AlertsConfig(BaseModel):
    """How an alert's labels pick the severity of the incident it declares (``[alerts]`` in the config)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    severity_label: str = Field("severity", description="the alert label that carries its severity")
    severity: dict[str, Annotated[int, Field(ge=1, le=4)]] = Field(
        default_factory=lambda: {"critical": 1, "page": 1, "high": 2, "error": 2, "warning": 3, "medium": 3, "low": 4, "info": 4},
        description="label value (any case) -> SEV 1..4",
    )
    default_severity: int = Field(3, ge=1, le=4, description="when the label is missing or not in the map")
    playbooks: dict[str, PlaybookName] = Field(
        default_factory=dict, description="hook name -> the playbook its incidents are declared with (`warroom hook add --playbook`)"
    )
    playbook_rules: list[PlaybookRule] = Field(default_factory=empty_list, description="label rules, checked before the hook's playbook")
    _specs: dict[str, Playbook] = PrivateAttr(default_factory=dict)
    """The playbooks themselves, by name, given by whoever starts the receiver (``with_playbooks``)."""

    def with_playbooks(self, specs: dict[str, Playbook]) -> "AlertsConfig":
        """A copy that can declare with these playbooks (the receiver reads no playbook files itself)."""
        copy = self.model_copy()
        copy._specs = dict(specs)
        return copy

    def playbook_name_for(self, hook: str, labels: dict[str, str]) -> str | None:
        """The first label rule that matches (for this hook, or any), else the hook's own playbook."""
        for rule in self.playbook_rules:
            if rule.hook not in (None, hook):
                continue
            if labels.get(rule.label, "").strip().lower() == rule.value.strip().lower():
                return rule.playbook
        return self.playbooks.get(hook)

    def playbook_for(self, hook: str, labels: dict[str, str]) -> Playbook | None:
        """The playbook an incident this hook declares for an alert with ``labels`` starts with
        (``None``: none bound, or one the receiver was not given, which it warned about at start)."""
        name = self.playbook_name_for(hook, labels)
        return self._specs.get(name) if name else None

    def missing_playbooks(self) -> list[str]:
        """Playbooks named here that the receiver was not given."""
        named = {*self.playbooks.values(), *(rule.playbook for rule in self.playbook_rules)}
        return sorted(named - set(self._specs))

    def severity_of(self, labels: dict[str, str]) -> int:
        value = labels.get(self.severity_label, "").strip().lower()
        mapped = {k.lower(): v for k, v in self.severity.items()}.get(value)
        return mapped if mapped is not None and 1 <= mapped <= 4 else self.default_severity
