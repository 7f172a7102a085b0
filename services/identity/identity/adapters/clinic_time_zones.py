"""The zone a practice's times are shown in: its clinics' IANA time zone setting."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.adapters.tables import clinics
from servicekit.local_time import DEFAULT_ZONE


class ClinicTimeZones:
    def __init__(self, session: Session) -> None:
        self.session = session

    def of_practice(self, practice_id: str) -> str:
        """The zone of the practice's first clinic (the one made with it); UTC without one.
        The rule docportal's portal pages follow with their projection of the clinics."""
        zone = self.session.execute(
            select(clinics.c.time_zone).where(clinics.c.org_id == practice_id)
            .order_by(clinics.c.created_at, clinics.c.id).limit(1)).scalar_one_or_none()
        return zone or DEFAULT_ZONE
