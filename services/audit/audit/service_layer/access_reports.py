"""Access reports from the stored access events, and the patients' states of residence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from audit.adapters.record_store import AuditRecord
from audit.adapters.residence_store import ResidenceStore
from audit.domain.access import access_facts_from_event
from audit.domain.reports import (
    AccessReport,
    build_patient_access_report,
    build_user_access_report,
)
from audit.domain.scope import Scope
from audit.service_layer.errors import InvalidWindow
from servicekit.db import UnitOfWork

# Without a window a report covers everything recorded so far.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def report_window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The asked window, from the earliest record and up to now by default; never inverted."""
    end = end or datetime.now(UTC) + timedelta(seconds=1)
    start = start or EARLIEST
    if end <= start:
        raise InvalidWindow(
            "The window must end after it starts: give a `from` earlier than `to` (without "
            "`to`, earlier than now; without `from`, a `to` after the first record).",
            {"from": start.isoformat(), "to": end.isoformat()})
    return start, end


def user_access_report(
    uow: UnitOfWork, scope: Scope, user_id: str, start: datetime, end: datetime
) -> AccessReport:
    """Which patients and how many records ``user_id`` touched in [start, end)."""
    with uow:
        return access_report_of_user(uow.session, scope, user_id, start, end)


def patient_access_report(
    uow: UnitOfWork, scope: Scope, patient_id: str, start: datetime, end: datetime
) -> AccessReport:
    """Who touched ``patient_id``'s records in [start, end), and how much."""
    with uow:
        envelopes = AuditRecord(uow.session).access_envelopes(
            scope, patient_id=patient_id, start=start, end=end)
        facts = (f for e in envelopes for f in access_facts_from_event(e))
        return build_patient_access_report(facts, patient_id, start, end)


def access_report_of_user(
    session: Session, scope: Scope, user_id: str, start: datetime, end: datetime
) -> AccessReport:
    """``user_access_report`` inside a transaction already open (a breach assessment's)."""
    envelopes = AuditRecord(session).access_envelopes(scope, actor_id=user_id, start=start,
                                                      end=end)
    facts = (f for e in envelopes for f in access_facts_from_event(e))
    return build_user_access_report(facts, user_id, start, end)


def patient_states(
    session: Session, scope: Scope, patient_ids: Iterable[str]
) -> dict[str, str | None]:
    """Each patient's state of residence: as notes recorded it (``residence_recorded``),
    else as the newest event in scope states it in ``data.patient_state``, else None."""
    ids = sorted(set(patient_ids))
    states: dict[str, str | None] = dict.fromkeys(ids)
    recorded = ResidenceStore(session).states(None if scope.all_practices else scope.org_id,
                                              ids)
    rest = [p for p in ids if p not in recorded]
    for patient_id, envelope in AuditRecord(session).envelopes_naming_patients(scope, rest):
        state = _patient_state(envelope)
        if state:
            states[patient_id] = state
    return {**states, **recorded}


def _patient_state(envelope: dict) -> str | None:
    state = (envelope.get("data") or {}).get("patient_state")
    return state if isinstance(state, str) and state.strip() else None
