"""Retention of the audit record: at least six years.

HIPAA (45 CFR 164.316(b)(2)) keeps required documentation for six years from its
creation. A shorter configured retention would silently destroy evidence a practice may
need for a breach investigation, so it is refused at start-up rather than obeyed.
"""

from __future__ import annotations

from datetime import datetime

from audit.domain.clock import as_utc

MINIMUM_RETENTION_YEARS = 6
DEFAULT_RETENTION_YEARS = MINIMUM_RETENTION_YEARS


class RetentionTooShort(ValueError):
    """A configured retention below the legal minimum."""


def check_retention_years(years: int) -> int:
    """Return ``years`` when it keeps records at least six years; refuse anything shorter."""
    if isinstance(years, bool) or not isinstance(years, int):
        raise RetentionTooShort(f"audit retention must be a whole number of years, got {years!r}")
    if years < MINIMUM_RETENTION_YEARS:
        raise RetentionTooShort(
            f"audit retention of {years} years is shorter than the required "
            f"{MINIMUM_RETENTION_YEARS}; set it to {MINIMUM_RETENTION_YEARS} or more"
        )
    return years


def retained_until(recorded_at: datetime, years: int) -> datetime:
    """The first moment a record may be purged; 29 February moves to 1 March, never earlier."""
    recorded_at = as_utc(recorded_at, "recorded_at")
    years = check_retention_years(years)
    try:
        return recorded_at.replace(year=recorded_at.year + years)
    except ValueError:  # 29 February in a year that has none
        return recorded_at.replace(year=recorded_at.year + years, month=3, day=1)


def may_purge(recorded_at: datetime, now: datetime, years: int = DEFAULT_RETENTION_YEARS) -> bool:
    return as_utc(now, "now") >= retained_until(recorded_at, years)
