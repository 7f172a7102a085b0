"""Access reports from the access rollups and the stored record, and where patients live."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from audit.adapters.record_store import AuditRecord
from audit.adapters.residence_store import ResidenceStore
from audit.adapters.rollup_store import AccessRollups
from audit.domain.reports import (
    AccessReport,
    AccessTally,
    ReportSubject,
    report_from_tallies,
    tallies_of_facts,
)
from audit.domain.rollups import WindowParts, split_window, totals_inside
from audit.domain.scope import Scope
from audit.service_layer.access_rollups import access_facts
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
        return _report(uow.session, scope, ReportSubject.PATIENT, patient_id, start, end)


def access_report_of_user(
    session: Session, scope: Scope, user_id: str, start: datetime, end: datetime
) -> AccessReport:
    """``user_access_report`` inside a transaction already open (a breach assessment's)."""
    return _report(session, scope, ReportSubject.USER, user_id, start, end)


def _report(session: Session, scope: Scope, subject: ReportSubject, subject_id: str,
            start: datetime, end: datetime) -> AccessReport:
    """Keys the window holds whole from their totals; those it cuts from the rollups of its
    whole days and the record of the days it cuts."""
    rollups, record = AccessRollups(session), AuditRecord(session)
    totals: Callable[[Scope, str], list[AccessTally]]
    of_days: Callable[[Scope, str, date, date], list[AccessTally]]
    if subject is ReportSubject.USER:
        totals, of_days = rollups.totals_of_user, rollups.of_user
        edge = partial(record.access_envelopes, actor_id=subject_id)
        matches, key = (lambda f: f.actor_id == subject_id), (lambda f: f.patient_id)
    else:
        totals, of_days = rollups.totals_of_patient, rollups.of_patient
        edge = partial(record.access_envelopes, patient_id=subject_id)
        matches, key = (lambda f: f.patient_id == subject_id), (lambda f: f.actor_id)
    tallies, cut = totals_inside(totals(scope, subject_id), start, end)
    parts = split_window(start, end) if cut else WindowParts(None, None, ())
    if parts.first_day is not None and parts.end_day is not None:
        tallies += (t for t in of_days(scope, subject_id, parts.first_day, parts.end_day)
                    if (t.key, t.action) in cut)
    for edge_start, edge_end in parts.edges:
        facts = (f for e in edge(scope, start=edge_start, end=edge_end)
                 for f in access_facts(e) if (key(f), f.action) in cut)
        tallies += tallies_of_facts(facts, edge_start, edge_end, matches, key)
    return report_from_tallies(tallies, subject, subject_id, start, end)


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
