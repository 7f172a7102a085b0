"""An Admin keeps the practice's practitioner records by hand: creates a free one (no user
yet, as the practice management system lists them), renames one, removes a free one.

Each runs under the practice's row lock, taken before the records are read, as every other
change to the records does, so a new record and an invitation for the same new person
cannot both miss each other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.practitioner_directory import PractitionerDirectory, PractitionerEntry
from identity.adapters.practitioner_records import PractitionerRecords
from identity.adapters.repository import IdentityRepository
from identity.domain import profile_rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.practitioner_records import (
    record_name,
    require_own_clinical_role,
    require_removable,
)
from identity.domain.practitioners import Practitioner
from identity.domain.roles import ClinicalRole
from identity.domain.users import User
from identity.events.practices import (
    PRACTITIONER_CREATED,
    PRACTITIONER_REMOVED,
    PRACTITIONER_UPDATED,
)
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject


@dataclass(frozen=True)
class RecordChange:
    """What an Admin asks of a record; None leaves that part as it is."""

    name: str | None = None
    clinical_role: ClinicalRole | None = None
    confirm_new_practitioner: bool = False


def create_practitioner(uow: UnitOfWork, caller: Caller, change: RecordChange, *,
                        catalog: UserTypeCatalog, now: datetime) -> PractitionerEntry:
    """A free record; a name that matches a record or an open invitation's new one waits
    for confirm_new_practitioner (409 with the candidates)."""
    assert change.name is not None
    with uow:
        actor, invites = _admin(uow, caller, catalog, now), InvitationRepository(uow.session)
        named = record_name(change.name, invites.practitioners_of(caller.org_id, now),
                            invites.pending_new_practitioners(caller.org_id, now),
                            confirm=change.confirm_new_practitioner)
        record_id = str(uuid.uuid4())
        PractitionerRecords(uow.session).add_free(caller.org_id, record_id, named.name,
                                                  change.clinical_role, now)
        _publish(uow, PRACTITIONER_CREATED, record_id, actor, now, {
            "name": named.name, "clinical_role": _value(change.clinical_role),
            "user_id": None, "confirmed_different_person": named.confirmed_different_person})
        entry = _entry(uow, caller, record_id, now)
        uow.commit()
    return entry


def update_practitioner(uow: UnitOfWork, caller: Caller, record_id: str, change: RecordChange,
                        *, catalog: UserTypeCatalog, now: datetime) -> PractitionerEntry:
    """Rename a record (linked or not: the record's name may differ from its user's) or
    change a free record's clinical role; a new name follows the namesake rule."""
    with uow:
        actor, invites = _admin(uow, caller, catalog, now), InvitationRepository(uow.session)
        known = invites.practitioners_of(caller.org_id, now)
        record = _record(known, record_id)
        require_own_clinical_role(record, change.clinical_role)
        name = None
        if change.name is not None:
            name = record_name(change.name, known,
                               invites.pending_new_practitioners(caller.org_id, now),
                               confirm=change.confirm_new_practitioner, record_id=record.id)
        PractitionerRecords(uow.session).change(
            caller.org_id, record.id, name=name.name if name else None,
            clinical_role=change.clinical_role)
        entry = _entry(uow, caller, record.id, now)
        _publish(uow, PRACTITIONER_UPDATED, record.id, actor, now, {
            "name": entry.name, "previous_name": record.name,
            "clinical_role": entry.clinical_role, "user_id": record.user_id,
            "confirmed_different_person": bool(name and name.confirmed_different_person)})
        uow.commit()
    return entry


def remove_practitioner(uow: UnitOfWork, caller: Caller, record_id: str, *,
                        catalog: UserTypeCatalog, now: datetime) -> None:
    """Remove a free record no open invitation names (409 practitioner_in_use otherwise)."""
    with uow:
        actor, invites = _admin(uow, caller, catalog, now), InvitationRepository(uow.session)
        record = _record(invites.practitioners_of(caller.org_id, now), record_id)
        require_removable(record)
        PractitionerRecords(uow.session).remove_free(caller.org_id, record.id)
        _publish(uow, PRACTITIONER_REMOVED, record.id, actor, now,
                 {"name": record.name})
        uow.commit()


def _admin(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog, now: datetime) -> User:
    """The caller, if they may keep the records (as for GET /practitioners), with the
    practice's lock held."""
    repo = IdentityRepository(uow.session)
    actor = load_actor(repo, caller, now)
    profile_rules.require_may_act(actor, caller.org_id, now)
    profile_rules.require_user_manager(actor, catalog)
    repo.hold_practice(caller.org_id)
    return actor.user


def _record(known: list[Practitioner], record_id: str) -> Practitioner:
    record = next((p for p in known if p.id == record_id), None)
    if record is None:
        raise NotFoundInPractice(
            "There is no such practitioner record in your practice. Pick one from "
            "GET /practitioners.", {"practitioner_id": record_id})
    return record


def _entry(uow: UnitOfWork, caller: Caller, record_id: str, now: datetime
           ) -> PractitionerEntry:
    entry = PractitionerDirectory(uow.session).one(caller.org_id, record_id, now)
    assert entry is not None
    return entry


def _publish(uow: UnitOfWork, definition: EventDefinition, record_id: str, actor: User,
             now: datetime, data: dict) -> None:
    uow.publish(definition.event(subject=Subject("practitioner", record_id),
                          org_id=actor.practice_id, actor=event_actor(actor),
                          occurred_at=now, data=data))


def _value(role: ClinicalRole | None) -> str | None:
    return role.value if role else None
