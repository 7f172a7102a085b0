"""Times on the staff pages as the practice reads them: "7 Dec 2026, 14:05 EST", in the zone
of the practice's clinics (servicekit.local_time, as notes' PDFs and docportal's pages show
them). Stored and sent times stay UTC; a page's ``<time datetime>`` keeps the UTC instant.
"""

from __future__ import annotations

from datetime import datetime

from flask import g

from identity.bootstrap import identity
from identity.service_layer.practice_time_zone import practice_time_zone
from servicekit.local_time import DEFAULT_ZONE, local_date, local_time


def practice_zone(practice_id: str | None = None) -> str:
    """The zone of ``practice_id``, else of the signed-in staff member's practice; read once
    per request."""
    staff = g.get("staff")
    practice_id = practice_id or (staff.org_id if staff is not None else None)
    if not practice_id:
        return DEFAULT_ZONE
    zones: dict[str, str] = g.setdefault("practice_zones", {})
    if practice_id not in zones:
        zones[practice_id] = practice_time_zone(identity().uow(), practice_id)
    return zones[practice_id]


def practice_time(at: datetime | str, practice_id: str | None = None) -> str:
    """``at`` (a datetime, or an ISO 8601 string from another service) in the practice's zone."""
    return local_time(_moment(at), practice_zone(practice_id))


def practice_date(at: datetime | str, practice_id: str | None = None) -> str:
    """The calendar day of ``at`` in the practice's zone: "7 Dec 2026"."""
    return local_date(_moment(at), practice_zone(practice_id))


def _moment(at: datetime | str) -> datetime:
    return datetime.fromisoformat(at) if isinstance(at, str) else at
