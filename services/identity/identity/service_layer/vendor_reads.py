"""A vendor employee's reads inside a practice are on the record, like anyone's reads of patients.

Staff read their own practice's people and clinics without an event (they work there); a
vendor under an access grant is a visitor, so each read names them (actor kind ``vendor``)
and the grant, and the audit service keeps it with the rest of the vendor's trail.
"""

from __future__ import annotations

from collections.abc import Iterable

from identity.domain.users import Actor, UserKind
from identity.events.access import CLINICS_VIEWED
from identity.events.users import USERS_VIEWED
from identity.service_layer.callers import event_actor
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

_VIEWED = {"users": USERS_VIEWED, "clinics": CLINICS_VIEWED}


def record_vendor_read(uow: UnitOfWork, actor: Actor, practice_id: str, records: str,
                       ids: Iterable[str]) -> None:
    """Publish ``identity.<records>.viewed`` when ``actor`` is vendor staff; call before commit."""
    if actor.user.kind is not UserKind.VENDOR:
        return
    shown = list(ids)
    grant = actor.access_grant
    uow.publish(_VIEWED[records].event(
        subject=Subject("practice", practice_id),
        org_id=practice_id, actor=event_actor(actor.user),
        data={f"{records.rstrip('s')}_ids": shown, "record_count": len(shown),
              "access_grant_id": grant.id if grant else None}))
