"""Keeping the record of every event."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import audit_events
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event, encode_event


def record_event(uow: UnitOfWork, event: Event) -> None:
    """Store ``event`` in the audit record (the consumer's inbox makes it exactly once)."""
    uow.session.execute(
        audit_events.insert().values(
            event_id=event.id,
            type=event.type,
            producer=event.producer,
            org_id=event.org_id,
            actor_id=event.actor.id if event.actor else None,
            patient_id=event.patient_id,
            occurred_at=event.occurred_at,
            received_at=datetime.now(UTC),
            envelope=encode_event(event),
        )
    )


def latest_events(session: Session, count: int) -> list[dict]:
    """The newest ``count`` stored events, oldest first."""
    rows = session.execute(
        select(audit_events).order_by(audit_events.c.seq.desc()).limit(count)
    ).mappings().all()
    return [dict(row) for row in reversed(rows)]
