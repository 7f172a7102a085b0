"""Where patients live, as notes states it: the breach assessment's count per state.

``notes.patient.residence_recorded`` carries the patient's state code alone (null when it is
no longer known). The newest statement wins, whatever order the events arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import patient_residences
from audit.domain.clock import as_utc, parse_utc

RESIDENCE_RECORDED = "notes.patient.residence_recorded"


def record_residence(session: Session, body: dict[str, Any]) -> None:
    """Keep the patient's state from the event, unless a newer statement is kept already."""
    patient_id, state = body.get("patient_id"), (body.get("data") or {}).get("state")
    if not patient_id:
        return
    # notes validates the code; anything else recorded here would only hide a state.
    code = state.strip().upper() if isinstance(state, str) else None
    if code is not None and not (len(code) == 2 and code.isascii() and code.isalpha()):
        code = None
    stated_at = _when(body["occurred_at"])
    c = patient_residences.c
    kept = session.execute(select(c.stated_at).where(c.patient_id == patient_id)).first()
    values = {"org_id": body.get("org_id"), "state": code, "stated_at": stated_at,
              "event_id": body["id"]}
    if kept is None:
        session.execute(patient_residences.insert().values(patient_id=patient_id, **values))
    elif kept.stated_at <= stated_at:
        session.execute(patient_residences.update().where(c.patient_id == patient_id)
                        .values(**values))


def recorded_states(session: Session, org_id: str | None, patient_ids: Iterable[str]
                    ) -> dict[str, str | None]:
    """The states notes stated for these patients (of the practice; None: any practice)."""
    c, ids, found = patient_residences.c, sorted(set(patient_ids)), {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        query = select(c.patient_id, c.state).where(c.patient_id.in_(chunk))
        if org_id is not None:
            query = query.where(c.org_id == org_id)
        found.update({row.patient_id: row.state for row in session.execute(query)})
    return found


def _when(value: str | datetime) -> datetime:
    return as_utc(value, "occurred_at") if isinstance(value, datetime) \
        else parse_utc(value, "occurred_at")
