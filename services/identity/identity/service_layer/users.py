"""Use cases on a practice's users: list, look up, add, change permissions and type, deactivate."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from identity.adapters.invitation_repository import (
    MAIL_PENDING,
    MAIL_SENT,
    InvitationRepository,
)
from identity.adapters.mail import GetStartedMail, IdentityMailer
from identity.adapters.mail_outbox import GET_STARTED
from identity.adapters.repository import IdentityRepository
from identity.domain import profile_changes, profile_rules
from identity.domain.added_staff import AddedStaff
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import AcknowledgementRequired, InvalidRequest, StateConflict
from identity.domain.permissions import require_known_permissions
from identity.domain.profile_changes import ProfileChange
from identity.domain.refresh_tokens import revoke_family
from identity.domain.roles import PermissionLevel
from identity.domain.seats import require_free_seat, seat_usage
from identity.domain.staff_roles import StaffRole, assumed_role, permission_level_of
from identity.domain.supervision import require_supervisor_fits
from identity.domain.user_managers import require_a_user_manager_remains
from identity.domain.users import User, UserKind, new_staff_user
from identity.events.users import (
    USER_DEACTIVATED,
    USER_PERMISSIONS_CHANGED,
    USER_TYPE_CHANGED,
)
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from identity.service_layer.mail_queue import queue_mail, send_queued
from identity.service_layer.member_events import HowJoined, user_created
from identity.service_layer.practitioners import place_member, record_member_role
from identity.service_layer.sessions import PASSWORD_SETUP_LIFETIME, issue_password_setup
from identity.service_layer.vendor_reads import record_vendor_read
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserView:
    user: User
    clinic_ids: tuple[str, ...]
    supervising_therapist_id: str | None
    created_at: datetime
    permissions: frozenset[str] | None  # None: the caller may not see them
    role: StaffRole | None = None  # staff only: recorded at acceptance or edit, else assumed
    permission_level: PermissionLevel | None = None  # with the permissions only


@dataclass(frozen=True)
class UserAdded:
    view: UserView
    mail_status: str  # "sent", or "pending": the person asks for a link with "Forgot password"


def list_users(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog,
               now: datetime | None = None) -> list[UserView]:
    """Any staff member (and vendor support under an active grant) sees the practice's
    people; only a User Manager (or that support) their permissions."""
    now = now or datetime.now(UTC)
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        manager = actor.sees_permissions(catalog, now)
        found = [view_of(repo, u, catalog, manager) for u in repo.users_of(caller.org_id)]
        record_vendor_read(uow, actor, caller.org_id, "users", (v.user.id for v in found))
        uow.commit()
        return found


def get_user(uow: UnitOfWork, caller: Caller, user_id: str, catalog: UserTypeCatalog,
             now: datetime | None = None) -> UserView:
    now = now or datetime.now(UTC)
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        target = target_of(repo, caller, user_id)
        see_permissions = actor.sees_permissions(catalog, now) or target.id == actor.user.id
        view = view_of(repo, target, catalog, see_permissions)
        record_vendor_read(uow, actor, caller.org_id, "users", [target.id])
        uow.commit()
        return view


def add_user(
    uow: UnitOfWork, caller: Caller, *, email: str, full_name: str, user_type: str | None,
    default_clinic_id: str | None, clinic_ids: list[str], supervising_therapist_id: str | None,
    catalog: UserTypeCatalog, mailer: IdentityMailer, now: datetime,
    added: AddedStaff | None = None,
) -> UserAdded:
    """A User Manager adds a staff member, within the licensed seats; the person (and only
    they) gets the get-started mail with the link that sets their password. ``added``: the
    role, clinical role and practitioner record (the type follows the practice's model)."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller)
        profile_rules.require_may_act(actor, caller.org_id, now)
        profile_rules.require_user_manager(actor, catalog)
        repo.hold_practice(caller.org_id)  # practitioner records: one change at a time
        placement = place_member(uow, caller.org_id, full_name, replace(
            added or AddedStaff(), user_type=user_type), catalog=catalog, now=now)
        user = new_staff_user(
            user_id=str(uuid.uuid4()), practice_id=caller.org_id, email=email,
            full_name=full_name, catalog=catalog, user_type=placement.user_type,
            default_clinic_id=default_clinic_id or _only_clinic(repo, caller.org_id),
        )
        profile_rules.require_default_clinic_for_billing(user.user_type, user.default_clinic_id)
        _require_clinics(repo, caller.org_id, [c for c in [user.default_clinic_id, *clinic_ids]
                                               if c])
        require_supervisor_fits(
            user.user_type, supervising_therapist_id,
            repo.user(caller.org_id, supervising_therapist_id) if supervising_therapist_id
            else None, practice_id=caller.org_id, catalog=catalog)
        if repo.email_taken(caller.org_id, user.email):
            raise StateConflict("Someone in your practice already has this email address.",
                                {"email": user.email})
        practice = repo.practice(caller.org_id)
        if catalog.get(user.user_type).counts_toward_seats:
            # A pending invitation holds its seat: adding someone directly must not take it.
            pending = InvitationRepository(uow.session).pending_count(caller.org_id, now)
            require_free_seat(seat_usage(practice, repo.users_of(caller.org_id), catalog,
                                         pending))
        repo.add_user(user, now, clinic_ids=clinic_ids,
                      supervising_therapist_id=supervising_therapist_id)
        role = record_member_role(uow, user, placement, actor=actor.user, now=now)
        token = issue_password_setup(uow, user.id, now)
        view = view_of(repo, user, catalog, True)
        uow.publish(user_created(
            user, event_actor(actor.user), permissions=view.permissions or (),
            clinics=view.clinic_ids, supervisor_id=supervising_therapist_id, joined=HowJoined(
                role=role, email_domain_recognized=practice.recognizes_domain(user.email))))
        mail = GetStartedMail(to=user.email, full_name=user.full_name,
                              practice_name=practice.name, added_by_name=actor.user.full_name,
                              token=token, expires_at=now + PASSWORD_SETUP_LIFETIME)
        key = f"{GET_STARTED}:{user.id}"
        queued = queue_mail(uow.session, lambda: mailer.get_started_message(mail), key=key,
                            kind=GET_STARTED, now=now, send_before=mail.expires_at)
        uow.commit()
    sent = queued and send_queued(uow, mailer, key, now)
    return UserAdded(view, MAIL_SENT if sent else MAIL_PENDING)


def change_permissions(
    uow: UnitOfWork, caller: Caller, user_id: str, *, grant: list[str], revoke: list[str],
    acknowledged: bool, catalog: UserTypeCatalog, now: datetime,
) -> tuple[UserView, ProfileChange]:
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller)
        target = target_of(repo, caller, user_id)
        practice = repo.practice(caller.org_id)
        try:
            change = profile_changes.change_permissions(
                actor, target, grant=grant, revoke=revoke, practice=practice, catalog=catalog,
                now=now, acknowledged=acknowledged,
            )
        except AcknowledgementRequired as refusal:
            # The billing warning belongs to the question, so the Admin reads it before saying yes.
            notice = profile_rules.billing_provider_notice(
                practice, target, require_known_permissions(grant), catalog)
            if notice is not None:
                refusal.details["billing_warning"] = {"code": notice.code,
                                                      "message": notice.message}
            raise
        view = store_change(uow, repo, actor.user, target, change, catalog,
                            USER_PERMISSIONS_CHANGED)
        return view, change


