"""Keeping the record of every event: chain it, store it, checkpoint it, recognize profiles."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from audit.adapters.record_store import AuditRecord
from audit.domain.chain import ChainRecord
from audit.domain.identity_events import read_identity_event
from audit.domain.recognition import Vendor
from audit.service_layer.access_rollups import roll_up_accesses
from audit.service_layer.chain import (
    ChainSettings,
    append_to_chain,
    checkpoint_if_due,
    lock_heads_in_order,
)
from audit.service_layer.recognition import recognize_identity_event
from audit.service_layer.residences import RESIDENCE_RECORDED, record_residence
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event, encode_event


def record_event(
    uow: UnitOfWork, event: Event, settings: ChainSettings, vendor: Vendor | None = None
) -> None:
    """Append ``event`` to its partition's chain (the consumer's inbox makes it exactly once)."""
    record_events(uow, [event], settings, vendor)


def record_events(
    uow: UnitOfWork, events: list[Event], settings: ChainSettings, vendor: Vendor | None = None
) -> None:
    """Append a batch of events to their partitions' chains and store them with one INSERT.

    Everything happens in the consumer's transaction. The envelopes are encoded before the
    partitions' heads are locked (lowest partition first, so that replicas never wait on each
    other in a circle); each head is then read once and written once. An event that goes on
    to recognition or a residence reads the record, so everything before it is stored first.
    """
    # Hash exactly what is stored and read back, so verification sees the same values.
    encoded = [(event, envelope, json.loads(envelope))
               for event, envelope in ((event, encode_event(event)) for event in events)]
    session = uow.session
    lock_heads_in_order(session, (body for _, _, body in encoded), settings.partitions)
    store, now = AuditRecord(session), datetime.now(UTC)
    chained: list[tuple[Event, str, ChainRecord]] = []
    for event, envelope, body in encoded:
        record = append_to_chain(session, body, settings.partitions)
        chained.append((event, envelope, record))
        checkpoint_if_due(session, record.head, now, settings)
        follow_up = _follow_up(uow, event, body, vendor)
        if follow_up is not None:
            _store(store, chained, now)
            chained = []
            follow_up()
    _store(store, chained, now)


def _store(store: AuditRecord, chained: list[tuple[Event, str, ChainRecord]], now: datetime
           ) -> None:
    store.add_all(chained, received_at=now)
    roll_up_accesses(store.session, [record.event for _, _, record in chained])


def _follow_up(uow: UnitOfWork, event: Event, body: dict[str, Any], vendor: Vendor | None
               ) -> Callable[[], None] | None:
    """What the event makes audit do besides storing it (recognition, a residence), if any."""
    if vendor is not None and event.producer == "identity":
        if read_identity_event(body) is None:  # most identity events: accesses, no fact
            return None
        return lambda: recognize_identity_event(uow, body, vendor)
    if event.type == RESIDENCE_RECORDED:
        return lambda: record_residence(uow.session, body)
    return None
