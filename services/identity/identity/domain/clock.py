"""Time comes in as an argument; this only guards against naive datetimes.

A naive datetime compared with an aware one raises deep inside a rule, or worse, a
naive local time is silently taken for UTC. Refusing it at the door keeps every
expiry and lockout computed on the same clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def require_aware(moment: datetime, name: str = "now") -> datetime:
    """Return ``moment`` unchanged if it carries a UTC offset; raise ValueError otherwise."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (UTC), got {moment!r}")
    return moment


def seconds_until(later: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``later``, rounded up, never negative."""
    remaining = (later - now) / timedelta(seconds=1)
    return max(0, int(-(-remaining // 1)))
