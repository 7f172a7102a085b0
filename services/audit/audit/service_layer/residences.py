"""Where patients live, as notes states it: the breach assessment's count per state.

``notes.patient.residence_recorded`` carries the patient's state code alone (null when it is
no longer known). The newest statement wins, whatever order the events arrive in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.adapters.residence_store import ResidenceStore
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
    store = ResidenceStore(session)
    kept = store.stated_at(patient_id)
    if kept is None or kept <= stated_at:
        store.keep(patient_id, replace=kept is not None, org_id=body.get("org_id"), state=code,
                   stated_at=stated_at, event_id=body["id"])


def _when(value: str | datetime) -> datetime:
    return as_utc(value, "occurred_at") if isinstance(value, datetime) \
        else parse_utc(value, "occurred_at")
