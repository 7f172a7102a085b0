"""A user's working life after they joined: a User Manager edits them or reactivates them.

Deactivation, permissions and the user type are in users.py; each change publishes its
event in the same transaction, and one that changes what the user's token carries
raises the permission version, so older tokens stop in every service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.repository import IdentityRepository
from identity.domain import profile_changes
from identity.domain.catalog import UserTypeCatalog
from identity.domain.seats import seat_usage
from identity.domain.staff_roles import assumed_role
from identity.domain.user_edits import KEEP, ProfileEdit, StaffRecord, edit_profile, facts_of
from identity.events.users import USER_REACTIVATED, USER_UPDATED
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.users import (
    UserView,
    keep_a_user_manager,
    store_change,
    target_of,
    view_of,
)
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject


def edit_user(
    uow: UnitOfWork, caller: Caller, user_id: str, edit: ProfileEdit, *,
    catalog: UserTypeCatalog, now: datetime,
) -> UserView:
    """Change a user's name, clinics, default clinic, supervisor, role, clinical role or
    permission level (User Managers); identity.user.updated carries what changed."""
    with uow:
        repo, invites = IdentityRepository(uow.session), InvitationRepository(uow.session)
        actor = load_actor(repo, caller, now)
        target = target_of(repo, caller, user_id)
        current = StaffRecord(
            target, frozenset(repo.clinic_ids_of(target)),
            repo.user_details(target.id)["supervising_therapist_id"],
            invites.staff_role(target.id) or assumed_role(target, catalog))
        supervisor_id = edit.supervising_therapist_id
        supervisor = repo.user(caller.org_id, supervisor_id) if (
            supervisor_id is not KEEP and supervisor_id) else None
        edited = edit_profile(
            actor, current, edit, catalog=catalog, now=now, supervisor=supervisor,
            practice_clinic_ids=frozenset(c.id for c in repo.clinics_of(caller.org_id)))
        after = edited.after
        if not edited.changed:
            return view_of(repo, target, catalog, True)
        keep_a_user_manager(repo, target, after.user, catalog)
        repo.save_user(after.user)
        repo.set_clinics(target.id, sorted(after.clinic_ids))
        repo.set_supervisor(target.id, after.supervising_therapist_id)
        if {"practice_role", "clinical_role"} & set(edited.changed):
            invites.save_staff_role(caller.org_id, target.id, after.role)
        before_facts, after_facts = facts_of(current, catalog), facts_of(after, catalog)
        data: dict[str, Any] = {
            "changed": list(edited.changed),
            "before": {name: before_facts[name] for name in edited.changed},
            "after": {name: after_facts[name] for name in edited.changed},
            **after_facts, "clinics": list(repo.clinic_ids_of(after.user)),
        }
        if edited.outdates_tokens:
            # Permissions travel with the version, as on a permission change, so every
            # projection that keeps both moves them forward together.
            data["after"]["permissions"] = sorted(after.user.permissions(catalog))
            data["permission_version"] = edited.permission_version
        uow.publish(USER_UPDATED.event(
            subject=Subject("user", target.id), org_id=caller.org_id,
            actor=event_actor(actor.user), data=data))
        uow.commit()
        return view_of(repo, after.user, catalog, True)


def reactivate_user(
    uow: UnitOfWork, caller: Caller, user_id: str, *, catalog: UserTypeCatalog, now: datetime
) -> UserView:
    """Bring a deactivated user back (User Managers), when a licensed seat is free; they
    sign in with their old password, or ask for a reset."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        target = target_of(repo, caller, user_id)
        repo.hold_practice(caller.org_id)  # two reactivations cannot share the last seat
        pending = InvitationRepository(uow.session).pending_count(caller.org_id, now)
        seats = seat_usage(repo.practice(caller.org_id), repo.users_of(caller.org_id), catalog,
                           pending)
        change = profile_changes.reactivate_user(actor, target, seats=seats, catalog=catalog,
                                                 now=now)
        return store_change(uow, repo, actor.user, target, change, catalog,
                            USER_REACTIVATED,
                            {"clinics": list(repo.clinic_ids_of(target)),
                             "full_name": target.full_name, "user_type": target.user_type})
