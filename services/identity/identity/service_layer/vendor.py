"""The vendor's own staff and their access grants to practices.

Vendor staff are users of no practice (kind ``vendor``) at the vendor's email domain. A
support admin grants one of them access to one practice, for a purpose and a time; the
practice's admins see those grants. Every grant, revocation and use is an event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.repository import IdentityRepository
from identity.adapters.vendor_directory import PracticelessAccounts, VendorDirectory
from identity.domain.errors import InvalidRequest, NotAllowed, StateConflict
from identity.domain.grants import (
    PracticeUserManager,
    VendorAccessGrant,
    VendorStaffMember,
    grant_vendor_access,
    revoke_vendor_access,
)
from identity.domain.passwords import check_password
from identity.domain.refresh_tokens import revoke_family
from identity.domain.users import User, UserKind, normalize_email
from identity.domain.vendor_support import GrantScope, scope_named
from identity.events.access import ACCESS_GRANT_GRANTED, ACCESS_GRANT_REVOKED, SESSION_REVOKED
from identity.events.users import VENDOR_STAFF_CREATED
from identity.service_layer.callers import SYSTEM, event_actor
from identity.service_layer.callers import require_active_grant as _require_active_grant
from identity.service_layer.errors import NotASupportAdmin, NotFoundInPractice
from identity.service_layer.recipients import profile_facts
from identity.service_layer.sessions import issue_password_setup
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Actor as EventActor
from servicekit.messaging.envelope import Event, Subject


@dataclass(frozen=True)
class VendorCaller:
    """A vendor's token: who, and the practice a grant opened (None: the vendor directory)."""

    user_id: str
    org_id: str | None


@dataclass(frozen=True)
class VendorStaffAdded:
    user_id: str
    password_setup_token: str | None  # None when the password was given


@dataclass(frozen=True)
class GrantView:
    grant: VendorAccessGrant
    email: str
    full_name: str
    active: bool


@dataclass(frozen=True)
class VendorProfile:
    user: User
    member: VendorStaffMember
    grant: VendorAccessGrant | None  # the grant the caller's token runs under, if any


def add_vendor_staff(
    uow: UnitOfWork, *, email: str, full_name: str, support_admin: bool, password: str | None,
    vendor_name: str, vendor_domain: str, hashing: PasswordHashing, now: datetime,
) -> VendorStaffAdded:
    """Enter a vendor employee in the directory (an operator's command)."""
    address = normalize_email(email)
    domain = vendor_domain.strip().lstrip("@").lower()
    if address.rpartition("@")[2] != domain:
        raise InvalidRequest(f"Vendor staff use the vendor's own email domain, {domain}. "
                             "Give their work address.", {"email": address})
    if not full_name.strip():
        raise InvalidRequest("Give the employee's full name.", {"field": "full_name"})
    if password is not None:
        check_password(password, practice_name=vendor_name, email=address)
    user = User(id=str(uuid.uuid4()), email=address, full_name=full_name.strip(),
                kind=UserKind.VENDOR,
                # User types both as str, for the staff it mostly holds; vendor staff have none.
                practice_id=None, user_type=None)  # type: ignore[arg-type]
    with uow:
        if PracticelessAccounts(uow.session).account_id(UserKind.VENDOR, address):
            raise StateConflict("This address is vendor staff already.", {"email": address})
        repo = IdentityRepository(uow.session)
        repo.add_user(user, now)
        VendorDirectory(uow.session).add_member(
            VendorStaffMember(user.id, address, support_admin), now)
        token = None
        if password is not None:
            repo.set_password_hash(user.id, hashing.hash(password))
        else:
            token = issue_password_setup(uow, user.id, now)
        uow.publish(VENDOR_STAFF_CREATED.event(
            subject=Subject("user", user.id), org_id=None,
            actor=SYSTEM, data={**profile_facts(user), "is_support_admin": support_admin},
        ))
        uow.commit()
    return VendorStaffAdded(user.id, token)


def grant_access(
    uow: UnitOfWork, caller: VendorCaller, *, practice_id: str, user_id: str,
    purpose: str, starts_at: datetime | None, ends_at: datetime, now: datetime,
    scope: str = GrantScope.SUPPORT.value,
) -> GrantView:
    """A support admin lets another vendor employee into a practice, for a purpose (its
    scope and reason) and at most 30 days."""
    grant_scope = scope_named(scope)
    with uow:
        directory = VendorDirectory(uow.session)
        admin = _support_admin(uow, caller, now)
        grantee = directory.member(user_id)
        if grantee is None:
            raise NotFoundInPractice("There is no active vendor staff member with this id.",
                                     {"user_id": user_id})
        if PracticelessAccounts(uow.session).practice_name(practice_id) is None:
            raise NotFoundInPractice("There is no such practice.", {"practice_id": practice_id})
        starts_at, ends_at = _utc(starts_at or now), _utc(ends_at)
        if ends_at <= now:
            raise InvalidRequest("This access would have ended already. Pick an end time in "
                                 "the future.", {"ends_at": ends_at.isoformat()})
        grant = grant_vendor_access(
            grant_id=str(uuid.uuid4()), granted_by=admin, grantee=grantee,
            practice_id=practice_id, purpose=purpose, starts_at=starts_at,
            ends_at=ends_at, now=now, scope=grant_scope,
        )
        directory.add_grant(grant)
        view = views(directory, [grant], now)[0]
        uow.publish(grant_event(ACCESS_GRANT_GRANTED, view, admin_actor(uow, admin)))
        uow.commit()
    return view


