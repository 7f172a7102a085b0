"""The practice names the share email is signed with, kept from identity's events."""

from datetime import UTC, datetime

from docportal.adapters.repository import PracticeNames
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event

#: The queue of docportal's subscription to identity, and what it is bound to.
QUEUE = "docportal.identity"
BINDINGS = ("identity.practice.created",)


def record_practice_name(uow: UnitOfWork, event: Event) -> None:
    """Consumer handler: remember the practice's name (run inside the consumer's unit of work)."""
    name = str(event.data.get("name") or "").strip()
    if event.org_id and name:
        PracticeNames(uow.session).put(event.org_id, name[:200], datetime.now(UTC))
