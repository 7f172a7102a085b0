"""Practitioner records: the list an Admin picks from, and linking a user to one.

Every change to the records runs under the practice's row lock (taken by the caller's use
case before it reads the records), so two acceptances of invitations for the same new
practitioner run one after the other: the second sees the first one's record and is asked
to decide instead of making a duplicate.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.practitioner_directory import (
    PractitionerDirectory,
    PractitionerEntry,
    encode_cursor,
)
from identity.adapters.repository import IdentityRepository
from identity.domain import profile_rules
from identity.domain.added_staff import AddedStaff, Placement, place_added_staff
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import PractitionerAlreadyLinked, PractitionerDecisionRequired
from identity.domain.practitioners import (
    Candidate,
    Practitioner,
    PractitionerLink,
    candidates_body,
    require_no_new_namesake,
)
from identity.domain.staff_roles import StaffRole
from identity.domain.users import User
from identity.events.practices import PRACTITIONER_CREATED, PRACTITIONER_LINKED
from identity.service_layer.callers import Caller, event_actor, load_actor
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject


@dataclass(frozen=True)
class PractitionerPage:
    entries: list[PractitionerEntry]
    next_cursor: str | None


def list_practitioners(uow: UnitOfWork, caller: Caller, *, catalog: UserTypeCatalog,
                       now: datetime, cursor: str | None, limit: int,
                       linked: bool | None = None) -> PractitionerPage:
    """The practice's practitioner records, by name, for those who invite and add staff."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        profile_rules.require_may_act(actor, caller.org_id, now)
        profile_rules.require_user_manager(actor, catalog)
        entries = PractitionerDirectory(uow.session).page(
            caller.org_id, now=now, after=cursor, limit=limit + 1, linked=linked)
    more = len(entries) > limit
    entries = entries[:limit]
    return PractitionerPage(entries, encode_cursor(entries[-1].name, entries[-1].id)
                            if more else None)


def decision_required(candidates: Iterable[Candidate], message: str
                      ) -> PractitionerDecisionRequired:
    return PractitionerDecisionRequired(
        message, {"possible_duplicates": candidates_body(candidates)})


NEW_NAMESAKE = ("A practitioner with this name already exists in your practice, or another "
                "open invitation will create one. Link an existing record (practitioner_id, "
                "see GET /practitioners), or confirm that this is a different person "
                "(confirm_new_practitioner: true).")


def link_practitioner(uow: UnitOfWork, user: User, link: PractitionerLink | None, *,
                      actor: User, now: datetime, invitation_id: str | None = None
                      ) -> str | None:
    """The record ``user`` is: the chosen free one, or a new one with the link's name.

    Call it under the practice's lock (IdentityRepository.hold_practice)."""
    if link is None:
        return None
    invites = InvitationRepository(uow.session)
    facts = {"user_id": user.id, "invitation_id": invitation_id}
    if link.existing_id is not None:
        if not invites.link_practitioner(user.practice_id, link.existing_id, user.id):
            raise PractitionerAlreadyLinked(
                "That practitioner record belongs to another user now. Pick another record, "
                "or create a new one (confirm_new_practitioner: true).",
                {"practitioner_id": link.existing_id, "linked": True})
        _publish(uow, PRACTITIONER_LINKED, link.existing_id, user, actor, now, facts)
        return link.existing_id
    require_no_new_namesake(link, invites.practitioners_of(user.practice_id))
    record = Practitioner(str(uuid.uuid4()), link.new_name or user.full_name)
    invites.add_practitioner(user.practice_id, record, user_id=user.id, now=now)
    _publish(uow, PRACTITIONER_CREATED, record.id, user, actor, now,
             {"name": record.name, "confirmed_different_person": link.confirmed, **facts})
    return record.id


def _publish(uow: UnitOfWork, definition: EventDefinition, record_id: str, user: User,
             actor: User, now: datetime, data: dict) -> None:
    uow.publish(definition.event(subject=Subject("practitioner", record_id),
                                 org_id=user.practice_id, actor=event_actor(actor),
                                 occurred_at=now, data=data))


def place_member(uow: UnitOfWork, practice_id: str, full_name: str, added: AddedStaff, *,
                 catalog: UserTypeCatalog, now: datetime) -> Placement:
    """The type, role and practitioner record of someone an Admin adds directly (call it
    under the practice's lock); a record with the name waits for a decision (409)."""
    invites = InvitationRepository(uow.session)
    model = IdentityRepository(uow.session).practice(practice_id).model
    placement = place_added_staff(
        full_name, added, catalog=catalog, practice_model=model,
        practitioners=invites.practitioners_of(practice_id, now),
        pending=invites.pending_new_practitioners(practice_id, now))
    if placement.needs_decision:
        raise decision_required(placement.possible_duplicates, NEW_NAMESAKE)
    return placement


def record_member_role(uow: UnitOfWork, user: User, placement: Placement, *, actor: User,
                       now: datetime) -> StaffRole | None:
    """Record the role the Admin gave, linking a practitioner to their record."""
    if placement.role is None:
        return None
    role = replace(placement.role, practitioner_id=link_practitioner(
        uow, user, placement.practitioner, actor=actor, now=now))
    InvitationRepository(uow.session).add_staff_role(user.practice_id, user.id, role)
    return role

