"""The practice's side of vendor access: its User Managers list the grants and revoke them."""

from __future__ import annotations

from datetime import datetime

from identity.adapters.repository import IdentityRepository
from identity.adapters.vendor_directory import VendorDirectory
from identity.domain import profile_rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import NotAllowed
from identity.domain.grants import PracticeUserManager
from identity.domain.users import Actor, UserKind
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from identity.service_layer.vendor import GrantView, end_grant, views
from servicekit.db import UnitOfWork


def list_practice_grants(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog,
                         now: datetime) -> list[GrantView]:
    """The practice's admins see who of the vendor may enter their practice, and why."""
    with uow:
        _user_manager(uow, caller, catalog, now)
        directory = VendorDirectory(uow.session)
        return views(directory, directory.grants(practice_id=caller.org_id), now)


def revoke_practice_grant(uow: UnitOfWork, caller: Caller, grant_id: str,
                          catalog: UserTypeCatalog, now: datetime) -> GrantView:
    """A User Manager ends a grant into their practice at once, with its sessions."""
    with uow:
        actor = _user_manager(uow, caller, catalog, now)
        grant = VendorDirectory(uow.session).grant_in_practice(grant_id, caller.org_id)
        if grant is None:
            raise NotFoundInPractice("There is no such access grant in your practice.",
                                     {"grant_id": grant_id})
        view = end_grant(uow, grant, PracticeUserManager(actor.user.id, caller.org_id),
                         event_actor(actor.user), now)
        uow.commit()
    return view


def _user_manager(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog,
                  now: datetime) -> Actor:
    actor = load_actor(IdentityRepository(uow.session), caller, now)
    if actor.user.kind is not UserKind.STAFF:
        raise NotAllowed("Only the practice's own Admins see and revoke its access grants.")
    profile_rules.require_user_manager(actor, catalog)
    return actor
