"""A moment as a person at a clinic reads it: local time with its zone's abbreviation.

Times are stored and sent in UTC; pages and PDFs show them in the clinic's IANA time zone
(identity's clinic setting), e.g. "7 Dec 2026, 14:05 EST".
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "UTC"


def clinic_zone(name: str | None) -> ZoneInfo:
    """The zone named by a clinic setting; UTC when none is known or the name is unknown here."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo(DEFAULT_ZONE)


def local_time(at: datetime, zone: str | None) -> str:
    """``at`` (UTC when naive) in ``zone``: "7 Dec 2026, 14:05 EST"."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    local = at.astimezone(clinic_zone(zone))
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def local_date(at: datetime, zone: str | None) -> str:
    """The calendar day of ``at`` in ``zone``: "7 Dec 2026"."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    local = at.astimezone(clinic_zone(zone))
    return f"{local.day} {local:%b %Y}"
