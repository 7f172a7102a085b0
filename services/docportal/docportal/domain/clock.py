"""Time handling for the rules: every moment the domain sees is UTC-aware."""

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; a naive datetime is a programming error, not a user's."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time would silently compare against the wrong zone and move the
        # 24-hour claim window by hours, so refuse it loudly.
        raise ValueError(f"expected a timezone-aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC)
