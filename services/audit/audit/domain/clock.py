"""Time enters the audit domain from the caller, always timezone-aware and kept in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime, name: str = "moment") -> datetime:
    """Return ``moment`` in UTC; a naive datetime is a caller bug, so it is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time compares against the wrong zone and shifts grant windows and
        # burst windows by hours, so refuse it loudly instead of guessing.
        raise ValueError(f"{name} must be a timezone-aware datetime (UTC), got {moment!r}")
    return moment.astimezone(UTC)


def parse_utc(text: str, name: str = "timestamp") -> datetime:
    """Parse an ISO 8601 timestamp from an event; it must carry its offset."""
    return as_utc(datetime.fromisoformat(text), name)
