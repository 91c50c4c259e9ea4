"""The numbers a team tunes: update cadence, fatigue thresholds, staleness.

They live apart from the rules because they are opinions, not invariants: the
defaults follow common incident-command practice and every one can be overridden
in ``warroom.toml`` (section ``[policy]``).
"""


from collections.abc import Iterable
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


# A year, the most a setting may be set to where a policy is given (``Policy.beyond_a_year`` for the
# CLI, ``playbook.PolicyOverrides``): a clock adds these to today's time, and 1e300 hours overflowed
# every reader. The stored model has no such bound, so a log that read before still reads (a
# config's "never", update_minutes_sev4 = 9999999, is in logs already); its clocks count at most a
# year (``capped_minutes``).
MAX_MINUTES = 365 * 24 * 60
MAX_HOURS = 365 * 24
_MAX = timedelta(minutes=MAX_MINUTES)


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    update_minutes_sev1: int | None = Field(20, ge=1, description="stakeholder update cadence at SEV1")
    update_minutes_sev2: int | None = Field(30, ge=1)
    update_minutes_sev3: int | None = Field(60, ge=1)
    update_minutes_sev4: int | None = Field(None, ge=1, description="None: no cadence")
    fatigue_warn_hours: float = Field(4.0, gt=0, allow_inf_nan=False)
    fatigue_limit_hours: float = Field(8.0, gt=0, allow_inf_nan=False)
    command_handover_minutes: int = Field(60, ge=1, description="suggest handing over command after this")
    stale_workstream_minutes: int = Field(30, ge=1)

    def update_cadence(self, severity: int) -> timedelta | None:
        minutes = getattr(self, f"update_minutes_sev{severity}", None)
        return None if minutes is None else capped_minutes(minutes)

    # the number fields as timedeltas
    @property
    def fatigue_warn(self) -> timedelta:
        return capped_hours(self.fatigue_warn_hours)

    @property
    def fatigue_limit(self) -> timedelta:
        return capped_hours(self.fatigue_limit_hours)

    @property
    def command_handover(self) -> timedelta:
        return capped_minutes(self.command_handover_minutes)

    @property
    def stale_after(self) -> timedelta:
        return capped_minutes(self.stale_workstream_minutes)

    def beyond_a_year(self, names: Iterable[str]) -> str | None:
        """The first of the settings ``names`` set past a year, said as a refusal (``None``: each is within)."""
        for name in names:
            value = getattr(self, name)
            limit = MAX_HOURS if name.endswith("_hours") else MAX_MINUTES
            if value is not None and value > limit:
                return f"invalid {name}: at most {limit} {'hours' if limit == MAX_HOURS else 'minutes'} (a year)"
        return None


def capped_minutes(minutes: float) -> timedelta:
    """``minutes`` as a timedelta, at most a year: what no clock overflows on."""
    return _MAX if minutes >= MAX_MINUTES else timedelta(minutes=minutes)


def capped_hours(hours: float) -> timedelta:
    return capped_minutes(hours * 60)


DEFAULT_POLICY = Policy.model_construct()  # the defaults, without building the validator at import
