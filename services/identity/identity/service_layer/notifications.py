"""Notification preferences (each person's own) and the mails owed when a plan event happens."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from identity.adapters.activity_repository import (
    NotificationMails,
    NotificationPreferences,
    practice_exists,
)
from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.repository import IdentityRepository
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import NotAllowed
from identity.domain.notifications import (
    NOTIFYING_EVENTS,
    Choices,
    changed_choices,
    effective_choices,
    is_notified,
)
from identity.domain.roles import RoleProfile
from identity.domain.staff_roles import staff_profile
from identity.domain.users import User, UserKind
from identity.events.users import USER_NOTIFICATION_PREFERENCES_CHANGED
from identity.service_layer.callers import Caller, event_actor
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event, Subject

PREFERENCES_CHANGED = USER_NOTIFICATION_PREFERENCES_CHANGED


@dataclass(frozen=True)
class Person:
    user: User
    profile: RoleProfile
    choices: Choices


def people_of(session: Session, practice_id: str, catalog: UserTypeCatalog) -> Iterator[Person]:
    """The practice's active staff, each with their role's profile and their choices."""
    repo = IdentityRepository(session)
    integrated = repo.practice(practice_id).integrated
    roles, stored = InvitationRepository(session), NotificationPreferences(session)
    for user in repo.users_of(practice_id):
        if user.active and user.kind is UserKind.STAFF:
            yield person(user, roles, stored, catalog, integrated)


def person(user: User, roles: InvitationRepository, stored: NotificationPreferences,
           catalog: UserTypeCatalog, integrated: bool) -> Person:
    profile = staff_profile(user, roles.staff_role(user.id), catalog,
                            integrated=integrated).defaults
    return Person(user, profile, effective_choices(profile, stored.stored(user.id)))


def my_notifications(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog
                     ) -> dict[str, Any]:
    """The caller's notifications and digests: on or off, and what their role offers."""
    with uow:
        return _body(_me(uow.session, caller, catalog))


def change_my_notifications(uow: UnitOfWork, caller: Caller, *,
                            notifications: Mapping[str, bool], digests: Mapping[str, bool],
                            catalog: UserTypeCatalog, now: datetime) -> dict[str, Any]:
    """Turn the caller's own notifications and digests on or off (only those the role offers)."""
    with uow:
        me = _me(uow.session, caller, catalog)
        after = changed_choices(me.profile, me.choices, notifications, digests)
        if after != me.choices:
            NotificationPreferences(uow.session).save(me.user.id, caller.org_id, after, now)
            uow.publish(PREFERENCES_CHANGED.event(
                subject=Subject("user", me.user.id), org_id=caller.org_id,
                actor=event_actor(me.user), data={
                    "notifications": sorted(after.notifications),
                    "digests": sorted(after.digests)}))
        uow.commit()
        return _body(Person(me.user, me.profile, after))


def _me(session: Session, caller: Caller, catalog: UserTypeCatalog) -> Person:
    repo = IdentityRepository(session)
    user = repo.user(caller.org_id, caller.user_id)
    if user is None or not user.active or user.kind is not UserKind.STAFF:
        raise NotAllowed("Only the practice's own staff choose notifications. Sign in with "
                         "your staff account.")
    return person(user, InvitationRepository(session), NotificationPreferences(session),
                  catalog, repo.practice(caller.org_id).integrated)


def _body(me: Person) -> dict[str, Any]:
    return {
        "notifications": sorted(me.choices.notifications),
        "notifications_available": sorted(me.profile.notifications_available),
        "notification_scope": me.profile.notification_scope,
        "digests": sorted(me.choices.digests),
        "digests_available": sorted(me.profile.digests_available),
    }


def owe_notifications(session: Session, event: Event, catalog: UserTypeCatalog,
                      now: datetime) -> int:
    """Record a mail owed to each person whose choices say so (inside the consumer's
    transaction); the (event, person) key keeps a redelivered event from owing twice."""
    if event.type not in NOTIFYING_EVENTS or not event.org_id:
        return 0
    data = event.data or {}
    if not practice_exists(session, event.org_id):
        return 0  # a practice this identity does not hold (another region, a test)
    facts = {k: data.get(k) for k in ("plan_id", "clinic_id", "total_cents", "currency")}
    mails, owed = NotificationMails(session), 0
    for someone in people_of(session, event.org_id, catalog):
        if is_notified(event.type, someone.profile, someone.choices, user_id=someone.user.id,
                       practitioner_user_id=data.get("practitioner_user_id")):
            mails.owe(event.id, someone.user.id, event.org_id, event.type, facts, now)
            owed += 1
    return owed
