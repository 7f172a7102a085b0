"""Time enters the domain from the caller, always timezone-aware and kept in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(now: datetime) -> datetime:
    """Return `now` in UTC; a naive datetime is a caller bug, so it is refused."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the domain needs a timezone-aware datetime (UTC), got a naive one")
    return now.astimezone(UTC)
