"""The accounting of disclosures of one patient, from the stored docportal events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import audit_events
from audit.domain.disclosures import (
    DISCLOSURE_EVENT_TYPES,
    DisclosureAccounting,
    account_for_disclosures,
)
from audit.service_layer.queries import Scope


def disclosure_accounting(
    session: Session, scope: Scope, patient_id: str, start: datetime, end: datetime
) -> DisclosureAccounting:
    """Every share of ``patient_id``'s documents made in [start, end) and what became of it."""
    return account_for_disclosures(_share_events(session, scope, patient_id), patient_id,
                                   start, end)


def _share_events(session: Session, scope: Scope, patient_id: str) -> Iterator[dict[str, Any]]:
    # No time filter: a share's later claim or revocation, and the upload that names a
    # document's kind, may lie outside the window and still describe a disclosure in it.
    c = audit_events.c
    query = scope.apply(select(c.envelope), c.org_id).where(
        c.patient_id == patient_id, c.type.in_(sorted(DISCLOSURE_EVENT_TYPES)))
    query = query.order_by(c.occurred_at, c.seq).execution_options(yield_per=1000)
    for row in session.execute(query):
        yield json.loads(row.envelope)
