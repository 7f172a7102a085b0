"""The identity.activity subscription: the platform's events become the digests' daily
counters, and treatment plan events become the notification mails people chose."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from identity.adapters.activity_repository import ActivityCounts
from identity.domain.activity import ACTIVITY_BINDINGS, tallies_of
from identity.domain.catalog import UserTypeCatalog, load_catalog
from identity.service_layer.notifications import owe_notifications
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event

QUEUE = "identity.activity"
BINDINGS = ACTIVITY_BINDINGS


@cache
def _catalog() -> UserTypeCatalog:
    return load_catalog()  # read once per process; the file ships with the package


def record_activity(uow: UnitOfWork, event: Event) -> None:
    """Consumer handler (inside the consumer's unit of work; the inbox makes it once)."""
    if not event.org_id:
        return
    counts = ActivityCounts(uow.session)
    if event.type in ("docportal.share.sent", "docportal.share.reshared") and event.actor:
        counts.remember_share_sender(event.subject.id, event.org_id, event.actor.id)
    for tally in tallies_of(event):
        user_id = tally.user_id
        if tally.credit_share_sender:
            user_id = counts.share_sender(event.org_id, tally.credit_share_sender)
        counts.add(event.org_id, user_id, tally)
    owe_notifications(uow.session, event, _catalog(), datetime.now(UTC))
