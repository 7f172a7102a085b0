"""Keeping the record of every event: chain it, store it, checkpoint it, recognize profiles."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import audit_events
from audit.domain.recognition import Vendor
from audit.service_layer.chain import ChainSettings, append_to_chain, checkpoint_if_due
from audit.service_layer.recognition import recognize_identity_event
from audit.service_layer.residences import RESIDENCE_RECORDED, record_residence
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event, encode_event


def record_event(
    uow: UnitOfWork, event: Event, settings: ChainSettings, vendor: Vendor | None = None
) -> None:
    """Append ``event`` to its partition's chain (the consumer's inbox makes it exactly once).

    Everything happens in the consumer's transaction: the chain append holds the partition's
    lock, so the events of one practice are recorded and recognized one at a time.
    """
    envelope = encode_event(event)
    # Hash exactly what is stored and read back, so verification sees the same values.
    body = json.loads(envelope)
    record = append_to_chain(uow.session, body, settings.partitions)
    now = datetime.now(UTC)
    uow.session.execute(
        audit_events.insert().values(
            event_id=event.id,
            type=event.type,
            producer=event.producer,
            org_id=event.org_id,
            actor_id=event.actor.id if event.actor else None,
            patient_id=event.patient_id,
            occurred_at=event.occurred_at,
            received_at=now,
            envelope=envelope,
            partition=record.partition,
            chain_seq=record.seq,
            prev_hash=record.prev_hash,
            hash=record.hash,
        )
    )
    checkpoint_if_due(uow.session, record.head, now, settings)
    if vendor is not None and event.producer == "identity":
        recognize_identity_event(uow, body, vendor)
    elif event.type == RESIDENCE_RECORDED:
        record_residence(uow.session, body)


def latest_events(session: Session, count: int) -> list[dict]:
    """The newest ``count`` stored events, oldest first."""
    rows = session.execute(
        select(audit_events).order_by(audit_events.c.seq.desc()).limit(count)
    ).mappings().all()
    return [dict(row) for row in reversed(rows)]
