"""Where patients live, as notes last stated it (``patient_residences``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import patient_residences


class ResidenceStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stated_at(self, patient_id: str) -> datetime | None:
        """When the kept statement was made; None when none is kept."""
        c = patient_residences.c
        row = self.session.execute(select(c.stated_at).where(c.patient_id == patient_id)).first()
        return row.stated_at if row is not None else None

    def keep(self, patient_id: str, *, replace: bool, **values: Any) -> None:
        c = patient_residences.c
        if replace:
            self.session.execute(patient_residences.update().where(c.patient_id == patient_id)
                                 .values(**values))
        else:
            self.session.execute(patient_residences.insert().values(patient_id=patient_id,
                                                                    **values))

    def states(self, org_id: str | None, patient_ids: Iterable[str]) -> dict[str, str | None]:
        """The states notes stated for these patients (of the practice; None: any practice)."""
        c, ids, found = patient_residences.c, sorted(set(patient_ids)), {}
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            query = select(c.patient_id, c.state).where(c.patient_id.in_(chunk))
            if org_id is not None:
                query = query.where(c.org_id == org_id)
            found.update({row.patient_id: row.state for row in self.session.execute(query)})
        return found
