"""The numbers a team tunes: update cadence, fatigue thresholds, staleness.

They live apart from the rules because they are opinions, not invariants: the
defaults follow common incident-command practice and every one can be overridden
in ``warroom.toml`` (section ``[policy]``).
"""


from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


# A year, the most any setting may say: a clock adds these to today's time, and a larger one
# (1e300 hours, or inf, which JSON cannot hold) would leave every reader of the log unable to.
MAX_MINUTES = 365 * 24 * 60
MAX_HOURS = 365 * 24


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    update_minutes_sev1: int | None = Field(20, ge=1, le=MAX_MINUTES, description="stakeholder update cadence at SEV1")
    update_minutes_sev2: int | None = Field(30, ge=1, le=MAX_MINUTES)
    update_minutes_sev3: int | None = Field(60, ge=1, le=MAX_MINUTES)
    update_minutes_sev4: int | None = Field(None, ge=1, le=MAX_MINUTES, description="None: no cadence")
    fatigue_warn_hours: float = Field(4.0, gt=0, le=MAX_HOURS)
    fatigue_limit_hours: float = Field(8.0, gt=0, le=MAX_HOURS)
    command_handover_minutes: int = Field(60, ge=1, le=MAX_MINUTES, description="suggest handing over command after this")
    stale_workstream_minutes: int = Field(30, ge=1, le=MAX_MINUTES)

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
