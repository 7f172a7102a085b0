"""The accounting of disclosures of one patient, from the stored docportal events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from audit.adapters.record_store import AuditRecord
from audit.domain.disclosures import (
    DISCLOSURE_EVENT_TYPES,
    DisclosureAccounting,
    account_for_disclosures,
    accounting_start,
)
from audit.domain.scope import Scope
from servicekit.db import UnitOfWork


def disclosure_accounting(
    uow: UnitOfWork, scope: Scope, patient_id: str, start: datetime | None = None,
    end: datetime | None = None,
) -> DisclosureAccounting:
    """Every share of ``patient_id``'s documents made in [start, end) and what became of it.

    Without ``start`` it covers the six years before ``end`` (or now).
    """
    end = end or datetime.now(UTC) + timedelta(seconds=1)
    start = start or accounting_start(end)
    with uow:
        # No time filter on the events: a share's later claim or revocation, and the upload
        # that names a document's kind, may lie outside the window and still describe a
        # disclosure in it.
        events = AuditRecord(uow.session).patient_envelopes(scope, patient_id,
                                                            DISCLOSURE_EVENT_TYPES)
        return account_for_disclosures(events, patient_id, start, end)
