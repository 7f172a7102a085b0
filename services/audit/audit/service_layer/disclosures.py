"""The accounting of disclosures of one patient, from the stored docportal events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from audit.adapters.record_store import AuditRecord
from audit.domain.disclosures import (
    DISCLOSURE_EVENT_TYPES,
    DisclosureAccounting,
    account_for_disclosures,
)
from audit.domain.scope import Scope


def disclosure_accounting(
    session: Session, scope: Scope, patient_id: str, start: datetime, end: datetime
) -> DisclosureAccounting:
    """Every share of ``patient_id``'s documents made in [start, end) and what became of it."""
    # No time filter on the events: a share's later claim or revocation, and the upload that
    # names a document's kind, may lie outside the window and still describe a disclosure in it.
    events = AuditRecord(session).patient_envelopes(scope, patient_id, DISCLOSURE_EVENT_TYPES)
    return account_for_disclosures(events, patient_id, start, end)