def revoke_access(uow: UnitOfWork, caller: VendorCaller, grant_id: str, now: datetime
                  ) -> GrantView:
    """A support admin ends a grant now; sessions opened under it end too."""
    with uow:
        directory = VendorDirectory(uow.session)
        admin = _support_admin(uow, caller, now)
        grant = directory.grant(grant_id)
        if grant is None:
            raise NotFoundInPractice("There is no such access grant.", {"grant_id": grant_id})
        view = end_grant(uow, grant, admin, admin_actor(uow, admin), now)
        uow.commit()
    return view


def end_grant(uow: UnitOfWork, grant: VendorAccessGrant,
              revoked_by: VendorStaffMember | PracticeUserManager, actor: EventActor,
              now: datetime) -> GrantView:
    """Revoke the grant and end every session opened under it, in this unit of work.

    Each ended session is announced (``identity.session.revoked``) so that every service's
    token-state projection refuses the vendor's access tokens at once, not at their expiry.
    """
    directory = VendorDirectory(uow.session)
    revoked = revoke_vendor_access(grant, revoked_by, now)
    directory.save_revocation(revoked)
    repo = IdentityRepository(uow.session)
    ended = 0
    for family_id in directory.sessions_under(grant.id):
        family = repo.family(family_id)
        if family is None or family.revoked_at is not None:
            continue
        repo.save_family(revoke_family(family, now, "access_grant_revoked"), now)
        ended += 1
        uow.publish(SESSION_REVOKED.event(
            subject=Subject("user", grant.user_id),
            org_id=grant.practice_id, actor=actor,
            data={"session_id": family_id, "reason": "access_grant_revoked",
                  "access_grant_id": grant.id}))
    view = views(directory, [revoked], now)[0]
    uow.publish(grant_event(ACCESS_GRANT_REVOKED, view, actor,
                             sessions_revoked=ended))
    return view


def list_vendor_grants(uow: UnitOfWork, caller: VendorCaller, now: datetime) -> list[GrantView]:
    """Support admins see every grant; other vendor staff their own."""
    with uow:
        directory = VendorDirectory(uow.session)
        member = vendor_member(uow, caller, now)
        grants = directory.grants(user_id=None if member.is_support_admin else member.user_id)
        return views(directory, grants, now)


def vendor_profile(uow: UnitOfWork, caller: VendorCaller, now: datetime) -> VendorProfile:
    with uow:
        member, grant = _vendor_session(uow, caller, now)
        user = IdentityRepository(uow.session).user_by_id(member.user_id)
        assert user is not None
        return VendorProfile(user, member, grant)


def vendor_member(uow: UnitOfWork, caller: VendorCaller, now: datetime
                  ) -> VendorStaffMember:
    return _vendor_session(uow, caller, now)[0]


def _vendor_session(uow: UnitOfWork, caller: VendorCaller, now: datetime
                    ) -> tuple[VendorStaffMember, VendorAccessGrant | None]:
    """The calling vendor employee; a token opened under a grant needs the grant active now."""
    member = VendorDirectory(uow.session).member(caller.user_id)
    if member is None:
        raise NotAllowed("Your vendor staff account is not active. Ask a support admin.")
    if caller.org_id is None:
        return member, None
    repo = IdentityRepository(uow.session)
    user = repo.user_by_id(member.user_id)
    assert user is not None
    return member, _require_active_grant(repo, user, caller.org_id, now)


def admin_actor(uow: UnitOfWork, admin: VendorStaffMember) -> EventActor:
    user = IdentityRepository(uow.session).user_by_id(admin.user_id)
    assert user is not None
    return event_actor(user)


def _support_admin(uow: UnitOfWork, caller: VendorCaller, now: datetime
                   ) -> VendorStaffMember:
    member = vendor_member(uow, caller, now)
    if not member.is_support_admin:
        raise NotASupportAdmin("Only a vendor support admin manages access grants. Ask one "
                               "to make this change.")
    return member


def views(directory: VendorDirectory, grants: list[VendorAccessGrant], now: datetime
           ) -> list[GrantView]:
    people = directory.people({g.user_id for g in grants})
    return [GrantView(g, *people.get(g.user_id, ("", "")), active=g.is_active(now))
            for g in grants]


def grant_event(definition: EventDefinition, view: GrantView, actor: EventActor,
                **extra: object) -> Event:
    grant = view.grant
    return definition.event(
        subject=Subject("access_grant", grant.id), org_id=grant.practice_id,
        actor=actor, data={
            "grant_id": grant.id, "user_id": grant.user_id, "email": view.email,
            "email_domain": view.email.rpartition("@")[2], "kind": UserKind.VENDOR.value,
            "purpose": grant.purpose, "scope": grant.scope.value,
            "starts_at": grant.starts_at.isoformat(), "ends_at": grant.ends_at.isoformat(),
            "granted_by": grant.granted_by,
            "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
            "revoked_by": grant.revoked_by, **extra,
        })


def _utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidRequest("Pick a start and end within the calendar's range.",
                             {"value": moment.isoformat()}) from None