def change_user_type(
    uow: UnitOfWork, caller: Caller, user_id: str, *, user_type: str,
    catalog: UserTypeCatalog, now: datetime,
) -> UserView:
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        target = target_of(repo, caller, user_id)
        change = profile_changes.change_user_type(actor, target, user_type, catalog=catalog,
                                                  now=now)
        return store_change(uow, repo, actor.user, target, change, catalog,
                            USER_TYPE_CHANGED,
                            {"user_type_before": target.user_type,
                             "user_type_after": user_type})


def deactivate_user(
    uow: UnitOfWork, caller: Caller, user_id: str, *, catalog: UserTypeCatalog, now: datetime
) -> UserView:
    """Deactivate a user and end every session they have."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller)
        target = target_of(repo, caller, user_id)
        change = profile_changes.deactivate_user(actor, target, catalog=catalog, now=now)
        families = repo.open_families_of(target.id)
        for family in families:
            repo.save_family(revoke_family(family, now, "deactivated"), now)
        return store_change(uow, repo, actor.user, target, change, catalog,
                            USER_DEACTIVATED, {"sessions_revoked": len(families)})


def store_change(
    uow: UnitOfWork, repo: IdentityRepository, actor: User, before: User, change: ProfileChange,
    catalog: UserTypeCatalog, definition: EventDefinition, extra: dict[str, Any] | None = None,
) -> UserView:
    """Save a profile change and publish its event, unless it would leave the practice
    without an active User Manager (checked under the practice's lock)."""
    keep_a_user_manager(repo, before, change.user, catalog)
    repo.save_user(change.user)
    uow.publish(definition.event(
        subject=Subject("user", change.user.id), org_id=change.user.practice_id,
        actor=event_actor(actor), data={
            "before": {"permissions": sorted(change.permissions_before)},
            "after": {"permissions": sorted(change.permissions_after)},
            "granted": sorted(change.granted), "revoked": sorted(change.revoked),
            "permission_version": change.permission_version,
            "notices": [{"code": n.code, "message": n.message} for n in change.notices],
            "supervising_therapist_id": repo.user_details(change.user.id)[
                "supervising_therapist_id"],
            **(extra or {}),
        }))
    uow.commit()
    return view_of(repo, change.user, catalog, True)


def keep_a_user_manager(repo: IdentityRepository, before: User, after: User,
                        catalog: UserTypeCatalog) -> None:
    repo.hold_practice(before.practice_id)
    require_a_user_manager_remains(before, after, repo.users_of(before.practice_id), catalog)


def target_of(repo: IdentityRepository, caller: Caller, user_id: str) -> User:
    target = repo.user(caller.org_id, user_id)
    if target is None:
        raise NotFoundInPractice("There is no such user in your practice.", {"user_id": user_id})
    return target


def view_of(repo: IdentityRepository, user: User, catalog: UserTypeCatalog,
            with_permissions: bool) -> UserView:
    details = repo.user_details(user.id)
    role = None
    if user.kind is UserKind.STAFF:
        role = InvitationRepository(repo.session).staff_role(user.id) or assumed_role(
            user, catalog)
    return UserView(
        user=user, clinic_ids=repo.clinic_ids_of(user),
        supervising_therapist_id=details["supervising_therapist_id"],
        created_at=details["created_at"],
        permissions=user.permissions(catalog) if with_permissions else None,
        role=role,
        permission_level=permission_level_of(user, catalog) if with_permissions else None,
    )


def _require_clinics(repo: IdentityRepository, org_id: str, clinic_ids: list[str]) -> None:
    unknown = sorted({c for c in clinic_ids if repo.clinic(org_id, c) is None})
    if unknown:
        raise InvalidRequest("Pick clinics of your own practice.", {"unknown_clinics": unknown})


def _only_clinic(repo: IdentityRepository, org_id: str) -> str | None:
    """The practice's clinic when it has just one (the default clinic nobody must pick)."""
    clinics = repo.clinics_of(org_id)
    return clinics[0].id if len(clinics) == 1 else None
