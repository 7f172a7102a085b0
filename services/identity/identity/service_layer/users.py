"""Use cases on a practice's users: list, look up, add, change permissions and type, deactivate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.repository import IdentityRepository
from identity.domain import profile_changes, profile_rules
from identity.domain.catalog import THERAPIST, UserTypeCatalog
from identity.domain.errors import AcknowledgementRequired, InvalidRequest, StateConflict
from identity.domain.permissions import require_known_permissions
from identity.domain.profile_changes import ProfileChange
from identity.domain.refresh_tokens import revoke_family
from identity.domain.seats import require_free_seat, seat_usage
from identity.domain.users import User, new_staff_user
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from identity.service_layer.sessions import issue_password_setup
from identity.service_layer.vendor_reads import record_vendor_read
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject, new_event


@dataclass(frozen=True)
class UserView:
    user: User
    clinic_ids: tuple[str, ...]
    supervising_therapist_id: str | None
    created_at: datetime
    permissions: frozenset[str] | None  # None: the caller may not see them


@dataclass(frozen=True)
class UserAdded:
    view: UserView
    password_setup_token: str


def list_users(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog,
               now: datetime | None = None) -> list[UserView]:
    """Any staff member (and vendor support under an active grant) sees the practice's
    people; only a User Manager (or that support) their permissions."""
    now = now or datetime.now(UTC)
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        manager = actor.sees_permissions(catalog, now)
        found = [_view(repo, u, catalog, manager) for u in repo.users_of(caller.org_id)]
        record_vendor_read(uow, actor, caller.org_id, "users", (v.user.id for v in found))
        uow.commit()
        return found


def get_user(uow: UnitOfWork, caller: Caller, user_id: str, catalog: UserTypeCatalog,
             now: datetime | None = None) -> UserView:
    now = now or datetime.now(UTC)
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        target = _target(repo, caller, user_id)
        see_permissions = actor.sees_permissions(catalog, now) or target.id == actor.user.id
        view = _view(repo, target, catalog, see_permissions)
        record_vendor_read(uow, actor, caller.org_id, "users", [target.id])
        uow.commit()
        return view


def add_user(
    uow: UnitOfWork, caller: Caller, *, email: str, full_name: str, user_type: str | None,
    default_clinic_id: str | None, clinic_ids: list[str], supervising_therapist_id: str | None,
    catalog: UserTypeCatalog, now: datetime,
) -> UserAdded:
    """A User Manager adds a staff member, within the licensed seats; they get a setup link."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller)
        profile_rules.require_may_act(actor, caller.org_id, now)
        profile_rules.require_user_manager(actor, catalog)
        user = new_staff_user(
            user_id=str(uuid.uuid4()), practice_id=caller.org_id, email=email,
            full_name=full_name, catalog=catalog, user_type=user_type,
            default_clinic_id=default_clinic_id,
        )
        _require_clinics(repo, caller.org_id, [c for c in [default_clinic_id, *clinic_ids] if c])
        _require_supervisor(repo, caller.org_id, supervising_therapist_id, catalog)
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
        token = issue_password_setup(uow, user.id, now)
        view = _view(repo, user, catalog, True)
        uow.publish(new_event(
            "identity.user.created", subject=Subject("user", user.id), org_id=caller.org_id,
            actor=event_actor(actor.user), data={
                "email": user.email, "full_name": user.full_name, "user_type": user.user_type,
                "kind": user.kind.value, "status": "active",
                "email_domain_recognized": practice.recognizes_domain(user.email),
                "permissions": sorted(view.permissions or ()), "clinics": list(view.clinic_ids),
                "permission_version": user.permission_version,
                "supervising_therapist_id": supervising_therapist_id,
            }))
        uow.commit()
    return UserAdded(view, token)


def change_permissions(
    uow: UnitOfWork, caller: Caller, user_id: str, *, grant: list[str], revoke: list[str],
    acknowledged: bool, catalog: UserTypeCatalog, now: datetime,
) -> tuple[UserView, ProfileChange]:
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller)
        target = _target(repo, caller, user_id)
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
        view = _store(uow, repo, actor.user, change, catalog, "identity.user.permissions_changed")
        return view, change


def change_user_type(
    uow: UnitOfWork, caller: Caller, user_id: str, *, user_type: str,
    catalog: UserTypeCatalog, now: datetime,
) -> UserView:
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        target = _target(repo, caller, user_id)
        change = profile_changes.change_user_type(actor, target, user_type, catalog=catalog,
                                                  now=now)
        return _store(uow, repo, actor.user, change, catalog, "identity.user.type_changed",
                      {"user_type_before": target.user_type, "user_type_after": user_type})


def deactivate_user(
    uow: UnitOfWork, caller: Caller, user_id: str, *, catalog: UserTypeCatalog, now: datetime
) -> UserView:
    """Deactivate a user and end every session they have."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller)
        target = _target(repo, caller, user_id)
        change = profile_changes.deactivate_user(actor, target, catalog=catalog, now=now)
        families = repo.open_families_of(target.id)
        for family in families:
            repo.save_family(revoke_family(family, now, "deactivated"), now)
        return _store(uow, repo, actor.user, change, catalog, "identity.user.deactivated",
                      {"sessions_revoked": len(families)})


def _store(
    uow: UnitOfWork, repo: IdentityRepository, actor: User, change: ProfileChange,
    catalog: UserTypeCatalog, event_type: str, extra: dict[str, Any] | None = None,
) -> UserView:
    repo.save_user(change.user)
    uow.publish(new_event(
        event_type, subject=Subject("user", change.user.id), org_id=change.user.practice_id,
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
    return _view(repo, change.user, catalog, True)


def _target(repo: IdentityRepository, caller: Caller, user_id: str) -> User:
    target = repo.user(caller.org_id, user_id)
    if target is None:
        raise NotFoundInPractice("There is no such user in your practice.", {"user_id": user_id})
    return target


def _view(repo: IdentityRepository, user: User, catalog: UserTypeCatalog, with_permissions: bool
          ) -> UserView:
    details = repo.user_details(user.id)
    return UserView(
        user=user, clinic_ids=repo.clinic_ids_of(user),
        supervising_therapist_id=details["supervising_therapist_id"],
        created_at=details["created_at"],
        permissions=user.permissions(catalog) if with_permissions else None,
    )


def _require_clinics(repo: IdentityRepository, org_id: str, clinic_ids: list[str]) -> None:
    unknown = sorted({c for c in clinic_ids if repo.clinic(org_id, c) is None})
    if unknown:
        raise InvalidRequest("Pick clinics of your own practice.", {"unknown_clinics": unknown})


def _require_supervisor(repo: IdentityRepository, org_id: str, supervisor_id: str | None,
                        catalog: UserTypeCatalog) -> None:
    if supervisor_id is None:
        return
    supervisor = repo.user(org_id, supervisor_id)
    if supervisor is None or not supervisor.active or (
        catalog.get(supervisor.user_type).category != THERAPIST
    ):
        raise InvalidRequest("The supervising therapist must be an active therapist of your "
                             "practice.", {"supervising_therapist_id": supervisor_id})
