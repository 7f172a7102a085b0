"""The clinic time zones docportal keeps from identity's events, and a practice's zone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from docportal.adapters.tables import clinic_time_zones

DEFAULT_ZONE = "UTC"


class ClinicTimeZones:
    def __init__(self, session: Session) -> None:
        self.session = session

    def of_practice(self, org_id: str) -> str:
        """The zone of the practice's first clinic (else any of its clinics; else UTC)."""
        zone = self.session.execute(
            select(clinic_time_zones.c.time_zone).where(clinic_time_zones.c.org_id == org_id)
            .order_by(clinic_time_zones.c.first_of_practice.desc(),
                      clinic_time_zones.c.clinic_id).limit(1)
        ).scalar_one_or_none()
        return zone or DEFAULT_ZONE

    def put(self, clinic_id: str, org_id: str, time_zone: str, at: datetime, *,
            first_of_practice: bool = False) -> None:
        """Record what identity said at ``at``; events may arrive in any order."""
        row = self.session.execute(
            select(clinic_time_zones).where(clinic_time_zones.c.clinic_id == clinic_id)
        ).mappings().one_or_none()
        if row is None:
            self.session.execute(insert(clinic_time_zones).values(
                clinic_id=clinic_id, org_id=org_id, time_zone=time_zone, updated_at=at,
                first_of_practice=first_of_practice))
            return
        values: dict[str, object] = {"first_of_practice": True} if first_of_practice else {}
        if at >= row["updated_at"]:
            values.update(time_zone=time_zone, updated_at=at)
        if values:
            self.session.execute(update(clinic_time_zones).values(**values)
                                 .where(clinic_time_zones.c.clinic_id == clinic_id))
