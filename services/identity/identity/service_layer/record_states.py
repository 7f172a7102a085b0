"""What the caller may read of each editable record right now, for its ETag.

Each read is the one its GET (or, with no GET of its own, its PATCH/PUT) authorizes, without
what a read of the record leaves behind (a vendor's read is recorded by the GET, not by the
ETag computed beside it); it refuses as they do, so an ETag reaches nobody who may not read
the record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from identity.adapters.practitioner_directory import PractitionerDirectory, PractitionerEntry
from identity.adapters.repository import IdentityRepository
from identity.domain import profile_rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.clinics import Clinic
from identity.service_layer.callers import Caller, load_actor
from identity.service_layer.errors import NotFoundInPractice
from identity.service_layer.users import UserView, target_of, view_of
from servicekit.db import UnitOfWork


def user_state(uow: UnitOfWork, caller: Caller, user_id: str, catalog: UserTypeCatalog,
               now: datetime) -> UserView:
    """The user as GET /users/{id} shows it to the caller."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        target = target_of(repo, caller, user_id)
        see_permissions = actor.sees_permissions(catalog, now) or target.id == actor.user.id
        return view_of(repo, target, catalog, see_permissions)


def clinic_state(uow: UnitOfWork, caller: Caller, clinic_id: str, now: datetime) -> Clinic:
    """The clinic as GET /clinics lists it to the caller."""
    with uow:
        repo = IdentityRepository(uow.session)
        load_actor(repo, caller, now)
        clinic = repo.clinic(caller.org_id, clinic_id)
        if clinic is None:
            raise NotFoundInPractice("There is no such clinic in your practice.",
                                     {"clinic_id": clinic_id})
        return clinic


def billing_integration_state(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog,
                              now: datetime) -> dict[str, Any]:
    """The practice's billing integration, for its User Managers (who set it)."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        profile_rules.require_may_act(actor, caller.org_id, now)
        profile_rules.require_user_manager(actor, catalog)
        integration = repo.practice(caller.org_id).billing_integration
        return {"billing_integration": integration.name if integration else None,
                "provider_ids": sorted(integration.provider_user_ids) if integration else []}


def practitioner_state(uow: UnitOfWork, caller: Caller, record_id: str,
                       catalog: UserTypeCatalog, now: datetime) -> PractitionerEntry:
    """The practitioner record as GET /practitioners lists it (to Admins)."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        profile_rules.require_may_act(actor, caller.org_id, now)
        profile_rules.require_user_manager(actor, catalog)
        entry = PractitionerDirectory(uow.session).one(caller.org_id, record_id, now)
        if entry is None:
            raise NotFoundInPractice("There is no such practitioner record in your practice.",
                                     {"practitioner_id": record_id})
        return entry
