"""Keeping the record of every event: chain it, store it, checkpoint it, recognize profiles."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from audit.adapters.record_store import AuditRecord
from audit.domain.recognition import Vendor
from audit.service_layer.access_rollups import roll_up_accesses
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
    AuditRecord(uow.session).add(event, envelope, record, received_at=now)
    roll_up_accesses(uow.session, [body])
    checkpoint_if_due(uow.session, record.head, now, settings)
    if vendor is not None and event.producer == "identity":
        recognize_identity_event(uow, body, vendor)
    elif event.type == RESIDENCE_RECORDED:
        record_residence(uow.session, body)

