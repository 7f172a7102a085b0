"""Use cases on a practice's clinics (locations) and their settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from identity.adapters.repository import IdentityRepository
from identity.domain.catalog import UserTypeCatalog
from identity.domain.clinics import Clinic, new_clinic
from identity.domain.clinics import change_clinic_settings as apply_settings
from identity.domain.errors import StateConflict
from identity.events.practices import CLINIC_CREATED, CLINIC_SETTINGS_CHANGED
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from identity.service_layer.vendor_reads import record_vendor_read
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject


def list_clinics(uow: UnitOfWork, caller: Caller, now: datetime | None = None
                 ) -> list[Clinic]:
    """Staff, and vendor support while a grant covers them (re-checked here)."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        found = repo.clinics_of(caller.org_id)
        record_vendor_read(uow, actor, caller.org_id, "clinics", (c.id for c in found))
        uow.commit()
        return found


def add_clinic(
    uow: UnitOfWork, caller: Caller, values: dict[str, Any], *, catalog: UserTypeCatalog,
    now: datetime,
) -> Clinic:
    """A User Manager opens another clinic of the practice; the notes service hears of it."""
    settings = {key: value for key, value in values.items() if key != "name"}
    try:
        with uow:
            repo = IdentityRepository(uow.session)
            actor = load_actor(repo, caller, now)
            clinic = new_clinic(
                actor, caller.org_id, values.get("name", ""), repo.clinics_of(caller.org_id),
                clinic_id=str(uuid.uuid4()), settings=settings, catalog=catalog, now=now,
            )
            repo.add_clinic(clinic, now)
            # The same clinic data practice.created carries for the first clinic; the id is
            # the subject.
            uow.publish(CLINIC_CREATED.event(
                subject=Subject("clinic", clinic.id),
                org_id=caller.org_id, actor=event_actor(actor.user),
                data={"name": clinic.name, **clinic.settings()},
            ))
            uow.commit()
    except IntegrityError:
        # Two additions of the same name raced; the unique index let exactly one of them in.
        raise StateConflict(
            "Your practice already has a clinic of that name. Pick another name for the new "
            "clinic.", {"name": str(values.get("name", "")).strip()}) from None
    return clinic


def change_clinic_settings(
    uow: UnitOfWork, caller: Caller, clinic_id: str, changes: dict[str, Any], *,
    catalog: UserTypeCatalog, now: datetime,
) -> Clinic:
    """A User Manager turns clinic settings on or off; the notes service hears of it."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller)
        clinic = repo.clinic(caller.org_id, clinic_id)
        if clinic is None:
            raise NotFoundInPractice("There is no such clinic in your practice.",
                                     {"clinic_id": clinic_id})
        changed = apply_settings(actor, clinic, changes, catalog=catalog, now=now)
        repo.save_clinic(changed)
        uow.publish(CLINIC_SETTINGS_CHANGED.event(
            subject=Subject("clinic", clinic.id),
            org_id=caller.org_id, actor=event_actor(actor.user),
            data={"before": clinic.settings(), "after": changed.settings()},
        ))
        uow.commit()
    return changed
