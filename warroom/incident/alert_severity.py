"""The ``[alerts]`` settings: which label carries an alert's severity, and what it maps to.

With the domain rather than in ``warroom.config`` or ``warroom.alerts``: the alert intake
and the server take it without loading the CLI's config machinery, and ``warroom.config``
embeds it as its ``[alerts]`` section without making everything that reads the config
(the notifier among them) depend on the alert intake.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class AlertsConfig(BaseModel):
    """How an alert's labels pick the severity of the incident it declares (``[alerts]`` in the config)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    severity_label: str = Field("severity", description="the alert label that carries its severity")
    severity: dict[str, Annotated[int, Field(ge=1, le=4)]] = Field(
        default_factory=lambda: {"critical": 1, "page": 1, "high": 2, "error": 2, "warning": 3, "medium": 3, "low": 4, "info": 4},
        description="label value (any case) -> SEV 1..4",
    )
    default_severity: int = Field(3, ge=1, le=4, description="when the label is missing or not in the map")

    def severity_of(self, labels: dict[str, str]) -> int:
        value = labels.get(self.severity_label, "").strip().lower()
        mapped = {k.lower(): v for k, v in self.severity.items()}.get(value)
        return mapped if mapped is not None and 1 <= mapped <= 4 else self.default_severity
