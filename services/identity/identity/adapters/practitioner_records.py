"""Writing the practice's practitioner records an Admin keeps by hand (created free, renamed,
removed), always scoped to one practice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from identity.adapters.tables import practitioners
from identity.domain.roles import ClinicalRole


class PractitionerRecords:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_free(self, practice_id: str, record_id: str, name: str,
                 clinical_role: ClinicalRole | None, now: datetime) -> None:
        """A record no user is linked to yet."""
        self.session.execute(insert(practitioners).values(
            id=record_id, org_id=practice_id, name=name, user_id=None,
            clinical_role=clinical_role.value if clinical_role else None, created_at=now))

    def change(self, practice_id: str, record_id: str, *, name: str | None = None,
               clinical_role: ClinicalRole | None = None) -> None:
        values: dict[str, str] = {}
        if name is not None:
            values["name"] = name
        if clinical_role is not None:
            values["clinical_role"] = clinical_role.value
        if values:
            self.session.execute(update(practitioners).where(
                practitioners.c.id == record_id, practitioners.c.org_id == practice_id,
            ).values(**values))

    def remove_free(self, practice_id: str, record_id: str) -> None:
        """Only while no user is linked (the use case checked, under the practice's lock)."""
        self.session.execute(delete(practitioners).where(
            practitioners.c.id == record_id, practitioners.c.org_id == practice_id,
            practitioners.c.user_id.is_(None)))
