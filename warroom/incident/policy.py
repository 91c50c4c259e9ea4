"""The numbers a team tunes: update cadence, fatigue thresholds, staleness.

They live apart from the rules because they are opinions, not invariants: the
defaults follow common incident-command practice and every one can be overridden
in ``warroom.toml`` (section ``[policy]``).
"""


from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    update_minutes_sev1: int | None = Field(20, ge=1, description="stakeholder update cadence at SEV1")
    update_minutes_sev2: int | None = Field(30, ge=1)
    update_minutes_sev3: int | None = Field(60, ge=1)
    update_minutes_sev4: int | None = Field(None, ge=1, description="None: no cadence")
    fatigue_warn_hours: float = Field(4.0, gt=0)
    fatigue_limit_hours: float = Field(8.0, gt=0)
    command_handover_minutes: int = Field(60, ge=1, description="suggest handing over command after this")
    stale_workstream_minutes: int = Field(30, ge=1)

    def update_cadence(self, severity: int) -> timedelta | None:
        minutes = getattr(self, f"update_minutes_sev{severity}", None)
        return None if minutes is None else timedelta(minutes=minutes)

    # the number fields as timedeltas
    @property
    def fatigue_warn(self) -> timedelta:
        return timedelta(hours=self.fatigue_warn_hours)

    @property
    def fatigue_limit(self) -> timedelta:
        return timedelta(hours=self.fatigue_limit_hours)

    @property
    def command_handover(self) -> timedelta:
        return timedelta(minutes=self.command_handover_minutes)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(minutes=self.stale_workstream_minutes)


DEFAULT_POLICY = Policy.model_construct()  # the defaults, without building the validator at import
